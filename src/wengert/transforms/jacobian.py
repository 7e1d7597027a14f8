"""Jacobians and second derivatives, built from ``jvp`` and ``vjp``.

``jacfwd`` pushes one basis tangent per input entry (one column per pass),
``jacrev`` pulls one basis cotangent per output entry (one row per pass,
one recorded graph).  ``jacobian`` picks the cheaper one: forward mode when
the inputs have fewer entries than the outputs, reverse mode otherwise.
Jacobian entries have shape ``out.shape + in.shape``, as in JAX.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..core.tracing import unbox
from ..core.tree import tree_flatten, tree_unflatten
from ._common import (
    ARRAYS,
    check_argnums,
    check_callable,
    check_inexact,
    check_output,
    check_tangents,
    partial_in,
    value_dtype,
)
from ._common import argnum_alias as _alias
from .forward import jvp
from .reverse import grad, vjp


def _stack(parts: list, shape: tuple, axis: int = 0) -> Any:
    from ..rules.shape import reshape, stack
    return reshape(stack(parts, axis=axis), shape)


def _real_to_complex(inputs: list, outputs: list) -> bool:
    return (any(value_dtype(o).kind == "c" for o in outputs)
            and any(value_dtype(x).kind != "c" for x in inputs))


def _basis(shape: tuple, dtype: Any, k: int) -> np.ndarray:
    e = np.zeros(int(np.prod(shape)), dtype=dtype)
    e[k] = 1
    return e.reshape(shape)


def _check_complex(fname: str, leaves: list, what: str, holomorphic: bool) -> None:
    """JAX's rule: a Jacobian of complex values is defined only for holomorphic functions
    (``holomorphic=True``); otherwise a real and an imaginary direction differ."""
    kinds = {value_dtype(x).kind for x in leaves}
    if holomorphic and kinds and kinds != {"c"}:
        raise TypeError(f"{fname}(holomorphic=True): every {what} must be complex, got "
                        f"{sorted(str(value_dtype(x)) for x in leaves)}")
    if not holomorphic and "c" in kinds:
        raise TypeError(
            f"{fname}: complex {what}s; for a holomorphic function pass holomorphic=True. "
            f"For a non-holomorphic one, differentiate its real and imaginary parts, or use "
            f"{'jvp' if fname == 'jacfwd' else 'vjp'} directly.")


def jacrev(f: Callable[..., Any], argnums: int | Sequence[int] = 0,
           has_aux: bool = False, holomorphic: bool = False, *,
           argnum: int | None = None) -> Callable[..., Any]:
    """The Jacobian of ``f`` by reverse mode: one backward sweep per output entry.

    Complex outputs need ``holomorphic=True`` (as in JAX); a real function of
    complex inputs gets the gradient's convention, row by row."""
    argnums = _alias(argnums, argnum)
    def jacrev_f(*args: Any, **kwargs: Any) -> Any:
        nums = check_argnums("jacrev", argnums, len(args))
        diff = tuple(args[i] for i in nums)
        res = vjp(partial_in(f, args, kwargs, nums), *diff, has_aux=has_aux)
        out, vjp_fn = res[0], res[1]
        out_flat, out_def = tree_flatten(out)
        in_flat, in_def = tree_flatten(diff)
        if holomorphic:
            _check_complex("jacrev", in_flat, "input", True)
        if not _real_to_complex(in_flat, out_flat):
            _check_complex("jacrev", out_flat, "output", holomorphic)
        if _real_to_complex(in_flat, out_flat):
            raise TypeError(
                "jacrev: the function maps real inputs to complex outputs; a cotangent of a "
                "real input is real, so reverse mode would keep only the real part of the "
                "Jacobian. Use jacfwd, or return the real and imaginary parts separately.")
        zeros = [np.zeros(np.shape(o), value_dtype(o)) for o in out_flat]
        blocks = []
        for j, o in enumerate(out_flat):
            rows = []
            for k in range(int(np.prod(np.shape(o)))):
                ct = list(zeros)
                ct[j] = _basis(np.shape(o), value_dtype(o), k)
                rows.append(tree_flatten(vjp_fn(tree_unflatten(out_def, ct)))[0])
            leaves = [_stack([r[i] for r in rows], np.shape(o) + np.shape(unbox(x))) if rows
                      else np.zeros(np.shape(o) + np.shape(unbox(x)), value_dtype(x))
                      for i, x in enumerate(in_flat)]
            tree = tree_unflatten(in_def, leaves)
            blocks.append(tree[0] if isinstance(argnums, (int, np.integer)) else tree)
        jac = tree_unflatten(out_def, blocks)
        return (jac, res[2]) if has_aux else jac

    jacrev_f.__name__ = f"jacrev({getattr(f, '__name__', 'f')})"
    return jacrev_f


