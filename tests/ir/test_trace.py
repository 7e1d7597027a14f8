"""Recording the Wengert list: numbering, operands, containers, control flow, replay."""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert.ir import Literal, Trace, Var, trace


def test_inputs_intermediates_outputs_are_numbered_as_in_the_literature():
    t = trace(lambda x1, x2, x3: x1 * x2 + x3, 1.0, 2.0, 3.0)
    assert [v.index for v in t.inputs] == [-2, -1, 0]
    assert [v.label for v in t.inputs] == ["x1", "x2", "x3"]
    assert [v.index for v in t.intermediates] == [1, 2]
    assert [e.prim.name for e in t.eqns] == ["multiply", "add"]
    e1, e2 = t.eqns
    assert e1.inputs == (t.inputs[0], t.inputs[1])
    assert e2.inputs == (e1.out, t.inputs[2])
    assert t.outputs == [e2.out] and e2.out.value == 5.0
    assert isinstance(t, Trace) and len(t) == 2 and list(t) == t.eqns
    assert "2 equations" in repr(t)


def test_arrays_keep_shape_and_dtype():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = trace(lambda x: wnp.sum(x * 2.0, axis=0), x)
    mul, s = t.eqns
    assert mul.out.shape == (2, 3) and mul.out.dtype == np.float32
    assert mul.out.aval == "f32[2,3]"
    assert s.params == {"axis": (0,), "keepdims": False}
    assert s.out.shape == (3,)
    assert isinstance(mul.inputs[1], Literal) and mul.inputs[1].value == 2.0


def test_nested_containers_name_their_leaves():
    P = namedtuple("P", "w b")
    params = {"layer": [P(1.0, 2.0)], "scale": 3.0}
    t = trace(lambda params, x: (params["layer"][0].w * x + params["layer"][0].b)
              * params["scale"], params, 0.5)
    assert [v.label for v in t.inputs] == ["params['layer'][0].w", "params['layer'][0].b",
                                           "params['scale']", "x"]
    assert t.evaluate(params, 1.0) == pytest.approx((1.0 + 2.0) * 3.0)


def test_outputs_keep_their_structure_and_constants():
    t = trace(lambda x: {"a": wnp.sin(x), "b": (x, 7.0)}, 0.3)
    assert t.out_tree.num_leaves == 3
    out = t.output_values()
    assert out["b"][1] == 7.0 and out["a"] == pytest.approx(np.sin(0.3))
    assert isinstance(t.outputs[2], Literal)
    assert t.outputs[1] is t.inputs[0]


def test_control_flow_records_the_path_taken():
    def f(x):
        if x > 2:
            return x * 2 + 5
        return x / 2 + 5

    hi, lo = trace(f, 3.0), trace(f, 1.0)
    assert [e.prim.name for e in hi.eqns] == ["greater", "multiply", "add"]
    assert [e.prim.name for e in lo.eqns] == ["greater", "divide", "add"]
    assert hi.eqns[0].nondiff
    assert hi.evaluate(10.0) == 25.0  # the recorded path, whatever the new value


def test_loops_unroll():
    def f(x):
        for _ in range(4):
            x = wnp.sin(x)
        return x

    assert [e.prim.name for e in trace(f, 0.1).eqns] == ["sin"] * 4


def test_constants_are_literals_and_constant_work_is_not_recorded():
    t = trace(lambda x: x + wnp.sin(2.0) * 3.0, 1.0)
    assert len(t.eqns) == 1
    (e,) = t.eqns
    assert isinstance(e.inputs[1], Literal)
    assert e.inputs[1].value == pytest.approx(np.sin(2.0) * 3.0)


def test_stop_gradient_is_recorded_and_blocks_derivatives():
    f = lambda x: x * wengert.stop_gradient(x)  # noqa: E731
    t = trace(f, 3.0)
    assert [e.prim.name for e in t.eqns] == ["stop_gradient", "multiply"]
    assert id(t.eqns[0].out) not in t.active()
    assert float(t.reverse().gradient[0]) == pytest.approx(wengert.grad(f)(3.0)) == 3.0
    assert float(t.forward().output_tangents[0]) == 3.0


def test_replay_is_differentiable():
    f = lambda x, y: wnp.sum(wnp.tanh(x * y) ** 2)  # noqa: E731
    x, y = np.array([0.1, 0.5, -0.3]), np.array([1.0, 2.0, 3.0])
    t = trace(f, x, y)
    x2 = x + 0.2
    assert t.evaluate(x2, y) == pytest.approx(f(x2, y))
    np.testing.assert_allclose(wengert.grad(t.evaluate)(x2, y), wengert.grad(f)(x2, y))
    with pytest.raises(ValueError, match="structure"):
        t.evaluate(x)


def test_trace_of_grad_records_both_sweeps():
    f = lambda x: wnp.sin(x) * x  # noqa: E731
    t = trace(wengert.grad(f), 0.7)
    names = [e.prim.name for e in t.eqns]
    assert names[:2] == ["sin", "multiply"] and "cos" in names  # forward, then the VJP rules
    assert t.evaluate(0.7) == pytest.approx(np.cos(0.7) * 0.7 + np.sin(0.7))
    assert t.evaluate(1.3) == pytest.approx(np.cos(1.3) * 1.3 + np.sin(1.3))


def test_multiple_result_primitives():
    M = np.array([[2.0, 0.5], [0.5, 3.0]])
    t = trace(lambda M: wnp.linalg.slogdet(M)[1], M)
    e = next(e for e in t.eqns if e.prim.multiple_results)
    assert len(e.outputs) == 2
    (g,) = t.reverse().gradient
    np.testing.assert_allclose(g, np.linalg.inv(M).T)


def test_dce_and_depth_order_renumber():
    def f(x1, x2):
        unused = wnp.exp(x1)  # noqa: F841
        return wnp.log(x1) + x1 * x2 - wnp.sin(x2)

    t = trace(f, 2.0, 5.0)
    assert [e.prim.name for e in t.eqns] == ["exp", "log", "multiply", "add", "sin", "subtract"]
    d = t.dce()
    assert [e.prim.name for e in d.eqns] == ["log", "multiply", "add", "sin", "subtract"]
    s = d.sorted_by_depth()
    assert [e.prim.name for e in s.eqns] == ["log", "multiply", "sin", "add", "subtract"]
    assert [v.index for v in s.intermediates] == [1, 2, 3, 4, 5]
    assert s.evaluate(2.0, 5.0) == pytest.approx(f(2.0, 5.0))
    assert all(isinstance(a, (Var, Literal)) for e in s.eqns for a in e.inputs)


def test_scopes_name_the_calls_that_made_each_operation():
    def layer(x, w):
        return wnp.tanh(w * x)

    def net(x):
        return layer(layer(x, 0.5), 2.0)

    t = trace(net, 0.3)
    scopes = [e.scope for e in t.eqns]
    assert scopes[0][0][0].endswith("net")
    assert [s[-1] for s in scopes] == [(scopes[0][-1][0], 1)] * 2 + [(scopes[2][-1][0], 2)] * 2
    assert scopes[0][-1][0].endswith("layer")


def test_input_lookup():
    t = trace(lambda a, b: a * b, 1.0, 2.0)
    assert t.input("b") is t.inputs[1] and t.input(0) is t.inputs[0]
    with pytest.raises(ValueError, match="no input named"):
        t.input("c")
