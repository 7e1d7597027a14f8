"""Forward gradients: unbiasedness (z-tests), variance, cost (one jvp, no backward pass)."""

import importlib

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert.forward_grad import forward_grad, forward_gradient_step, sample_direction

N = 4000      # samples per z-test
Z_MAX = 4.5   # per component; P(|z| > 4.5) ≈ 7e-6, so ~20 components stay well below 1e-3


def quadratic(theta):
    a = np.array([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]])
    return 0.5 * theta @ (a @ theta) + wnp.sum(np.array([1.0, -2.0, 0.5]) * theta)


def rosenbrock(p):
    return (1.0 - p[0]) ** 2 + 100.0 * (p[1] - p[0] ** 2) ** 2


def tiny_net(params):
    x = np.array([[0.5, -1.0], [1.5, 0.3], [-0.7, 0.8]])
    h = wnp.tanh(x @ params["w"] + params["b"])
    return wnp.sum(h ** 2) + wnp.sum(params["s"] * h[:, 0])


CASES = [
    ("quadratic", quadratic, np.array([0.3, -0.2, 1.0])),
    ("rosenbrock", rosenbrock, np.array([-0.5, 0.7])),
    ("pytree net", tiny_net, {"w": np.array([[0.2, -0.4], [0.1, 0.3]]),
                              "b": np.array([0.05, -0.1]), "s": np.array(0.7)}),
]


def samples(f, params, n, **kw):
    rng = np.random.default_rng(1234)
    out = [wengert.tree_flatten(forward_grad(f, params, rng=rng, **kw)[1])[0] for _ in range(n)]
    return np.array([np.concatenate([np.ravel(leaf) for leaf in s]) for s in out])


def true_grad(f, params):
    return np.concatenate([np.ravel(g) for g in wengert.tree_leaves(wengert.grad(f)(params))])


def z_scores(draws, mean):
    se = draws.std(axis=0, ddof=1) / np.sqrt(len(draws))
    return (draws.mean(axis=0) - mean) / se


@pytest.mark.parametrize("distribution", ["normal", "rademacher"])
@pytest.mark.parametrize("name, f, params", CASES, ids=[c[0] for c in CASES])
def test_unbiased(name, f, params, distribution):
    draws = samples(f, params, N, distribution=distribution)
    g = true_grad(f, params)
    z = z_scores(draws, g)
    assert np.abs(z).max() < Z_MAX, f"{name}: z = {z}"


def test_the_z_test_detects_a_bias():
    # the same test rejects an estimator that is 25% too large: it can fail
    draws = 1.25 * samples(quadratic, CASES[0][2], N)
    assert np.abs(z_scores(draws, true_grad(quadratic, CASES[0][2]))).max() > Z_MAX


@pytest.mark.parametrize("distribution, sign", [("normal", 1), ("rademacher", -1)])
def test_variance_matches_theory(distribution, sign):
    # Var[g_i] = ‖∇f‖² + (∇f)_i² for Gaussian v, ‖∇f‖² - (∇f)_i² for Rademacher v
    params = CASES[0][2]
    g = true_grad(quadratic, params)
    var = samples(quadratic, params, N, distribution=distribution).var(axis=0, ddof=1)
    expected = g @ g + sign * g ** 2
    np.testing.assert_allclose(var, expected, rtol=0.15)


def test_averaging_divides_the_variance():
    params = CASES[0][2]
    v1 = samples(quadratic, params, 1500).var(axis=0)
    v4 = samples(quadratic, params, 1500, n_samples=4).var(axis=0)
    ratio = v1 / v4
    assert np.all((ratio > 3.0) & (ratio < 5.3)), ratio


def test_one_batched_jvp_for_all_directions_and_no_backward_pass(monkeypatch):
    fg_module = importlib.import_module("wengert.forward_grad")  # the module, not the function
    calls = []
    real_jvp = fg_module.jvp

    def counting_jvp(*args, **kw):
        calls.append(1)
        return real_jvp(*args, **kw)

    def no_backward(*args, **kw):
        raise AssertionError("forward_grad ran a backward pass")

    monkeypatch.setattr(fg_module, "jvp", counting_jvp)
    monkeypatch.setattr(wengert.core.reverse, "backward_pass", no_backward)
    monkeypatch.setattr(wengert.transforms.reverse, "backward_pass", no_backward)
    forward_grad(quadratic, np.ones(3), rng=0, n_samples=5)
    assert len(calls) == 1  # the 5 directions go through one vmapped jvp


