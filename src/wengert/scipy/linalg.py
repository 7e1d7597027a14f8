"""``wengert.scipy.linalg``: differentiable ``scipy.linalg`` (both modes, any order).

The primitives (``solve_triangular``, ``lu_factor``, ``expm``, ``logm``, ``sqrtm``,
``solve_sylvester``) live in :mod:`wengert.rules.scipy_linalg`; the rest are
compositions of them and of ``wengert.numpy.linalg``:

* ``cho_factor`` is NumPy's Cholesky factor with the other triangle left as the
  input's (as SciPy leaves it); ``cho_solve`` and ``lu_solve`` are two triangular
  solves (the unused triangle of the factor gets no derivative);
* ``solve_continuous_lyapunov(a, q)`` is ``solve_sylvester(a, aᴴ, q)``;
* ``eigh(a, b)`` reduces the generalized problem with the Cholesky factor of ``b``
  (eigenvectors normalized to ``vᴴ b v = 1``, SciPy's normalization).

Like SciPy, the functions read one triangle of symmetric input (``lower``).  The
eigenvector derivatives assume distinct eigenvalues (see ``wengert.numpy.linalg``).
Functions of one matrix take stacks ``(..., n, n)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import numpy as wnp
from ..core.batching import batched_value
from ..numpy.linalg import _H, _symmetrize, cholesky_p, det, eigh_p, inv
from ..numpy.linalg import solve as _np_solve
from ..rules._util import dtype, ndim, shape
from ..rules.scipy_linalg import (
    expm_p,
    frechet,
    logm_p,
    lu_factor_p,
    permutation_t,
    solve_sylvester_p,
    solve_triangular_p,
    sqrtm_p,
)
from ..rules.shape import expand_dims, getitem_p, swapaxes

LinAlgError = np.linalg.LinAlgError

__all__ = [
    "solve_triangular", "cho_factor", "cho_solve", "lu_factor", "lu_solve", "sqrtm", "expm",
    "logm", "expm_frechet", "solve_sylvester", "solve_continuous_lyapunov", "block_diag",
    "eigh", "eigvalsh", "cholesky", "solve", "inv", "det", "LinAlgError",
]

_TRANS = {0: 0, 1: 1, 2: 2, "N": 0, "T": 1, "C": 2, "n": 0, "t": 1, "c": 2}


def _trans(trans: Any, fname: str) -> int:
    try:
        return _TRANS[trans]
    except (KeyError, TypeError):
        raise ValueError(f"wengert.scipy.linalg.{fname}: trans must be 0, 1, 2 or 'N', 'T', "
                         f"'C', not {trans!r}") from None


def _check_matrix(a: Any, fname: str, name: str = "a") -> None:
    s = tuple(shape(a))
    if len(s) < 2 or s[-1] != s[-2]:
        raise ValueError(f"wengert.scipy.linalg.{fname}: {name} must be a square matrix "
                         f"(or a stack of them), not shape {s}")


def _with_columns(fn: Any, a: Any, b: Any) -> Any:
    """``fn(b)`` on a right-hand side of columns; a 1-D ``b`` becomes a column and back
    (as in SciPy; for stacks, NumPy 2's rule: any ``b`` of 2 or more dimensions is a
    stack of matrices)."""
    if ndim(b) == 1:
        return getitem_p(fn(expand_dims(b, -1)), idx=(Ellipsis, 0))
    return fn(b)


def solve_triangular(a: Any, b: Any, trans: Any = 0, lower: bool = False,
                     unit_diagonal: bool = False, overwrite_b: bool = False,
                     check_finite: bool = True) -> Any:
    """Solve ``op(a) x = b`` for ``x``, reading only the ``lower`` (or upper) triangle."""
    _check_matrix(a, "solve_triangular")
    t = _trans(trans, "solve_triangular")
    return _with_columns(lambda c: solve_triangular_p(
        a, c, trans=t, lower=bool(lower), unit_diagonal=bool(unit_diagonal)), a, b)


def cho_factor(a: Any, lower: bool = False, overwrite_a: bool = False,
               check_finite: bool = True) -> tuple:
    """``(c, lower)``: the Cholesky factor in the ``lower`` (or upper) triangle of ``c``;
    the other triangle holds ``a``'s entries, as in SciPy."""
    _check_matrix(a, "cho_factor")
    if lower:
        return cholesky_p(a) + wnp.triu(a, 1), True
    u = _H(cholesky_p(_H(a)))  # a = Uᴴ U from a's upper triangle
    return u + wnp.tril(a, -1), False


