"""Array behaviour for traced values: operators, attributes, NumPy dispatch.

Every operator goes through a primitive, so ``a * b + c`` on traced values is
recorded exactly like ``wnp.add(wnp.multiply(a, b), c)``.  NumPy's own
functions applied to a traced value (``np.sin(x)``, ``np.sum(x)``) are routed
to their ``wengert.numpy`` counterparts; in-place updates are refused with a
pointer to the functional alternative.
"""

from __future__ import annotations

import operator
import sys
from typing import Any

import numpy as np

from ..core.batching import BatchBox
from ..core.primitive import Primitive
from ..core.tracing import Box, bind, concrete, guards_only, unbox
from ..rules import elementwise as ew
from ..rules import linalg as la
from ..rules import reductions as red
from ..rules import shape as sh


def _value(self: Box) -> Any:
    return unbox(self)


def _refuse_inplace(self: Box, *args: Any) -> None:
    raise TypeError(
        "wengert: in-place assignment to a traced array is not supported. Build a new "
        "array instead: `x = wengert.numpy.at(x)[idx].set(v)` (or `.add(v)`), or "
        "`x = x + v` instead of `x += v`."
    )


def _refuse_method(name: str) -> None:
    alternative = {"sort": "wengert.numpy.sort(x)", "partition": "wengert.numpy.partition(x, k)",
                   "resize": "wengert.numpy.resize(x, shape)"}.get(
        name, "wengert.numpy.at(x)[idx].set(v)")
    raise TypeError(f"wengert: ndarray.{name} changes a traced array in place, which cannot "
                    f"be differentiated; use the functional `{alternative}` instead.")


def _to_python(self: Box, kind: str) -> Any:
    """float()/complex() of a traced value: refused, since the Python number would carry
    no derivative (as JAX refuses it); math.sin(x) and friends call float() too.
    Under ``jit`` alone nothing is dropped: the number is a guard of the program."""
    if guards_only(self):
        return concrete(self, float if kind == "float" else complex)
    raise TypeError(
        f"wengert: {kind}() of a traced value would silently drop its derivative (math "
        f"functions such as math.sin call it too). Use wengert.numpy functions (wnp.sin "
        f"...), or x.item() / {kind}(wengert.stop_gradient(x)) if you want the plain "
        f"number, which is then a constant.")


def _item(v: Any) -> Any:
    return np.asarray(v).item()


def _iter(self: Box) -> Any:
    n = self.shape[0] if self.shape else None
    if n is None:
        raise TypeError("iteration over a 0-d traced array")
    return (self[i] for i in range(n))


def _len(self: Box) -> int:
    s = self.shape
    if not s:
        raise TypeError("len() of unsized traced array")
    return s[0]


def _array(self: Box, dtype: Any = None, copy: Any = None) -> Any:
    from ..core.batching import has_batch
    if has_batch(self):
        raise TypeError(
            "vmap: a batched value was converted to a plain NumPy array (NumPy code on it, "
            "or indexing a NumPy array with it: T[i]). Use wengert.numpy functions instead, "
            "e.g. wnp.take(T, i, axis=0) for T[i].")
    raise TypeError(
        "wengert: a traced value was converted to a plain NumPy array, which would silently "
        "drop its derivative. Use wengert.numpy functions on it, or call "
        "wengert.stop_gradient(x) / x.detach() if you really want its value."
    )


_UFUNCS_BY_NAME: dict[str, Any] = {}


