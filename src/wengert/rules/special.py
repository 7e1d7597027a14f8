"""Special functions (``scipy.special``) as elementwise primitives.

Values come from SciPy when it is importable and otherwise from the NumPy and
``math`` code below, accurate to a few ulps in float64 (the test suite checks
both against SciPy).  Derivatives are written with primitives, so they can be
differentiated again: ``gammaln' = ψ``, ``ψ^(n)' = ψ^(n+1)`` (one ``polygamma``
primitive serves every order), ``erf' = 2/√π·e^{-x²}`` ...
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from . import elementwise as ew
from ._util import broadcast_tangent, defprim, unbroadcast

try:  # optional: faster, same values
    import scipy.special as _sp
except ImportError:  # pragma: no cover - depends on the environment
    _sp = None

Deriv = Callable[..., Any]

_2_SQRTPI = 2.0 / math.sqrt(math.pi)
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
_EULER = 0.57721566490153286061
# B_2, B_4, ..., B_22: the Bernoulli numbers of the asymptotic series below.
_BERNOULLI = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
              43867 / 798, -174611 / 330, 854513 / 138]


# -- NumPy implementations ------------------------------------------------------------------
def _float(x: Any) -> np.ndarray:
    x = np.asarray(x)
    if x.dtype.kind == "c":
        raise TypeError("wengert.special: complex arguments are not supported")
    return x.astype(np.float64)


def _like(x: Any, out: np.ndarray) -> Any:
    """``out`` in the precision SciPy would return for ``x`` (float32 stays float32)."""
    dt = x if isinstance(x, np.dtype) else np.asarray(x).dtype
    out = out.astype(dt if dt in (np.float16, np.float32) else np.float64)
    return out[()] if out.ndim == 0 else out


def _vectorize(fn: Callable[[float], float]) -> Callable[[np.ndarray], np.ndarray]:
    """A scalar function applied to every entry of a float64 array."""
    ufunc = np.frompyfunc(fn, 1, 1)
    return lambda v: np.asarray(ufunc(v), dtype=np.float64)


_erf, _erfc = _vectorize(math.erf), _vectorize(math.erfc)


def _math(fn: Callable[[float], float]) -> Callable[[Any], Any]:
    """A scalar ``math`` function as a NumPy implementation."""
    vec = _vectorize(fn)
    return lambda x: _like(x, vec(_float(x)))


def _zeta_minus_one(k: int) -> float:
    """``ζ(k) - 1`` for an integer ``k >= 2``, by Euler–Maclaurin summation."""
    n, f = 16, math.factorial
    head = math.fsum(j ** -k for j in range(2, n))
    tail = n ** (1 - k) / (k - 1) + 0.5 * n ** -k
    rising = [math.prod(range(k, k + 2 * m + 1)) for m in range(6)]  # k(k+1)...(k+2m)
    corr = math.fsum(b / f(2 * m + 2) * rising[m] * n ** (-k - 2 * m - 1)
                     for m, b in enumerate(_BERNOULLI[:6]))
    return head + tail + corr


# log Γ(2 + z) = z·Σ_k c_k z^k with c_0 = 1 - γ, c_k = (-1)^(k+1) (ζ(k+1) - 1)/(k+1), |z| <= 1/2.
_LGAMMA2 = [1.0 - _EULER] + [(-1) ** k * _zeta_minus_one(k) / k for k in range(2, 32)]


def _lgamma(v: float) -> float:
    if v == -math.inf:
        return -math.inf  # SciPy's convention
    try:
        return math.lgamma(v)
    except ValueError:  # a pole
        return math.inf


def _gammaln_np(x: Any) -> Any:
    v = _float(x)
    out = _vectorize(_lgamma)(v)
    # Near its zeros at 1 and 2 math.lgamma is only absolutely exact: use the series there.
    near = (v >= 0.5) & (v <= 2.5)
    w = v[near]
    z = np.where(w >= 1.5, w - 2.0, w - 1.0)
    series = z * np.polynomial.polynomial.polyval(z, _LGAMMA2)
    out[near] = np.where(w >= 1.5, series, series - np.log(w))  # log Γ(w) = log Γ(w+1) - log w
    return _like(x, out)


def _gamma(v: float) -> float:
    try:
        return math.gamma(v)
    except ValueError:  # 0 (signed infinity), negative integers and -inf (nan)
        return math.copysign(math.inf, v) if v == 0 else math.nan
    except OverflowError:
        return math.inf


def _digamma_asymptotic(y: np.ndarray) -> np.ndarray:
    z = 1.0 / (y * y)
    series = sum(b / (2 * k + 2) * z ** (k + 1) for k, b in enumerate(_BERNOULLI[:8]))
    return np.log(y) - 0.5 / y - series


def _polygamma_asymptotic(n: int, y: np.ndarray) -> np.ndarray:
    """``(-1)^(n+1) ψ^(n)(y)`` for large ``y``, ``n >= 1``."""
    f = math.factorial
    z = 1.0 / (y * y)
    series = sum(b * f(2 * k + 1 + n) / f(2 * k + 2) * z ** (k + 1)
                 for k, b in enumerate(_BERNOULLI[:10]))
    return y ** -n * (f(n - 1) + f(n) / (2 * y) + series)


def _polygamma_positive(n: int, y: np.ndarray) -> np.ndarray:
    """``ψ^(n)(y)`` for ``y > 0``: recur upwards until the asymptotic series is exact."""
    y = y.copy()
    acc = np.zeros_like(y)
    limit = 10.0 if n == 0 else 15.0 + n
    while True:
        small = y < limit
        if not small.any():
            break
        acc += np.where(small, y ** -(n + 1.0), 0.0)
        y = np.where(small, y + 1.0, y)
    if n == 0:  # ψ(y) = ψ(y+1) - 1/y
        return _digamma_asymptotic(y) - acc
    # (-1)^(n+1) ψ^(n)(y) = (-1)^(n+1) ψ^(n)(y+1) + n!/y^(n+1)
    return (-1.0) ** (n + 1) * (_polygamma_asymptotic(n, y) + math.factorial(n) * acc)


def _cot_derivative(n: int, c: np.ndarray) -> np.ndarray:
    """``d^n cot(u)/du^n`` as a polynomial in ``c = cot(u)`` (``cot' = -(1 + cot²)``)."""
    P = np.polynomial.polynomial
    q = np.array([0.0, 1.0])
    for _ in range(n):
        q = -P.polymul([1.0, 0.0, 1.0], P.polyder(q))
    return P.polyval(c, q)


def _cot_pi(v: np.ndarray) -> np.ndarray:
    """``cot(πv)`` to full relative precision (exactly 0 at half-integers)."""
    r = v - np.round(v)  # exact, in [-1/2, 1/2]
    a = np.abs(r)
    return np.where(a < 0.25, 1.0 / np.tan(np.pi * r), np.sign(r) * np.tan(np.pi * (0.5 - a)))


def _polygamma_np(x: Any, n: int) -> Any:
    v = _float(x)
    with np.errstate(all="ignore"):
        neg = v < 0
        c = np.where(neg, _cot_pi(v), 0.0)
        out = _polygamma_positive(n, np.where(neg, 1.0 - v, v))
        # Reflection: (-1)^n ψ^(n)(1-x) - ψ^(n)(x) = π^(n+1) d^n cot(u)/du^n at u = πx.
        refl = (-1.0) ** n * out - math.pi ** (n + 1) * _cot_derivative(n, c)
        out = np.where(neg, refl, out)
        pole = (v <= 0) & (v == np.round(v))
        if n == 0:
            out = np.where(pole, np.where(v == 0, -1.0 / v, np.nan), out)
        else:
            out = np.where(pole | (v == -np.inf), (-1.0) ** (n + 1) * np.inf, out)
    return _like(x, out)


def _erfinv_np(x: Any) -> Any:
    v = _float(x)
    a = np.abs(v)
    with np.errstate(all="ignore"):
        q = 1.0 - a  # exact for a >= 0.5, where the tail is solved through erfc
        # Winitzki's approximation as a start, then Halley steps on erf(y) = a or
        # erfc(y) = q: both have f''/f' = -2y, so one update serves.
        log_1mx2 = np.log(q * (1.0 + a))
        t = 2.0 / (np.pi * 0.147) + 0.5 * log_1mx2
        y = np.sqrt(np.sqrt(t * t - log_1mx2 / 0.147) - t)
        tail = a > 0.5
        for _ in range(4):
            f = np.where(tail, q - _erfc(y), _erf(y) - a)
            step = f / (_2_SQRTPI * np.exp(-y * y))
            y = y - step / (1.0 + y * step)
        y = np.where(a == 1.0, np.inf, np.where(a > 1.0, np.nan, y))
        out = np.copysign(y, v)
    return _like(x, out)


def _expit_np(x: Any) -> Any:
    v = _float(x)
    z = np.exp(-np.abs(v))  # never overflows
    return _like(x, np.where(v >= 0, 1.0 / (1.0 + z), z / (1.0 + z)))


def _logit_np(x: Any) -> Any:
    v = _float(x)
    with np.errstate(all="ignore"):
        return _like(x, np.log(v) - np.log1p(-v))


def _entr_np(x: Any) -> Any:
    v = _float(x)
    with np.errstate(all="ignore"):
        out = np.where(v > 0, -v * np.log(v), np.where(v == 0, 0.0, -np.inf))
    return _like(x, np.where(np.isnan(v), np.nan, out))


def _log_ndtr_np(x: Any) -> Any:
    v = _float(x)
    s = v * math.sqrt(0.5)
    with np.errstate(all="ignore"):
        upper = np.log1p(-0.5 * _erfc(s))  # Φ near 1
        lower = np.log(0.5 * _erfc(-s))
        # Deep left tail, where Φ underflows: Φ(x) ≈ φ(x)/(-x)·Σ (-1)^k (2k-1)!!/x^(2k).
        z = 1.0 / (v * v)
        series, term = np.ones_like(v), np.ones_like(v)
        for k in range(1, 12):
            term = -term * (2 * k - 1) * z
            series = series + term
        tail = -0.5 * v * v - np.log(-v) - _HALF_LOG_2PI + np.log(series)
    out = np.where(v > 0, upper, np.where(v > -20.0, lower, tail))
    return _like(x, out)


def _binary_np(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Callable[..., Any]:
    def impl(x: Any, y: Any) -> Any:
        a, b = _float(x), _float(y)
        with np.errstate(all="ignore"):
            out = np.where((a == 0) & ~np.isnan(b), 0.0, fn(a, b))
        return _like(np.result_type(x, y), np.asarray(out))
    return impl


NUMPY_IMPLS: dict[str, Callable[..., Any]] = {
    "erf": _math(math.erf), "erfc": _math(math.erfc), "erfinv": _erfinv_np,
    "gammaln": _gammaln_np, "gamma": _math(_gamma), "polygamma": _polygamma_np,
    "expit": _expit_np, "logit": _logit_np, "entr": _entr_np, "log_ndtr": _log_ndtr_np,
    "xlogy": _binary_np(lambda a, b: a * np.log(b)),
    "xlog1py": _binary_np(lambda a, b: a * np.log1p(b)),
}


def _impl(name: str) -> Callable[..., Any]:
    """SciPy's function when SciPy is importable, else NumPy's (looked up at call time)."""
    fallback = NUMPY_IMPLS[name]

    def impl(*args: Any, **params: Any) -> Any:
        if _sp is None:
            return fallback(*args, **params)
        if name == "polygamma":
            return _sp.polygamma(params["n"], *args)
        return getattr(_sp, name)(*args)

    impl.__name__ = name
    return impl


# -- primitives -----------------------------------------------------------------------------
def _unary(name: str, deriv: Deriv, *, keep_args: bool = True, keep_ans: bool = True) -> Any:
    """An elementwise primitive with ``d ans/dx = deriv(ans, x, **params)``."""
    p = defprim(f"special.{name}", _impl(name), keep_args=keep_args, keep_ans=keep_ans)
    p.defjvp(lambda t, ans, x, **kw: t * deriv(ans, x, **kw))
    p.defvjp(lambda g, ans, x, **kw: g * deriv(ans, x, **kw))
    return p


def _binary(name: str, dx: Deriv, dy: Deriv) -> Any:
    p = defprim(f"special.{name}", _impl(name), keep_ans=False)
    p.defjvp(lambda t, ans, x, y: broadcast_tangent(t * dx(x, y), ans),
             lambda t, ans, x, y: broadcast_tangent(t * dy(x, y), ans))
    p.defvjp(lambda g, ans, x, y: unbroadcast(g * dx(x, y), x),
             lambda g, ans, x, y: unbroadcast(g * dy(x, y), y))
    return p


erf = _unary("erf", lambda ans, x: _2_SQRTPI * ew.exp(-(x * x)), keep_ans=False)
erfc = _unary("erfc", lambda ans, x: -_2_SQRTPI * ew.exp(-(x * x)), keep_ans=False)
erfinv = _unary("erfinv", lambda ans, x: ew.exp(ans * ans) / _2_SQRTPI, keep_args=False)
polygamma = _unary("polygamma", lambda ans, x, n: polygamma(x, n=n + 1), keep_ans=False)
gammaln = _unary("gammaln", lambda ans, x: polygamma(x, n=0), keep_ans=False)
gamma = _unary("gamma", lambda ans, x: ans * polygamma(x, n=0))
expit = _unary("expit", lambda ans, x: ans * (1.0 - ans), keep_args=False)
logit = _unary("logit", lambda ans, x: 1.0 / (x * (1.0 - x)), keep_ans=False)
entr = _unary("entr", lambda ans, x: -(ew.log(x) + 1.0), keep_ans=False)
log_ndtr = _unary("log_ndtr", lambda ans, x: ew.exp(-0.5 * x * x - ans - _HALF_LOG_2PI))
# As in JAX: d/dx x·log(y) = log(y) even at x = 0.
xlogy = _binary("xlogy", lambda x, y: ew.log(y), lambda x, y: x / y)
xlog1py = _binary("xlog1py", lambda x, y: ew.log1p(y), lambda x, y: x / (1.0 + y))

# The rectifier, a primitive of its own: one node instead of a comparison and a
# product, and a boolean mask keeps the adjoint's dtype. Its derivative at 0 is
# 0, as in PyTorch and jax.nn.relu.
relu = defprim("relu", lambda x: np.maximum(x, 0), keep_args=False)
relu.defjvp(lambda t, ans, x: t * (ans > 0))
relu.defvjp(lambda g, ans, x: g * (ans > 0))


# -- functions that need SciPy (no NumPy fallback) ------------------------------------------
def _scipy(name: str, *, order: bool = False) -> Callable[..., Any]:
    """SciPy's ``name``; ``order=True`` for ``f(v, x)`` with the order ``v`` a parameter."""
    def impl(*args: Any, **params: Any) -> Any:
        if _sp is None:
            raise ImportError(f"wengert.special.{name} needs SciPy: pip install scipy "
                              f"(or wengert[all])")
        fn = getattr(_sp, name)
        return fn(params["v"], *args) if order else fn(*args)
    impl.__name__ = name
    return impl


def _bessel(name: str, deriv: Deriv, *, keep_ans: bool = False) -> Any:
    """A Bessel function ``f(v, x)`` of order ``v`` (a parameter), differentiable in x."""
    p = defprim(f"special.{name}", _scipy(name, order=True), keep_ans=keep_ans)
    p.defjvp(lambda t, ans, x, v: t * deriv(ans, x, v))
    p.defvjp(lambda g, ans, x, v: g * deriv(ans, x, v))
    return p


# d/dx of J_v, Y_v, I_v: the recurrences (C_{v-1} ∓ C_{v+1})/2; e^{-|x|}I_v adds -sign(x)·itself.
jv = _bessel("jv", lambda ans, x, v: 0.5 * (jv(x, v=v - 1) - jv(x, v=v + 1)))
yv = _bessel("yv", lambda ans, x, v: 0.5 * (yv(x, v=v - 1) - yv(x, v=v + 1)))
iv = _bessel("iv", lambda ans, x, v: 0.5 * (iv(x, v=v - 1) + iv(x, v=v + 1)))
ive = _bessel("ive", lambda ans, x, v: 0.5 * (ive(x, v=v - 1) + ive(x, v=v + 1))
              - ew.sign(x) * ans, keep_ans=True)


def _lower_gamma_density(a: Any, x: Any) -> Any:
    # d/dx P(a, x) = x^(a-1) e^(-x) / Γ(a)
    return ew.exp((a - 1.0) * ew.log(x) - x - gammaln(a))


# P(a, x) and Q(a, x): derivatives in x only (as in autograd and JAX).
gammainc = defprim("special.gammainc", _scipy("gammainc"), keep_ans=False)
gammainc.defjvp(None, lambda t, ans, a, x: broadcast_tangent(t * _lower_gamma_density(a, x), ans))
gammainc.defvjp(None, lambda g, ans, a, x: unbroadcast(g * _lower_gamma_density(a, x), x))
gammaincc = defprim("special.gammaincc", _scipy("gammaincc"), keep_ans=False)
gammaincc.defjvp(None,
                 lambda t, ans, a, x: broadcast_tangent(-t * _lower_gamma_density(a, x), ans))
gammaincc.defvjp(None, lambda g, ans, a, x: unbroadcast(-g * _lower_gamma_density(a, x), x))

# B(a, b) = Γ(a)Γ(b)/Γ(a+b): ∂/∂a = B·(ψ(a) - ψ(a+b)).
beta = defprim("special.beta", _scipy("beta"))
beta.defjvp(
    lambda t, ans, a, b: broadcast_tangent(
        t * ans * (polygamma(a, n=0) - polygamma(ew.add(a, b), n=0)), ans),
    lambda t, ans, a, b: broadcast_tangent(
        t * ans * (polygamma(b, n=0) - polygamma(ew.add(a, b), n=0)), ans))
beta.defvjp(
    lambda g, ans, a, b: unbroadcast(
        g * ans * (polygamma(a, n=0) - polygamma(ew.add(a, b), n=0)), a),
    lambda g, ans, a, b: unbroadcast(
        g * ans * (polygamma(b, n=0) - polygamma(ew.add(a, b), n=0)), b))


def _beta_density(a: Any, b: Any, x: Any) -> Any:
    # d/dx I_x(a, b) = x^(a-1) (1-x)^(b-1) / B(a, b)
    betaln = gammaln(a) + gammaln(b) - gammaln(ew.add(a, b))
    return ew.exp((a - 1.0) * ew.log(x) + (b - 1.0) * ew.log1p(-x) - betaln)


betainc = defprim("special.betainc", _scipy("betainc"), keep_ans=False)
betainc.defjvp(None, None,
               lambda t, ans, a, b, x: broadcast_tangent(t * _beta_density(a, b, x), ans))
betainc.defvjp(None, None,
               lambda g, ans, a, b, x: unbroadcast(g * _beta_density(a, b, x), x))

rgamma = defprim("special.rgamma", _scipy("rgamma"))
rgamma.defjvp(lambda t, ans, x: -t * ans * polygamma(x, n=0))
rgamma.defvjp(lambda g, ans, x: -g * ans * polygamma(x, n=0))


# -- batching (vmap): every special function acts entry by entry ----------------------------
def _batch_special() -> None:
    from ._util import _registry, elementwise_batch
    for name, p in _registry.items():
        if (name.startswith("special.") or name == "relu") and p.batch is None:
            p.defbatch(elementwise_batch(p))


_batch_special()
