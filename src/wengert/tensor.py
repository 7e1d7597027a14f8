"""A PyTorch-style tensor on the same engine: ``.backward()``, ``.grad``, ``.detach()``.

A :class:`Tensor` is a reverse-mode box at the eager level (level 1, below
every transform), so it uses the same primitives, the same rules and the same
backward pass as ``grad``.  Leaves created with ``requires_grad=True`` receive
their adjoint in ``.grad``, which accumulates across ``backward()`` calls
until ``zero_grad()``.  By default ``backward()`` frees the saved values of
the graph it went through, as PyTorch does.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import math
import sys
import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np

from .core.reverse import Meta, Node, VJPBox, backward_pass
from .core.tracing import EXACT_REFCOUNTS, Box, collector_paused, unbox

EAGER_LEVEL = 1
_grad_enabled = [True]
_new = object.__new__
_retained: weakref.WeakValueDictionary = weakref.WeakValueDictionary()  # retain_grad()
_hooks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # node -> [hook, ...]


class _LeafNode(Node):
    """A leaf tensor's node; it knows its tensor (weakly), to hand it its ``.grad``."""

    __slots__ = ("owner",)
    owner: weakref.ref


def _no_owner() -> None:
    return None


def _leaf_of(tensor: Tensor) -> _LeafNode:
    node: Any = _LeafNode.leaf()
    node.owner = weakref.ref(tensor)
    return node