def test_batched_samples_equal_the_average_over_their_directions():
    theta = {"a": np.array([0.3, -0.2, 1.0]), "b": np.array(0.5)}
    f = lambda p: quadratic(p["a"]) * p["b"]
    for distribution in ("normal", "rademacher"):
        value, est = forward_grad(f, theta, rng=3, n_samples=6, distribution=distribution)
        V = sample_direction(theta, np.random.default_rng(3), distribution, n_samples=6)
        g = wengert.grad(f)(theta)
        dd = [sum(np.sum(g[k] * V[k][s]) for k in g) for s in range(6)]
        for k in theta:
            want = np.mean([d * V[k][s] for s, d in enumerate(dd)], axis=0)
            np.testing.assert_allclose(est[k], want, rtol=1e-12, atol=1e-14)
        assert value == pytest.approx(f(theta))


def test_estimate_is_directional_derivative_times_direction():
    theta = np.array([0.3, -0.2, 1.0])
    value, est = forward_grad(quadratic, theta, rng=np.random.default_rng(7))
    v = sample_direction(theta, np.random.default_rng(7))
    np.testing.assert_allclose(est, (true_grad(quadratic, theta) @ v) * v, rtol=1e-12)
    assert value == pytest.approx(quadratic(theta))


def test_extra_arguments_pytrees_and_dtypes():
    params = {"w": np.ones((2, 3), np.float32), "b": [np.zeros(3, np.float32)]}
    x = np.ones((4, 2), np.float32)

    def f(p, x):
        return wnp.sum((x @ p["w"] + p["b"][0]) ** 2)

    value, est = forward_grad(f, params, x, rng=0, distribution="rademacher")
    assert value == pytest.approx(4 * 3 * 4.0)
    assert wengert.tree_structure(est) == wengert.tree_structure(params)
    assert est["w"].dtype == np.float32 and est["b"][0].dtype == np.float32


def test_exported_at_top_level():
    assert wengert.forward_grad is forward_grad


def test_reproducible_with_the_same_seed():
    a = forward_grad(rosenbrock, np.array([0.1, 0.2]), rng=42)[1]
    b = forward_grad(rosenbrock, np.array([0.1, 0.2]), rng=42)[1]
    np.testing.assert_array_equal(a, b)


def test_rademacher_directions_are_signs():
    v = sample_direction({"a": np.zeros(1000)}, np.random.default_rng(0), "rademacher")["a"]
    assert set(np.unique(v)) == {-1.0, 1.0}
    assert abs(v.mean()) < 5 / np.sqrt(1000)


def test_errors():
    with pytest.raises(ValueError, match="rng"):
        forward_grad(rosenbrock, np.zeros(2), rng=None)
    with pytest.raises(ValueError, match="n_samples"):
        forward_grad(rosenbrock, np.zeros(2), rng=0, n_samples=0)
    with pytest.raises(ValueError, match="distribution"):
        forward_grad(rosenbrock, np.zeros(2), rng=0, distribution="uniform")
    with pytest.raises(TypeError, match="scalar"):
        forward_grad(lambda p: p * 2, np.zeros(2), rng=0)
    with pytest.raises(TypeError, match="float"):
        forward_grad(lambda p: p, np.array(1), rng=0)


def test_forward_gradient_step():
    theta = np.array([1.0, -2.0])
    new, value = forward_gradient_step(lambda p: 0.5 * wnp.sum(p * p), theta, lr=0.1, rng=3)
    v = sample_direction(theta, np.random.default_rng(3))
    np.testing.assert_allclose(new, theta - 0.1 * (theta @ v) * v)
    assert value == pytest.approx(2.5)


def test_forward_gradient_descent_converges_on_a_quadratic():
    theta = np.array([2.0, -1.0, 0.5])
    rng = np.random.default_rng(0)
    f = lambda p: wnp.sum(p * p)  # noqa: E731
    for _ in range(300):
        theta, _ = forward_gradient_step(f, theta, lr=0.05, rng=rng)
    assert f(theta) < 1e-6


def test_float32_normal_directions_are_standard_normal():
    from wengert.forward_grad import _normal32
    z = _normal32(np.random.default_rng(0), (1000, 1001)).astype(np.float64).ravel()
    assert z.dtype == np.float64 and z.size == 1001000
    se = 1 / np.sqrt(z.size)
    assert abs(z.mean()) < 5 * se
    assert abs(z.var() - 1) < 5 * np.sqrt(2) * se
    assert abs(np.mean(z ** 4) - 3) < 5 * np.sqrt(96) * se   # kurtosis of a normal
    assert abs(np.mean(z < -1.0) - 0.15865525) < 5 * 0.37 * se
    half = z.size // 2  # the two halves come from the same uniforms: still uncorrelated
    assert abs(np.corrcoef(z[:half], z[half:2 * half])[0, 1]) < 5 * np.sqrt(2 / z.size)
    assert np.abs(z).max() < 5.8
    d = sample_direction({"w": np.ones((3, 5), np.float32)}, np.random.default_rng(0))
    assert d["w"].dtype == np.float32 and d["w"].shape == (3, 5)
