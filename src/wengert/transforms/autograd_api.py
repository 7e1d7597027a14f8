"""HIPS autograd's names for the same transforms, for code written against autograd.

Each is a thin wrapper over ``vjp``/``jvp``/``grad``; ``argnum`` picks the
differentiated positional argument, as in autograd.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..core.tree import tree_map
from ._common import check_argnums, partial_in, value_dtype
from .forward import jvp
from .reverse import grad, vjp


def make_vjp(fun: Callable[..., Any], argnum: int = 0) -> Callable[..., tuple]:
    """``make_vjp(f)(*args) -> (vjp_fn, f(*args))``; ``vjp_fn(g)``: cotangent of ``argnum``."""
    def make(*args: Any, **kwargs: Any) -> tuple:
        (n,) = check_argnums("make_vjp", argnum, len(args))
        out, pullback = vjp(partial_in(fun, args, kwargs, (n,)), args[n])
        return (lambda g: pullback(g)[0]), out
    return make


def make_jvp(fun: Callable[..., Any], argnum: int = 0) -> Callable[..., Callable[[Any], tuple]]:
    """``make_jvp(f)(*args)(v) -> (f(*args), J·v)`` for argument ``argnum``."""
    def at(*args: Any, **kwargs: Any) -> Callable[[Any], tuple]:
        (n,) = check_argnums("make_jvp", argnum, len(args))
        return lambda v: jvp(partial_in(fun, args, kwargs, (n,)), (args[n],), (v,))
    return at


def deriv(fun: Callable[..., Any], argnum: int = 0) -> Callable[..., Any]:
    """The forward-mode derivative along a tangent of ones (elementwise functions)."""
    def d(*args: Any, **kwargs: Any) -> Any:
        x = args[argnum]
        ones = tree_map(lambda a: np.ones(np.shape(a), value_dtype(a)), x)
        return make_jvp(fun, argnum)(*args, **kwargs)(ones)[1]
    return d


def holomorphic_grad(fun: Callable[..., Any], argnum: int = 0) -> Callable[..., Any]:
    """The complex derivative f'(z) of a holomorphic scalar function."""
    return grad(fun, argnum, holomorphic=True)


def grad_and_aux(fun: Callable[..., Any], argnum: int = 0) -> Callable[..., tuple]:
    """For ``fun`` returning ``(loss, aux)``: ``(grad of loss, aux)``."""
    return grad(fun, argnum, has_aux=True)


def vector_jacobian_product(fun: Callable[..., Any], argnum: int = 0) -> Callable[..., Any]:
    """``vjp_f(*args, vector)``: the product of ``vector`` with the Jacobian of ``fun``."""
    def vjp_f(*args: Any) -> Any:
        *fargs, vector = args
        return make_vjp(fun, argnum)(*fargs)[0](vector)
    return vjp_f


def tensor_jacobian_product(fun: Callable[..., Any], argnum: int = 0) -> Callable[..., Any]:
    """``tjp_f(*args, V)``: ``V`` contracted with the leading axes of the Jacobian of
    ``fun`` (``tensordot(V, J, V.ndim)``); with ``V`` of the output's shape, a VJP."""
    def tjp_f(*args: Any) -> Any:
        *fargs, vector = args
        out, pullback = make_vjp(fun, argnum)(*fargs)
        if np.shape(vector) == np.shape(out):
            return pullback(vector)
        from .. import numpy as wnp
        from .jacobian import jacobian
        return jacobian(lambda *a: wnp.tensordot(vector, fun(*a), np.ndim(vector)),
                        argnum)(*fargs)
    return tjp_f


def hessian_tensor_product(fun: Callable[..., Any], argnum: int = 0) -> Callable[..., Any]:
    """``hvp_f(*args, vector)``: the Hessian of scalar ``fun`` times ``vector``."""
    def hvp_f(*args: Any) -> Any:
        *fargs, vector = args
        g = grad(fun, argnum)
        return jvp(partial_in(g, tuple(fargs), {}, (argnum,)), (fargs[argnum],), (vector,))[1]
    return hvp_f


hessian_vector_product = hessian_tensor_product


def make_hvp(fun: Callable[..., Any], argnum: int = 0) -> Callable[..., tuple]:
    """``make_hvp(f)(*args) -> (hvp_fn, grad)``: reuse one linearisation for many ``v``."""
    def at(*args: Any) -> tuple:
        g = grad(fun, argnum)
        f_of = partial_in(g, args, {}, (argnum,))
        return (lambda v: jvp(f_of, (args[argnum],), (v,))[1]), g(*args)
    return at