def cho_solve(c_and_lower: tuple, b: Any, overwrite_b: bool = False,
              check_finite: bool = True) -> Any:
    """Solve ``a x = b`` from ``cho_factor(a)``."""
    c, lower = _pair(c_and_lower, "cho_solve", "c_and_lower", "(c, lower)")
    _check_matrix(c, "cho_solve", "c")
    lower = bool(lower)

    def solve_cols(rhs: Any) -> Any:
        first, second = (0, 2) if lower else (2, 0)  # a = L Lᴴ, or a = Uᴴ U
        y = solve_triangular_p(c, rhs, trans=first, lower=lower, unit_diagonal=False)
        return solve_triangular_p(c, y, trans=second, lower=lower, unit_diagonal=False)

    return _with_columns(solve_cols, c, b)


def _pair(x: Any, fname: str, name: str, what: str) -> tuple:
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise TypeError(f"wengert.scipy.linalg.{fname}: {name} must be the pair {what} "
                        f"returned by the factorization, not {type(x).__name__}")
    return tuple(x)


def lu_factor(a: Any, overwrite_a: bool = False, check_finite: bool = True) -> tuple:
    """``(lu, piv)``: SciPy's pivoted LU factorization (``piv`` is not differentiable)."""
    _check_matrix(a, "lu_factor")
    lu, piv = lu_factor_p(a)
    return lu, batched_value(piv)  # plain pivots (batch boxes of them under vmap)


def lu_solve(lu_and_piv: tuple, b: Any, trans: Any = 0, overwrite_b: bool = False,
             check_finite: bool = True) -> Any:
    """Solve ``op(a) x = b`` from ``lu_factor(a)`` (``a = P L U``)."""
    lu, piv = _pair(lu_and_piv, "lu_solve", "lu_and_piv", "(lu, piv)")
    _check_matrix(lu, "lu_solve", "lu")
    t = _trans(trans, "lu_solve")
    pt = permutation_t(piv)

    def solve_cols(rhs: Any) -> Any:
        if t == 0:  # x = U⁻¹ L⁻¹ Pᵀ b
            y = solve_triangular_p(lu, wnp.matmul(pt, rhs), trans=0, lower=True,
                                   unit_diagonal=True)
            return solve_triangular_p(lu, y, trans=0, lower=False, unit_diagonal=False)
        # op(a) = op(U) op(L) Pᵀ: x = P op(L)⁻¹ op(U)⁻¹ b
        y = solve_triangular_p(lu, rhs, trans=t, lower=False, unit_diagonal=False)
        y = solve_triangular_p(lu, y, trans=t, lower=True, unit_diagonal=True)
        return wnp.matmul(swapaxes(pt, -1, -2), y)

    return _with_columns(solve_cols, lu, b)


def expm(A: Any) -> Any:  # noqa: N803 (SciPy's name)
    """The matrix exponential; its derivative is the Fréchet derivative."""
    _check_matrix(A, "expm", "A")
    return expm_p(A)


def expm_frechet(A: Any, E: Any, method: Any = None, compute_expm: bool = True,  # noqa: N803
                 check_finite: bool = True) -> Any:
    """``(expm(A), L(A, E))``, or ``L(A, E)`` alone: the Fréchet derivative of ``expm`` at
    ``A`` in the direction ``E`` (differentiable in both)."""
    _check_matrix(A, "expm_frechet", "A")
    if tuple(shape(E)) != tuple(shape(A)):
        raise ValueError(f"wengert.scipy.linalg.expm_frechet: E must have A's shape "
                         f"{tuple(shape(A))}, not {tuple(shape(E))}")
    deriv = frechet(expm_p, A, E)
    return (expm_p(A), deriv) if compute_expm else deriv


def logm(A: Any, disp: Any = None) -> Any:  # noqa: N803
    """The principal matrix logarithm (the result is real for real input whose
    eigenvalues have no negative real ones)."""
    _check_matrix(A, "logm", "A")
    return logm_p(A)


def sqrtm(A: Any, disp: Any = None, blocksize: Any = None) -> Any:  # noqa: N803
    """The principal matrix square root."""
    _check_matrix(A, "sqrtm", "A")
    return sqrtm_p(A)


def solve_sylvester(a: Any, b: Any, q: Any) -> Any:
    """Solve ``a x + x b = q`` for ``x``."""
    _check_matrix(a, "solve_sylvester")
    _check_matrix(b, "solve_sylvester", "b")
    if shape(q)[-2:] != (shape(a)[-1], shape(b)[-1]):
        raise ValueError(f"wengert.scipy.linalg.solve_sylvester: q must have shape "
                         f"(..., {shape(a)[-1]}, {shape(b)[-1]}), not {tuple(shape(q))}")
    return solve_sylvester_p(a, b, q)


def solve_continuous_lyapunov(a: Any, q: Any) -> Any:
    """Solve ``a x + x aᴴ = q`` for ``x``."""
    _check_matrix(a, "solve_continuous_lyapunov")
    return solve_sylvester_p(a, _H(a), q)


