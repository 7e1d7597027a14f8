"""Complex cholesky, qr and pinv, and qr of wide matrices, to second order (the specs
check complex input at order 1 only)."""

from __future__ import annotations

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert.numeric import check_grads

L = wnp.linalg


def _complex(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return rng.normal(size=shape) + 1j * rng.normal(size=shape)


def _hermitian_pd(rng: np.random.Generator, n: int) -> np.ndarray:
    x = _complex(rng, (n, n))
    return x @ x.conj().T + n * np.eye(n)


def test_complex_cholesky_to_second_order() -> None:
    rng = np.random.default_rng(0)
    a = _hermitian_pd(rng, 3)
    weights = wnp.arange(1, 10).reshape(3, 3)
    check_grads(L.cholesky, (a,), order=2)
    check_grads(lambda a: wnp.sum(wnp.abs(L.cholesky(a, upper=True)) ** 2 * weights), (a,),
                order=2)
    x = _complex(rng, (2, 3, 3))  # through a Hermitian product: both triangles move
    check_grads(lambda x: L.cholesky(x @ wnp.conj(wnp.swapaxes(x, -1, -2)) + 3 * np.eye(3)),
                (x,), order=2)


def test_complex_cholesky_reads_the_lower_triangle_and_real_diagonal() -> None:
    a = _hermitian_pd(np.random.default_rng(1), 3)
    g = wengert.grad(lambda a: wnp.sum(wnp.abs(L.cholesky(a)) ** 2 * wnp.arange(1, 4)))(a)
    assert np.all(np.triu(g, 1) == 0)
    assert np.all(np.imag(np.diag(g)) == 0)  # LAPACK ignores Im of the diagonal
    t = np.triu(_complex(np.random.default_rng(2), (3, 3)), 1) + 1j * np.eye(3)
    assert np.all(wengert.jvp(L.cholesky, (a,), (t,))[1] == 0)


@pytest.mark.parametrize("shape", [(4, 3), (3, 3), (3, 5), (2, 2, 4)])
@pytest.mark.parametrize("kind", ["real", "complex"])
def test_qr_to_second_order(shape: tuple, kind: str) -> None:
    rng = np.random.default_rng(3)
    a = rng.normal(size=shape) if kind == "real" else _complex(rng, shape)
    check_grads(lambda a: tuple(L.qr(a)), (a,), order=2)
    check_grads(lambda a: L.qr(a, "r"), (a,), order=2)
    check_grads(lambda a: L.qr(a)[0], (a,), order=2)
    if shape[-2] <= shape[-1]:  # complete is reduced here
        check_grads(lambda a: tuple(L.qr(a, "complete")), (a,), order=1)


def test_complex_qr_keeps_diag_r_real() -> None:
    rng = np.random.default_rng(4)
    a, t = _complex(rng, (2, 3, 4)), _complex(rng, (2, 3, 4))
    dr = wengert.jvp(lambda a: L.qr(a)[1], (a,), (t,))[1]
    assert np.all(np.imag(np.diagonal(dr, axis1=-2, axis2=-1)) == 0)


@pytest.mark.parametrize("shape", [(3, 3), (4, 3), (3, 4)])
def test_complex_pinv_to_second_order(shape: tuple) -> None:
    a = _complex(np.random.default_rng(5), shape)
    check_grads(L.pinv, (a,), order=2)
    check_grads(lambda a: wnp.sum(wnp.abs(L.pinv(a)) ** 2), (a,), order=2)