class Tensor(VJPBox):
    """An array that records the operations applied to it when it requires grad."""

    __slots__ = ("_grad", "__weakref__")
    # Comparisons, floor, sign ... on tensors give tensors (that need no gradient).
    sees_nondiff = True

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        value = np.array(unbox(data), dtype=dtype)
        if requires_grad and value.dtype.kind not in "fc":
            raise TypeError(
                f"tensor: only float or complex tensors can require gradients, got dtype "
                f"{value.dtype}; pass float data (e.g. 1.0) or dtype=float")
        self._value, self._level, self._index, self._tape = value, EAGER_LEVEL, -1, None
        self._scale = None  # (tensors keep a node per operation: never a scaled box)
        self._node = _leaf_of(self) if requires_grad else None
        self._grad: Tensor | None = None

    # -- how the engine makes tensors -------------------------------------------------
    @classmethod
    def lift(cls, prim: Any, ans: Any, args: tuple, vals: Sequence, params: dict,
             level: int) -> Any:
        if prim.nondiff or not _grad_enabled[0]:
            if prim.multiple_results:
                return tuple(cls._constant(a, level) for a in ans)
            return cls._constant(ans, level)
        return super().lift(prim, ans, args, vals, params, level)

    def lift1(self, prim: Any, ans: Any, argnum: int, vals: Sequence,
              params: dict) -> Any:
        if prim.nondiff or not _grad_enabled[0]:
            return Tensor._constant(ans, EAGER_LEVEL) if not prim.multiple_results else tuple(
                Tensor._constant(a, EAGER_LEVEL) for a in ans)
        return super().lift1(prim, ans, argnum, vals, params)

    def lift2(self, prim: Any, ans: Any, second: Any, vals: Sequence,
              params: dict) -> Any:
        if prim.nondiff or not _grad_enabled[0]:
            return Tensor.lift(prim, ans, (self, second), vals, params, EAGER_LEVEL)
        return super().lift2(prim, ans, second, vals, params)

    @classmethod
    def _make(cls, value: Any, level: int, node: Node, index: int,
              tape: list | None = None) -> Tensor:
        t = _new(cls)
        t._value = value
        t._level = level
        t._node = node
        t._index = index
        t._grad = None
        t._tape = None  # eager tensors keep no tape: their graph is freed with them
        t._scale = None
        return t

    @classmethod
    def _constant(cls, ans: Any, level: int) -> Any:
        t = _new(cls)
        t._value = ans
        t._level = level
        t._node = None
        t._index = -1
        t._grad = None
        t._tape = None
        t._scale = None
        return t

    # -- PyTorch's API ------------------------------------------------------------------
    @property
    def grad(self) -> Tensor | None:
        """The accumulated gradient (a tensor of this tensor's shape), or ``None``."""
        return self._grad

    @grad.setter
    def grad(self, value: Any) -> None:
        if value is not None:
            value = value if isinstance(value, Tensor) else Tensor(value)
            if np.shape(value._value) != np.shape(self._value):
                raise ValueError(f"Tensor.grad: assigned a gradient of shape "
                                 f"{np.shape(value._value)} to a tensor of shape "
                                 f"{np.shape(self._value)}; they must match")
        self._grad = value

    @property
    def requires_grad(self) -> bool:
        return self._node is not None

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    @property
    def is_leaf(self) -> bool:
        return self._node is None or self._node.prim is None

    @property
    def grad_fn(self) -> str | None:
        """The name of the primitive that made this tensor (``None`` for leaves)."""
        node = self._node
        return None if node is None or node.prim is None else node.prim.name

    @property
    def data(self) -> np.ndarray:
        """The underlying array (no gradient tracking)."""
        return self._value

    @data.setter
    def data(self, value: Any) -> None:
        self._value = np.asarray(unbox(value))

    def zero_(self) -> Tensor:
        """Set every entry to 0 (for ``x.grad.zero_()``, inf and nan included); like the
        other in-place updates, refused on a leaf that requires grad unless under
        ``no_grad``."""
        if _grad_enabled[0] and self.requires_grad:
            return self._inplace(np.multiply, 0.0)  # recorded: a graph sees 0·x
        private = self._private_value()
        if private is None:
            self._value = np.zeros_like(self._value)
        else:
            private[...] = 0
        return self

    def numpy(self) -> np.ndarray:
        if self.requires_grad:
            raise RuntimeError("Tensor.numpy(): this tensor requires grad; call "
                               "tensor.detach().numpy() to take its value")
        return np.asarray(self._value)

    def detach(self) -> Tensor:
        """The same values, cut from the graph (shares memory until either is updated in
        place: then the updated one gets an array of its own, see the README)."""
        return Tensor._constant(self._value, EAGER_LEVEL)

    def clone(self) -> Tensor:
        """A copy with its own array; differentiable (gradients flow back to ``self``)."""
        from .rules.shape import copy_p
        if self._node is not None and _grad_enabled[0]:
            return copy_p(self)  # type: ignore[no-any-return]
        return Tensor._constant(np.array(self._value, copy=True), EAGER_LEVEL)

    def copy(self) -> Tensor:
        """NumPy's name for :meth:`clone`."""
        return self.clone()

    def __copy__(self) -> Tensor:
        return self.clone()

    def __deepcopy__(self, memo: dict) -> Tensor:
        """A new leaf with copies of the values (and of ``.grad``), as PyTorch's deepcopy;
        only leaves can be copied this way."""
        if not self.is_leaf:
            raise RuntimeError("deepcopy: only leaf tensors (made by wengert.tensor, or "
                               "detached) can be deep-copied; use t.detach().clone()")
        new = Tensor(self._value, requires_grad=self.requires_grad)
        if self._grad is not None:
            new._grad = Tensor._constant(np.array(self._grad._value, copy=True), EAGER_LEVEL)
        memo[id(self)] = new
        return new

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if not self.is_leaf and requires_grad:
            return self  # already requires grad, as PyTorch allows
        if not self.is_leaf:
            raise RuntimeError("requires_grad_: only leaf tensors can change requires_grad; "
                               "use detach() for a non-leaf")
        if requires_grad and self._node is None:
            if np.result_type(self._value).kind not in "fc":
                raise TypeError("requires_grad_: only float or complex tensors can require "
                                "gradients")
            self._node = _leaf_of(self)
        elif not requires_grad and self._node is not None:
            self._node.owner = _no_owner  # type: ignore[attr-defined]  # graphs made before
            self._node = None                                       # fill no .grad now
        return self

    def retain_grad(self) -> None:
        """Make ``backward()`` fill ``.grad`` of this non-leaf tensor too (leaves always get
        theirs)."""
        if self._node is None:
            raise RuntimeError("retain_grad: this tensor does not require grad")
        if self._node.prim is not None:
            if self._index >= 0:
                raise NotImplementedError(
                    "retain_grad: not supported for one output of a multiple-output operation")
            _retained[self._node] = self

    def register_hook(self, hook: Any) -> Any:
        """Call ``hook(grad)`` with this tensor's gradient each time a backward pass
        computes it, before it is used (a leaf's, before it is added to ``.grad``); a
        tensor it returns replaces the gradient.  Returns a handle with ``.remove()``."""
        if self._node is None:
            raise RuntimeError("register_hook: this tensor does not require grad, so no "
                               "gradient will reach it")
        if self._index >= 0:
            raise NotImplementedError("register_hook: not supported for one output of a "
                                      "multiple-output operation")
        hooks = _hooks.setdefault(self._node, [])
        hooks.append(hook)
        return _HookHandle(hooks, hook)

    @property
    def retains_grad(self) -> bool:
        return self._node is not None and _retained.get(self._node) is self

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (``.grad`` becomes ``None``)."""
        self.grad = None

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad``.

        A non-scalar tensor needs ``gradient=``, the cotangent to pull back (of
        this tensor's shape).  The graph's saved values are freed afterwards
        unless ``retain_graph=True``.  With ``create_graph=True`` the backward
        pass is itself recorded, so the ``.grad`` it leaves can be differentiated
        again (and the graph is kept).  ``inputs`` limits which tensors get a ``.grad``.
        """
        if self._node is None:
            raise RuntimeError("backward: this tensor does not require grad and has no graph; "
                               "create its inputs with requires_grad=True")
        seed = _seed("backward", self, gradient, "gradient")
        wanted = None if inputs is None else _as_tensors("backward", inputs, "inputs")
        if wanted is not None and not wanted:
            raise RuntimeError("backward: inputs= is an empty list; leave it out to fill "
                               "every leaf's .grad, or list the tensors to fill")
        retained = ({node: t for node, t in _retained.items() if t._node is node}
                    if len(_retained) else {})
        keep = None
        if wanted is not None:  # non-leaf inputs are filled like retained ones
            keep = {id(t) for t in wanted} | {id(t) for t in retained.values()}
            retained = {**retained, **{t._node: t for t in wanted
                                       if t._node is not None and not t.is_leaf}}
        leaves = _pull([(self, seed)], retained, retain_graph, create_graph)
        given: set[int] = {id(unbox(seed))}  # arrays a .grad must not share
        for node, g in leaves.items():
            owner = node.owner() if type(node) is _LeafNode else retained.get(node)
            if owner is None or keep is not None and id(owner) not in keep:
                continue
            _accumulate_grad(owner, g, given, create_graph)

    def item(self) -> Any:
        return np.asarray(self._value).item()

    # A tensor's Python number is its value, as in PyTorch (a constant from then on).
    def __float__(self) -> float:
        return float(self._value)

    def __complex__(self) -> complex:
        return complex(self._value)

    def __repr__(self) -> str:
        extra = ""
        if self.grad_fn is not None:
            extra = f", grad_fn={self.grad_fn}"
        elif self.requires_grad:
            extra = ", requires_grad=True"
        body = np.array2string(np.asarray(self._value), separator=", ", prefix="tensor(")
        return f"tensor({body}{extra})"

    # -- interplay with plain NumPy -----------------------------------------------------
    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if self.requires_grad and _grad_enabled[0]:
            Box.__array__(self)  # type: ignore[attr-defined]  # raises: drops the derivative
        if copy:  # np.array(t) asks for its own copy (NumPy 2 passes copy=True)
            return np.array(self._value, dtype=dtype, copy=True)
        return np.asarray(self._value, dtype=dtype)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        tracked = any(isinstance(x, Box) and getattr(x, "_node", None) is not None
                      for x in inputs)
        if kwargs.get("out") is None and (tracked and _grad_enabled[0]):
            return Box.__array_ufunc__(  # type: ignore[attr-defined]
                self, ufunc, method, *inputs, **kwargs)
        if tracked and _grad_enabled[0]:
            Box.__setitem__(self, None, None)  # type: ignore[attr-defined,index]  # refuse
        plain = [unbox(x) for x in inputs]
        if "out" in kwargs:
            kwargs["out"] = tuple(unbox(o) for o in kwargs["out"])
            getattr(ufunc, method)(*plain, **kwargs)
            return kwargs["out"][0] if len(kwargs["out"]) == 1 else kwargs["out"]
        out = getattr(ufunc, method)(*plain, **kwargs)
        return Tensor._constant(out, EAGER_LEVEL)

    def _inplace(self, ufunc: Any, other: Any) -> Tensor:
        if _grad_enabled[0] and (self.requires_grad or _tracked(other)):
            if self.is_leaf and self.requires_grad:
                raise RuntimeError(
                    "in-place update of a leaf tensor that requires grad; wrap it in "
                    "`with wengert.no_grad():` (e.g. for a parameter update) or use x = x + v")
            _check_inplace_shape(self, other)
            if np.result_type(self._value).kind not in "fc":
                raise RuntimeError(
                    f"in-place update of a {np.result_type(self._value)} tensor by a value "
                    f"that requires grad: its result cannot be stored in it; make the "
                    f"tensor float (e.g. wengert.tensor(0.0))")
            result = ufunc(self, other)
            if np.result_type(result._value) != np.result_type(self._value):
                from .rules.shape import astype
                result = astype(result, np.result_type(self._value))
            return self._become(result)  # this tensor now stands for the recorded result
        _check_inplace_shape(self, other)
        private = self._private_value()
        shared = private is None
        # shared: give this tensor a new array instead
        value = np.array(self._value, copy=True) if private is None else private
        try:
            ufunc(value, unbox(other), out=value)
        except TypeError as exc:  # NumPy's casting error, said for tensors
            raise RuntimeError(
                f"in-place {ufunc.__name__} of a {value.dtype} tensor: the result (dtype "
                f"{np.result_type(value, unbox(other))}) cannot be stored in it; use "
                f"x = x + v for a new tensor") from exc
        if shared:
            self._value = value
        return self

    def _become(self, result: Tensor) -> Tensor:
        """Make this tensor object the (recorded) ``result`` of an in-place operation, as
        PyTorch's in-place ops do: other names for it see the new value, and the graph
        that used the old value keeps the old value."""
        retained = self._node is not None and _retained.get(self._node) is self
        self._value, self._node, self._index = result._value, result._node, result._index
        if retained and self._node is not None:
            _retained[self._node] = self
        return self

    def _private_value(self) -> np.ndarray | None:
        """The array to update in place, or None where an in-place update could change
        values a recorded graph saved (any other reference to the array: a graph, a
        detached tensor, a NumPy view), or the value is no writeable array.

        PyTorch updates in place and makes a later backward() through such a graph
        fail; here the tensor gets a new array, so every gradient stays right.
        """
        value = self._value
        # References: this tensor, the local name, getrefcount's argument.
        if (type(value) is np.ndarray and EXACT_REFCOUNTS and sys.getrefcount(value) == 3
                and value.base is None and value.flags.writeable):
            return value
        return None

    def __iadd__(self, other: Any) -> Tensor:
        return self._inplace(np.add, other)

    def __isub__(self, other: Any) -> Tensor:
        return self._inplace(np.subtract, other)

    def __imul__(self, other: Any) -> Tensor:
        return self._inplace(np.multiply, other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self._inplace(np.divide, other)

    def __setitem__(self, idx: Any, value: Any) -> None:
        if _grad_enabled[0] and (self.requires_grad or _tracked(value)):
            if self.is_leaf and self.requires_grad:
                raise RuntimeError(
                    "item assignment to a leaf tensor that requires grad; wrap it in "
                    "`with wengert.no_grad():`, or build a new tensor with "
                    "`wengert.numpy.at(x)[idx].set(v)`")
            from .rules.indexing import at
            self._become(at(self)[unbox(idx)].set(value))
            return
        if self._private_value() is None:
            self._value = np.array(self._value)  # a copy: see _private_value
        self._value[unbox(idx)] = unbox(value)


def _tracked(x: Any) -> bool:
    return isinstance(x, Tensor) and x._node is not None


def _check_inplace_shape(t: Tensor, other: Any) -> None:
    shape = np.shape(t._value)
    try:
        ok = np.broadcast_shapes(shape, np.shape(unbox(other))) == shape
    except ValueError:
        ok = False
    if not ok:
        raise RuntimeError(f"in-place update of a tensor of shape {shape} by a value of "
                           f"shape {np.shape(unbox(other))}: the result would not keep the "
                           f"tensor's shape; use x = x + v for a new tensor")


# -- PyTorch's method names -----------------------------------------------------------------
def _torch_methods() -> dict[str, Any]:
    """Methods with PyTorch's names, each a wengert.numpy function (so one set of rules)."""
    import wengert.numpy as numpy_api
    wnp: Any = numpy_api

    from .rules.special import expit

    def unary(fn: Any) -> Any:
        return lambda self: fn(self)

    def reduction(fn: Any) -> Any:  # dim/keepdim (PyTorch) or axis/keepdims (NumPy)
        def method(self: Tensor, dim: Any = None, keepdim: bool = False, *,
                   axis: Any = None, keepdims: bool = False) -> Any:
            return fn(self, axis=dim if axis is None else axis, keepdims=keepdim or keepdims)
        return method

    def view(self: Tensor, *shape: Any) -> Any:
        return wnp.reshape(self, shape[0] if len(shape) == 1 and not isinstance(
            shape[0], int) else shape)

    def size(self: Tensor, dim: int | None = None) -> Any:
        shape = np.shape(self._value)
        return shape if dim is None else shape[dim]

    def inplace(ufunc: Any) -> Any:
        return lambda self, other: self._inplace(ufunc, other)

    # PyTorch's subgradients at the kinks: relu'(0) = 0, and clamp passes the gradient
    # on its bounds (maximum/minimum would split it in half there, as JAX does).
    def relu(self: Tensor) -> Any:
        return wnp.where(self._value > 0, self, 0.0)

    def clamp(self: Tensor, min: Any = None, max: Any = None) -> Any:  # noqa: A002
        value = self._value
        inside = np.ones(np.shape(value), dtype=bool)
        if min is not None:
            inside &= value >= unbox(min)
        if max is not None:
            inside &= value <= unbox(max)
        return wnp.where(inside, self, np.clip(value, unbox(min), unbox(max)))

    return {
        "exp": unary(wnp.exp), "log": unary(wnp.log), "sin": unary(wnp.sin),
        "cos": unary(wnp.cos), "tan": unary(wnp.tan), "tanh": unary(wnp.tanh),
        "sqrt": unary(wnp.sqrt), "abs": unary(wnp.abs), "neg": unary(wnp.negative),
        "log1p": unary(wnp.log1p), "expm1": unary(wnp.expm1), "square": unary(wnp.square),
        "sigmoid": unary(expit), "relu": relu,
        "pow": lambda self, p: self ** p, "add": lambda self, o: self + o,
        "sub": lambda self, o: self - o, "mul": lambda self, o: self * o,
        "div": lambda self, o: self / o, "matmul": lambda self, o: self @ o,
        "mm": lambda self, o: self @ o,
        "clamp": clamp,
        "sum": reduction(wnp.sum), "mean": reduction(wnp.mean), "prod": reduction(wnp.prod),
        "view": view, "size": size, "dim": lambda self: np.ndim(self._value),
        "numel": lambda self: int(np.size(self._value)),
        "t": lambda self: wnp.transpose(self),
        "unsqueeze": lambda self, dim: wnp.expand_dims(self, dim),
        "permute": lambda self, *dims: wnp.transpose(
            self, dims[0] if len(dims) == 1 and not isinstance(dims[0], int) else dims),
        "float": lambda self: wnp.astype(self, np.float32),
        "double": lambda self: wnp.astype(self, np.float64),
        "add_": inplace(np.add), "sub_": inplace(np.subtract), "mul_": inplace(np.multiply),
        "div_": inplace(np.divide),
    }


def _install_torch_methods() -> None:
    for name, method in _torch_methods().items():
        setattr(Tensor, name, method)


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """Make a :class:`Tensor` (a copy of ``data``), like ``torch.tensor``."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


class _GradMode:
    """A context manager and decorator that sets grad mode and restores it on exit.

    Re-entrant (one instance may be entered again, e.g. by a recursive decorated
    function), usable as ``@no_grad`` or ``@no_grad()``, and a decorated generator
    function runs its body under the mode too, as in PyTorch.
    """

    enabled = False
    _prev: list[bool]

    def __new__(cls, fn: Any = None) -> Any:
        self = super().__new__(cls)
        self._prev = []
        return self(fn) if callable(fn) else self  # bare @no_grad

    def __enter__(self) -> None:
        self._prev.append(_grad_enabled[0])
        _grad_enabled[0] = self.enabled

    def __exit__(self, *exc: Any) -> None:
        _grad_enabled[0] = self._prev.pop()

    def __call__(self, fn: Any) -> Any:
        mode = type(self)
        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def generator(*args: Any, **kwargs: Any) -> Any:
                gen = fn(*args, **kwargs)
                step: Any = (gen.send, None)  # resume the body under the mode, each time
                while True:
                    with mode():
                        try:
                            item = step[0](step[1])
                        except StopIteration as stop:
                            return stop.value
                    try:
                        step = (gen.send, (yield item))
                    except GeneratorExit:
                        with mode():
                            gen.close()
                        raise
                    except BaseException as exc:  # thrown in: the body may catch it
                        step = (gen.throw, exc)
            return generator

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with mode():
                return fn(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):
    """Inside it, operations on tensors are not recorded (context manager or decorator)."""

    enabled = False


class inference_mode(_GradMode):
    """PyTorch's name for a block that records nothing; here the same as ``no_grad``."""

    enabled = False


class enable_grad(_GradMode):
    """Turn recording back on inside a ``no_grad`` block."""

    enabled = True


class set_grad_enabled:
    """Set grad mode now (``set_grad_enabled(False)``) or for a block (``with
    set_grad_enabled(training): ...``), as ``torch.set_grad_enabled``."""

    def __init__(self, mode: bool) -> None:
        self._prev = _grad_enabled[0]
        _grad_enabled[0] = bool(mode)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: Any) -> None:
        _grad_enabled[0] = self._prev


