"""Batching (``vmap``): one more interpreter, whose boxes carry a batch axis.

A :class:`BatchBox` holds a value with one extra axis, the batch axis, at position
``_bdim`` of that value; seen from the function it stands for one example, of the
shape without that axis.  Values with no batch axis are not boxed at all.  A primitive
applied to batch boxes does not run on the batched value as is: :meth:`BatchBox.process`
looks up the primitive's batching rule (``Primitive.batch``), which computes the
batched answer and says where its batch axis is.  Rules are written with primitives, so
the batched computation is itself differentiable and may be batched again (nested
``vmap``).  A primitive without a rule runs once per example (a Python loop) with a
one-time warning naming it.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .tracing import _SEQUENCES, Box

if TYPE_CHECKING:  # pragma: no cover
    from .primitive import Primitive

# Filled by the rule families (rules/_util.py): the shared elementwise rule maker and the
# per-example loop, both written with primitives that core does not import.
hooks: dict[str, Any] = {}
# The name of the function each vmap level runs, for error messages.
level_names: dict[int, str] = {}
_warned: set[str] = set()


class BatchBox(Box):
    """A batched value: ``_value`` has a batch axis of ``_size`` entries at ``_bdim``."""

    __slots__ = ("_bdim", "_size")
    sees_nondiff = True  # comparisons and floor are batched too
    defers = True  # bind must not run the primitive on the batched value: process() does

    def __init__(self, value: Any, level: int, bdim: int, size: int) -> None:
        self._value = value
        self._level = level
        self._bdim = bdim
        self._size = size

    # -- the example's view: shapes without the batch axis ----------------------------
    @property
    def shape(self) -> tuple:
        v = self._value
        s = v.shape if type(v) is np.ndarray or isinstance(v, Box) else np.shape(v)  # type: ignore[union-attr]
        d = self._bdim
        return s[:d] + s[d + 1:]

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    # -- the interpreter -------------------------------------------------------------
    @classmethod
    def process(cls, prim: Primitive, args: Sequence, params: dict, level: int) -> Any:
        """``prim(*args, **params)`` where some ``args`` are batch boxes of ``level``."""
        vals = []
        dims: list[int | None] = []
        size = 0
        for a in args:
            if isinstance(a, BatchBox) and a._level == level:
                vals.append(a._value)
                dims.append(a._bdim)
                size = a._size
            else:
                vals.append(np.asarray(a) if type(a) in _SEQUENCES else a)
                dims.append(None)
        rule = prim.batch_rule()
        if rule is None:
            out, out_dim = _loop(prim, vals, dims, size, params)
        else:
            out, out_dim = rule(vals, tuple(dims), **params)
        if prim.multiple_results:
            if out_dim is None or isinstance(out_dim, int):
                out_dim = (out_dim,) * len(out)
            return tuple(o if d is None else BatchBox(o, level, d, size)
                         for o, d in zip(out, out_dim))
        return out if out_dim is None else BatchBox(out, level, out_dim, size)

    def lift1(self, prim: Primitive, ans: Any, argnum: int, vals: Sequence,
              params: dict) -> Any:
        # Reached only by an elementwise primitive of this one batched value (Primitive's
        # fast path), whose answer on the batched value is already the batched answer.
        if prim.elementwise and len(vals) == 1:
            return BatchBox(ans, self._level, self._bdim, self._size)
        args = tuple(self if i == argnum else v for i, v in enumerate(vals))
        return self.process(prim, args, params, self._level)

    def lift2(self, prim: Primitive, ans: Any, second: Box, vals: Sequence,
              params: dict) -> Any:
        return self.process(prim, (self, second), params, self._level)

    @classmethod
    def lift(cls, prim: Primitive, ans: Any, args: tuple, vals: Sequence, params: dict,
             level: int) -> Any:
        return cls.process(prim, args, params, level)

    def __repr__(self) -> str:
        return f"BatchBox(size={self._size}, axis={self._bdim}, {self._value!r})"


def _loop(prim: Primitive, vals: list, dims: list, size: int, params: dict) -> tuple:
    """No batching rule: run the primitive once per example and stack the answers."""
    if prim.name not in _warned:
        _warned.add(prim.name)
        warnings.warn(
            f"vmap: primitive {prim.name!r} has no batching rule, so it runs once per "
            f"example in a Python loop (slow). Give it one with `{prim.name}.defbatch(rule)`.",
            UserWarning, stacklevel=4)
    return hooks["loop"](prim, vals, dims, size, params)


def refuse_concrete(box: Any, kind: Any) -> None:
    """``bool()``/``int()``/``item()`` of a batched value (``Box.refuse_concrete``): refused,
    since Python control flow cannot branch per example."""
    name = level_names.get(box._level, "f")
    what = getattr(kind, "__name__", "value").strip("_")
    raise TypeError(
        f"vmap({name}): {what}() of a batched value (Python control flow such as "
        f"`if x > 0`, `while`, `and`/`or`, or int()/float() on it). Its value differs "
        f"across the batch, so Python cannot take one branch. Choose per example "
        f"with wnp.where(condition, a, b), or pass the value with in_axes=None if "
        f"it is the same for every example.")


BatchBox.refuse_concrete = staticmethod(refuse_concrete)


def batched_value(x: Any) -> Any:
    """``x`` without its non-batch levels (the value a constant computed from ``x`` is
    made from): ``unbox`` when nothing is batched, else batch boxes around the value, so
    NumPy code on it (dispatched to wengert.numpy) computes per example."""
    if not isinstance(x, Box):
        return x
    inner = batched_value(x._value)
    if isinstance(x, BatchBox):
        return x if inner is x._value else BatchBox(inner, x._level, x._bdim, x._size)
    return inner


def has_batch(x: Any) -> bool:
    """Whether any level of ``x`` (or of an entry of a list or tuple) is batched."""
    if type(x) in _SEQUENCES:
        return any(has_batch(v) for v in x)
    while isinstance(x, Box):
        if isinstance(x, BatchBox):
            return True
        x = x._value
    return False


def per_example(fn: Any = None, *, watch: tuple[int, ...] | None = None) -> Any:
    """Decorate a composite function whose steps depend on values (sorting, NaN masks,
    indices): on batched arguments it runs once per example of the outermost batch and
    stacks the answers (with a one-time warning); a batch hidden under another
    transform's level (``vmap(grad(f))``) is refused with a clear error.  ``watch``: the
    positions of the arguments whose values matter (default: all); batched values
    elsewhere go through the function's primitives as usual."""
    if fn is None:
        return lambda f: per_example(f, watch=watch)
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        leaves = list(args) + list(kwargs.values())
        watched = leaves if watch is None else [args[i] for i in watch if i < len(args)]
        if not any(has_batch(a) for a in watched):
            return fn(*args, **kwargs)
        boxes = [b for b in _boxes(leaves)]
        top = max(boxes, key=lambda b: b._level)
        name = getattr(fn, "__name__", "f")
        if not isinstance(top, BatchBox):
            raise NotImplementedError(
                f"wengert.numpy.{name}: batching it under another transform (vmap of grad "
                f"or of jvp) is not supported; apply the transform to the vmapped function "
                f"instead (grad(vmap(f)) or jacrev), or loop over the examples")
        if name not in _warned:
            _warned.add(name)
            warnings.warn(f"vmap: wengert.numpy.{name} depends on values that differ "
                          f"across the batch (it sorts, masks or indexes by them), so it runs "
                          f"once per example (a Python loop)",
                          UserWarning, stacklevel=2)
        level, size = top._level, top._size

        def example(x: Any, i: int) -> Any:
            if isinstance(x, BatchBox) and x._level == level:
                return hooks["index"](x._value, x._bdim, i)
            if type(x) in _SEQUENCES:
                return type(x)(example(v, i) for v in x)
            return x
        outs = [fn(*[example(a, i) for a in args], **{k: example(v, i)
                                                       for k, v in kwargs.items()})
                for i in range(size)]
        return hooks["stack_tree"](outs, level, size)
    return wrapper


def _boxes(leaves: list) -> list:
    out = []
    for x in leaves:
        if type(x) in _SEQUENCES:
            out.extend(_boxes(list(x)))
        elif isinstance(x, Box):
            out.append(x)
    return out
