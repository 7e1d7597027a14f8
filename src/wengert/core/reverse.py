"""Reverse mode: record the graph as the program runs, then sweep it backwards.

Every primitive applied to a :class:`VJPBox` adds a :class:`Node` holding what
its VJP rule needs (the primitive, its arguments, its answer) and its parents.
The backward pass visits the nodes reachable from the output in reverse
creation order (creation order is a topological order), pops each node's
adjoint, and pushes the contributions ``rule(adjoint, ...)`` to its parents,
where they accumulate (``v̄ += ...``).  The sweep is a loop, not a recursion,
so a chain of a million operations is fine.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterable, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np

from .tracing import EXACT_REFCOUNTS, INPLACE_MIN_SIZE, Box, accumulate, call_rule

if TYPE_CHECKING:  # pragma: no cover
    from .primitive import Primitive

_next_seq = itertools.count().__next__
_new = object.__new__
_NO_PARAMS: dict = {}
_SCALARS = frozenset({float, np.float64})
_ndarray = np.ndarray  # a global name: faster than np.ndarray on the hot paths
# Constants a scaled pass-through takes (real scalars: the product keeps x's dtype).
_SCALES = frozenset({float, int, np.float64, np.float32})


class Meta:
    """Shape and dtype of an array the VJP rule does not need to read."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape: tuple, dtype: Any) -> None:
        self.shape = shape
        self.dtype = dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))


# Arrays smaller than this are kept even when the VJP rule does not read them:
# wrapping them would cost more time than their memory is worth.
_META_MIN_SIZE = 4096


def _meta(x: Any) -> Any:
    if type(x) is np.ndarray and x.size >= _META_MIN_SIZE:
        return Meta(x.shape, x.dtype)
    return x


def _saved_args(prim: Primitive, vals: Sequence, parents: list) -> Sequence:
    """The arguments the VJP rules of the traced arguments will read; the rest as Meta."""
    if not prim.keep_args:
        return [_meta(v) for v in vals]
    reads = prim.vjp_reads
    if reads is None:
        return vals
    need: set[int] = set()
    for argnum, _, _, _ in parents:
        need.update(reads[argnum])
    return [v if i in need else _meta(v) for i, v in enumerate(vals)]


class Node:
    """One equation of the recorded graph: ``ans = prim(*args, **params)``."""

    # ``seq`` orders the nodes of eager tensors (which have no tape) for the sweep.
    __slots__ = ("prim", "args", "params", "ans", "parents", "seq", "adjoint", "__weakref__")

    def __init__(self, prim: Primitive | None, args: Any, params: dict, ans: Any,
                 parents: tuple) -> None:
        self.prim = prim
        self.args = args
        self.params = params
        self.ans = ans
        # ((argnum, parent_node, parent_output_index, scale), ...): the contribution to the
        # parent is the rule's times ``scale`` (None: 1), for an argument that was its
        # parent's value times a constant (a scaled pass-through, x * c, made no node).
        self.parents = parents
        self.seq = _next_seq()
        self.adjoint: Any = None  # set during a backward sweep only

    @classmethod
    def leaf(cls) -> Node:
        """An input's node: no primitive, no parents."""
        node = _new(cls)
        node.prim = node.ans = node.adjoint = None
        node.args = node.parents = ()
        node.params = _NO_PARAMS
        node.seq = _next_seq()
        return node


