"""The passes jit runs on a trace: folding, algebra, CSE, DCE; and the code it emits."""

from __future__ import annotations

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert import grad, jit
from wengert.ir.optimize import Guard, optimize
from wengert.ir.trace import Eqn, Literal, Trace, Var
from wengert.rules import all_primitives

P = all_primitives()


def _names(t):
    return [e.prim.name for e in t.eqns]


def _opt(f, *args):
    t, _, stats = optimize(wengert.trace(f, *args))
    return t, stats


def _check_same(f, *args):
    t, _ = _opt(f, *args)
    np.testing.assert_allclose(t.evaluate(*args), f(*args), rtol=1e-15)
    return t


def test_cse_computes_a_repeated_call_once():
    t = _check_same(lambda x: wnp.sin(x) * wnp.sin(x) + wnp.sin(x), np.ones(3))
    assert _names(t).count("sin") == 1


def test_cse_knows_products_and_sums_commute():
    t = _check_same(lambda x, y: wnp.sin(x * y) + wnp.sin(y * x) + (x + y) * (y + x),
                    np.ones(3), np.full(3, 2.0))
    assert _names(t).count("multiply") == 2 and _names(t).count("sin") == 1


def test_cse_tells_constants_apart():
    t = _check_same(lambda x: x * 2.0 + x * 3.0 + x * 2.0, 1.5)
    assert _names(t).count("multiply") == 2


def test_dce_drops_what_no_output_reads():
    def f(x):
        unused = wnp.exp(x) * 3.0  # noqa: F841
        return wnp.tanh(x)
    t, stats = _opt(f, np.ones(2))
    assert _names(t) == ["tanh"] and stats.removed["dead"] == 2


def test_dce_drops_primal_values_the_derivative_never_reads():
    # d/dx sum(exp(x)) = exp(x): the sum (the value) is dead in the gradient program
    jg = jit(grad(lambda x: wnp.sum(wnp.exp(x))))
    x = np.linspace(0, 1, 4)
    np.testing.assert_allclose(jg(x), np.exp(x))
    prog = jg.program(x)
    assert "sum" not in _names(prog.trace) and prog.stats.removed.get("dead", 0) >= 1


@pytest.mark.parametrize("f", [lambda x: x * 1.0, lambda x: 1.0 * x, lambda x: x + 0.0,
                               lambda x: 0 + x, lambda x: x - 0.0, lambda x: x / 1.0,
                               lambda x: wnp.negative(-x), lambda x: +x,
                               lambda x: x.T.T, lambda x: x.reshape(6).reshape(2, 3),
                               lambda x: wnp.transpose(wnp.transpose(x, (1, 0)), (1, 0))])
def test_identities_disappear(f):
    x = np.arange(6.0).reshape(2, 3)
    t = _check_same(lambda x: wnp.sin(f(x)), x)
    assert _names(t) == ["sin"]


def test_identities_keep_shape_and_dtype():
    # x * 1 broadcasts here, and x + 0 changes int to float: neither is x
    t = _check_same(lambda x: wnp.sin(x * np.ones((2, 3))), np.ones(3))
    assert "multiply" in _names(t)
    t = _check_same(lambda x: wnp.sin(x) + (x.astype(np.int64) + 0.5), np.ones(3))
    assert "add" in _names(t)


def test_transposes_compose_and_reshapes_collapse():
    x = np.arange(24.0).reshape(2, 3, 4)
    t = _check_same(lambda x: wnp.transpose(wnp.transpose(x, (1, 0, 2)), (2, 0, 1)), x)
    assert _names(t) == ["transpose"]
    t = _check_same(lambda x: x.reshape(6, 4).reshape(4, 6).reshape(24), x)
    assert _names(t) == ["reshape"]


def test_sum_of_a_broadcast_is_a_product():
    t = _check_same(lambda s: wnp.sum(wnp.broadcast_to(s, (3, 4))), 1.5)
    assert _names(t) == ["multiply"]
    t = _check_same(lambda v: wnp.sum(wnp.broadcast_to(v, (5, 3)), axis=0), np.arange(3.0))
    assert _names(t) == ["multiply"]
    # a sum over other axes than the broadcast ones stays
    t = _check_same(lambda v: wnp.sum(wnp.broadcast_to(v, (5, 3)), axis=1), np.arange(3.0))
    assert "sum" in _names(t)


def test_constant_folding():
    x = Var(0, 2.0, "x")
    a, b = Var(1, 5.0), Var(2, 10.0)
    e1 = Eqn(P["add"], (Literal(2.0), Literal(3.0)), {}, (a,))
    e2 = Eqn(P["multiply"], (x, a), {}, (b,))
    a.eqn, b.eqn = e1, e2
    _, tree = wengert.tree_flatten((2.0,))
    t = Trace([x], [e1, e2], [b], tree, wengert.tree_structure(1.0))
    opt, _, stats = optimize(t)
    assert _names(opt) == ["multiply"] and stats.removed["folded"] == 1
    assert isinstance(opt.eqns[0].inputs[1], Literal) and opt.eqns[0].inputs[1].value == 5.0
    assert opt.evaluate(4.0) == 20.0


def test_guards_keep_their_variables_alive():
    x = Var(0, 3.0, "x")
    c, y = Var(1, True), Var(2, 6.0)
    e1 = Eqn(P["greater"], (x, Literal(2.0)), {}, (c,))
    e2 = Eqn(P["multiply"], (x, Literal(2.0)), {}, (y,))
    c.eqn, y.eqn = e1, e2
    _, tree = wengert.tree_flatten((3.0,))
    t = Trace([x], [e1, e2], [y], tree, wengert.tree_structure(1.0))
    opt, guards, _ = optimize(t, [Guard(c, bool, True)])
    assert _names(opt) == ["greater", "multiply"] and guards[0].var is c
    assert _names(optimize(t)[0]) == ["multiply"]


def test_stats_summary_counts_removals():
    _, stats = _opt(lambda x: wnp.sin(x) + wnp.sin(x) * 1.0, 0.5)
    assert stats.before == 4 and stats.after == 2
    assert "2 removed" in stats.summary() and "cse 1" in stats.summary()
