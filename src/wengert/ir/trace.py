"""The evaluation trace (Wengert list) of a function, recorded as it runs.

:func:`trace` runs a function on :class:`TraceBox` inputs, a Box subclass
whose ``lift`` appends one :class:`Eqn` per primitive call.  The result is a
:class:`Trace`: the inputs ``v₋ₙ₊₁ … v₀``, the equations ``vᵢ = φᵢ(…)`` for
``i = 1 … l`` in the order they ran (a topological order), and the outputs.
Python control flow leaves only the path taken; values that do not depend on
the inputs are :class:`Literal` operands; ``stop_gradient``, comparisons and
other non-differentiable primitives are recorded like any other call.

The trace is the one representation every view reads: tables
(:mod:`.tables`), graphs (:mod:`.graph`), derivative source code
(:mod:`.source`) and SymPy expressions (:mod:`.symbolic`).  Each equation keeps
its primitive and parameters, so :meth:`Trace.evaluate` can replay it (also
under ``grad``), and a compiler can emit it as straight-line NumPy.
"""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.tracing import Box, new_level, unbox
from ..core.tree import TreeDef, tree_flatten

if TYPE_CHECKING:  # pragma: no cover
    from ..core.primitive import Primitive
    from .passes import ForwardPass, ReversePass
    from .tables import Table

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Frames from these parts of wengert are machinery, not the user's functions or layers.
_MACHINERY = tuple(os.path.join(_PKG_DIR, d) for d in (
    "core", "numpy", "rules", "transforms", "ir", "tensor.py", "numeric.py"))


class Var:
    """One variable ``vᵢ`` of the trace: its number, primal value, shape and dtype."""

    __slots__ = ("index", "value", "shape", "dtype", "label", "eqn")

    def __init__(self, index: int | None, value: Any, label: str | None = None) -> None:
        self.index = index        # 1-n … 0 for inputs, 1 … l for intermediates
        self.value = value
        self.shape: tuple = tuple(np.shape(value))
        self.dtype = np.result_type(value) if _has_dtype(value) else np.dtype(object)
        self.label = label        # the argument name of an input ("x1", "params['W']")
        self.eqn: Eqn | None = None  # the equation that made it (None for inputs)

    @property
    def is_input(self) -> bool:
        return self.eqn is None

    @property
    def aval(self) -> str:
        """Shape and dtype, as ``f64[3,4]``."""
        return f"{_short_dtype(self.dtype)}[{','.join(map(str, self.shape))}]"

    def __repr__(self) -> str:
        return f"v{self.index}" if self.index is not None else f"<var {id(self):x}>"