class VJPBox(Box):
    """A value being recorded for reverse mode: which node made it, which output.

    Under a transform every node of the level is also appended to the level's
    ``tape`` (a list: the Wengert list in creation order), which the backward
    sweep walks backwards without sorting.  Eager tensors have no tape; their
    sweep sorts the nodes reachable from the output instead.
    """

    # ``_scale``: None, or c when this value is its node's output times the constant c.
    __slots__ = ("_node", "_index", "_tape", "_scale")

    def __init__(self, value: Any, level: int, node: Node | None, index: int = -1,
                 tape: list | None = None) -> None:
        self._value = value
        self._level = level
        self._node = node
        self._index = index
        self._tape = tape
        self._scale = None
        if tape is not None and node is not None:
            tape.append(node)

    @classmethod
    def lift(cls, prim: Primitive, ans: Any, args: tuple, vals: Sequence, params: dict,
             level: int) -> Any:
        # The hot path of recording (every primitive call): plain loops, no helpers.
        parents = []
        tape = None
        i = 0
        for a in args:
            if isinstance(a, VJPBox) and a._level == level:
                node = a._node
                if node is not None:
                    parents.append((i, node, a._index, a._scale))
                    tape = a._tape
            i += 1
        if not parents:
            return cls._constant(ans, level)
        saved_args = vals
        if prim.trims_args:
            for v in vals:  # only arrays worth dropping are replaced by their Meta
                if type(v) is np.ndarray and v.size >= _META_MIN_SIZE:
                    saved_args = _saved_args(prim, vals, parents)
                    break
        if prim.multiple_results:
            saved_ans = ans if prim.keep_ans else tuple(_meta(v) for v in ans)
            node = Node(prim, saved_args, params, saved_ans, tuple(parents))
            if tape is not None:
                tape.append(node)
            return tuple(cls._make(v, level, node, i, tape) for i, v in enumerate(ans))
        # Node(...) spelled out: a Python __init__ call is a third of recording's cost.
        node = _new(Node)
        node.prim = prim
        node.args = saved_args
        node.params = params
        node.parents = tuple(parents)
        node.adjoint = None
        if prim.keep_ans or type(ans) is not np.ndarray or ans.size < _META_MIN_SIZE:
            node.ans = ans
        else:
            node.ans = Meta(ans.shape, ans.dtype)
        if tape is not None:
            tape.append(node)
        else:
            node.seq = _next_seq()
        if cls is VJPBox:
            box = _new(VJPBox)
            box._value = ans
            box._level = level
            box._node = node
            box._index = -1
            box._tape = tape
            box._scale = None
            return box
        return cls._make(ans, level, node, -1, tape)

    def lift1(self, prim: Primitive, ans: Any, argnum: int, vals: Sequence,
              params: dict) -> Any:
        # lift() for a single traced argument, the common case: a third of its cost.
        parent = self._node
        if parent is None or prim.multiple_results:
            return super().lift1(prim, ans, argnum, vals, params)
        # Steps that need no node: x + c (the identity, `passthrough`) and x * c with a
        # real constant (`scaling`: the box carries c), when the answer has x's shape and
        # dtype; the answer's box then shares x's node.
        scale = self._scale
        through = prim.passthrough
        if through is not None and argnum in through:
            shares = type(self) is VJPBox
        else:
            scaling = prim.scaling
            shares = (scaling is not None and argnum in scaling and type(self) is VJPBox
                      and scale is None and type(vals[1 - argnum]) in _SCALES)
            if shares:
                scale = vals[1 - argnum]
        if shares:
            value = vals[argnum]
            if type(ans) is type(value) and (type(ans) is float or (
                    type(ans) is _ndarray and ans.shape == value.shape
                    and ans.dtype is value.dtype)):
                out = _new(VJPBox)
                out._value = ans
                out._level = self._level
                out._node = parent
                out._index = self._index
                out._tape = self._tape
                out._scale = scale
                return out
        # Only arrays of _META_MIN_SIZE entries or more are worth trimming; an elementwise
        # primitive's arguments are no larger than its answer, so one check may do.
        big = type(ans) is _ndarray and ans.size >= _META_MIN_SIZE
        saved_args = vals
        if prim.trims_args and (big or not prim.elementwise):
            for v in vals:
                if type(v) is _ndarray and v.size >= _META_MIN_SIZE:
                    saved_args = _saved_args(prim, vals, [(argnum, parent, -1, None)])
                    break
        node = _new(Node)
        node.prim = prim
        node.args = saved_args
        node.params = params
        node.parents = ((argnum, parent, self._index, self._scale),)
        node.adjoint = None
        node.ans = Meta(ans.shape, ans.dtype) if big and not prim.keep_ans else ans
        tape = self._tape
        if tape is not None:
            tape.append(node)
        else:
            node.seq = _next_seq()
        if type(self) is VJPBox:
            out = _new(VJPBox)
            out._value = ans
            out._level = self._level
            out._node = node
            out._index = -1
            out._tape = tape
            out._scale = None
            return out
        return self._make(ans, self._level, node, -1, tape)

    def lift2(self, prim: Primitive, ans: Any, second: Box, vals: Sequence,
              params: dict) -> Any:
        # lift() for two traced arguments (x * y): lift1's path with two parents.
        n0 = self._node
        n1 = second._node  # type: ignore[attr-defined]
        v0, v1 = vals
        if n0 is None or n1 is None or prim.multiple_results or prim.trims_args and (
                type(v0) is np.ndarray and v0.size >= _META_MIN_SIZE
                or type(v1) is np.ndarray and v1.size >= _META_MIN_SIZE):
            return super().lift2(prim, ans, second, vals, params)
        node = _new(Node)
        node.prim = prim
        node.args = vals
        node.params = params
        node.parents = ((0, n0, self._index, self._scale),  # type: ignore[attr-defined]
                        (1, n1, second._index, second._scale))  # type: ignore[attr-defined]
        node.adjoint = None
        if prim.keep_ans or type(ans) is not np.ndarray or ans.size < _META_MIN_SIZE:
            node.ans = ans
        else:
            node.ans = Meta(ans.shape, ans.dtype)
        tape = self._tape
        if tape is not None:
            tape.append(node)
        else:
            node.seq = _next_seq()
        if type(self) is VJPBox:
            out = _new(VJPBox)
            out._value = ans
            out._level = self._level
            out._node = node
            out._index = -1
            out._tape = tape
            out._scale = None
            return out
        return self._make(ans, self._level, node, -1, tape)

    @classmethod
    def _make(cls, value: Any, level: int, node: Node, index: int, tape: list | None) -> Any:
        box = cls(value, level, node, index)
        box._tape = tape
        return box

    @classmethod
    def _constant(cls, ans: Any, level: int) -> Any:
        return ans


