"""The seeds' published evaluation-trace tables, reproduced cell by cell.

* Lecture slides (Baydin et al.'s example): f = ln(x1) + x1·x2 − sin(x2) at (2, 5),
  forward mode for ∂/∂x1 and the reverse adjoint trace, read upwards.
* Blog: f = x1·x2 + x2 − ln(x1) at (3, −4), forward mode for ∂/∂x2 and the
  reverse trace with one summed adjoint row per variable.

Where a seed has a typo the expected cell says so; where it writes a value
symbolically ("ln 2", "sin 5", "1/2") the number is compared instead.
"""

from __future__ import annotations

import math
import unicodedata

import pytest

import wengert.numpy as wnp
from wengert.ir import trace


def slides_f(x1, x2):
    return wnp.log(x1) + x1 * x2 - wnp.sin(x2)


def blog_f(x1, x2):
    return x1 * x2 + x2 - wnp.log(x1)


@pytest.fixture
def slides():
    # Python evaluates ln, ×, +, sin, −; the literature numbers by depth.
    return trace(slides_f, 2.0, 5.0).sorted_by_depth()


@pytest.fixture
def blog():
    return trace(blog_f, 3.0, -4.0).sorted_by_depth()


def _nfc(s):
    return unicodedata.normalize("NFC", s)


def _cells(block):
    return [[(_nfc(r.lhs), _nfc(r.expr), r.value) for r in sec] for sec in block.sections]


def _check(got, expected):
    """Symbols exactly; a value exactly when the seed prints a decimal, else numerically."""
    assert [len(s) for s in got] == [len(s) for s in expected]
    for gs, es in zip(got, expected):
        for (lhs, expr, value), (elhs, eexpr, evalue) in zip(gs, es):
            assert (lhs, expr) == (_nfc(elhs), _nfc(eexpr))
            if isinstance(evalue, str):
                assert value == evalue, (lhs, expr, value, evalue)
            else:
                assert float(value) == pytest.approx(evalue, abs=5e-4), (lhs, value, evalue)


# -- slides ------------------------------------------------------------------------------
SLIDES_PRIMAL = [
    [("v₋₁", "x₁", "2"), ("v₀", "x₂", "5")],
    [("v₁", "ln(v₋₁)", math.log(2)),            # slides: "ln 2"
     ("v₂", "v₋₁v₀", "10"),                     # slides typo: "v₂ = v₋₁ = 10" (v₀ dropped)
     ("v₃", "sin(v₀)", math.sin(5)),            # slides: "sin 5"
     ("v₄", "v₁ + v₂", "10.693"),
     ("v₅", "v₄ − v₃", "11.652")],
    [("y", "v₅", "11.652")],
]
SLIDES_TANGENT = [
    [("v̇₋₁", "ẋ₁", "1"), ("v̇₀", "ẋ₂", "0")],
    [("v̇₁", "v̇₋₁/v₋₁", 0.5),                    # slides: "1/2"
     ("v̇₂", "v̇₋₁v₀ + v̇₀v₋₁", "5"),
     ("v̇₃", "v̇₀ cos(v₀)", "0"),
     ("v̇₄", "v̇₁ + v̇₂", "5.5"),
     ("v̇₅", "v̇₄ − v̇₃", "5.5")],
    [("ẏ", "v̇₅", "5.5")],
]
# Top to bottom as printed; the sweep runs upwards from v̄₅ = ȳ.
SLIDES_ADJOINT = [
    [("x̄₁", "v̄₋₁", "5.5"), ("x̄₂", "v̄₀", "1.716")],
    [("v̄₋₁", "v̄₋₁ + v̄₁ ∂v₁/∂v₋₁", "5.5"),
     ("v̄₀", "v̄₀ + v̄₂ ∂v₂/∂v₀", "1.716"),
     ("v̄₋₁", "v̄₂ ∂v₂/∂v₋₁", "5"),
     ("v̄₀", "v̄₃ ∂v₃/∂v₀", "-0.284"),
     ("v̄₂", "v̄₄ ∂v₄/∂v₂", "1"),
     ("v̄₁", "v̄₄ ∂v₄/∂v₁", "1"),
     ("v̄₃", "v̄₅ ∂v₅/∂v₃", "-1"),
     ("v̄₄", "v̄₅ ∂v₅/∂v₄", "1")],
    [("v̄₅", "ȳ", "1")],
]


def test_slides_forward_table(slides):
    table = slides.forward_table(wrt="x1")
    _check(_cells(table.left), SLIDES_PRIMAL)
    _check(_cells(table.right), SLIDES_TANGENT)


def test_slides_reverse_table(slides):
    table = slides.reverse_table()
    _check(_cells(table.left), SLIDES_PRIMAL)
    _check(_cells(table.right), SLIDES_ADJOINT)


