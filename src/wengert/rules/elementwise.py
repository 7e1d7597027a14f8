"""Elementwise primitives: arithmetic, powers, exponentials, trigonometry.

An elementwise function has a diagonal Jacobian, so one derivative expression
``d(ans, x)`` gives both rules: tangent ``ṫ·d`` and adjoint ``ḡ·d``.  Binary
rules broadcast tangents up to the answer and sum adjoints back down to each
argument's shape.  Complex numbers follow JAX's convention: a VJP is the
transpose of the JVP's linear map (no conjugation), so holomorphic rules are
the real ones; the non-holomorphic ``abs``, ``angle``, ``real``, ``imag`` and
``conj`` have rules of their own.
"""

from __future__ import annotations

import math
import operator
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from ..core.batching import batched_value
from ..core.reverse import Meta
from ..core.tracing import EXACT_REFCOUNTS, INPLACE_MIN_SIZE, Box, unbox
from ._simplify import identity, identity_unit, involution
from ._util import (
    broadcast_tangent,
    defprim,
    elementwise_batch,
    exporter,
    is_complex,
    unbroadcast,
)

Deriv = Callable[..., Any]

__all__: list[str] = []


_export = exporter(__all__, globals())
_ndarray = np.ndarray  # a global name: faster than np.ndarray in the hot rules


def unary(name: str, impl: Callable[..., Any], deriv: Deriv, *, keep_args: bool = True,
          keep_ans: bool = True, of_x: Callable[[Any], Any] | None = None,
          of_ans: Callable[[Any], Any] | None = None) -> Any:
    """An elementwise primitive ``ans = impl(x)`` with ``dans/dx = deriv(ans, x)``.

    ``of_x(x)`` or ``of_ans(ans)``: the same derivative as NumPy code of the one value
    it reads, used directly when that value is a small plain array (the common
    backward step: one Python call instead of three).
    """
    p = defprim(name, impl, keep_args=keep_args, keep_ans=keep_ans, elementwise=True)

    def times_deriv(g: Any, ans: Any, x: Any) -> Any:  # both rules: ṫ·d and ḡ·d
        d = deriv(ans, x)
        if type(d) is np.ndarray and d.size >= _INPLACE_MIN_SIZE:
            return _times_into(g, d)
        return g * d

    rule = vjp = times_deriv
    if of_x is not None:
        def rule(g: Any, ans: Any, x: Any) -> Any:
            if type(x) is _ndarray and x.size < _INPLACE_MIN_SIZE:
                return g * of_x(x)
            return times_deriv(g, ans, x)

        def vjp(g: Any, ans: Any, x: Any) -> Any:
            if type(x) is _ndarray:
                if x.size < _INPLACE_MIN_SIZE:
                    return g * of_x(x)
                # 3 references (the sweep's, this frame's, getrefcount's): g is private.
                # x is never written into: a count cannot tell whether the graph still
                # holds the tuple it sits in (a retained graph reads it again).
                g_private = sys.getrefcount(g) == 3
                out = _product_buffer(g, x, g_private, False)
                if out is not None:
                    return _blocked_product(g, x, of_x, out)
            return times_deriv(g, ans, x)
    elif of_ans is not None:
        def rule(g: Any, ans: Any, x: Any) -> Any:
            if type(ans) is _ndarray and ans.size < _INPLACE_MIN_SIZE:
                return g * of_ans(ans)
            return times_deriv(g, ans, x)

        def vjp(g: Any, ans: Any, x: Any) -> Any:
            if type(ans) is _ndarray:
                if ans.size < _INPLACE_MIN_SIZE:
                    return g * of_ans(ans)
                # ans: the sweep's local, this frame's, getrefcount's, and the node's
                # unless a one-use sweep has released it (then 3: private)
                g_private, ans_private = sys.getrefcount(g) == 3, sys.getrefcount(ans) == 3
                out = _product_buffer(g, ans, g_private, ans_private)
                if out is not None:
                    return _blocked_product(g, ans, of_ans, out)
            return times_deriv(g, ans, x)

    p.defjvp(rule)  # the forward rule never writes into anything: its ans is the output
    p.defvjp(vjp)
    return _export(p, name)