def is_grad_enabled() -> bool:
    return _grad_enabled[0]


def zero_grad(tensors: Any) -> None:
    """Reset ``.grad`` of every tensor in an iterable."""
    for t in tensors:
        t.grad = None


# -- backward passes ----------------------------------------------------------------------
def _seed(fname: str, out: Tensor, gradient: Any, what: str) -> Any:
    """The cotangent to start from: ``gradient``, or 1 for a one-element output."""
    shape = np.shape(out._value)
    if gradient is None:
        if shape and math.prod(shape) != 1:
            raise RuntimeError(
                f"{fname}: the tensor has shape {shape}, so the gradient is not implied; "
                f"pass {what}= (an array of shape {shape}), or reduce it first, "
                f"e.g. y.sum().backward()")
        return (1.0 if type(out._value) in (float, np.float64)
                else np.ones(shape, dtype=np.result_type(out._value)))
    if not isinstance(gradient, Tensor) or gradient._node is None:
        gradient = unbox(gradient)
    if not isinstance(gradient, (int, float, complex, np.generic, np.ndarray, Box)) \
            or isinstance(gradient, (bool, np.bool_)):
        raise TypeError(f"{fname}: {what} is {type(gradient).__name__}, not an array or a "
                        f"number; pass the cotangent, an array of shape {shape}")
    if np.shape(unbox(gradient)) != shape:
        raise ValueError(f"{fname}: {what} has shape {np.shape(unbox(gradient))}, but the "
                         f"tensor has shape {shape}")
    return gradient


