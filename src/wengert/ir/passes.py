"""Forward and reverse passes over a recorded trace, keeping every step.

These are the two sweeps of the seeds' tables, run on the recorded primal
values with the primitives' own JVP and VJP rules.  Unlike ``jvp`` and
``grad``, which keep only what they need, they remember each contribution
``v̇ᵢ += v̇ⱼ ∂vᵢ/∂vⱼ`` and ``v̄ⱼ += v̄ᵢ ∂vᵢ/∂vⱼ`` so the views can show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.tracing import call_rule
from ..core.tree import tree_flatten
from .trace import Eqn, Trace, Var


def operand_values(eqn: Eqn) -> list:
    return [a.value for a in eqn.inputs]


def answer(eqn: Eqn) -> Any:
    if eqn.prim.multiple_results:
        return tuple(v.value for v in eqn.outputs)
    return eqn.out.value


def _add(a: Any, b: Any) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, tuple):
        return tuple(_add(x, y) for x, y in zip(a, b))
    return a + b


# -- forward -----------------------------------------------------------------------------
@dataclass
class ForwardPass:
    """Tangents of every variable, and each equation's per-argument contributions."""

    trace: Trace
    wrt: Var | None                          # the input seeded with 1, if one was chosen
    tangents: dict[int, Any] = field(default_factory=dict)   # id(var) -> tangent (None: 0)
    terms: dict[int, list] = field(default_factory=dict)     # id(eqn) -> [(argnum, value)]

    def tangent(self, v: Var) -> Any:
        t = self.tangents.get(id(v))
        return np.zeros(v.shape, v.dtype) if t is None else t

    @property
    def output_tangents(self) -> list:
        return [self.tangent(o) if isinstance(o, Var) else np.zeros(np.shape(o.value))
                for o in self.trace.outputs]


def forward_pass(trace: Trace, wrt: Any = None, tangent: Any = None) -> ForwardPass:
    """Forward mode on ``trace``: seed input ``wrt`` with ones (others zero), or
    use ``tangent`` (one per argument, like ``jvp``'s tangents)."""
    seeds, chosen = _seed_tangents(trace, wrt, tangent)
    fp = ForwardPass(trace, chosen)
    fp.tangents.update({id(v): t for v, t in zip(trace.inputs, seeds)})
    for e in trace.eqns:
        if e.nondiff:
            continue
        ts = [fp.tangents.get(id(a)) if isinstance(a, Var) else None for a in e.inputs]
        if all(t is None for t in ts):
            continue
        out = _jvp(e, ts, fp.terms.setdefault(id(e), []))
        outs = out if e.prim.multiple_results else (out,)
        for v, t in zip(e.outputs, outs if out is not None else (None,) * len(e.outputs)):
            fp.tangents[id(v)] = t
    return fp


def _jvp(e: Eqn, ts: list, terms: list) -> Any:
    vals, ans = operand_values(e), answer(e)
    if e.prim.jvp_all is not None:
        return e.prim.jvp_all(ts, ans, *vals, **e.params)
    out = None
    for i, t in enumerate(ts):
        if t is None:
            continue
        c = e.prim.jvp_rule(i)(t, ans, *vals, **e.params)
        if c is not None:
            terms.append((i, c))
            out = _add(out, c)
    return out


def _seed_tangents(trace: Trace, wrt: Any, tangent: Any) -> tuple[list, Var | None]:
    if tangent is not None:
        flat, tree = tree_flatten(tangent if isinstance(tangent, tuple) else (tangent,))
        if tree != trace.in_tree:
            raise ValueError(f"tangent has structure {tree}; the trace's arguments have "
                             f"{trace.in_tree}")
        return [np.asarray(t, dtype=v.dtype) for t, v in zip(flat, trace.inputs)], None
    if wrt is None:
        if len(trace.inputs) != 1:
            raise ValueError("forward mode needs a direction: pass wrt= (an input's name or "
                             "position) or tangent= (one tangent per argument)")
        wrt = 0
    chosen = trace.input(wrt)
    seeds = [np.ones(v.shape, v.dtype) if v is chosen else np.zeros(v.shape, v.dtype)
             for v in trace.inputs]
    return seeds, chosen


# -- reverse -----------------------------------------------------------------------------
@dataclass
class Step:
    """One line of the adjoint trace.

    ``kind`` is ``"seed"`` (v̄ = ȳ), ``"contrib"`` (v̄ⱼ += v̄ᵢ ∂vᵢ/∂vⱼ from ``eqn``'s
    argument ``argnum``) or ``"result"`` (x̄ = v̄).  ``total`` is the adjoint of
    ``var`` after the step.
    """

    kind: str
    var: Var
    value: Any
    total: Any
    eqn: Eqn | None = None
    argnum: int = -1
    first: bool = True
    source: Var | None = None   # the output whose adjoint was pulled back


@dataclass
class ReversePass:
    trace: Trace
    steps: list[Step] = field(default_factory=list)
    adjoints: dict[int, Any] = field(default_factory=dict)

    def adjoint(self, v: Var) -> Any:
        a = self.adjoints.get(id(v))
        return np.zeros(v.shape, v.dtype) if a is None else a

    @property
    def gradient(self) -> Any:
        """The adjoints of the inputs, in the structure of the arguments."""
        return self.trace.in_tree.unflatten([self.adjoint(v) for v in self.trace.inputs])


def reverse_pass(trace: Trace, cotangent: Any = None) -> ReversePass:
    """Reverse mode on ``trace`` with output cotangent ``ȳ`` (default 1 for one output)."""
    rp = ReversePass(trace)
    active = trace.active()
    for o, ct in zip(trace.outputs, _seed_cotangents(trace, cotangent)):
        if isinstance(o, Var):
            _accumulate(rp, Step("seed", o, ct, None))
    for e in reversed(trace.eqns):
        if e.nondiff:
            continue
        gs = [rp.adjoints.get(id(v)) for v in e.outputs]
        if all(g is None for g in gs):
            continue
        g = tuple(gs) if e.prim.multiple_results else gs[0]
        vals, ans = operand_values(e), answer(e)
        for i, a in enumerate(e.inputs):
            if not isinstance(a, Var) or id(a) not in active:
                continue
            rule = e.prim.vjp_rule(i)
            try:
                ct = rule(g, ans, *vals, **e.params)
            except (ZeroDivisionError, OverflowError):  # Python floats; NumPy gives inf/nan
                ct = call_rule(rule, g, ans, vals, e.params)
            if ct is not None:
                _accumulate(rp, Step("contrib", a, ct, None, e, i, source=e.out))
    for v in trace.inputs:
        rp.steps.append(Step("result", v, rp.adjoint(v), rp.adjoint(v)))
    return rp


def _accumulate(rp: ReversePass, step: Step) -> None:
    prev = rp.adjoints.get(id(step.var))
    step.first = prev is None
    step.total = step.value if prev is None else prev + step.value
    rp.adjoints[id(step.var)] = step.total
    rp.steps.append(step)


def _seed_cotangents(trace: Trace, cotangent: Any) -> list:
    if cotangent is None:
        if len(trace.outputs) != 1:
            raise ValueError("the function has several outputs: pass cotangent= (one per "
                             "output, in the output's structure) to choose ȳ")
        o = trace.outputs[0]
        dt = np.result_type(o.value)
        return [np.ones(np.shape(o.value), dt if dt.kind in "fc" else np.float64)]
    flat, tree = tree_flatten(cotangent)
    if tree != trace.out_tree:
        raise ValueError(f"cotangent has structure {tree}; the output has {trace.out_tree}")
    return [np.asarray(c) for c in flat]