class Literal:
    """An operand that does not depend on the inputs (a constant)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"Literal({self.value!r})"


Atom = Var | Literal


class Eqn:
    """One line of the Wengert list: ``outputs = prim(*inputs, **params)``.

    ``scope`` names the Python functions (outermost first, with a call number)
    that were running when the primitive was called: the graph collapses
    operations into them.
    """

    __slots__ = ("prim", "inputs", "params", "outputs", "scope")

    def __init__(self, prim: Primitive, inputs: tuple, params: dict, outputs: tuple,
                 scope: tuple = ()) -> None:
        self.prim = prim
        self.inputs: tuple[Atom, ...] = inputs
        self.params = params
        self.outputs: tuple[Var, ...] = outputs
        self.scope = scope

    @property
    def out(self) -> Var:
        """The single output (the first one for multiple-result primitives)."""
        return self.outputs[0]

    @property
    def nondiff(self) -> bool:
        return bool(self.prim.nondiff)

    def __repr__(self) -> str:
        outs = ", ".join(map(repr, self.outputs))
        ins = ", ".join(repr(a) if isinstance(a, Var) else _short(a.value) for a in self.inputs)
        ps = "".join(f", {k}={v!r}" for k, v in self.params.items())
        return f"{outs} = {self.prim.name}({ins}{ps})"


class Trace:
    """A recorded evaluation trace: inputs, equations in order, outputs."""

    def __init__(self, inputs: list[Var], eqns: list[Eqn], outputs: list[Atom],
                 in_tree: TreeDef, out_tree: TreeDef, name: str = "f",
                 arg_names: list[str] | None = None) -> None:
        self.inputs = inputs
        self.eqns = eqns
        self.outputs = outputs
        self.in_tree = in_tree
        self.out_tree = out_tree
        self.name = name
        # The positional parameters' names (labels of the inputs derive from them).
        self.arg_names = arg_names or [f"x{i + 1}" for i in range(len(in_tree.children))]
        self.last_forward: ForwardPass | None = None
        self.last_reverse: ReversePass | None = None

    # -- structure -----------------------------------------------------------------------
    @property
    def variables(self) -> list[Var]:
        """Inputs then intermediates, in trace order."""
        return self.inputs + [v for e in self.eqns for v in e.outputs]

    @property
    def intermediates(self) -> list[Var]:
        return [v for e in self.eqns for v in e.outputs]

    def __len__(self) -> int:
        return len(self.eqns)

    def __iter__(self) -> Iterator[Eqn]:
        return iter(self.eqns)

    def active(self) -> set[int]:
        """``id``s of the variables derivatives flow through: the inputs and whatever
        a differentiable primitive computes from them (not the results of
        ``stop_gradient``, comparisons and the like, nor what only they feed)."""
        act = {id(v) for v in self.inputs}
        for e in self.eqns:
            if not e.nondiff and any(id(a) in act for a in e.inputs if isinstance(a, Var)):
                act.update(id(v) for v in e.outputs)
        return act

    def input(self, key: int | str | Var) -> Var:
        """An input by position, argument label (``"x1"``) or itself."""
        if isinstance(key, Var):
            if key not in self.inputs:
                raise ValueError(f"{key!r} is not an input of this trace")
            return key
        if isinstance(key, (int, np.integer)):
            return self.inputs[int(key)]
        for v in self.inputs:
            if v.label == key:
                return v
        names = ", ".join(str(v.label) for v in self.inputs)
        raise ValueError(f"no input named {key!r}; the inputs are {names}")

    def output_values(self) -> Any:
        return self.out_tree.unflatten([_atom_value(o) for o in self.outputs])

    # -- transformations of the list -----------------------------------------------------
    def dce(self) -> Trace:
        """The trace without equations that no output depends on."""
        needed = {id(o) for o in self.outputs if isinstance(o, Var)}
        keep = []
        for e in reversed(self.eqns):
            if any(id(v) in needed for v in e.outputs):
                keep.append(e)
                needed.update(id(a) for a in e.inputs if isinstance(a, Var))
        return self._reordered(keep[::-1])

    def sorted_by_depth(self) -> Trace:
        """The same computation numbered the way the AD literature writes it.

        Equations are ordered by their distance from the inputs (then by the
        order they ran), so ``ln(x1) + x1*x2 - sin(x2)`` lists ``ln``, ``×``
        and ``sin`` before the sums, as in Baydin et al.'s table.
        """
        depth: dict[int, int] = {id(v): 0 for v in self.inputs}
        keyed = []
        for pos, e in enumerate(self.eqns):
            d = 1 + max((depth.get(id(a), 0) for a in e.inputs if isinstance(a, Var)),
                        default=0)
            for v in e.outputs:
                depth[id(v)] = d
            keyed.append((d, pos, e))
        return self._reordered([e for _, _, e in sorted(keyed, key=lambda k: k[:2])])

    def _reordered(self, eqns: list[Eqn]) -> Trace:
        """A copy with the given equations, renumbered v₁ … in their new order."""
        mapping: dict[int, Var] = {}
        inputs = [_copy_var(v, v.index, mapping) for v in self.inputs]
        new_eqns, k = [], 1
        for e in eqns:
            outs = []
            for v in e.outputs:
                outs.append(_copy_var(v, k, mapping))
                k += 1
            ins = tuple(mapping[id(a)] if isinstance(a, Var) else a for a in e.inputs)
            ne = Eqn(e.prim, ins, e.params, tuple(outs), e.scope)
            for v in outs:
                v.eqn = ne
            new_eqns.append(ne)
        outputs = [mapping.get(id(o), o) if isinstance(o, Var) else o for o in self.outputs]
        return Trace(inputs, new_eqns, outputs, self.in_tree, self.out_tree, self.name,
                     self.arg_names)

    # -- replay --------------------------------------------------------------------------
    def evaluate(self, *args: Any) -> Any:
        """Run the recorded equations on new arguments (same structure and shapes).

        Each equation calls its primitive, so the replay can itself be traced
        or differentiated.  Control flow is the recorded path.
        """
        flat, tree = tree_flatten(args)
        if tree != self.in_tree:
            raise ValueError(f"trace of {self.name}: arguments have structure {tree}, "
                             f"but the trace was recorded with {self.in_tree}")
        return self.out_tree.unflatten(self.replay(flat))

    __call__ = evaluate

    def replay(self, flat: Sequence, watch: Mapping[int, Callable[[Any], None]] | None = None
               ) -> list:
        """The output leaves of the equations applied by their primitives to the input
        leaves ``flat``.  ``watch`` maps ``id(var)`` to a function that sees that
        variable's value as soon as it is known (jit checks its guards there)."""
        watch = watch or {}
        env: dict[int, Any] = {id(v): x for v, x in zip(self.inputs, flat)}
        for v in self.inputs:
            if id(v) in watch:
                watch[id(v)](env[id(v)])
        for e in self.eqns:
            vals = [env[id(a)] if isinstance(a, Var) else a.value for a in e.inputs]
            ans = e.prim(*vals, **e.params)
            outs = ans if e.prim.multiple_results else (ans,)
            for v, x in zip(e.outputs, outs):
                env[id(v)] = x
                if id(v) in watch:
                    watch[id(v)](x)
        # a constant output is copied, so that a caller who writes into it cannot change
        # the recorded value
        return [env[id(o)] if isinstance(o, Var) else _copy(o.value) for o in self.outputs]

    # -- derivative passes over the recorded values --------------------------------------
    def forward(self, wrt: int | str | Var | None = None, tangent: Any = None) -> ForwardPass:
        """Push tangents through the trace (forward mode); see :func:`.passes.forward_pass`."""
        from .passes import forward_pass
        self.last_forward = forward_pass(self, wrt=wrt, tangent=tangent)
        return self.last_forward

    def reverse(self, cotangent: Any = None) -> ReversePass:
        """Pull adjoints back through the trace (reverse mode)."""
        from .passes import reverse_pass
        self.last_reverse = reverse_pass(self, cotangent=cotangent)
        return self.last_reverse

    # -- views ---------------------------------------------------------------------------
    def primal_table(self, style: str = "slides", **kw: Any) -> Table:
        """The forward primal trace as a table."""
        from .tables import primal_table
        return primal_table(self, style=style, **kw)

    def forward_table(self, wrt: int | str | Var | None = None, tangent: Any = None,
                      style: str = "slides", **kw: Any) -> Table:
        """Primal and tangent traces side by side, for input ``wrt`` or a ``tangent``."""
        from .tables import forward_table
        return forward_table(self.forward(wrt, tangent), style=style, **kw)

    def reverse_table(self, cotangent: Any = None, style: str = "slides", **kw: Any) -> Table:
        """The primal trace beside the reverse adjoint trace."""
        from .tables import reverse_table
        return reverse_table(self.reverse(cotangent), style=style, **kw)

    def to_dot(self, **kw: Any) -> str:
        """Graphviz DOT text of the computational graph (see :func:`.graph.to_dot`)."""
        from .graph import to_dot
        return to_dot(self, **kw)

    def render(self, path: str | os.PathLike, **kw: Any) -> str:
        """Draw the graph to ``path`` (``.svg``, ``.png``, ``.pdf`` or ``.dot``) with Graphviz."""
        from .graph import render
        return render(self, path, **kw)

    def _repr_svg_(self) -> str | None:
        from .graph import svg_or_none
        return svg_or_none(self)

    def _repr_html_(self) -> str:
        return self.primal_table().to_html()

    def to_sympy(self, symbols: dict[str, Any] | None = None) -> Any:
        """The traced expression as SymPy (see :func:`.symbolic.to_sympy`)."""
        from .symbolic import to_sympy
        return to_sympy(self, symbols)

    def source(self, mode: str = "reverse") -> Any:
        """The derivative as a straight-line NumPy program (see :func:`.source.source`)."""
        from .source import trace_source
        return trace_source(self, mode=mode)

    def __str__(self) -> str:
        return self.primal_table().to_text()

    def __repr__(self) -> str:
        return (f"<Trace of {self.name}: {len(self.inputs)} inputs, {len(self.eqns)} "
                f"equations, {len(self.outputs)} outputs>")