# Large backward steps ḡ·f(v) are computed in blocks of this many entries, written into
# ḡ or v when nobody else holds them: a buffer of one block for f(v) instead of a whole
# array (what a fused kernel achieves), so the sweep allocates less and peaks lower.
# (The counts prove it on CPython 3.11 to 3.13; 3.10 holds one more reference to a
# call's arguments, so there the arrays are never reused, which is safe.)
_BLOCK = 1 << 15


def _product_buffer(g: Any, v: np.ndarray, g_private: bool, v_private: bool) -> Any:
    """The array ``g * f(v)`` may be written into: ``g`` (the sweep's adjoint) or ``v`` (a
    value the sweep has released), when its reference count proves it private and it is
    a contiguous array that owns its memory with the result's shape and dtype; else None.
    """
    if not EXACT_REFCOUNTS or type(g) is not _ndarray or g.shape != v.shape:
        return None
    dt = np.result_type(g.dtype, v.dtype)
    for a, private in ((g, g_private), (v, v_private)):
        if (private and a.dtype == dt and a.base is None and a.flags.writeable
                and a.flags.c_contiguous):
            return a
    return None


def _blocked_product(g: np.ndarray, v: np.ndarray, f: Callable[[Any], Any],
                     out: np.ndarray) -> np.ndarray:
    """``out[b] = g[b] * f(v[b])`` block by block (``out`` may be ``g`` or ``v``: each
    block is read before it is written)."""
    if not all(a.ndim == 1 or a.flags.c_contiguous for a in (g, v)):
        return np.multiply(g, f(v), out=out)  # (reshape would copy a broadcast view)
    gf, vf, of = g.reshape(-1), v.reshape(-1), out.reshape(-1)
    for start in range(0, of.size, _BLOCK):
        block = slice(start, start + _BLOCK)
        np.multiply(gf[block], f(vf[block]), out=of[block])
    return out


_INPLACE_MIN_SIZE = INPLACE_MIN_SIZE


def _times_into(g: Any, d: np.ndarray) -> Any:
    """``g * d``, written into ``d`` when ``d`` is a temporary only the caller holds.

    A fused kernel (PyTorch's) needs one buffer for the derivative of an
    elementwise op; this keeps ours at one too instead of two.  A reference
    count of 3 (the caller's variable, this frame's, getrefcount's argument)
    proves ``d`` is fresh.
    """
    if (type(g) is np.ndarray and EXACT_REFCOUNTS and sys.getrefcount(d) == 3
            and d.base is None and d.flags.writeable and d.shape == g.shape
            and d.dtype == np.result_type(g, d)):
        return np.multiply(g, d, out=d)
    return g * d


def binary(name: str, impl: Callable[..., Any], dx: Deriv | None, dy: Deriv | None, *,
           keep_args: bool = True, keep_ans: bool = True) -> Any:
    """A broadcasting elementwise primitive with partials ``dx(ans, x, y)``, ``dy(ans, x, y)``."""
    p = defprim(name, impl, keep_args=keep_args, keep_ans=keep_ans, elementwise=True)
    p.defjvp(
        (lambda t, ans, x, y: broadcast_tangent(t * dx(ans, x, y), ans)) if dx else None,
        (lambda t, ans, x, y: broadcast_tangent(t * dy(ans, x, y), ans)) if dy else None,
    )
    p.defvjp(
        (lambda g, ans, x, y: unbroadcast(g * dx(ans, x, y), x)) if dx else None,
        (lambda g, ans, x, y: unbroadcast(g * dy(ans, x, y), y)) if dy else None,
    )
    return _export(p, name)


def nondiff(name: str, impl: Callable[..., Any] | None = None) -> Any:
    """A primitive whose derivative is zero wherever it exists (floor, comparisons)."""
    return _export(defprim(name, impl or getattr(np, name), nondiff=True), name)