def _as_tensors(fname: str, xs: Any, what: str) -> list[Tensor]:
    if not isinstance(xs, Tensor) and (isinstance(xs, (str, bytes))
                                       or not hasattr(xs, "__iter__")):
        raise TypeError(f"{fname}: {what} must be a Tensor or a sequence of Tensors, got "
                        f"{type(xs).__name__}")
    items = [xs] if isinstance(xs, Tensor) else list(xs)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(f"{fname}: {what}[{i}] is a {type(t).__name__}, not a Tensor")
    return items


def _rebox(node: Node) -> tuple:
    """A node's saved values as tensors on the graph that made them, so that the rules
    record what they compute (``create_graph=True``)."""
    args = list(node.args)
    for argnum, parent, index, _ in node.parents:
        value = args[argnum]
        if type(value) is not Meta:  # an argument the rules do not read stays as it is
            args[argnum] = Tensor._make(value, EAGER_LEVEL, parent, index)
    ans = node.ans
    if node.prim.multiple_results:  # type: ignore[union-attr]
        ans = tuple(a if type(a) is Meta else Tensor._make(a, EAGER_LEVEL, node, i)
                    for i, a in enumerate(ans))
    elif type(ans) is not Meta:
        ans = Tensor._make(ans, EAGER_LEVEL, node, -1)
    return ans, tuple(args)