# -- recording ---------------------------------------------------------------------------
class _Recorder:
    """The state of one recording: its level, equations, and call-scope bookkeeping."""

    def __init__(self, level: int, root: Any, scopes: bool = True) -> None:
        self.level = level
        self.scopes = scopes
        self.eqns: list[Eqn] = []
        self.count = 0
        self.root = root                  # the frame of `trace`: scopes stop there
        self.frames: dict[int, tuple] = {}  # id(frame) -> (serial, frame kept alive)
        self.calls: dict[str, int] = {}

    def new_var(self, value: Any) -> Var:
        self.count += 1
        return Var(self.count, unbox(value))

    def scope(self) -> tuple:
        """User functions on the stack between `trace` and this call, outermost first."""
        out: list[tuple] = []
        if not self.scopes:
            return ()
        frame: Any = sys._getframe(1)
        while frame is not None and frame is not self.root:
            code = frame.f_code
            if not code.co_filename.startswith(_MACHINERY):
                out.append((getattr(code, "co_qualname", code.co_name), self._serial(frame)))
            frame = frame.f_back
        return tuple(reversed(out))

    def _serial(self, frame: Any) -> int:
        # Frames are kept alive while recording, so their ids are not reused.
        entry = self.frames.get(id(frame))
        if entry is None:
            name = getattr(frame.f_code, "co_qualname", frame.f_code.co_name)
            self.calls[name] = self.calls.get(name, 0) + 1
            entry = self.frames[id(frame)] = (self.calls[name], frame)
        return entry[0]


