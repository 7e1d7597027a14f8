"""Products: matmul and dot (more of linear algebra lives in ``linalg_ext``).

``matmul`` is bilinear: its JVP in each argument is the product with the
tangent in that slot, and its VJP multiplies the adjoint by the other
argument transposed, summing any broadcast batch dimensions away.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._util import (
    align,
    batch_size,
    defprim,
    dtype,
    exporter,
    is_complex,
    moveaxis,
    ndim,
    shape,
    to_front,
    unbroadcast,
)
from .elementwise import conj, multiply
from .reductions import sum as _sum
from .shape import expand_dims, getitem_p, reshape_p, swapaxes

__all__: list[str] = []


_export = exporter(__all__, globals())


matmul = defprim("matmul", np.matmul, keep_ans=False)


def _last(x: Any) -> Any:
    return getitem_p(x, idx=(Ellipsis, 0))


def _plain_2d(g: Any, read: Any, target: Any) -> bool:
    """Plain matrices (the usual case): NumPy's ``@`` on a transposed view, no dispatch.
    ``read`` is the argument the rule reads; ``target``, whose cotangent it returns, may
    be only its shape and dtype (Meta).  A complex cotangent for a real target needs
    unbroadcast's real part, so it takes the general path."""
    return (type(g) is np.ndarray and type(read) is np.ndarray and g.ndim == 2
            and read.ndim == 2 and ndim(target) == 2
            and (g.dtype.kind != "c" or dtype(target).kind == "c"))


def _matmul_vjp_a(g: Any, ans: Any, a: Any, b: Any) -> Any:
    if _plain_2d(g, b, a):
        return g @ b.T
    na, nb = ndim(a), ndim(b)
    if na == 1 and nb == 1:
        return g * b
    if nb == 1:    # (..., m, k) @ (k,) -> (..., m): an outer product
        da = _outer_right(g, b)
    elif na == 1:  # (k,) @ (..., k, n) -> (..., n)
        da = _last(matmul(b, expand_dims(g, -1)))
    else:
        da = matmul(g, swapaxes(b, -1, -2))
    return unbroadcast(da, a)


def _matmul_vjp_b(g: Any, ans: Any, a: Any, b: Any) -> Any:
    if _plain_2d(g, a, b):
        return a.T @ g
    na, nb = ndim(a), ndim(b)
    if na == 1 and nb == 1:
        return g * a
    if na == 1:    # (k,) @ (..., k, n): an outer product, as einsum (a broadcast multiply
        db = _outer(a, g)  # of (..., k, 1) by (..., 1, n) is several times slower)
    elif nb == 1 and na == 2:  # (m, k) @ (k,): aᵀg = g a, one product for a batch of g
        db = matmul(g, a)
    elif nb == 1:  # (..., m, k) @ (k,)
        db = _last(matmul(swapaxes(a, -1, -2), expand_dims(g, -1)))
    else:
        db = matmul(swapaxes(a, -1, -2), g)
    return unbroadcast(db, b)


def _outer_right(g: Any, b: Any) -> Any:
    """``g[..., :, None] * b`` for a vector ``b``."""
    if type(g) is np.ndarray and type(b) is np.ndarray:
        return np.einsum("...i,j->...ij", g, b)
    from .linalg_ext import einsum
    return einsum("...i,j->...ij", g, b)


def _outer(a: Any, g: Any) -> Any:
    """``a[:, None] * g[..., None, :]`` for a vector ``a``."""
    if type(a) is np.ndarray and type(g) is np.ndarray:
        return np.einsum("i,...j->...ij", a, g)
    from .linalg_ext import einsum
    return einsum("i,...j->...ij", a, g)


matmul.defjvp(lambda t, ans, a, b: matmul(t, b), lambda t, ans, a, b: matmul(a, t))
matmul.defvjp(_matmul_vjp_a, _matmul_vjp_b)
matmul.__dict__["contraction"] = True  # kept by checkpoint_policies.dots_saveable
matmul.vjp_reads = ((1,), (0,))  # the rule for a reads b, and vice versa
_export(matmul, "matmul")


def dot(a: Any, b: Any, out: Any = None) -> Any:
    if out is not None:
        raise TypeError("wengert.numpy.dot: out= is not supported on traced values")
    na, nb = ndim(a), ndim(b)
    if na == 0 or nb == 0:
        return multiply(a, b)
    if na <= 2 and nb <= 2:
        return matmul(a, b)
    from .linalg_ext import tensordot  # N-d dot contracts a's last axis with b's second-to-last
    return tensordot(a, b, axes=([na - 1], [nb - 2 if nb >= 2 else 0]))


