"""Special functions (``scipy.special``) as elementwise primitives.

Values come from SciPy when it is importable and otherwise from the NumPy and
``math`` code below, accurate to a few ulps in float64 (the test suite checks
both against SciPy).  SciPy is imported on the first call that needs it
(:func:`scipy_special`), never when wengert is imported.  Derivatives are written
with primitives, so they can be differentiated again: ``gammaln' = ψ``,
``ψ^(n)' = ψ^(n+1)`` (one ``polygamma`` primitive serves every order),
``erf' = 2/√π·e^{-x²}`` ...; likewise ``gammainc_da`` (``∂^k P/∂a^k``) and
``betainc_d`` (``∂^i_a ∂^j_b I_x``) give the incomplete gamma and beta functions'
derivatives in their shape parameters to any order.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from . import elementwise as ew
from ._util import broadcast_tangent, defprim, unbroadcast

# scipy.special, imported on first use (it costs more than NumPy itself to import):
# _UNLOADED until then, None without SciPy.  Tests set _sp to None to try the fallbacks.
_UNLOADED: Any = object()
_sp: Any = _UNLOADED


def scipy_special() -> Any:
    """``scipy.special`` (imported once, on first call), or None when SciPy is missing."""
    global _sp
    if _sp is _UNLOADED:
        try:
            import scipy.special as sp
        except ImportError:  # pragma: no cover - depends on the environment
            sp = None
        _sp = sp
    return _sp

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
        sp = scipy_special()
        if sp is None:
            return fallback(*args, **params)
        if name == "polygamma":
            return sp.polygamma(params["n"], *args)
        return getattr(sp, name)(*args)

    impl.__name__ = name
    return impl


# -- primitives -----------------------------------------------------------------------------
def _unary(name: str, deriv: Deriv, *, keep_args: bool = True, keep_ans: bool = True) -> Any:
    """An elementwise primitive with ``d ans/dx = deriv(ans, x, **params)``."""
    p = defprim(f"special.{name}", _impl(name), keep_args=keep_args, keep_ans=keep_ans,
                elementwise=True)
    p.defjvp(lambda t, ans, x, **kw: t * deriv(ans, x, **kw))
    p.defvjp(lambda g, ans, x, **kw: g * deriv(ans, x, **kw))
    return p


def _binary(name: str, dx: Deriv, dy: Deriv) -> Any:
    p = defprim(f"special.{name}", _impl(name), keep_ans=False, elementwise=True)
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
relu = defprim("relu", lambda x: np.maximum(x, 0), keep_args=False, elementwise=True)
relu.defjvp(lambda t, ans, x: t * (ans > 0))
relu.defvjp(lambda g, ans, x: g * (ans > 0))


# -- functions that need SciPy (no NumPy fallback) ------------------------------------------
_ORDER_FUNCTIONS = {(f"{c}v", float(n)): f"{c}{n}" for c in "jyi" for n in (0, 1)}


def _scipy(name: str, *, order: bool = False) -> Callable[..., Any]:
    """SciPy's ``name``; ``order=True`` for ``f(v, x)`` with the order ``v`` a parameter."""
    def impl(*args: Any, **params: Any) -> Any:
        sp = scipy_special()
        if sp is None:
            raise ImportError(f"wengert.special.{name} needs SciPy: pip install wengert[scipy]"
                              f" (or pip install scipy)")
        if not order:
            return getattr(sp, name)(*args)
        v = params["v"]
        special = _ORDER_FUNCTIONS.get((name, v))  # SciPy's own j0, y1 ... for these orders
        if special is not None:
            return getattr(sp, special)(*args)
        if name == "yv" and float(v).is_integer():
            return sp.yn(int(v), *args)
        return getattr(sp, name)(v, *args)
    impl.__name__ = name
    return impl


def _bessel(name: str, deriv: Deriv, *, keep_ans: bool = False) -> Any:
    """A Bessel function ``f(v, x)`` of order ``v`` (a parameter), differentiable in x."""
    p = defprim(f"special.{name}", _scipy(name, order=True), keep_ans=keep_ans,
                elementwise=True)
    p.defjvp(lambda t, ans, x, v: t * deriv(ans, x, v))
    p.defvjp(lambda g, ans, x, v: g * deriv(ans, x, v))
    return p


