"""Bad input gets a clear error that names the argument or function at fault."""

from __future__ import annotations

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert import grad, hessian, jacfwd, jacobian, jacrev, jvp, value_and_grad, vjp


def test_grad_of_non_scalar_function():
    with pytest.raises(TypeError, match=r"scalar.*\(3,\).*jacrev"):
        grad(lambda x: x * 2)(np.ones(3))
    with pytest.raises(TypeError, match="scalar"):
        grad(lambda x: (x, x))(1.0)
    with pytest.raises(TypeError, match="scalar"):
        value_and_grad(lambda x: x[:2])(np.ones(3))


def test_grad_accepts_a_one_entry_output_as_autograd_and_pytorch_do():
    value, g = value_and_grad(lambda x: x[:1] * 3.0)(np.ones(2))
    np.testing.assert_array_equal(value, [3.0])
    np.testing.assert_array_equal(g, [3.0, 0.0])


def test_integer_inputs_to_grad():
    with pytest.raises(TypeError, match=r"argument 0 has dtype int.*float"):
        grad(lambda x: x * 2)(3)
    with pytest.raises(TypeError, match=r"argument 1 has dtype int"):
        grad(lambda x, y: x * y, argnums=(0, 1))(1.0, 2)
    with pytest.raises(TypeError, match="dtype int"):
        jacrev(lambda x: x)(np.arange(3))
    with pytest.raises(TypeError, match="jacfwd.*dtype int"):
        jacfwd(lambda x: x)(np.arange(3))
    with pytest.raises(TypeError, match="jvp.*primal 0.*dtype int"):
        jvp(lambda x: x, (1,), (1,))
    with pytest.raises(TypeError, match="dtype bool"):
        grad(lambda x: 1.0)(True)


def test_output_that_does_not_depend_on_inputs_in_an_integer_way():
    with pytest.raises(TypeError, match="float"):
        grad(lambda x: 3)(1.0)


def test_mismatched_tangents_in_jvp():
    with pytest.raises(ValueError, match=r"tangent 0 has shape \(2,\).*\(3,\)"):
        jvp(lambda x: x * 2, (np.ones(3),), (np.ones(2),))
    with pytest.raises(ValueError, match="structure"):
        jvp(lambda x, y: x * y, (1.0, 2.0), (1.0,))
    with pytest.raises(ValueError, match="structure"):
        jvp(lambda d: d["a"], ({"a": 1.0},), ({"b": 1.0},))
    with pytest.raises(TypeError, match=r"tuples.*jvp\(f, \(x,\), \(v,\)\)"):
        jvp(lambda x: x, 1.0, 1.0)


def test_wrong_cotangent_in_vjp_fn():
    _, vjp_fn = vjp(lambda x: x * 2, np.ones(3))
    with pytest.raises(ValueError, match=r"cotangent 0 has shape \(2,\).*\(3,\)"):
        vjp_fn(np.ones(2))
    _, vjp_fn = vjp(lambda x: (x, x * 2), 1.0)
    with pytest.raises(ValueError, match="structure"):
        vjp_fn(1.0)
    with pytest.raises(ValueError, match="structure"):
        vjp_fn([1.0, 1.0])     # a list where the output is a tuple


def test_argnums_out_of_range():
    with pytest.raises(ValueError, match=r"argnums=1.*1 positional"):
        grad(lambda x: x, argnums=1)(1.0)
    with pytest.raises(ValueError, match=r"argnums=\(0, 2\)"):
        grad(lambda x, y: x, argnums=(0, 2))(1.0, 2.0)
    with pytest.raises(ValueError, match="argnums=-3"):
        grad(lambda x, y: x, argnums=-3)(1.0, 2.0)
    with pytest.raises(ValueError, match="argnums"):
        jacfwd(lambda x: x, argnums=4)(1.0)
    with pytest.raises(ValueError, match="argnums"):
        jacrev(lambda x: x, argnums=4)(1.0)
    with pytest.raises(ValueError, match="argnums"):
        jacobian(lambda x: x, argnums=4)(1.0)
    with pytest.raises(ValueError, match="argnums"):
        hessian(lambda x: x, argnums=(1,))(1.0)
    with pytest.raises(TypeError, match="argnums must be an int"):
        grad(lambda x: x, argnums=0.5)(1.0)


def test_has_aux_with_a_non_pair():
    with pytest.raises(TypeError, match=r"has_aux=True.*pair"):
        grad(lambda x: x * 2, has_aux=True)(1.0)
    with pytest.raises(TypeError, match=r"has_aux=True.*pair"):
        grad(lambda x: (x, 1, 2), has_aux=True)(1.0)
    with pytest.raises(TypeError, match=r"has_aux=True.*pair"):
        vjp(lambda x: x, 1.0, has_aux=True)
    with pytest.raises(TypeError, match=r"has_aux=True.*pair"):
        jvp(lambda x: x, (1.0,), (1.0,), has_aux=True)
    with pytest.raises(TypeError, match=r"has_aux=True.*pair"):
        jacfwd(lambda x: x, has_aux=True)(np.ones(2))
    with pytest.raises(TypeError, match=r"has_aux=True.*pair"):
        jacrev(lambda x: x, has_aux=True)(np.ones(2))


def test_complex_output_without_holomorphic():
    with pytest.raises(TypeError, match="holomorphic=True"):
        grad(lambda z: z * z)(1.0 + 1.0j)


def test_unsupported_numpy_function_names_itself():
    with pytest.raises(TypeError, match=r"numpy\.i0.*no derivative rule.*wengert\.primitive"):
        grad(lambda x: np.i0(x))(1.0)
    with pytest.raises(TypeError, match=r"i0.*no derivative rule"):
        grad(lambda x: wnp.i0(x))(1.0)
    with pytest.raises(TypeError, match=r"numpy\.spacing.*wengert\.primitive"):
        grad(lambda x: np.spacing(x))(1.0)


def test_primitive_without_a_rule_names_the_primitive_and_mode():
    p = wengert.primitive(lambda x: x * 2.0, name="doubler")
    p.defjvp(lambda t, ans, x: 2.0 * t)
    assert jvp(p, (1.0,), (1.0,))[1] == 2.0
    with pytest.raises(wengert.NotDifferentiableError, match=r"doubler.*reverse-mode.*defvjp"):
        grad(p)(1.0)
    q = wengert.primitive(lambda x: x * 2.0, name="doubler2")
    q.defvjp(lambda g, ans, x: 2.0 * g)
    assert grad(q)(1.0) == 2.0
    with pytest.raises(wengert.NotDifferentiableError, match=r"doubler2.*forward-mode.*defjvp"):
        jvp(q, (1.0,), (1.0,))


def test_tensor_backward_non_scalar_without_gradient():
    x = wengert.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"shape \(2,\).*gradient="):
        (x * 2).backward()


def test_jacobian_bad_mode():
    with pytest.raises(ValueError, match="'auto', 'forward' or 'reverse'"):
        jacobian(lambda x: x, mode="both")


def test_complex_tangent_for_real_primal():
    with pytest.raises(TypeError, match="tangent 0 is complex"):
        jvp(lambda x: x, (1.0,), (1.0j,))
