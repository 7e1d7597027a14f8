"""``jit``: trace once per signature, optimise, run generated straight-line NumPy.

A call flows through :class:`JitFunction` like this:

1. The *signature* of the call: the arguments' container structure, each leaf's
   type, shape and dtype, and the static arguments' values.
2. The cache maps a signature to its *specialisations* (most recently used
   first): compiled programs, each valid while its guards hold.  The first whose
   guards hold gives the result; a failing guard raises inside the program, and
   the next one is tried.
3. If none holds (or the signature is new), ``f`` is traced (``ir.trace``'s boxes,
   recording each ``bool``/``int``/``float`` taken of a traced value as a guard),
   optimised (``ir.optimize``), turned into Python (``ir.compile``) and compiled.
   The value computed while tracing is the call's result.
4. Called with values traced by an outer transform (``grad(jit(f))``, an outer
   ``jit``), the specialisation is chosen on their values and its optimised
   equations are replayed through the primitives, so that transform sees them.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import warnings
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from ..core.tracing import Box, collector_paused, guards_only, new_level, unbox
from ..core.tree import TreeDef, tree_flatten
from ..ir.compile import GuardFailed, JitSource, compile_source, generate
from ..ir.optimize import Guard, Stats, optimize
from ..ir.trace import Eqn, Literal, Trace, TraceBox, Var, _Recorder

MAX_SPECIALISATIONS = 8  # per signature: programs for different paths through f
MAX_SIGNATURES = 64      # per function
_LEAF_TYPES = frozenset({float, int, complex, bool, np.ndarray, np.float64, np.float32,
                         np.float16, np.complex128, np.complex64, np.int64, np.int32,
                         np.bool_})
_MATH_ERRORS = (ValueError, OverflowError, ZeroDivisionError)


class JitRetraceWarning(UserWarning):
    """A jitted function keeps being traced again for the same argument shapes."""


class CacheInfo(NamedTuple):
    hits: int            # calls answered by a compiled program
    traces: int          # times f was traced (a new signature or a new path)
    guard_failures: int  # compiled programs abandoned because a guard did not hold
    signatures: int      # signatures in the cache
    programs: int        # compiled specialisations in the cache
    max_programs: int    # per signature


class _JitBox(TraceBox):
    """A value traced by ``jit``: records its equations and its guards."""

    __slots__ = ()

    def guard(self, kind: Any, result: Any) -> None:
        self._rec.guards.append(Guard(self._var, kind, result))  # type: ignore[attr-defined]

    def lift1(self, prim: Any, ans: Any, argnum: int, vals: Sequence, params: dict) -> Any:
        # TraceBox.lift for the commonest call, one traced argument, without its loops
        if prim.multiple_results:
            return super().lift1(prim, ans, argnum, vals, params)
        rec = self._rec
        var = self._var
        if len(vals) == 1:
            inputs: tuple = (var,)
        else:
            inputs = tuple([var if i == argnum else Literal(v) for i, v in enumerate(vals)])
        out = rec.new_var(ans)
        eqn = _new_var(Eqn)
        eqn.prim, eqn.inputs, eqn.params, eqn.outputs, eqn.scope = (
            prim, inputs, params, (out,), ())
        out.eqn = eqn
        rec.eqns.append(eqn)
        box = _new_var(_JitBox)
        box._value, box._level, box._var, box._rec = ans, self._level, out, rec
        return box


class _JitRecorder(_Recorder):
    """A recording with its guards, making variables without NumPy's type queries."""

    def __init__(self, level: int) -> None:
        super().__init__(level, None, scopes=False)
        self.guards: list[Guard] = []

    def new_var(self, value: Any) -> Var:
        self.count += 1
        v = _new_var(Var)
        v.index, v.label, v.eqn = self.count, None, None
        t = type(value)
        if t is float:
            v.value, v.shape, v.dtype = value, (), _F64
        elif t is np.ndarray or isinstance(value, np.generic):
            v.value, v.shape, v.dtype = value, value.shape, value.dtype
        else:
            u = unbox(value)
            v.value, v.shape = u, tuple(np.shape(u))
            v.dtype = Var(None, u).dtype
        return v


_new_var = object.__new__
_F64 = np.dtype(np.float64)