def test_slides_reverse_accumulation_order_in_sweep_order(slides):
    rows = [(r.lhs, r.expr) for r in slides.reverse_table(order="sweep").right.rows]
    first = rows.index(("v̄₋₁", "v̄₂ ∂v₂/∂v₋₁"))
    assert rows.index(("v̄₋₁", "v̄₋₁ + v̄₁ ∂v₁/∂v₋₁")) > first  # accumulated after the first
    assert rows[0] == ("v̄₅", _nfc("ȳ"))
    assert rows[-2:] == [(_nfc("x̄₁"), "v̄₋₁"), (_nfc("x̄₂"), "v̄₀")]


def test_slides_text_rendering(slides):
    text = slides.reverse_table().to_text(unicode=True)
    assert "v̄₋₁  = v̄₋₁ + v̄₁ ∂v₁/∂v₋₁  = 5.5" in text
    assert "v₂   = v₋₁v₀    = 10" in text
    lines = text.splitlines()
    # Read upwards: the seed ȳ is the last line, the inputs' adjoints come first.
    assert _nfc("v̄₅   = ȳ") in lines[-1]
    assert lines.index(next(x for x in lines if "x̄₁" in x)) < lines.index(
        next(x for x in lines if "v̄₄   = v̄₅" in x))


# -- blog --------------------------------------------------------------------------------
def _blog(s):
    """The blog writes bars with U+0305 (v̅); wengert with U+0304 (v̄)."""
    return _nfc(s.replace("\u0305", "\u0304"))


BLOG_PRIMAL = [
    [("v₋₁ = x₁", "3"), ("v₀ = x₂", "-4")],
    [("v₁ = v₋₁v₀", "3 ⋅ -4 = -12"),
     ("v₂ = ln(v₋₁)", "ln(3) = 1.10"),
     ("v₃ = v₁ + v₀", "-12 + -4 = -16"),
     ("v₄ = v₃ − v₂", "-16 - 1.10 = -17.10")],
    [("y = v₄", "-17.10")],
]
BLOG_TANGENT = [
    [("v̇₋₁ = ẋ₁", "0"),                           # blog typo: "ẋ₋₁"
     ("v̇₀ = ẋ₂", "1")],
    [("v̇₁ = v̇₋₁v₀ + v̇₀v₋₁", "0 ⋅ -4 + 1 ⋅ 3 = 3"),
     ("v̇₂ = v̇₋₁ ⋅ (1 / v₋₁)", "0 ⋅ (1 / 3) = 0"),
     ("v̇₃ = v̇₁ + v̇₀", "3 + 1 = 4"),
     ("v̇₄ = v̇₃ − v̇₂", "4 - 0 = 4")],
    [("ẏ = v̇₄", "4")],
]
BLOG_ADJOINT = [
    [(_blog("v̅₋₁ = x̅₁ = v̅₂ ⋅ (1 / v₋₁) + v̅₁ ⋅ v₀"), "-1 ⋅ (1 / 3) + 1 ⋅ -4 = -4.33"),
     (_blog("v̅₀ = x̅₂ = v̅₃ ⋅ 1 + v̅₁ ⋅ v₋₁"), "1 ⋅ 1 + 1 ⋅ 3 = 4")],
    [(_blog("v̅₁ = v̅₃ ⋅ 1"), "1 ⋅ 1 = 1"),
     (_blog("v̅₂ = v̅₄ ⋅ −1"), "1 ⋅ -1 = -1"),
     (_blog("v̅₃ = v̅₄ ⋅ 1"), "1 ⋅ 1 = 1"),
     (_blog("v̅₄ = y̅"), "1")],
    [(_blog("y̅"), "1")],
]


def _two(block):
    return [[(_nfc(f"{r.lhs} = {r.expr}" if r.expr else r.lhs),
              f"{r.arith} = {r.value}" if r.arith else r.value) for r in sec]
            for sec in block.sections]


def _nfc_table(rows):
    return [[(_nfc(a), b) for a, b in sec] for sec in rows]


def test_blog_forward_table(blog):
    table = blog.forward_table(wrt="x2", style="blog")
    assert _two(table.left) == _nfc_table(BLOG_PRIMAL)
    assert _two(table.right) == _nfc_table(BLOG_TANGENT)


def test_blog_reverse_table(blog):
    table = blog.reverse_table(style="blog")
    assert _two(table.left) == _nfc_table(BLOG_PRIMAL)
    assert _two(table.right) == BLOG_ADJOINT


def test_blog_reverse_accumulates_in_sweep_order(blog):
    # v₂ = ln(v₋₁) is swept before v₁ = v₋₁v₀, so its term comes first, as in the blog.
    blog.reverse()
    steps = [(s.var.index, s.eqn.out.index) for s in blog.last_reverse.steps
             if s.kind == "contrib"]
    assert steps == [(3, 4), (2, 4), (1, 3), (0, 3), (-1, 2), (-1, 1), (0, 1)]


def test_the_adjoints_are_the_gradient(slides, blog):
    assert [float(g) for g in slides.reverse().gradient] == pytest.approx([5.5, 1.7163378])
    assert [float(g) for g in blog.reverse().gradient] == pytest.approx([-13 / 3, 4.0])