# -- arithmetic -------------------------------------------------------------
# On floats and float arrays Python's operators are NumPy's ufuncs without the
# dispatch cost (0.4 us a call on scalars); anything else goes to the ufunc.
_OPERANDS = frozenset({float, np.float64, np.float32, np.ndarray})


def _fast(op: Any, ufunc: Any) -> Any:
    def impl(x: Any, y: Any, **kw: Any) -> Any:
        if not kw and type(x) in _OPERANDS and type(y) in _OPERANDS:
            try:
                return op(x, y)
            except ZeroDivisionError:  # Python floats raise where NumPy gives inf/nan
                pass
        return ufunc(x, y, **kw)
    impl.__name__ = ufunc.__name__
    return impl


def _arith(name: str, op: Any, ufunc: Any, **kw: Any) -> Any:
    p = defprim(name, _fast(op, ufunc), elementwise=True, **kw)
    p.operator = op
    p.ufunc = ufunc  # the implementation wraps it (jit's code calls it directly)
    return p


# Real scalars, Python's and NumPy's: they need no unbroadcast (checked inline, not by a call).
_S = frozenset({float, np.float64})

# Linear ones need no saved values, only shapes.
add = _arith("add", operator.add, np.add, keep_args=False, keep_ans=False)
add.defjvp(lambda t, ans, x, y: broadcast_tangent(t, ans),
           lambda t, ans, x, y: broadcast_tangent(t, ans))


# x + y passes its adjoint through; the common cases (no broadcasting) checked inline,
# without the call to unbroadcast: this is every add's backward step.
def _pass_through(argnum: int, sign: float) -> Callable[..., Any]:
    def rule(g: Any, ans: Any, x: Any, y: Any) -> Any:
        target = y if argnum else x
        if sign < 0:
            g = -g
        tg = type(g)
        if tg is np.ndarray:
            if type(target) is np.ndarray and g.shape == target.shape and g.dtype is target.dtype:
                return g
        elif tg in _S and type(target) in _S:
            return g
        return unbroadcast(g, target)
    return rule


add.defvjp(_pass_through(0, 1.0), _pass_through(1, 1.0))
add.passthrough = (0, 1)
add.simplify = identity_unit(0, (0, 1))  # x + 0, 0 + x
add.commutative = True
_export(add, "add")

subtract = _arith("subtract", operator.sub, np.subtract, keep_args=False, keep_ans=False)
subtract.defjvp(lambda t, ans, x, y: broadcast_tangent(t, ans),
                lambda t, ans, x, y: broadcast_tangent(-t, ans))
subtract.defvjp(_pass_through(0, 1.0), _pass_through(1, -1.0))
subtract.passthrough = (0,)
subtract.simplify = identity_unit(0, (0,))  # x - 0
_export(subtract, "subtract")

negative = defprim("negative", np.negative, keep_args=False, keep_ans=False,
                   elementwise=True)
negative.defjvp(lambda t, ans, x: -t)
negative.defvjp(lambda g, ans, x: -g)
negative.simplify = involution(negative)  # --x
_export(negative, "negative")

positive = defprim("positive", np.positive, keep_args=False, keep_ans=False,
                   elementwise=True)
positive.defjvp(lambda t, ans, x: t)
positive.defvjp(lambda g, ans, x: g)
positive.simplify = identity  # +x
_export(positive, "positive")

multiply = _arith("multiply", operator.mul, np.multiply, keep_ans=False)
multiply.defjvp(lambda t, ans, x, y: broadcast_tangent(t * y, ans),
                lambda t, ans, x, y: broadcast_tangent(x * t, ans))

