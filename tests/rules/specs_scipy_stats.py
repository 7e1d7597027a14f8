"""Specs for wengert.scipy.stats: every method, differentiated in every continuous argument,
values against scipy.stats.

Arguments are drawn from [0.5, 2] and moved into each distribution's support by a fixed
affine map ``prep`` that fn and ref share, so finite differences never leave it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.stats as st

import wengert.numpy as wnp
import wengert.scipy.stats as ws

from .spec import Spec, positive

SAMPLE = positive(0.5, 2.0)
CONT = ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf")
DISC = ("logpmf", "pmf", "cdf", "logcdf", "sf", "logsf")


def _spec(dist: str, method: str, prep: Callable[..., tuple], cases: list, prims: list[str],
          fixed: tuple = (), tag: str = "") -> Spec:
    """``dist.method(*prep(*args), *fixed-after-x)``: ``fixed`` are constant shape
    parameters inserted after the first argument."""
    def call(mod: Any) -> Callable[..., Any]:
        def fn(*args: Any) -> Any:
            x, *rest = prep(*args)
            return getattr(getattr(mod, dist), method)(x, *fixed, *rest)
        return fn
    return Spec(prims, call(ws), cases, sample=SAMPLE, ref=call(st),
                name=f"stats.{dist}.{method}{tag}")


def _family(dist: str, prep: Callable[..., tuple], n: int, prims: list[str],
            fixed: tuple = (), methods: tuple = CONT, tag: str = "") -> list[Spec]:
    """Two cases: all arguments (n of them) of shape (3,), and a broadcast of
    (2, 3) against (3,) and scalars-as-(1,)."""
    cases = [[(3,)] * n, [(2, 3)] + [(3,)] + [(1,)] * (n - 2)]
    return [_spec(dist, m, prep, cases, prims, fixed, tag) for m in methods]


def _loc_scale(x: Any, loc: Any, scale: Any) -> tuple:  # y = (2x - 2 - loc + 1)/scale in (-3, 3)
    return 2.0 * x - 2.0, loc - 1.0, scale


def _positive_y(x: Any, *shape_loc_scale: Any) -> tuple:  # x - loc in [1.5, 4.5]
    *shapes, loc, scale = shape_loc_scale
    return (x + 2.0, *shapes, loc - 1.0, scale)


def _unit_y(x: Any, *shape_loc_scale: Any) -> tuple:  # y in (0.04, 0.92)
    *shapes, loc, scale = shape_loc_scale
    return (x + 0.2, *shapes, loc - 1.5, scale + 3.0)


_NORMAL = ["special.log_ndtr", "special.erfc", "special.ndtri"]
_BETAINC = ["special.betainc", "special.betainc_d"]
_GAMMAINC = ["special.gammainc", "special.gammaincc", "special.gammainc_da"]

SPECS = [
    *_family("norm", _loc_scale, 3, _NORMAL),
    Spec(["special.ndtri"], lambda q, loc, s: ws.norm.ppf(q / 2.5, loc, s), [[(3,), (3,), (3,)]],
         sample=SAMPLE, ref=lambda q, loc, s: st.norm.ppf(q / 2.5, loc, s), name="stats.norm.ppf"),
    Spec(["special.ndtri"], lambda q, loc, s: ws.norm.isf(q / 2.5, loc, s), [[(2, 3), (3,), (1,)]],
         sample=SAMPLE, ref=lambda q, loc, s: st.norm.isf(q / 2.5, loc, s), name="stats.norm.isf"),
    # t's df in [1, 4]: y² < df and y² > df both occur (the two forms of its cdf).
    *_family("t", lambda x, df, loc, s: (2.0 * x - 2.0, 2.0 * df, loc - 1.0, s), 4,
             ["special.gammaln", *_BETAINC]),
    *_family("gamma", _positive_y, 4, ["special.gammaln", "special.xlogy", *_GAMMAINC]),
    *_family("chi2", lambda x, df, loc, s: (x + 2.0, 3.0 * df, loc - 1.0, s), 4,
             ["special.gammaln", "special.xlogy", *_GAMMAINC]),
    *_family("beta", _unit_y, 5, ["special.gammaln", "special.xlog1py", *_BETAINC]),
    *_family("expon", _positive_y, 3, ["exp", "expm1"]),
    *_family("laplace", _loc_scale, 3, ["exp", "absolute"]),
    *_family("logistic", _loc_scale, 3, ["special.expit", "logaddexp"]),
    *_family("cauchy", _loc_scale, 3, ["arctan2", "log1p"]),
    *_family("uniform", lambda x, loc, s: (x, loc - 2.0, s + 4.5), 3, ["clip"]),
]

# Discrete distributions: k constant (not differentiable), the parameters differentiated.
_K = np.array([0.0, 1.0, 3.0])
# Bernoulli's sf is 0 (logsf -inf, constant) at k = 1: its distribution functions use 0.5.
_K01 = {m: np.array([0.0, 1.0 if m in ("logpmf", "pmf") else 0.5]) for m in DISC}
for _m in DISC:
    SPECS += [
        Spec(_GAMMAINC, lambda mu, m=_m: getattr(ws.poisson, m)(_K, 2.0 * mu), [[(3,)], [(2, 1)]],
             sample=SAMPLE, ref=lambda mu, m=_m: getattr(st.poisson, m)(_K, 2.0 * mu),
             name=f"stats.poisson.{_m}"),
        Spec(["special.xlog1py"], lambda p, m=_m, k=_K01[_m]: getattr(ws.bernoulli, m)(k, p / 2.5),
             [[(2,)], [(3, 1)]], sample=SAMPLE,
             ref=lambda p, m=_m, k=_K01[_m]: getattr(st.bernoulli, m)(k, p / 2.5),
             name=f"stats.bernoulli.{_m}"),
        Spec(_BETAINC, lambda p, m=_m: getattr(ws.binom, m)(_K, 5, p / 2.5), [[(3,)], [(2, 1)]],
             sample=SAMPLE, ref=lambda p, m=_m: getattr(st.binom, m)(_K, 5, p / 2.5),
             name=f"stats.binom.{_m}"),
    ]


# -- multivariate ---------------------------------------------------------------------------
def _spd(a: Any) -> Any:
    return a @ wnp.swapaxes(a, -1, -2) + np.eye(np.shape(a)[-1])


def _spd_np(a: np.ndarray) -> np.ndarray:
    return a @ a.T + np.eye(a.shape[-1])


def _mvn(method: str, cases: list, tag: str, **kw: Any) -> Spec:
    return Spec(["linalg.cholesky"],
                lambda x, m, a: getattr(ws.multivariate_normal, method)(x, m, _spd(a), **kw),
                cases, sample=SAMPLE,
                ref=lambda x, m, a: getattr(st.multivariate_normal, method)(
                    x, m, _spd_np(a), **kw), name=f"stats.multivariate_normal.{method}{tag}")


SPECS += [
    _mvn("logpdf", [[(3,), (3,), (3, 3)], [(4, 3), (3,), (3, 3)]], ""),
    _mvn("pdf", [[(2, 2), (2,), (2, 2)]], ""),
    _mvn("logpdf", [[(4, 3), (3,), (3, 3)]], "-allow_singular", allow_singular=True),
    Spec(["linalg.cholesky"], lambda a: ws.multivariate_normal.entropy(None, _spd(a)),
         [[(3, 3)]], sample=SAMPLE,
         ref=lambda a: st.multivariate_normal.entropy(None, _spd_np(a)),
         name="stats.multivariate_normal.entropy"),
    Spec(["log"], lambda x, m, v: ws.multivariate_normal.logpdf(x, m, v), [[(4, 3), (3,), (3,)],
         [(3,), (3,), (1,)]], sample=SAMPLE,
         ref=lambda x, m, v: st.multivariate_normal.logpdf(x, m, v if v.size > 1 else v[0]),
         name="stats.multivariate_normal.logpdf-diagonal"),
    Spec(["log"], lambda x, v: ws.multivariate_normal.logpdf(x, None, v[0]), [[(5,), (1,)]],
         sample=SAMPLE, ref=lambda x, v: st.multivariate_normal.logpdf(x, None, v[0]),
         name="stats.multivariate_normal.logpdf-1d"),
    # Rank 2 of 3: x = mean + B w stays on the support as finite differences move w, B.
    Spec(["linalg.eigh"],
         lambda w, m, b: ws.multivariate_normal.logpdf(m + w @ wnp.swapaxes(b, 0, 1), m,
                                                       b @ wnp.swapaxes(b, 0, 1),
                                                       allow_singular=True),
         [[(4, 2), (3,), (3, 2)]], sample=SAMPLE,
         ref=lambda w, m, b: st.multivariate_normal.logpdf(m + w @ b.T, m, b @ b.T,
                                                           allow_singular=True),
         name="stats.multivariate_normal.logpdf-singular", rtol=1e-5, atol=1e-6),
    Spec(["special.xlogy", "special.gammaln"],
         lambda x, a: ws.dirichlet.logpdf(x / wnp.sum(x, axis=0), a),
         [[(3,), (3,)], [(3, 4), (3,)]], sample=SAMPLE,
         ref=lambda x, a: st.dirichlet.logpdf(x / np.sum(x, axis=0), a),
         name="stats.dirichlet.logpdf"),
    Spec(["special.xlogy"], lambda x, a: ws.dirichlet.pdf(x / wnp.sum(x, axis=0), a),
         [[(3, 2), (3,)]], sample=SAMPLE,
         ref=lambda x, a: st.dirichlet.pdf(x / np.sum(x, axis=0), a), name="stats.dirichlet.pdf"),
    Spec(["special.polygamma"], ws.dirichlet.entropy, [[(4,)]], sample=SAMPLE,
         ref=st.dirichlet.entropy, name="stats.dirichlet.entropy"),
]