class _HookHandle:
    def __init__(self, hooks: list, hook: Any) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _run_hooks(node: Node, g: Any) -> Any:
    """The sweep's view of ``register_hook``: each hook gets the gradient as a tensor.

    A hook may keep what it is given, or return an array the user holds: the sweep then
    goes on with a copy, so no later in-place update (a leaf's ``.grad``) reaches them.
    """
    hooks = _hooks.get(node)
    if not hooks:
        return g
    for hook in list(hooks):
        traced = isinstance(g, Tensor)
        out = hook(g if traced else Tensor._constant(g, EAGER_LEVEL))
        if out is not None:
            if not traced and isinstance(out, Tensor) and out._node is None:
                out = out._value
            if np.shape(unbox(out)) != np.shape(unbox(g)):
                raise RuntimeError(f"register_hook: the hook returned a gradient of shape "
                                   f"{np.shape(unbox(out))} for a tensor whose gradient has "
                                   f"shape {np.shape(unbox(g))}")
            g = out
    return g.copy() if type(g) is np.ndarray else g  # (numbers are immutable anyway)


def _pull(seeds: list, retained: dict, retain_graph: bool | None,
          create_graph: bool) -> dict:
    """Sweep back from ``[(tensor, cotangent)]``: the adjoints of the leaves reached and
    of the ``retained`` non-leaf nodes."""
    adjoints: dict = {}
    observer = None
    if retained:
        for out, seed in seeds:
            if out._node in retained:
                adjoints[out._node] = seed

        def observer(node: Node, argnum: int, parent: Node, contribution: Any) -> None:
            if parent in retained:
                prev = adjoints.get(parent)
                adjoints[parent] = contribution if prev is None else prev + contribution
    if retain_graph is None:
        retain_graph = create_graph  # as PyTorch: a graph to differentiate again is kept
    grad_mode = enable_grad() if create_graph else contextlib.nullcontext()
    with collector_paused(), grad_mode:
        leaves = backward_pass([(out._node, out._index, seed) for out, seed in seeds],
                               free=not retain_graph, observer=observer,
                               rebox=_rebox if create_graph else None,
                               hook=_run_hooks if len(_hooks) else None)
    leaves.update(adjoints)
    return leaves


