"""``wengert.numpy.linalg``: differentiable ``numpy.linalg``.

The matrix functions (inv, det, slogdet, solve, cholesky, eigh, svd, qr, pinv)
are primitives; their rules work on stacks ``(..., m, n)`` and are written with
``wengert.numpy`` operations, so they can be differentiated again.  The rest
(norm, eigvalsh, matrix_power, multi_dot, cond, lstsq ...) are compositions.

Like NumPy, ``cholesky``, ``eigh`` and ``eigvalsh`` read one triangle of their
input only (the lower one by default), so their derivatives flow to that
triangle only.  For a symmetric input whose two triangles move together (``A =
X @ X.T``) this gives the usual symmetric derivative.  The eigen- and singular
vector derivatives assume distinct eigen/singular values; they are unique only
up to the sign of each vector, so differentiate sign-invariant functions of
them (complex: up to a phase; as in JAX the derivatives keep diag(Vᴴ dV) = 0).
Derivatives take complex input too (cholesky and eigh: Hermitian), and qr wide
matrices.  As elsewhere in wengert (and JAX), a VJP is the transpose of the JVP for
the pairing Re Σ aᵢbᵢ: the conjugate of the usual adjoint applied to the conjugate
cotangent, so it reads Xᵀ where that adjoint reads Xᴴ, and conj(X) where it reads X.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..core.batching import batched_value, per_example
from ..core.tracing import Box, unbox
from ..rules._util import defprim, dtype, is_complex, ndim, shape, stacked_batch, unbroadcast
from ..rules.elementwise import absolute as _abs
from ..rules.elementwise import conj, imag, real, sqrt, where_p
from ..rules.linalg import matmul, matrix_transpose, outer, vecdot
from ..rules.linalg_ext import cross as _cross
from ..rules.linalg_ext import diagonal as _diagonal
from ..rules.linalg_ext import tensordot, tril, triu
from ..rules.linalg_ext import trace as _trace
from ..rules.reductions import max as _max
from ..rules.reductions import min as _min
from ..rules.reductions import sum as _sum
from ..rules.shape import (
    astype,
    concatenate,
    expand_dims,
    getitem_p,
    moveaxis,
    reshape,
    swapaxes,
    traced_array,
)

LinAlgError = np.linalg.LinAlgError

__all__ = [
    "LinAlgError", "inv", "det", "slogdet", "solve", "cholesky", "eigh", "eigvalsh", "eig",
    "eigvals", "svd",
    "svdvals", "qr", "pinv", "matrix_power", "multi_dot", "norm", "vector_norm", "matrix_norm",
    "cond", "lstsq", "matrix_rank", "matmul", "tensordot", "outer", "vecdot", "trace",
    "diagonal", "cross", "matrix_transpose",
]


# -- helpers (all on the last two axes) ---------------------------------------------
def _T(x: Any) -> Any:
    return swapaxes(x, -1, -2)


def _diag_part(x: Any) -> Any:
    return _diagonal(x, 0, -2, -1)


def _diag_embed(v: Any) -> Any:
    return expand_dims(v, -1) * _eye(shape(v)[-1], v)


def _eye(n: int, like: Any) -> np.ndarray:
    """An identity constant in the dtype of ``like`` (float32 stays float32)."""
    return np.eye(n, dtype=np.result_type(dtype(like), np.float16))


def _tr(x: Any) -> Any:
    return _sum(_diag_part(x), axis=-1)


def _col(v: Any) -> Any:
    """``v[..., None, :]``: scales column ``j`` of a matrix by ``v[j]``."""
    return expand_dims(v, -2)


def _row(v: Any) -> Any:
    """``v[..., :, None]``: scales row ``i`` of a matrix by ``v[i]``."""
    return expand_dims(v, -1)


def _inv_gaps(w: Any) -> Any:
    """``F[i, j] = 1 / (w[j] - w[i])`` off the diagonal, 0 on it."""
    eye = np.eye(shape(w)[-1], dtype=bool)
    gaps = _col(w) - _row(w)
    return where_p(eye, 0.0, 1.0 / where_p(eye, 1.0, gaps))


def _H(x: Any) -> Any:
    """The conjugate transpose (the transpose for real ``x``)."""
    return conj(_T(x)) if is_complex(x) else _T(x)


def _conj(x: Any) -> Any:
    return conj(x) if is_complex(x) else x


def _symmetrize(t: Any, uplo: str) -> Any:
    """The symmetric (Hermitian) matrix a solver reading only triangle ``uplo`` of ``t``
    sees; LAPACK also ignores the imaginary part of a Hermitian diagonal."""
    strict = tril(t, -1) if uplo.upper() == "L" else triu(t, 1)
    diagonal = _diag_part(t)
    return strict + _H(strict) + _diag_embed(real(diagonal) if is_complex(t) else diagonal)


def _symmetrize_T(g: Any, uplo: str) -> Any:
    """The transpose of :func:`_symmetrize` (for the pairing Re Σ aᵢbᵢ of the VJPs): fold
    ``g`` onto the triangle read."""
    strict = (tril(g, -1) + tril(_H(g), -1) if uplo.upper() == "L"
              else triu(g, 1) + triu(_H(g), 1))
    diagonal = _diag_part(g)
    return strict + _diag_embed(real(diagonal) if is_complex(g) else diagonal)


def _named(like: type, out: Any) -> Any:
    """Traced results in NumPy's result type (``EighResult`` ...), so ``.Q`` etc. work."""
    return like(*out) if hasattr(like, "_fields") and type(out) is not like else out