def toposort(roots: Iterable[Node]) -> list[Node]:
    """Nodes reachable from ``roots``, latest first (a reverse topological order)."""
    seen = set(roots)
    stack = list(seen)
    order = []
    push, add = stack.append, seen.add
    while stack:
        node = stack.pop()
        order.append(node)
        for _, parent, _, _ in node.parents:
            if parent not in seen:
                add(parent)
                push(parent)
    order.sort(key=_seq_key, reverse=True)
    return order


_seq_key = attrgetter("seq")


def _add_output(slot: list | None, node: Node, index: int, ct: Any) -> list:
    """Accumulate the adjoint of one output of a multiple-result node."""
    if slot is None:
        slot = [None] * len(node.ans)
    slot[index] = ct if slot[index] is None else slot[index] + ct
    return slot


Observer = Callable[[Node, int, Node, Any], None]


def backward_pass(seeds: Iterable[tuple[Node, int, Any]], *, tape: list | None = None,
                  free: bool = False, observer: Observer | None = None,
                  rebox: Callable[[Node], tuple] | None = None,
                  hook: Callable[[Node, Any], Any] | None = None) -> dict:
    """Propagate adjoints from ``seeds`` = ``[(node, output_index, cotangent)]``.

    Returns ``{leaf_node: adjoint}`` for the leaves (inputs) reached.  With
    ``free=True`` each node drops what it saved once it has been used (the
    tensor API's default).  ``observer(node, argnum, parent, contribution)`` is
    told of every accumulation (used by the trace views).  With the level's
    ``tape`` (which holds every node the seeds depend on) the nodes are visited
    in reverse tape order; without it, the reachable nodes are sorted.

    A node's adjoint lives in its ``adjoint`` slot only during the sweep (a slot
    is cheaper than a dictionary); the sweep leaves every slot empty again.

    ``rebox(node) -> (ans, args)`` gives the rules traced versions of a node's saved
    values, so that the sweep itself is recorded (the tensor API's
    ``create_graph=True``: a derivative that can be differentiated again).
    ``hook(node, adjoint) -> adjoint`` sees each node's complete adjoint before it is
    used, and may replace it (the tensor API's ``register_hook``).
    """
    for node, index, ct in seeds:
        if index < 0:
            prev = node.adjoint
            node.adjoint = ct if prev is None else prev + ct
        else:
            node.adjoint = _add_output(node.adjoint, node, index, ct)
    order: Iterable[Node] = (reversed(tape) if tape is not None
                             else toposort([node for node, _, _ in seeds]))
    try:
        return _sweep(order, free, observer, rebox, False, hook)
    except BaseException:
        for node in (tape if tape is not None else order):  # leave no adjoints behind
            node.adjoint = None
        raise