def _accumulate_grad(owner: Tensor, g: Any, given: set[int], create_graph: bool) -> None:
    """``owner.grad += g``: in place into the gradient array the tensor owns (so a
    reference to ``.grad`` sees it, as in PyTorch), or a private copy of ``g`` (an
    adjoint may be shared by several leaves, be the seed, or be a broadcast view).
    With ``create_graph`` the sum is a new tensor, as in PyTorch."""
    traced = isinstance(g, Tensor) and g._node is not None
    old = owner._grad
    if traced:
        g = _as_gradient(g, owner)
        owner._grad = g if old is None else old + g
        return
    value = _as_gradient(g, owner)._value
    if (not create_graph and old is not None and old._node is None
            and type(old._value) is np.ndarray
            and old._value.flags.writeable and old._value.shape == value.shape):
        np.add(old._value, value, out=old._value, casting="unsafe")
        return
    value = unbox(old) + value if old is not None else _private(value, given)
    owner._grad = Tensor._constant(value, EAGER_LEVEL)


def _private(value: Any, given: set[int]) -> np.ndarray:
    """``value`` as an array no other gradient of this pass shares (``given``: the ids
    handed out so far, and the seed's), writeable and not a view; copied if need be."""
    if (type(value) is not np.ndarray or value.base is not None
            or not value.flags.writeable or id(value) in given):
        value = np.array(value, copy=True)
    given.add(id(value))
    return value


