"""Boxes and levels: how a primitive call finds out who is watching.

Each transform (``grad``, ``jvp``, ``trace`` ...) opens a new *level*, a number
larger than every level opened before, and wraps its inputs in a :class:`Box`
subclass of its own.  When a primitive is called with boxes, :func:`bind`
handles the highest level first: it unboxes the arguments of that level, runs
the primitive on what is inside (which may itself hold boxes of lower levels,
handled by the same recursion) and hands the result to the box class, which
records it (reverse mode), pushes a tangent (forward mode) or logs it (trace).
Because a box only reacts to its own level, nested transforms never confuse
their perturbations.
"""

from __future__ import annotations

import gc
import itertools
import sys
import sysconfig
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .primitive import Primitive

_levels = itertools.count(2)  # level 1 is the eager tensor API's


def new_level() -> int:
    """A level higher than every level handed out so far."""
    return next(_levels)


class Box:
    """A traced value: ``_value`` (the primal, possibly a lower-level box) at ``_level``.

    Array-like behaviour (operators, ``.shape``, ``.T`` ...) is attached by
    :mod:`wengert.numpy`, so that every operation goes through a primitive.
    """

    __slots__ = ("_value", "_level")
    __array_priority__ = 100.0
    # Interpreters that record every call (``wengert.trace``) also want the
    # non-differentiable primitives (comparisons, floor, stop_gradient).
    sees_nondiff = False
    # ``guard(box, kind, result)``: told when this box's value becomes a Python
    # bool/int/float (``if``, ``while``, ``range``), so ``jit`` can check it on later calls.
    guard: Any = None
    # Interpreters whose box computes the answer itself (vmap's batching rules): bind
    # hands them the call before running the primitive on the values.
    defers = False
    # ``refuse_concrete(box, kind)``: raises when this box's value cannot become one Python
    # number (vmap: it differs across the batch); asked before any guard is recorded.
    refuse_concrete: Any = None

    def __init__(self, value: Any, level: int) -> None:
        self._value = value
        self._level = level

    @classmethod
    def lift(cls, prim: Primitive, ans: Any, args: tuple, vals: Sequence,
             params: dict, level: int) -> Any:  # pragma: no cover - abstract
        """Wrap ``ans = prim(*vals, **params)``, computed from ``args`` (some of them
        boxes of ``level``, this class), as this interpreter requires."""
        raise NotImplementedError

    # lift1 and lift2 are methods of the box (not class methods like lift): they run
    # on every primitive call, and a method call skips building a bound class method.
    def lift1(self, prim: Primitive, ans: Any, argnum: int, vals: Sequence,
              params: dict) -> Any:
        """``lift`` when this box, at position ``argnum``, is the only box among the
        arguments (``vals`` holds its value there), the most common call;
        interpreters may give it a faster path."""
        args = tuple(self if i == argnum else v for i, v in enumerate(vals))
        return type(self).lift(prim, ans, args, vals, params, self._level)

    def lift2(self, prim: Primitive, ans: Any, second: Box, vals: Sequence,
              params: dict) -> Any:
        """``lift`` for a binary call on this box and ``second``, a box of this class and
        level (``x * y``)."""
        return type(self).lift(prim, ans, (self, second), vals, params, self._level)


# How to turn a list or tuple holding traced values into one traced array (stacking its
# entries, like numpy.array does with numbers); the NumPy layer installs it.
pack_sequence: list[Any] = [None]
_SEQUENCES = (list, tuple)


def contains_box(obj: Any) -> bool:
    """Whether a (nested) list or tuple holds a traced value."""
    if isinstance(obj, Box):
        return True
    if type(obj) in _SEQUENCES:
        return any(contains_box(o) for o in obj)
    return False


def packed_args(args: tuple) -> tuple | None:
    """``args`` with every list or tuple that holds traced values made one traced array
    (NumPy reads such an argument as an array), or None if there is none."""
    if not any(type(a) in _SEQUENCES and contains_box(a) for a in args):
        return None
    return tuple(pack_sequence[0](a) if type(a) in _SEQUENCES and contains_box(a) else a
                 for a in args)