# The rules of x * y, the commonest binary backward step, check inline whether the
# product already has the argument's shape and dtype (nothing to unbroadcast); they are
# mirror images, not one shared helper, because a call costs more than the check.
def _mul_vjp_x(g: Any, ans: Any, x: Any, y: Any) -> Any:
    if type(x) is Meta and sys.getrefcount(g) == 3:
        # x was trimmed, so y is no traced value and this is the node's only rule: the
        # sweep's adjoint, held by nobody else (3 references: the sweep's, this frame's,
        # getrefcount's), can take the product in place
        return _scaled_in_place(g, y, x)
    r = g * y
    if type(r) is _ndarray:
        if type(x) is _ndarray and r.shape == x.shape and r.dtype is x.dtype:
            return r
    elif type(r) in _S and type(x) in _S:
        return r
    return unbroadcast(r, x)


def _mul_vjp_y(g: Any, ans: Any, x: Any, y: Any) -> Any:
    if type(y) is Meta and sys.getrefcount(g) == 3:
        return _scaled_in_place(g, x, y)
    r = x * g
    if type(r) is _ndarray:
        if type(y) is _ndarray and r.shape == y.shape and r.dtype is y.dtype:
            return r
    elif type(r) in _S and type(y) in _S:
        return r
    return unbroadcast(r, y)


def _scaled_in_place(g: Any, c: Any, target: Meta) -> Any:
    """``g * c`` for the cotangent of ``target`` (saved as its shape and dtype only: a large
    array), written into ``g`` when that gives the same array as the product would."""
    if (EXACT_REFCOUNTS and type(g) is _ndarray and (type(c) in _OPERANDS or type(c) is int)
            and g.base is None and g.flags.writeable and g.shape == target.shape
            and g.dtype == target.dtype and np.result_type(g, c) == g.dtype):
        return np.multiply(g, c, out=g)
    return unbroadcast(g * c, target)


multiply.defvjp(_mul_vjp_x, _mul_vjp_y)
multiply.vjp_reads = ((1,), (0,))  # x * c keeps only c: the rule for x reads y
multiply.scaling = (0, 1)  # x * c and c * x: no node in reverse mode, the box carries c
multiply.simplify = identity_unit(1, (0, 1))  # x * 1, 1 * x
multiply.commutative = True
_export(multiply, "multiply")

divide = defprim("divide", _fast(operator.truediv, np.divide), elementwise=True)
divide.ufunc = np.divide
divide.simplify = identity_unit(1, (0,))  # x / 1
# ṫ / y rather than ṫ · (1 / y): a Python constant y then stays a weak scalar, so the
# tangent keeps float32 even where y is 0 (the retry on NumPy scalars would widen 1/y).
divide.defjvp(lambda t, ans, x, y: broadcast_tangent(t / y, ans),
              lambda t, ans, x, y: broadcast_tangent(-t * ans / y, ans))
divide.defvjp(lambda g, ans, x, y: unbroadcast(g / y, x),
              lambda g, ans, x, y: unbroadcast(-g * ans / y, y))
_export(divide, "divide")
divide.operator = operator.truediv
divide.vjp_reads = ((1,), (1,))
true_divide = divide
__all__.append("true_divide")


def _pow_dx(ans: Any, x: Any, y: Any) -> Any:
    # y·x^(y-1), which is 0·0^(-1) = nan at x = y = 0 where the derivative of x**0 is 0.
    exponent = y - 1
    y_value = unbox(y)
    if not (type(y_value) in (float, int) and y_value != 0):
        both_zero = np.logical_and(np.equal(batched_value(x), 0),
                                   np.equal(batched_value(y), 0))
        if np.any(unbox(both_zero)):
            exponent = where(both_zero, 1.0, exponent)
    return y * power(x, exponent)


def _pow_dy(ans: Any, x: Any, y: Any) -> Any:
    # d(x**y)/dy = log(x)·x**y; taken as 0 where x == 0 (the limit from x > 0).
    safe = where(equal(x, 0), 1.0, x)
    return log(safe) * ans


power = binary("power", np.power, _pow_dx, _pow_dy)
float_power = binary("float_power", np.float_power, lambda ans, x, y: y * float_power(x, y - 1),
       lambda ans, x, y: log(where(equal(x, 0), 1.0, x)) * ans)


