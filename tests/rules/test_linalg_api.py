"""wengert.numpy.linalg beyond the derivative specs: results, dispatch, errors."""

from __future__ import annotations

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert.numeric import check_grads

L = wnp.linalg
RNG = np.random.default_rng(0)
A = RNG.normal(size=(3, 3)) + 3 * np.eye(3)
SPD = A @ A.T


def test_traced_results_have_numpys_named_fields() -> None:
    def f(a: np.ndarray) -> object:
        q, r = L.qr(a)
        res = L.qr(a)
        assert isinstance(res, type(np.linalg.qr(A)))
        return wnp.sum(res.Q * q) + wnp.sum(res.R) + L.slogdet(a).logabsdet \
            + wnp.sum(L.eigh(a @ a.T).eigenvalues) + wnp.sum(L.svd(a).S)
    wengert.grad(f)(A)


def test_numpy_functions_dispatch_on_traced_values() -> None:
    g = wengert.grad(lambda a: np.linalg.slogdet(a)[1] + np.trace(np.linalg.inv(a)))(A)
    inv = np.linalg.inv(A)
    np.testing.assert_allclose(g, inv.T - (inv @ inv).T, rtol=1e-10)
    g = wengert.grad(lambda a: np.einsum("ij,ji", a, a))(A)
    np.testing.assert_allclose(g, 2 * A.T)


def test_hessian_of_logdet() -> None:
    h = wengert.hessian(lambda a: L.slogdet(a)[1])(A)
    inv = np.linalg.inv(A)
    np.testing.assert_allclose(h, -np.einsum("li,jk->ijkl", inv, inv), atol=1e-10)


def test_plain_values_match_numpy() -> None:
    np.testing.assert_allclose(L.matrix_power(A, 0), np.linalg.matrix_power(A, 0))
    np.testing.assert_allclose(L.norm(np.array([0, 2, 0, 3]), 0), 2.0)
    assert L.matrix_rank(np.ones((3, 3))) == 1
    x, res, rank, s = L.lstsq(A[:, :2], A[:, 2])
    ref = np.linalg.lstsq(A[:, :2], A[:, 2])
    np.testing.assert_allclose(x, ref[0])
    assert rank == ref[2]


def test_traced_lstsq_matches_numpy() -> None:
    a, b = RNG.normal(size=(5, 3)), RNG.normal(size=(5, 2))
    out = wengert.jvp(lambda a: L.lstsq(a, b), (a,), (a,))[0]
    for got, want in zip(out, np.linalg.lstsq(a, b)):
        np.testing.assert_allclose(got, want, rtol=1e-10)


def test_cholesky_reads_the_lower_triangle_only() -> None:
    g = wengert.grad(lambda a: wnp.sum(L.cholesky(a)))(SPD)
    assert np.all(np.triu(g, 1) == 0)
    g = wengert.grad(lambda x: wnp.sum(L.cholesky(x @ x.T)))(A)  # symmetric path
    eps, e = 1e-6, np.zeros_like(A)
    e[0, 1] = 1
    fd = (np.linalg.cholesky((A + eps * e) @ (A + eps * e).T).sum()
          - np.linalg.cholesky((A - eps * e) @ (A - eps * e).T).sum()) / (2 * eps)
    np.testing.assert_allclose(g[0, 1], fd, rtol=1e-6)


def test_eig_derivatives_for_real_and_complex_input() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=(3, 3))
    for x in (a, a + 1j * rng.normal(size=(3, 3))):
        check_grads(lambda a: wnp.sum(wnp.abs(L.eig(a)[0])), (x,), order=2)
        check_grads(lambda a: wnp.sum(wnp.abs(L.eig(a)[1]) ** 2 * wnp.arange(1, 4)), (x,),
                    order=2)
    g = wengert.grad(lambda a: wnp.real(wnp.sum(L.eigvals(a))))(a)  # d tr(A) = I
    np.testing.assert_allclose(g, np.eye(3), atol=1e-12)
    assert g.dtype == np.float64


def test_unsupported_derivatives_say_so() -> None:
    with pytest.raises(NotImplementedError, match="full_matrices"):
        wengert.grad(lambda a: wnp.sum(L.svd(a)[0]))(RNG.normal(size=(4, 3)))
    with pytest.raises(NotImplementedError, match="complete"):
        wengert.grad(lambda a: wnp.sum(L.qr(a, "complete")[1]))(RNG.normal(size=(3, 2)))
    with pytest.raises(TypeError, match="linalg.tensorinv"):
        wengert.grad(lambda a: wnp.sum(L.tensorinv(a, ind=1)))(A)
    assert L.tensorinv(A, ind=1).shape == (3, 3)  # fine on plain arrays


def test_einsum_errors_match_numpy() -> None:
    with pytest.raises(ValueError, match="ellipsis"):
        wengert.grad(lambda a: wnp.sum(wnp.einsum("...i->i", a)))(np.ones((2, 3)))
    with pytest.raises(ValueError, match="operands"):
        wnp.einsum("ij,jk", np.ones((2, 2)))


# -- complex Hermitian eigh and complex SVD ------------------------------------------------
def _hermitian(rng: np.random.Generator, n: int) -> np.ndarray:
    a = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
    return a + a.conj().T


@pytest.mark.parametrize("uplo", ["L", "U"])
def test_complex_eigh_to_second_order(uplo):
    a = _hermitian(np.random.default_rng(1), 4)
    weights = wnp.arange(1, 5)
    check_grads(lambda a: wnp.sum(wnp.linalg.eigvalsh(a, UPLO=uplo) ** 2), (a,), order=2)
    check_grads(lambda a: wnp.sum(wnp.abs(wnp.linalg.eigh(a, UPLO=uplo)[1]) ** 2 * weights),
                (a,), order=2)


def test_complex_eigh_agrees_with_jax():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    rng = np.random.default_rng(3)
    a, t = _hermitian(rng, 3), _hermitian(rng, 3)
    ours = wengert.jvp(lambda a: wnp.sum(wnp.linalg.eigvalsh(a) ** 3), (a,), (t,))[1]
    theirs = jax.jvp(lambda a: jax.numpy.sum(jax.numpy.linalg.eigvalsh(a) ** 3), (a,), (t,))[1]
    assert ours == pytest.approx(float(theirs))


@pytest.mark.parametrize("shape", [(3, 3), (4, 3), (3, 4)])
def test_complex_svd_to_second_order(shape):
    rng = np.random.default_rng(2)
    a = rng.normal(size=shape) + 1j * rng.normal(size=shape)
    k = min(shape)

    def singular_vectors(a):  # a phase-free function of U and Vᴴ
        u, s, vh = wnp.linalg.svd(a, full_matrices=False)
        rows, cols = wnp.arange(1, shape[0] + 1)[:, None], wnp.arange(1, k + 1)
        return (wnp.sum(wnp.abs(u) ** 2 * rows * cols)
                + wnp.sum(wnp.abs(u @ vh * wnp.arange(1, shape[1] + 1)) ** 2) + wnp.sum(s ** 3))
    check_grads(singular_vectors, (a,), order=2)
    check_grads(lambda a: wnp.linalg.norm(a, "nuc"), (a,), order=2)
