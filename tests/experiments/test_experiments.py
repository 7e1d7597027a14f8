"""The experiments at tiny sizes: their building blocks and the command line."""

import json

import numpy as np
import pytest

import wengert
from wengert.experiments import cli, digits, linear_model, mlp_timing, toy


def test_linear_model_matches_the_lecture():
    r = linear_model.run()
    assert r["loss"] == 4.0
    assert r["grad"] == (-4.0, -4.0) == r["tensor_grad"]
    assert r["step"] == {"w": pytest.approx(2.4), "b": pytest.approx(3.4)}
    assert r["tensor_step"] == (pytest.approx(2.4), pytest.approx(3.4))


@pytest.mark.parametrize("name", ["beale", "rosenbrock"])
def test_toy_functions_vanish_with_zero_gradient_at_their_minimum(name):
    prob = toy.PROBLEMS[name]
    x = np.array(prob.minimum)
    value, g = wengert.value_and_grad(prob.f)(x)
    assert value == 0.0
    np.testing.assert_allclose(g, 0.0, atol=1e-12)


def test_known_values():
    assert toy.beale(np.array([0.0, 0.0])) == pytest.approx(1.5**2 + 2.25**2 + 2.625**2)
    assert toy.rosenbrock(np.array([0.0, 0.0])) == 1.0


def test_descent_reaches_the_beale_minimum():
    prob = toy.PROBLEMS["beale"]
    run = toy.descend(prob.f, prob.start, prob.lr, method="backprop", max_iter=3000, tol=1e-4)
    assert run.iterations is not None and run.values[-1] < 1e-4
    np.testing.assert_allclose(run.points[-1], prob.minimum, atol=0.05)
    fg = toy.descend(prob.f, prob.start, prob.lr, method="forward", max_iter=3000, tol=1e-4,
                     seed=0)
    assert fg.iterations is not None and len(fg.points) == fg.iterations + 1


def test_hand_written_numpy_baselines_agree_with_wengert():
    x, y, p = mlp_timing._data((12, 9, 7, 4), 5, np.float64, 0)
    params = [(layer["w"], layer["b"]) for layer in p if layer]
    steps = mlp_timing.wengert_steps((12, 9, 7, 4), 5, np.float64, 0)
    value, g = steps["backprop"]()
    v2, g2 = mlp_timing.np_backprop(params, x, y)
    assert v2 == pytest.approx(float(value), rel=1e-12)
    np.testing.assert_allclose(g2[1][0], g[2]["w"], rtol=1e-10)
    rng = np.random.default_rng(3)
    v3, g3 = mlp_timing.np_forward_grad(params, x, y, rng)
    dirs = mlp_timing.np_directions(params, np.random.default_rng(3))
    dd = sum(float((gw * vw).sum() + (gb * vb).sum()) for (gw, gb), (vw, vb) in zip(g2, dirs))
    np.testing.assert_allclose(g3[0][0], dd * dirs[0][0], rtol=1e-10)
    assert v3 == pytest.approx(v2)


def test_mlp_timing_tiny():
    r = mlp_timing.run(sizes=(256, 128, 4), batch=4, repeats=3, warmup=1, torch=False)
    assert set(r["impl"]) == {"wengert", "numpy"}
    for impl in r["impl"].values():
        assert impl["R_f"] > 0 and impl["R_b"] > 0
        # Peak RSS rises are measured per step; at this size (~130 KB of parameters) the
        # allocator may reuse pages already resident, so only their presence is checked.
        assert set(impl["peak_bytes"]) >= {"forward", "backprop", "loss"}
        assert all(v >= 0 for v in impl["peak_bytes"].values())
    assert "paper (GPU) | | | | | 2.46" in mlp_timing.format_table(r)


def test_digits_tiny():
    pytest.importorskip("sklearn")
    r = digits.run(hidden=(32,), epochs=2, lr=1e-2, samples=(1, 2), steps=5)
    assert r["backprop"]["steps"] == 2 * 23 and [f["steps"] for f in r["forward"]] == [5, 5]
    assert r["backprop"]["final_accuracy"] > 0.5     # two epochs of Adam: well above 10%
    assert "forward gradient, n_samples=2" in digits.format_table(r)


@pytest.mark.parametrize("argv", [
    ["linear-model"],
    ["beale", "--quick"],
    ["rosenbrock", "--quick", "--no-plot"],
    ["mlp-timing", "--quick", "--no-torch", "--no-memory"],
    ["digits", "--quick"],
])
def test_cli(tmp_path, capsys, argv):
    if argv[0] == "digits":
        pytest.importorskip("sklearn")
    if argv[0] in ("beale", "digits"):
        pytest.importorskip("matplotlib")
        argv = argv + ["--out", str(tmp_path)]
    out_json = tmp_path / "r.json"
    assert cli.main(argv + ["--json", str(out_json)]) == 0
    printed = capsys.readouterr().out
    assert "|" in printed or "loss" in printed
    assert json.loads(out_json.read_text())
    if argv[0] in ("beale", "digits"):
        assert (tmp_path / f"{argv[0]}.png").exists()


def test_cli_rejects_unknown_experiment():
    with pytest.raises(SystemExit):
        cli.main(["mnist-conv"])
