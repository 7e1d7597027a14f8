"""Rematerialisation: ``checkpoint(f)`` keeps only ``f``'s inputs and recomputes the rest.

Reverse mode keeps every intermediate value of a function until the backward pass has
read it.  ``checkpoint(f)`` records one node for the whole call instead, whose saved
values are ``f``'s inputs; its VJP rule runs ``f`` again at the same level, records
that segment then and sweeps it at once, so its intermediate values live only while
the segment's own backward pass runs (``jax.checkpoint``, ``torch.utils.checkpoint``).
The recomputed segment is spliced into the sweep in progress: traced values ``f``
closes over (a model's weights) get their adjoints in their own nodes, as if ``f`` had
not been wrapped.  Forward mode (and any other interpreter) just runs ``f``.

``policy=`` keeps chosen intermediate values after all (JAX's ``checkpoint_policies``):
the forward pass then runs ``f`` under a recorder that lists its primitive calls and
keeps the answers the policy names, and the backward pass replays that list,
computing only the answers that were not kept.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from ..core.primitive import Primitive
from ..core.reverse import Meta, Node, VJPBox, _add_output, _next_seq, _sweep
from ..core.tracing import Box, new_level, unbox
from ..core.tree import tree_flatten
from ..rules._util import defprim
from ._common import value_dtype
from .custom import _top_box

Policy = Callable[..., bool]

__all__ = ["checkpoint", "remat", "checkpoint_sequential", "checkpoint_name",
           "checkpoint_policies"]


# -- names and policies -----------------------------------------------------------------
name_p = defprim("checkpoint_name", lambda x, name: x, keep_args=False, keep_ans=False,
                 elementwise=True)
name_p.defjvp(lambda t, ans, x, name: name_p(t, name=name))
name_p.defvjp(lambda g, ans, x, name: g)


def checkpoint_name(x: Any, name: str) -> Any:
    """``x`` itself, tagged ``name`` for ``save_only_these_names`` (JAX's name)."""
    if not isinstance(name, str):
        raise TypeError(f"checkpoint_name: name must be a str, got {type(name).__name__}")
    return name_p(x, name=name) if isinstance(x, Box) else x


def nothing_saveable(prim: Primitive, *args: Any, **params: Any) -> bool:
    """Keep nothing but the inputs: recompute the whole function (the default)."""
    return False


def everything_saveable(prim: Primitive, *args: Any, **params: Any) -> bool:
    """Keep every answer: nothing is recomputed and no memory saved (for comparison)."""
    return True


def dots_saveable(prim: Primitive, *args: Any, **params: Any) -> bool:
    """Keep the answers of contractions (matmul, tensordot, einsum: primitives whose rules
    file marks them ``contraction``), recompute the cheap operations between them."""
    return bool(prim.__dict__.get("contraction", False))


def save_only_these_names(*names: str) -> Policy:
    """Keep only the values tagged with one of ``names`` by :func:`checkpoint_name`."""
    wanted = frozenset(names)

    def policy(prim: Primitive, *args: Any, **params: Any) -> bool:
        return prim is name_p and params.get("name") in wanted
    return policy


def save_any_names_but_these(*names: str) -> Policy:
    """Keep every value tagged by :func:`checkpoint_name` except those named here."""
    unwanted = frozenset(names)

    def policy(prim: Primitive, *args: Any, **params: Any) -> bool:
        return prim is name_p and params.get("name") not in unwanted
    return policy


class checkpoint_policies:
    """JAX's policies: ``policy(prim, *args, **params) -> bool`` says whether to keep the
    answer of one primitive call inside the checkpointed function."""

    nothing_saveable = staticmethod(nothing_saveable)
    everything_saveable = staticmethod(everything_saveable)
    dots_saveable = staticmethod(dots_saveable)
    checkpoint_dots = staticmethod(dots_saveable)
    save_only_these_names = staticmethod(save_only_these_names)
    save_any_names_but_these = staticmethod(save_any_names_but_these)


# -- the forward recorder (with a policy only) --------------------------------------------
class _Program:
    """The primitive calls of one checkpointed call, with the answers kept."""

    def __init__(self, policy: Policy, level: int) -> None:
        self.policy, self.level = policy, level
        self.eqns: list = []  # (prim, params, [(is_ref, ref or constant)], out refs, kept)
        self.n_refs = 0
        self.outs: list = []  # (is_ref, ref or constant) per output leaf
        self.mixed: set = set()  # nodes of the checkpoint's level the listed calls made


class _RecordBox(Box):
    """A value inside the checkpointed function while its primitive calls are listed."""

    __slots__ = ("_ref", "_program")
    sees_nondiff = True  # comparisons and the like are listed (and replayed) too
    _ref: int
    _program: _Program

    @classmethod
    def lift(cls, prim: Primitive, ans: Any, args: tuple, vals: Sequence, params: dict,
             level: int) -> Any:
        program: _Program = next(a._program for a in args
                                 if isinstance(a, _RecordBox) and a._level == level)
        ins = [(True, a._ref) if isinstance(a, _RecordBox) and a._level == level
               else (False, a) for a in args]
        outs = list(ans) if prim.multiple_results else [ans]
        keep = program.policy(prim, *vals, **params)
        kept = [_strip(o, program.level) for o in outs] if keep else None
        for o in outs:  # nodes of the checkpoint's level made here are recomputed later
            if isinstance(o, VJPBox) and o._level == program.level and o._node is not None:
                program.mixed.add(o._node)
        boxes = [_record_box(o, level, program, cls) for o in outs]
        program.eqns.append((prim, params, ins, [b._ref for b in boxes], kept))
        return tuple(boxes) if prim.multiple_results else boxes[0]


@functools.lru_cache(maxsize=1)
def _tensor_record_box() -> type:
    """A recording box with the tensor's PyTorch method names (``h.tanh()``)."""
    from ..tensor import _torch_methods
    return type("_TensorRecordBox", (_RecordBox,),
                {"__slots__": (), **_torch_methods()})


def _record_box(value: Any, level: int, program: _Program, cls: type = _RecordBox
                ) -> _RecordBox:
    box = cls(value, level)
    box._ref, box._program = program.n_refs, program
    program.n_refs += 1
    return box


def _replay(program: _Program, inputs: list, level: int, cls: Any) -> list:
    """Run the listed calls on ``inputs``; a kept answer is not computed again, only
    recorded (at ``level``) beside the arguments its rules read."""
    env: dict = dict(enumerate(inputs))
    for prim, params, ins, refs, kept in program.eqns:
        args = tuple(env[x] if is_ref else x for is_ref, x in ins)
        if kept is None:
            ans = prim(*args, **params)
        else:
            ans = tuple(kept) if prim.multiple_results else kept[0]
            if not prim.nondiff and any(isinstance(a, VJPBox) and a._level == level
                                        and a._node is not None for a in args):
                ans = cls.lift(prim, ans, args, [_strip(a, level) for a in args], params,
                               level)
        for r, a in zip(refs, ans if prim.multiple_results else (ans,)):
            env[r] = a
    return [env[x] if is_ref else x for is_ref, x in program.outs]


# -- the checkpointed call ----------------------------------------------------------------
def _strip(x: Any, level: int) -> Any:
    return x._value if isinstance(x, Box) and x._level == level else x


def _inexact(v: Any) -> bool:
    v = unbox(v)
    return isinstance(v, (float, complex, np.ndarray, np.generic)) and \
        value_dtype(v).kind in "fc"


class _Segment:
    """What one checkpointed call keeps for its backward pass, beside its inputs."""

    __slots__ = ("fun", "rebuild", "n_in", "diff", "tracked", "out_meta", "boxed",
                 "program", "level", "cls", "has_tape", "tape", "n_parents", "left", "g",
                 "cts")

    def __init__(self, fun: Callable[..., Any], rebuild: Callable[[list], tuple],
                 flat: list, diff: list, program: _Program | None, level: int, cls: Any,
                 values: list, boxed: list, tape: list | None, n_outside: int) -> None:
        self.fun, self.rebuild, self.program = fun, rebuild, program
        self.level, self.cls = level, cls
        self.n_in, self.diff, self.boxed = len(flat), diff, boxed
        self.tracked = {i for i, x in enumerate(flat) if isinstance(x, Box) and x._level == level}
        self.out_meta = [(np.shape(unbox(values[j])), value_dtype(values[j])) for j in boxed]
        self.has_tape = tape is not None
        # The tape is needed again only when closed-over values put their nodes on it (the
        # reference makes a cycle, node -> segment -> tape, left to the cycle collector).
        self.tape = tape if n_outside and tape is not None else None
        self.n_parents = len(diff) + n_outside
        self.left = 0
        self.g: Any = None
        self.cts: dict = {}

    def run(self, inputs: list) -> list:
        if self.program is not None:
            return _replay(self.program, [inputs[i] for i in self.diff], self.level,
                           self.cls)
        inputs = [self.cls._constant(x, self.level) if i in self.tracked and i not in
                  self.diff else x for i, x in enumerate(inputs)]
        return tree_flatten(_call(self.fun, self.rebuild(inputs)))[0]


def _call(fun: Callable[..., Any], call: tuple) -> Any:
    args, kwargs = call
    return fun(*args, **kwargs)


def _vjp_rule(argnum: int, g: tuple, ans: Any, *args: Any, seg: _Segment) -> Any:
    if seg.g is not g:  # once per sweep, for all the node's parents
        seg.g, seg.cts, seg.left = g, _recompute(seg, g, args), seg.n_parents
    ct = seg.cts.pop(argnum, None)
    seg.left -= 1
    if seg.left <= 0:
        seg.g, seg.cts = None, {}  # hold no cotangents once every parent has had its share
    return ct


segment_p = Primitive("checkpoint", lambda *a, **k: None, multiple_results=True,
                      keep_ans=False)
segment_p.defvjp_argnum(_vjp_rule)
_PLACEHOLDER = Meta((), np.dtype(np.float64))  # the node's argument for a closed-over value


def _recompute(seg: _Segment, g: tuple, args: tuple) -> dict:
    """Record the segment again at its level and sweep it with the cotangents ``g``:
    ``{argnum: cotangent}`` for its inputs; closed-over values get theirs in their nodes."""
    level, cls = seg.level, seg.cls
    inputs = list(args[:seg.n_in])
    reboxed = False
    tape: list | None = None
    if seg.has_tape:  # nodes go on the closed-over values' tape, or a list of their own
        tape = seg.tape if seg.tape is not None else []
    start, seq0 = (len(tape) if tape is not None else 0), _next_seq()
    fresh = []
    for i in seg.diff:
        if isinstance(inputs[i], VJPBox) and inputs[i]._level == level:
            reboxed = True  # a sweep being recorded (create_graph): the box continues its graph
            continue
        leaf = Node.leaf()
        fresh.append((i, leaf))
        inputs[i] = cls._make(inputs[i], level, leaf, -1, tape)
    with _recording_enabled(cls):
        outs = seg.run(inputs)
    if tape is not None:
        made = tape[start:]
        del tape[start:]
    else:
        made = _made_since(seq0, [o._node for o in outs
                                  if isinstance(o, VJPBox) and o._level == level])
    for k, j in enumerate(seg.boxed):
        o = outs[j]
        if isinstance(o, VJPBox) and o._level == level and o._node is not None:
            ct = g[k]
            if ct is None:
                shape, dtype = seg.out_meta[k]
                ct = np.zeros(shape, dtype)
            if o._scale is not None:
                ct = ct * o._scale
            node, index = o._node, o._index
            if index < 0:
                node.adjoint = ct if node.adjoint is None else node.adjoint + ct
            else:
                node.adjoint = _add_output(node.adjoint, node, index, ct)
    del outs
    rebox = None
    if reboxed:
        from ..tensor import _rebox
        rebox = _rebox
    order = [leaf for _, leaf in fresh] + made
    del made
    # (a recorded sweep's derivative reads the recomputed nodes again: keep their values)
    leaves = _sweep(reversed(order), rebox is None, None, rebox, False, None)
    return {i: leaves.get(leaf) for i, leaf in fresh}


def _made_since(seq0: int, roots: list) -> list:
    """The nodes (not leaves) reachable from ``roots`` made since ``seq0``, in creation
    order."""
    seen = {id(n): n for n in roots if n.seq >= seq0}
    stack = list(seen.values())
    while stack:
        for _, parent, _, _ in stack.pop().parents:
            if id(parent) not in seen and getattr(parent, "seq", -1) >= seq0:
                seen[id(parent)] = parent
                stack.append(parent)
    return sorted((n for n in seen.values() if n.prim is not None), key=lambda n: n.seq)


class _recording_enabled:
    """Tensors record only with grad enabled: the recomputation must record."""

    def __init__(self, cls: Any) -> None:
        self.mode: Any = None
        if getattr(cls, "sees_nondiff", False) and hasattr(cls, "requires_grad"):
            from ..tensor import enable_grad
            self.mode = enable_grad()

    def __enter__(self) -> None:
        if self.mode is not None:
            self.mode.__enter__()

    def __exit__(self, *exc: Any) -> None:
        if self.mode is not None:
            self.mode.__exit__(*exc)


def _forward(fun: Callable[..., Any], policy: Policy | None, flat: list,
             rebuild: Callable[[list], tuple], out_def_box: list, level: int,
             cls: Any) -> list:
    """Run the call once, and record one node for it at ``level``: the output leaves."""
    vals = [_strip(x, level) for x in flat]
    diff = [i for i, x in enumerate(flat)
            if isinstance(x, VJPBox) and x._level == level and x._node is not None]
    tape = next((x._tape for x in flat if isinstance(x, VJPBox) and x._level == level),
                None)
    start, seq0 = (len(tape) if tape is not None else 0), _next_seq()
    program = None
    if policy is None:  # (a tensor's function sees tensors, detached from the graph)
        out_flat, out_def = tree_flatten(_call(fun, rebuild(_as_constants(vals, flat, level,
                                                                          cls))))
    else:
        program = _Program(policy, level)
        inner = new_level()
        boxed = _as_constants(vals, flat, level, cls)
        kind = _tensor_record_box() if hasattr(cls, "requires_grad") else _RecordBox
        for i in diff:
            boxed[i] = _record_box(cls._constant(vals[i], level), inner, program, kind)
        out_flat, out_def = tree_flatten(_call(fun, rebuild(boxed)))
        program.outs = [(True, o._ref) if isinstance(o, _RecordBox) and o._level == inner
                        else (False, o) for o in out_flat]
        out_flat = [_strip(o, inner) for o in out_flat]
    out_def_box.append(out_def)
    # Nodes of this level made during the call (operations on closed-over traced values)
    # are recomputed by the backward pass; what they read from outside is a parent.
    if program is not None:
        mixed = program.mixed
        made: Callable[[Any], bool] = mixed.__contains__
    elif tape is not None:
        ids = {id(n) for n in tape[start:]}
        made = lambda n: id(n) in ids  # noqa: E731
    else:
        made = lambda n: getattr(n, "seq", -1) >= seq0  # noqa: E731
    outside = _outside_parents(out_flat, level, made)
    if tape is not None:
        tape[start:] = [n for n in tape[start:] if not made(n)]
    values = [_strip(o, level) for o in out_flat]
    if not diff and not outside:
        return out_flat  # nothing of this level reaches the outputs
    boxed_outs = [j for j, v in enumerate(values) if _inexact(v)]
    values = [v if j in boxed_outs else o for j, (v, o) in enumerate(zip(values, out_flat))]
    seg = _Segment(fun, rebuild, flat, diff, program, level, cls, values, boxed_outs, tape,
                   len(outside))
    parents = tuple((i, flat[i]._node, flat[i]._index, flat[i]._scale) for i in diff) + \
        tuple((len(flat) + k, n, idx, None) for k, (n, idx) in enumerate(outside))
    node = Node(segment_p, tuple(vals) + (_PLACEHOLDER,) * len(outside), {"seg": seg},
                tuple(Meta(*m) for m in seg.out_meta), parents)
    if tape is not None:
        tape.append(node)
    for k, j in enumerate(boxed_outs):
        values[j] = cls._make(values[j], level, node, k, tape)
    return values


def _as_constants(vals: list, flat: list, level: int, cls: Any) -> list:
    """The values of this level's boxes as its constants (tensors stay tensors)."""
    return [cls._constant(v, level) if isinstance(x, Box) and x._level == level else v
            for v, x in zip(vals, flat)]


def _outside_parents(out_flat: list, level: int, made: Callable[[Any], bool]) -> list:
    """``[(node, index)]``: the nodes made before the call that the outputs reach
    through nodes made during it."""
    found: dict = {}
    seen: set = set()
    stack = [(o._node, o._index) for o in out_flat
             if isinstance(o, VJPBox) and o._level == level and o._node is not None]
    while stack:
        node, index = stack.pop()
        if not made(node):
            found.setdefault((id(node), index), (node, index))
        elif id(node) not in seen:
            seen.add(id(node))
            stack.extend((p, i) for _, p, i, _ in node.parents)
    return list(found.values())


def _check_static(static_argnums: Any) -> tuple[int, ...]:
    nums = (static_argnums,) if isinstance(static_argnums, (int, np.integer)) else \
        static_argnums
    if not isinstance(nums, (tuple, list)) or not all(
            isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in nums):
        raise TypeError(f"checkpoint: static_argnums must be an int or a tuple of ints, "
                        f"got {static_argnums!r}")
    return tuple(int(n) for n in nums)


def checkpoint(fun: Callable[..., Any], *, policy: Policy | None = None,
               static_argnums: int | Sequence[int] = (), prevent_cse: bool = True
               ) -> Callable[..., Any]:
    """``fun`` with its intermediate values recomputed in the backward pass instead of
    kept (JAX's ``jax.checkpoint``/``remat``, PyTorch's ``torch.utils.checkpoint``).

    Derivatives are the same as ``fun``'s, in every transform and to any order, and
    on tensors (``checkpoint(block)(x).sum().backward()``).  Reverse mode keeps only
    the inputs of the call and runs ``fun`` again when the backward pass reaches it;
    forward mode runs ``fun`` as it is.

    ``policy(prim, *args, **params) -> bool`` keeps the answers of the primitive calls
    it accepts, e.g. ``checkpoint_policies.dots_saveable`` (contractions) or
    ``save_only_these_names("h")`` with ``checkpoint_name(h, "h")`` inside ``fun``;
    ``None`` (the default) is ``nothing_saveable``.  ``static_argnums`` are passed to
    ``fun`` as they are (never traced).  ``fun`` must compute the same operations
    when run again on the same inputs (no randomness drawn inside it).
    ``prevent_cse`` is accepted for JAX compatibility (nothing here merges calls).
    """
    if not callable(fun):
        raise TypeError(f"checkpoint: fun must be callable, got {type(fun).__name__}")
    if policy is not None and not callable(policy):
        raise TypeError(f"checkpoint: policy must be callable (a function of (prim, *args, "
                        f"**params) returning bool, e.g. checkpoint_policies.dots_saveable), "
                        f"got {type(policy).__name__}")
    if policy is nothing_saveable:
        policy = None
    static = _check_static(static_argnums)
    name = getattr(fun, "__name__", "f")

    @functools.wraps(fun)
    def checkpointed(*args: Any, **kwargs: Any) -> Any:
        nums = set()
        for n in static:
            if not -len(args) <= n < len(args):
                raise ValueError(f"checkpoint({name}): static_argnums={static} does not fit "
                                 f"a call with {len(args)} positional argument(s)")
            nums.add(n % len(args))
        dynamic = [a for i, a in enumerate(args) if i not in nums]
        flat, in_def = tree_flatten((dynamic, kwargs))
        level, cls = _top_box(flat)
        if cls is None:  # no traced argument: tensors it closes over may still need grads
            level, cls = _eager_level()
        if cls is None or not issubclass(cls, VJPBox) or not _records(cls):
            return fun(*args, **kwargs)  # forward mode, traces, plain values: just run it
        for i in nums:
            if any(isinstance(x, Box) for x in tree_flatten(args[i])[0]):
                raise TypeError(f"checkpoint({name}): argument {i} is in static_argnums but "
                                f"holds a traced value; leave it out of static_argnums")

        def rebuild(leaves: list) -> tuple:
            dyn, kw = in_def.unflatten(list(leaves))
            it = iter(dyn)
            return [args[i] if i in nums else next(it) for i in range(len(args))], kw

        out_def: list = []
        values = _forward(fun, policy, flat, rebuild, out_def, level, cls)
        return out_def[0].unflatten(values)

    return checkpointed


def _eager_level() -> tuple[int, Any]:
    from ..tensor import EAGER_LEVEL, Tensor
    return EAGER_LEVEL, Tensor


def _records(cls: Any) -> bool:
    if hasattr(cls, "requires_grad"):  # a tensor: only while grad is enabled
        from ..tensor import is_grad_enabled
        return is_grad_enabled()
    return True


remat = checkpoint


def checkpoint_sequential(layers: Iterable[Callable[[Any], Any]],
                          segments: int | None = None, *,
                          policy: Policy | None = None) -> Callable[[Any], Any]:
    """``x -> layers[-1](... layers[0](x))`` run in ``segments`` checkpointed pieces
    (PyTorch's ``checkpoint_sequential``): the backward pass keeps only each piece's
    input and recomputes the piece.  The last piece runs unchecked, as its values are
    needed at once.  ``segments`` defaults to ``round(√n)`` for ``n`` layers, which
    keeps about ``2√n`` layers' values alive instead of ``n``.
    """
    if callable(layers) and not isinstance(layers, (list, tuple)) and not hasattr(
            layers, "__iter__"):
        raise TypeError("checkpoint_sequential: layers must be a sequence of callables "
                        "(a list of functions or modules), got a single callable; wrap it "
                        "in a list")
    try:
        fns = list(layers)
    except TypeError:
        raise TypeError(f"checkpoint_sequential: layers must be a sequence of callables, "
                        f"got {type(layers).__name__}") from None
    if not fns:
        raise ValueError("checkpoint_sequential: layers is empty; pass at least one layer")
    for i, f in enumerate(fns):
        if not callable(f):
            raise TypeError(f"checkpoint_sequential: layers[{i}] is a {type(f).__name__}, "
                            f"not a callable")
    if segments is None:
        segments = max(1, round(math.sqrt(len(fns))))
    if not isinstance(segments, (int, np.integer)) or isinstance(segments, bool) \
            or not 1 <= segments <= len(fns):
        raise ValueError(f"checkpoint_sequential: segments must be an int from 1 to the "
                         f"number of layers ({len(fns)}), got {segments!r}")
    bounds = np.linspace(0, len(fns), int(segments) + 1).round().astype(int)
    pieces = [_chain(fns[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
    run = [checkpoint(p, policy=policy) for p in pieces[:-1]] + [pieces[-1]]

    def sequential(x: Any) -> Any:
        for piece in run:
            x = piece(x)
        return x
    return sequential


def _chain(fns: list) -> Callable[[Any], Any]:
    def piece(x: Any) -> Any:
        for f in fns:
            x = f(x)
        return x
    return piece