_EYE = np.eye(2)
_SlogdetResult = type(np.linalg.slogdet(_EYE))
_EighResult = type(np.linalg.eigh(_EYE))
_SVDResult = type(np.linalg.svd(_EYE))
_QRResult = type(np.linalg.qr(_EYE))


def _right_solve(x: Any, a: Any) -> Any:
    """``x @ inv(a)`` without forming the inverse."""
    return _T(solve_p(_T(a), _T(x)))


# -- inv, det, slogdet -----------------------------------------------------------------
inv_p = defprim("linalg.inv", np.linalg.inv, keep_args=False)
inv_p.defjvp(lambda t, ans, a: -matmul(ans, matmul(t, ans)))
inv_p.defvjp(lambda g, ans, a: -matmul(_T(ans), matmul(g, _T(ans))))

det_p = defprim("linalg.det", np.linalg.det)


def _cofactors(a: Any) -> Any:
    """The cofactor matrix C (Cᵢⱼ = (-1)^(i+j) det of A without row i and column j),
    from determinants of minors: the derivative of det where A is singular (then
    det(A)·A⁻ᵀ, its value elsewhere, cannot be formed).  O(n²) determinants, so only
    for singular input."""
    n = shape(a)[-1]
    if n == 1:
        return np.ones_like(unbox(a))
    keep = np.array([[k for k in range(n) if k != i] for i in range(n)])  # (n, n-1)
    rows = keep[:, None, :, None]  # minor (i, j) keeps rows keep[i] and columns keep[j]
    cols = keep[None, :, None, :]
    minors = getitem_p(a, idx=(Ellipsis, rows, cols))  # (..., n, n, n-1, n-1)
    signs = (-1.0) ** np.add.outer(np.arange(n), np.arange(n))
    return signs * det_p(minors)


def _singular(ans: Any, a: Any) -> bool:
    """Whether some matrix of the stack is singular or nearly so: |det| below 1e-8 of
    Hadamard's bound ∏ᵢ‖rowᵢ‖.  There det(A)·A⁻¹ loses the second derivative to
    cancellation (or fails), and the cofactors, exact at any A, take over."""
    bound = np.prod(np.linalg.norm(unbox(a), axis=-1), axis=-1)
    return bool(np.any(np.abs(unbox(ans)) <= 1e-8 * bound))


# d det(A) = tr(adj(A) dA), adj(A)ᵀ = det(A) A⁻ᵀ where A is invertible.
def _det_jvp(t: Any, ans: Any, a: Any) -> Any:
    if _singular(ans, a):
        return _sum(_cofactors(a) * t, axis=(-2, -1))
    return ans * _tr(solve_p(a, t))


def _det_vjp(g: Any, ans: Any, a: Any) -> Any:
    if _singular(ans, a):
        return _row(_row(g)) * _cofactors(a)
    return _row(_row(g * ans)) * _T(inv_p(a))


det_p.defjvp(_det_jvp).defvjp(_det_vjp)

slogdet_p = defprim("linalg.slogdet", np.linalg.slogdet, multiple_results=True)


def _slogdet_jvp(t: Any, ans: Any, a: Any) -> tuple:
    sign = ans[0]
    d = _tr(solve_p(a, t))  # d log det(A); its imaginary part turns the sign (complex A)
    if is_complex(a):
        return sign * 1j * imag(d), real(d)
    return None, d


