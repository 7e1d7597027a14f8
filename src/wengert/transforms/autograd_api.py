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
from .checkpoint import checkpoint  # noqa: F401  (autograd's name, kept)
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


def make_ggnvp(f: Callable[..., Any], g: Callable[[Any], Any] | None = None,
               f_argnum: int = 0) -> Callable[..., Callable[[Any], Any]]:
    """``make_ggnvp(f, g)(*args)(v)``: the generalized Gauss-Newton product ``Jᵀ H J v``
    of ``g(f(x))``, with ``J`` the Jacobian of ``f`` and ``H`` the Hessian of ``g`` at
    ``f(x)`` (default ``g = ½‖·‖²`` over the last axis, so ``H = I``)."""
    from .. import numpy as wnp
    loss = g if g is not None else (lambda y: 0.5 * wnp.sum(y * y, axis=-1))

    def at(*args: Any) -> Callable[[Any], Any]:
        f_of = partial_in(f, args, {}, (f_argnum,))
        x = args[f_argnum]
        fx, f_vjp = vjp(f_of, x)

        def ggnvp(v: Any) -> Any:
            jv = jvp(f_of, (x,), (v,))[1]
            hjv = jvp(grad(loss), (fx,), (jv,))[1]
            return f_vjp(hjv)[0]
        return ggnvp
    return at


def _parameter_names(fun: Callable[..., Any]) -> list[str]:
    import inspect
    return [p.name for p in inspect.signature(fun).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def grad_named(fun: Callable[..., Any], argname: str) -> Callable[..., Any]:
    """The gradient with respect to the argument called ``argname``."""
    names = _parameter_names(fun)
    if argname not in names:
        raise ValueError(f"grad_named: {getattr(fun, '__name__', 'the function')} has no "
                         f"positional argument {argname!r}; it has {names}")
    return grad(fun, names.index(argname))


def multigrad_dict(fun: Callable[..., Any]) -> Callable[..., dict]:
    """Gradients with respect to every argument at once, as ``{name: gradient}``."""
    import inspect
    signature = inspect.signature(fun)

    def gradients(*args: Any, **kwargs: Any) -> dict:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        names = list(bound.arguments)
        values = list(bound.arguments.values())
        grads = grad(lambda *a: fun(*a), argnums=tuple(range(len(values))))(*values)
        return dict(zip(names, grads))
    return gradients