class Program:
    """One specialisation: the optimised trace, its guards and compiled code."""

    def __init__(self, trace: Trace, guards: list[Guard], stats: Stats,
                 types: dict[int, type], source: JitSource) -> None:
        self.trace = trace
        self.guards = guards
        self.stats = stats
        self.types = types
        self.source = source
        self.fn = compile_source(source)
        self._numpy_fn: Callable[..., Any] | None = None
        self.uses_math = source.uses_scalar

    def run(self, leaves: Sequence) -> Any:
        try:
            return self.fn(*leaves)
        except _MATH_ERRORS:
            if not self.uses_math:
                raise
        # Python's floats raise where NumPy gives inf/nan: the NumPy-only variant
        if self._numpy_fn is None:
            self._numpy_fn = compile_source(generate(
                self.trace, self.guards, self.types, scalars=False, name=self.trace.name))
        return self._numpy_fn(*leaves)

    def replay(self, leaves: Sequence) -> Any:
        """The optimised equations applied by the primitives to (traced) values."""
        checks: dict[int, list[Guard]] = {}
        for g in self.guards:
            checks.setdefault(id(g.var), []).append(g)
        watch = {k: functools.partial(_check, gs) for k, gs in checks.items()}
        return self.trace.out_tree.unflatten(self.trace.replay(leaves, watch))


def _check(guards: list[Guard] | None, value: Any) -> None:
    for g in guards or ():
        got = g.kind(value)  # on an outer jit's value, this records its guard too
        if type(got) is not type(g.expected) or got != g.expected:
            raise GuardFailed


def _copy(x: Any) -> Any:
    return x.copy() if isinstance(x, np.ndarray) else x


