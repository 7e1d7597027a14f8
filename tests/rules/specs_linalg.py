"""Specs for products (wengert/rules/linalg.py)."""

from __future__ import annotations

import numpy as np

import wengert.numpy as wnp

from .spec import Spec

SPECS = [
    Spec(["matmul"], lambda a, b: a @ b,
         [[(2, 3), (3, 4)], [(3,), (3, 2)], [(2, 3), (3,)], [(3,), (3,)],
          [(2, 2, 3), (3, 2)], [(3,), (2, 3, 2)], [(2, 1, 2, 3), (2, 3, 1)]],
         ref=np.matmul, complex_ok=True),
    Spec(["matmul"], lambda a, b: wnp.dot(a, b), [[(2, 3), (3, 4)], [(3,), (3,)], [(), (3,)]],
         ref=np.dot, name="dot"),
    Spec(["reshape", "multiply"], lambda a, b: wnp.outer(a, b), [[(3,), (2,)]], ref=np.outer,
         name="outer"),
]