def _slogdet_vjp(g: tuple, ans: Any, a: Any) -> Any:
    g_sign, g_log = g
    if is_complex(a):
        c = 0.0 if g_log is None else real(g_log) + 0j
        if g_sign is not None:
            c = c - 1j * real(g_sign * ans[0] * 1j)
    elif g_log is None:
        return None
    else:
        c = g_log
    return _row(_row(c)) * _T(inv_p(a))


slogdet_p.defjvp(_slogdet_jvp).defvjp(_slogdet_vjp)


def inv(a: Any) -> Any:
    return inv_p(a)


def det(a: Any) -> Any:
    return det_p(a)


def slogdet(a: Any) -> Any:
    return _named(_SlogdetResult, slogdet_p(a))


# -- solve --------------------------------------------------------------------------
# The primitive always takes a stack of matrices b (..., n, k); the public function
# turns a vector right-hand side into a column, as NumPy does.
solve_p = defprim("linalg.solve", np.linalg.solve)
solve_p.defjvp(lambda t, ans, a, b: -solve_p(a, matmul(t, ans)),
               lambda t, ans, a, b: solve_p(a, t))


def _solve_vjp_a(g: Any, ans: Any, a: Any, b: Any) -> Any:
    return unbroadcast(-matmul(solve_p(_T(a), g), _T(ans)), a)


def _solve_vjp_b(g: Any, ans: Any, a: Any, b: Any) -> Any:
    return unbroadcast(solve_p(_T(a), g), b)


solve_p.defvjp(_solve_vjp_a, _solve_vjp_b)


def _vector_rhs(a: Any, b: Any) -> bool:
    if int(np.__version__.split(".")[0]) >= 2:
        return ndim(b) == 1
    return ndim(b) == ndim(a) - 1


def solve(a: Any, b: Any) -> Any:
    if _vector_rhs(a, b):
        return getitem_p(solve_p(a, expand_dims(b, -1)), idx=(Ellipsis, 0))
    return solve_p(a, b)


# -- cholesky ---------------------------------------------------------------------
cholesky_p = defprim("linalg.cholesky", np.linalg.cholesky, keep_args=False)


def _phi(x: Any) -> Any:
    """The lower triangle of ``x`` with its diagonal halved."""
    return tril(x) - 0.5 * x * _eye(shape(x)[-1], x)


# A = L Lᴴ: L⁻¹ dA L⁻ᴴ = L⁻¹dL + (L⁻¹dL)ᴴ with L⁻¹dL lower triangular, its diagonal
# real (L's is), so L⁻¹dL is that Hermitian matrix's lower triangle, diagonal halved.
def _cholesky_jvp(t: Any, L: Any, a: Any) -> Any:
    s = _symmetrize(t, "L")
    x = solve_p(L, _H(solve_p(L, s)))  # L⁻¹ dA L⁻ᴴ
    return matmul(L, _phi(x))


def _cholesky_vjp(g: Any, L: Any, a: Any) -> Any:
    p = _phi(matmul(_T(L), g))
    s = _T(solve_p(_H(L), _T(solve_p(_T(L), p))))  # L⁻ᵀ P conj(L)⁻¹
    return _symmetrize_T(s, "L")


cholesky_p.defjvp(_cholesky_jvp).defvjp(_cholesky_vjp)


def cholesky(a: Any, /, *, upper: bool = False) -> Any:
    if upper:  # the upper triangle of a is the lower one of aᵀ
        return _T(cholesky_p(_T(a)))
    return cholesky_p(a)


# -- eigh ---------------------------------------------------------------------------------
eigh_p = defprim("linalg.eigh", lambda a, UPLO: np.linalg.eigh(a, UPLO),
                 multiple_results=True, keep_args=False)


# For Hermitian input the eigenvectors are fixed up to a phase each; as in JAX, the
# derivative chosen keeps diag(Vᴴ dV) = 0.
def _eigh_jvp(t: Any, ans: Any, a: Any, UPLO: str) -> tuple:
    w, v = ans
    m = matmul(_H(v), matmul(_symmetrize(t, UPLO), v))
    dw = _diag_part(m)
    return (real(dw) if is_complex(dw) else dw), matmul(v, _inv_gaps(w) * m)


