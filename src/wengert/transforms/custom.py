"""Controlling differentiation: ``stop_gradient``, ``custom_jvp``, ``custom_vjp``.

A custom rule is a primitive made on the fly: its implementation is the
user's function and its rules call the user's JVP or forward/backward pair.
Reverse mode of a ``custom_jvp`` function transposes the user's JVP (it is
linear in the tangents) by differentiating it in reverse mode.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from ..core.primitive import NotDifferentiableError, Primitive
from ..core.tracing import Box, unbox
from ..core.tree import tree_flatten, tree_map
from ..rules._util import defprim
from ._common import check_callable
from .reverse import vjp

stop_gradient_p = defprim("stop_gradient", lambda x: x, nondiff=True)
stop_gradient_p.defbatch(lambda args, dims: (stop_gradient_p(args[0]), dims[0]))


def stop_gradient(x: Any) -> Any:
    """``x`` with its derivative cut: the value passes, no tangent or adjoint does."""
    return tree_map(stop_gradient_p, x)


def _zeros_of(x: Any) -> Any:
    v = unbox(x)  # the example's shape (a batch box leaves out its batch axis)
    shape = x.shape if isinstance(x, Box) else np.shape(v)  # type: ignore[attr-defined]
    return np.zeros(shape, dtype=np.result_type(v))


class _Call:
    """What one call of a custom-rule function keeps for its rules (shared by all levels)."""

    __slots__ = ("in_def", "in_shapes", "out_def", "out_meta", "res", "g", "cts", "level")

    def __init__(self, in_def: Any, flat: list) -> None:
        self.level = _top_box(flat)[0]
        self.in_def = in_def
        self.in_shapes = [np.shape(x) for x in flat]
        self.out_def: Any = None
        self.out_meta: list = []
        self.res: Any = None
        self.g: Any = None  # the cotangent tuple the cached ``cts`` were computed for
        self.cts: list = []

    def set_out(self, out_flat: list, out_def: Any, name: str) -> None:
        """Record the output's structure; constants of this level (a tensor with no
        graph) become their values, in place in ``out_flat``."""
        for i, o in enumerate(out_flat):
            if not isinstance(o, Box) or o._level < self.level:
                continue
            if _constant(o):
                out_flat[i] = unbox(o)
            else:
                raise TypeError(
                    f"{name}: its output depends on a traced value the function closes over "
                    f"(not one of its arguments), which its custom rule cannot account for; "
                    f"pass that value as an argument instead")
        self.out_def = out_def
        self.out_meta = [(np.shape(o), _dtype_of(o)) for o in out_flat]

    def zeros_for(self, g: tuple) -> list:
        return [np.zeros(s, d) if c is None else c for c, (s, d) in zip(g, self.out_meta)]

    def __repr__(self) -> str:
        return f"<call {self.in_def} -> {self.out_def}>"


def _constant(box: Box) -> bool:
    """A box that carries no derivative (a tensor that does not require grad)."""
    return getattr(box, "_node", 1) is None or getattr(box, "_tangent", 1) is None


def _dtype_of(x: Any) -> Any:
    return np.result_type(unbox(x))


def _top_box(flat: list) -> tuple[int, Any]:
    top, cls = 0, None
    for x in flat:
        if isinstance(x, Box) and x._level > top:
            top, cls = x._level, type(x)
    return top, cls


def _flatten_up_to(treedef: Any, ct: Any) -> list | None:
    """The leaves of ``ct`` laid out as ``treedef`` (``None`` stands for zeros anywhere);
    ``None`` if ``ct`` does not have that structure."""
    if ct is None:
        return [None] * treedef.num_leaves
    if treedef.kind is None:
        return [ct]
    if type(ct) is not treedef.kind[0]:
        return None
    children, aux = treedef.kind[1].flatten(ct)
    if aux != treedef.aux or len(children) != len(treedef.children):
        return None
    out: list = []
    for sub, c in zip(treedef.children, children):
        leaves = _flatten_up_to(sub, c)
        if leaves is None:
            return None
        out.extend(leaves)
    return out


def _check_nondiff(kind: str, fun: Any, nums: Any) -> tuple[int, ...]:
    nums = (nums,) if isinstance(nums, int) else tuple(nums)
    if any(not isinstance(i, int) or i < 0 for i in nums) or len(set(nums)) != len(nums):
        raise ValueError(f"{kind}({getattr(fun, '__name__', 'f')}): nondiff_argnums must be "
                         f"distinct non-negative ints, got {nums}")
    return tuple(sorted(nums))


@functools.lru_cache(maxsize=256)
def _signature(fun: Any) -> tuple[Any, int]:
    """``(signature, n)``: n is the number of parameters when they are all plain
    positional ones without defaults (a call with n arguments needs no binding), else -1."""
    import inspect
    try:
        sig = inspect.signature(fun)
    except (TypeError, ValueError):  # builtins without one: arguments as given
        return None, -1
    plain = all(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
                for p in sig.parameters.values())
    return sig, len(sig.parameters) if plain else -1


def _positional(fun: Any, args: tuple, kwargs: dict) -> tuple:
    """All arguments by position, defaults filled in, as JAX resolves them: the rules
    see every parameter of the function, however it was called."""
    sig, n_plain = _signature(fun)
    if not kwargs and len(args) == n_plain:  # the common call: nothing to resolve
        return args
    if sig is None:
        if kwargs:
            raise TypeError(f"{getattr(fun, '__name__', 'f')}: pass arguments by position")
        return args
    try:
        bound = sig.bind(*args, **kwargs)
    except TypeError as exc:
        raise TypeError(f"{getattr(fun, '__name__', 'f')}: {exc}") from None
    if bound.kwargs:  # keyword-only (or **kwargs) values cannot reach the rules by position
        raise TypeError(f"{getattr(fun, '__name__', 'f')}: custom-rule functions take their "
                        f"arguments by position or name, not as keyword-only arguments")
    bound.apply_defaults()  # keyword-only defaults stay the function's own
    return tuple(bound.args)


def _named(fn: Any, like: Any) -> Any:
    fn.__name__ = getattr(like, "__name__", "f")  # not functools.wraps: its signature differs
    return fn


def _split(args: tuple, nums: tuple[int, ...]) -> tuple:
    """(static values, differentiable arguments, merge(diff) -> all arguments in order)."""
    for i in nums:
        if i >= len(args):
            raise TypeError(f"nondiff_argnums {nums}: the call has only {len(args)} arguments")
    static = tuple(args[i] for i in nums)
    diff = tuple(a for i, a in enumerate(args) if i not in nums)

    def merge(d: tuple) -> list:
        it, st = iter(d), iter(static)
        return [next(st) if i in nums else next(it) for i in range(len(args))]
    return static, diff, merge


class custom_jvp:
    """Give a function its own forward-mode rule (JAX's API).

    >>> @custom_jvp
    ... def softplus(x): return wnp.log1p(wnp.exp(x))
    >>> @softplus.defjvp
    ... def softplus_jvp(primals, tangents):
    ...     (x,), (t,) = primals, tangents
    ...     return softplus(x), t * expit(x)

    Arguments and results may be pytrees.  Reverse mode uses the same rule,
    transposed (the rule is linear in the tangents).
    """

    def __init__(self, fun: Callable[..., Any],
                 nondiff_argnums: tuple[int, ...] = ()) -> None:
        check_callable("custom_jvp", fun)
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = _check_nondiff("custom_jvp", fun, nondiff_argnums)
        self.jvp: Callable[..., Any] | None = None
        self.prim = Primitive(f"custom_jvp[{getattr(fun, '__name__', 'f')}]", self._impl,
                              multiple_results=True)
        self.prim.defbatch(self._batch_rule)

    def defjvp(self, jvp: Callable[..., Any]) -> Callable[..., Any]:
        self.jvp = jvp
        self.prim.defjvp_all(self._jvp_rule)
        self.prim.defvjp_argnum(self._vjp_rule)
        return jvp

    def defjvps(self, *rules: Callable[..., Any] | None) -> None:
        """One rule per argument, ``rule(tangent_i, primal_out, *primals)``; the output
        tangent is their sum (``None``: the argument contributes nothing), as in JAX."""
        fun = self.fun

        def jvp(primals: tuple, tangents: tuple) -> tuple:
            out = fun(*primals)
            total: Any = None
            for rule, t in zip(rules, tangents):
                if rule is None:
                    continue
                part = rule(t, out, *primals)
                total = part if total is None else tree_map(lambda a, b: a + b, total, part)
            return out, tree_map(_zeros_of, out) if total is None else total
        self.defjvp(jvp)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.jvp is None:
            raise TypeError(f"custom_jvp {self.prim.name}: define the rule with @f.defjvp "
                            f"before calling it")
        args = _positional(self.fun, args, kwargs)
        if self.nondiff_argnums:  # a rule for this call, with the static values fixed
            static, diff, merge = _split(args, self.nondiff_argnums)
            jvp = self.jvp
            inner = custom_jvp(_named(lambda *d: self.fun(*merge(d)), self.fun))
            inner.defjvp(lambda primals, tangents: jvp(*static, primals, tangents))
            return inner(*diff)
        flat, in_def = tree_flatten(args)
        if not any(isinstance(x, Box) for x in flat):
            return self.fun(*args)
        call = _Call(in_def, flat)
        results = self.prim(*flat, call=call)
        return call.out_def.unflatten(list(results))

    def _batch_rule(self, args: list, dims: list, call: _Call) -> tuple:
        """vmap of a custom_jvp function: a custom_jvp of the vmapped function whose rule
        is the user's rule under vmap (so transforms below still use the custom rule)."""
        from .vmap import vmap
        in_axes = tuple(call.in_def.unflatten(list(dims)))
        jvp = self.jvp
        inner = custom_jvp(_named(vmap(self.fun, in_axes=in_axes), self.fun))
        inner.defjvp(lambda primals, tangents: vmap(
            jvp, in_axes=(in_axes, in_axes))(primals, tangents))  # type: ignore[arg-type]
        out_flat, call.out_def = tree_flatten(inner(*call.in_def.unflatten(list(args))))
        call.out_meta = [(np.shape(o)[1:], _dtype_of(o)) for o in out_flat]
        return tuple(out_flat), 0

    def _impl(self, *flat: Any, call: _Call) -> tuple:
        out_flat, out_def = tree_flatten(self.fun(*call.in_def.unflatten(list(flat))))
        call.set_out(out_flat, out_def, self.prim.name)
        return tuple(out_flat)

    def _user_jvp(self, args: tuple, tangents: list, call: _Call) -> list:
        primals = call.in_def.unflatten(list(args))
        res = self.jvp(tuple(primals), tuple(call.in_def.unflatten(tangents)))  # type: ignore[misc]
        if not (isinstance(res, (tuple, list)) and len(res) == 2):
            raise TypeError(f"{self.prim.name}: the JVP rule must return a pair "
                            f"(primal_out, tangent_out), got {type(res).__name__}")
        t_flat, t_def = tree_flatten(res[1])
        if t_def != call.out_def:
            raise TypeError(f"{self.prim.name}: the JVP rule returned a tangent of structure "
                            f"{t_def}, but the function's output has structure {call.out_def}")
        return t_flat

    def _jvp_rule(self, tangents: list, ans: Any, *args: Any, call: _Call) -> Any:
        tangents = [_zeros_of(a) if t is None else t for a, t in zip(args, tangents)]
        return tuple(self._user_jvp(args, tangents, call))

    def _vjp_rule(self, argnum: int, g: tuple, ans: Any, *args: Any, call: _Call) -> Any:
        if call.g is not g:  # one transposition for all arguments of this node
            diff = [i for i, a in enumerate(args) if _dtype_of(a).kind in "fc"]

            def linear_in_tangents(*ts: Any) -> list:
                tangents = [_zeros_of(a) for a in args]
                for i, t in zip(diff, ts):
                    tangents[i] = t
                return self._user_jvp(args, tangents, call)

            _, pullback = vjp(linear_in_tangents, *[_zeros_of(args[i]) for i in diff])
            cts: list = [None] * len(args)
            for i, c in zip(diff, pullback(call.zeros_for(g))):
                cts[i] = c
            call.g, call.cts = g, cts
        return call.cts[argnum]


class custom_vjp:
    """Give a function its own reverse-mode rule (JAX's API).

    ``f.defvjp(fwd, bwd)``: ``fwd(*args) -> (out, residuals)`` and
    ``bwd(residuals, cotangent) -> tuple with one cotangent per argument``
    (``None`` for a zero cotangent).  Arguments and results may be pytrees.

    As in JAX, ``fwd`` runs on the values seen by the transform that meets the
    call, so transforms outside it differentiate ``fwd`` and ``bwd`` as
    ordinary code (that is what makes ``grad(grad(f))`` right); forward mode
    has no rule to use and raises an error.
    """

    def __init__(self, fun: Callable[..., Any],
                 nondiff_argnums: tuple[int, ...] = ()) -> None:
        check_callable("custom_vjp", fun)
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = _check_nondiff("custom_vjp", fun, nondiff_argnums)
        self.fwd: Callable[..., Any] | None = None
        self.bwd: Callable[..., Any] | None = None
        name = getattr(fun, "__name__", "f")
        self.prim = Primitive(f"custom_vjp[{name}]", self._impl, multiple_results=True,
                              keep_args=False, keep_ans=False)
        self.prim.defvjp_argnum(self._vjp_rule)
        self.prim.defjvp_argnum(self._no_jvp)

    def defvjp(self, fwd: Callable[..., Any], bwd: Callable[..., Any]) -> None:
        self.fwd, self.bwd = fwd, bwd

    def _impl(self, *flat: Any, call: _Call) -> tuple:
        return tuple(tree_flatten(self.fun(*call.in_def.unflatten(list(flat))))[0])

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.fwd is None:
            raise TypeError(f"{self.prim.name}: define the rule with f.defvjp(fwd, bwd) "
                            f"before calling it")
        args = _positional(self.fun, args, kwargs)
        if self.nondiff_argnums:  # rules for this call, with the static values fixed
            static, diff, merge = _split(args, self.nondiff_argnums)
            fwd, bwd = self.fwd, self.bwd
            inner = custom_vjp(_named(lambda *d: self.fun(*merge(d)), self.fun))
            inner.defvjp(lambda *d: fwd(*merge(d)),
                         lambda res, g: bwd(*static, res, g))  # type: ignore[misc]
            return inner(*diff)
        flat, in_def = tree_flatten(args)
        level, cls = _top_box(flat)
        if cls is None:
            return self.fun(*args)
        if cls.defers:  # vmap: the rules run under vmap, inside a custom_vjp of the batch
            return self._batched(flat, in_def, level)
        # The transform at ``level`` uses the custom rule; lower ones see fwd's operations.
        vals = [x._value if isinstance(x, Box) and x._level == level else x for x in flat]
        pair = self.fwd(*in_def.unflatten(vals))
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            raise TypeError(f"{self.prim.name}: fwd must return a pair (output, residuals), "
                            f"got {type(pair).__name__}")
        out_flat, out_def = tree_flatten(pair[0])
        call = _Call(in_def, flat)
        call.set_out(out_flat, out_def, self.prim.name)
        call.res = pair[1]
        lifted = cls.lift(self.prim, tuple(out_flat), tuple(flat), vals, {"call": call}, level)
        return out_def.unflatten(list(lifted))

    def _batched(self, flat: list, in_def: Any, level: int) -> Any:
        from ..core.batching import BatchBox
        from ..rules._util import moveaxis
        from ..rules.reductions import sum as _sum
        from .vmap import vmap
        mine = [isinstance(x, BatchBox) and x._level == level for x in flat]
        dims = [x._bdim if m else None for x, m in zip(flat, mine)]
        size = next(x._size for x, m in zip(flat, mine) if m)
        in_axes = tuple(in_def.unflatten(dims))
        fwd, bwd = self.fwd, self.bwd

        def bwd_batched(res: Any, g: Any) -> tuple:
            cts = vmap(bwd, in_axes=(0, 0))(res, g)  # type: ignore[arg-type]
            out = []
            for sub, ct, ax in zip(in_def.children, cts, in_axes):
                leaves = _flatten_up_to(sub, ct)
                axes = _flatten_up_to(sub, ax) if not isinstance(ax, (int, type(None))) \
                    else [ax] * sub.num_leaves
                if leaves is None or axes is None:
                    out.append(ct)
                    continue
                # an input shared by the batch gets the sum of its examples' cotangents
                fixed = [None if c is None else _sum(c, axis=0) if a is None else
                         moveaxis(c, 0, a) for c, a in zip(leaves, axes)]
                out.append(sub.unflatten(fixed))
            return tuple(out)

        inner = custom_vjp(_named(vmap(self.fun, in_axes=in_axes), self.fun))
        inner.defvjp(vmap(fwd, in_axes=in_axes), bwd_batched)  # type: ignore[arg-type]
        vals = [x._value if m else x for x, m in zip(flat, mine)]
        out = inner(*in_def.unflatten(vals))
        out_flat, out_def = tree_flatten(out)
        return out_def.unflatten([BatchBox(o, level, 0, size) for o in out_flat])

    def _vjp_rule(self, argnum: int, g: tuple, ans: Any, *args: Any, call: _Call) -> Any:
        if call.g is not g:  # bwd runs once per backward sweep, for all arguments
            res = call.res
            if any(isinstance(a, Box) and a._level >= call.level for a in args):
                # The sweep is being recorded (a tensor's create_graph): residuals made
                # from the plain values carry no graph, so fwd runs again on the traced ones.
                res = self.fwd(*call.in_def.unflatten(list(args)))[1]  # type: ignore[misc]
            out = self.bwd(res, call.out_def.unflatten(call.zeros_for(g)))  # type: ignore[misc]
            call.g, call.cts = g, self._flat_cotangents(out, call)
        return call.cts[argnum]

    def _flat_cotangents(self, out: Any, call: _Call) -> list:
        subtrees = call.in_def.children
        if isinstance(out, list):
            out = tuple(out)
        if not isinstance(out, tuple) or len(out) != len(subtrees):
            raise TypeError(
                f"{self.prim.name}: bwd must return a tuple with one cotangent per "
                f"argument ({len(subtrees)}), got {type(out).__name__}"
                f"{'' if not isinstance(out, tuple) else ' of length ' + str(len(out))}")
        flat: list = []
        for i, (ct, sub) in enumerate(zip(out, subtrees)):
            leaves = _flatten_up_to(sub, ct)
            if leaves is None:
                raise TypeError(f"{self.prim.name}: bwd returned a cotangent of structure "
                                f"{tree_flatten(ct)[1]} for argument {i}, which has "
                                f"structure {sub}")
            flat.extend(leaves)
        for k, (ct, shape) in enumerate(zip(flat, call.in_shapes)):
            if ct is not None and np.shape(ct) != shape:
                raise ValueError(f"{self.prim.name}: bwd returned a cotangent of shape "
                                 f"{np.shape(ct)} for input leaf {k}, which has shape "
                                 f"{shape}")
        return flat

    def _no_jvp(self, argnum: int, *a: Any, **k: Any) -> Any:
        raise NotDifferentiableError(
            f"{self.prim.name}: a custom_vjp function has a reverse-mode rule only; "
            f"forward mode (jvp, jacfwd, hessian) needs custom_jvp instead")
