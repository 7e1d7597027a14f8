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


# -- functions that return something that is not an array or a number ----------------------
NOT_VALUES = [(None, "None"), ("text", r"a str \('text'\)"), (object(), "an object")]


@pytest.mark.parametrize("bad,said", NOT_VALUES)
def test_grad_of_a_function_returning_a_non_value_names_it(bad, said):
    def loss(x):
        return bad
    for transform in (grad, value_and_grad, wengert.elementwise_grad):
        if transform is wengert.elementwise_grad:
            with pytest.raises(TypeError, match=rf"vjp: loss returned {said}"):
                transform(loss)(np.ones(2))
            continue
        with pytest.raises(TypeError, match=rf"grad\(loss\): the function returned {said} "
                                            r"where a scalar"):
            transform(loss)(1.0)
    with pytest.raises(TypeError, match=rf"returned {said} where a scalar"):
        grad(lambda x: (bad, x), has_aux=True)(1.0)
    with pytest.raises(TypeError, match=rf"returned {said} where a scalar"):
        wengert.hvp(loss, (np.ones(2),), (np.ones(2),))


def test_grad_of_none_says_it_returned_none():
    with pytest.raises(TypeError, match=r"grad\(<lambda>\): the function returned None where "
                                        r"a scalar .* forget to return"):
        grad(lambda x: None)(1.0)


@pytest.mark.parametrize("bad,said", NOT_VALUES)
def test_every_transform_refuses_a_non_value_output(bad, said):
    def f(x):
        return bad
    calls = {
        "vjp": lambda: vjp(f, 1.0),
        "jvp": lambda: jvp(f, (1.0,), (1.0,)),
        "jacfwd": lambda: jacfwd(f)(np.ones(2)),
        "jacrev": lambda: jacrev(f)(np.ones(2)),
        "jacobian": lambda: jacobian(f)(np.ones(2)),
        "hessian": lambda: hessian(f)(np.ones(2)),
        "linearize": lambda: wengert.linearize(f, 1.0),
        "forward_grad": lambda: wengert.forward_grad(lambda p: bad, np.ones(2), rng=0),
    }
    for call in calls.values():
        with pytest.raises(TypeError, match=rf"(vjp|jvp|jacobian): (f|<lambda>) returned "
                                            rf"{said}"):
            call()


def test_a_non_value_inside_an_output_pytree_is_located():
    with pytest.raises(TypeError, match=r"vjp: <lambda> returned None at output\[1\]"):
        vjp(lambda x: (x, None), 1.0)
    with pytest.raises(TypeError, match=r"jvp: <lambda> returned a str \('s'\) at "
                                        r"output\['b'\]\[0\]"):
        jvp(lambda x: {"a": x, "b": ["s"]}, (1.0,), (1.0,))
    # numbers of any dtype are fine in vjp/jvp outputs (no gradient is asked of them)
    assert jvp(lambda x: (x, 3, True), (1.0,), (1.0,))[0] == (1.0, 3, True)


def test_booleans_where_a_gradient_is_asked():
    with pytest.raises(TypeError, match=r"grad\(<lambda>\): the function returned a boolean, "
                                        r"which has no derivative.*wnp.where"):
        grad(lambda x: x > 0)(1.0)
    with pytest.raises(TypeError, match="boolean"):
        grad(lambda x: True)(1.0)


def test_a_ragged_list_gives_numpys_error():
    msg = (r"setting an array element with a sequence\. The requested array has an "
           r"inhomogeneous shape after 1 dimensions\. The detected shape was \(2,\) \+ "
           r"inhomogeneous part\..*lengths or shapes \[2, 1\]")
    with pytest.raises(ValueError, match=msg):
        grad(lambda x: wnp.sum(wnp.array([[x, x], [x]])))(1.0)
    with pytest.raises(ValueError, match=msg):
        grad(lambda x: wnp.sum([[x, x], [x]]))(1.0)  # a list where an array is read
    with pytest.raises(ValueError, match=r"after 2 dimensions\. The detected shape was "
                                         r"\(2, 2\)"):
        grad(lambda x: wnp.sum(wnp.array([[[x], [x]], [[x], [x, x]]])))(1.0)
    with pytest.raises(ValueError) as numpy_says:
        np.array([[1.0, 1.0], [1.0]])
    assert str(numpy_says.value) in str(pytest.raises(ValueError, wnp.array,
                                                      [[wengert.tensor(1.0)] * 2, [1.0]]).value)
    # rows that are arrays and lists of the same length are fine, as in NumPy
    assert grad(lambda x: wnp.sum(wnp.array([x * np.ones(2), [x, 2 * x]])))(1.0) == 5.0