def _eigh_vjp(g: tuple, ans: Any, a: Any, UPLO: str) -> Any:
    w, v = ans
    gw, gv = g
    if gw is None and gv is None:
        return None
    k = 0.0 if gw is None else _diag_embed(gw)
    if gv is not None:
        k = k + _inv_gaps(w) * matmul(_T(v), gv)
    vc = conj(v) if is_complex(v) else v
    return _symmetrize_T(matmul(vc, matmul(k, _T(v))), UPLO)


eigh_p.defjvp(_eigh_jvp).defvjp(_eigh_vjp)


def eigh(a: Any, UPLO: str = "L") -> Any:
    return _named(_EighResult, eigh_p(a, UPLO=UPLO))


def eigvalsh(a: Any, UPLO: str = "L") -> Any:
    if not isinstance(a, Box):
        return np.linalg.eigvalsh(a, UPLO)  # type: ignore[call-overload]
    return eigh_p(a, UPLO=UPLO)[0]


# -- eig ----------------------------------------------------------------------------------
# A = V diag(w) V⁻¹ with distinct eigenvalues.  NumPy scales each eigenvector to unit
# length (its phase is free); as in JAX, dV keeps Re(vᵢᴴ dvᵢ) = 0 so the length stays 1.
# Outputs are complex even for real A; a real A gets the real part of the cotangent.
eig_p = defprim("linalg.eig", lambda a: tuple(np.linalg.eig(a)), multiple_results=True,
                keep_args=False)


def _eig_jvp(t: Any, ans: Any, a: Any) -> tuple:
    w, v = ans
    m = solve_p(v, matmul(t, v))                       # V⁻¹ dA V
    dv = matmul(v, _inv_gaps(w) * m)
    dv = dv - v * real(_sum(conj(v) * dv, axis=-2, keepdims=True))
    return _diag_part(m), dv


def _eig_vjp(g: tuple, ans: Any, a: Any) -> Any:
    w, v = ans
    gw, gv = g
    if gw is None and gv is None:
        return None
    k: Any = 0.0 if gw is None else _diag_embed(gw)
    if gv is not None:
        gv = gv - conj(v) * real(_sum(gv * v, axis=-2, keepdims=True))
        k = k + _inv_gaps(w) * matmul(_T(v), gv)
    out = matmul(solve_p(_T(v), k), _T(v))            # V⁻ᵀ K Vᵀ
    return out if is_complex(a) else real(out)


eig_p.defjvp(_eig_jvp).defvjp(_eig_vjp)
_EigResult = type(np.linalg.eig(_EYE))


def eig(a: Any) -> Any:
    if not isinstance(a, Box):
        return np.linalg.eig(a)
    return _named(_EigResult, eig_p(a))


def eigvals(a: Any) -> Any:
    if not isinstance(a, Box):
        return np.linalg.eigvals(a)
    return eig_p(a)[0]


# -- svd ------------------------------------------------------------------------------------
svd_p = defprim("linalg.svd", lambda a: np.linalg.svd(a, full_matrices=False),
                multiple_results=True, keep_args=False)


def _svd_jvp(t: Any, ans: Any, a: Any) -> tuple:
    u, s, vh = ans
    if is_complex(u):
        return _svd_jvp_complex(t, u, s, vh)
    v = _T(vh)
    dp = matmul(_T(u), matmul(t, v))
    f = _inv_gaps(s * s)
    sr = _col(s)
    du = matmul(u, f * (dp * sr + _row(s) * _T(dp))) + (matmul(t, v) - matmul(u, dp)) / sr
    dv = matmul(v, f * (_row(s) * dp + _T(dp) * sr)) + (matmul(_T(t), u) - matmul(v, _T(dp))) / sr
    return du, _diag_part(dp), _T(dv)


# Complex input: the singular vectors are fixed up to a common phase per pair (uᵢ, vᵢ);
# as in JAX the derivative puts that phase on U (diag(Vᴴ dV) = 0).  The VJP is the
# transpose of the JVP for the pairing Re Σ aᵢbᵢ.
def _svd_jvp_complex(t: Any, u: Any, s: Any, vh: Any) -> tuple:
    v = _H(vh)
    dp = matmul(_H(u), matmul(t, v))
    f, sr, sc = _inv_gaps(s * s), _col(s), _row(s)
    phase = _diag_embed(1j * imag(_diag_part(dp)) / s)
    du = (matmul(u, f * (dp * sr + sc * _H(dp)) + phase)
          + (matmul(t, v) - matmul(u, dp)) / sr)
    dv = matmul(v, f * (sc * dp + _H(dp) * sr)) + (matmul(_H(t), u) - matmul(v, _H(dp))) / sr
    return du, real(_diag_part(dp)), _H(dv)