class JitFunction:
    """``f`` compiled per signature; see :func:`jit`."""

    def __init__(self, fun: Callable[..., Any], static_argnums: int | Sequence[int] = (),
                 static_argnames: str | Sequence[str] = (), max_programs: int = MAX_SPECIALISATIONS,
                 max_signatures: int = MAX_SIGNATURES) -> None:
        if not callable(fun):
            raise TypeError(f"jit: expected a function, got {type(fun).__name__}")
        self.fun = fun
        self.name = getattr(fun, "__name__", type(fun).__name__)
        nums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)
        names = (static_argnames,) if isinstance(static_argnames, str) else tuple(static_argnames)
        for n in nums:
            if not isinstance(n, (int, np.integer)):
                raise TypeError(f"jit({self.name}): static_argnums must be ints, got {n!r}")
        try:  # JAX's convention: a static parameter is static by position and by name
            params = [p.name for p in inspect.signature(fun).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        except (TypeError, ValueError):
            params = []
        self._params = params
        self.static_nums = frozenset(int(n) for n in nums) | {
            params.index(n) for n in names if n in params}
        self.static_names = frozenset(names) | {params[n] for n in self.static_nums
                                                if 0 <= n < len(params)}
        self.max_programs = max_programs
        self.max_signatures = max_signatures
        self._cache: OrderedDict[Any, list[Program]] = OrderedDict()
        self._retraces: dict[Any, int] = {}
        self._warned = False
        self.hits = self.traces = self.guard_failures = 0
        self._last: list[Program | None] = [None]
        self._fast_hits = itertools.count()
        self._hit_counter = self._fast_hits.__next__

    # -- calling -----------------------------------------------------------------------
    def caller(self) -> Callable[..., Any]:
        """The function users call: the last program used is tried first (it checks the
        arguments' types and shapes itself), then the cache, then a new trace."""
        last = self._last
        count = self._hit_counter
        slow = self._call

        def jitted(*args: Any, **kwargs: Any) -> Any:
            if not kwargs:
                prog = last[0]
                if prog is not None:
                    try:
                        out = prog.fn(*args)
                    except (GuardFailed, TypeError):
                        pass
                    except _MATH_ERRORS:
                        if not prog.uses_math:
                            raise
                    else:
                        count()
                        return out
            return slow(args, kwargs)

        functools.update_wrapper(jitted, self.fun)
        jitted.lower = self.lower  # type: ignore[attr-defined]
        jitted.cache_info = self.cache_info  # type: ignore[attr-defined]
        jitted.cache_clear = self.cache_clear  # type: ignore[attr-defined]
        jitted.program = self.program  # type: ignore[attr-defined]
        jitted.jit_function = self  # type: ignore[attr-defined]
        return jitted

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._call(args, kwargs)

    def _call(self, args: tuple, kwargs: dict) -> Any:
        key, leaves, treedef = self._signature(args, kwargs)
        if any(isinstance(x, Box) for x in leaves):
            return self._call_traced(key, args, kwargs, leaves, treedef)
        found = self._lookup(key, leaves)
        if found is None:
            found = self._compile(key, args, kwargs, leaves, treedef)
        if treedef is None and not self.static_nums:
            self._last[0] = found[0]  # the program the fast path tries next
        return found[1]

    def _lookup(self, key: Any, leaves: Sequence) -> tuple[Program, Any] | None:
        programs = self._cache.get(key)
        if programs is None:
            return None
        self._cache.move_to_end(key)
        for i, prog in enumerate(programs):
            try:
                out = prog.run(leaves)
            except GuardFailed:
                self.guard_failures += 1
                continue
            self.hits += 1
            if i:
                programs.insert(0, programs.pop(i))
            return prog, out
        return None

    def _call_traced(self, key: Any, args: tuple, kwargs: dict, leaves: list,
                     treedef: TreeDef | None) -> Any:
        """Called by an outer transform: replay the program its values select."""
        plain = [unbox(x) for x in leaves]
        found = self._lookup(key, plain)
        if found is not None:
            prog = found[0]
        else:
            plain_args, plain_kwargs = _rebuild(treedef, plain, args, kwargs, self)
            prog, _ = self._compile(key, plain_args, plain_kwargs, plain, treedef)
        if any(not guards_only(x) for x in leaves):
            self._refuse_dropped_derivatives(prog)
        try:
            return prog.replay(leaves)
        except GuardFailed:  # NumPy and math disagreed in the last bit at a branch
            return self.fun(*args, **kwargs)

    def _refuse_dropped_derivatives(self, prog: Program) -> None:
        """float() of a value the derivative flows through is refused, as it is eagerly:
        the program would hold it as a constant (here only an outer transform knows)."""
        active = prog.trace.active()
        for g in prog.guards:
            if g.kind in (float, complex) and isinstance(g.var, Var) and id(g.var) in active:
                raise TypeError(
                    f"jit({self.name}): {g.kind.__name__}() of a traced value inside the "
                    f"function would silently drop its derivative under the transform "
                    f"that called it. Use wengert.numpy functions, or "
                    f"{g.kind.__name__}(wengert.stop_gradient(x)) for a constant.")

    # -- signatures --------------------------------------------------------------------
    def _signature(self, args: tuple, kwargs: dict) -> tuple[Any, list, TreeDef | None]:
        if not kwargs and not self.static_nums:  # the key the fast path of __call__ uses
            sig: list[Any] = []
            for a in args:
                v = unbox(a)
                t = type(v)
                if t is float:
                    sig.append(float)
                elif t is np.ndarray:
                    sig.append((v.shape, v.dtype))
                else:
                    break
            else:
                return tuple(sig), list(args), None
        n = len(args)
        statics_pos = []
        dyn_args = []
        for i, a in enumerate(args):
            if i in self.static_nums or (i - n) in self.static_nums:
                label = f" ({self._params[i]!r})" if i < len(self._params) else ""
                statics_pos.append((i, self._hashable(a, f"argument {i}{label}")))
            else:
                dyn_args.append(a)
        statics_kw = []
        dyn_kw = {}
        for k in sorted(kwargs):
            if k in self.static_names:
                statics_kw.append((k, self._hashable(kwargs[k], f"argument {k!r}")))
            else:
                dyn_kw[k] = kwargs[k]
        leaves, treedef = tree_flatten((tuple(dyn_args), dyn_kw))
        leaf_sigs = tuple(_leaf_sig(x, i, self.name) for i, x in enumerate(leaves))
        key = ("general", treedef, leaf_sigs, tuple(statics_pos), tuple(statics_kw))
        return key, leaves, treedef

    def _hashable(self, x: Any, what: str) -> Any:
        try:
            hash(x)
        except TypeError:
            raise TypeError(
                f"jit({self.name}): static {what} is a {type(x).__name__}, which is not "
                f"hashable; static arguments are part of the cache key. Pass a hashable "
                f"value (a tuple instead of a list, a frozenset instead of a set), or "
                f"leave the argument out of static_argnums/static_argnames.") from None
        return (type(x), x)

    # -- tracing and compiling ---------------------------------------------------------
    def _compile(self, key: Any, args: tuple, kwargs: dict, leaves: list,
                 treedef: TreeDef | None) -> tuple[Program, Any]:
        with collector_paused():  # the recording and its passes make no cycles
            return self._compile_paused(key, args, kwargs, leaves, treedef)

    def _compile_paused(self, key: Any, args: tuple, kwargs: dict, leaves: list,
                        treedef: TreeDef | None) -> tuple[Program, Any]:
        level = new_level()
        rec = _JitRecorder(level)
        n = len(leaves)
        inputs = [Var(i + 1 - n, x, f"a{i}") for i, x in enumerate(leaves)]
        boxes = [_JitBox(x, level, v, rec) for x, v in zip(leaves, inputs)]
        call_args, call_kwargs = _rebuild(treedef, boxes, args, kwargs, self)
        in_tree = treedef if treedef is not None else tree_flatten(tuple(leaves))[1]
        out = self.fun(*call_args, **call_kwargs)
        out_flat, out_tree = tree_flatten(out)
        outputs = [o._var if isinstance(o, _JitBox) and o._level == level
                   else Literal(unbox(o)) for o in out_flat]
        t = Trace(inputs, rec.eqns, outputs, in_tree, out_tree, self.name)
        opt, guards, stats = optimize(t, rec.guards)
        types = {id(v): type(v.value) for v in opt.variables}  # what the program keeps
        src = generate(opt, guards, types, name=self.name)
        prog = Program(opt, guards, stats, types, src)
        value = out_tree.unflatten([_result(o, level) for o in out_flat])
        for v in t.variables:  # the program needs shapes and dtypes only, not the values
            v.value = None
        self.traces += 1
        self._store(key, prog)
        return prog, value

    def _store(self, key: Any, prog: Program) -> None:
        programs = self._cache.get(key)
        if programs is None:
            programs = self._cache[key] = []
            while len(self._cache) > self.max_signatures:
                self._cache.popitem(last=False)
                self._warn(f"it has been called with more than {self.max_signatures} "
                           f"different argument signatures (shapes, dtypes, containers, "
                           f"static values), so the least recently used programs are "
                           f"dropped. Pad or bucket the shapes, or make fewer arguments "
                           f"static.")
        else:
            self._retraces[key] = self._retraces.get(key, 0) + 1
        self._cache.move_to_end(key)
        programs.insert(0, prog)
        if len(programs) > self.max_programs:
            programs.pop()
            self._warn(f"it is traced again and again for the same argument shapes "
                       f"({self._retraces[key]} retraces): its Python control flow (if/while/"
                       f"int() on traced values) keeps taking new paths, so only the "
                       f"{self.max_programs} most recent programs are kept. Make the deciding "
                       f"argument static (static_argnums) or use wengert.numpy.where.")

    def _warn(self, why: str) -> None:
        if not self._warned:  # once per function
            self._warned = True
            warnings.warn(f"wengert.jit: {self.name} keeps retracing: {why}",
                          JitRetraceWarning, stacklevel=6)

    # -- seeing it ---------------------------------------------------------------------
    def lower(self, *args: Any, **kwargs: Any) -> JitSource:
        """The generated program (with its guards) that a call with these arguments runs."""
        key, leaves, treedef = self._signature(args, kwargs)
        plain = [unbox(x) for x in leaves]
        found = self._lookup(key, plain)
        if found is not None:
            return found[0].source
        plain_args, plain_kwargs = _rebuild(treedef, plain, args, kwargs, self)
        return self._compile(key, plain_args, plain_kwargs, plain, treedef)[0].source

    def program(self, *args: Any, **kwargs: Any) -> Program:
        """The specialisation a call with these arguments runs (its trace, guards, stats)."""
        self.lower(*args, **kwargs)
        key, leaves, _ = self._signature(args, kwargs)
        found = self._lookup(key, [unbox(x) for x in leaves])
        assert found is not None
        return found[0]

    def cache_info(self) -> CacheInfo:
        fast = next(self._fast_hits)  # (counting costs one: taken back below)
        self._fast_hits = itertools.count(fast)
        self._hit_counter = self._fast_hits.__next__
        return CacheInfo(self.hits + fast, self.traces, self.guard_failures, len(self._cache),
                         sum(len(p) for p in self._cache.values()), self.max_programs)

    def cache_clear(self) -> None:
        self._cache.clear()
        self._last[0] = None
        self._retraces.clear()
        self.hits = self.traces = self.guard_failures = 0

    def __repr__(self) -> str:
        return f"<wengert.jit of {self.name}>"


def _rebuild(treedef: TreeDef | None, leaves: Sequence, args: tuple, kwargs: dict,
             jf: JitFunction) -> tuple[tuple, dict]:
    """The call's arguments with the dynamic leaves replaced by ``leaves``."""
    if treedef is None:  # the fast path's signature: the arguments are the leaves
        return tuple(leaves), {}
    dyn_args, dyn_kw = treedef.unflatten(list(leaves))
    it = iter(dyn_args)
    n = len(args)
    new_args = tuple(a if (i in jf.static_nums or (i - n) in jf.static_nums) else next(it)
                     for i, a in enumerate(args))
    new_kw = {k: (v if k in jf.static_names else dyn_kw[k]) for k, v in kwargs.items()}
    return new_args, new_kw


def _leaf_sig(x: Any, i: int, name: str) -> Any:
    v = unbox(x)
    t = type(v)
    if t is np.ndarray:
        return (v.shape, v.dtype)
    if t in _LEAF_TYPES or isinstance(v, np.generic):
        return t
    if isinstance(v, np.ndarray):
        return (t, v.shape, v.dtype)
    raise TypeError(
        f"jit({name}): argument leaf {i} is a {type(x).__name__}, not an array or number. "
        f"Mark the argument static (static_argnums=... or static_argnames=...) if it is "
        f"a setting rather than data.")


def _result(o: Any, level: int) -> Any:
    if isinstance(o, _JitBox) and o._level == level:
        v = o._value
        return np.float64(v) if type(v) is float else v
    return _copy(o)  # a constant: the program hands out copies, so does the trace


def jit(fun: Callable[..., Any] | None = None, static_argnums: int | Sequence[int] = (),
        static_argnames: str | Sequence[str] = (), *,
        max_programs: int = MAX_SPECIALISATIONS, max_signatures: int = MAX_SIGNATURES) -> Any:
    """``fun`` compiled: traced once per signature into straight-line NumPy.

    The signature is the arguments' structure, shapes, dtypes, Python-scalar types
    and the values of the static arguments (``static_argnums``/``static_argnames``,
    which must be hashable).  Python control flow on traced values (``if x > 0``,
    ``while``, ``range(n)``) is allowed: the decision is a *guard* checked by the
    compiled program, and a call that goes another way traces again and keeps both
    programs (at most ``max_programs`` per signature, ``max_signatures`` signatures).

    >>> f = wengert.jit(wengert.value_and_grad(lambda x: wnp.sum(wnp.tanh(x) ** 2)))
    >>> f(np.ones(3))        # traced and compiled; later calls run the program only
    >>> print(f.lower(np.ones(3)))  # the generated code
    """
    def make(f: Callable[..., Any]) -> Callable[..., Any]:
        return JitFunction(f, static_argnums, static_argnames, max_programs,
                           max_signatures).caller()
    return make if fun is None else make(fun)



def jit_report(f: Callable[..., Any], point: Sequence[Any], mode: str = "primal",
               tangents: Sequence[Any] | None = None) -> str:
    """The traced program of ``f`` (its value, ``mode="reverse"``: value and gradient,
    ``"forward"``: value and tangent) beside the optimised one, with what was removed,
    then the generated code (``wengert trace ... --jit``)."""
    from ..ir.trace import trace
    from .forward import jvp
    from .reverse import value_and_grad
    if mode == "reverse":
        g: Callable[..., Any] = value_and_grad(f, argnums=tuple(range(len(point))))
    elif mode == "forward":
        ts = tuple(tangents) if tangents is not None else (1.0,) + (0.0,) * (len(point) - 1)
        g = _named(lambda *a: jvp(f, a, ts), "jvp")
    else:
        g = f
    original = trace(g, *point)
    opt, _, stats = optimize(original)
    left = [f"traced ({len(original.eqns)})", *map(repr, original.eqns)]
    right = [f"optimised ({len(opt.eqns)})", *map(repr, opt.eqns)]
    width = max(map(len, left)) + 3
    rows = [f"{a:<{width}}{b}" for a, b in zip(left + [""] * (len(right) - len(left)),
                                               right + [""] * (len(left) - len(right)))]
    source = jit(g).lower(*point)
    return "\n".join([f"jit ({mode}): {stats.summary()}", *rows, "", str(source).rstrip()])


def _named(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    fn.__name__ = name
    return fn