def _chooser(name: str, impl: Any, pick: Any, plain_pick: Any) -> Any:
    """``maximum``-like selection: the derivative goes to the chosen argument.

    Where both arguments are equal it is split evenly (as autograd and JAX do).
    The masks are boolean so the derivative keeps the dtype of the tangent.
    """
    def weight(t: Any, first: Any, second: Any) -> Any:
        if type(t) is np.ndarray and not isinstance(first, Box) and not isinstance(second, Box):
            chosen = t * plain_pick(first, second)  # plain values: NumPy throughout
            ties = np.equal(first, second)
            return np.where(ties, 0.5 * t, chosen) if ties.any() else chosen
        chosen = t * pick(first, second)
        ties = equal(first, second)
        return where(ties, 0.5 * t, chosen) if np.any(unbox(ties)) else chosen

    p = defprim(name, impl, keep_ans=False, elementwise=True)
    p.defjvp(lambda t, ans, x, y: broadcast_tangent(weight(t, x, y), ans),
             lambda t, ans, x, y: broadcast_tangent(weight(t, y, x), ans))
    p.defvjp(lambda g, ans, x, y: unbroadcast(weight(g, x, y), x),
             lambda g, ans, x, y: unbroadcast(weight(g, y, x), y))
    return _export(p, name)


maximum = _chooser("maximum", np.maximum, lambda a, b: greater(a, b), np.greater)
minimum = _chooser("minimum", np.minimum, lambda a, b: less(a, b), np.less)
fmax = _chooser("fmax", np.fmax, lambda a, b: greater(a, b), np.greater)
fmin = _chooser("fmin", np.fmin, lambda a, b: less(a, b), np.less)
arctan2 = binary("arctan2", np.arctan2, lambda ans, y, x: x / (x * x + y * y),
       lambda ans, y, x: -y / (x * x + y * y), keep_ans=False)
hypot = binary("hypot", np.hypot, lambda ans, x, y: x / ans, lambda ans, x, y: y / ans)
logaddexp = binary("logaddexp", np.logaddexp, lambda ans, x, y: exp(x - ans),
       lambda ans, x, y: exp(y - ans))
logaddexp2 = binary("logaddexp2", np.logaddexp2, lambda ans, x, y: exp2(x - ans),
       lambda ans, x, y: exp2(y - ans))
remainder = binary("remainder", np.remainder, lambda ans, x, y: 1.0,
       lambda ans, x, y: -floor(x / y), keep_ans=False)
mod = remainder
__all__.append("mod")
fmod = binary("fmod", np.fmod, lambda ans, x, y: 1.0, lambda ans, x, y: -trunc(x / y),
       keep_ans=False)
copysign = binary("copysign", np.copysign, lambda ans, x, y: sign(x) * sign(ans), None)
# The sign source has a zero derivative wherever it is defined.
copysign.defjvp(copysign.jvps[0], lambda t, ans, x, y: None)
copysign.defvjp(copysign.vjps[0], lambda g, ans, x, y: None)

# -- exponentials and logarithms -------------------------------------------
_LN2, _LN10 = np.log(2.0), np.log(10.0)
exp = unary("exp", np.exp, lambda ans, x: ans, keep_args=False, of_ans=lambda ans: ans)
exp2 = unary("exp2", np.exp2, lambda ans, x: ans * _LN2, keep_args=False)
expm1 = unary("expm1", np.expm1, lambda ans, x: ans + 1.0, keep_args=False)
log = unary("log", np.log, lambda ans, x: 1.0 / x, keep_ans=False, of_x=np.reciprocal)
log2 = unary("log2", np.log2, lambda ans, x: 1.0 / (x * _LN2), keep_ans=False)
log10 = unary("log10", np.log10, lambda ans, x: 1.0 / (x * _LN10), keep_ans=False)
log1p = unary("log1p", np.log1p, lambda ans, x: 1.0 / (x + 1.0), keep_ans=False)
sqrt = unary("sqrt", np.sqrt, lambda ans, x: 0.5 / ans, keep_args=False,
             of_ans=lambda ans: 0.5 / ans)