def _svd_vjp_complex(g: tuple, u: Any, s: Any, vh: Any) -> Any:
    gu, gs, gvh = g
    f, sr, sc = _inv_gaps(s * s), _col(s), _row(s)
    x: Any = 0.0 if gs is None else _diag_embed(gs)
    extra: Any = 0.0
    if gu is not None:
        j = matmul(_T(u), gu)
        x = x + (f * j - f * _H(j)) * sr + _diag_embed(1j * imag(_diag_part(j)) / s)
        extra = extra + matmul((gu - matmul(conj(u), j)) / sr, conj(vh))
    if gvh is not None:
        k = matmul(conj(vh), _H(gvh))
        x = x + sc * (f * k - f * _H(k))
        extra = extra + matmul(conj(u) / sr, gvh - matmul(matmul(gvh, _T(vh)), conj(vh)))
    return matmul(conj(u), matmul(x, conj(vh))) + extra


def _svd_vjp(g: tuple, ans: Any, a: Any) -> Any:
    u, s, vh = ans
    if all(x is None for x in g):
        return None
    if is_complex(u):
        return _svd_vjp_complex(g, u, s, vh)
    gu, gs, gvh = g
    v, f, sr = _T(vh), _inv_gaps(s * s), _col(s)
    inner: Any = 0.0 if gs is None else _diag_embed(gs)
    extra: Any = 0.0
    if gu is not None:
        ju = f * matmul(_T(u), gu)
        inner = inner + (ju + _T(ju)) * sr
        extra = extra + matmul((gu - matmul(u, matmul(_T(u), gu))) / sr, vh)
    if gvh is not None:
        kv = f * matmul(vh, _T(gvh))
        inner = inner + _row(s) * (kv + _T(kv))
        extra = extra + matmul(u / sr, gvh - matmul(matmul(gvh, v), vh))
    if gs is None and gu is None and gvh is None:
        return None
    return matmul(u, matmul(inner, vh)) + extra


svd_p.defjvp(_svd_jvp).defvjp(_svd_vjp)


def svd(a: Any, full_matrices: bool = True, compute_uv: bool = True,
        hermitian: bool = False) -> Any:
    """``numpy.linalg.svd``; traced input needs ``full_matrices=False`` unless square."""
    if not isinstance(a, Box):
        return np.linalg.svd(a, full_matrices, compute_uv, hermitian)  # type: ignore[call-overload]
    m, n = shape(a)[-2:]
    if compute_uv and full_matrices and m != n:
        raise NotImplementedError(
            "wengert.numpy.linalg.svd: the extra singular vectors of full_matrices=True are "
            "not unique, so have no derivative; pass full_matrices=False")
    out = svd_p(a)
    return _named(_SVDResult, out) if compute_uv else out[1]


def svdvals(x: Any, /) -> Any:
    return svd(x, compute_uv=False)


# -- qr -----------------------------------------------------------------------------------
qr_p = defprim("linalg.qr", np.linalg.qr, multiple_results=True, keep_args=False)


# A = [A₁ | A₂] = Q [R₁ | R₂] with A₁ = Q R₁ the QR of the first k = min(m, n) columns
# and, for wide A (as in JAX), R₂ = QᴴA₂.  With X = dA₁ R₁⁻¹ and C = Qᴴ X: Ω = Qᴴ dQ is
# skew-Hermitian and C - Ω = dR₁ R₁⁻¹ upper triangular, which fixes Ω below the
# diagonal; on it, Ω = i Im diag(C) keeps diag(R) real, as LAPACK's is.  Then
# dQ = Q(Ω - C) + X, dR₁ = (C - Ω) R₁ and dR₂ = Qᴴ dA₂ - Ω R₂.
def _cols(x: Any, start: int, stop: int | None = None) -> Any:
    return getitem_p(x, idx=(Ellipsis, slice(start, stop)))


