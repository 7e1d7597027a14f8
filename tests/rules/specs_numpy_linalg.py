"""Specs for ``wengert.numpy.linalg`` (wengert/numpy/linalg.py).

Matrices are drawn well conditioned, with well separated eigen/singular values,
so finite differences are accurate.  Eigen- and singular vectors are unique only
up to sign, so their specs check sign-invariant functions of them: each column
of ``v`` times its own first entry.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import wengert.numpy as wnp

from .spec import Spec, away_from_zero

L = wnp.linalg


def _eye_like(s: tuple) -> np.ndarray:
    return np.eye(s[-2], s[-1]) if len(s) >= 2 else np.zeros(s)


def wellcond(rng: np.random.Generator, s: tuple) -> np.ndarray:
    """Square (or any) stacks near 3·I; vectors and other shapes plain normal."""
    return rng.normal(size=s) * 0.7 + 3.0 * _eye_like(s)


def _orthogonal(rng: np.random.Generator, s: tuple) -> np.ndarray:
    return np.linalg.qr(rng.normal(size=s))[0]


def symmetric(rng: np.random.Generator, s: tuple) -> np.ndarray:
    """Symmetric positive definite with eigenvalues about 1, 2.5, 4, ..."""
    n = s[-1]
    q = _orthogonal(rng, s)
    w = 1.0 + 1.5 * np.arange(n) + rng.uniform(0, 0.3, size=s[:-1])
    return (q * w[..., None, :]) @ np.swapaxes(q, -1, -2)


def hermitian_margin(rng: np.random.Generator, s: tuple) -> np.ndarray:
    """:func:`symmetric` + 2·I, eigenvalues 3 and up: still positive definite once the
    complex specs add an imaginary part (``i·u``, ``|u| <= 1``) to the triangle read."""
    return symmetric(rng, s) + 2.0 * np.eye(s[-1])


def separated(rng: np.random.Generator, s: tuple) -> np.ndarray:
    """Full rank, singular values about 1, 2.5, 4, ..."""
    m, n = s[-2:]
    k = min(m, n)
    u = _orthogonal(rng, s[:-1] + (k,)) if m >= n else _orthogonal(rng, s[:-2] + (m, m))
    v = _orthogonal(rng, s[:-2] + (n, k))
    sv = 1.0 + 1.5 * np.arange(k) + rng.uniform(0, 0.3, size=s[:-2] + (k,))
    return (u * sv[..., None, :]) @ np.swapaxes(v, -1, -2)


def _gauge_free(v: Any) -> Any:
    """Each column of ``v`` times its first entry: unchanged when a column flips sign."""
    return v * v[..., :1, :]


def _eigh(uplo: str) -> Any:
    def f(a: Any) -> Any:
        w, v = L.eigh(a, uplo)
        return w, _gauge_free(v)
    return f


def _svd(a: Any) -> Any:
    u, s, vh = L.svd(a, full_matrices=False)
    vt = wnp.swapaxes(vh, -1, -2)
    return s, _gauge_free(u), _gauge_free(vt), u[..., :1, :] * vt[..., :1, :]


def _phase_free(v: Any) -> Any:
    """Each column of ``v`` times the conjugate of its first entry: unchanged when a column
    turns by a phase (complex) or flips sign (real)."""
    return v * wnp.conj(v[..., :1, :])


def _eigh_c(a: Any) -> Any:
    w, v = L.eigh(a)
    return w, _phase_free(v)


def _svd_c(a: Any) -> Any:
    u, s, vh = L.svd(a, full_matrices=False)
    vt = wnp.swapaxes(vh, -1, -2)  # a pair (uᵢ, vᵢ) shares its phase, so uᵢ·conj(vᵢ) is free
    return s, _phase_free(u), _phase_free(vt), u[..., :1, :] * vt[..., :1, :]


def _vec_norm(ord: Any, **kw: Any) -> Spec:
    prims = ["sqrt", "sum", "multiply", "absolute", "amax", "amin", "power"]
    return Spec(prims, lambda x: L.norm(x, ord, **kw), [[(4,)], [(3, 4)]] if kw else [[(4,)]],
                sample=away_from_zero(), ref=lambda x: np.linalg.norm(x, ord, **kw),
                name=f"norm[{ord},{kw}]")


def _mat_norm(ord: Any, **kw: Any) -> Spec:
    return Spec(["sum", "absolute", "amax", "linalg.svd"], lambda x: L.norm(x, ord, **kw),
                [[(3, 4)]] if not kw else [[(3, 2, 4)]], sample=away_from_zero(),
                ref=lambda x: np.linalg.norm(x, ord, **kw), name=f"norm[{ord},{kw}]")


SQUARE = [[(3, 3)], [(2, 3, 3)]]

SPECS = [
    Spec(["linalg.inv"], L.inv, SQUARE + [[(1, 1)]], sample=wellcond, ref=np.linalg.inv,
         complex_ok=True),
    Spec(["linalg.det"], L.det, SQUARE + [[(2, 2)]], sample=wellcond, ref=np.linalg.det,
         complex_ok=True),
    Spec(["linalg.slogdet"], lambda a: L.slogdet(a).logabsdet, SQUARE, sample=wellcond,
         ref=lambda a: np.linalg.slogdet(a).logabsdet, name="slogdet"),
    Spec(["linalg.slogdet"], lambda a: tuple(L.slogdet(a)), SQUARE, sample=wellcond,
         complex_ok=True, name="slogdet-sign"),
    Spec(["linalg.solve"], L.solve,
         [[(3, 3), (3,)], [(3, 3), (3, 2)], [(2, 3, 3), (3,)], [(2, 3, 3), (2, 3, 2)],
          [(2, 3, 3), (3, 1)], [(3, 3), (2, 3, 2)]],
         sample=wellcond, ref=np.linalg.solve, complex_ok=True),
    Spec(["linalg.cholesky"], L.cholesky, SQUARE, sample=hermitian_margin,
         ref=np.linalg.cholesky, complex_ok=True),
    Spec(["linalg.cholesky", "transpose"], lambda a: L.cholesky(a, upper=True), [[(3, 3)]],
         sample=hermitian_margin, ref=lambda a: np.linalg.cholesky(a, upper=True),
         name="cholesky-upper", complex_ok=True),
    Spec(["linalg.eigh"], _eigh("L"), SQUARE + [[(1, 1)]], sample=symmetric, name="eigh"),
    Spec(["linalg.eigh"], _eigh("U"), [[(3, 3)]], sample=symmetric, name="eigh-U"),
    Spec(["linalg.eigh"], L.eigvalsh, SQUARE, sample=symmetric, ref=np.linalg.eigvalsh,
         name="eigvalsh"),
    Spec(["linalg.svd"], _svd, [[(3, 3)], [(4, 3)], [(3, 4)], [(2, 4, 3)]], sample=separated,
         name="svd"),
    Spec(["linalg.eigh"], _eigh_c, [[(3, 3)], [(2, 3, 3)]], sample=symmetric, name="eigh-phase",
         complex_ok=True),
    Spec(["linalg.svd"], _svd_c, [[(3, 3)], [(4, 3)], [(3, 4)]], sample=separated,
         name="svd-phase", complex_ok=True),
    Spec(["linalg.eig"], lambda a: (wnp.abs(L.eig(a)[0]), wnp.abs(L.eig(a)[1]) ** 2),
         [[(3, 3)], [(2, 3, 3)]], name="eig", complex_ok=True),
    Spec(["linalg.eig"], lambda a: wnp.real(L.eigvals(a) ** 2), [[(4, 4)]],
         ref=lambda a: np.real(np.linalg.eigvals(a) ** 2), name="eigvals"),
    Spec(["linalg.svd"], L.svdvals, [[(4, 3)], [(2, 3, 4)]], sample=separated,
         ref=np.linalg.svdvals, name="svdvals"),
    Spec(["linalg.qr"], lambda a: tuple(L.qr(a)),
         [[(3, 3)], [(4, 3)], [(2, 4, 2)], [(3, 5)], [(2, 2, 3)]], sample=wellcond, name="qr",
         complex_ok=True),
    Spec(["linalg.qr"], lambda a: L.qr(a, "r"), [[(4, 3)], [(3, 4)]], sample=wellcond,
         ref=lambda a: np.linalg.qr(a, "r"), name="qr-r", complex_ok=True),
    Spec(["linalg.qr"], lambda a: L.qr(a)[0], [[(4, 3)], [(3, 4)]], sample=wellcond,
         name="qr-q", complex_ok=True),
    Spec(["linalg.pinv"], L.pinv, [[(3, 3)], [(4, 3)], [(3, 4)], [(2, 4, 3)]],
         sample=separated, ref=np.linalg.pinv, complex_ok=True),
    Spec(["matmul", "linalg.inv"], lambda a: L.matrix_power(a, 5), SQUARE,
         sample=lambda rng, s: wellcond(rng, s) / 3, ref=lambda a: np.linalg.matrix_power(a, 5),
         name="matrix_power[5]"),
    Spec(["matmul", "linalg.inv"], lambda a: L.matrix_power(a, -2), [[(3, 3)]],
         sample=wellcond, ref=lambda a: np.linalg.matrix_power(a, -2), name="matrix_power[-2]"),
    Spec(["matmul"], lambda a, b, c: L.multi_dot([a, b, c]), [[(3,), (3, 4), (4, 2)]],
         ref=lambda a, b, c: np.linalg.multi_dot([a, b, c]), name="multi_dot"),
    _vec_norm(None), _vec_norm(1), _vec_norm(np.inf), _vec_norm(-np.inf), _vec_norm(3),
    _vec_norm(2, axis=-1, keepdims=True), _vec_norm(1, axis=0),
    _mat_norm(None), _mat_norm("fro"), _mat_norm("nuc"), _mat_norm(1), _mat_norm(-1),
    _mat_norm(2), _mat_norm(-2), _mat_norm(np.inf), _mat_norm(-np.inf),
    _mat_norm(1, axis=(2, 0), keepdims=True), _mat_norm("nuc", axis=(0, 2)),
    Spec(["sqrt", "sum"], lambda x: L.norm(x), [[(2, 3, 2)]], ref=np.linalg.norm, name="norm",
         complex_ok=True),
    Spec(["sqrt", "sum"], lambda x: L.vector_norm(x, axis=(0, 2), keepdims=True), [[(2, 3, 2)]],
         ref=lambda x: np.linalg.vector_norm(x, axis=(0, 2), keepdims=True), name="vector_norm"),
    Spec(["sqrt", "sum"], L.matrix_norm, [[(2, 3, 2)]], ref=np.linalg.matrix_norm,
         name="matrix_norm"),
    Spec(["linalg.svd"], L.cond, [[(3, 3)]], sample=separated, ref=np.linalg.cond, name="cond"),
    Spec(["linalg.inv"], lambda x: L.cond(x, "fro"), [[(3, 3)]], sample=wellcond,
         ref=lambda x: np.linalg.cond(x, "fro"), name="cond-fro"),
    Spec(["linalg.pinv"], lambda a, b: L.lstsq(a, b)[0], [[(5, 3), (5,)], [(4, 2), (4, 2)]],
         sample=wellcond, name="lstsq"),
    Spec(["linalg.pinv"], lambda a, b: L.lstsq(a, b)[1], [[(5, 3), (5, 2)]], sample=wellcond,
         name="lstsq-residuals"),
    Spec(["multiply", "sum"], lambda a, b: L.vecdot(a, b), [[(2, 3), (3,)]],
         ref=np.linalg.vecdot, name="vecdot"),
]