class TraceBox(Box):
    """A value being recorded: the :class:`Var` it is, and the recording it belongs to."""

    __slots__ = ("_var", "_rec")
    sees_nondiff = True

    def __init__(self, value: Any, level: int, var: Var, rec: _Recorder) -> None:
        self._value = value
        self._level = level
        self._var = var
        self._rec = rec

    @classmethod
    def lift(cls, prim: Primitive, ans: Any, args: tuple, vals: Sequence, params: dict,
             level: int) -> Any:
        rec = next(a._rec for a in args if isinstance(a, TraceBox) and a._level == level)
        inputs = tuple(a._var if isinstance(a, TraceBox) and a._level == level
                       else Literal(a) for a in args)
        answers = tuple(ans) if prim.multiple_results else (ans,)
        outputs = tuple(rec.new_var(x) for x in answers)
        eqn = Eqn(prim, inputs, dict(params), outputs, rec.scope())
        for v in outputs:
            v.eqn = eqn
        rec.eqns.append(eqn)
        boxes = tuple(cls(x, level, v, rec) for x, v in zip(answers, outputs))
        return boxes if prim.multiple_results else boxes[0]


def trace(f: Callable[..., Any], *args: Any, **kwargs: Any) -> Trace:
    """Record ``f(*args, **kwargs)`` as a :class:`Trace` (the Wengert list).

    Positional arguments may be nested tuples, lists and dicts of arrays or
    scalars; every leaf is an input ``v₋ₙ₊₁ … v₀`` named after its argument.
    Keyword arguments are constants.

    >>> t = wengert.trace(lambda x1, x2: wnp.log(x1) + x1 * x2 - wnp.sin(x2), 2.0, 5.0)
    >>> print(t.sorted_by_depth().reverse_table())
    """
    flat, in_tree = tree_flatten(args)
    level = new_level()
    rec = _Recorder(level, sys._getframe(0))
    n = len(flat)
    names = _param_names(f, len(args))
    labels = [lab for name, a in zip(names, args) for lab in _paths(tree_flatten(a)[1], name)]
    inputs = [Var(i + 1 - n, unbox(x), lab) for i, (x, lab) in enumerate(zip(flat, labels))]
    boxes = [TraceBox(x, level, v, rec) for x, v in zip(flat, inputs)]
    try:
        out = f(*in_tree.unflatten(boxes), **kwargs)
    finally:
        rec.frames.clear()
    out_flat, out_tree = tree_flatten(out)
    outputs: list[Atom] = [
        o._var if isinstance(o, TraceBox) and o._level == level else Literal(unbox(o))
        for o in out_flat]
    return Trace(inputs, rec.eqns, outputs, in_tree, out_tree, _fun_name(f), names)