def bind(prim: Primitive, args: tuple, params: dict) -> Any:
    """Apply ``prim`` to ``args`` some of which are boxes."""
    top = 0
    cls: Any = None
    vals = []
    simple = True  # every box at one level, holding a plain value (the common case)
    for a in args:
        if isinstance(a, Box):
            level = a._level
            if level != top:
                if top:
                    simple = False
                if level > top:
                    top, cls = level, type(a)
            a = a._value
            if isinstance(a, Box):
                simple = False
        elif type(a) in _SEQUENCES:  # array_like: what the rules will read, an array
            if contains_box(a):
                return bind(prim, packed_args(args), params)  # type: ignore[arg-type]
            a = np.asarray(a)
        vals.append(a)
    if cls.defers:
        return cls.process(prim, args, params, top)
    if simple:
        ans = prim.impl(*vals, **params)
    else:  # unbox only the top level; lower levels are handled by the recursion
        vals = [a._value if isinstance(a, Box) and a._level == top else a for a in args]
        ans = prim(*vals, **params)
    if prim.nondiff and not cls.sees_nondiff:
        return ans
    if simple and len(args) == 1:
        return args[0].lift1(prim, ans, 0, vals, params)
    return cls.lift(prim, ans, args, vals, params, top)


# Writing into an array whose reference count proves it private (NumPy's "temporary
# elision") relies on how the interpreter counts references on its stack.  That is
# checked for CPython 3.10 to 3.13; CPython 3.14 borrows stack references, so a named
# array can show the count of a temporary there, and the free-threaded build splits its
# counts between threads.  Elsewhere the copies are kept.
EXACT_REFCOUNTS = (sys.implementation.name == "cpython" and sys.version_info < (3, 14)
                   and not sysconfig.get_config_var("Py_GIL_DISABLED"))
INPLACE_MIN_SIZE = 4096  # below this many entries a copy costs less than the checks


def accumulate(total: Any, term: Any, owners: int) -> Any:
    """``total + term``, added in place when ``total`` is an array nobody else holds.

    ``owners`` is how many references the caller itself holds (its variables
    and containers); one more than that, plus this call's own, proves the
    array is a private temporary.  Views, read-only arrays and a result that
    would need another shape or dtype are never written into.
    """
    if (type(total) is np.ndarray and total.size >= INPLACE_MIN_SIZE and EXACT_REFCOUNTS
            and sys.getrefcount(total) == owners + 2
            and total.base is None and total.flags.writeable
            and (type(term) is float or (type(term) is np.ndarray
                                         and term.shape == total.shape))
            and total.dtype == np.result_type(total, term)):
        return np.add(total, term, out=total)
    return total + term


def numpy_scalar(x: Any) -> Any:
    """A Python float, complex or int as NumPy's scalar, which gives inf or nan where
    Python's raises (``1.0 / 0.0``, ``1e200 ** 2``, ``1.0 / 0``); anything else unchanged."""
    t = type(x)
    if t is float:
        return np.float64(x)
    if t is complex:
        return np.complex128(x)
    if t is int and -(2 ** 63) <= x < 2 ** 63:
        return np.int64(x)
    return x


def call_rule(rule: Any, first: Any, ans: Any, args: Sequence, params: dict) -> Any:
    """``rule(first, ans, *args, **params)`` on NumPy scalars: the retry after Python's
    float arithmetic raised where NumPy's returns inf or nan."""
    return rule(numpy_scalar(first), numpy_scalar(ans), *[numpy_scalar(a) for a in args],
                **params)


def concrete(x: Any, kind: Any) -> Any:
    """``kind(value)`` (bool, int, operator.index ...) of a traced value, told to every
    interpreter in its nesting that records such decisions (a ``guard``)."""
    v = x
    while isinstance(v, Box):
        refuse = type(v).refuse_concrete
        if refuse is not None:
            refuse(v, kind)
        v = v._value
    result = kind(v)
    while isinstance(x, Box):
        hook = type(x).guard
        if hook is not None:
            hook(x, kind, result)
        x = x._value
    return result


def guards_only(x: Any) -> bool:
    """Whether every interpreter holding ``x`` records guards (no derivative to drop)."""
    while isinstance(x, Box):
        if type(x).guard is None:
            return False
        x = x._value
    return True


def unbox(x: Any) -> Any:
    """The plain value inside any number of boxes."""
    while isinstance(x, Box):
        x = x._value
    return x


def is_boxed(x: Any) -> bool:
    return isinstance(x, Box)


class collector_paused:
    """Pause Python's cycle collector while a graph is recorded or swept.

    The recorded graph is acyclic (nodes point only to their parents), so
    reference counting frees it; the collector's repeated scans of a growing
    graph only cost time (about 1.7x per operation at 100,000 operations).
    Cycles the user's code makes are collected once the transform returns.
    (A class, not a generator: this wraps every transform call.)
    """

    __slots__ = ("_was_enabled",)

    def __enter__(self) -> None:
        self._was_enabled = gc.isenabled()
        if self._was_enabled:
            gc.disable()

    def __exit__(self, *exc: Any) -> None:
        if self._was_enabled:
            gc.enable()
