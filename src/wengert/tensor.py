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


class _LeafNode(Node):
    """A leaf tensor's node; it knows its tensor (weakly), to hand it its ``.grad``."""

    __slots__ = ("owner",)
    owner: weakref.ref


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

    @classmethod
    def lift1(cls, prim: Any, ans: Any, box: Any, argnum: int, vals: Sequence,
              params: dict) -> Any:
        if prim.nondiff or not _grad_enabled[0]:
            return cls._constant(ans, EAGER_LEVEL) if not prim.multiple_results else tuple(
                cls._constant(a, EAGER_LEVEL) for a in ans)
        return super().lift1(prim, ans, box, argnum, vals, params)

    @classmethod
    def lift2(cls, prim: Any, ans: Any, first: Any, second: Any, vals: Sequence,
              params: dict) -> Any:
        if prim.nondiff or not _grad_enabled[0]:
            return cls.lift(prim, ans, (first, second), vals, params, EAGER_LEVEL)
        return super().lift2(prim, ans, first, second, vals, params)

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
        """Set every entry to 0 (for ``x.grad.zero_()``); like the other in-place updates,
        refused on a tensor that requires grad unless under ``no_grad``."""
        return self._inplace(np.multiply, 0.0)

    def numpy(self) -> np.ndarray:
        if self.requires_grad:
            raise RuntimeError("Tensor.numpy(): this tensor requires grad; call "
                               "tensor.detach().numpy() to take its value")
        return np.asarray(self._value)

    def detach(self) -> Tensor:
        """The same values, cut from the graph (shares memory)."""
        return Tensor._constant(self._value, EAGER_LEVEL)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if not self.is_leaf:
            raise RuntimeError("requires_grad_: only leaf tensors can change requires_grad; "
                               "use detach() for a non-leaf")
        if requires_grad and self._node is None:
            if np.result_type(self._value).kind not in "fc":
                raise TypeError("requires_grad_: only float or complex tensors can require "
                                "gradients")
            self._node = _leaf_of(self)
        elif not requires_grad:
            self._node = None
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
        retained = ({node: t for node, t in _retained.items() if t._node is node}
                    if len(_retained) else {})
        if wanted is not None:  # non-leaf inputs are filled like retained ones
            retained = {t._node: t for t in wanted if t._node is not None and not t.is_leaf}
        leaves = _pull([(self, seed)], retained, retain_graph, create_graph)
        keep = None if wanted is None else {id(t) for t in wanted}
        for node, g in leaves.items():
            owner = node.owner() if type(node) is _LeafNode else retained.get(node)
            if owner is None or keep is not None and id(owner) not in keep:
                continue
            g = _as_gradient(g, owner)
            old = owner._grad
            owner._grad = g if old is None else (
                old + g if isinstance(g, Tensor) and g._node is not None
                else Tensor._constant(old._value + g._value, EAGER_LEVEL))

    def item(self) -> Any:
        return np.asarray(self._value).item()

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
        if self.requires_grad and _grad_enabled[0]:
            if self.is_leaf:
                raise RuntimeError(
                    "in-place update of a leaf tensor that requires grad; wrap it in "
                    "`with wengert.no_grad():` (e.g. for a parameter update) or use x = x + v")
            return ufunc(self, other)  # a new node; the name now points to it
        value = self._private_value()
        if value is None:  # shared: give this tensor a new array instead
            self._value = ufunc(self._value, unbox(other))
        else:
            ufunc(value, unbox(other), out=value)
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
        if self.requires_grad and _grad_enabled[0]:
            Box.__setitem__(self, idx, value)  # type: ignore[attr-defined,index]
        if self._private_value() is None:
            self._value = np.array(self._value)  # a copy: see _private_value
        self._value[unbox(idx)] = unbox(value)


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """Make a :class:`Tensor` (a copy of ``data``), like ``torch.tensor``."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


class no_grad(contextlib.ContextDecorator):
    """Inside it, operations on tensors are not recorded (context manager or decorator)."""

    def __enter__(self) -> None:
        self._prev = _grad_enabled[0]
        _grad_enabled[0] = False

    def __exit__(self, *exc: Any) -> None:
        _grad_enabled[0] = self._prev


class enable_grad(contextlib.ContextDecorator):
    """Turn recording back on inside a ``no_grad`` block."""

    def __enter__(self) -> None:
        self._prev = _grad_enabled[0]
        _grad_enabled[0] = True

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
    if np.shape(unbox(gradient)) != shape:
        raise ValueError(f"{fname}: {what} has shape {np.shape(unbox(gradient))}, but the "
                         f"tensor has shape {shape}")
    return gradient


def _as_tensors(fname: str, xs: Any, what: str) -> list[Tensor]:
    items = [xs] if isinstance(xs, Tensor) else list(xs)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(f"{fname}: {what}[{i}] is a {type(t).__name__}, not a Tensor")
    return items


def _rebox(node: Node) -> tuple:
    """A node's saved values as tensors on the graph that made them, so that the rules
    record what they compute (``create_graph=True``)."""
    args = list(node.args)
    for argnum, parent, index in node.parents:
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
                               rebox=_rebox if create_graph else None)
    leaves.update(adjoints)
    return leaves


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
    result: list[Tensor | None] = []
    for i, t in enumerate(ins):
        g = found.get(t._node)
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"tensor_grad: inputs[{i}] was not used to compute the "
                                   f"outputs; pass allow_unused=True to get None for it")
            result.append(None)
        else:
            result.append(_as_gradient(g, t))
    return tuple(result)

