"""Tables in text (Unicode and ASCII), Markdown and HTML, for scalars and arrays."""

from __future__ import annotations

import numpy as np
import pytest

import wengert.numpy as wnp
from wengert.ir import trace
from wengert.ir.notation import NumberFormat


@pytest.fixture
def t():
    return trace(lambda x1, x2: wnp.log(x1) + x1 * x2 - wnp.sin(x2), 2.0, 5.0).sorted_by_depth()


def test_ascii_fallback_has_no_unicode(t):
    for table in (t.primal_table(), t.forward_table(wrt=0), t.reverse_table(),
                  t.reverse_table(style="blog")):
        text = table.to_text(unicode=False)
        assert text.isascii(), [c for c in text if not c.isascii()]
    text = t.reverse_table().to_text(unicode=False)
    assert "vbar[-1]  = vbar[-1] + vbar[1]*dv[1]/dv[-1]" in text
    assert "x1_bar" in text


def test_columns_are_aligned(t):
    lines = t.forward_table(wrt="x1").to_text(unicode=True).splitlines()
    rows = [ln for ln in lines if "= x₁" in ln or "= ln(" in ln or "= v₋₁v₀" in ln]
    cols = {ln.index("=", ln.index("=") + 1) for ln in rows}  # the second '=' of each row
    assert len(cols) == 1


def test_markdown(t):
    md = t.reverse_table().to_markdown()
    assert "| Forward primal trace | Value |" in md
    assert "| v̄₋₁ = v̄₋₁ + v̄₁ ∂v₁/∂v₋₁ | 5.5 |" in md
    assert md.count("|---|---|") == 2


def test_html_and_jupyter(t):
    h = t.reverse_table().to_html()
    assert h.count("<table>") == 2 and "#c00000" in h  # adjoints in red
    assert "v̄₋₁ = v̄₋₁ + v̄₁ ∂v₁/∂v₋₁" in h
    assert t.forward_table(wrt=0)._repr_html_().count("<tr>") == 2 * (1 + 8)
    assert "<table>" in t._repr_html_()
    with pytest.raises(ValueError):
        t.primal_table().render("latex")


def test_layouts_and_orders_combine(t):
    summed = t.reverse_table(layout="sum")
    assert [r.lhs for r in summed.right.rows][:2] == ["v̄₋₁", "v̄₀"]
    assert summed.right.rows[0].expr == "x̄₁ = v̄₁ ∂v₁/∂v₋₁ + v̄₂ ∂v₂/∂v₋₁" or \
        "x̄₁ = " in summed.right.rows[0].expr
    sweep = t.reverse_table(order="sweep", partials="explicit")
    exprs = [r.expr for r in sweep.right.rows]
    assert "v̄₅" in exprs[1] and exprs[0] == "ȳ"
    assert "v̄₀ + v̄₂v₋₁" in exprs  # ∂v₂/∂v₀ = v₋₁ written out
    with pytest.raises(ValueError):
        t.reverse_table(layout="diagonal")
    with pytest.raises(ValueError):
        t.primal_table(style="poster")


def test_tangent_vector_and_direction_errors(t):
    table = t.forward_table(tangent=(1.0, 1.0))
    assert table.right.rows[-1].value == "7.216"  # 5.5 + 1.716
    with pytest.raises(ValueError, match="wrt"):
        t.forward()
    with pytest.raises(ValueError, match="structure"):
        t.forward(tangent=(1.0,))


def test_several_outputs_need_a_cotangent():
    t = trace(lambda x: (x * 2.0, wnp.sin(x)), 1.0)
    with pytest.raises(ValueError, match="cotangent"):
        t.reverse()
    table = t.reverse_table(cotangent=(1.0, 0.0))
    assert table.right.rows[0].value == "2"
    assert [r.lhs for r in table.left.sections[-1]] == ["y₁", "y₂"]


def test_array_cells_are_summarised():
    x = np.linspace(0.0, 1.0, 12).reshape(3, 4)
    t = trace(lambda x: wnp.sum(wnp.tanh(x) * 2.0), x)
    text = t.reverse_table().to_text()
    assert "f64[3, 4] ∈ [0, 1]" in text
    assert "sum(v₂)" in text
    small = trace(lambda v: v * 2.0, np.array([1.0, 2.0]))
    assert "[2, 4]" in small.primal_table().to_text()


def test_nondiff_rows_have_zero_tangent():
    t = trace(lambda x: wnp.where(x > 0, x, 0.0) * wnp.floor(x), 1.5)
    rows = t.forward_table().right.rows
    assert rows[1].expr == "0"  # greater
    assert any("floor" in r.expr for r in t.primal_table().left.rows)


def test_number_format():
    slides, blog = NumberFormat(3), NumberFormat(2, fixed=True)
    assert [slides(x) for x in (10.6931, 5.5, -0.28366, 2.0, 0.0)] == \
        ["10.693", "5.5", "-0.284", "2", "0"]
    assert [blog(x) for x in (np.log(3), -17.0986, -13 / 3, -12.0)] == \
        ["1.10", "-17.10", "-4.33", "-12"]
    assert slides(1e-9) == "1.00e-09" and slides(True) == "True"
