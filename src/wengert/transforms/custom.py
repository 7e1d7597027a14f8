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
from ..core.tracing import unbox
from ..core.tree import tree_flatten, tree_map
from ..rules._util import defprim
from .reverse import vjp

stop_gradient_p = defprim("stop_gradient", lambda x: x, nondiff=True)


def stop_gradient(x: Any) -> Any:
    """``x`` with its derivative cut: the value passes, no tangent or adjoint does."""
    return tree_map(stop_gradient_p, x)


def _zeros_of(x: Any) -> Any:
    v = unbox(x)
    return np.zeros(np.shape(v), dtype=np.result_type(v))


class custom_jvp:
    """Give a function its own forward-mode rule (JAX's API).

    >>> @custom_jvp
    ... def softplus(x): return wnp.log1p(wnp.exp(x))
    >>> @softplus.defjvp
    ... def softplus_jvp(primals, tangents):
    ...     (x,), (t,) = primals, tangents
    ...     return softplus(x), t * expit(x)

    Reverse mode uses the same rule, transposed.
    """

    def __init__(self, fun: Callable[..., Any]) -> None:
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.jvp: Callable[..., Any] | None = None
        self.prim = Primitive(f"custom_jvp[{getattr(fun, '__name__', 'f')}]", fun)

    def defjvp(self, jvp: Callable[..., Any]) -> Callable[..., Any]:
        self.jvp = jvp
        self.prim.defjvp_all(self._jvp_rule)
        self.prim.defvjp_argnum(self._vjp_rule)
        return jvp

    def __call__(self, *args: Any) -> Any:
        if self.jvp is None:
            raise TypeError(f"custom_jvp {self.prim.name}: define the rule with @f.defjvp "
                            f"before calling it")
        return self.prim(*args)

    def _jvp_rule(self, tangents: list, ans: Any, *args: Any) -> Any:
        tangents = [_zeros_of(a) if t is None else t for a, t in zip(args, tangents)]
        return self.jvp(tuple(args), tuple(tangents))[1]  # type: ignore[misc]

    def _vjp_rule(self, argnum: int, g: Any, ans: Any, *args: Any) -> Any:
        zeros = [_zeros_of(a) for a in args]

        def linear_in_tangent(t: Any) -> Any:
            tangents = list(zeros)
            tangents[argnum] = t
            return self.jvp(tuple(args), tuple(tangents))[1]  # type: ignore[misc]

        _, pullback = vjp(linear_in_tangent, zeros[argnum])
        return pullback(g)[0]


class custom_vjp:
    """Give a function its own reverse-mode rule (JAX's API).

    ``f.defvjp(fwd, bwd)``: ``fwd(*args) -> (out, residuals)`` and
    ``bwd(residuals, cotangent) -> tuple with one cotangent per argument``.
    """

    def __init__(self, fun: Callable[..., Any]) -> None:
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.fwd: Callable[..., Any] | None = None
        self.bwd: Callable[..., Any] | None = None
        self._out_def: Any = None
        self._cache: tuple = (None, None, None)
        name = getattr(fun, "__name__", "f")
        self.prim = Primitive(f"custom_vjp[{name}]", self._impl, multiple_results=True,
                              keep_args=False)
        self.prim.defvjp_argnum(self._vjp_rule)
        self.prim.defjvp_argnum(self._no_jvp)

    def defvjp(self, fwd: Callable[..., Any], bwd: Callable[..., Any]) -> None:
        self.fwd, self.bwd = fwd, bwd

    def _impl(self, *args: Any) -> tuple:
        out, res = self.fwd(*args)  # type: ignore[misc]
        leaves, self._out_def = tree_flatten(out)
        return (*leaves, res)

    def __call__(self, *args: Any) -> Any:
        if self.fwd is None:
            raise TypeError(f"{self.prim.name}: define the rule with f.defvjp(fwd, bwd) "
                            f"before calling it")
        results = self.prim(*args)
        return self._out_def.unflatten(list(results[:-1]))

    def _vjp_rule(self, argnum: int, g: tuple, ans: tuple, *args: Any) -> Any:
        key = (id(g), id(ans))
        if self._cache[0] != key:
            cts = [_zeros_of(a) if c is None else c for a, c in zip(ans[:-1], g[:-1])]
            out = self.bwd(ans[-1], self._out_def.unflatten(cts))  # type: ignore[misc]
            if not isinstance(out, tuple) or len(out) != len(args):
                raise TypeError(
                    f"{self.prim.name}: bwd must return a tuple with one cotangent per "
                    f"argument ({len(args)}), got {type(out).__name__}"
                    f"{'' if not isinstance(out, tuple) else ' of length ' + str(len(out))}")
            self._cache = (key, g, out)
        return self._cache[2][argnum]

    def _no_jvp(self, argnum: int, *a: Any, **k: Any) -> Any:
        raise NotDifferentiableError(
            f"{self.prim.name}: a custom_vjp function has a reverse-mode rule only; "
            f"forward mode (jvp, jacfwd, hessian) needs custom_jvp instead")