cbrt = unary("cbrt", np.cbrt, lambda ans, x: 1.0 / (3.0 * ans * ans), keep_args=False)
square = unary("square", np.square, lambda ans, x: 2.0 * x, keep_ans=False)
reciprocal = unary("reciprocal", np.reciprocal, lambda ans, x: -ans * ans, keep_args=False)

# -- trigonometric and hyperbolic ------------------------------------------
def _plain_first(numpy_fn: Any, math_fn: Any, traced: Callable[[Any], Any]) -> Deriv:
    """A derivative ``d(ans, x) = fn(x)``: math on Python floats and NumPy on arrays (no
    dispatch: these run once per backward step), the primitive on traced values."""
    def deriv(ans: Any, x: Any) -> Any:
        tx = type(x)
        if tx is float:
            try:
                return math_fn(x)
            except (ValueError, OverflowError):  # inf: NumPy's nan/inf instead
                return numpy_fn(x)
        if tx is np.ndarray:
            return numpy_fn(x)
        return traced(x)
    return deriv


sin = unary("sin", np.sin, _plain_first(np.cos, math.cos, lambda x: cos(x)), keep_ans=False,
            of_x=np.cos)
cos = unary("cos", np.cos, _plain_first(lambda x: -np.sin(x),
                                        lambda x: -math.sin(x), lambda x: -sin(x)),
            keep_ans=False, of_x=lambda x: -np.sin(x))
tan = unary("tan", np.tan, lambda ans, x: 1.0 + ans * ans, keep_args=False,
            of_ans=lambda ans: 1.0 + ans * ans)
arcsin = unary("arcsin", np.arcsin, lambda ans, x: 1.0 / sqrt(1.0 - x * x), keep_ans=False)
arccos = unary("arccos", np.arccos, lambda ans, x: -1.0 / sqrt(1.0 - x * x), keep_ans=False)
arctan = unary("arctan", np.arctan, lambda ans, x: 1.0 / (1.0 + x * x), keep_ans=False)
sinh = unary("sinh", np.sinh, _plain_first(np.cosh, math.cosh, lambda x: cosh(x)),
             keep_ans=False, of_x=np.cosh)
cosh = unary("cosh", np.cosh, _plain_first(np.sinh, math.sinh, lambda x: sinh(x)),
             keep_ans=False, of_x=np.sinh)
def _tanh_deriv(ans: Any, x: Any) -> Any:
    # 1 - ans²; on large arrays written so NumPy reuses its temporary (one buffer, not
    # two), on small ones in two operations rather than three.
    if type(ans) is np.ndarray and ans.size >= _INPLACE_MIN_SIZE:
        return (-ans) * ans + 1.0
    return 1.0 - ans * ans


tanh = unary("tanh", np.tanh, _tanh_deriv, keep_args=False, of_ans=lambda ans: 1.0 - ans * ans)
arcsinh = unary("arcsinh", np.arcsinh, lambda ans, x: 1.0 / sqrt(x * x + 1.0), keep_ans=False)
arccosh = unary("arccosh", np.arccosh, lambda ans, x: 1.0 / sqrt(x * x - 1.0), keep_ans=False)
arctanh = unary("arctanh", np.arctanh, lambda ans, x: 1.0 / (1.0 - x * x), keep_ans=False)
deg2rad = unary("deg2rad", np.deg2rad, lambda ans, x: np.pi / 180.0, keep_args=False,
                keep_ans=False)
rad2deg = unary("rad2deg", np.rad2deg, lambda ans, x: 180.0 / np.pi, keep_args=False,
                keep_ans=False)
radians = deg2rad
degrees = rad2deg
__all__ += ["radians", "degrees"]
# NumPy 2's array-API names: the same primitives under a second name (np.acos is np.arccos).
acos, asin, atan, atan2 = arccos, arcsin, arctan, arctan2
acosh, asinh, atanh, pow = arccosh, arcsinh, arctanh, power  # noqa: A001
__all__ += ["acos", "asin", "atan", "atan2", "acosh", "asinh", "atanh", "pow"]


