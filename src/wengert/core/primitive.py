"""Primitives: the atoms every transform understands.

A :class:`Primitive` is the one place that holds everything about an operation:
its NumPy implementation, its forward-mode (JVP) rule, its reverse-mode (VJP)
rule and its batching rule (``vmap``).  Transforms never special-case a primitive;
they look its rules up here.

Rule signatures (``argnum`` is the positional argument the rule is for):

* JVP rule for one argument: ``rule(tangent, ans, *args, **params) -> tangent_out``.
  The output tangent is the sum of the contributions of all arguments.
* VJP rule for one argument: ``rule(cotangent, ans, *args, **params) -> cotangent_in``.
* Batching rule (``vmap``): ``rule(args, dims, **params) -> (out, out_dim)``.  ``args``
  are the values, each batched value with its batch axis at ``dims[i]`` (an int;
  ``None`` for an argument without one); ``out`` is the batched answer with its batch
  axis at ``out_dim`` (``None``: the answer is the same for every example).  For a
  primitive with multiple results, ``out`` is a tuple and ``out_dim`` a tuple or one int
  for all.  An ``elementwise`` primitive gets the shared elementwise rule by default.
* Simplification rule (``jit``'s optimiser): ``simplify(ins, params, out, ctx) ->
  replacement or None`` rewrites one equation of this primitive in a trace (``x * 1`` is
  ``x``); the contract and the shared helpers are in :mod:`wengert.rules._simplify`.

Facts for the compiler, beside the rules: ``commutative`` (``f(x, y)`` is ``f(y, x)``,
value and derivative, so common-subexpression elimination may swap the operands) and
``ufunc`` (the NumPy ufunc computing the primitive, which generated code calls directly
and may give ``out=``; found by itself when the implementation is a ufunc).

Rules are written with :mod:`wengert.numpy` functions, so they are themselves
differentiable: that is what makes ``grad(grad(f))`` and ``jacfwd(jacrev(f))`` work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .tracing import _SEQUENCES, Box, bind, contains_box, packed_args

Rule = Callable[..., Any]
_ndarray = np.ndarray  # a global name: faster than np.ndarray on hot paths
_NO_PARAMS: dict = {}  # shared by the recorded calls without keyword arguments


class NotDifferentiableError(TypeError, NotImplementedError):
    """A primitive was differentiated through an argument it has no rule for (a
    ``TypeError`` like JAX's, and a ``NotImplementedError`` like autograd's)."""


class Primitive:
    """A differentiable operation with its implementation and derivative rules."""

    __slots__ = (
        "name", "impl", "nondiff", "multiple_results", "keep_args", "keep_ans",
        "jvps", "jvp_n", "jvp_all", "vjps", "vjp_n", "_vjp_reads", "trims_args", "batch",
        "operator", "scalar", "passthrough", "scaling", "elementwise", "simplify", "commutative",
        "ufunc", "__dict__",
    )

    def __init__(
        self,
        name: str,
        impl: Callable[..., Any],
        *,
        nondiff: bool = False,
        multiple_results: bool = False,
        keep_args: bool = True,
        keep_ans: bool = True,
        elementwise: bool = False,
    ) -> None:
        self.name = name
        self.impl = impl
        # A non-differentiable primitive (argmax, floor, comparisons) returns plain
        # values: its derivative is zero wherever it is defined.
        self.nondiff = nondiff
        self.multiple_results = multiple_results
        # What the VJP rule reads.  Arrays it does not read are replaced by their
        # shape and dtype in the recorded graph, so they can be freed early.
        self.keep_args = keep_args
        self.keep_ans = keep_ans
        self.jvps: tuple[Rule | None, ...] | None = None
        self.jvp_n: Rule | None = None
        # A joint rule ``rule(tangents, ans, *args, **params)`` (``None`` for zero
        # tangents) for primitives whose JVP is not a sum over arguments.
        self.jvp_all: Rule | None = None
        self.vjps: tuple[Rule | None, ...] | None = None
        self.vjp_n: Rule | None = None
        # vjp_reads[i]: the positional arguments the VJP rule for argument i reads
        # (None: all).  Arguments no rule of a traced argument reads are not kept.
        self.vjp_reads = None
        self.batch: Rule | None = None  # the vmap batching rule (see the module docstring)
        # Python's operator with the same result on floats and float arrays, if any:
        # array operators call it directly, skipping the ufunc's dispatch.
        self.operator: Callable[[Any, Any], Any] | None = None
        # The ``math`` function with the same value on a Python float, if any: traced
        # scalar code then stays in Python floats, several times faster than NumPy's.
        self.scalar: Callable[[float], float] | None = None
        # The arguments whose VJP is the identity when the answer has their shape and
        # dtype (x + c, x - c): reverse mode then records no node for them, the answer
        # shares the argument's (its adjoint flows straight through).
        self.passthrough: tuple[int, ...] | None = None
        # The arguments whose VJP is multiplication by the other argument (x * c): with a
        # real constant c and the answer of x's shape and dtype, reverse mode records no
        # node either; the answer's box carries c, applied where its adjoint is passed on.
        self.scaling: tuple[int, ...] | None = None
        # Whether the answer is the arguments broadcast together, so that no argument
        # has more entries than it (recording then judges their sizes by the answer's).
        self.elementwise = elementwise
        # For jit (see the module docstring): its simplification rule, whether its two
        # arguments commute exactly (in floating point, with mirror-image derivative
        # rules: not maximum or minimum, whose rules break ties by position), its ufunc.
        self.simplify: Rule | None = None
        self.commutative = False
        self.ufunc: np.ufunc | None = impl if isinstance(impl, np.ufunc) else None

    def __call__(self, x: Any, /, *rest: Any, **params: Any) -> Any:
        if not rest:  # one argument: skip bind's general loop
            if not isinstance(x, Box):
                if type(x) in _SEQUENCES and contains_box(x):
                    return self(*packed_args((x,)), **params)  # type: ignore[misc]
                return self.impl(x, **params) if params else self.impl(x)
            value = x._value
            if type(value) is _ndarray and not params and not self.nondiff:  # commonest
                if x.defers and not self.elementwise:  # vmap: the rule computes it
                    return bind(self, (x,), params)
                return x.lift1(self, self.impl(value), 0, (value,), _NO_PARAMS)
            if isinstance(value, Box):
                return bind(self, (x,), params)
            scalar = self.scalar
            if scalar is not None and type(value) is float and not params:
                try:
                    ans = scalar(value)
                except (ValueError, OverflowError):  # math raises where NumPy gives nan/inf
                    ans = self.impl(value)
            elif x.defers:  # vmap (its values are arrays, never floats): the rule computes it
                return bind(self, (x,), params)
            else:
                ans = self.impl(value, **params) if params else self.impl(value)
            if self.nondiff and not x.sees_nondiff:
                return ans
            return x.lift1(self, ans, 0, (value,), params or _NO_PARAMS)
        args = (x, *rest)
        for a in args:
            if isinstance(a, Box):
                return bind(self, args, params)
        packed = packed_args(args)
        if packed is not None:
            return bind(self, packed, params)
        return self.impl(*args, **params)

    def __repr__(self) -> str:
        return f"<wengert primitive {self.name}>"

    @property
    def vjp_reads(self) -> tuple[tuple[int, ...], ...] | None:
        return self._vjp_reads

    @vjp_reads.setter
    def vjp_reads(self, reads: tuple[tuple[int, ...], ...] | None) -> None:
        self._vjp_reads = reads
        # Whether recording may replace some arguments by their shape (read per call).
        self.trims_args = not self.keep_args or reads is not None

    # -- registering rules ----------------------------------------------------
    def defjvp(self, *rules: Rule | None) -> Primitive:
        """Give one JVP rule per positional argument (``None``: not differentiable)."""
        self.jvps = tuple(rules)
        return self

    def defjvp_argnum(self, rule: Rule) -> Primitive:
        """Give a JVP rule ``rule(argnum, tangent, ans, *args, **params)`` for any argument."""
        self.jvp_n = rule
        return self

    def defjvp_all(self, rule: Rule) -> Primitive:
        """Give one JVP rule ``rule(tangents, ans, *args, **params)`` for all arguments."""
        self.jvp_all = rule
        return self

    def defvjp(self, *rules: Rule | None) -> Primitive:
        """Give one VJP rule per positional argument (``None``: not differentiable)."""
        self.vjps = tuple(rules)
        return self

    def defvjp_argnum(self, rule: Rule) -> Primitive:
        """Give a VJP rule ``rule(argnum, cotangent, ans, *args, **params)`` for any argument."""
        self.vjp_n = rule
        return self

    def defbatch(self, rule: Rule) -> Primitive:
        """Give the batching rule ``rule(args, dims, **params) -> (out, out_dim)``."""
        self.batch = rule
        return self

    def batch_rule(self) -> Rule | None:
        """The batching rule: the one given, else the shared elementwise rule for an
        ``elementwise`` primitive, else None (vmap then loops over the examples)."""
        rule = self.batch
        if rule is None and self.elementwise:
            from .batching import hooks
            rule = self.batch = hooks["elementwise"](self)
        return rule

    def deflinear(self, nargs: int = 1) -> Primitive:
        """Declare the primitive linear in each of its first ``nargs`` arguments
        separately (e.g. ``sum``, ``reshape``), so its JVP is itself applied to
        the tangent.  The VJP (the transpose) still has to be given."""

        def make(i: int) -> Rule:
            def rule(t: Any, ans: Any, *args: Any, **params: Any) -> Any:
                new = list(args)
                new[i] = t
                return self(*new, **params)
            return rule

        self.jvps = tuple(make(i) for i in range(nargs))
        return self

    # -- looking rules up (used by the interpreters) ----------------------------
    def jvp_rule(self, argnum: int) -> Rule:
        return self._rule(self.jvps, "jvp_n", argnum, "forward-mode (JVP)", "defjvp")

    def vjp_rule(self, argnum: int) -> Rule:
        return self._rule(self.vjps, "vjp_n", argnum, "reverse-mode (VJP)", "defvjp")

    def _rule(self, rules: tuple | None, generic: str, argnum: int, mode: str,
              how: str) -> Rule:
        if rules is not None and argnum < len(rules) and rules[argnum] is not None:
            return rules[argnum]  # type: ignore[return-value]
        n = getattr(self, generic)
        if n is None:
            raise NotDifferentiableError(self._missing(mode, argnum, how))
        # Bind argnum once per (rule, argnum), not on every call: this is the hot path
        # of varargs primitives (concatenate, einsum) and custom rules.
        cache = self.__dict__.setdefault("_bound_rules", {})
        key = (n, argnum)
        bound = cache.get(key)
        if bound is None:
            bound = cache[key] = lambda *a, **k: n(argnum, *a, **k)
        return bound

    def _missing(self, mode: str, argnum: int, how: str) -> str:
        return (
            f"wengert.numpy.{self.name}: no {mode} derivative rule for argument {argnum}. "
            f"Register one with `wengert.primitive` and `.{how}(...)`, or wrap the call "
            f"in `wengert.stop_gradient` if no derivative should flow through it."
        )


def primitive(fn: Callable[..., Any] | None = None, *, name: str | None = None,
              multiple_results: bool = False) -> Any:
    """Make a user function a primitive so it can be given its own rules.

    >>> @primitive
    ... def cube(x): return x ** 3
    >>> cube.defvjp(lambda g, ans, x: g * 3 * x ** 2)
    """

    def wrap(f: Callable[..., Any]) -> Primitive:
        p = Primitive(str(name or getattr(f, "__name__", "primitive")), f,
                      multiple_results=multiple_results)
        p.__doc__ = getattr(f, "__doc__", None)
        return p

    return wrap(fn) if fn is not None else wrap
