"""Straight-line Python from an (optimised) trace: the code ``jit`` runs.

One statement per equation, calling NumPy directly: Python's operators where
the trace ran them (floats and float arrays), ``math`` for Python floats where
the primitive names a ``scalar`` function, the ufunc itself for the other
elementwise primitives, and the primitive's NumPy implementation otherwise.
Constants that are not short literals live in the function's namespace.

* Guards are checked right after their variable is computed: a failure raises
  :class:`GuardFailed` (free when it does not happen), and the caller retraces.
* Large arrays are deleted after their last use, and an elementwise ufunc
  writes into an operand's buffer (``out=``) when that buffer is a temporary
  of this program that nothing reads afterwards (no view of it, not an output).
* Long programs are split into chunks (functions of ``CHUNK`` equations called
  in turn), since CPython compiles one huge function slowly; every pass here is
  linear in the number of equations.

With ``scalars=False`` nothing goes through ``math`` or Python's float
operators: the variant run when those raise where NumPy gives inf or nan.
"""

from __future__ import annotations

import keyword
import math
import operator
import re
from collections.abc import Callable
from math import prod
from typing import Any

import numpy as np

from .optimize import Guard
from .source import Source, tree_literal
from .trace import Atom, Eqn, Literal, Trace, Var

CHUNK = 2000                # equations per generated function
DEL_MIN_SIZE = 1            # arrays this large are deleted after their last use (all:
#                             freed memory is reused while it is still in the cache)
OUT_MIN_SIZE = 1024         # and written into (out=) when dead
_OPERANDS = (float, np.float64, np.float32, np.ndarray)
_INFIX = {operator.add: "+", operator.sub: "-", operator.mul: "*", operator.truediv: "/",
          operator.pow: "**", operator.matmul: "@"}
_f64 = np.float64


class GuardFailed(Exception):
    """A control-flow decision went another way than when the program was traced."""


class JitSource(Source):
    """The generated program of one specialisation, with its guards."""

    def __init__(self, code: str, name: str, namespace: dict, guards: list[str]) -> None:
        super().__init__(code, name, "jit", namespace)
        self.guards = guards
        self.uses_scalar = False  # whether math or Python's float operators are used

    def __repr__(self) -> str:
        return (f"<wengert.jit program {self.name}: {self.code.count(chr(10))} lines, "
                f"{len(self.guards)} guards>")


def generate(t: Trace, guards: list[Guard], types: dict[int, type], *,
             scalars: bool = True, name: str | None = None) -> JitSource:
    """The program for ``t`` taking its flat inputs and returning its output tree.

    ``types[id(var)]`` is the type each variable had when traced (it decides between
    ``math``, operators and NumPy); ``guards`` are checked where their variable is made.
    """
    return _Gen(t, guards, types, scalars, name).run()