def _sinc_deriv(ans: Any, x: Any) -> Any:
    # d/dx sin(πx)/(πx) = (cos(πx) - sinc(x)) / x; near 0 that cancels, so there its
    # Taylor polynomial -(π²/3)x + (π⁴/30)x³ - (π⁶/840)x⁵ (error < 1e-14 for |x| < 0.01),
    # which also gives the higher derivatives at 0.
    small = less(absolute(x), 1e-2)
    safe = where(small, 1.0, x)
    x2 = x * x
    near_zero = x * (-np.pi ** 2 / 3 + x2 * (np.pi ** 4 / 30 - x2 * (np.pi ** 6 / 840)))
    return where(small, near_zero, (cos(np.pi * safe) - ans) / safe)


sinc = unary("sinc", np.sinc, _sinc_deriv)

# -- complex parts and absolute value --------------------------------------
absolute = defprim("absolute", np.absolute)


def _abs_jvp(t: Any, ans: Any, x: Any) -> Any:
    if is_complex(x):
        return real(conj(x) * t) / where(equal(ans, 0), 1.0, ans)
    return t * sign(x)


def _abs_vjp(g: Any, ans: Any, x: Any) -> Any:
    if is_complex(x):
        return g * conj(x) / where(equal(ans, 0), 1.0, ans)
    return g * sign(x)


absolute.defjvp(_abs_jvp).defvjp(_abs_vjp)
_export(absolute, "absolute")
abs = absolute  # noqa: A001
fabs = absolute
__all__ += ["abs", "fabs"]

real = defprim("real", np.real, keep_args=False, keep_ans=False)
real.defjvp(lambda t, ans, x: real(t))
real.defvjp(lambda g, ans, x: g + 0j if is_complex(x) else g)
_export(real, "real")

imag = defprim("imag", np.imag, keep_args=False, keep_ans=False)
imag.defjvp(lambda t, ans, x: imag(t))
imag.defvjp(lambda g, ans, x: -1j * g if is_complex(x) else None)
_export(imag, "imag")

conjugate = conj = defprim("conjugate", np.conjugate, keep_args=False, keep_ans=False)
conj.defjvp(lambda t, ans, x: conj(t))
conj.defvjp(lambda g, ans, x: conj(g))
_export(conjugate, "conjugate")
__all__.append("conj")

angle = defprim("angle", np.angle, keep_ans=False)


def _angle_sq(x: Any) -> Any:
    r2 = real(x) ** 2 + imag(x) ** 2
    return where(equal(r2, 0), 1.0, r2)




def _angle_jvp(t: Any, ans: Any, x: Any, deg: bool = False) -> Any:
    if not is_complex(x):
        return None
    out = imag(conj(x) * t) / _angle_sq(x)
    return out * (180.0 / np.pi) if deg else out


def _angle_vjp(g: Any, ans: Any, x: Any, deg: bool = False) -> Any:
    if not is_complex(x):
        return None
    if deg:
        g = g * (180.0 / np.pi)
    return -1j * g * conj(x) / _angle_sq(x)


angle.defjvp(_angle_jvp).defvjp(_angle_vjp)
_export(angle, "angle")

# -- selection ---------------------------------------------------------------
where_p = defprim("where", np.where, keep_ans=False)
where_p.defjvp(
    None,
    lambda t, ans, c, x, y: where_p(c, broadcast_tangent(t, ans), 0.0),
    lambda t, ans, c, x, y: where_p(c, 0.0, broadcast_tangent(t, ans)),
)
where_p.defvjp(
    None,
    lambda g, ans, c, x, y: unbroadcast(where_p(c, g, 0.0), x),
    lambda g, ans, c, x, y: unbroadcast(where_p(c, 0.0, g), y),
)