# -- helpers -----------------------------------------------------------------------------
def _param_names(f: Callable[..., Any], n: int) -> list[str]:
    try:
        params = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        params = []
    names: list[str] = []
    for p in params:
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            names.append(p.name)
        elif p.kind is p.VAR_POSITIONAL:
            break
    if len(names) < n:  # *args or unknown signature: x1, x2, ...
        names += [f"x{i + 1}" for i in range(len(names), n)]
    return names[:n]


def _paths(td: TreeDef, prefix: str) -> list[str]:
    if td.kind is None:
        return [prefix]
    typ = td.kind[0]
    out: list[str] = []
    if typ is dict:
        for k, c in zip(td.aux, td.children):
            out += _paths(c, f"{prefix}[{k!r}]")
    elif hasattr(typ, "_fields"):
        for k, c in zip(typ._fields, td.children):
            out += _paths(c, f"{prefix}.{k}")
    else:
        for i, c in enumerate(td.children):
            out += _paths(c, f"{prefix}[{i}]")
    return out


def _fun_name(f: Any) -> str:
    return str(getattr(f, "__name__", type(f).__name__))


def _copy_var(v: Var, index: int | None, mapping: dict[int, Var]) -> Var:
    nv = Var.__new__(Var)
    nv.index, nv.value, nv.shape, nv.dtype = index, v.value, v.shape, v.dtype
    nv.label, nv.eqn = v.label, None
    mapping[id(v)] = nv
    return nv


def _atom_value(a: Atom) -> Any:
    return a.value


def _has_dtype(x: Any) -> bool:
    try:
        np.result_type(x)
        return True
    except TypeError:
        return False


def _short_dtype(dt: Any) -> str:
    dt = np.dtype(dt)
    return {"f": "f", "c": "c", "i": "i", "u": "u", "b": "bool"}.get(dt.kind, dt.name) + (
        str(dt.itemsize * 8) if dt.kind in "fciu" else "")


def _short(x: Any) -> str:
    if np.ndim(x) == 0:
        return repr(x)
    return f"<{_short_dtype(np.result_type(x))}{list(np.shape(x))}>"


def _copy(x: Any) -> Any:
    return x.copy() if isinstance(x, np.ndarray) else x
