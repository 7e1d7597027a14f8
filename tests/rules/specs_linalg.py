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
    # NumPy 2's vector/matrix products (vecdot and vecmat conjugate their vector)
    Spec(["multiply", "sum"], lambda a, b: wnp.vecdot(a, b), [[(3,), (3,)], [(2, 3), (3,)]],
         ref=np.vecdot, complex_ok=True, name="vecdot"),
    Spec(["multiply", "sum"], lambda a, b: wnp.vecdot(a, b, axis=0), [[(3, 2), (3, 1)]],
         ref=lambda a, b: np.vecdot(a, b, axis=0), name="vecdot-axis"),
    Spec(["matmul"], lambda a, b: wnp.matvec(a, b), [[(2, 3), (3,)], [(2, 2, 3), (3,)],
                                                     [(3, 4), (2, 1, 4)]],
         ref=np.matvec, complex_ok=True, name="matvec"),
    Spec(["matmul"], lambda a, b: wnp.vecmat(a, b), [[(3,), (3, 2)], [(2, 3), (2, 3, 4)]],
         ref=np.vecmat, complex_ok=True, name="vecmat"),
    Spec(["transpose"], lambda a: wnp.matrix_transpose(a), [[(2, 3)], [(2, 3, 4)]],
         ref=np.matrix_transpose, name="matrix_transpose"),
]