def _as_gradient(g: Any, like: Tensor) -> Tensor:
    """An adjoint as a tensor of ``like``'s shape and dtype (recorded if it is traced)."""
    value = like._value
    shape = np.shape(value)
    dtype = value.dtype if type(value) is np.ndarray else np.result_type(value)
    if isinstance(g, Tensor) and g._node is not None:
        from .rules import shape as sh  # the rules need the tensor module's names first
        if np.shape(g._value) != shape:
            g = sh.broadcast_to(g, shape)
        return g if np.result_type(g._value) == dtype else sh.astype(g, dtype)
    g = np.asarray(unbox(g), dtype=dtype)
    if g.shape != shape:
        g = np.broadcast_to(g, shape).copy()
    return Tensor._constant(g, EAGER_LEVEL)


def tensor_grad(outputs: Any, inputs: Any, grad_outputs: Any = None,
                retain_graph: bool | None = None, create_graph: bool = False,
                allow_unused: bool = False) -> tuple:
    """The gradients of ``outputs`` with respect to ``inputs``, as ``torch.autograd.grad``.

    Returns one tensor per input and leaves every ``.grad`` alone.  ``grad_outputs``
    gives the cotangent of each non-scalar output.  With ``create_graph=True`` the
    gradients are themselves differentiable (Hessian-vector products, gradient
    penalties).  An input the outputs do not depend on is an error unless
    ``allow_unused=True``, which gives ``None`` for it.
    """
    outs = _as_tensors("tensor_grad", outputs, "outputs")
    ins = _as_tensors("tensor_grad", inputs, "inputs")
    if grad_outputs is None:
        grad_outputs = [None] * len(outs)
    elif isinstance(outputs, Tensor):  # one output: its cotangent alone
        grad_outputs = [grad_outputs]
    if len(grad_outputs) != len(outs):
        raise ValueError(f"tensor_grad: {len(grad_outputs)} grad_outputs for {len(outs)} "
                         f"outputs; give one per output")
    seeds = []
    for i, (out, g) in enumerate(zip(outs, grad_outputs)):
        if out._node is None:
            raise RuntimeError(f"tensor_grad: outputs[{i}] does not require grad and has no "
                               f"graph")
        seeds.append((out, _seed("tensor_grad", out, g, "grad_outputs")))
    for i, t in enumerate(ins):
        if t._node is None:
            raise RuntimeError(f"tensor_grad: inputs[{i}] does not require grad; create it "
                               f"with requires_grad=True")
    targets = {t._node: t for t in ins if not t.is_leaf}
    found = _pull(seeds, targets, retain_graph, create_graph)
    given = {id(unbox(seed)) for _, seed in seeds}  # arrays a result must not share
    result: list[Tensor | None] = []
    for i, t in enumerate(ins):
        g = found.get(t._node)
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"tensor_grad: inputs[{i}] was not used to compute the "
                                   f"outputs; pass allow_unused=True to get None for it")
            result.append(None)
        else:
            grad = _as_gradient(g, t)
            if grad._node is None:
                grad = Tensor._constant(_private(grad._value, given), EAGER_LEVEL)
            result.append(grad)
    return tuple(result)