def jacfwd(f: Callable[..., Any], argnums: int | Sequence[int] = 0,
           has_aux: bool = False, holomorphic: bool = False, *,
           argnum: int | None = None) -> Callable[..., Any]:
    """The Jacobian of ``f`` by forward mode: one forward pass per input entry.

    Complex inputs need ``holomorphic=True`` (as in JAX)."""
    argnums = _alias(argnums, argnum)
    def jacfwd_f(*args: Any, **kwargs: Any) -> Any:
        nums = check_argnums("jacfwd", argnums, len(args))
        diff = tuple(args[i] for i in nums)
        check_inexact("jacfwd", tree_flatten(diff)[0], "input")
        _check_complex("jacfwd", tree_flatten(diff)[0], "input", holomorphic)
        g = partial_in(f, args, kwargs, nums)
        in_flat, in_def = tree_flatten(diff)
        zeros = [np.zeros(np.shape(unbox(x)), value_dtype(x)) for x in in_flat]
        cols_per_input = []
        out_def = aux = None
        out_flat: list = []
        for i, x in enumerate(in_flat):
            cols = []
            for k in range(int(np.prod(np.shape(unbox(x))))):
                t = list(zeros)
                t[i] = _basis(np.shape(unbox(x)), value_dtype(x), k)
                res = jvp(g, diff, tree_unflatten(in_def, t), has_aux=has_aux)
                out_flat, out_def = tree_flatten(res[0])
                cols.append(tree_flatten(res[1])[0])
                aux = res[2] if has_aux else None
            cols_per_input.append(cols)
        if holomorphic and out_flat:
            _check_complex("jacfwd", out_flat, "output", True)
        if out_def is None:  # no input entries at all: evaluate once for the structure
            res = g(*diff)
            if has_aux:
                if not (isinstance(res, (tuple, list)) and len(res) == 2):
                    raise TypeError(f"jacfwd(has_aux=True): the function must return a pair "
                                    f"(output, auxiliary data), got {type(res).__name__}")
                res, aux = res
            out_flat, out_def = tree_flatten(res)
        blocks = []
        for j, o in enumerate(out_flat):
            leaves = []
            for i, x in enumerate(in_flat):
                shape = np.shape(unbox(x))
                parts = [c[j] for c in cols_per_input[i]]
                if not parts:
                    leaves.append(np.zeros(np.shape(unbox(o)) + shape,
                                           np.result_type(value_dtype(o), value_dtype(x))))
                    continue
                # columns stack on a new last axis: out.shape + (n_in,)
                leaves.append(_stack(parts, np.shape(unbox(o)) + shape, axis=-1))
            tree = tree_unflatten(in_def, leaves)
            blocks.append(tree[0] if isinstance(argnums, (int, np.integer)) else tree)
        jac = tree_unflatten(out_def, blocks)
        return (jac, aux) if has_aux else jac

    jacfwd_f.__name__ = f"jacfwd({getattr(f, '__name__', 'f')})"
    return jacfwd_f


def jacobian(f: Callable[..., Any], argnums: int | Sequence[int] = 0,
             mode: str = "auto", has_aux: bool = False, holomorphic: bool = False, *,
             argnum: int | None = None) -> Callable[..., Any]:
    """The Jacobian of ``f``, by forward or reverse mode.

    ``mode="auto"`` evaluates ``f`` once to count its outputs, then uses forward
    mode when the inputs have fewer entries than the outputs (n < m: n forward
    passes) and reverse mode otherwise (m backward sweeps).  ``"forward"`` or
    ``"reverse"`` force a mode.
    """
    argnums = _alias(argnums, argnum)
    check_callable("jacobian", f)
    if mode not in ("auto", "forward", "reverse"):
        raise ValueError(f"jacobian: mode must be 'auto', 'forward' or 'reverse', not {mode!r}")

    def jacobian_f(*args: Any, **kwargs: Any) -> Any:
        chosen = mode
        if mode == "auto":
            nums = check_argnums("jacobian", argnums, len(args))
            n_in = sum(int(np.size(unbox(x))) for x in tree_flatten([args[i] for i in nums])[0])
            ins = tree_flatten([args[i] for i in nums])[0]
            out = f(*args, **kwargs)
            check_output("jacobian", f, out[0] if has_aux and isinstance(out, tuple) else out,
                         ARRAYS)
            outs = tree_flatten(out[0] if has_aux else out)[0]
            n_out = sum(int(np.size(unbox(y))) for y in outs)
            forward = n_in < n_out or _real_to_complex(ins, outs)
            if not holomorphic and any(value_dtype(x).kind == "c" for x in ins):
                forward = False  # complex inputs, real outputs: only reverse mode applies
            chosen = "forward" if forward else "reverse"
        jac = jacfwd if chosen == "forward" else jacrev
        return jac(f, argnums, has_aux=has_aux, holomorphic=holomorphic)(*args, **kwargs)

    jacobian_f.__name__ = f"jacobian({getattr(f, '__name__', 'f')})"
    return jacobian_f


def hessian(f: Callable[..., Any], argnums: int | Sequence[int] = 0,
            has_aux: bool = False, holomorphic: bool = False, *,
            argnum: int | None = None) -> Callable[..., Any]:
    """The Hessian of scalar ``f``: forward over reverse, ``jacfwd(jacrev(f))``."""
    argnums = _alias(argnums, argnum)
    return jacfwd(jacrev(f, argnums, has_aux=has_aux, holomorphic=holomorphic), argnums,
                  has_aux=has_aux, holomorphic=holomorphic)


def hvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> Any:
    """Hessian-vector product ``H·v`` of scalar ``f`` at ``primals`` (forward over reverse).

    Returns one entry per primal, like the gradient with respect to all of them.
    """
    check_tangents("hvp", primals, tangents)
    n = len(primals)
    return jvp(grad(f, argnums=tuple(range(n))), tuple(primals), tuple(tangents))[1]
