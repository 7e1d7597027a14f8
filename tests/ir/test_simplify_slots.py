"""jit's optimiser and code generator read what each primitive declares (its simplify
rule, commutativity, ufunc): a user primitive gets the same treatment as wengert's own."""

from __future__ import annotations

import pathlib
import re

import numpy as np

import wengert
import wengert.numpy as wnp
from wengert import grad, jit
from wengert.core.primitive import Primitive
from wengert.ir.optimize import optimize
from wengert.rules import all_primitives
from wengert.rules._simplify import identity_unit, involution

P = all_primitives()


def _names(f, *args):
    t, _, _ = optimize(wengert.trace(f, *args))
    return [e.prim.name for e in t.eqns]


def _user_max() -> Primitive:
    p = Primitive("user_max", np.maximum, elementwise=True)
    p.defvjp(lambda g, ans, x, y: g * (x >= y), lambda g, ans, x, y: g * (x < y))
    return p


def test_a_user_primitive_with_a_simplify_rule_is_simplified():
    flip = Primitive("flip_sign", lambda x: -x, elementwise=True)
    flip.defvjp(lambda g, ans, x: -g)
    x = np.array([1.0, -2.0, 3.0])
    assert _names(lambda x: flip(flip(x)) * 2.0, x) == ["flip_sign", "flip_sign", "multiply"]
    flip.simplify = involution(flip)
    assert _names(lambda x: flip(flip(x)) * 2.0, x) == ["multiply"]
    np.testing.assert_allclose(jit(lambda x: flip(flip(x)) * 2.0)(x), 2.0 * x)


def test_identity_unit_sides():
    x = np.array([1.0, 2.0])
    p = Primitive("user_mul", np.multiply, elementwise=True)
    p.simplify = identity_unit(1, (0,))  # x * 1 only, not 1 * x
    assert _names(lambda x: wnp.sin(p(x, 1.0)), x) == ["sin"]
    assert _names(lambda x: wnp.sin(p(1.0, x)), x) == ["user_mul", "sin"]


def test_commutative_operands_are_shared_in_either_order():
    m = _user_max()
    x, y = np.array([1.0, 5.0]), np.array([3.0, 2.0])
    f = lambda x, y: wnp.sin(m(x, y)) + wnp.sin(m(y, x))  # noqa: E731
    assert _names(f, x, y).count("user_max") == 2
    m.commutative = True
    assert _names(f, x, y).count("user_max") == 1
    np.testing.assert_allclose(jit(f)(x, y), 2 * np.sin(np.maximum(x, y)))


def test_wengerts_own_facts():
    assert P["add"].commutative and P["multiply"].commutative
    assert not P["maximum"].commutative and not P["subtract"].commutative  # ties, order
    assert P["multiply"].ufunc is np.multiply and P["divide"].ufunc is np.divide
    assert P["sin"].ufunc is np.sin and P["sum"].ufunc is None
    for name in ["add", "subtract", "multiply", "divide", "negative", "positive",
                 "reshape", "transpose", "sum"]:
        assert P[name].simplify is not None, name


def test_the_ufunc_slot_is_found_from_the_implementation():
    assert Primitive("user_sin", np.sin).ufunc is np.sin
    assert Primitive("user_f", lambda x: x).ufunc is None


def test_a_declared_ufunc_writes_into_a_dead_temporary():
    u = Primitive("user_exp", lambda x: np.exp(x), elementwise=True)
    u.defvjp(lambda g, ans, x: g * ans)
    x = np.linspace(0.0, 1.0, 4096)
    f = lambda x: u(wnp.sin(x))  # noqa: E731
    assert "out=" not in str(jit(f).lower(x))
    u.ufunc = np.exp
    f2 = lambda x: u(wnp.sin(x))  # noqa: E731
    assert "out=" in str(jit(f2).lower(x))
    np.testing.assert_allclose(jit(f2)(x), np.exp(np.sin(x)), rtol=1e-15)
    np.testing.assert_allclose(jit(grad(lambda x: wnp.sum(f2(x))))(x),
                               np.exp(np.sin(x)) * np.cos(x), rtol=1e-14)


def test_the_passes_name_no_primitive():
    # The facts about a primitive live beside it in rules/: the passes read its slots.
    root = pathlib.Path(wengert.__file__).parent / "ir"
    names = "|".join(map(re.escape, sorted(P, key=len, reverse=True)))
    quoted = re.compile(rf"[\"']({names})[\"']")
    for module in ["optimize.py", "compile.py"]:
        text = (root / module).read_text()
        assert not quoted.findall(text), module
        assert "prim.name" not in text, module
