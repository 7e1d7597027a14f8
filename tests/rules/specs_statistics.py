"""Specs for order statistics and compositions (wengert/rules/statistics.py)."""

from __future__ import annotations

from typing import Any

import numpy as np

import wengert.numpy as wnp

from .spec import Spec, distinct, positive

_HIST_DATA = np.array([0.1, 2.5, 1.0, 3.0, 0.4, 1.7])


def _with_nans(xp: Any, x: Any) -> Any:
    """x with NaN at every third entry (counting from the second), never a whole lane here."""
    return xp.where(np.arange(np.size(x)).reshape(np.shape(x)) % 3 == 1, np.nan, x)


def _nan_quantile(name: str, kw: dict, cases: list) -> Spec:
    wfn, nfn = getattr(wnp, name), getattr(np, name)
    return Spec(["getitem", "where"], lambda x: wfn(_with_nans(wnp, x), **kw), cases,
                sample=distinct(), ref=lambda x: nfn(_with_nans(np, x), **kw),
                name=f"{name}-{kw}")

SPECS = [
    Spec(["getitem"], lambda x: wnp.median(x), [[(5,)], [(4,)], [(2, 3)]], sample=distinct(),
         ref=np.median, name="median"),
    Spec(["getitem"], lambda x: wnp.median(x, axis=0, keepdims=True), [[(3, 2)]],
         sample=distinct(), ref=lambda x: np.median(x, axis=0, keepdims=True),
         name="median-axis"),
    Spec(["getitem"], lambda x: wnp.quantile(x, [0.1, 0.5, 0.93], axis=1), [[(2, 5)]],
         sample=distinct(), ref=lambda x: np.quantile(x, [0.1, 0.5, 0.93], axis=1),
         name="quantile"),
    Spec(["getitem"], lambda x: wnp.percentile(x, 30.0, axis=(0, 2)), [[(2, 3, 4)]],
         sample=distinct(), ref=lambda x: np.percentile(x, 30.0, axis=(0, 2)),
         name="percentile"),
    Spec(["matmul"], lambda x: wnp.cov(x), [[(3, 5)]], ref=np.cov, name="cov"),
    Spec(["matmul"], lambda x, y: wnp.cov(x, y, rowvar=False, bias=True), [[(5, 2), (5,)]],
         ref=lambda x, y: np.cov(x, y, rowvar=False, bias=True), name="cov-y"),
    Spec(["matmul"], lambda x: wnp.corrcoef(x), [[(3, 6)]], ref=np.corrcoef, name="corrcoef"),
    Spec(["transpose"], lambda x: wnp.rollaxis(x, 2, 0), [[(2, 3, 4)]],
         ref=lambda x: np.rollaxis(x, 2, 0), name="rollaxis"),
    Spec(["broadcast_to"], lambda x: wnp.full((2, 3), x), [[()]], name="full"),
    Spec(["multiply"], lambda a, b: wnp.linspace(a, b, 7), [[(), ()]],
         ref=lambda a, b: np.linspace(a, b, 7), name="linspace"),
    Spec(["multiply", "where"], lambda a, b: wnp.linspace(a, b, 4, axis=-1),
         [[(3,), (3,)], [(2, 1), (3,)], [(), (2,)]],
         ref=lambda a, b: np.linspace(a, b, 4, axis=-1), name="linspace-arrays"),
    Spec(["multiply"], lambda a, b: wnp.linspace(a, b, 5, endpoint=False, retstep=True),
         [[(2,), ()]], name="linspace-retstep"),
    Spec(["power"], lambda a, b, base: wnp.logspace(a, b, 4, base=base, axis=1),
         [[(2,), (2,), ()], [(), (2,), (3, 1)]], sample=positive(),
         ref=lambda a, b, base: np.logspace(a, b, 4, base=base, axis=1), name="logspace"),
    Spec(["power", "where"], lambda a, b: wnp.geomspace(a, b, 5), [[(), ()], [(2,), (3, 1)]],
         sample=positive(0.3, 3.0), ref=lambda a, b: np.geomspace(a, b, 5), name="geomspace"),
    Spec(["power", "where"], lambda a, b: wnp.geomspace(-a, -b, 4, endpoint=False, axis=-1),
         [[(2,), ()]], sample=positive(0.3, 3.0),
         ref=lambda a, b: np.geomspace(-a, -b, 4, endpoint=False, axis=-1),
         name="geomspace-negative"),
    _nan_quantile("nanmedian", dict(axis=None), [[(5,)], [(3, 4)]]),
    _nan_quantile("nanmedian", dict(axis=-1, keepdims=True), [[(3, 4)], [(2, 3, 4)]]),
    _nan_quantile("nanquantile", dict(q=[0.2, 0.5, 1.0], axis=1), [[(3, 4)]]),
    _nan_quantile("nanquantile", dict(q=0.7, axis=(0, 2), method="midpoint"), [[(2, 3, 4)]]),
    _nan_quantile("nanpercentile", dict(q=[[10.0], [85.0]], axis=0), [[(3, 4)]]),
    Spec(["bincount"], lambda w: wnp.bincount(np.array([0, 2, 2, 4, 0]), w, minlength=6),
         [[(5,)]], ref=lambda w: np.bincount(np.array([0, 2, 2, 4, 0]), w, minlength=6),
         complex_ok=True, name="bincount-weights"),
    Spec(["bincount"], lambda w: wnp.histogram(_HIST_DATA, bins=3, weights=w)[0], [[(6,)]],
         ref=lambda w: np.histogram(_HIST_DATA, bins=3, weights=w)[0], name="histogram"),
    Spec(["bincount"], lambda w: wnp.histogram(_HIST_DATA, bins=[0.0, 0.5, 2.0, 3.0],
                                              weights=w, density=True)[0], [[(6,)]],
         sample=lambda rng, s: rng.uniform(0.5, 2.0, s),
         ref=lambda w: np.histogram(_HIST_DATA, bins=[0.0, 0.5, 2.0, 3.0], weights=w,
                                    density=True)[0], name="histogram-density"),
    Spec(["min", "max"], lambda a: wnp.histogram(a, bins=4)[1], [[(7,)]], sample=distinct(),
         ref=lambda a: np.histogram(a, bins=4)[1], name="histogram-edges"),
]
