"""``wengert.scipy.linalg``: values against SciPy, stacks, derivatives against SciPy's own
Fréchet derivative, and the errors."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import scipy.linalg as sl

import wengert
import wengert.numpy as wnp
import wengert.scipy.linalg as wl

RNG = np.random.default_rng(3)


def _spd(n: int, *batch: int) -> np.ndarray:
    x = RNG.normal(size=batch + (n, n))
    return x @ np.swapaxes(x, -1, -2) + n * np.eye(n)


def test_stacks_agree_with_scipy_matrix_by_matrix() -> None:
    a = RNG.normal(size=(2, 3, 4, 4)) + 4 * np.eye(4)
    b = RNG.normal(size=(2, 3, 4, 2))
    s = _spd(4, 2, 3)
    lu, piv = wl.lu_factor(a)
    assert lu.shape == a.shape and piv.shape == (2, 3, 4)
    x = wl.lu_solve((lu, piv), b)
    q = RNG.normal(size=(2, 3, 4, 4))
    tri = wl.solve_triangular(a, b, "T", lower=True)
    cho = wl.cho_solve(wl.cho_factor(s), b)
    funs = {name: getattr(wl, name)(s) for name in ("expm", "logm", "sqrtm")}
    syl = wl.solve_sylvester(s, a, q)
    for i in np.ndindex(2, 3):
        lu_i, piv_i = sl.lu_factor(a[i])
        np.testing.assert_allclose(lu[i], lu_i)
        np.testing.assert_array_equal(piv[i], piv_i)
        np.testing.assert_allclose(x[i], sl.lu_solve((lu_i, piv_i), b[i]))
        np.testing.assert_allclose(tri[i], sl.solve_triangular(a[i], b[i], "T", lower=True))
        np.testing.assert_allclose(cho[i], sl.cho_solve(sl.cho_factor(s[i]), b[i]))
        for name, got in funs.items():
            np.testing.assert_allclose(got[i], getattr(sl, name)(s[i]), rtol=1e-10)
        np.testing.assert_allclose(syl[i], sl.solve_sylvester(s[i], a[i], q[i]))
    np.testing.assert_allclose(wl.eigh(s, eigvals_only=True), np.linalg.eigvalsh(s))


def test_expm_derivative_is_scipys_frechet_derivative_any_order() -> None:
    a, e = RNG.normal(size=(4, 4)), RNG.normal(size=(4, 4))
    _, tangent = wengert.jvp(wl.expm, (a,), (e,))
    np.testing.assert_allclose(tangent, sl.expm_frechet(a, e, compute_expm=False), rtol=1e-10)
    g = RNG.normal(size=(4, 4))
    _, pull = wengert.vjp(wl.expm, a)
    # <G, L(A, E)> = <L(Aᵀ, G), E>
    np.testing.assert_allclose(np.sum(pull(g)[0] * e),
                               np.sum(g * sl.expm_frechet(a, e, compute_expm=False)))
    # second order: d/dt L(A + tE, E) = 2 · (upper right block of exp of the 3x3 block matrix)
    z = np.zeros((4, 4))
    big = sl.expm(np.block([[a, e, z], [z, a, e], [z, z, a]]))
    second = wengert.jvp(lambda x: wengert.jvp(wl.expm, (x,), (e,))[1], (a,), (e,))[1]
    np.testing.assert_allclose(second, 2 * big[:4, 8:], rtol=1e-9)


def test_logm_and_sqrtm_derivatives_invert_their_inverses() -> None:
    a, e = _spd(3), RNG.normal(size=(3, 3))
    dlog = wengert.jvp(wl.logm, (a,), (e,))[1]
    np.testing.assert_allclose(sl.expm_frechet(sl.logm(a), dlog, compute_expm=False), e,
                               atol=1e-10)
    s = sl.sqrtm(a)
    dsqrt = wengert.jvp(wl.sqrtm, (a,), (e,))[1]
    np.testing.assert_allclose(s @ dsqrt + dsqrt @ s, e, atol=1e-10)


def test_lyapunov_and_block_diag_match_scipy() -> None:
    a = RNG.normal(size=(3, 3)) - 3 * np.eye(3)
    q = RNG.normal(size=(3, 3))
    np.testing.assert_allclose(wl.solve_continuous_lyapunov(a, q),
                               sl.solve_continuous_lyapunov(a, q))
    parts = (RNG.normal(size=(2, 3)), np.array([[1.0]]), np.arange(3.0), 5.0)
    np.testing.assert_array_equal(wl.block_diag(*parts), sl.block_diag(*parts))
    assert wl.block_diag().shape == sl.block_diag().shape
    g = wengert.grad(lambda x: wnp.sum(wl.block_diag(x, 2 * x) ** 2))(parts[0])
    np.testing.assert_allclose(g, 10 * parts[0])


def test_eigh_signature_basics() -> None:
    a, b = _spd(4), _spd(4)
    w, v = wl.eigh(a, b)
    w_ref, v_ref = sl.eigh(a, b)
    np.testing.assert_allclose(w, w_ref)
    np.testing.assert_allclose(v.T @ b @ v, np.eye(4), atol=1e-10)  # SciPy's normalization
    np.testing.assert_allclose(np.abs(v), np.abs(v_ref), atol=1e-10)
    up = np.triu(a) + np.tril(RNG.normal(size=(4, 4)), -1)  # only the upper triangle is read
    np.testing.assert_allclose(wl.eigh(up, lower=False, eigvals_only=True),
                               sl.eigh(up, lower=False, eigvals_only=True))
    np.testing.assert_allclose(wl.eigh(a, subset_by_index=[2, 3])[0],
                               sl.eigh(a, subset_by_index=[2, 3])[0])
    np.testing.assert_allclose(wl.eigvalsh(a, b), sl.eigvalsh(a, b))
    np.testing.assert_allclose(wl.cholesky(a), sl.cholesky(a))
    np.testing.assert_allclose(wl.cholesky(a, lower=True), sl.cholesky(a, lower=True))
    np.testing.assert_allclose(wl.solve(a, b[0], transposed=True), sl.solve(a, b[0],
                                                                             transposed=True))


def test_bad_arguments_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="square"):
        wl.expm(np.ones((2, 3)))
    with pytest.raises(ValueError, match="trans must be"):
        wl.solve_triangular(np.eye(2), np.ones(2), trans="X")
    with pytest.raises(TypeError, match=r"\(lu, piv\)"):
        wl.lu_solve(np.eye(2), np.ones(2))
    with pytest.raises(NotImplementedError, match="type=1"):
        wl.eigh(np.eye(2), np.eye(2), type=2)
    with pytest.raises(NotImplementedError, match="subset_by_index"):
        wl.eigh(np.eye(2), subset_by_value=(0, 1))
    with pytest.raises(ValueError, match="subset_by_index"):
        wl.eigh(np.eye(2), subset_by_index=[1, 5])
    with pytest.raises(ValueError, match="q must have shape"):
        wl.solve_sylvester(np.eye(2), np.eye(3), np.ones((2, 2)))


def test_rules_are_not_loaded_by_import_wengert() -> None:
    code = ("import sys, wengert; mods = [m for m in ('wengert.rules.scipy_linalg', "
            "'wengert.rules.scipy_signal', 'wengert.rules.scipy_integrate', "
            "'scipy.linalg', 'scipy.signal', 'scipy.integrate', 'scipy.optimize') "
            "if m in sys.modules]; print(mods); assert not mods")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