def block_diag(*arrs: Any) -> Any:
    """The block diagonal matrix of ``arrs`` (0-d and 1-d arrays are rows, as in SciPy)."""
    if not arrs:
        return np.empty((1, 0))
    mats = []
    for i, a in enumerate(arrs):
        if ndim(a) > 2:
            raise ValueError(f"wengert.scipy.linalg.block_diag: argument {i} has {ndim(a)} "
                             f"dimensions; give 2-D arrays (0-d and 1-d become rows)")
        mats.append(wnp.reshape(a, (1, -1)) if ndim(a) < 2 else a)
    rows, cols = [shape(m)[0] for m in mats], [shape(m)[1] for m in mats]
    out_dtype = np.result_type(*[dtype(m) for m in mats])
    total = sum(cols)
    parts = []
    for m, r, c0, c in zip(mats, rows, np.cumsum([0] + cols[:-1]), cols):
        left = np.zeros((r, int(c0)), dtype=out_dtype)
        right = np.zeros((r, int(total - c0 - c)), dtype=out_dtype)
        parts.append(wnp.concatenate([left, m, right], axis=1))
    return wnp.concatenate(parts, axis=0)


def eigh(a: Any, b: Any = None, *, lower: bool = True, eigvals_only: bool = False,
         overwrite_a: bool = False, overwrite_b: bool = False, type: int = 1,  # noqa: A002
         check_finite: bool = True, subset_by_index: Sequence[int] | None = None,
         subset_by_value: Any = None, driver: Any = None) -> Any:
    """Eigenvalues (ascending) and eigenvectors of symmetric ``a``, or of the pencil
    ``a v = w b v`` with ``b`` positive definite; ``w`` alone if ``eigvals_only``."""
    _check_matrix(a, "eigh")
    if type != 1:
        raise NotImplementedError("wengert.scipy.linalg.eigh: only type=1 (a v = w b v) is "
                                  "differentiable here; transform the problem to type 1")
    if subset_by_value is not None:
        raise NotImplementedError("wengert.scipy.linalg.eigh: subset_by_value gives a "
                                  "value-dependent number of eigenvalues; use "
                                  "subset_by_index, or select from the full result")
    uplo = "L" if lower else "U"
    if b is None:
        w, v = eigh_p(a, UPLO=uplo)
    else:
        _check_matrix(b, "eigh", "b")
        bs = _symmetrize(b, uplo)
        ell = cholesky_p(bs)  # b = L Lᴴ;  L⁻¹ a L⁻ᴴ y = w y,  v = L⁻ᴴ y
        c = solve_triangular_p(ell, _symmetrize(a, uplo), trans=0, lower=True,
                               unit_diagonal=False)
        c = solve_triangular_p(ell, _H(c), trans=0, lower=True, unit_diagonal=False)
        w, y = eigh_p(c, UPLO="L")
        v = solve_triangular_p(ell, y, trans=2, lower=True, unit_diagonal=False)
    if subset_by_index is not None:
        lo, hi = (int(i) for i in subset_by_index)
        n = shape(a)[-1]
        if not 0 <= lo <= hi < n:
            raise ValueError(f"wengert.scipy.linalg.eigh: subset_by_index must be [lo, hi] "
                             f"with 0 <= lo <= hi < {n}, not {list(subset_by_index)}")
        w = getitem_p(w, idx=(Ellipsis, slice(lo, hi + 1)))
        v = getitem_p(v, idx=(Ellipsis, slice(lo, hi + 1)))
    return w if eigvals_only else (w, v)


def eigvalsh(a: Any, b: Any = None, *, lower: bool = True, **kw: Any) -> Any:
    """The eigenvalues of symmetric ``a`` (or of the pencil ``(a, b)``), ascending."""
    return eigh(a, b, lower=lower, eigvals_only=True, **kw)


def cholesky(a: Any, lower: bool = False, overwrite_a: bool = False,
             check_finite: bool = True) -> Any:
    """The Cholesky factor, upper (``a = Uᴴ U``) unless ``lower``, as in SciPy."""
    _check_matrix(a, "cholesky")
    if lower:
        return cholesky_p(a)
    return _H(cholesky_p(_H(a)))


def solve(a: Any, b: Any, lower: bool = False, overwrite_a: bool = False,
          overwrite_b: bool = False, check_finite: bool = True, assume_a: Any = None,
          transposed: bool = False) -> Any:
    """Solve ``a x = b`` (``aᵀ x = b`` if ``transposed``); ``assume_a`` is ignored."""
    _check_matrix(a, "solve")
    if transposed:
        a = swapaxes(a, -1, -2)
    return _with_columns(lambda c: _np_solve(a, c), a, b)