# d/dx of J_v, Y_v, I_v: the recurrences (C_{v-1} ∓ C_{v+1})/2; e^{-|x|}I_v adds -sign(x)·itself.
jv = _bessel("jv", lambda ans, x, v: 0.5 * (jv(x, v=v - 1) - jv(x, v=v + 1)))
yv = _bessel("yv", lambda ans, x, v: 0.5 * (yv(x, v=v - 1) - yv(x, v=v + 1)))
iv = _bessel("iv", lambda ans, x, v: 0.5 * (iv(x, v=v - 1) + iv(x, v=v + 1)))
ive = _bessel("ive", lambda ans, x, v: 0.5 * (ive(x, v=v - 1) + ive(x, v=v + 1))
              - ew.sign(x) * ans, keep_ans=True)
kv = _bessel("kv", lambda ans, x, v: -0.5 * (kv(x, v=v - 1) + kv(x, v=v + 1)))


def _lower_gamma_density(a: Any, x: Any) -> Any:
    # d/dx P(a, x) = x^(a-1) e^(-x) / Γ(a)
    return ew.exp((a - 1.0) * ew.log(x) - x - gammaln(a))


def bell(g: list, k: int) -> Any:
    """The complete Bell polynomial ``B_k(g[1], ..., g[k])`` (``g[0]`` unused):
    ``(e^f)^(k) = e^f · B_k(f', f'', ..., f^(k))``.  Plain arrays or traced values."""
    b: list[Any] = [1.0]
    for m in range(k):
        b.append(sum(math.comb(m, i) * b[m - i] * g[i + 1] for i in range(m + 1)))
    return b[k]


def _gammainc_da_np(a: Any, x: Any, k: int) -> Any:
    """``∂^k P(a, x) / ∂a^k``: below ``x = a + 1`` from P's series, above from Q's
    continued fraction (``∂^k P = -∂^k Q``), each where it converges fast and keeps
    relative accuracy (Q's tail included)."""
    av, xv = np.broadcast_arrays(_float(a), _float(x))
    out = np.zeros(av.shape)
    out[np.isnan(av) | np.isnan(xv)] = np.nan
    ok = (xv > 0) & (av > 0) & np.isfinite(xv) & np.isfinite(av)
    upper = ok & (xv > av + 1.0)
    lower = ok & ~upper
    if lower.any():
        out[lower] = _gammainc_da_series(av[lower], xv[lower], k)
    if upper.any():
        out[upper] = -math.factorial(k) * _gammaincc_jet(av[upper], xv[upper], k)[k]
    return _like(np.result_type(a, x), out)


def _gammainc_da_series(a: np.ndarray, x: np.ndarray, k: int) -> np.ndarray:
    """``Σ_n ∂^k t_n`` for ``P = Σ_n t_n``, ``t_n = x^(a+n) e^(-x) / Γ(a+n+1)``: each term's
    derivative is ``t_n · B_k(g_n', ...)`` with ``g_n = log t_n``, so
    ``g_n' = log x - ψ(a+n+1)`` and ``g_n^(j) = -ψ^(j-1)(a+n+1)``."""
    logx = np.log(x)
    psis = [_polygamma_at(a + 1.0, j) for j in range(k)]  # ψ^(j)(a+n+1), j < k
    logt = a * logx - x - _impl("gammaln")(a + 1.0)
    total, size = np.zeros_like(a), np.zeros_like(a)
    for n in range(1_000_000):  # terms grow until n ≈ x - a, then fall like a Poisson tail
        term = np.exp(logt) * bell([None, logx - psis[0], *[-p for p in psis[1:]]], k)
        total += term
        size += np.abs(term)
        m = a + (n + 1.0)
        if np.all((m > x) & (np.abs(term) <= 1e-17 * size)):
            break
        for j in range(k):  # ψ^(j)(m+1) = ψ^(j)(m) + (-1)^j j!/m^(j+1)
            psis[j] = psis[j] + (-1.0) ** j * math.factorial(j) / m ** (j + 1)
        logt = logt + logx - np.log(m)
    return total


# Truncated Taylor series in a ("jets": lists of coefficients of ε^0 ... ε^k), to carry
# a's derivatives through the continued fraction exactly.
def _jmul(f: list, g: list) -> list:
    return [sum(f[j] * g[m - j] for j in range(m + 1)) for m in range(len(f))]


