"""Complex inputs: holomorphic derivatives, and real-valued functions of complex
inputs with JAX's convention  grad f = ∂f/∂x − i ∂f/∂y  (z = x + iy)."""

from __future__ import annotations

import numpy as np
import pytest

import wengert.numpy as wnp
from wengert import grad, jacfwd, jacrev, jvp, value_and_grad, vjp

close = np.testing.assert_allclose
Z = np.array([1.0 + 2.0j, -0.5 + 0.25j, 3.0 - 1.0j])


def convention(f, z, h=1e-6):
    """∂f/∂x − i ∂f/∂y by central differences, entry by entry (independent of wengert)."""
    z = np.asarray(z, dtype=complex)
    out = np.zeros(z.shape, dtype=complex)
    for k in np.ndindex(z.shape):
        e = np.zeros(z.shape, dtype=complex)
        e[k] = 1.0
        dx = (f(z + h * e) - f(z - h * e)) / (2 * h)
        dy = (f(z + 1j * h * e) - f(z - 1j * h * e)) / (2 * h)
        out[k] = dx - 1j * dy
    return out


@pytest.mark.parametrize("name,f,expected", [
    ("|z|^2", lambda z: wnp.sum(wnp.abs(z) ** 2), lambda z: 2 * np.conj(z)),
    ("z conj z", lambda z: wnp.sum(wnp.real(z * wnp.conj(z))), lambda z: 2 * np.conj(z)),
    ("real", lambda z: wnp.sum(wnp.real(z)), lambda z: np.ones_like(z)),
    ("imag", lambda z: wnp.sum(wnp.imag(z)), lambda z: -1j * np.ones_like(z)),
    ("|z|", lambda z: wnp.sum(wnp.abs(z)), lambda z: np.conj(z) / np.abs(z)),
    ("Re z^2", lambda z: wnp.sum(wnp.real(z * z)), lambda z: 2 * z),   # x² − y² → 2x + 2iy
])
def test_real_function_of_complex_input(name, f, expected):
    g = grad(f)(Z)
    assert g.dtype == np.complex128
    close(g, expected(Z), rtol=1e-12)
    plain = {"|z|^2": lambda z: np.sum(np.abs(z) ** 2), "z conj z": lambda z: np.sum(
        np.real(z * np.conj(z))), "real": lambda z: np.sum(z.real), "imag": lambda z: np.sum(
        z.imag), "|z|": lambda z: np.sum(np.abs(z)), "Re z^2": lambda z: np.sum((z * z).real)}
    close(g, convention(plain[name], Z), rtol=1e-6)


def test_abs_squared_scalar():
    z = 3.0 - 4.0j
    assert grad(lambda z: wnp.abs(z) ** 2)(z) == pytest.approx(2 * np.conj(z))
    v, g = value_and_grad(lambda z: wnp.abs(z))(z)
    assert v == pytest.approx(5.0) and g == pytest.approx(np.conj(z) / 5.0)


def test_gradient_descent_on_complex_parameter_converges():
    c = 2.0 - 1.0j

    def loss(z):
        return wnp.abs(z - c) ** 2
    z = 0.0 + 0.0j
    for _ in range(50):
        # ∂x − i∂y is the conjugate of the steepest-ascent direction ∂x + i∂y
        z = z - 0.25 * np.conj(grad(loss)(z))
    assert z == pytest.approx(c, abs=1e-10)


def test_mixed_real_and_complex_arguments():
    def f(z, r):
        return r * wnp.abs(z) ** 2
    z, r = 1.0 + 1.0j, 3.0
    gz, gr = grad(f, argnums=(0, 1))(z, r)
    assert gz == pytest.approx(2 * r * np.conj(z))
    assert gr == pytest.approx(abs(z) ** 2)
    assert isinstance(gr, float) or np.asarray(gr).dtype.kind == "f"


@pytest.mark.parametrize("f,df", [
    (lambda z: z * z, lambda z: 2 * z),
    (wnp.exp, np.exp),
    (lambda z: wnp.sin(z) * z, lambda z: np.cos(z) * z + np.sin(z)),
    (lambda z: 1.0 / z, lambda z: -1.0 / z ** 2),
])
def test_holomorphic_grad(f, df):
    for z in (1.0 + 2.0j, -0.3 + 0.7j):
        assert grad(f, holomorphic=True)(z) == pytest.approx(df(z), rel=1e-12)
        # forward and reverse mode agree: f'(z)·v and u·f'(z)
        assert jvp(f, (z,), (1.0 + 0.0j,))[1] == pytest.approx(df(z), rel=1e-12)
        assert jvp(f, (z,), (2.0j,))[1] == pytest.approx(2.0j * df(z), rel=1e-12)
        assert vjp(f, z)[1](1.0 + 0.0j)[0] == pytest.approx(df(z), rel=1e-12)


def test_holomorphic_second_derivative():
    z = 0.5 + 0.5j
    assert grad(grad(lambda z: z ** 3, holomorphic=True), holomorphic=True)(z) == \
        pytest.approx(6 * z)


def test_holomorphic_jacobians():
    def F(z):
        return z * z
    J = np.diag(2 * Z)
    close(jacfwd(F, holomorphic=True)(Z), J, rtol=1e-12)
    close(jacrev(F, holomorphic=True)(Z), J, rtol=1e-12)
    # as in JAX: complex Jacobians need the promise, else a real and an imaginary
    # direction would differ silently
    with pytest.raises(TypeError, match="holomorphic=True"):
        jacfwd(F)(Z)
    with pytest.raises(TypeError, match="holomorphic=True"):
        jacrev(F)(Z)
    with pytest.raises(TypeError, match="must be complex"):
        jacfwd(F, holomorphic=True)(np.array([1.0, 2.0]))


def test_jacobian_of_a_real_function_of_complex_input_uses_reverse_mode():
    import wengert
    z = np.array(1.0 + 1.0j)

    def f(z):
        return wnp.stack([wnp.abs(z) ** 2, wnp.real(z)])
    # rows are gradients in the convention of grad: d/dx - i d/dy
    close(wengert.jacobian(f)(z), [2.0 - 2.0j, 1.0], rtol=1e-12)
    close(wengert.jacobian(f)(z), jacrev(f)(z), rtol=1e-12)


def test_holomorphic_errors():
    with pytest.raises(TypeError, match="holomorphic"):
        grad(lambda z: z * z)(1.0 + 1.0j)           # complex output needs holomorphic=True
    with pytest.raises(TypeError, match="complex inputs"):
        grad(lambda z: z * z, holomorphic=True)(1.0)
    with pytest.raises(TypeError, match="holomorphic"):
        grad(lambda z: wnp.abs(z), holomorphic=True)(1.0 + 1.0j)