def inner(a: Any, b: Any) -> Any:
    na, nb = ndim(a), ndim(b)
    if na == 0 or nb == 0:
        return multiply(a, b)
    from .linalg_ext import tensordot
    return tensordot(a, b, axes=([na - 1], [nb - 1]))


def outer(a: Any, b: Any, out: Any = None) -> Any:
    from .shape import ravel
    return expand_dims(ravel(a), 1) * expand_dims(ravel(b), 0)


def vdot(a: Any, b: Any) -> Any:
    from .shape import ravel
    return matmul(conj(ravel(a)), ravel(b))


# NumPy 2's vector and matrix products (np.vecdot and np.linalg.vecdot take the same
# arguments): batched, broadcasting, conjugating the vector of vecdot and vecmat.
def vecdot(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    return _sum((conj(x1) if is_complex(x1) else x1) * x2, axis=axis)


def matvec(x1: Any, x2: Any, /) -> Any:
    return _last(matmul(x1, expand_dims(x2, -1)))


def vecmat(x1: Any, x2: Any, /) -> Any:
    x1 = conj(x1) if is_complex(x1) else x1
    return getitem_p(matmul(expand_dims(x1, -2), x2), idx=(Ellipsis, 0, slice(None)))


def matrix_transpose(x: Any, /) -> Any:
    if ndim(x) < 2:
        raise ValueError(f"Input array must be at least 2-dimensional, but it is {ndim(x)}")
    return swapaxes(x, -1, -2)


for _fn in [dot, inner, outer, vdot, vecdot, matvec, vecmat, matrix_transpose]:
    _export(_fn)


# -- batching (vmap): the batch axis is one more stack axis -----------------------------
def _matmul_shape(sa: tuple, sb: tuple) -> tuple:
    if len(sa) == 1 and len(sb) == 1:
        return ()
    if len(sa) == 1:
        return sb[:-2] + sb[-1:]
    if len(sb) == 1:
        return sa[:-1]
    return np.broadcast_shapes(sa[:-2], sb[:-2]) + (sa[-2], sb[-1])


def _batch_matmul(args: Any, dims: Any) -> tuple:
    a, b = args
    da, db = dims
    na, nb = ndim(a) - (da is not None), ndim(b) - (db is not None)
    if db is None and nb == 2 and da == 0:  # examples @ matrix: one product (the MLP's)
        return matmul(a, b), 0
    if da is None and na == 2 and nb == 1:  # matrix @ vector examples: vectors as columns
        return matmul(a, moveaxis(b, db, -1)), 1
    if da is None and na == 2 and nb == 2:  # matrix @ matrix examples: one wide product
        b = moveaxis(b, db, 1)
        n, size, k = shape(b)
        wide = reshape_p(b, shape=(n, size * k))
        return reshape_p(matmul(a, wide), shape=(shape(a)[0], size, k)), 1
    if db is None and nb == 2 and na == 2:  # matrix examples @ matrix: one tall product
        a = to_front(a, da)
        size, m, n = shape(a)
        tall = matmul(reshape_p(a, shape=(size * m, n)), b)
        return reshape_p(tall, shape=(size, m, shape(b)[-1])), 0
    size = batch_size(args, dims)
    out_shape = _matmul_shape(shape(a)[:da] + shape(a)[da + 1:] if da is not None else
                              shape(a), shape(b)[:db] + shape(b)[db + 1:]
                              if db is not None else shape(b))
    if na == 1 and da is not None:  # a batch of vectors: a batch of one-row matrices
        a = reshape_p(to_front(a, da), shape=(size, 1, shape(a)[1 - da]))
        da = 0
    if nb == 1 and db is not None:  # of one-column matrices
        b = reshape_p(to_front(b, db), shape=(size, shape(b)[1 - db], 1))
        db = 0
    core = (min(ndim(a) - (da is not None), 2), min(ndim(b) - (db is not None), 2))
    (a, b), out_dim = align([a, b], [da, db], list(core))
    out = to_front(matmul(a, b), out_dim)
    if shape(out)[1:] != out_shape:
        out = reshape_p(out, shape=(size,) + out_shape)
    return out, 0


matmul.defbatch(_batch_matmul)
