"""Specs for wengert.scipy.special beyond specs_special.py: the new primitives (kv,
ndtri), the remaining Bessel functions, and broadcasting of the binary functions."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.special as sp

import wengert.scipy.special as ws

from .spec import Spec, positive

_P = "special."


def _between(lo: float, hi: float) -> Any:
    return lambda rng, s: rng.uniform(lo, hi, size=s)


SPECS = [
    *[Spec([_P + "kv"], lambda x, v=v: ws.kv(v, x), [[(3,)], [(2, 3)]], sample=positive(0.3, 4.0),
           ref=lambda x, v=v: sp.kv(v, x), name=f"kv-{v}") for v in (0.0, 1.5, 3)],
    Spec([_P + "ndtri"], ws.ndtri, [[(3,)], [(2, 3)]], sample=_between(0.02, 0.98),
         ref=sp.ndtri, name="ndtri"),
    Spec([_P + "jv"], lambda x: ws.jn(2, x), [[(4,)]], sample=_between(-6.0, 6.0),
         ref=lambda x: sp.jn(2, x), name="jn-negative-x"),
    Spec([_P + "yv"], lambda x: ws.yn(3, x), [[(4,)]], sample=positive(1.0, 6.0),
         ref=lambda x: sp.yn(3, x), name="yn-3"),
    Spec([_P + "iv"], lambda x: ws.iv(2, x), [[(4,)]], sample=_between(-3.0, 3.0),
         ref=lambda x: sp.iv(2, x), name="iv-2-both-signs"),
    # gammainc and betainc: x broadcast against array-valued (constant) shape parameters.
    Spec([_P + "gammainc"], lambda x: ws.gammainc(np.array([[0.7], [2.5]]), x), [[(3,)]],
         sample=positive(0.2, 4.0), ref=lambda x: sp.gammainc(np.array([[0.7], [2.5]]), x),
         name="gammainc-broadcast"),
    Spec([_P + "gammaincc"], lambda x: ws.gammaincc(np.array([1.3, 4.0]), x), [[(2, 1)]],
         sample=positive(0.2, 4.0), ref=lambda x: sp.gammaincc(np.array([1.3, 4.0]), x),
         name="gammaincc-broadcast"),
    Spec([_P + "betainc"], lambda x: ws.betainc(np.array([0.8, 2.0, 3.5]), 1.5, x), [[(2, 1)]],
         sample=_between(0.1, 0.9), ref=lambda x: sp.betainc(np.array([0.8, 2.0, 3.5]), 1.5, x),
         name="betainc-broadcast"),
    # The shape parameters: the series primitives gammainc_da and betainc_d, both regimes
    # (betainc's series runs on I_{1-x}(b, a) above x = (a+1)/(a+b+2)).
    Spec([_P + "gammainc", _P + "gammainc_da"], ws.gammainc, [[(3,), (3,)], [(2, 1), (3,)]],
         sample=positive(0.3, 5.0), ref=sp.gammainc, name="gammainc-a-and-x"),
    Spec([_P + "gammaincc", _P + "gammainc_da"], lambda a, x: ws.gammaincc(a, 3.0 * x),
         [[(3,), (3,)]], sample=positive(0.3, 3.0), ref=lambda a, x: sp.gammaincc(a, 3.0 * x),
         name="gammaincc-a-and-x"),
    Spec([_P + "betainc", _P + "betainc_d"], lambda a, b, x: ws.betainc(a, b, x / 3.0),
         [[(3,), (3,), (3,)], [(2, 1), (3,), (1,)]], sample=positive(0.3, 2.9),
         ref=lambda a, b, x: sp.betainc(a, b, x / 3.0), name="betainc-a-b-x"),
    Spec([_P + "beta"], ws.beta, [[(2, 1), (3,)]], sample=positive(0.5, 3.0), ref=sp.beta,
         name="beta-outer"),
    Spec([_P + "xlogy"], ws.xlogy, [[(2, 1), (1, 3)]], sample=positive(0.2, 3.0), ref=sp.xlogy,
         name="xlogy-outer"),
    Spec([_P + "gammaln"], ws.betaln, [[(2, 3), (3,)]], sample=positive(0.3, 4.0),
         ref=sp.betaln, name="betaln-broadcast"),
    Spec([_P + "gammaln"], lambda a: ws.multigammaln(a, 1), [[(3,)]], sample=positive(0.5, 5.0),
         ref=lambda a: sp.multigammaln(a, 1), name="multigammaln-1"),
    Spec([_P + "polygamma"], lambda x: ws.psi(x), [[(2, 3)]], sample=positive(0.3, 6.0),
         ref=sp.psi, name="psi"),
    Spec([_P + "ndtri"], ws.erfcinv, [[(2, 2)]], sample=_between(0.3, 1.7), ref=sp.erfcinv,
         name="erfcinv-2d"),
    Spec(["exp", "log"], lambda x, b: ws.logsumexp(x, axis=-1, b=b, keepdims=True),
         [[(2, 3), (1, 3)]], sample=positive(0.2, 2.0),
         ref=lambda x, b: sp.logsumexp(x, axis=-1, b=b, keepdims=True),
         name="logsumexp-weights-keepdims"),
    Spec(["exp", "log"], lambda x: ws.log_softmax(x, axis=0), [[(3, 2)]],
         ref=lambda x: sp.log_softmax(x, axis=0), name="log_softmax-axis0-3x2"),
]
