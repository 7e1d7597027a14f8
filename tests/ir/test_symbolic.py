"""The trace as a SymPy expression."""

from __future__ import annotations

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert.ir import trace

sp = pytest.importorskip("sympy")


def test_seed_expression():
    t = trace(lambda x1, x2: wnp.log(x1) + x1 * x2 - wnp.sin(x2), 2.0, 5.0)
    x1, x2 = sp.symbols("x1 x2")
    assert sp.simplify(t.to_sympy() - (sp.log(x1) + x1 * x2 - sp.sin(x2))) == 0


def test_constants_powers_and_symbols():
    t = trace(lambda x, y: 0.5 * x ** 2 + wnp.exp(-y) / 3.0 + wnp.tanh(x * y), 1.0, 2.0)
    a, b = sp.symbols("a b")
    e = t.to_sympy({"x": a, "y": b})
    assert e.free_symbols == {a, b}
    assert sp.simplify(e - (a ** 2 / 2 + sp.exp(-b) / 3 + sp.tanh(a * b))) == 0


def test_symbolic_derivative_matches_ad():
    f = lambda x1, x2: wnp.log(x1) * wnp.cos(x2) + wnp.sqrt(x1 * x2)  # noqa: E731
    e = trace(f, 2.0, 5.0).to_sympy()
    x1, x2 = sp.symbols("x1 x2")
    sym = [float(sp.diff(e, s).subs({x1: 2.0, x2: 5.0})) for s in (x1, x2)]
    ad = wengert.grad(f, argnums=(0, 1))(2.0, 5.0)
    np.testing.assert_allclose(sym, ad)


def test_several_outputs_and_unknown_primitives():
    t = trace(lambda x: (wnp.sinc(x), x * 2.0), 0.3)
    s, d = t.to_sympy()
    assert isinstance(s.func, sp.core.function.UndefinedFunction) or "sinc" in str(s)
    assert d == 2 * sp.Symbol("x")


def test_arrays_are_refused():
    with pytest.raises(ValueError, match="scalar"):
        trace(lambda x: wnp.sum(x), np.ones(3)).to_sympy()
