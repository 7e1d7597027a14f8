"""Specs for checkpoint's name tag (wengert/transforms/checkpoint.py): an identity."""

from __future__ import annotations

import numpy as np

import wengert.numpy as wnp
from wengert.transforms.checkpoint import checkpoint_name

from .spec import Spec

SPECS = [
    Spec(["checkpoint_name"], lambda x: wnp.sin(checkpoint_name(x, "h")) * x,
         [[()], [(3,)], [(2, 3)]], ref=lambda x: np.sin(x) * x,
         name="checkpoint_name"),
]
