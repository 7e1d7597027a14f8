"""The derivative of a traced function as a straight-line NumPy program.

A derivative's operations are themselves primitive calls, so the program is
made by running the primitives' own rules under a recording interpreter:

* reverse mode: the forward sweep (one statement per equation of the trace),
  then the trace walked backwards, each VJP rule evaluated on the recorded
  variables so that its operations become statements, accumulating
  ``v1_bar = v1_bar + …`` with a ``# v̄₁ += v̄₂ · ∂v₂/∂v₁`` comment;
* forward mode: each primal statement followed by its tangent statement
  ``v2_dot = …`` built from the JVP rules.

Names follow the trace (``v1``, ``v1_bar``, ``v1_dot``; inputs keep their
argument names).  The program is specialised to the recorded path, shapes and
dtypes, like the trace it comes from.  ``Source.compile()`` gives the function.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from ..core.tracing import new_level, unbox
from ..core.tree import TreeDef
from ..rules import all_primitives
from .notation import BAR, DOT, Notation, output_letter
from .trace import Eqn, Literal, Trace, TraceBox, Var, _Recorder, trace

MODES = ("reverse", "forward", "primal")
_ATOM, _UNARY, _POW, _MUL, _ADD = 100, 30, 40, 20, 10
_BINOPS = {"add": ("+", _ADD), "subtract": ("-", _ADD), "multiply": ("*", _MUL),
           "divide": ("/", _MUL), "matmul": ("@", _MUL), "power": ("**", _POW)}
# Primitives whose implementation wraps a NumPy function with the same keywords.
_NP_CALLS = {"sum": "sum", "prod": "prod", "amax": "amax", "amin": "amin", "cumsum": "cumsum",
             "cumprod": "cumprod", "reshape": "reshape", "transpose": "transpose",
             "broadcast_to": "broadcast_to"}
_DEFAULTS = {"axis": None, "keepdims": False}
# Primitives with no NumPy function of their own, written out once at the top when used.
_HELPERS = {"untake": '''def untake(g, idx, shape, dtype):
    """Scatter-add g into zeros of the given shape at idx (the transpose of indexing)."""
    out = np.zeros(shape, dtype=np.result_type(dtype, np.asarray(g).dtype))
    np.add.at(out, idx, g)
    return out
'''}
# np.reshape(x, shape=…) needs NumPy ≥ 2.1; positional arguments work everywhere.
_POSITIONAL = {"shape", "axes"}


class Source:
    """Generated code: ``str(src)`` is the program, ``src.compile()`` the function."""

    def __init__(self, code: str, name: str, mode: str, namespace: dict) -> None:
        self.code = code
        self.name = name
        self.mode = mode
        self.namespace = namespace

    def compile(self) -> Callable[..., Any]:
        """The function the code defines (the code is wengert's own, never user text)."""
        ns = dict(self.namespace)
        exec(compile(self.code, f"<wengert.source {self.name}>", "exec"), ns)  # noqa: S102
        return ns[self.name]

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:
        return f"<wengert.Source {self.name} ({self.mode} mode, {self.code.count(chr(10))} lines)>"

    def _repr_markdown_(self) -> str:
        return f"```python\n{self.code}```\n"


def source(f: Callable[..., Any], *args: Any, mode: str = "reverse", **kwargs: Any) -> Source:
    """The derivative of ``f`` at ``args`` as straight-line Python/NumPy.

    ``mode="reverse"``: ``def f_grad(*args, y_bar=1.0)`` returning the adjoints of
    all positional arguments (a tuple when there are several, like
    ``grad(f, argnums=(0, 1, …))``).  ``mode="forward"``: ``def f_jvp(*args,
    *tangents)`` returning ``(y, ẏ)`` like ``jvp``.  ``mode="primal"``: the
    function itself.  The program follows the path taken at ``args``.

    >>> print(wengert.source(lambda x1, x2: wnp.log(x1) + x1 * x2, 2.0, 5.0))
    """
    return trace_source(trace(f, *args, **kwargs), mode=mode)


def trace_source(t: Trace, mode: str = "reverse") -> Source:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    em = _Emitter(t)
    if mode == "reverse":
        return em.reverse()
    if mode == "forward":
        return em.forward()
    return em.primal()


# -- the emitter -------------------------------------------------------------------------
class _Emitter:
    def __init__(self, t: Trace) -> None:
        self.t = t
        self.nt = Notation(True)
        self.ns: dict[str, Any] = {"np": np}
        self.names: dict[int, str] = {}       # id(Var) -> Python name
        self.alive: list[Var] = []
        self.lines: list[str] = []
        self.used: set[str] = {"np", *_HELPERS}
        self.derived: dict[tuple[int, str], str] = {}  # (id(var), "bar"/"dot") -> name
        self.ntemp = self.nconst = 0
        self.const_names: dict[int, str] = {}
        self.helpers: set[str] = set()
        self.level = new_level()
        self.rec = _Recorder(self.level, None, scopes=False)
        self.boxes: dict[int, TraceBox] = {}  # id(primal Var) -> its box in the rules' recording
        self.base = _func_name(t.name)
        self.input_names = self._name_inputs()

    # -- names ---------------------------------------------------------------------------
    def _name_inputs(self) -> list[str]:
        reserved = set(self.t.arg_names)
        names = []
        for v in self.t.inputs:
            cand = re.sub(r"\W+", "_", str(v.label)).strip("_") or "x"
            if cand in self.used or keyword.iskeyword(cand) or re.fullmatch(r"[vt]\d+", cand) \
                    or cand[0].isdigit() or (cand in reserved and cand != v.label):
                cand = f"v{v.index}".replace("-", "m")
            names.append(self._claim(cand, v))
        for v in self.t.intermediates:
            self._claim(f"v{v.index}", v)
        return names

    def _claim(self, name: str, v: Var) -> str:
        name = self._unique(name)
        self.names[id(v)] = name
        return name

    def _fresh(self, stem: str) -> str:
        self.ntemp += 1
        name = f"{stem}{self.ntemp}"
        while name in self.used:
            self.ntemp += 1
            name = f"{stem}{self.ntemp}"
        self.used.add(name)
        return name

    def box(self, v: Var) -> TraceBox:
        b = self.boxes.get(id(v))
        if b is None:
            b = self.boxes[id(v)] = TraceBox(v.value, self.level, v, self.rec)
        return b

    def named_box(self, value: Any, name: str) -> TraceBox:
        """A new variable of the derivative program with a given name (v3_bar …)."""
        v = Var(None, unbox(value))
        self.alive.append(v)  # names are keyed by id(): keep the object so its id is not reused
        self.names[id(v)] = name
        self.used.add(name)
        return TraceBox(value, self.level, v, self.rec)

    # -- signature, sweeps, return -------------------------------------------------------
    def _header(self, fname: str, params: list[str], doc: str) -> None:
        self.lines.append(f"def {fname}({', '.join(params)}):")
        self.lines.append(f'    """{doc}"""')
        for v, name in zip(self.t.inputs, self.input_names):
            if name not in self.t.arg_names:
                self.lines.append(f"    {name} = {v.label}")

    def _primal_stmt(self, e: Eqn) -> None:
        lhs = ", ".join(self.names[id(v)] for v in e.outputs)
        rhs, _ = self.render(e, [self.expr(a, {}) for a in e.inputs])
        self.lines.append(f"    {lhs} = {rhs}")

    def primal(self) -> Source:
        fname = self.base
        self._header(fname, self.t.arg_names, f"{self.base}, as recorded (straight-line).")
        for e in self.t.eqns:
            self._primal_stmt(e)
        outs = [self.atom_code(o) for o in self.t.outputs]
        self.lines.append(f"    return {self.tree_code(self.t.out_tree, outs)}")
        return self._finish(fname, "primal")

    def reverse(self) -> Source:
        if len(self.t.outputs) != 1 or not isinstance(self.t.outputs[0], Var):
            raise ValueError("source(mode='reverse') needs a function with one output that "
                             "depends on its inputs; use mode='forward' for several outputs")
        out = self.t.outputs[0]
        scalar = out.shape == ()
        fname = f"{self.base}_grad"
        for v in self.t.inputs:  # inputs' adjoints get the plain names (x1_bar …)
            self._derived(v, "bar")
        seed = self._unique("y_bar")
        self._header(fname, self.t.arg_names + [f"{seed}=1.0" if scalar else seed],
                     f"Gradient of {self.base} by reverse mode (ȳ = {seed}).")
        self.lines.append("    # forward sweep")
        for e in self.t.eqns:
            self._primal_stmt(e)
        self.lines.append("    # reverse sweep")
        adj: dict[int, TraceBox] = {}
        self.active = self.t.active()
        seed_value = np.ones(out.shape, out.dtype if out.dtype.kind in "fc" else np.float64)
        adj[id(out)] = self.named_box(seed_value, self._adj_name(out))
        ybar = self.nt.y(0, 1, BAR, output_letter(self.t))
        self._comment_stmt(f"{self._adj_name(out)} = {seed}",
                           f"{self.nt.v(out.index, BAR)} = {ybar}")
        for e in reversed(self.t.eqns):
            self._reverse_eqn(e, adj)
        grads = []
        for v, name in zip(self.t.inputs, self.input_names):
            if id(v) not in adj:
                self.lines.append(f"    {self._adj_name(v)} = np.zeros_like({name})")
            grads.append(self._adj_name(v))
        self.lines.append(f"    return {self._grad_structure(grads)}")
        return self._finish(fname, "reverse")

    def _reverse_eqn(self, e: Eqn, adj: dict[int, TraceBox]) -> None:
        if e.nondiff or all(id(v) not in adj for v in e.outputs):
            return
        gs = [adj.get(id(v)) for v in e.outputs]
        g = tuple(gs) if e.prim.multiple_results else gs[0]
        ans = tuple(self.box(v) for v in e.outputs) if e.prim.multiple_results \
            else self.box(e.out)
        args = [self.box(a) if isinstance(a, Var) else a.value for a in e.inputs]
        self.lines.append(f"    # reverse of {self._primal_text(e)}")
        for j, a in enumerate(e.inputs):
            if not isinstance(a, Var) or id(a) not in self.active:
                continue
            start = len(self.rec.eqns)
            ct = e.prim.vjp_rule(j)(g, ans, *args, **e.params)
            if ct is None:
                continue
            code = self.materialize(ct, start)
            first = id(a) not in adj
            name = self._adj_name(a)
            value = unbox(ct) if first else unbox(adj[id(a)]) + unbox(ct)
            rhs = code[0] if first else _plus(name, code)
            op = "=" if first else "+="
            sym = f"{self.nt.v(a.index, BAR)} {op} {self.nt.v(e.out.index, BAR)} · " \
                  f"∂{self.nt.v(e.out.index)}/∂{self.nt.v(a.index)}"
            self._comment_stmt(f"{name} = {rhs}", sym)
            adj[id(a)] = self.named_box(value, name)

    def forward(self) -> Source:
        fname = f"{self.base}_jvp"
        dots = {n: self._unique(f"{n}_dot") for n in self.t.arg_names}
        self._header(fname, self.t.arg_names + list(dots.values()),
                     f"Forward mode of {self.base}: returns (y, ẏ) for tangents *_dot.")
        tan: dict[int, TraceBox] = {}
        for v, name in zip(self.t.inputs, self.input_names):
            if name in dots:  # a leaf argument: its tangent is a parameter
                self.derived[(id(v), "dot")] = dots[name]
            else:
                self.lines.append(f"    {self._derived(v, 'dot')} = {self._dot_label(v, dots)}")
            tan[id(v)] = self.named_box(np.ones(v.shape, v.dtype), self._derived(v, "dot"))
        for e in self.t.eqns:
            self._primal_stmt(e)
            self._forward_eqn(e, tan)
        outs = [self.atom_code(o) for o in self.t.outputs]
        touts = []
        for o in self.t.outputs:
            if isinstance(o, Var) and id(o) in tan:
                touts.append(self.names[id(tan[id(o)]._var)])
            else:
                touts.append(f"np.zeros_like({self.atom_code(o)})")
        y = self.tree_code(self.t.out_tree, outs)
        self.lines.append(f"    return {y}, {self.tree_code(self.t.out_tree, touts)}")
        return self._finish(fname, "forward")

    def _forward_eqn(self, e: Eqn, tan: dict[int, TraceBox]) -> None:
        ts = [tan.get(id(a)) if isinstance(a, Var) else None for a in e.inputs]
        if e.nondiff or all(t is None for t in ts):
            return
        ans = tuple(self.box(v) for v in e.outputs) if e.prim.multiple_results \
            else self.box(e.out)
        args = [self.box(a) if isinstance(a, Var) else a.value for a in e.inputs]
        start = len(self.rec.eqns)
        parts: list[tuple[int | None, Any]]
        if e.prim.jvp_all is not None:
            parts = [(None, e.prim.jvp_all(ts, ans, *args, **e.params))]
        else:
            parts = [(j, e.prim.jvp_rule(j)(t, ans, *args, **e.params))
                     for j, t in enumerate(ts) if t is not None]
        for k, v in enumerate(e.outputs):
            terms = [(j, c[k] if e.prim.multiple_results else c) for j, c in parts]
            terms = [(j, c) for j, c in terms if c is not None]
            if not terms:
                continue
            codes = [self.materialize(c, start) for _, c in terms]
            rhs = codes[0][0]
            for cd in codes[1:]:
                rhs = _plus(rhs, cd)
            value = sum((unbox(c) for _, c in terms[1:]), unbox(terms[0][1]))
            name = self._derived(v, "dot")
            self._comment_stmt(f"{name} = {rhs}", self._tangent_comment(e, v, terms))
            tan[id(v)] = self.named_box(value, name)

    def _tangent_comment(self, e: Eqn, v: Var, terms: list) -> str:
        me = self.nt.v(v.index, DOT)
        parts = []
        for j, _ in terms:
            if j is None:
                return f"{me} = Σⱼ v̇ⱼ · ∂{self.nt.v(v.index)}/∂vⱼ"
            a = e.inputs[j]
            assert isinstance(a, Var)
            parts.append(f"{self.nt.v(a.index, DOT)} · ∂{self.nt.v(v.index)}/∂{self.nt.v(a.index)}")
        return f"{me} = {' + '.join(parts)}"

    # -- helpers for statements ----------------------------------------------------------
    def _adj_name(self, v: Var) -> str:
        return self._derived(v, "bar")

    def _derived(self, v: Var, suffix: str) -> str:
        """The name of v's adjoint (``bar``) or tangent (``dot``), unique in the program."""
        key = (id(v), suffix)
        if key not in self.derived:
            self.derived[key] = self._unique(f"{self.names[id(v)]}_{suffix}")
        return self.derived[key]

    def _unique(self, name: str) -> str:
        base, k = name, 1
        while name in self.used:
            k += 1
            name = f"{base}_{k}"
        self.used.add(name)
        return name

    def _dot_label(self, v: Var, dots: dict[str, str]) -> str:
        """``p_dot['W']`` for the leaf ``p['W']``: the same path in the tangent argument."""
        label = str(v.label)
        root = max((n for n in self.t.arg_names if label.startswith(n)), key=len)
        return f"{dots[root]}{label[len(root):]}"

    def _primal_text(self, e: Eqn) -> str:
        lhs = ", ".join(self.names[id(v)] for v in e.outputs)
        rhs, _ = self.render(e, [self.expr(a, {}) for a in e.inputs])
        return f"{lhs} = {rhs}"

    def _comment_stmt(self, stmt: str, comment: str) -> None:
        line = f"    {stmt}"
        if len(line) <= 56:
            self.lines.append(f"{line:<56}# {comment}")
        else:
            self.lines += [f"    # {comment}", line]

    def _grad_structure(self, grads: list[str]) -> str:
        td = self.t.in_tree
        if len(td.children) == 1:
            return self.tree_code(td.children[0], grads)
        return self.tree_code(td, grads)

    def _finish(self, fname: str, mode: str) -> Source:
        head = []
        consts = [k for k in self.ns if k.startswith("_c")]
        if consts or "_p" in self.ns:
            head.append("# Constants _c* and primitives _p[...] come from Source.namespace.")
        head += [_HELPERS[h] for h in sorted(self.helpers)]
        code = "\n".join(head + self.lines) + "\n"
        return Source(code, fname, mode, self.ns)

    # -- expressions ---------------------------------------------------------------------
    def materialize(self, x: Any, start: int) -> tuple[str, int]:
        """Code for a rule's result, emitting temporaries for values used twice."""
        if not (isinstance(x, TraceBox) and x._level == self.level):
            return self.lit_prec(x)
        new = self.rec.eqns[start:]
        made = {id(v): e for e in new for v in e.outputs}
        needed: list[Eqn] = []
        seen: set[int] = set()
        stack = [x._var]
        while stack:
            v = stack.pop()
            e = made.get(id(v))
            if e is None or id(e) in seen or id(v) in self.names:
                continue
            seen.add(id(e))
            needed.append(e)
            stack += [a for a in e.inputs if isinstance(a, Var)]
        uses: dict[int, int] = {}
        for e in needed:
            for a in e.inputs:
                if isinstance(a, Var):
                    uses[id(a)] = uses.get(id(a), 0) + 1
        inline: dict[int, Eqn] = {}
        for e in sorted(needed, key=lambda e: new.index(e)):
            if e.prim.multiple_results or uses.get(id(e.out), 0) > 1:
                names = [self._fresh("t") for _ in e.outputs]
                for v, n in zip(e.outputs, names):
                    self.names[id(v)] = n
                rhs, _ = self.render(e, [self.expr(a, inline) for a in e.inputs])
                self.lines.append(f"    {', '.join(names)} = {rhs}")
            else:
                inline[id(e.out)] = e
        return self.expr(x._var, inline)

    def expr(self, a: Var | Literal, inline: dict[int, Eqn]) -> tuple[str, int]:
        if isinstance(a, Literal):
            return self.lit_prec(a.value)
        name = self.names.get(id(a))
        if name is not None:
            return name, _ATOM
        e = inline.get(id(a))
        if e is None:
            raise RuntimeError(f"wengert.source: no code for {a!r}")  # pragma: no cover
        return self.render(e, [self.expr(x, inline) for x in e.inputs])

    def atom_code(self, a: Var | Literal) -> str:
        return self.expr(a, {})[0]

    def render(self, e: Eqn, ops: list[tuple[str, int]]) -> tuple[str, int]:
        """Python for one primitive call, with its precedence."""
        name, p = e.prim.name, e.params
        if name in _BINOPS and len(ops) == 2 and not p:
            op, prec = _BINOPS[name]
            if name == "power":
                return f"{_paren(ops[0], _POW + 1)} ** {_paren(ops[1], _UNARY)}", _POW
            return f"{_paren(ops[0], prec)} {op} {_paren(ops[1], prec + 1)}", prec
        if name == "negative" and len(ops) == 1:
            return f"-{_paren(ops[0], _UNARY)}", _UNARY
        if name in ("positive", "stop_gradient") and len(ops) == 1 and not p:
            return ops[0]
        if name == "getitem":
            return f"{_paren(ops[0], _ATOM)}[{self.index_code(p['idx'])}]", _ATOM
        if name == "astype":
            return f"np.asarray({ops[0][0]}).astype({self.lit(p['dtype'])})", _ATOM
        if name == "concatenate":
            items = ", ".join(o[0] for o in ops) + ("," if len(ops) == 1 else "")
            return f"np.concatenate(({items}), axis={self.lit(p['axis'])})", _ATOM
        if name in _NP_CALLS:
            return self.call(f"np.{_NP_CALLS[name]}", ops, p, skip_defaults=True), _ATOM
        if _np_attr(name) is e.prim.impl:
            return self.call(f"np.{name}", ops, p), _ATOM
        if name in _HELPERS and e.prim is all_primitives().get(name):
            self.helpers.add(name)
            return self.call(name, ops, p), _ATOM
        key = name if self.ns.setdefault("_p", {}).setdefault(name, e.prim) is e.prim \
            else f"{name}#{id(e.prim)}"
        self.ns["_p"].setdefault(key, e.prim)
        return self.call(f"_p[{key!r}]", ops, p), _ATOM

    def call(self, fn: str, ops: list[tuple[str, int]], params: dict,
             skip_defaults: bool = False) -> str:
        items = [o[0] for o in ops]
        for k, v in params.items():
            if skip_defaults and k in _DEFAULTS and v is _DEFAULTS[k]:
                continue
            positional = skip_defaults and k in _POSITIONAL
            code = f"np.s_[{self.index_code(v)}]" if k == "idx" else self.lit(v)
            items.append(code if positional else f"{k}={code}")
        return f"{fn}({', '.join(items)})"

    def index_code(self, idx: Any) -> str:
        parts = idx if isinstance(idx, tuple) else (idx,)
        out = []
        for q in parts:
            if isinstance(q, slice):
                s = "" if q.start is None else self.lit(q.start)
                s += ":" + ("" if q.stop is None else self.lit(q.stop))
                s += "" if q.step is None else f":{self.lit(q.step)}"
                out.append(s)
            elif q is Ellipsis:
                out.append("...")
            else:
                out.append(self.lit(q))
        if isinstance(idx, tuple):
            return ", ".join(out) + ("," if len(out) == 1 else "") if out else "()"
        return out[0]

    # -- literals ------------------------------------------------------------------------
    def lit_prec(self, v: Any) -> tuple[str, int]:
        s = self.lit(v)
        return s, _UNARY if s.startswith("-") else _ATOM

    def lit(self, v: Any) -> str:
        """Python source for a constant; large or unusual ones go to the namespace."""
        if v is None or isinstance(v, (bool, str)) or v is Ellipsis:
            return repr(v)
        if isinstance(v, int):
            return repr(v)
        if isinstance(v, float):
            return repr(v) if np.isfinite(v) else {"inf": "np.inf", "-inf": "-np.inf"}.get(
                repr(v), "np.nan")
        if isinstance(v, complex) and np.isfinite(v):
            return repr(v)
        if isinstance(v, np.generic) and v.dtype.kind in "biufc":
            return f"np.{type(v).__name__}({self.lit(v.item())})"
        if isinstance(v, np.ndarray) and v.size <= 16 and v.dtype.kind in "biufc" and \
                np.all(np.isfinite(v)):
            return f"np.array({v.tolist()!r}, dtype={v.dtype.name!r})"
        if isinstance(v, (tuple, list)):
            inner = ", ".join(self.lit(x) for x in v)
            if isinstance(v, list):
                return f"[{inner}]"
            return f"({inner},)" if len(v) == 1 else f"({inner})"
        if isinstance(v, slice):
            return f"slice({self.lit(v.start)}, {self.lit(v.stop)}, {self.lit(v.step)})"
        if isinstance(v, np.dtype):
            return f"np.dtype({v.name!r})"
        if isinstance(v, type) and issubclass(v, np.generic):
            return f"np.{v.__name__}"
        name = self.const_names.get(id(v))
        if name is None:
            self.nconst += 1
            name = self.const_names[id(v)] = f"_c{self.nconst}"
            self.ns[name] = v
        return name

    def tree_code(self, td: TreeDef, leaves: list[str]) -> str:
        return tree_literal(td, leaves, self.lit)


def _plus(left: str, op: tuple[str, int]) -> str:
    """``left + op``, written ``left - x`` when ``op`` is ``-x``."""
    code, prec = op
    if prec == _UNARY and code.startswith("-"):
        return f"{left} - {code[1:]}"
    return f"{left} + {_paren(op, _ADD + 1)}"


def _np_attr(dotted: str) -> Any:
    """``np.linalg.det`` for ``"linalg.det"``; None if NumPy has no such name."""
    obj: Any = np
    for part in dotted.split("."):
        if not part.isidentifier():
            return None
        obj = getattr(obj, part, None)
    return obj


def _paren(op: tuple[str, int], need: int) -> str:
    code, prec = op
    return code if prec >= need else f"({code})"


def _func_name(name: str) -> str:
    s = re.sub(r"\W+", "_", name).strip("_")
    return s if s and not s[0].isdigit() and not keyword.iskeyword(s) else "f"


def tree_literal(td: TreeDef, leaves: list[str], name_of: Callable[[TreeDef], str]) -> str:
    """Python source that rebuilds the container ``td`` around the expressions ``leaves``:
    tuples, lists, dicts and None as literals, any other container by its treedef,
    which ``name_of`` names in the generated code."""
    it = iter(leaves)

    def build(td: TreeDef) -> str:
        if td.kind is None:
            return next(it)
        typ = td.kind[0]
        kids = [build(c) for c in td.children]
        if typ is tuple:
            return f"({kids[0]},)" if len(kids) == 1 else f"({', '.join(kids)})"
        if typ is list:
            return f"[{', '.join(kids)}]"
        if typ is dict:
            return "{" + ", ".join(f"{k!r}: {c}" for k, c in zip(td.aux, kids)) + "}"
        if typ is type(None):
            return "None"
        return f"{name_of(td)}.unflatten([{', '.join(kids)}])"

    return build(td)