def _jinv(d: list) -> list:
    e = [1.0 / d[0]]
    for m in range(1, len(d)):
        e.append(-sum(d[j] * e[m - j] for j in range(1, m + 1)) / d[0])
    return e


def _jexp(f: list) -> list:
    e = [np.exp(f[0])]
    for m in range(1, len(f)):
        e.append(sum(j * f[j] * e[m - j] for j in range(1, m + 1)) / m)
    return e


def _gammaincc_jet(a: np.ndarray, x: np.ndarray, k: int) -> list:
    """The Taylor coefficients in ``a`` of ``Q(a, x)`` for ``x > a + 1``: Legendre's
    continued fraction by Lentz's method, run on jets (``∂^k Q = k!·jet[k]``)."""
    zero = np.zeros_like(a)

    def affine(v: np.ndarray, slope: float) -> list:  # v + slope·ε
        return [v, np.full_like(a, slope)] + [zero] * (k - 1)

    b = affine(x + 1.0 - a, -1.0)
    c = [np.full_like(a, 1e300)] + [zero] * k
    d = _jinv(b)
    h = d
    for i in range(1, 1_000_000):
        an = affine(-i * (i - a), float(i))
        b = [b[0] + 2.0, *b[1:]]
        d = _jinv([p + q for p, q in zip(_jmul(an, d), b, strict=True)])
        c = [p + q for p, q in zip(b, _jmul(an, _jinv(c)), strict=True)]
        delta = _jmul(d, c)
        h = _jmul(h, delta)
        if np.all(np.abs(delta[0] - 1.0) <= 1e-16) and all(
                np.all(np.abs(t) <= 1e-16 * np.abs(delta[0])) for t in delta[1:]):
            break
    # Q = exp(-x + a log x - log Γ(a)) · h; the exponent's jet has ψ's as coefficients.
    logx = np.log(x)
    expo = [-x + a * logx - _impl("gammaln")(a), logx - _polygamma_at(a, 0)]
    expo += [-_polygamma_at(a, j - 1) / math.factorial(j) for j in range(2, k + 1)]
    return _jmul(_jexp(expo[:k + 1]), h)


def _polygamma_at(v: np.ndarray, n: int) -> np.ndarray:
    return np.asarray(_impl("polygamma")(v, n=n), dtype=np.float64)


def _density_da(a: Any, x: Any, k: int) -> Any:
    """``∂^k/∂a^k`` of ``∂P/∂x = e^h``, ``h = (a-1) log x - x - log Γ(a)``, with primitives."""
    d = _lower_gamma_density(a, x)
    if k == 0:
        return d
    g = [None, ew.log(x) - polygamma(a, n=0), *[-polygamma(a, n=j) for j in range(1, k)]]
    return d * bell(g, k)


# ∂^k P/∂a^k (k >= 1): one primitive for every order; its a-derivative is order k + 1.
gammainc_da = defprim("special.gammainc_da", _gammainc_da_np, keep_ans=False, elementwise=True)
gammainc_da.defjvp(
    lambda t, ans, a, x, k: broadcast_tangent(t * gammainc_da(a, x, k=k + 1), ans),
    lambda t, ans, a, x, k: broadcast_tangent(t * _density_da(a, x, k), ans))
gammainc_da.defvjp(
    lambda g, ans, a, x, k: unbroadcast(g * gammainc_da(a, x, k=k + 1), a),
    lambda g, ans, a, x, k: unbroadcast(g * _density_da(a, x, k), x))

# P(a, x) and Q(a, x) = 1 - P: in x the density, in a the series above.
gammainc = defprim("special.gammainc", _scipy("gammainc"), keep_ans=False, elementwise=True)
gammainc.defjvp(lambda t, ans, a, x: broadcast_tangent(t * gammainc_da(a, x, k=1), ans),
                lambda t, ans, a, x: broadcast_tangent(t * _lower_gamma_density(a, x), ans))
gammainc.defvjp(lambda g, ans, a, x: unbroadcast(g * gammainc_da(a, x, k=1), a),
                lambda g, ans, a, x: unbroadcast(g * _lower_gamma_density(a, x), x))
