"""``wengert.scipy.stats``: differentiable densities and distribution functions.

Each distribution is an object with SciPy's methods and signatures, e.g.
``norm.logpdf(x, loc=0, scale=1)``, ``t.cdf(x, df, loc=0, scale=1)``,
``poisson.logpmf(k, mu, loc=0)``, ``multivariate_normal.logpdf(x, mean, cov)``.
Values are plain arrays (or traced values inside a transform); every function is a
composition of ``wengert.numpy`` and :mod:`wengert.scipy.special` primitives, so it
is differentiable in both modes, to any order, in every continuous argument (the
shape parameters of the distribution functions too: ``gamma.cdf`` in ``a``,
``t.cdf`` in ``df``, through the series of :func:`wengert.scipy.special.gammainc`
and :func:`~wengert.scipy.special.betainc`).
The point ``k`` (and ``loc``) of a discrete distribution has no derivative: traced,
it raises ``NotDifferentiableError``.  ``binom``'s ``n`` is differentiated as the
continuous extension of its formulas (its value is ``nan`` off the integers, as in SciPy).

Outside the support a density is 0 (log-density ``-inf``) and its derivative 0; the
values outside are computed at a safe point, so no ``nan`` leaks into derivatives.
Invalid parameters (``scale <= 0``, ``df <= 0`` ...) give ``nan``, as in SciPy.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from wengert import numpy as wnp
from wengert.core.batching import batched_value
from wengert.core.primitive import NotDifferentiableError
from wengert.core.tracing import Box
from wengert.rules._util import shape
from wengert.scipy import special as sc
from wengert.scipy._values import all as _all
from wengert.scipy._values import any as _any
from wengert.scipy._values import value as _v

__all__ = ["norm", "multivariate_normal", "t", "gamma", "beta", "chi2", "dirichlet", "poisson",
           "expon", "laplace", "logistic", "cauchy", "uniform", "bernoulli", "binom"]

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
_LOG2 = math.log(2.0)


def _select(mask: Any, inside: Any, outside: Any) -> Any:
    """``inside`` where ``mask``, else ``outside`` (no ``where`` when the mask is all true)."""
    if _all(mask):
        return inside
    return wnp.where(mask, inside, outside)


def _safe(mask: Any, x: Any, fill: float) -> Any:
    """``x`` where ``mask``, else ``fill``: the point at which the masked-out value is
    computed, so that its (discarded) derivative stays finite."""
    return _select(mask, x, fill)


def _log_of(p: Any, q: Any) -> Any:
    """``log p`` for a probability ``p = 1 - q``: ``log1p(-q)`` where ``p`` is near 1."""
    near1 = _v(p) > 0.5
    with np.errstate(divide="ignore"):
        if _all(near1):
            return wnp.log1p(-q)
        if not _any(near1):
            return wnp.log(p)
        # each branch at a safe point where it is not taken (no 0·∞ in the derivative)
        return wnp.where(near1, wnp.log1p(-_safe(near1, q, 0.0)), wnp.log(_safe(~near1, p, 0.5)))


class _Distribution:
    """Argument handling shared by all distributions: SciPy's ``(x, *shapes, loc, scale)``."""

    name = ""
    shapes: tuple[str, ...] = ()
    has_scale = True

    def _parse(self, method: str, args: tuple, kwds: dict) -> tuple[list, Any, Any]:
        names = [*self.shapes, "loc", *(("scale",) if self.has_scale else ())]
        if len(args) > len(names):
            raise TypeError(f"wengert.scipy.stats.{self.name}.{method}: takes at most "
                            f"{len(names)} parameters after x ({', '.join(names)}), "
                            f"got {len(args)}")
        values = dict(zip(names, args, strict=False))
        for k, v in kwds.items():
            if k not in names:
                raise TypeError(f"wengert.scipy.stats.{self.name}.{method}: unknown parameter "
                                f"{k!r}; the parameters are {', '.join(names)}")
            if k in values:
                raise TypeError(f"wengert.scipy.stats.{self.name}.{method}: {k} given twice")
            values[k] = v
        missing = [s for s in self.shapes if s not in values]
        if missing:
            raise TypeError(f"wengert.scipy.stats.{self.name}.{method}: missing the shape "
                            f"parameter(s) {', '.join(missing)}")
        return ([values[s] for s in self.shapes], values.get("loc", 0.0),
                values.get("scale", 1.0))

    def _valid(self, *shapes: Any) -> np.ndarray | bool:
        """Where the shape parameters are valid (plain values)."""
        return True

    def _invalid_to_nan(self, out: Any, shapes: list, scale: Any) -> Any:
        ok = self._valid(*[_v(s) for s in shapes])
        if self.has_scale:
            ok = ok & (_v(scale) > 0)
        if _all(ok):
            return out
        return wnp.where(ok, out, np.nan)

    def __repr__(self) -> str:
        return f"<wengert.scipy.stats.{self.name}>"


