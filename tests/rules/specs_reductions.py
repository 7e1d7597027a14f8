"""Specs for reductions (wengert/rules/reductions.py)."""

from __future__ import annotations

import numpy as np

import wengert.numpy as wnp

from .spec import Spec, distinct, positive

SHAPES = [[(3,)], [(2, 3)], [(2, 3, 2)]]
AXES = [None, 0, -1, (0, 1)]


def _reduce(name: str, prim: str, **kw: object) -> list[Spec]:
    out = []
    for axis in AXES:
        for keepdims in (False, True):
            cases = SHAPES if axis in (None, 0, -1) else SHAPES[1:]
            out.append(Spec(
                [prim], lambda x, a=axis, k=keepdims: getattr(wnp, name)(x, axis=a, keepdims=k),
                cases, ref=lambda x, a=axis, k=keepdims: getattr(np, name)(x, axis=a, keepdims=k),
                name=f"{name}-axis{axis}-keep{keepdims}", **kw))  # type: ignore[arg-type]
    return out


SPECS = (
    _reduce("sum", "sum") + _reduce("mean", "sum") + _reduce("prod", "prod", sample=positive())
    + _reduce("max", "amax", sample=distinct()) + _reduce("min", "amin", sample=distinct())
    + _reduce("var", "sum") + _reduce("std", "sum", sample=distinct())
    + [
        Spec(["cumsum"], lambda x: wnp.cumsum(x, axis=1), [[(2, 3)]],
             ref=lambda x: np.cumsum(x, axis=1)),
        Spec(["cumsum"], lambda x: wnp.cumsum(x), [[(2, 3)]], name="cumsum-flat"),
        Spec(["cumprod"], lambda x: wnp.cumprod(x, axis=0), [[(3, 2)]], sample=positive(),
             ref=lambda x: np.cumprod(x, axis=0)),
        Spec(["sum"], lambda x: wnp.var(x, axis=0, ddof=1), [[(4, 2)]], name="var-ddof"),
        Spec(["sum"], lambda x, w: wnp.average(x, axis=1, weights=w), [[(2, 3), (3,)]],
             sample=positive(), name="average-weights"),
        Spec(["amax", "amin"], lambda x: wnp.ptp(x, axis=0), [[(3, 2)]], sample=distinct(),
             name="ptp"),
        Spec(["cumsum", "concatenate"],
             lambda x: wnp.cumulative_sum(x, axis=-1, include_initial=True), [[(2, 3)], [(4,)]],
             ref=lambda x: np.cumulative_sum(x, axis=-1, include_initial=True),
             name="cumulative_sum"),
        Spec(["cumsum"], lambda x: wnp.cumulative_sum(x), [[(4,)], [()]],
             ref=np.cumulative_sum, name="cumulative_sum-1d"),
        Spec(["cumprod", "concatenate"],
             lambda x: wnp.cumulative_prod(x, axis=0, include_initial=True), [[(3, 2)]],
             sample=positive(), ref=lambda x: np.cumulative_prod(x, axis=0, include_initial=True),
             name="cumulative_prod"),
    ]
)