# -- the generator ---------------------------------------------------------------------
class _Gen:
    def __init__(self, t: Trace, guards: list[Guard], types: dict[int, type],
                 scalars: bool, name: str | None) -> None:
        self.t, self.guards, self.types, self.scalars = t, guards, types, scalars
        self.fname = _ident(name or t.name) + "_jit"
        self.ns: dict[str, Any] = {"np": np, "_GuardFailed": GuardFailed, "_f64": _f64}
        self.names: dict[int, str] = {}
        self.ns_names: dict[int, str] = {}    # id(object) -> namespace name
        self.guard_text: list[str] = []
        self.uses_scalar = False
        self._callee: dict[tuple, str] = {}   # (id(prim), arity) -> the function it calls

    # names of variables, constants and functions
    def name(self, a: Atom) -> str:
        if isinstance(a, Literal):
            return self.lit(a.value)
        return self.names[id(a)]

    def lit(self, x: Any) -> str:
        t = type(x)
        if t is bool or x is None or t is str:
            return repr(x)
        if t is int:
            return repr(x) if x >= 0 else f"({x!r})"
        if t is float and math.isfinite(x):
            return repr(x) if math.copysign(1.0, x) > 0 else f"({x!r})"
        return self.const(x, "_c")

    def const(self, x: Any, stem: str) -> str:
        name = self.ns_names.get(id(x))
        if name is None:
            name = f"{stem}{len(self.ns_names)}"
            self.ns_names[id(x)] = name
            self.ns[name] = x
        return name

    def params(self, params: dict) -> str:
        return "".join(f", {k}={self.lit(v)}" for k, v in params.items())

    # the program
    def run(self) -> JitSource:
        t = self.t
        for i, v in enumerate(t.inputs):
            self.names[id(v)] = f"a{i}"
        for e in t.eqns:
            for v in e.outputs:
                self.names[id(v)] = f"v{v.index}" if v.index is not None and v.index > 0 \
                    else f"w{len(self.names)}"
        n = len(t.eqns)
        last = self._last_uses()
        guards_at: dict[int, list[Guard]] = {}
        for g in self.guards:
            guards_at.setdefault(id(g.var), []).append(g)
        reuse = self._plan_reuse(last)
        outputs = self._output_code()
        params = [self.names[id(v)] for v in t.inputs]
        head = [f"# guards: {'; '.join(self.guard_text_for(g) for g in self.guards)}"
                if self.guards else "# no guards"]
        top = self._signature_lines()
        top += [f"    {line}" for v in t.inputs for line in self._guard_lines(v, guards_at)]
        if n <= CHUNK:
            body = top + self._lines(0, n, last, guards_at, reuse)
            lines = head + [f"def {self.fname}({', '.join(params)}):", *body,
                            f"    return {outputs}"]
        else:
            lines = head + self._chunked(params, top, outputs, last, guards_at, reuse)
        code = "\n".join(lines) + "\n"
        src = JitSource(code, self.fname, self.ns, self.guard_text)
        src.uses_scalar = self.uses_scalar
        return src

    def _signature_lines(self) -> list[str]:
        """The arguments' types, shapes and dtypes checked first: a program may be
        called on a guess (the caller's fast path runs the last program it used)."""
        conds = []
        for v in self.t.inputs:
            x = self.names[id(v)]
            ty = self.types.get(id(v))
            if ty is None:
                continue
            conds.append(f"type({x}) is not {self.const(ty, '_T') if ty is not float else 'float'}")
            if ty is np.ndarray:
                conds.append(f"{x}.shape != {v.shape!r}")
                conds.append(f"{x}.dtype != {self.const(v.dtype, '_d')}")
        if not conds:
            return []
        return [f"    if {' or '.join(conds)}: raise _GuardFailed"]

    def guard_text_for(self, g: Guard) -> str:
        text = g.describe(self.name(g.var))
        self.guard_text.append(text)
        return text

    def _last_uses(self) -> dict[int, int]:
        """id(var) -> position of the last equation reading it (len: an output)."""
        last: dict[int, int] = {}
        for i, e in enumerate(self.t.eqns):
            for a in e.inputs:
                if isinstance(a, Var):
                    last[id(a)] = i
        end = len(self.t.eqns)
        for a in self.t.outputs:
            if isinstance(a, Var):
                last[id(a)] = end
        return last

    def _guard_lines(self, v: Var, guards_at: dict[int, list[Guard]]) -> list[str]:
        out = []
        for g in guards_at.get(id(v), ()):
            x = self.names[id(v)]
            if g.kind is bool:
                out.append(f"if {'not ' if g.expected else ''}{x}: raise _GuardFailed")
            else:
                k = self.const(g.kind, "_k")
                out.append(f"if {k}({x}) != {self.lit(g.expected)}: raise _GuardFailed")
        return out

    # -- buffer reuse (out=) -----------------------------------------------------------
    def _ufunc(self, e: Eqn) -> Any:
        """The ufunc computing ``e`` (the one its primitive declares), if any."""
        u = e.prim.ufunc
        if u is not None and not e.params and u.nin == len(e.inputs) and u.nout == 1:
            return u
        return None

    def _plan_reuse(self, last: dict[int, int]) -> dict[int, Var]:
        """Equation position -> the operand whose dead buffer its ufunc writes into."""
        types = self.types
        if not any(types.get(id(e.out)) is np.ndarray and prod(e.out.shape) >= OUT_MIN_SIZE
                   for e in self.t.eqns):
            return {}  # nothing large enough to be worth it
        end = len(self.t.eqns)
        buf: dict[int, int] = {}         # id(var) -> its buffer (id of the var that made it)
        views: dict[int, set[int]] = {}  # id(var) -> buffers it may share memory with
        live_to: dict[int, int] = {}     # buffer -> last use of any var holding it
        owned: set[int] = set()          # buffers this program allocated itself
        for v in self.t.inputs:
            views[id(v)] = {id(v)}
            live_to[id(v)] = end + 1
        for a in self.t.outputs:
            if isinstance(a, Var):
                for b in views.get(id(a), ()):
                    live_to[b] = end + 1
        reuse: dict[int, Var] = {}
        for i, e in enumerate(self.t.eqns):
            u = self._ufunc(e)
            out = e.out
            fresh = u is not None and types.get(id(out)) is np.ndarray and \
                len(e.outputs) == 1
            if fresh:
                target = None
                if out.shape and prod(out.shape) >= OUT_MIN_SIZE:
                    for a in e.inputs:
                        if (isinstance(a, Var) and id(a) in buf and buf[id(a)] in owned
                                and types.get(id(a)) is np.ndarray
                                and a.shape == out.shape and a.dtype == out.dtype
                                and live_to.get(buf[id(a)], end + 1) <= i
                                and not any(isinstance(b, Var) and b is not a and
                                            buf[id(a)] in views.get(id(b), ())
                                            for b in e.inputs)):
                            target = a
                            break
                if target is not None:
                    reuse[i] = target
                    b = buf[id(target)]
                else:
                    b = id(out)
                    owned.add(b)
                buf[id(out)] = b
                views[id(out)] = {b}
                live_to[b] = max(live_to.get(b, -1), last.get(id(out), -1))
            else:  # may be a view of any operand: their buffers live as long as it does
                shared: set[int] = set()
                for a in e.inputs:
                    if isinstance(a, Var):
                        shared |= views.get(id(a), set())
                for v in e.outputs:
                    views[id(v)] = shared
                    end_v = last.get(id(v), -1)
                    for b in shared:
                        live_to[b] = max(live_to.get(b, -1), end_v)
                    if types.get(id(v)) is np.ndarray:  # a new array or a view: not owned
                        buf[id(v)] = id(v)
            if any(isinstance(a, Var) and last.get(id(a)) == end for a in e.outputs):
                for v in e.outputs:
                    for b in views.get(id(v), ()):
                        live_to[b] = end + 1
        return reuse

    # -- statements --------------------------------------------------------------------
    def _lines(self, start: int, stop: int, last: dict[int, int],
               guards_at: dict[int, list[Guard]], reuse: dict[int, Var]) -> list[str]:
        lines: list[str] = []
        append = lines.append
        eqns = self.t.eqns
        types = self.types
        names = self.names
        ndarray = np.ndarray
        rhs = self.rhs
        for i in range(start, stop):
            e = eqns[i]
            outs = e.outputs
            if len(outs) == 1:
                lhs = names[id(outs[0])] + ("," if e.prim.multiple_results else "")
            else:
                lhs = ", ".join([names[id(v)] for v in outs])
            append(f"    {lhs} = {rhs(e, reuse.get(i) if reuse else None)}")
            for v in outs:
                if guards_at and id(v) in guards_at:
                    lines += [f"    {line}" for line in self._guard_lines(v, guards_at)]
                if id(v) not in last and types.get(id(v)) is ndarray and \
                        prod(v.shape) >= DEL_MIN_SIZE:
                    append(f"    del {names[id(v)]}")  # made for a guard only
            dying = None
            for a in e.inputs:
                if type(a) is Var and last.get(id(a)) == i and a.eqn is not None \
                        and types.get(id(a)) is ndarray and prod(a.shape) >= DEL_MIN_SIZE:
                    if dying is None:
                        dying = [names[id(a)]]
                    elif names[id(a)] not in dying:
                        dying.append(names[id(a)])
            if dying:
                append(f"    del {', '.join(dying)}")
        return lines

    def rhs(self, e: Eqn, into: Var | None) -> str:
        types = self.types
        names = self.names
        p = e.prim
        ins = e.inputs
        ops = [names[id(a)] if type(a) is Var else self.lit(a.value) for a in ins]
        if into is not None:
            u = self.const(self._ufunc(e), "_u")
            return f"{u}({', '.join(ops)}, out={names[id(into)]})"
        params = e.params
        if p.operator is not None and len(ins) == 2 and not params:
            op = _INFIX.get(p.operator)
            if op is not None:
                in_t = [types.get(id(a)) if type(a) is Var else type(a.value) for a in ins]
                if self.scalars or float not in in_t:
                    out_t = types.get(id(e.out))
                    if (in_t[0] in _OPERANDS and in_t[1] in _OPERANDS) or (
                            out_t is float and all(t in (float, int) for t in in_t)):
                        if float in in_t:
                            self.uses_scalar = True
                        return f"{ops[0]} {op} {ops[1]}"
        if self.scalars and p.scalar is not None and len(ins) == 1 and not params:
            a = ins[0]
            if type(a) is Var and types.get(id(a)) is float and types.get(id(e.out)) is float:
                self.uses_scalar = True
                return f"{self.const(p.scalar, '_m')}({ops[0]})"
        key = (id(p), len(ins))
        fn = self._callee.get(key)
        if fn is None or params:
            u = self._ufunc(e)
            fn = self.const(u if u is not None else p.impl, "_f")
            if not params:
                self._callee[key] = fn
        return f"{fn}({', '.join(ops)}{self.params(params) if params else ''})"

    def _output_code(self) -> str:
        t = self.t
        seen: set[int] = set()
        leaves = []
        for a in t.outputs:
            code = self.name(a)
            if isinstance(a, Literal):
                if isinstance(a.value, np.ndarray):
                    code = f"{code}.copy()"  # never hand out the program's own constant
                elif type(a.value) is float:
                    code = f"_f64({code})"
            else:
                ty = self.types.get(id(a))
                if ty is float:
                    code = f"_f64({code})"
                elif ty is np.ndarray and id(a) in seen:
                    code = f"{code}.copy()"  # one array twice: distinct, as grad returns
                seen.add(id(a))
            leaves.append(code)
        return tree_literal(t.out_tree, leaves, lambda td: self.const(td, "_t"))

    # -- chunks ------------------------------------------------------------------------
    def _chunked(self, params: list[str], top: list[str], outputs: str, last: dict[int, int],
                 guards_at: dict[int, list[Guard]], reuse: dict[int, Var]) -> list[str]:
        eqns = self.t.eqns
        n = len(eqns)
        bounds = list(range(0, n, CHUNK)) + [n]
        chunk_of: dict[int, int] = {id(v): -1 for v in self.t.inputs}
        for c in range(len(bounds) - 1):
            for e in eqns[bounds[c]:bounds[c + 1]]:
                for v in e.outputs:
                    chunk_of[id(v)] = c
        nchunks = len(bounds) - 1
        live_in: list[dict[int, Var]] = [{} for _ in range(nchunks)]
        live_out: list[dict[int, Var]] = [{} for _ in range(nchunks)]
        last_chunk: dict[int, int] = {}
        for c in range(nchunks):
            for e in eqns[bounds[c]:bounds[c + 1]]:
                for a in e.inputs:
                    if isinstance(a, Var) and chunk_of[id(a)] != c:
                        live_in[c][id(a)] = a
                        last_chunk[id(a)] = c
                        if chunk_of[id(a)] >= 0:
                            live_out[chunk_of[id(a)]][id(a)] = a
        for a in self.t.outputs:
            if isinstance(a, Var) and chunk_of.get(id(a), -1) >= 0:
                live_out[chunk_of[id(a)]][id(a)] = a
                last_chunk[id(a)] = nchunks
        lines: list[str] = []
        driver = [f"def {self.fname}({', '.join(params)}):", *top]
        for c in range(nchunks):
            ins = [self.names[k] for k in live_in[c]]
            outs = [self.names[k] for k in live_out[c]]
            lines.append(f"def _chunk{c}({', '.join(ins)}):")
            lines += self._lines(bounds[c], bounds[c + 1], last, guards_at, reuse)
            lines.append(f"    return ({', '.join(outs)}{',' if len(outs) == 1 else ''})")
            call = f"_chunk{c}({', '.join(ins)})"
            if outs:
                driver.append(f"    {', '.join(outs)}{',' if len(outs) == 1 else ''} = {call}")
            else:
                driver.append(f"    {call}")
            dead = [self.names[k] for k, v in live_in[c].items()
                    if last_chunk.get(k) == c and v.eqn is not None]
            if dead:
                driver.append(f"    del {', '.join(dead)}")
        driver.append(f"    return {outputs}")
        return lines + driver


def compile_source(src: JitSource) -> Callable[..., Any]:
    """The function a generated program defines (wengert's own code, never user text)."""
    ns = dict(src.namespace)
    exec(compile(src.code, f"<wengert.jit {src.name}>", "exec"), ns)  # noqa: S102
    return ns[src.name]  # type: ignore[no-any-return]


def _ident(name: str) -> str:
    s = re.sub(r"\W+", "_", name).strip("_")
    return s if s and not s[0].isdigit() and not keyword.iskeyword(s) else "f"
