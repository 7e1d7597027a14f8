"""Specs for the special functions (wengert/rules/special.py, wengert/special.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.special as sp

import wengert.special as ws

from .spec import Spec, away_from_zero, positive

SHAPES = [[(3,)], [(2, 3)]]
_P = "special."  # the prefix of the special-function primitives' names


def _between(lo: float, hi: float) -> Any:
    return lambda rng, s: rng.uniform(lo, hi, size=s)


def _unary(name: str, prim: str, sample: Any = None, **kw: Any) -> Spec:
    return Spec([_P + prim], getattr(ws, name), SHAPES, sample=sample, ref=getattr(sp, name),
                name=name, **kw)


def _reduce(name: str, prims: list[str]) -> list[Spec]:
    out = []
    for axis in (None, 0, -1, (0, 1)):
        out.append(Spec(prims, lambda x, a=axis: getattr(ws, name)(x, axis=a), [[(2, 3)]],
                        ref=lambda x, a=axis: getattr(sp, name)(x, axis=a),
                        name=f"{name}-axis{axis}"))
    return out


SPECS = [
    _unary("erf", "erf"),
    _unary("erfc", "erfc"),
    _unary("erfinv", "erfinv", _between(-0.9, 0.9)),
    _unary("gammaln", "gammaln", positive(0.2, 6.0)),
    Spec([_P + "gammaln"], ws.gammaln, [[(3,)]], sample=_between(-2.9, -2.1), ref=sp.gammaln,
         name="gammaln-negative"),
    _unary("gamma", "gamma", positive(0.3, 4.0)),
    _unary("digamma", "polygamma", positive(0.3, 6.0)),
    Spec([_P + "polygamma"], ws.digamma, [[(3,)]], sample=_between(-1.8, -1.2), ref=sp.digamma,
         name="digamma-negative"),
    *[Spec([_P + "polygamma"], lambda x, n=n: ws.polygamma(n, x), SHAPES, sample=positive(0.5, 5.0),
           ref=lambda x, n=n: sp.polygamma(n, x), name=f"polygamma{n}") for n in (1, 2, 3)],
    Spec([_P + "polygamma"], lambda x: ws.polygamma(1, x), [[(3,)]], sample=_between(-0.8, -0.2),
         ref=lambda x: sp.polygamma(1, x), name="trigamma-negative"),
    _unary("expit", "expit", _between(-6.0, 6.0)),
    _unary("logit", "logit", _between(0.1, 0.9)),
    _unary("entr", "entr", positive(0.2, 3.0)),
    _unary("ndtr", "erfc", _between(-4.0, 4.0)),
    _unary("log_ndtr", "log_ndtr", _between(-4.0, 4.0)),
    Spec([_P + "log_ndtr"], ws.log_ndtr, [[(3,)]], sample=_between(-30.0, -21.0), ref=sp.log_ndtr,
         name="log_ndtr-tail"),
    Spec([_P + "xlogy"], ws.xlogy, [[(3,), (3,)], [(2, 3), (3,)]], sample=positive(0.2, 3.0),
         ref=sp.xlogy),
    Spec([_P + "xlog1py"], ws.xlog1py, [[(3,), (3,)], [(2, 1), (3,)]], sample=positive(0.0, 2.0),
         ref=sp.xlog1py),
    Spec([_P + "gammaln"], ws.betaln, [[(3,), (3,)]], sample=positive(0.3, 4.0), ref=sp.betaln,
         name="betaln"),
    Spec(["logaddexp"], ws.softplus, SHAPES, low=-5.0, high=5.0,
         ref=lambda x: np.logaddexp(0.0, x), name="softplus"),
    *_reduce("logsumexp", ["exp", "log", "sum"]),
    *_reduce("softmax", ["exp", "sum", "divide"]),
    *_reduce("log_softmax", ["exp", "log", "sum"]),
    Spec(["exp", "log"], lambda x: ws.logsumexp(x, axis=1, keepdims=True), [[(2, 3)]],
         ref=lambda x: sp.logsumexp(x, axis=1, keepdims=True), name="logsumexp-keepdims"),
    Spec(["exp", "log"], lambda x, b: ws.logsumexp(x, axis=0, b=b), [[(2, 3), (2, 3)],
         [(2, 3), (3,)]], sample=positive(0.2, 2.0),
         ref=lambda x, b: sp.logsumexp(x, axis=0, b=b), name="logsumexp-weights"),
    Spec(["exp", "log", "absolute"],
         lambda x, b: ws.logsumexp(x, b=b - 1.5, return_sign=True)[0], [[(4,), (4,)]],
         ref=lambda x, b: sp.logsumexp(x, b=b - 1.5, return_sign=True)[0],
         name="logsumexp-sign"),
    Spec(["relu"], lambda x: __import__("wengert.nn", fromlist=["relu"]).relu(x),
         [[(3,)], [(2, 3)]], sample=away_from_zero(), ref=lambda x: np.maximum(x, 0),
         name="relu"),
    # Bessel functions: the order is a parameter, the argument x is differentiated.
    *[Spec([_P + prim], lambda x, f=f, v=v: getattr(ws, f)(v, x), SHAPES, sample=sample,
           ref=lambda x, f=f, v=v: getattr(sp, f)(v, x), name=f"{f}-{v}")
      for prim, f, v, sample in [
          ("jv", "jv", 0.0, positive(0.2, 6.0)), ("jv", "jv", 2.5, positive(0.5, 6.0)),
          ("jv", "jn", 3, positive(0.5, 6.0)), ("yv", "yv", 1.5, positive(0.5, 6.0)),
          ("yv", "yn", 2, positive(0.5, 6.0)), ("iv", "iv", 0.7, positive(0.2, 3.0)),
          ("ive", "ive", 1.2, positive(0.2, 3.0)),  # I_v(x < 0) is complex for v ∉ ℤ
          ("ive", "ive", 1, away_from_zero(0.2, 3.0))]],
    *[_unary(name, prim, positive(0.3, 5.0)) for name, prim in [
        ("j0", "jv"), ("j1", "jv"), ("y0", "yv"), ("y1", "yv"), ("i0", "iv"), ("i1", "iv")]],
    _unary("rgamma", "rgamma", positive(0.3, 4.0)),
    Spec([_P + "rgamma"], ws.rgamma, [[(3,)]], sample=_between(-1.8, -1.2), ref=sp.rgamma,
         name="rgamma-negative"),
    Spec([_P + "gammainc"], lambda x: ws.gammainc(1.7, x), SHAPES, sample=positive(0.2, 4.0),
         ref=lambda x: sp.gammainc(1.7, x), name="gammainc"),
    Spec([_P + "gammaincc"], lambda x: ws.gammaincc(0.6, x), SHAPES, sample=positive(0.2, 4.0),
         ref=lambda x: sp.gammaincc(0.6, x), name="gammaincc"),
    Spec([_P + "beta"], ws.beta, [[(3,), (3,)], [(2, 3), (3,)]], sample=positive(0.3, 4.0),
         ref=sp.beta),
    Spec([_P + "betainc"], lambda x: ws.betainc(1.7, 2.2, x), SHAPES, sample=positive(0.1, 0.9),
         ref=lambda x: sp.betainc(1.7, 2.2, x), name="betainc"),
    Spec([_P + "gammaln"], lambda a: ws.multigammaln(a, 3), SHAPES, sample=positive(1.5, 5.0),
         ref=lambda a: sp.multigammaln(a, 3), name="multigammaln"),
    Spec([_P + "ndtri"], ws.erfcinv, SHAPES, sample=positive(0.1, 1.9), ref=sp.erfcinv,
         name="erfcinv"),
    Spec(["special.erf"], lambda x: __import__("wengert.nn", fromlist=["gelu"]).gelu(
        x, approximate=False), [[(4,)]], ref=lambda x: x * 0.5 * (1 + sp.erf(x / np.sqrt(2))),
         name="gelu-exact"),
]