def where(condition: Any, x: Any = None, y: Any = None) -> Any:
    if x is None and y is None:
        return nonzero(condition)
    return where_p(condition, x, y)


_export(where, "where")


def clip(a: Any, a_min: Any = None, a_max: Any = None, **kwargs: Any) -> Any:
    """Clip ``a`` to ``[a_min, a_max]``; differentiable in all three arguments."""
    a_min = kwargs.pop("min", a_min)
    a_max = kwargs.pop("max", a_max)
    if kwargs:
        raise TypeError(f"wengert.numpy.clip: unsupported arguments {sorted(kwargs)}")
    if a_min is not None:
        a = maximum(a, a_min)
    if a_max is not None:
        a = minimum(a, a_max)
    return a


_export(clip, "clip")

# -- zero-derivative functions ----------------------------------------------
_sign_p = nondiff("sign")


def sign(x: Any) -> Any:
    """``numpy.sign``: piecewise constant for real input; for complex input NumPy 2 gives
    ``x/|x|`` (0 at 0), which has a derivative."""
    if isinstance(x, Box) and is_complex(x):
        zero = np.equal(batched_value(x), 0)
        return where(zero, 0.0, x / absolute(where(zero, 1.0, x)))
    return _sign_p(x)


_export(sign, "sign")
floor = nondiff("floor")
trunc = nondiff("trunc")
equal = nondiff("equal")
greater = nondiff("greater")
less = nondiff("less")
nonzero = nondiff("nonzero")
for _name in [
    "ceil", "rint", "fix", "round", "around", "floor_divide",
    "not_equal", "less_equal", "greater_equal",
    "logical_and", "logical_or", "logical_not", "logical_xor", "isnan", "isinf",
    "isfinite", "isclose", "signbit", "heaviside", "iscomplex", "isreal", "isneginf",
    "isposinf", "bitwise_and", "bitwise_or", "bitwise_xor", "invert", "left_shift",
    "right_shift", "gcd", "lcm",
]:
    globals()[_name] = nondiff(_name)
for _alias, _name in [("bitwise_invert", "invert"), ("bitwise_not", "invert"),
                      ("bitwise_left_shift", "left_shift"),
                      ("bitwise_right_shift", "right_shift")]:
    globals()[_alias] = globals()[_name]
    __all__.append(_alias)


# Python floats through math: the same values (to an ulp) at a fraction of the cost.
for _prim, _fn in [(sin, math.sin), (cos, math.cos), (tan, math.tan), (exp, math.exp),
                   (log, math.log), (tanh, math.tanh), (sinh, math.sinh), (cosh, math.cosh),
                   (arctan, math.atan), (sqrt, math.sqrt), (expm1, math.expm1),
                   (log1p, math.log1p), (arcsin, math.asin), (arccos, math.acos)]:
    _prim.scalar = _fn


# -- batching (vmap) ----------------------------------------------------------
# Primitives declared elementwise get the shared rule automatically; these act entry by
# entry too (or broadcast their arguments together, as where does).
for _prim in [absolute, real, imag, conjugate, angle, where_p, _sign_p, floor, trunc, equal,
              greater, less] + [globals()[_n] for _n in [
                  "ceil", "rint", "fix", "round", "around", "floor_divide", "not_equal",
                  "less_equal", "greater_equal", "logical_and", "logical_or", "logical_not",
                  "logical_xor", "isnan", "isinf", "isfinite", "isclose", "signbit",
                  "heaviside", "iscomplex", "isreal", "isneginf", "isposinf", "bitwise_and",
                  "bitwise_or", "bitwise_xor", "invert", "left_shift", "right_shift", "gcd",
                  "lcm"]]:
    _prim.defbatch(elementwise_batch(_prim))


def _nonzero_batch(args: Any, dims: Any) -> tuple:
    raise ValueError("vmap: nonzero (and where with one argument) has a data-dependent "
                     "shape, which differs across the batch; use wnp.where(cond, x, y) with "
                     "three arguments instead")


nonzero.defbatch(_nonzero_batch)