def _qr_jvp(t: Any, ans: Any, a: Any) -> tuple:
    q, r = ans
    k, n = shape(r)[-2:]
    r1, t1 = (r, t) if k == n else (_cols(r, 0, k), _cols(t, 0, k))
    x = _right_solve(t1, r1)                # dA₁ R₁⁻¹
    c = matmul(_H(q), x)
    low = tril(c, -1)
    om = low - _H(low)
    if is_complex(c):
        om = om + _diag_embed(1j * imag(_diag_part(c)))
    dr = matmul(c - om, r1)                 # exactly upper triangular, real diagonal
    if k < n:
        dr2 = matmul(_H(q), _cols(t, k)) - matmul(om, _cols(r, k))
        dr = concatenate([dr, dr2], axis=-1)
    return matmul(q, om - c) + x, dr


# The transpose of the JVP: with M = R̄ Rᵀ - QᵀQ̄ and W = Ω's transpose applied to M,
# X̄ = Q̄ - conj(Q)(QᵀQ̄ + W) and Ā = [X̄ R₁⁻ᵀ | 0] + conj(Q) R̄.
def _qr_vjp(g: tuple, ans: Any, a: Any) -> Any:
    q, r = ans
    gq, gr = g
    if gq is None and gr is None:
        return None
    k, n = shape(r)[-2:]
    qc = _conj(q)
    qg: Any = 0.0 if gq is None else matmul(_T(q), gq)
    m = (0.0 if gr is None else matmul(gr, _T(r))) - qg
    w = tril(m - _H(m), -1)
    if is_complex(m):
        w = w + _diag_embed(1j * imag(_diag_part(m)))
    gx = -matmul(qc, qg + w)
    if gq is not None:
        gx = gx + gq
    out = _T(solve_p(r if k == n else _cols(r, 0, k), _T(gx)))  # X̄ R₁⁻ᵀ
    if k < n:
        out = concatenate([out, np.zeros(shape(out)[:-1] + (n - k,), dtype(out))], axis=-1)
    return out if gr is None else out + matmul(qc, gr)


qr_p.defjvp(_qr_jvp).defvjp(_qr_vjp)


def qr(a: Any, mode: str = "reduced") -> Any:
    if not isinstance(a, Box) or mode == "raw":
        return np.linalg.qr(unbox(a) if mode == "raw" else a, mode)  # type: ignore[call-overload]
    m, n = shape(a)[-2:]
    if mode == "complete" and m > n:
        raise NotImplementedError(
            "wengert.numpy.linalg.qr: mode='complete' has no derivative for m > n (the "
            "extra columns of Q are not unique); use mode='reduced'")
    if mode not in ("reduced", "complete", "r"):
        raise ValueError(f"Unrecognized mode '{mode}'")
    out = qr_p(a)
    return out[1] if mode == "r" else _named(_QRResult, out)


# -- pinv ----------------------------------------------------------------------------------
def _pinv_impl(a: Any, rcond: Any, hermitian: bool) -> Any:
    return np.linalg.pinv(a, rcond=rcond, hermitian=hermitian)


pinv_p = defprim("linalg.pinv", _pinv_impl)
# Exact while the rank does not change (no singular value crosses the cutoff).


def _pinv_jvp(t: Any, p: Any, a: Any, rcond: Any, hermitian: bool) -> Any:
    m, n = shape(a)[-2:]
    ph, th = _H(p), _H(t)
    return (-matmul(p, matmul(t, p))
            + matmul(matmul(p, ph), matmul(th, _eye(m, p) - matmul(a, p)))
            + matmul(_eye(n, p) - matmul(p, a), matmul(th, matmul(ph, p))))


def _pinv_vjp(g: Any, p: Any, a: Any, rcond: Any, hermitian: bool) -> Any:
    m, n = shape(a)[-2:]
    pt, pc, ac, gh = _T(p), _conj(p), _conj(a), _H(g)
    return (-matmul(pt, matmul(g, pt))
            + matmul(_eye(m, p) - matmul(ac, pc), matmul(gh, matmul(pc, pt)))
            + matmul(matmul(pt, pc), matmul(gh, _eye(n, p) - matmul(pc, ac))))


pinv_p.defjvp(_pinv_jvp).defvjp(_pinv_vjp)


def pinv(a: Any, rcond: Any = None, hermitian: bool = False, *, rtol: Any = None) -> Any:
    if rcond is None and rtol is None:
        rcond = 1e-15  # NumPy's default cutoff
    elif rcond is None:
        rcond = rtol
    return pinv_p(a, rcond=unbox(rcond), hermitian=hermitian)


