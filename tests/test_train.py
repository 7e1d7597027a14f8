"""The training loop: convergence, history, early stop on NaN, plots."""

import numpy as np
import pytest

import wengert.numpy as wnp
from wengert import optim
from wengert.train import History, fit, plot_histories


@pytest.fixture
def regression():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 3))
    w_true = np.array([1.0, -2.0, 0.5])
    return x, x @ w_true, w_true


def loss(p, x, y):
    r = x @ p["w"] - y
    return wnp.mean(r * r)


def test_backprop_fit_recovers_the_weights(regression):
    x, y, w_true = regression
    evals = []

    def evaluate(p):
        evals.append(1)
        return {"err": float(np.abs(p["w"] - w_true).max())}

    p, h = fit(loss, {"w": np.zeros(3)}, optim.SGD(lr=0.1), (x, y), epochs=30, batch_size=16,
               evaluate=evaluate, progress=False)
    np.testing.assert_allclose(p["w"], w_true, atol=1e-6)
    assert len(h.step) == len(h.loss) == len(h.time) == 30 * 4
    assert h.step[-1] == 120 and np.all(np.diff(h.time) >= 0)
    assert len(evals) == 31 and h.evals[0]["step"] == 0      # before training + every epoch
    assert [e["epoch"] for e in h.epochs] == list(range(1, 31))
    assert h.epochs[-1]["err"] < 1e-6 and h.epochs[0]["samples_per_s"] > 0
    assert h.stopped is None


def test_forward_gradient_fit_decreases_the_loss(regression):
    x, y, _ = regression
    _, h = fit(loss, {"w": np.zeros(3)}, optim.SGD(lr=0.02), (x, y), epochs=40, batch_size=16,
               gradient="forward", n_samples=2, seed=1, progress=False)
    assert np.mean(h.loss[-8:]) < 0.01 * np.mean(h.loss[:4])


def test_max_steps_and_eval_every(regression):
    x, y, _ = regression
    _, h = fit(loss, {"w": np.zeros(3)}, optim.SGD(lr=0.1), (x, y), epochs=100,
               batch_size=16, max_steps=10, eval_every=4, evaluate=lambda p: {"one": 1.0},
               progress=False)
    assert len(h.step) == 10
    assert [e["step"] for e in h.evals] == [0, 4, 8, 10]


def test_nan_stops_training_with_a_clear_message(regression):
    x, y, _ = regression
    with np.errstate(all="ignore"), pytest.warns(
            RuntimeWarning, match="loss became (nan|inf).*lower the learning rate"):
        _, h = fit(loss, {"w": np.zeros(3)}, optim.SGD(lr=1e3), (x, y), epochs=50,
                   batch_size=16, progress=False)
    assert h.stopped is not None and len(h.step) < 50 * 4


def test_unknown_gradient_mode(regression):
    x, y, _ = regression
    with pytest.raises(ValueError, match="backprop"):
        fit(loss, {"w": np.zeros(3)}, optim.SGD(lr=0.1), (x, y), gradient="magic")


def test_progress_bar_runs_when_tqdm_is_installed(regression):
    pytest.importorskip("tqdm")
    x, y, _ = regression
    _, h = fit(loss, {"w": np.zeros(3)}, optim.SGD(lr=0.1), (x, y), epochs=3, batch_size=4,
               progress=True)
    assert len(h.step) == 48


def test_plots_are_written(tmp_path, regression):
    pytest.importorskip("matplotlib")
    x, y, _ = regression
    _, h = fit(loss, {"w": np.zeros(3)}, optim.SGD(lr=0.1), (x, y), epochs=2,
               evaluate=lambda p: {"w0": float(p["w"][0])}, progress=False)
    path = h.plot(str(tmp_path / "h.png"))
    assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    both = plot_histories({"a": h, "b": History(label="empty")}, str(tmp_path / "b.png"))
    assert (tmp_path / "b.png").stat().st_size > 1000 and both.endswith("b.png")