def sweep_tape(tape: list) -> None:
    """``backward_pass`` for a graph used once whose output node already holds its seed
    adjoint (``value_and_grad``'s common case): the tape walked backwards, freeing; the
    leaves' adjoints stay in their ``adjoint`` slots for the caller to take."""
    try:
        _sweep(reversed(tape), True, None, None, True)
    except BaseException:
        for node in tape:
            node.adjoint = None
        raise


def _scaled(ct: Any, scale: Any) -> Any:
    """``ct * scale``: in place when ``ct`` is a large array only the sweep holds (3
    references: the sweep's, this frame's, getrefcount's)."""
    if (type(ct) is _ndarray and ct.size >= INPLACE_MIN_SIZE and EXACT_REFCOUNTS
            and sys.getrefcount(ct) == 3 and ct.base is None and ct.flags.writeable
            and np.result_type(ct, scale) == ct.dtype):
        return np.multiply(ct, scale, out=ct)
    return ct * scale


def _sweep(order: Iterable[Node], free: bool, observer: Observer | None,
           rebox: Callable[[Node], tuple] | None = None, in_place: bool = False,
           hook: Callable[[Node, Any], Any] | None = None) -> dict:
    """The backward loop; returns ``{leaf: adjoint}`` (with ``in_place``, the leaves keep
    their adjoints in their slots instead, for the caller to take)."""
    leaves: dict = {}
    for node in order:
        g = node.adjoint
        if g is None:
            continue
        if hook is not None:
            g = hook(node, g)
        prim = node.prim
        if prim is None:
            if not in_place:
                leaves[node] = g
                node.adjoint = None
            continue
        node.adjoint = None
        args = node.args
        if args is None:
            raise RuntimeError(
                "wengert: trying to go backward through a graph a second time; its saved "
                "values were freed by the first backward(). Pass retain_graph=True to the "
                "first call if you need to go backward twice.")
        if prim.multiple_results:
            g = tuple(g)
        params, ans, rules = node.params, node.ans, prim.vjps
        if rebox is not None:
            ans, args = rebox(node)
        elif in_place:  # a graph used once: its saved values are released before the
            node.args = node.ans = None  # rules run, which may then reuse their memory
        # Rules of one or two arguments are called with them spelled out: a call with
        # *args costs three times as much, and this is the sweep's inner loop.
        arity = 0 if params else len(args)
        for argnum, parent, index, scale in node.parents:
            try:
                rule = rules[argnum]  # type: ignore[index]
            except (TypeError, IndexError):
                rule = None
            if rule is None:
                rule = prim.vjp_rule(argnum)
            try:
                if arity == 2:
                    ct = rule(g, ans, args[0], args[1])
                elif arity == 1:
                    ct = rule(g, ans, args[0])
                else:
                    ct = rule(g, ans, *args, **params) if params else rule(g, ans, *args)
            except (ZeroDivisionError, OverflowError):  # Python floats; NumPy gives inf/nan
                ct = call_rule(rule, g, ans, args, params)
            if ct is None:
                continue
            if scale is not None:
                ct = _scaled(ct, scale)
            if observer is not None:
                observer(node, argnum, parent, ct)
            if index < 0:
                prev = parent.adjoint
                # v̄ₚ += contribution; in place when the adjoint is a private array
                if prev is None:
                    parent.adjoint = ct
                elif type(prev) in _SCALARS:
                    parent.adjoint = prev + ct
                else:
                    parent.adjoint = accumulate(prev, ct, 2)
            else:
                parent.adjoint = _add_output(parent.adjoint, parent, index, ct)
            ct = None  # hold no stale reference: a rule may reuse an adjoint only it holds
        if free:
            node.args = node.ans = None
    return leaves
