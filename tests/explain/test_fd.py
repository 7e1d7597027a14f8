"""Finite-difference error study: truncation falls with h, round-off rises."""

from __future__ import annotations

import numpy as np
import pytest

import wengert.numpy as wnp
from wengert.explain import fd_study


@pytest.fixture(scope="module")
def study():
    return fd_study(lambda x: wnp.cos(x), 2.0, name="cos(x)")


def test_exact_derivative_comes_from_ad(study):
    assert study.exact == pytest.approx(-np.sin(2.0), abs=1e-15)
    assert list(study.steps) == [10.0 ** -k for k in range(1, 13)]
    assert set(study.columns) == {(d, m) for d in ("float32", "float64")
                                  for m in ("forward", "central")}
    assert study.estimates[("float32", "forward")].dtype == np.float32


def test_truncation_error_orders(study):
    fwd, cen = study.errors("float64", "forward"), study.errors("float64", "central")
    # h: 1e-1 -> 1e-2 cuts forward error ~10x (O(h)) and central ~100x (O(h²)).
    assert 7 < fwd[0] / fwd[1] < 13
    assert 70 < cen[0] / cen[1] < 130


def test_round_off_error_rises_as_h_shrinks(study):
    for d in ("float32", "float64"):
        for m in ("forward", "central"):
            err = study.errors(d, m)
            k = int(np.argmin(err))
            assert 0 < k < len(err) - 1          # a V: neither end is best
            assert err[-1] > 100 * err[k]
    h32, e32 = study.best("float32", "central")
    h64, e64 = study.best("float64", "central")
    assert e64 < 1e-9 < e32 and h32 > h64  # float32 wants a larger step


def test_other_variables_and_text():
    s = fd_study(lambda a, b: a * wnp.exp(b), 1.5, 0.5, wrt=1, dtypes=("float64",),
                 methods=("central",), name="a*exp(b)")
    assert s.exact == pytest.approx(1.5 * np.exp(0.5))
    text = s.to_text()
    assert "central float64" in text and "best h" in text and "1e-06" in text
    assert "| h | central float64 |" in s.to_markdown()
    assert "<table>" in s._repr_html_()


def test_plots(study, tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    study.plot(tmp_path / "err.png")
    study.plot_secants(tmp_path / "sec.png")
    for name in ("err.png", "sec.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
