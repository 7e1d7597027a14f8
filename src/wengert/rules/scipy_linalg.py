"""``scipy.linalg`` primitives: triangular solves, LU, matrix functions, Sylvester.

Loaded by :mod:`wengert.scipy.linalg` only (never by ``import wengert``), and SciPy
itself is imported on the first call of an implementation.  The primitives take
stacks ``(..., m, n)``; the rules are written with primitives, so they can be
differentiated again.

* ``solve_triangular``: ``x = op(T)⁻¹ b`` with ``T`` the triangle read (unit diagonal
  optional) and ``op`` the identity, the transpose or the conjugate transpose.
* ``lu_factor``: ``A = P L U``; with ``F = L⁻¹ Pᵀ dA U⁻¹``, ``dL = L·tril(F, -1)`` and
  ``dU = triu(F)·U`` (the two halves of ``F`` are ``L⁻¹dL`` and ``dU U⁻¹``).
* ``expm``, ``logm``: the Fréchet derivative ``L_f(A, E)`` is the upper right block of
  ``f([[A, E], [0, A]])``, so the rule is the primitive itself on a larger matrix (any
  order); the VJP is ``L_f(Aᵀ, G)`` (f has a real power series).
* ``sqrtm``: ``S dS + dS S = dA``, a Sylvester equation.
* ``solve_sylvester``: ``A X + X B = Q``; its VJP solves the transposed equation.

Batching (vmap): the batch axis is one more stack axis of every primitive
(``stacked_batch``); ``Pᵀ`` is computed from the pivots per example.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.tracing import Box
from ._util import defprim, dtype, is_complex, map_stacked, shape, stacked_batch, unbroadcast
from .elementwise import conj
from .linalg import matmul
from .linalg_ext import tril, triu
from .shape import broadcast_to, concatenate, getitem_p, swapaxes

__all__: list[str] = []


def _T(x: Any) -> Any:
    return swapaxes(x, -1, -2)


def value(x: Any) -> Any:
    """The plain array under every level of boxes (for constants computed from values)."""
    while isinstance(x, Box):
        x = x._value
    return x


def _batched(fn: Any, *xs: np.ndarray, core: int = 2) -> Any:
    """``fn`` on each matrix of broadcast stacks (SciPy functions without batching)."""
    batch = np.broadcast_shapes(*(np.shape(x)[:-core] for x in xs))
    if not batch:
        return fn(*xs)
    xs = tuple(np.broadcast_to(x, batch + np.shape(x)[-core:]) for x in xs)
    outs = [fn(*(x[i] for x in xs)) for i in np.ndindex(*batch)]
    if isinstance(outs[0], tuple):
        return tuple(np.stack([o[k] for o in outs]).reshape(batch + np.shape(outs[0][k]))
                     for k in range(len(outs[0])))
    return np.stack(outs).reshape(batch + np.shape(outs[0]))


# -- solve_triangular -------------------------------------------------------------------
def _solve_triangular_impl(a: Any, b: Any, *, trans: int, lower: bool,
                           unit_diagonal: bool) -> Any:
    from scipy.linalg import solve_triangular as st
    return _batched(lambda m, r: st(m, r, trans=trans, lower=lower,
                                    unit_diagonal=unit_diagonal), a, b)


solve_triangular_p = defprim("scipy.linalg.solve_triangular", _solve_triangular_impl)


def _triangle(m: Any, lower: bool, unit_diagonal: bool) -> Any:
    """The part of ``m`` a triangular solve reads (strict when the diagonal is unit)."""
    k = -1 if unit_diagonal else 0
    return tril(m, k) if lower else triu(m, -k)


def _op(m: Any, trans: int) -> Any:
    if trans == 0:
        return m
    return conj(_T(m)) if trans == 2 and is_complex(m) else _T(m)


def _st(a: Any, b: Any, trans: int, lower: bool, unit_diagonal: bool) -> Any:
    return solve_triangular_p(a, b, trans=trans, lower=lower, unit_diagonal=unit_diagonal)


def _st_transposed(a: Any, g: Any, trans: int, lower: bool, unit_diagonal: bool) -> Any:
    """``op(T)⁻ᵀ g``: the transpose (no conjugation) of ``b ↦ op(T)⁻¹ b``."""
    if trans == 0:
        return _st(a, g, 1, lower, unit_diagonal)
    if trans == 2 and is_complex(a):
        return _st(conj(a), g, 0, lower, unit_diagonal)
    return _st(a, g, 0, lower, unit_diagonal)


def _st_jvp_a(t: Any, x: Any, a: Any, b: Any, *, trans: int, lower: bool,
              unit_diagonal: bool) -> Any:
    dt = _op(_triangle(t, lower, unit_diagonal), trans)
    return -_st(a, matmul(dt, x), trans, lower, unit_diagonal)


def _st_jvp_b(t: Any, x: Any, a: Any, b: Any, *, trans: int, lower: bool,
              unit_diagonal: bool) -> Any:
    return _st(a, t, trans, lower, unit_diagonal)


def _st_vjp_a(g: Any, x: Any, a: Any, b: Any, *, trans: int, lower: bool,
              unit_diagonal: bool) -> Any:
    gb = _st_transposed(a, g, trans, lower, unit_diagonal)
    if trans == 0:
        gt = -matmul(gb, _T(x))
    else:
        gt = -matmul(x, _T(gb))
        if trans == 2 and is_complex(gt):
            gt = conj(gt)
    return unbroadcast(_triangle(gt, lower, unit_diagonal), a)


def _st_vjp_b(g: Any, x: Any, a: Any, b: Any, *, trans: int, lower: bool,
              unit_diagonal: bool) -> Any:
    return unbroadcast(_st_transposed(a, g, trans, lower, unit_diagonal), b)


solve_triangular_p.defjvp(_st_jvp_a, _st_jvp_b).defvjp(_st_vjp_a, _st_vjp_b)
solve_triangular_p.vjp_reads = ((0,), (0,))  # both rules read a and the answer only
solve_triangular_p.defbatch(stacked_batch(solve_triangular_p, (2, 2)))


# -- lu_factor ----------------------------------------------------------------------------
def _lu_factor_impl(a: Any) -> tuple:
    from scipy.linalg import lu_factor as lf
    return _batched(lambda m: tuple(lf(m)), a)


lu_factor_p = defprim("scipy.linalg.lu_factor", _lu_factor_impl, multiple_results=True,
                      keep_args=False)
lu_factor_p.defbatch(stacked_batch(lu_factor_p, (2,)))


def permutation_t(piv: Any) -> Any:
    """``Pᵀ`` (so ``Pᵀ A = L U``) from LAPACK's row interchanges, for stacks; per example
    under vmap (a batch box of the pivots gives one of ``Pᵀ``)."""
    return map_stacked(_permutation_t, piv)


def _permutation_t(piv: np.ndarray) -> np.ndarray:
    n = piv.shape[-1]
    out = np.zeros(piv.shape + (n,))
    for idx in np.ndindex(*piv.shape[:-1]):
        perm = np.arange(n)
        for i, p in enumerate(piv[idx]):
            perm[i], perm[p] = perm[p], perm[i]
        out[idx][np.arange(n), perm] = 1.0
    return out


def _check_square(a: Any) -> None:
    s = shape(a)
    if len(s) < 2 or s[-1] != s[-2]:
        raise ValueError(f"wengert.scipy.linalg.lu_factor: derivatives need square matrices, "
                         f"not shape {tuple(s)}")


def _unit_lower(lu: Any) -> Any:
    return tril(lu, -1) + np.eye(shape(lu)[-1])


def _lu_jvp(t: Any, ans: tuple, a: Any) -> tuple:
    _check_square(a)
    lu, piv = ans
    pt = permutation_t(piv)
    y = _st(lu, matmul(pt, t), 0, True, True)          # L⁻¹ Pᵀ dA
    f = _T(_st(lu, _T(y), 1, False, False))            # ... U⁻¹
    dlu = matmul(_unit_lower(lu), tril(f, -1)) + matmul(triu(f), triu(lu))
    return dlu, None


def _lu_vjp(g: tuple, ans: tuple, a: Any) -> Any:
    glu = g[0]
    if glu is None:
        return None
    _check_square(a)
    lu, piv = ans
    gf = tril(matmul(_T(_unit_lower(lu)), tril(glu, -1)), -1) + triu(matmul(triu(glu),
                                                                          _T(triu(lu))))
    x = _T(_st(lu, _T(gf), 0, False, False))           # gF U⁻ᵀ
    return matmul(_T(permutation_t(piv)), _st(lu, x, 1, True, True))


lu_factor_p.defjvp(_lu_jvp).defvjp(_lu_vjp)


# -- matrix functions ----------------------------------------------------------------------
def _expm_impl(a: Any) -> Any:
    from scipy.linalg import expm as e
    return e(a)


def _logm_impl(a: Any) -> Any:
    from scipy.linalg import logm as lg
    return _batched(lg, a)


def _sqrtm_impl(a: Any) -> Any:
    from scipy.linalg import sqrtm as sq
    return _batched(sq, a)


expm_p = defprim("scipy.linalg.expm", _expm_impl, keep_ans=False)
logm_p = defprim("scipy.linalg.logm", _logm_impl, keep_ans=False)
sqrtm_p = defprim("scipy.linalg.sqrtm", _sqrtm_impl, keep_args=False)
for _p in (expm_p, logm_p, sqrtm_p):
    _p.defbatch(stacked_batch(_p, (2,)))


def frechet(f: Any, a: Any, e: Any) -> Any:
    """``L_f(A, E)``: the upper right block of ``f([[A, E], [0, A]])``.  ``E`` is scaled
    to ``A``'s size first (the derivative is linear in it), so the block's accuracy,
    relative to its norm, is also the derivative's."""
    n = shape(a)[-1]
    batch = np.broadcast_shapes(tuple(shape(a)[:-2]), tuple(shape(e)[:-2]))
    full = batch + (n, n)
    a = a if tuple(shape(a)) == full else broadcast_to(a, full)
    e = e if tuple(shape(e)) == full else broadcast_to(e, full)
    # Under vmap the scale is the whole batch's: the answer is linear in E, so any
    # scale is exact, and a zero E of every example gives zeros for every one.
    ne, na = float(np.max(np.abs(value(e)), initial=0.0)), float(np.max(np.abs(value(a)),
                                                                        initial=0.0))
    if ne == 0.0:
        return np.zeros(full, dtype=np.result_type(dtype(a), dtype(e)))
    s = max(na, 1.0) / ne
    zero = np.zeros(full, dtype=dtype(a))
    block = concatenate([concatenate([a, e * s], axis=-1), concatenate([zero, a], axis=-1)],
                        axis=-2)
    return getitem_p(f(block), idx=(Ellipsis, slice(0, n), slice(n, 2 * n))) / s


