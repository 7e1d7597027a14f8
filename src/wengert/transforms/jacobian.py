"""Jacobians and second derivatives, built from ``jvp``, ``vjp`` and ``vmap``.

``jacfwd`` pushes the n input basis tangents forward in one batched pass (``vmap`` of
``jvp``), ``jacrev`` pulls the m output basis cotangents back through one recorded
graph in one batched sweep (``vmap`` of the pull-back), as JAX does.  ``jacobian``
picks the cheaper one: forward mode when the inputs have fewer entries than the
outputs, reverse mode otherwise.
Jacobian entries have shape ``out.shape + in.shape``, as in JAX.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..core.tracing import unbox
from ..core.tree import tree_flatten
from ..rules.shape import expand_dims, getitem, reshape
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
from .vmap import vmap


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


def _basis_batch(leaves: list, dtypes: list | None = None) -> tuple[list, list, int]:
    """The standard basis of the flattened ``leaves``, as one batch per leaf: entry k of
    the batch is the k-th basis vector's part in that leaf.  Returns (batches, offsets, n)."""
    shapes = [np.shape(x) for x in leaves]
    sizes = [int(np.prod(s)) for s in shapes]
    n = int(sum(sizes))
    offsets = [int(o) for o in np.cumsum([0] + sizes[:-1])]
    batches: list[np.ndarray] = []
    for x, s, k, off in zip(leaves, shapes, sizes, offsets):
        dt = value_dtype(x) if dtypes is None else dtypes[len(batches)]
        e = np.zeros((n, k), dtype=dt)
        e[np.arange(off, off + k), np.arange(k)] = 1
        batches.append(e.reshape((n,) + s))
    return batches, offsets, n


def _block(full: Any, first: bool, off: int, size: int, shape: tuple, n: int) -> Any:
    """The part of a batched derivative that belongs to one leaf: entries off..off+size
    of its batch axis (first or last), reshaped to ``shape``."""
    if size != n:
        idx = (slice(off, off + size),) if first else (Ellipsis, slice(off, off + size))
        full = full[idx] if type(full) is np.ndarray else getitem(full, idx)
    if np.shape(full) == shape:
        return full
    return full.reshape(shape) if type(full) is np.ndarray else reshape(full, shape)


def jacrev(f: Callable[..., Any], argnums: int | Sequence[int] = 0,
           has_aux: bool = False, holomorphic: bool = False, *,
           argnum: int | None = None) -> Callable[..., Any]:
    """The Jacobian of ``f`` by reverse mode: one recorded graph, pulled back by every
    output basis cotangent at once (``vmap`` of the pull-back over the m basis vectors).

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
        basis, offsets, m = _basis_batch(out_flat)
        in_shapes = [np.shape(x) for x in in_flat]
        if m == 0:
            rows = [np.zeros((0,) + s, value_dtype(x)) for x, s in zip(in_flat, in_shapes)]
        elif m == 1:  # one output entry: one pull-back, no batch to map over
            rows = [_expand0(r) for r in tree_flatten(vjp_fn(out_def.unflatten(
                [b.reshape(np.shape(o)) for b, o in zip(basis, out_flat)])))[0]]
        else:
            pull = vmap(lambda *ct: vjp_fn(out_def.unflatten(list(ct))))
            rows = tree_flatten(pull(*basis))[0]
        blocks = []
        for o, off in zip(out_flat, offsets):
            shape, size = np.shape(o), int(np.size(o))
            leaves = [_block(r, True, off, size, shape + s, m) for r, s in zip(rows, in_shapes)]
            tree = in_def.unflatten(leaves)
            blocks.append(tree[0] if isinstance(argnums, (int, np.integer)) else tree)
        jac = out_def.unflatten(blocks)
        return (jac, res[2]) if has_aux else jac

    jacrev_f.__name__ = f"jacrev({getattr(f, '__name__', 'f')})"
    return jacrev_f


def _expand0(x: Any) -> Any:
    return x[None] if type(x) is np.ndarray else expand_dims(x, 0)


def jacfwd(f: Callable[..., Any], argnums: int | Sequence[int] = 0,
           has_aux: bool = False, holomorphic: bool = False, *,
           argnum: int | None = None) -> Callable[..., Any]:
    """The Jacobian of ``f`` by forward mode: every input basis tangent pushed forward
    in one batched pass (``vmap`` of ``jvp`` over the n basis vectors).

    Complex inputs need ``holomorphic=True`` (as in JAX)."""
    argnums = _alias(argnums, argnum)
    def jacfwd_f(*args: Any, **kwargs: Any) -> Any:
        nums = check_argnums("jacfwd", argnums, len(args))
        diff = tuple(args[i] for i in nums)
        check_inexact("jacfwd", tree_flatten(diff)[0], "input")
        _check_complex("jacfwd", tree_flatten(diff)[0], "input", holomorphic)
        g = partial_in(f, args, kwargs, nums)
        in_flat, in_def = tree_flatten(diff)
        basis, offsets, n = _basis_batch(in_flat)
        aux = None
        if n == 0:  # no input entries at all: evaluate once for the structure
            res = g(*diff)
            if has_aux:
                if not (isinstance(res, (tuple, list)) and len(res) == 2):
                    raise TypeError(f"jacfwd(has_aux=True): the function must return a pair "
                                    f"(output, auxiliary data), got {type(res).__name__}")
                res, aux = res
            out_flat, out_def = tree_flatten(res)
            cols = [np.zeros(np.shape(o) + (0,), value_dtype(o)) for o in out_flat]
        else:
            def push(*t: Any) -> Any:
                return jvp(g, diff, in_def.unflatten(list(t)), has_aux=has_aux)
            if n == 1:  # one input entry: one push-forward, no batch to map over
                res = push(*[b.reshape(np.shape(x)) for b, x in zip(basis, in_flat)])
                out_flat, out_def = tree_flatten(res[0])
                cols = [_expand_last(c) for c in tree_flatten(res[1])[0]]
            else:
                res = vmap(push, out_axes=(None, -1, None) if has_aux else (None, -1))(*basis)
                out_flat, out_def = tree_flatten(res[0])
                cols = tree_flatten(res[1])[0]
            aux = res[2] if has_aux else None
        if holomorphic and out_flat:
            _check_complex("jacfwd", out_flat, "output", True)
        blocks = []
        for o, c in zip(out_flat, cols):
            shape = np.shape(o)
            leaves = []
            for x, off in zip(in_flat, offsets):
                xs = np.shape(x)
                leaves.append(_block(c, False, off, int(np.prod(xs)), shape + xs, n))
            tree = in_def.unflatten(leaves)
            blocks.append(tree[0] if isinstance(argnums, (int, np.integer)) else tree)
        jac = out_def.unflatten(blocks)
        return (jac, aux) if has_aux else jac

    jacfwd_f.__name__ = f"jacfwd({getattr(f, '__name__', 'f')})"
    return jacfwd_f


def _expand_last(x: Any) -> Any:
    return x[..., None] if type(x) is np.ndarray else expand_dims(x, -1)


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