class _Continuous(_Distribution):
    """A location-scale family given on the standard variable ``y = (x - loc) / scale``.

    Subclasses give ``_logpdf``, ``_cdf`` and ``_sf`` where ``1 - cdf`` would lose accuracy;
    ``_logcdf``/``_logsf`` default to the log of the one of cdf and sf that is not near 1.
    """

    def _logpdf(self, y: Any, *s: Any) -> Any:
        raise NotImplementedError

    def _cdf(self, y: Any, *s: Any) -> Any:
        raise NotImplementedError

    def _sf(self, y: Any, *s: Any) -> Any:
        return 1.0 - self._cdf(y, *s)

    def _logcdf(self, y: Any, *s: Any) -> Any:
        return _log_of(self._cdf(y, *s), self._sf(y, *s))

    def _logsf(self, y: Any, *s: Any) -> Any:
        return _log_of(self._sf(y, *s), self._cdf(y, *s))

    def _standard(self, method: str, x: Any, args: tuple, kwds: dict) -> tuple:
        shapes, loc, scale = self._parse(method, args, kwds)
        scale_ok = _v(scale) > 0
        safe_scale = _safe(scale_ok, scale, 1.0)
        return (x - loc) / safe_scale, shapes, scale, safe_scale

    def _log_density(self, method: str, x: Any, args: tuple, kwds: dict) -> Any:
        y, shapes, scale, safe_scale = self._standard(method, x, args, kwds)
        out = self._logpdf(y, *shapes) - wnp.log(safe_scale)
        off = _v(out) == -np.inf  # off the support: -inf, and no derivative from log(scale)
        if _any(off):
            out = wnp.where(off, -np.inf, out)
        return self._invalid_to_nan(out, shapes, scale)

    def logpdf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        return self._log_density("logpdf", x, args, kwds)

    def pdf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        return wnp.exp(self._log_density("pdf", x, args, kwds))

    def _method(self, name: str, x: Any, args: tuple, kwds: dict) -> Any:
        y, shapes, scale, _ = self._standard(name, x, args, kwds)
        return self._invalid_to_nan(getattr(self, "_" + name)(y, *shapes), shapes, scale)

    def cdf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        return self._method("cdf", x, args, kwds)

    def logcdf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        return self._method("logcdf", x, args, kwds)

    def sf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        return self._method("sf", x, args, kwds)

    def logsf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        return self._method("logsf", x, args, kwds)