# -- compositions -----------------------------------------------------------------------------
def matrix_power(a: Any, n: int) -> Any:
    try:
        n = int(n.__index__())
    except AttributeError as err:
        raise TypeError("exponent must be an integer") from err
    if n == 0:  # the identity: no dependence on a
        return np.broadcast_to(np.eye(shape(a)[-1], dtype=unbox(a).dtype), shape(a)).copy()
    if n < 0:
        a, n = inv_p(a), -n
    if n <= 3:
        out = a
        for _ in range(n - 1):
            out = matmul(out, a)
        return out
    z = result = None  # binary powering, in NumPy's order
    while n > 0:
        z = a if z is None else matmul(z, z)
        n, bit = divmod(n, 2)
        if bit:
            result = z if result is None else matmul(result, z)
    return result


def multi_dot(arrays: Sequence[Any], *, out: Any = None) -> Any:
    if out is not None:
        raise TypeError("wengert.numpy.linalg.multi_dot: out= is not supported")
    arrays = list(arrays)
    if len(arrays) < 2:
        raise ValueError("Expecting at least two arrays.")
    res = arrays[0]
    for b in arrays[1:]:
        res = matmul(res, b)
    return res


def _abs2(x: Any) -> Any:
    return real(conj(x) * x) if is_complex(x) else x * x


def _root(sum_of_squares: Any) -> Any:
    """The square root in a 2-norm, with derivative 0 where the norm is 0 (the minimal
    subgradient, as in PyTorch) instead of 0·∞ = nan.  The zero entries are kept away
    from ``sqrt`` itself, so no nan reaches the derivative through ``where``."""
    zero = np.equal(batched_value(sum_of_squares), 0)
    if not np.any(unbox(zero)):
        return sqrt(sum_of_squares)
    return where_p(zero, 0.0, sqrt(where_p(zero, 1.0, sum_of_squares)))