def _matfun_rules(p: Any) -> None:
    p.defjvp(lambda t, ans, a: frechet(p, a, t))
    p.defvjp(lambda g, ans, a: unbroadcast(frechet(p, _T(a), g), a))


_matfun_rules(expm_p)
_matfun_rules(logm_p)


def _sqrtm_jvp(t: Any, s: Any, a: Any) -> Any:
    return solve_sylvester_p(s, s, t)


def _sqrtm_vjp(g: Any, s: Any, a: Any) -> Any:
    st = _T(s)
    return unbroadcast(solve_sylvester_p(st, st, g), a)


# -- solve_sylvester ---------------------------------------------------------------------
def _sylvester_impl(a: Any, b: Any, q: Any) -> Any:
    from scipy.linalg import solve_sylvester as syl
    return _batched(syl, a, b, q)


solve_sylvester_p = defprim("scipy.linalg.solve_sylvester", _sylvester_impl)


def _syl_adjoint(g: Any, a: Any, b: Any) -> Any:
    """``Y`` with ``Aᵀ Y + Y Bᵀ = G``: the transpose of ``Q ↦ X``."""
    return solve_sylvester_p(_T(a), _T(b), g)


solve_sylvester_p.defjvp(
    lambda t, x, a, b, q: -solve_sylvester_p(a, b, matmul(t, x)),
    lambda t, x, a, b, q: -solve_sylvester_p(a, b, matmul(x, t)),
    lambda t, x, a, b, q: solve_sylvester_p(a, b, t))
solve_sylvester_p.defvjp(
    lambda g, x, a, b, q: unbroadcast(-matmul(_syl_adjoint(g, a, b), _T(x)), a),
    lambda g, x, a, b, q: unbroadcast(-matmul(_T(x), _syl_adjoint(g, a, b)), b),
    lambda g, x, a, b, q: unbroadcast(_syl_adjoint(g, a, b), q))
solve_sylvester_p.vjp_reads = ((0, 1), (0, 1), (0, 1))
solve_sylvester_p.defbatch(stacked_batch(solve_sylvester_p, (2, 2, 2)))

sqrtm_p.defjvp(_sqrtm_jvp).defvjp(_sqrtm_vjp)

PRIMITIVES = [solve_triangular_p, lu_factor_p, expm_p, logm_p, sqrtm_p, solve_sylvester_p]
