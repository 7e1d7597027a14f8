"""Expression swell: symbolic derivatives outgrow the AD trace."""

from __future__ import annotations

import numpy as np
import pytest

from wengert.explain import layered, swell_study

pytest.importorskip("sympy")


def test_layers_compute_nested_tanh():
    f = layered(2)
    assert f(0.5, 1.0, 0.1, 2.0, -0.3) == pytest.approx(np.tanh(2 * np.tanh(0.5 + 0.1) - 0.3))
    g = layered(1, "exp")
    assert g(0.5, 1.0, 0.1) == pytest.approx(np.tanh(0.6))
    with pytest.raises(ValueError):
        layered(1, "relu")


def test_symbolic_swells_ad_stays_linear():
    rows = swell_study(5).rows
    ad = [r.grad_ops for r in rows]
    assert len({b - a for a, b in zip(ad, ad[1:])}) == 1      # AD grows by a constant a layer
    sym = [r.df_nodes for r in rows]
    growth = [b - a for a, b in zip(sym, sym[1:])]
    assert all(b > a for a, b in zip(growth, growth[1:]))     # SymPy grows faster than linearly
    assert sym[-1] > 10 * ad[-1]


def test_exp_form_swells_exponentially_and_renders(tmp_path):
    s = swell_study(3, "exp")
    sym = [r.df_nodes for r in s.rows]
    assert sym[2] / sym[1] > 5 and sym[1] / sym[0] > 5
    text = s.to_text()
    assert "SymPy ∂f (nodes)" in text and "AD gradient (ops)" in text
    assert s.to_markdown().count("\n|") >= 4 and "<table>" in s._repr_html_()
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    s.plot(tmp_path / "swell.png")
    assert (tmp_path / "swell.png").exists()