gammaincc = defprim("special.gammaincc", _scipy("gammaincc"), keep_ans=False, elementwise=True)
gammaincc.defjvp(lambda t, ans, a, x: broadcast_tangent(-t * gammainc_da(a, x, k=1), ans),
                 lambda t, ans, a, x: broadcast_tangent(-t * _lower_gamma_density(a, x), ans))
gammaincc.defvjp(lambda g, ans, a, x: unbroadcast(-g * gammainc_da(a, x, k=1), a),
                 lambda g, ans, a, x: unbroadcast(-g * _lower_gamma_density(a, x), x))

# B(a, b) = Γ(a)Γ(b)/Γ(a+b): ∂/∂a = B·(ψ(a) - ψ(a+b)).
beta = defprim("special.beta", _scipy("beta"), elementwise=True)
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


def bell2(h: Callable[[int, int], Any], i: int, j: int) -> Any:
    """``∂^i_a ∂^j_b e^f / e^f`` from ``h(p, q) = ∂^p_a ∂^q_b f`` (``p + q >= 1``), by
    Leibniz's rule on ``∂_a e^f = f_a e^f`` (and ``∂_b`` while ``i = 0``)."""
    y: dict[tuple[int, int], Any] = {(0, 0): 1.0}
    for q in range(j):  # ∂_b raises j along i = 0
        y[0, q + 1] = sum(math.comb(q, r) * h(0, r + 1) * y[0, q - r] for r in range(q + 1))
    for jj in range(j + 1):
        for p in range(i):
            y[p + 1, jj] = sum(math.comb(p, u) * math.comb(jj, w) * h(u + 1, w) * y[p - u, jj - w]
                               for u in range(p + 1) for w in range(jj + 1))
    return y[i, j]


def _betainc_d_series(a: np.ndarray, b: np.ndarray, x: np.ndarray, i: int, j: int) -> Any:
    """``∂^i_a ∂^j_b I_x(a, b)`` from ``I = Σ_n t_n``,
    ``t_n = x^(a+n) (1-x)^b Γ(a+b+n) / (Γ(a+n+1) Γ(b))``, each term's derivative
    ``t_n · bell2(g_n)`` with ``g_n = log t_n``; for ``x`` below ``(a+1)/(a+b+2)``."""
    logx, log1mx = np.log(x), np.log1p(-x)
    r = max(i + j, 1)
    pab = [_polygamma_at(a + b, m) for m in range(r)]  # ψ^(m)(a+b+n)
    pa1 = [_polygamma_at(a + 1.0, m) for m in range(r)]  # ψ^(m)(a+n+1)
    pb = [_polygamma_at(b, m) for m in range(r)]
    gl = _impl("gammaln")
    logt = a * logx + b * log1mx + gl(a + b) - gl(a + 1.0) - gl(b)
    total, size = np.zeros_like(a), np.zeros_like(a)
    for n in range(1_000_000):
        def g(p: int, q: int) -> Any:
            if p + q == 1:
                return (logx - pa1[0] if p else log1mx - pb[0]) + pab[0]
            return pab[p + q - 1] - (pa1[p - 1] if q == 0 else 0.0) - (pb[q - 1] if p == 0 else 0.0)
        term = np.exp(logt) * bell2(g, i, j)
        total += term
        size += np.abs(term)
        if np.all((x * (a + b + n) < a + n + 1.0) & (np.abs(term) <= 1e-17 * size)):
            break
        for m in range(r):
            c = (-1.0) ** m * math.factorial(m)
            pab[m] = pab[m] + c / (a + b + n) ** (m + 1)
            pa1[m] = pa1[m] + c / (a + n + 1.0) ** (m + 1)
        logt = logt + logx + np.log(a + b + n) - np.log(a + n + 1.0)
    return total


