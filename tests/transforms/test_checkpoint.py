"""checkpoint / remat: the same derivatives as the unchecked function, for less memory."""

from __future__ import annotations

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert import checkpoint, checkpoint_name, checkpoint_sequential, grad
from wengert import checkpoint_policies as cp

RNG = np.random.default_rng(7)
WS = [RNG.standard_normal((6, 6)) * 0.5 for _ in range(8)]
X = RNG.standard_normal((4, 6))


def layer(h, w):
    return wnp.tanh(h @ w)


def net(ws, x):
    h = x
    for w in ws:
        h = layer(h, w)
    return wnp.sum(h ** 2)


def net_checked(ws, x, policy=None):
    h = x
    for w in ws:
        h = checkpoint(layer, policy=policy)(h, w)
    return wnp.sum(h ** 2)


def assert_same(a, b):
    for u, v in zip(wengert.tree_leaves(a), wengert.tree_leaves(b)):
        np.testing.assert_array_equal(u, v)


def test_grad_is_identical_to_the_unchecked_one():
    assert_same(grad(net_checked, (0, 1))(WS, X), grad(net, (0, 1))(WS, X))
    v0, g0 = wengert.value_and_grad(net)(WS, X)
    v1, g1 = wengert.value_and_grad(net_checked)(WS, X)
    assert v0 == v1
    assert_same(g1, g0)


def test_vjp_and_jacrev_reuse_the_segment_for_every_cotangent():
    f = lambda x: checkpoint(wnp.sin)(x) * x  # noqa: E731
    x = RNG.standard_normal(5)
    out, pull = wengert.vjp(f, x)
    ct = RNG.standard_normal(5)
    assert_same(pull(ct), wengert.vjp(lambda x: wnp.sin(x) * x, x)[1](ct))
    assert_same(pull(ct), pull(ct))  # the graph stays usable
    np.testing.assert_array_equal(wengert.jacrev(f)(x), wengert.jacrev(lambda x: wnp.sin(x) * x)(x))


def test_closed_over_traced_values_get_their_gradient():
    def closed(ws, x):
        h = x
        for w in ws:
            h = checkpoint(lambda h, w=w: layer(h, w))(h)  # w is traced, not an argument
        return wnp.sum(h ** 2)
    assert_same(grad(closed, (0, 1))(WS, X), grad(net, (0, 1))(WS, X))

    def derived(w, x):  # a value computed from w inside the segment, and outside it
        w2 = w * 2.0
        return wnp.sum(checkpoint(lambda h: wnp.sin(h @ (w2 + w)) * w2[0])(x))
    w = WS[0]
    plain = lambda w, x: wnp.sum(wnp.sin(x @ (w * 2.0 + w)) * (w * 2.0)[0])  # noqa: E731
    np.testing.assert_allclose(grad(derived)(w, X), grad(plain)(w, X), rtol=1e-14, atol=1e-14)


def test_higher_order_through_a_checkpoint():
    f = lambda x: wnp.sum(wnp.sin(x) ** 3 * wnp.exp(x))  # noqa: E731
    fc = lambda x: wnp.sum(checkpoint(lambda y: wnp.sin(y) ** 3 * wnp.exp(y))(x))  # noqa: E731
    x = RNG.standard_normal(4)
    np.testing.assert_array_equal(wengert.hessian(fc)(x), wengert.hessian(f)(x))
    np.testing.assert_array_equal(grad(grad(lambda s: fc(x * s)))(1.3),
                                  grad(grad(lambda s: f(x * s)))(1.3))
    gg = lambda F: grad(lambda x: wnp.sum(grad(F)(x) ** 2))(x)  # noqa: E731
    np.testing.assert_array_equal(gg(fc), gg(f))
    v = RNG.standard_normal(4)
    np.testing.assert_array_equal(wengert.hvp(fc, (x,), (v,)), wengert.hvp(f, (x,), (v,)))
    # reverse over forward: the checkpoint meets forward mode first and just runs
    np.testing.assert_allclose(wengert.jacrev(wengert.jacfwd(fc))(x),
                               wengert.hessian(f)(x), rtol=1e-13)


def test_forward_mode_runs_the_function():
    fc = checkpoint(lambda y: wnp.sin(y) * y)
    x, t = RNG.standard_normal(3), RNG.standard_normal(3)
    assert_same(wengert.jvp(fc, (x,), (t,)), wengert.jvp(lambda y: wnp.sin(y) * y, (x,), (t,)))
    np.testing.assert_array_equal(wengert.jacfwd(fc)(x),
                                  wengert.jacfwd(lambda y: wnp.sin(y) * y)(x))
    np.testing.assert_array_equal(fc(x), np.sin(x) * x)  # no transform: a plain call


