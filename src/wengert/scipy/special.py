"""``wengert.scipy.special``: differentiable special functions, as in ``scipy.special``.

Also importable as ``wengert.special``, its old name, which works without SciPy
too: the values then come from NumPy code of the same accuracy (see
:mod:`wengert.rules.special`; the functions with no such code say they need SciPy).
Its imports are absolute so that ``wengert.special`` can load this file on its own.
``logsumexp``, ``softmax`` and ``log_softmax`` shift by the maximum first, so they are
exact for inputs such as ``±1e4``; the shift is a constant, so derivatives are unaffected.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from wengert.core.batching import batched_value
from wengert.core.primitive import NotDifferentiableError
from wengert.core.tracing import Box, unbox
from wengert.rules import elementwise as ew
from wengert.rules import reductions as red
from wengert.rules import special as _rs
from wengert.rules._util import map_stacked, ndim, normalize_axis
from wengert.rules.shape import asarray

__all__ = ["logsumexp", "softmax", "log_softmax", "expit", "sigmoid", "logit", "softplus",
           "erf", "erfc", "erfinv", "gammaln", "gamma", "digamma", "psi", "polygamma",
           "betaln", "xlogy", "xlog1py", "entr", "ndtr", "log_ndtr", "erfcinv", "rgamma",
           "gammasgn", "multigammaln", "beta", "betainc", "gammainc", "gammaincc", "jv", "jn",
           "yv", "yn", "iv", "ive", "kv", "j0", "j1", "y0", "y1", "i0", "i1", "ndtri"]

Axis = int | tuple[int, ...] | None


def _shift(a: Any, axis: Axis, weights: Any = None) -> np.ndarray:
    """The (constant) maximum of ``a`` over ``axis`` with kept dims, 0 where not finite."""
    v = batched_value(a)  # unbox(a), but per example under vmap
    if weights is not None:  # entries with zero weight do not count
        v = np.where(batched_value(weights) != 0, v, -np.inf)
    m = np.max(v, axis=axis, keepdims=True, initial=-np.inf)
    return np.where(np.isfinite(m), m, 0.0)


def _weigh(e: Any, b: Any) -> Any:
    """``e * b``, and 0 where a zero weight meets an ``exp`` that overflowed (``inf * 0``)."""
    out = e * b
    bad = np.logical_and(np.logical_not(np.isfinite(batched_value(out))),
                         batched_value(b) == 0)
    return ew.where(bad, 0.0, out) if np.any(unbox(bad)) else out


def logsumexp(a: Any, axis: Axis = None, b: Any = None, keepdims: bool = False,
              return_sign: bool = False) -> Any:
    """``log(sum(b * exp(a), axis))`` computed without overflow (``scipy.special.logsumexp``).

    With ``return_sign`` the result is ``(log|s|, sign(s))`` for weights of any sign.
    """
    a = asarray(a)
    if ndim(a) == 0 and axis in (0, -1, (0,), (-1,)):  # SciPy accepts axis 0 for a scalar
        axis = None
    axes = normalize_axis(axis, ndim(a))
    m = _shift(a, axes, b)
    with np.errstate(over="ignore", invalid="ignore"):
        e = ew.exp(a - m)
        if b is not None:
            e = _weigh(e, b)
    s = red.sum(e, axis=axes, keepdims=keepdims)
    if not keepdims:
        m = m.reshape(np.shape(s))
    if return_sign:
        sign = np.sign(batched_value(s))
        with np.errstate(divide="ignore"):
            return ew.log(ew.absolute(s)) + m, sign
    with np.errstate(divide="ignore"):
        return ew.log(s) + m


def softmax(x: Any, axis: Axis = None) -> Any:
    """``exp(x) / sum(exp(x), axis)``, without overflow (``scipy.special.softmax``)."""
    x = asarray(x)
    axes = normalize_axis(axis, ndim(x))
    e = ew.exp(x - _shift(x, axes))
    return e / red.sum(e, axis=axes, keepdims=True)


def log_softmax(x: Any, axis: Axis = None) -> Any:
    """``x - logsumexp(x, axis)``, without overflow (``scipy.special.log_softmax``)."""
    x = asarray(x)
    axes = normalize_axis(axis, ndim(x))
    shifted = x - _shift(x, axes)
    with np.errstate(divide="ignore"):
        return shifted - ew.log(red.sum(ew.exp(shifted), axis=axes, keepdims=True))


def expit(x: Any) -> Any:
    """The logistic sigmoid ``1 / (1 + exp(-x))``."""
    return _rs.expit(x)


sigmoid = expit


def logit(x: Any) -> Any:
    """``log(x / (1 - x))``, the inverse of :func:`expit`."""
    return _rs.logit(x)


def softplus(x: Any) -> Any:
    """``log(1 + exp(x))`` without overflow."""
    return ew.logaddexp(0.0, x)


def erf(x: Any) -> Any:
    """The error function ``2/√π ∫₀ˣ exp(-t²) dt``."""
    return _rs.erf(x)


def erfc(x: Any) -> Any:
    """``1 - erf(x)``, accurate where ``erf(x)`` is close to 1."""
    return _rs.erfc(x)


def erfinv(y: Any) -> Any:
    """The inverse of :func:`erf` on ``[-1, 1]``."""
    return _rs.erfinv(y)


def gammaln(x: Any) -> Any:
    """``log|Γ(x)|``."""
    return _rs.gammaln(x)


def gamma(x: Any) -> Any:
    """The gamma function ``Γ(x)``."""
    return _rs.gamma(x)


def digamma(x: Any) -> Any:
    """``ψ(x) = d/dx log Γ(x)``."""
    return _rs.polygamma(x, n=0)


psi = digamma


def polygamma(n: int, x: Any) -> Any:
    """``ψ^(n)(x)``, the ``n``-th derivative of :func:`digamma` (``n`` a non-negative int)."""
    if isinstance(n, Box):
        raise NotDifferentiableError("wengert.scipy.special.polygamma: no derivative with "
                                     "respect to the order n (it is an integer)")
    v = n
    if np.ndim(v) or not float(v).is_integer() or v < 0:
        raise ValueError(f"wengert.scipy.special.polygamma: n must be a non-negative "
                         f"integer, not {n!r}")
    return _rs.polygamma(x, n=int(v))


def betaln(a: Any, b: Any) -> Any:
    """``log|B(a, b)| = gammaln(a) + gammaln(b) - gammaln(a + b)``."""
    return _rs.gammaln(a) + _rs.gammaln(b) - _rs.gammaln(ew.add(a, b))


def xlogy(x: Any, y: Any) -> Any:
    """``x * log(y)``, and 0 where ``x == 0``."""
    return _rs.xlogy(x, y)


def xlog1py(x: Any, y: Any) -> Any:
    """``x * log1p(y)``, and 0 where ``x == 0``."""
    return _rs.xlog1py(x, y)


def entr(x: Any) -> Any:
    """Elementwise entropy: ``-x log x`` for ``x > 0``, 0 at 0, ``-inf`` below."""
    return _rs.entr(x)


def ndtr(x: Any) -> Any:
    """The standard normal CDF ``Φ(x) = erfc(-x/√2) / 2``."""
    return 0.5 * _rs.erfc(ew.multiply(x, -np.sqrt(0.5)))


def log_ndtr(x: Any) -> Any:
    """``log Φ(x)``, accurate in both tails."""
    return _rs.log_ndtr(x)


def erfcinv(y: Any) -> Any:
    """The inverse of :func:`erfc` on ``[0, 2]``: ``-Φ⁻¹(y/2)/√2`` with SciPy, which stays
    exact for tiny ``y`` (``erfinv(1 - y)`` without it)."""
    if _rs.scipy_special() is None:
        return _rs.erfinv(ew.subtract(1.0, y))
    return _rs.ndtri(ew.multiply(y, 0.5)) * -np.sqrt(0.5)


def rgamma(x: Any) -> Any:
    """``1/Γ(x)`` (zero at the poles of Γ). Needs SciPy."""
    return _rs.rgamma(x)


def gammasgn(x: Any) -> Any:
    """The sign of ``Γ(x)`` (piecewise constant: no derivative flows through it)."""
    return map_stacked(_gammasgn, x)


def _gammasgn(x: Any) -> Any:
    v = np.asarray(x, dtype=float)
    sp = _rs.scipy_special()
    if sp is not None:
        return sp.gammasgn(v)
    with np.errstate(invalid="ignore"):
        negative = (v < 0) & (v != np.floor(v)) & (np.floor(v) % 2 != 0)
    out = np.where(negative, -1.0, 1.0)
    pole = (v < 0) & (v == np.floor(v))  # the negative integers and -inf, as SciPy
    out = np.where(np.isnan(v) | pole, np.nan, out)
    return out if out.ndim else float(out)


def multigammaln(a: Any, d: int) -> Any:
    """The log of the multivariate gamma function of dimension ``d``."""
    d = int(d)
    if d < 1:
        raise ValueError(f"wengert.scipy.special.multigammaln: d must be a positive integer, "
                         f"not {d}")
    if np.any(np.asarray(unbox(a)) <= 0.5 * (d - 1)):
        raise ValueError(f"wengert.scipy.special.multigammaln: a must be greater than "
                         f"(d - 1)/2 = {0.5 * (d - 1)} (as in SciPy)")
    out: Any = d * (d - 1) / 4.0 * np.log(np.pi)
    for j in range(d):
        out = out + _rs.gammaln(ew.subtract(a, j / 2.0))
    return out


def beta(a: Any, b: Any) -> Any:
    """The beta function ``B(a, b) = Γ(a)Γ(b)/Γ(a+b)``. Needs SciPy."""
    return _rs.beta(a, b)


def betainc(a: Any, b: Any, x: Any) -> Any:
    """The regularized incomplete beta function ``I_x(a, b)``; differentiable in
    ``a``, ``b`` and ``x`` (in ``a`` and ``b`` by a series on the smaller tail, to
    near machine precision relative to it). Needs SciPy."""
    return _rs.betainc(a, b, x)


def gammainc(a: Any, x: Any) -> Any:
    """The regularized lower incomplete gamma function ``P(a, x)``; differentiable in
    ``a`` and ``x`` (in ``a`` by P's series below ``x = a + 1`` and Q's continued fraction above,
    both to near machine precision). Needs SciPy."""
    return _rs.gammainc(a, x)


def gammaincc(a: Any, x: Any) -> Any:
    """``Q(a, x) = 1 - P(a, x)``; differentiable in ``a`` and ``x``. Needs SciPy."""
    return _rs.gammaincc(a, x)


def _order(name: str, v: Any, *, integer: bool = False) -> float:
    """The order of a Bessel function: a scalar parameter, not differentiated."""
    if isinstance(v, Box):
        why = ("it is an integer" if integer else
               "derivatives in the order are not implemented")
        raise NotDifferentiableError(
            f"wengert.scipy.special.{name}: no derivative with respect to the order "
            f"({why}). Pass the order as a constant, or wrap it in wengert.stop_gradient.")
    if np.ndim(v):
        raise ValueError(f"wengert.scipy.special.{name}: the order must be a scalar, "
                         f"not an array of shape {np.shape(v)}")
    v = float(v)
    if integer and not v.is_integer():
        raise ValueError(f"wengert.scipy.special.{name}: the order must be an integer, "
                         f"not {v}; use {name[0]}v for real orders")
    return v


def jv(v: Any, x: Any) -> Any:
    """The Bessel function of the first kind ``J_v(x)``; differentiable in ``x``
    (``J_v' = (J_{v-1} - J_{v+1})/2``)."""
    return _rs.jv(x, v=_order("jv", v))


def yv(v: Any, x: Any) -> Any:
    """The Bessel function of the second kind ``Y_v(x)``; differentiable in ``x``."""
    return _rs.yv(x, v=_order("yv", v))


def iv(v: Any, x: Any) -> Any:
    """The modified Bessel function of the first kind ``I_v(x)``; differentiable in ``x``."""
    return _rs.iv(x, v=_order("iv", v))


def ive(v: Any, x: Any) -> Any:
    """``I_v(x)·exp(-|x|)``, which does not overflow; differentiable in ``x``."""
    return _rs.ive(x, v=_order("ive", v))


def kv(v: Any, x: Any) -> Any:
    """The modified Bessel function of the second kind ``K_v(x)``; differentiable in ``x``
    (``K_v' = -(K_{v-1} + K_{v+1})/2``)."""
    return _rs.kv(x, v=_order("kv", v))


def jn(n: Any, x: Any) -> Any:
    """``J_n(x)`` for an integer order ``n``; differentiable in ``x``."""
    return _rs.jv(x, v=_order("jn", n, integer=True))


def yn(n: Any, x: Any) -> Any:
    """``Y_n(x)`` for an integer order ``n``; differentiable in ``x``."""
    return _rs.yv(x, v=_order("yn", n, integer=True))


def j0(x: Any) -> Any:
    """``J_0(x)`` (``J_0' = -J_1``)."""
    return _rs.jv(x, v=0.0)


def j1(x: Any) -> Any:
    """``J_1(x)``."""
    return _rs.jv(x, v=1.0)


def y0(x: Any) -> Any:
    """``Y_0(x)`` (``Y_0' = -Y_1``)."""
    return _rs.yv(x, v=0.0)


def y1(x: Any) -> Any:
    """``Y_1(x)``."""
    return _rs.yv(x, v=1.0)


def i0(x: Any) -> Any:
    """``I_0(x)`` (``I_0' = I_1``)."""
    return _rs.iv(x, v=0.0)


def i1(x: Any) -> Any:
    """``I_1(x)``."""
    return _rs.iv(x, v=1.0)


def ndtri(p: Any) -> Any:
    """The inverse of :func:`ndtr`, the standard normal quantile. Needs SciPy."""
    return _rs.ndtri(p)