def _array_ufunc(self: Box, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
    if not kwargs and method == "__call__" and len(inputs) == 2 and inputs[1] is self:
        reflected = _REFLECTED.get(ufunc)  # array <op> box: the box's own operator
        if reflected is not None:
            if type(self) is BatchBox:
                return ufunc_prim(ufunc)(inputs[0], self)
            return reflected(self, inputs[0])
    if kwargs.get("out") is not None:
        _refuse_inplace(self)
    fn = _wnp().__dict__.get(ufunc.__name__)
    if method != "__call__" or fn is None or isinstance(fn, type):
        name = ufunc.__name__ + ("" if method == "__call__" else "." + method)
        raise TypeError(
            f"wengert: numpy.{name} has no derivative rule for traced values; use "
            f"wengert.numpy functions, or register a rule: `p = wengert.primitive("
            f"numpy.{name})`, then `p.defvjp(...)` and `p.defjvp(...)`, and call p.")
    kwargs.pop("out", None)
    return fn(*inputs, **kwargs)


def ufunc_prim(ufunc: Any) -> Any:
    return {np.add: ew.add, np.subtract: ew.subtract, np.multiply: ew.multiply,
            np.true_divide: ew.divide, np.matmul: la.matmul}[ufunc]


def _array_function(self: Box, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
    import wengert.numpy as wnp
    ns: Any = wnp
    mod = getattr(func, "__module__", "") or ""
    for sub in ("linalg", "fft"):
        if mod.endswith(sub):
            ns = getattr(wnp, sub, None)
    fn = getattr(ns, func.__name__, None) if ns is not None else None
    if fn is None or fn is func:
        raise TypeError(
            f"wengert: numpy.{func.__name__} has no derivative rule for traced values. Use "
            f"a wengert.numpy function, or register a rule with wengert.primitive.")
    return fn(*args, **kwargs)


def _wnp() -> Any:
    return sys.modules["wengert.numpy"]  # imported by then: it imports this module


def _repr(self: Box) -> str:
    return f"{type(self).__name__}({unbox(self)!r})"


def _rpow(self: Box, other: Any) -> Any:
    return ew.power(other, self)


_NO_PARAMS: dict = {}


# Operands on which a primitive's Python ``operator`` equals its ufunc.
_OPERANDS = frozenset({float, np.float64, np.float32, np.ndarray})
# Constants a traced float or float array may meet through the operator: a Python int
# too (x / n); Python's int arithmetic is never reached, as the traced side is no int.
_CONSTANTS = _OPERANDS | {int}


def _operator(prim: Primitive) -> Any:
    """``self <op> other``, straight to the box's ``lift1``/``lift`` in the common cases
    (``other`` a constant, or a box of the same kind and level; plain values inside),
    else through ``bind``."""
    impl = prim.impl
    op = prim.operator
    nondiff = prim.nondiff
    fast = op is not None and not nondiff

    def method(self: Box, other: Any) -> Any:
        value = self._value
        if fast and type(other) in _CONSTANTS and type(value) in _OPERANDS:
            # the commonest call, a traced plain value and a constant, checked first
            try:
                ans = op(value, other)
            except (ZeroDivisionError, OverflowError):  # NumPy's inf (or its own error)
                ans = impl(value, other)
            return self.lift1(prim, ans, 0, (value, other), _NO_PARAMS)
        if isinstance(value, Box) or type(other) in (list, tuple):
            return bind(prim, (self, other), _NO_PARAMS)
        if isinstance(other, Box):
            other_value = other._value
            if (type(other) is not type(self) or other._level != self._level
                    or isinstance(other_value, Box)):
                return bind(prim, (self, other), _NO_PARAMS)
        else:
            other_value = other
        if op is not None and type(value) in _OPERANDS and type(other_value) in _OPERANDS:
            try:
                ans = op(value, other_value)
            except ZeroDivisionError:  # Python floats raise where NumPy gives inf/nan
                ans = impl(value, other_value)
        else:
            ans = impl(value, other_value)
        if nondiff and not self.sees_nondiff:
            return ans
        if other is other_value:
            return self.lift1(prim, ans, 0, (value, other), _NO_PARAMS)
        return self.lift2(prim, ans, other, (value, other_value), _NO_PARAMS)

    return method


def _swap(prim: Primitive) -> Any:
    """``other <op> self`` (the reflected operators, called when ``other`` is no box
    of ours)."""
    impl = prim.impl
    nondiff = prim.nondiff

    def method(self: Box, other: Any) -> Any:
        value = self._value
        if isinstance(other, Box) or isinstance(value, Box) or type(other) in (list, tuple):
            return bind(prim, (other, self), _NO_PARAMS)
        ans = impl(other, value)
        if nondiff and not self.sees_nondiff:
            return ans
        return self.lift1(prim, ans, 1, (other, value), _NO_PARAMS)

    method.prim = prim  # type: ignore[attr-defined]  # batch boxes call it through bind
    return method


_methods: dict[str, Any] = {
    "__add__": ew.add, "__radd__": _swap(ew.add),
    "__sub__": ew.subtract, "__rsub__": _swap(ew.subtract),
    "__mul__": ew.multiply, "__rmul__": _swap(ew.multiply),
    "__truediv__": ew.divide, "__rtruediv__": _swap(ew.divide),
    "__floordiv__": ew.floor_divide, "__rfloordiv__": _swap(ew.floor_divide),
    "__mod__": ew.remainder, "__rmod__": _swap(ew.remainder),
    "__pow__": ew.power, "__rpow__": _rpow,
    "__matmul__": la.matmul, "__rmatmul__": _swap(la.matmul),
    "__neg__": ew.negative, "__pos__": ew.positive, "__abs__": ew.absolute,
    "__lt__": ew.less, "__le__": ew.less_equal, "__gt__": ew.greater,
    "__ge__": ew.greater_equal, "__eq__": ew.equal, "__ne__": ew.not_equal,
    "__hash__": object.__hash__,
    "__getitem__": sh.getitem, "__setitem__": _refuse_inplace,
    "__len__": _len, "__iter__": _iter, "__array__": _array,
    "__array_ufunc__": _array_ufunc, "__array_function__": _array_function,
    "__bool__": lambda self: concrete(self, bool),
    "__float__": lambda self: _to_python(self, "float"),
    "__int__": lambda self: concrete(self, int),
    "__complex__": lambda self: _to_python(self, "complex"),
    "__index__": lambda self: concrete(self, operator.index),
    "__repr__": _repr, "__str__": lambda self: str(_value(self)),
    "__format__": lambda self, spec: format(_value(self), spec),
    # methods
    "sum": red.sum, "mean": red.mean, "prod": red.prod, "max": red.max, "min": red.min,
    "var": red.var, "std": red.std, "cumsum": red.cumsum, "cumprod": red.cumprod,
    "ptp": red.ptp, "reshape": lambda self, *shape, **kw: sh.reshape(
        self, shape[0] if len(shape) == 1 else shape, **kw),
    "transpose": lambda self, *axes: sh.transpose(
        self, (axes[0] if len(axes) == 1 and not isinstance(axes[0], int) else axes) or None),
    "swapaxes": sh.swapaxes, "squeeze": sh.squeeze, "ravel": sh.ravel,
    "flatten": lambda self, order="C": sh.ravel(self, order),
    "astype": lambda self, dtype, **kw: sh.astype(self, dtype),
    "dot": la.dot, "trace": lambda self, *a, **k: _wnp().trace(self, *a, **k),
    "diagonal": lambda self, *a, **k: _wnp().diagonal(self, *a, **k),
    "conj": ew.conj, "conjugate": ew.conj, "clip": ew.clip,
    "item": lambda self, *a: concrete(self, _item) if not a else np.asarray(
        _value(self)).item(*a),  # a Python float too
    "tolist": lambda self: np.asarray(_value(self)).tolist(),
    "copy": lambda self: self,
    # ndarray methods that are wengert.numpy functions of the array
    **{name: (lambda name: lambda self, *a, **k: getattr(_wnp(), name)(self, *a, **k))(name)
       for name in ("all", "any", "argmax", "argmin", "argsort", "argpartition", "nonzero",
                    "searchsorted", "repeat", "round", "take", "choose")},
    # compress(condition, a, axis): the array is NumPy's second argument
    "compress": lambda self, condition, axis=None: _wnp().compress(condition, self, axis),
    # the ones that change the array in place
    **{name: (lambda name: lambda self, *a, **k: _refuse_method(name))(name)
       for name in ("sort", "partition", "fill", "put", "resize", "itemset")},
    "__copy__": lambda self: self,
    "__deepcopy__": lambda self, memo: self,
}

def _as_method(name: str, fn: Any) -> Any:
    """Primitives are callable objects, not functions: give them a ``self``."""
    if isinstance(fn, type(_as_method)) or fn is object.__hash__:
        return fn
    if isinstance(fn, Primitive) and name.startswith("__"):  # operators: the hot path
        if name in ("__neg__", "__pos__", "__abs__"):
            return lambda self: bind(fn, (self,), _NO_PARAMS)
        return _operator(fn)
    if name.startswith("__"):
        return lambda self, other: fn(self, other)
    return lambda self, *args, **kwargs: fn(self, *args, **kwargs)


for _name, _fn in _methods.items():
    setattr(Box, _name, _as_method(_name, _fn))

# ``ndarray <op> box`` reaches the box through __array_ufunc__; these go straight to the
# reflected operator.
_REFLECTED = {np.add: Box.__radd__, np.subtract: Box.__rsub__,  # type: ignore[attr-defined]
              np.multiply: Box.__rmul__, np.true_divide: Box.__rtruediv__,  # type: ignore
              np.matmul: Box.__rmatmul__}  # type: ignore[attr-defined]

# Batch boxes take every operator through bind (their batching rules compute the answer;
# the fast paths above would run the primitive on the batched value as it is).
for _name, _fn in _methods.items():
    if isinstance(_fn, Primitive) and _name.startswith("__") and _name != "__hash__":
        setattr(BatchBox, _name, (lambda p: lambda self, *o: p(self, *o))(_fn))
    elif getattr(_fn, "prim", None) is not None:  # the reflected ones: other <op> self
        setattr(BatchBox, _name, (lambda p: lambda self, o: p(o, self))(_fn.prim))
# Masks computed from batched values are batch boxes too: NumPy's mask operators on them.
for _name, _prim in [("__and__", ew.bitwise_and), ("__or__", ew.bitwise_or),
                     ("__xor__", ew.bitwise_xor)]:
    setattr(BatchBox, _name, (lambda p: lambda self, o: p(self, o))(_prim))
    setattr(BatchBox, "__r" + _name[2:], (lambda p: lambda self, o: p(o, self))(_prim))
BatchBox.__invert__ = lambda self: ew.invert(self)  # type: ignore[attr-defined]

def _shape(self: Box) -> tuple:
    v = self._value  # a lower box's shape is its own (a batch box leaves out its axis)
    return v.shape if type(v) is np.ndarray or isinstance(v, Box) else np.shape(v)  # type: ignore[union-attr]


def _dtype(self: Box) -> Any:
    v = unbox(self)
    return v.dtype if type(v) is np.ndarray else np.result_type(v)


_props: dict[str, Any] = {
    "shape": _shape,
    "ndim": lambda self: len(_shape(self)),
    "size": lambda self: int(np.prod(_shape(self))),
    "dtype": _dtype,
    "T": lambda self: sh.transpose(self),
    "mT": lambda self: sh.swapaxes(self, -1, -2),
    "real": lambda self: ew.real(self),
    "at": lambda self: _wnp().at(self),  # JAX-style x.at[idx].set(v)
    "imag": lambda self: ew.imag(self),
    "itemsize": lambda self: np.result_type(_value(self)).itemsize,
    "nbytes": lambda self: np.asarray(_value(self)).nbytes,
}
for _name, _fn in _props.items():
    setattr(Box, _name, property(_fn))