def test_the_tensor_api_like_torch_utils_checkpoint():
    def run(wrap):
        ws = [wengert.tensor(w, requires_grad=True) for w in WS]
        x = wengert.tensor(X, requires_grad=True)
        h = x
        for w in ws:  # weights closed over, as in a module
            h = wrap(lambda h, w=w: (h @ w).tanh())(h)
        (h ** 2).sum().backward()
        return [w.grad.data for w in ws] + [x.grad.data]
    assert_same(run(checkpoint), run(lambda f: f))
    for policy in (cp.dots_saveable, cp.everything_saveable):  # tensor methods still work
        assert_same(run(lambda f, p=policy: checkpoint(f, policy=p)), run(lambda f: f))
    g0 = grad(net, (0, 1))(WS, X)
    assert_same(run(checkpoint), list(g0[0]) + [g0[1]])


def test_tensor_create_graph_through_a_checkpoint():
    def second(wrap):
        x = wengert.tensor(X[0], requires_grad=True)
        y = wrap(lambda x: (x.sin() * x).sum())(x)
        (g,) = wengert.tensor_grad(y, x, create_graph=True)
        (g ** 2).sum().backward()
        return g.data, x.grad.data
    assert_same(second(checkpoint), second(lambda f: f))


def test_segment_runs_again_in_the_backward_pass_only():
    calls = []

    def f(x):
        calls.append(1)
        return wnp.sum(wnp.sin(x))
    x = RNG.standard_normal(3)
    checkpoint(f)(x)
    wengert.jvp(checkpoint(f), (x,), (x,))
    assert len(calls) == 2
    calls.clear()
    grad(checkpoint(f))(x)
    assert len(calls) == 2  # forward, then once more in the backward pass
    calls.clear()
    grad(checkpoint(f, policy=cp.everything_saveable))(x)
    assert len(calls) == 1  # the backward pass replays the listed calls instead


def _saved_bytes(y):
    """Bytes of the arrays the graph behind tensor ``y`` keeps."""
    seen, total, stack, nodes, kept = set(), 0, [y._node], set(), []
    while stack:
        node = stack.pop()
        if id(node) in nodes:
            continue
        nodes.add(id(node))
        kept.append(node)
        for v in list(node.args or ()) + list(node.ans if isinstance(node.ans, tuple)
                                              else [node.ans]):
            if isinstance(v, np.ndarray) and id(v) not in seen:
                seen.add(id(v))
                total += v.nbytes
        stack.extend(p for _, p, _, _ in node.parents)
    return total, sum(1 for n in kept if n.prim is not None)


def test_the_forward_pass_keeps_less():
    ws = [wengert.tensor(RNG.standard_normal((64, 64)) * 0.1, requires_grad=True)
          for _ in range(16)]
    layers = [lambda h, w=w: (h @ w).tanh() for w in ws]
    x = wengert.tensor(RNG.standard_normal((64, 64)))
    plain = x
    for f in layers:
        plain = f(plain)
    checked = checkpoint_sequential(layers, 4)(x)
    np.testing.assert_array_equal(plain.data, checked.data)
    b_plain, n_plain = _saved_bytes(plain)
    b_checked, n_checked = _saved_bytes(checked)
    # plain: two nodes a layer (matmul, tanh); checked: one node for each of the first 3
    # segments (keeping its input) and the last segment's 4 layers unchecked
    assert (n_plain, n_checked) == (32, 3 + 8)
    assert b_checked < b_plain / 2


def test_a_segment_whose_input_is_data_still_checkpoints_the_tensors_it_closes_over():
    ws = [wengert.tensor(w, requires_grad=True) for w in WS[:4]]
    layers = [lambda h, w=w: (h @ w).tanh() for w in ws]
    y = checkpoint_sequential(layers, 2)(X)  # X: a NumPy array, no tensor
    assert _saved_bytes(y)[1] == 1 + 4  # one node for the first two layers, then two layers
    (y ** 2).sum().backward()
    g = grad(lambda ws: wnp.sum(net_tail(ws, X) ** 2))(WS[:4])
    assert_same([w.grad.data for w in ws], g)
    # the same under a transform: correct gradients (the closure is recorded as usual)
    closed = lambda ws: wnp.sum(checkpoint_sequential(  # noqa: E731
        [lambda h, w=w: layer(h, w) for w in ws], 2)(X) ** 2)
    assert_same(grad(closed)(WS[:4]), g)


def net_tail(ws, x):
    for w in ws:
        x = layer(x, w)
    return x


def test_checkpoint_sequential_matches_the_plain_chain():
    layers = [lambda h, w=w: layer(h, w) for w in WS]

    def chain(ws, x, segments):
        fs = [lambda h, w=w: layer(h, w) for w in ws]
        return wnp.sum(checkpoint_sequential(fs, segments)(x) ** 2)
    for segments in (1, 3, None, len(WS)):
        assert_same(grad(chain, (0, 1))(WS, X, segments), grad(net, (0, 1))(WS, X))
    np.testing.assert_array_equal(checkpoint_sequential(layers)(X),
                                  checkpoint_sequential(layers, 1)(X))