def test_the_function_must_be_callable():
    for call in (lambda: grad(3.0), lambda: value_and_grad("f"), lambda: vjp(3, 1.0),
                 lambda: jvp(3, (1.0,), (1.0,))):
        with pytest.raises(TypeError, match=r"(grad|vjp|jvp): the function to differentiate "
                                            r"must be callable.*grad\(f\), not grad\(f\(x\)\)"):
            call()
    for t in (jacfwd, jacrev, jacobian, hessian, wengert.elementwise_grad):
        with pytest.raises(TypeError, match=r"must be callable, got a float"):
            t(1.5)(1.0)


def test_argnums_of_the_wrong_type():
    for bad in (True, [0.0], ("0",), None):
        with pytest.raises(TypeError, match=r"grad: argnums must be an int or a tuple of ints"):
            grad(lambda x, y: x * y, argnums=bad)(1.0, 2.0)


def test_flags_must_be_booleans():
    with pytest.raises(TypeError, match="grad: has_aux must be True or False, got 'yes'"):
        grad(lambda x: (x, 1), has_aux="yes")
    with pytest.raises(TypeError, match="grad: holomorphic must be True or False"):
        grad(lambda x: x, holomorphic=1)
    with pytest.raises(TypeError, match="vjp: has_aux must be True or False"):
        vjp(lambda x: x, 1.0, has_aux=None)
    with pytest.raises(TypeError, match="jvp: has_aux must be True or False"):
        jvp(lambda x: x, (1.0,), (1.0,), has_aux=[])


def test_tangents_that_are_not_values():
    with pytest.raises(TypeError, match=r"jvp: tangent 0 is None; .*zeros_like"):
        jvp(lambda x: x * 2, (1.0,), (None,))
    with pytest.raises(TypeError, match=r"jvp: tangent 0 is a str \('a'\), not a number"):
        jvp(lambda x: x * 2, (1.0,), ("a",))
    with pytest.raises(ValueError, match=r"jvp: .*2 tangent\(s\) for 1 primal\(s\)"):
        jvp(lambda x: x * 2, (1.0,), (1.0, 2.0))
    with pytest.raises(TypeError, match=r"jvp: tangent 0 is a str"):
        wengert.linearize(lambda x: x, 1.0)[1]("a")
    with pytest.raises(TypeError, match=r"hvp: primals and tangents must be tuples"):
        wengert.hvp(lambda x: wnp.sum(x ** 2), np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match=r"tangent 0 has shape \(3,\)"):
        wengert.hvp(lambda x: wnp.sum(x ** 2), (np.ones(2),), (np.ones(3),))


def test_cotangents_that_do_not_fit():
    _, pull = vjp(lambda x: x * 2, 1.0)
    with pytest.raises(TypeError, match=r"vjp: cotangent 0 is a str"):
        pull("a")
    with pytest.raises(TypeError, match=r"vjp: cotangent 0 is complex, but the output .* "
                                        r"real"):
        pull(1j)
    _, pull = vjp(lambda z: z * 2, 1.0 + 0j)
    assert pull(1j) == (2j,)  # a complex output takes complex cotangents


def test_tensor_api_arguments():
    x = wengert.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"backward: gradient is str, not an array"):
        x.sum().backward(gradient="a")
    with pytest.raises(TypeError, match=r"tensor_grad: outputs must be a Tensor or a "
                                        r"sequence of Tensors, got NoneType"):
        wengert.tensor_grad(None, x)
    with pytest.raises(ValueError, match=r"forward_grad: n_samples must be an int >= 1, "
                                         r"got 0.5"):
        wengert.forward_grad(lambda p: wnp.sum(p), np.ones(2), rng=0, n_samples=0.5)


def test_more_arguments_named():
    from wengert.numeric import check_grads
    with pytest.raises(ValueError, match=r"check_grads: order must be an int >= 1, got 0|"
                                         r"check_grads: order must be an int >= 1"):
        check_grads(wnp.sin, [1.0], order=0)
    for make in (wengert.custom_vjp, wengert.custom_jvp):
        with pytest.raises(TypeError, match=r"custom_[jv]+p: the function to differentiate "
                                            r"must be callable, got an int"):
            make(3)