# -- continuous distributions ---------------------------------------------------------------
class norm_gen(_Continuous):
    """The normal distribution ``N(loc, scale²)``."""

    name = "norm"

    def _logpdf(self, y: Any) -> Any:
        return -0.5 * y * y - _HALF_LOG_2PI

    def _cdf(self, y: Any) -> Any:
        return sc.ndtr(y)

    def _sf(self, y: Any) -> Any:
        return sc.ndtr(-y)

    def _logcdf(self, y: Any) -> Any:
        return sc.log_ndtr(y)

    def _logsf(self, y: Any) -> Any:
        return sc.log_ndtr(-y)

    def ppf(self, q: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        """The quantile function, ``loc + scale·Φ⁻¹(q)``."""
        return loc + scale * sc.ndtri(q)

    def isf(self, q: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        """The inverse survival function, ``loc - scale·Φ⁻¹(q)``."""
        return loc - scale * sc.ndtri(q)

    def entropy(self, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        return 0.5 + _HALF_LOG_2PI + wnp.log(scale) + 0.0 * loc  # loc: SciPy's broadcast


class t_gen(_Continuous):
    """Student's t distribution with ``df`` degrees of freedom."""

    name = "t"
    shapes = ("df",)

    def _valid(self, df: Any) -> Any:
        return df > 0

    def _logpdf(self, y: Any, df: Any) -> Any:
        df = _safe(_v(df) > 0, df, 1.0)
        half = 0.5 * (df + 1.0)
        return (sc.gammaln(half) - sc.gammaln(0.5 * df) - 0.5 * wnp.log(df * math.pi)
                - half * wnp.log1p(y * y / df))

    def _pieces(self, y: Any, df: Any, log: bool) -> Any:
        """The cdf (or its log) from the form accurate for each ``y``: near 0 (``|y| < 1``,
        where the tail probability is above 0.15 whatever ``df``)
        ``1/2 + sign(y)·I_{y²/(df+y²)}(1/2, df/2)/2``, in the tails
        ``I_{df/(df+y²)}(df/2, 1/2)/2`` (the tail probability itself); at ``y = 0``
        exactly ``1/2 + pdf(0)·y``, whose derivatives are right there (0·∞ otherwise)."""
        df = _safe(_v(df) > 0, df, 1.0)
        yv = _v(y)
        dv = _v(df)
        dshape = shape(dv)
        yb = yv if not dshape or dshape == shape(yv) else wnp.broadcast_arrays(yv, dv)[0]
        zero = yb == 0
        small = (np.abs(yb) < 1.0) & ~zero
        tail = ~small & ~zero
        lg = (lambda v: wnp.log(v)) if log else (lambda v: v)
        out: Any = 0.0
        if _any(small):
            ys = _safe(small, y, 1.0)
            y2 = ys * ys
            near = 0.5 + 0.5 * np.sign(yb) * sc.betainc(0.5, 0.5 * df, y2 / (df + y2))
            out = _select(small, lg(near), out)
        if _any(tail):
            ys = _safe(tail, y, 2.0)
            h = 0.5 * sc.betainc(0.5 * df, 0.5, df / (df + ys * ys))
            left = yb < 0
            if log:
                far = wnp.where(left, wnp.log(h), wnp.log1p(-h))
            else:
                far = wnp.where(left, h, 1.0 - h)
            out = _select(tail, far, out)
        if _any(zero):
            half = 0.5 * (df + 1.0)
            pdf0 = wnp.exp(sc.gammaln(half) - sc.gammaln(0.5 * df) - 0.5 * wnp.log(df * math.pi))
            out = _select(~zero, out, lg(0.5 + pdf0 * _safe(zero, y, 0.0)))
        return out

    def _cdf(self, y: Any, df: Any) -> Any:
        return self._pieces(y, df, False)

    def _sf(self, y: Any, df: Any) -> Any:
        return self._pieces(-y, df, False)

    def _logcdf(self, y: Any, df: Any) -> Any:
        with np.errstate(divide="ignore"):
            return self._pieces(y, df, True)

    def _logsf(self, y: Any, df: Any) -> Any:
        with np.errstate(divide="ignore"):
            return self._pieces(-y, df, True)


class gamma_gen(_Continuous):
    """The gamma distribution with shape ``a`` (density ``y^(a-1) e^(-y) / Γ(a)``)."""

    name = "gamma"
    shapes = ("a",)

    def _valid(self, a: Any) -> Any:
        return a > 0

    def _logpdf(self, y: Any, a: Any) -> Any:
        inside = _v(y) >= 0
        ys = _safe(inside, y, 1.0)
        a = _safe(_v(a) > 0, a, 1.0)
        with np.errstate(divide="ignore"):
            return _select(inside, sc.xlogy(a - 1.0, ys) - ys - sc.gammaln(a), -np.inf)

    def _cdf(self, y: Any, a: Any) -> Any:
        inside = _v(y) > 0
        return _select(inside, sc.gammainc(_safe(_v(a) > 0, a, 1.0), _safe(inside, y, 1.0)), 0.0)

    def _sf(self, y: Any, a: Any) -> Any:
        inside = _v(y) > 0
        return _select(inside, sc.gammaincc(_safe(_v(a) > 0, a, 1.0), _safe(inside, y, 1.0)),
                       1.0)


class chi2_gen(gamma_gen):
    """The chi-squared distribution: ``gamma(df/2, scale=2)``."""

    name = "chi2"
    shapes = ("df",)

    def _logpdf(self, y: Any, df: Any) -> Any:
        return super()._logpdf(0.5 * y, 0.5 * df) - _LOG2

    def _cdf(self, y: Any, df: Any) -> Any:
        return super()._cdf(0.5 * y, 0.5 * df)

    def _sf(self, y: Any, df: Any) -> Any:
        return super()._sf(0.5 * y, 0.5 * df)


class beta_gen(_Continuous):
    """The beta distribution on ``[0, 1]`` (density ``y^(a-1) (1-y)^(b-1) / B(a, b)``)."""

    name = "beta"
    shapes = ("a", "b")

    def _valid(self, a: Any, b: Any) -> Any:
        return (a > 0) & (b > 0)

    def _ab(self, a: Any, b: Any) -> tuple:
        ok = self._valid(_v(a), _v(b))
        return _safe(ok, a, 1.0), _safe(ok, b, 1.0)

    def _logpdf(self, y: Any, a: Any, b: Any) -> Any:
        a, b = self._ab(a, b)
        inside = (_v(y) >= 0) & (_v(y) <= 1)
        ys = _safe(inside, y, 0.5)
        with np.errstate(divide="ignore"):
            out = sc.xlogy(a - 1.0, ys) + sc.xlog1py(b - 1.0, -ys) - sc.betaln(a, b)
        return _select(inside, out, -np.inf)

    def _cdf(self, y: Any, a: Any, b: Any) -> Any:
        a, b = self._ab(a, b)
        yv = _v(y)
        inside = (yv > 0) & (yv < 1)
        out = sc.betainc(a, b, _safe(inside, y, 0.5))
        return _select(inside, out, np.where(yv <= 0, 0.0, 1.0))

    def _sf(self, y: Any, a: Any, b: Any) -> Any:
        a, b = self._ab(a, b)
        yv = _v(y)
        inside = (yv > 0) & (yv < 1)
        out = sc.betainc(b, a, 1.0 - _safe(inside, y, 0.5))
        return _select(inside, out, np.where(yv <= 0, 1.0, 0.0))


class expon_gen(_Continuous):
    """The exponential distribution (density ``e^(-y)`` for ``y >= 0``)."""

    name = "expon"

    def _logpdf(self, y: Any) -> Any:
        return _select(_v(y) >= 0, -y, -np.inf)

    def _cdf(self, y: Any) -> Any:
        inside = _v(y) > 0
        return _select(inside, -wnp.expm1(-_safe(inside, y, 1.0)), 0.0)

    def _sf(self, y: Any) -> Any:
        inside = _v(y) > 0
        return _select(inside, wnp.exp(-_safe(inside, y, 1.0)), 1.0)

    def _logcdf(self, y: Any) -> Any:
        inside = _v(y) > 0
        ys = _safe(inside, y, 1.0)
        return _select(inside, wnp.where(_v(y) > _LOG2, wnp.log1p(-wnp.exp(-ys)),
                                         wnp.log(-wnp.expm1(-ys))), -np.inf)

    def _logsf(self, y: Any) -> Any:
        return _select(_v(y) > 0, -y, 0.0)


class laplace_gen(_Continuous):
    """The Laplace distribution (density ``e^(-|y|) / 2``)."""

    name = "laplace"

    def _logpdf(self, y: Any) -> Any:
        return -wnp.abs(y) - _LOG2

    def _cdf(self, y: Any) -> Any:
        half = 0.5 * wnp.exp(-wnp.abs(y))
        return wnp.where(_v(y) < 0, half, 1.0 - half)

    def _sf(self, y: Any) -> Any:
        return self._cdf(-y)

    def _logcdf(self, y: Any) -> Any:
        a = wnp.abs(y)
        return wnp.where(_v(y) < 0, -a - _LOG2, wnp.log1p(-0.5 * wnp.exp(-a)))

    def _logsf(self, y: Any) -> Any:
        return self._logcdf(-y)


class logistic_gen(_Continuous):
    """The logistic distribution (cdf ``expit(y)``)."""

    name = "logistic"

    def _logpdf(self, y: Any) -> Any:
        a = wnp.abs(y)
        return -a - 2.0 * wnp.log1p(wnp.exp(-a))

    def _cdf(self, y: Any) -> Any:
        return sc.expit(y)

    def _sf(self, y: Any) -> Any:
        return sc.expit(-y)

    def _logcdf(self, y: Any) -> Any:
        return -wnp.logaddexp(0.0, -y)

    def _logsf(self, y: Any) -> Any:
        return -wnp.logaddexp(0.0, y)


class cauchy_gen(_Continuous):
    """The Cauchy distribution (density ``1 / (π (1 + y²))``)."""

    name = "cauchy"

    def _logpdf(self, y: Any) -> Any:
        return -math.log(math.pi) - wnp.log1p(y * y)

    def _cdf(self, y: Any) -> Any:
        return wnp.arctan2(1.0, -y) / math.pi  # accurate in the left tail

    def _sf(self, y: Any) -> Any:
        return wnp.arctan2(1.0, y) / math.pi


class uniform_gen(_Continuous):
    """The uniform distribution on ``[loc, loc + scale]``."""

    name = "uniform"

    def _logpdf(self, y: Any) -> Any:
        yv = _v(y)
        return _select((yv >= 0) & (yv <= 1), 0.0 * y, -np.inf)

    def _cdf(self, y: Any) -> Any:
        return wnp.clip(y, 0.0, 1.0)

    def _sf(self, y: Any) -> Any:
        return 1.0 - wnp.clip(y, 0.0, 1.0)


# -- discrete distributions -----------------------------------------------------------------
class _Discrete(_Distribution):
    """A distribution on the integers, shifted by ``loc``; ``k`` is not differentiated."""

    has_scale = False

    def _k(self, method: str, k: Any, args: tuple, kwds: dict) -> tuple:
        shapes, loc, _ = self._parse(method, args, kwds)
        # Traced (not merely batched: vmap over k is fine) k or loc would lose a derivative.
        if any(isinstance(v, Box) and batched_value(v) is not v for v in (k, loc)):
            raise NotDifferentiableError(
                f"wengert.scipy.stats.{self.name}.{method}: no derivative with respect to k "
                f"or loc (the distribution lives on the integers); pass them as constants, "
                f"or wrap them in wengert.stop_gradient")
        kk = _v(k) - _v(loc)
        return kk, shapes

    def _log_mass(self, method: str, k: Any, args: tuple, kwds: dict) -> Any:
        kk, shapes = self._k(method, k, args, kwds)
        return self._invalid_to_nan(self._logpmf(kk, *shapes), shapes, 1.0)

    def logpmf(self, k: Any, *args: Any, **kwds: Any) -> Any:
        return self._log_mass("logpmf", k, args, kwds)

    def pmf(self, k: Any, *args: Any, **kwds: Any) -> Any:
        return wnp.exp(self._log_mass("pmf", k, args, kwds))

    def cdf(self, k: Any, *args: Any, **kwds: Any) -> Any:
        kk, shapes = self._k("cdf", k, args, kwds)
        return self._invalid_to_nan(self._cdf(np.floor(kk), *shapes), shapes, 1.0)

    def sf(self, k: Any, *args: Any, **kwds: Any) -> Any:
        kk, shapes = self._k("sf", k, args, kwds)
        return self._invalid_to_nan(self._sf(np.floor(kk), *shapes), shapes, 1.0)

    def _both(self, method: str, k: Any, args: tuple, kwds: dict) -> tuple:
        kk, shapes = self._k(method, k, args, kwds)
        fk = np.floor(kk)
        return (self._invalid_to_nan(self._cdf(fk, *shapes), shapes, 1.0),
                self._invalid_to_nan(self._sf(fk, *shapes), shapes, 1.0))

    def logcdf(self, k: Any, *args: Any, **kwds: Any) -> Any:
        return _log_of(*self._both("logcdf", k, args, kwds))

    def logsf(self, k: Any, *args: Any, **kwds: Any) -> Any:
        return _log_of(*self._both("logsf", k, args, kwds)[::-1])

    def _logpmf(self, k: np.ndarray, *s: Any) -> Any:
        raise NotImplementedError

    def _cdf(self, k: np.ndarray, *s: Any) -> Any:
        raise NotImplementedError

    def _sf(self, k: np.ndarray, *s: Any) -> Any:
        raise NotImplementedError


def _is_count(k: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return (k >= 0) & (k == np.floor(k))


class poisson_gen(_Discrete):
    """The Poisson distribution with mean ``mu``."""

    name = "poisson"
    shapes = ("mu",)

    def _valid(self, mu: Any) -> Any:
        return mu >= 0

    def _logpmf(self, k: np.ndarray, mu: Any) -> Any:
        inside = _is_count(k)
        ks = np.where(inside, k, 0.0)
        mu = _safe(_v(mu) >= 0, mu, 1.0)
        out = sc.xlogy(ks, mu) - mu - sc.gammaln(ks + 1.0)
        return _select(np.broadcast_to(inside, shape(out)), out, -np.inf)

    def _cdf(self, k: np.ndarray, mu: Any) -> Any:
        inside = k >= 0
        mu = _safe(_v(mu) >= 0, mu, 1.0)
        out = sc.gammaincc(np.where(inside, k, 0.0) + 1.0, mu)
        return _select(np.broadcast_to(inside, shape(out)), out, 0.0)

    def _sf(self, k: np.ndarray, mu: Any) -> Any:
        inside = k >= 0
        mu = _safe(_v(mu) >= 0, mu, 1.0)
        out = sc.gammainc(np.where(inside, k, 0.0) + 1.0, mu)
        return _select(np.broadcast_to(inside, shape(out)), out, 1.0)


class bernoulli_gen(_Discrete):
    """The Bernoulli distribution: 1 with probability ``p``, else 0."""

    name = "bernoulli"
    shapes = ("p",)

    def _valid(self, p: Any) -> Any:
        return (p >= 0) & (p <= 1)

    def _logpmf(self, k: np.ndarray, p: Any) -> Any:
        inside = (k == 0) | (k == 1)
        ks = np.where(inside, k, 0.0)
        out = sc.xlogy(ks, p) + sc.xlog1py(1.0 - ks, -p)
        return _select(np.broadcast_to(inside, shape(out)), out, -np.inf)

    def _cdf(self, k: np.ndarray, p: Any) -> Any:
        out = wnp.where(k < 0, 0.0, wnp.where(k >= 1, 1.0, 1.0 - p))
        return out

    def _sf(self, k: np.ndarray, p: Any) -> Any:
        return wnp.where(k < 0, 1.0, wnp.where(k >= 1, 0.0, p))


class binom_gen(_Discrete):
    """The binomial distribution: successes in ``n`` trials of probability ``p``."""

    name = "binom"
    shapes = ("n", "p")

    def _valid(self, n: Any, p: Any) -> Any:
        return _is_count(n) & (p >= 0) & (p <= 1)

    def _logpmf(self, k: np.ndarray, n: Any, p: Any) -> Any:
        nv = _v(n)
        inside = _is_count(k) & (k <= nv)
        ks = np.where(inside, k, 0.0)
        out = (sc.gammaln(n + 1.0) - sc.gammaln(ks + 1.0) - sc.gammaln(n - ks + 1.0)
               + sc.xlogy(ks, p) + sc.xlog1py(n - ks, -p))
        return _select(np.broadcast_to(inside, shape(out)), out, -np.inf)

    def _cdf(self, k: np.ndarray, n: Any, p: Any) -> Any:
        nv = _v(n)
        inside = (k >= 0) & (k < nv)
        ks = np.where(inside, k, 0.0)
        out = sc.betainc(_safe(inside, n - ks, 1.0), ks + 1.0, 1.0 - p)
        outside = np.where(k < 0, 0.0, 1.0)
        return _select(np.broadcast_to(inside, shape(out)), out, outside)

    def _sf(self, k: np.ndarray, n: Any, p: Any) -> Any:
        nv = _v(n)
        inside = (k >= 0) & (k < nv)
        ks = np.where(inside, k, 0.0)
        out = sc.betainc(ks + 1.0, _safe(inside, n - ks, 1.0), p)
        outside = np.where(k < 0, 1.0, 0.0)
        return _select(np.broadcast_to(inside, shape(out)), out, outside)


norm = norm_gen()
t = t_gen()
gamma = gamma_gen()
chi2 = chi2_gen()
beta = beta_gen()
expon = expon_gen()
laplace = laplace_gen()
logistic = logistic_gen()
cauchy = cauchy_gen()
uniform = uniform_gen()
poisson = poisson_gen()
bernoulli = bernoulli_gen()
binom = binom_gen()

from ._multivariate import dirichlet, multivariate_normal  # noqa: E402