@pytest.mark.parametrize("policy", [cp.nothing_saveable, cp.everything_saveable,
                                    cp.dots_saveable, cp.save_only_these_names("h"),
                                    cp.save_any_names_but_these("h"),
                                    lambda prim, *a, **k: prim.name == "tanh"])
def test_policies_give_the_same_gradient(policy):
    def named(h, w):
        return wnp.tanh(checkpoint_name(h @ w, "h"))

    def f(ws, x):
        h = x
        for w in ws:
            h = checkpoint(named, policy=policy)(h, w)
        return wnp.sum(h ** 2)
    assert_same(grad(f, (0, 1))(WS, X), grad(net, (0, 1))(WS, X))
    assert_same(grad(lambda ws, x: net_checked(ws, x, policy), (0, 1))(WS, X),
                grad(net, (0, 1))(WS, X))
    fc = lambda x: wnp.sum(checkpoint(lambda y: wnp.sin(y @ y) ** 2, policy=policy)(x))  # noqa: E731
    f0 = lambda x: wnp.sum(wnp.sin(x @ x) ** 2)  # noqa: E731
    x = RNG.standard_normal((3, 3))
    np.testing.assert_allclose(wengert.hessian(fc)(x), wengert.hessian(f0)(x), rtol=1e-13)


def test_a_policy_sees_every_primitive_call_and_dots_saveable_keeps_contractions():
    asked = []

    def spy(prim, *args, **params):
        asked.append(prim.name)
        return cp.dots_saveable(prim, *args, **params)
    grad(lambda w: wnp.sum(checkpoint(layer, policy=spy)(X, w)))(WS[0])
    assert asked == ["matmul", "tanh", "sum"] or asked[:2] == ["matmul", "tanh"]
    assert cp.dots_saveable(wnp.matmul) and not cp.dots_saveable(wnp.tanh)


def test_pytrees_kwargs_static_arguments_and_non_float_outputs():
    def f(params, x, mode, *, scale):
        assert mode == "sum"
        y = wnp.sin(params["a"] * x) * scale
        return {"y": y, "n": 3, "idx": wnp.argmax(y)}

    fc = checkpoint(f, static_argnums=(2,))

    def loss(params, F):
        return wnp.sum(F(params, X, "sum", scale=2.0)["y"])
    p = {"a": 1.5}
    assert_same(grad(loss)(p, fc), grad(loss)(p, f))
    assert fc(p, X, "sum", scale=2.0)["n"] == 3


def test_the_autograd_name_is_the_same_function():
    from wengert.transforms.autograd_api import checkpoint as old
    assert old is checkpoint
    assert wengert.remat is checkpoint


def test_bad_arguments_name_the_argument():
    with pytest.raises(TypeError, match="checkpoint: fun must be callable"):
        checkpoint(3)
    with pytest.raises(TypeError, match="policy must be callable"):
        checkpoint(wnp.sin, policy="dots")
    with pytest.raises(TypeError, match="static_argnums must be an int"):
        checkpoint(wnp.sin, static_argnums="x")
    with pytest.raises(ValueError, match=r"static_argnums=\(3,\) does not fit"):
        grad(checkpoint(wnp.sin, static_argnums=3))(1.0)
    with pytest.raises(TypeError, match="argument 0 is in static_argnums but holds a traced"):
        grad(lambda x: checkpoint(lambda a, b: a * b, static_argnums=0)(x, x))(1.0)
    with pytest.raises(TypeError, match="checkpoint_name: name must be a str"):
        checkpoint_name(1.0, 3)
    with pytest.raises(ValueError, match="layers is empty"):
        checkpoint_sequential([], 1)
    with pytest.raises(TypeError, match=r"layers\[1\] is a int"):
        checkpoint_sequential([wnp.sin, 3])
    with pytest.raises(TypeError, match="single callable"):
        checkpoint_sequential(wnp.sin, 1)
    with pytest.raises(ValueError, match=r"segments must be an int from 1 to the number of "
                                         r"layers \(2\), got 5"):
        checkpoint_sequential([wnp.sin, wnp.cos], 5)
    with pytest.raises(ValueError, match="segments"):
        checkpoint_sequential([wnp.sin, wnp.cos], 0)


def test_float32_and_complex_inputs():
    x = np.ones(3, np.float32)
    g = grad(lambda x: wnp.sum(checkpoint(lambda y: (wnp.sin(y) * y, y))(x)[0]))(x)
    assert g.dtype == np.float32
    np.testing.assert_array_equal(g, grad(lambda x: wnp.sum(wnp.sin(x) * x))(x))
    z = 1.0 + 1.0j
    f = lambda z: z * z * wnp.sin(z)  # noqa: E731
    assert grad(lambda z: checkpoint(f)(z), holomorphic=True)(z) == grad(f, holomorphic=True)(z)
    assert grad(lambda z: wnp.abs(checkpoint(f)(z)))(z) == grad(lambda z: wnp.abs(f(z)))(z)