def _vector_norm(x: Any, ord: Any, axis: tuple, keepdims: bool) -> Any:
    if ord is None or ord == 2:
        return _root(_sum(_abs2(x), axis=axis, keepdims=keepdims))
    if isinstance(ord, str):
        raise ValueError("Invalid norm order for vectors.")
    if ord == np.inf:
        return _max(_abs(x), axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return _min(_abs(x), axis=axis, keepdims=keepdims)
    if ord == 0:  # a count: piecewise constant
        nz = np.asarray(unbox(x)) != 0
        return np.sum(nz.astype(np.asarray(unbox(x)).real.dtype), axis=axis, keepdims=keepdims)
    if ord == 1:
        return _sum(_abs(x), axis=axis, keepdims=keepdims)
    return _sum(_abs(x) ** ord, axis=axis, keepdims=keepdims) ** (1.0 / ord)


def _matrix_norm(x: Any, ord: Any, axis: tuple, keepdims: bool) -> Any:
    nd = ndim(x)
    row, col = axis[0] % nd, axis[1] % nd
    if row == col:
        raise ValueError("Duplicate axes given.")
    if ord in (2, -2, "nuc"):
        s = svd(moveaxis(x, (row, col), (-2, -1)), compute_uv=False)
        r = _max(s, axis=-1) if ord == 2 else _min(s, axis=-1) if ord == -2 else _sum(s, -1)
    elif ord in (1, -1):
        pick = _max if ord == 1 else _min
        r = pick(_sum(_abs(x), axis=row), axis=col - 1 if col > row else col)
    elif ord in (np.inf, -np.inf):
        pick = _max if ord == np.inf else _min
        r = pick(_sum(_abs(x), axis=col), axis=row - 1 if row > col else row)
    elif ord in (None, "fro", "f"):
        r = _root(_sum(_abs2(x), axis=(row, col)))
    else:
        raise ValueError("Invalid norm order for matrices.")
    if keepdims:
        s_ = list(shape(x))
        s_[row] = s_[col] = 1
        r = reshape(r, tuple(s_))
    return r


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:
    x = traced_array(x)
    if not isinstance(x, Box):
        x = np.asarray(x)
        if x.dtype.kind not in "fc":
            x = x.astype(float)
    nd = ndim(x)
    if axis is None:
        if ord is None or (ord in ("f", "fro") and nd == 2) or (ord == 2 and nd == 1):
            r = _root(_sum(_abs2(x)))
            return reshape(r, (1,) * nd) if keepdims else r
        axis = tuple(range(nd))
    elif not isinstance(axis, tuple):
        axis = (int(axis),)
    if len(axis) == 1:
        return _vector_norm(x, ord, axis, keepdims)
    if len(axis) == 2:
        return _matrix_norm(x, ord, axis, keepdims)
    raise ValueError("Improper number of dimensions to norm.")


def vector_norm(x: Any, /, *, axis: Any = None, keepdims: bool = False, ord: Any = 2) -> Any:
    nd = ndim(x)
    if axis is None:
        r = norm(reshape(x, (-1,)), ord, 0)
        return reshape(r, (1,) * nd) if keepdims else r
    axes = tuple(sorted(a % nd for a in ((axis,) if np.ndim(axis) == 0 else axis)))
    if len(axes) == 1:
        return norm(x, ord, axes, keepdims)
    rest = [i for i in range(nd) if i not in axes]
    moved = moveaxis(x, axes, tuple(range(nd - len(axes), nd)))
    r = norm(reshape(moved, tuple(shape(x)[i] for i in rest) + (-1,)), ord, -1)
    if keepdims:
        r = reshape(r, tuple(1 if i in axes else shape(x)[i] for i in range(nd)))
    return r


def matrix_norm(x: Any, /, *, keepdims: bool = False, ord: Any = "fro") -> Any:
    return norm(x, ord, (-2, -1), keepdims)


def cond(x: Any, p: Any = None) -> Any:
    if p is None or p in (2, -2):
        s = svd(x, compute_uv=False)
        first, last = getitem_p(s, idx=(Ellipsis, 0)), getitem_p(s, idx=(Ellipsis, -1))
        return last / first if p == -2 else first / last
    return norm(x, p, axis=(-2, -1)) * norm(inv_p(x), p, axis=(-2, -1))


@per_example
def lstsq(a: Any, b: Any, rcond: Any = None) -> Any:
    """``numpy.linalg.lstsq``; on traced input the solution is ``pinv(a) @ b``."""
    if not isinstance(a, Box) and not isinstance(b, Box):
        return np.linalg.lstsq(a, b, rcond=rcond)
    m, n = shape(a)[-2:]
    eps = np.finfo(np.result_type(unbox(a), 0.0)).eps
    cutoff = eps * max(m, n) if rcond is None else rcond
    x = matmul(pinv(a, cutoff), b)
    s = svd(a, compute_uv=False)
    rank = int(np.sum(unbox(s) > cutoff * np.max(unbox(s))))
    if rank == n and m > n:
        resid = _sum(_abs2(b - matmul(a, x)), axis=0)
        resid = reshape(resid, (1,)) if ndim(b) == 1 else resid
    else:
        resid = np.empty((0,), dtype=np.result_type(unbox(a)).type(0).real.dtype)
    return x, resid, rank, s


def matrix_rank(A: Any, tol: Any = None, hermitian: bool = False, *, rtol: Any = None) -> Any:
    return np.linalg.matrix_rank(unbox(A), tol=unbox(tol), hermitian=hermitian, rtol=rtol)


def trace(x: Any, /, *, offset: int = 0, dtype: Any = None) -> Any:
    r = _trace(x, offset, -2, -1)
    return r if dtype is None else astype(r, dtype)


def diagonal(x: Any, /, *, offset: int = 0) -> Any:
    return _diagonal(x, offset, -2, -1)


def cross(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    return _cross(x1, x2, axis=axis)


for _name in __all__:
    _fn = globals()[_name]
    if callable(_fn) and not isinstance(_fn, type) and getattr(_fn, "__doc__", None) is None:
        _fn.__doc__ = getattr(np.linalg, _name, None).__doc__


def __getattr__(name: str) -> Any:
    """NumPy's other linalg functions: fine on plain arrays, an error on traced ones."""
    fn = getattr(np.linalg, name, None)
    if fn is None:
        raise AttributeError(f"module 'wengert.numpy.linalg' has no attribute {name!r}")
    if not callable(fn) or isinstance(fn, type):
        return fn
    from . import _Undifferentiable
    return _Undifferentiable(f"linalg.{name}", fn)



# -- batching (vmap): NumPy's linalg works on stacks, the batch axis is one more ---------
for _p in (inv_p, det_p, slogdet_p, cholesky_p, eigh_p, eig_p, svd_p, qr_p, pinv_p):
    _p.defbatch(stacked_batch(_p, (2,)))
solve_p.defbatch(stacked_batch(solve_p, (2, 2)))