def _betainc_d_np(a: Any, b: Any, x: Any, i: int, j: int) -> Any:
    """``∂^i_a ∂^j_b I_x(a, b)`` for ``i + j >= 1``; above ``(a+1)/(a+b+2)`` through
    ``I_x(a, b) = 1 - I_{1-x}(b, a)``, so the series always sums the smaller tail (its
    relative accuracy measured against mpmath: 1e-15 to 1e-13)."""
    av, bv, xv = np.broadcast_arrays(_float(a), _float(b), _float(x))
    out = np.zeros(av.shape)
    out[np.isnan(av) | np.isnan(bv) | np.isnan(xv)] = np.nan
    ok = (av > 0) & (bv > 0) & (xv > 0) & (xv < 1) & np.isfinite(av) & np.isfinite(bv)
    flip = ok & (xv > (av + 1.0) / (av + bv + 2.0))
    low = ok & ~flip
    if low.any():
        out[low] = _betainc_d_series(av[low], bv[low], xv[low], i, j)
    if flip.any():
        out[flip] = -_betainc_d_series(bv[flip], av[flip], 1.0 - xv[flip], j, i)
    return _like(np.result_type(a, b, x), out)


def _beta_density_d(a: Any, b: Any, x: Any, i: int, j: int) -> Any:
    """``∂^i_a ∂^j_b`` of ``∂I/∂x = e^h``, ``h = (a-1) log x + (b-1) log(1-x) - log B(a, b)``."""
    d = _beta_density(a, b, x)
    if i == j == 0:
        return d
    ab = ew.add(a, b)

    def h(p: int, q: int) -> Any:
        if p + q == 1:
            return (ew.log(x) - polygamma(a, n=0) if p else ew.log1p(-x) - polygamma(b, n=0)) \
                + polygamma(ab, n=0)
        out = polygamma(ab, n=p + q - 1)
        if q == 0:
            out = out - polygamma(a, n=p - 1)
        if p == 0:
            out = out - polygamma(b, n=q - 1)
        return out
    return d * bell2(h, i, j)


# ∂^i_a ∂^j_b I_x(a, b) (i + j >= 1): one primitive for every order.
betainc_d = defprim("special.betainc_d", _betainc_d_np, keep_ans=False, elementwise=True)
betainc_d.defjvp(
    lambda t, ans, a, b, x, i, j: broadcast_tangent(t * betainc_d(a, b, x, i=i + 1, j=j), ans),
    lambda t, ans, a, b, x, i, j: broadcast_tangent(t * betainc_d(a, b, x, i=i, j=j + 1), ans),
    lambda t, ans, a, b, x, i, j: broadcast_tangent(t * _beta_density_d(a, b, x, i, j), ans))
betainc_d.defvjp(
    lambda g, ans, a, b, x, i, j: unbroadcast(g * betainc_d(a, b, x, i=i + 1, j=j), a),
    lambda g, ans, a, b, x, i, j: unbroadcast(g * betainc_d(a, b, x, i=i, j=j + 1), b),
    lambda g, ans, a, b, x, i, j: unbroadcast(g * _beta_density_d(a, b, x, i, j), x))

betainc = defprim("special.betainc", _scipy("betainc"), keep_ans=False, elementwise=True)
betainc.defjvp(
    lambda t, ans, a, b, x: broadcast_tangent(t * betainc_d(a, b, x, i=1, j=0), ans),
    lambda t, ans, a, b, x: broadcast_tangent(t * betainc_d(a, b, x, i=0, j=1), ans),
    lambda t, ans, a, b, x: broadcast_tangent(t * _beta_density(a, b, x), ans))
betainc.defvjp(
    lambda g, ans, a, b, x: unbroadcast(g * betainc_d(a, b, x, i=1, j=0), a),
    lambda g, ans, a, b, x: unbroadcast(g * betainc_d(a, b, x, i=0, j=1), b),
    lambda g, ans, a, b, x: unbroadcast(g * _beta_density(a, b, x), x))

rgamma = defprim("special.rgamma", _scipy("rgamma"), elementwise=True)
rgamma.defjvp(lambda t, ans, x: -t * ans * polygamma(x, n=0))
rgamma.defvjp(lambda g, ans, x: -g * ans * polygamma(x, n=0))

# The inverse of the standard normal CDF: d/dp Φ⁻¹(p) = 1/φ(Φ⁻¹(p)) = √(2π)·exp(ans²/2).
ndtri = defprim("special.ndtri", _scipy("ndtri"), keep_args=False, elementwise=True)
ndtri.defjvp(lambda t, ans, p: t * (math.sqrt(2.0 * math.pi) * ew.exp(0.5 * ans * ans)))
ndtri.defvjp(lambda g, ans, p: g * (math.sqrt(2.0 * math.pi) * ew.exp(0.5 * ans * ans)))
