"""The PyTorch-style tensor: backward, accumulating .grad, detach, no_grad."""

from __future__ import annotations

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert import Tensor, enable_grad, is_grad_enabled, no_grad, tensor

eq = np.testing.assert_array_equal
close = np.testing.assert_allclose


def test_creation_copies_and_keeps_dtype():
    d = np.array([1.0, 2.0])
    t = tensor(d)
    d[0] = 9.0
    eq(t.numpy(), [1.0, 2.0])
    assert isinstance(t, Tensor) and not t.requires_grad and t.is_leaf
    assert tensor([1, 2]).data.dtype.kind == "i"
    assert tensor([1, 2], dtype=np.float32).data.dtype == np.float32
    x = tensor(1.0, requires_grad=True)
    assert x.requires_grad and x.is_leaf and x.grad is None and x.grad_fn is None


def test_backward_scalar_and_grad_fn():
    x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (wnp.sin(x) * x).sum()
    assert not y.is_leaf and y.grad_fn == "sum"
    y.backward()
    close(x.grad.numpy(), np.cos([1, 2, 3]) * [1, 2, 3] + np.sin([1, 2, 3]))


def test_grad_accumulates_until_zero_grad():
    x = tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (x * x).sum().backward()
    eq(x.grad.numpy(), 4 * np.array([1.0, 2.0]))
    x.zero_grad()
    assert x.grad is None
    (3 * x).sum().backward()
    eq(x.grad.numpy(), [3.0, 3.0])
    y = tensor(1.0, requires_grad=True)
    (x.sum() * y).backward()
    wengert.zero_grad([x, y])
    assert x.grad is None and y.grad is None


def test_backward_frees_the_graph_unless_retained():
    x = tensor(2.0, requires_grad=True)
    y = x * x * x
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()
    y = x * x * x
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == 12.0 + 2 * 12.0


def test_shared_subgraph_two_outputs():
    x = tensor(2.0, requires_grad=True)
    y = x * x
    z1, z2 = y * 3.0, y + 1.0
    z1.backward(retain_graph=True)
    z2.backward()
    assert x.grad.item() == 12.0 + 4.0


def test_non_scalar_backward_needs_gradient():
    x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    with pytest.raises(RuntimeError, match="gradient="):
        y.backward()
    y.backward(gradient=np.array([1.0, 0.0, -1.0]))
    eq(x.grad.numpy(), [2.0, 0.0, -6.0])
    with pytest.raises(ValueError, match="shape"):
        (x * 2).backward(gradient=np.ones(2))
    z = tensor([[5.0]], requires_grad=True)
    (z * 2).backward()          # one element: the gradient is implied
    eq(z.grad.numpy(), [[2.0]])


def test_backward_without_graph_is_an_error():
    with pytest.raises(RuntimeError, match="requires_grad"):
        tensor(1.0).backward()


def test_broadcast_leaf_gets_its_own_shape():
    b = tensor(2.0, requires_grad=True)
    w = tensor(np.ones((2, 3)), requires_grad=True)
    (w * b).sum().backward()
    assert b.grad.numpy().shape == () and b.grad.item() == 6.0
    eq(w.grad.numpy(), np.full((2, 3), 2.0))


def test_matrix_and_indexing_ops():
    t = tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    (t.T @ t).sum().backward()   # d/dT Σ TᵀT = 2 · (row sums) broadcast
    eq(t.grad.numpy(), [[6.0, 6.0], [14.0, 14.0]])
    t.zero_grad()
    (t[0, 1] * 3.0 + t[1].sum()).backward()
    eq(t.grad.numpy(), [[0.0, 3.0], [1.0, 1.0]])
    t.zero_grad()
    t.reshape(4).mean().backward()
    eq(t.grad.numpy(), np.full((2, 2), 0.25))


def test_non_leaf_has_no_grad():
    x = tensor(2.0, requires_grad=True)
    y = x * x
    (y * 3.0).backward()
    assert y.grad is None and x.grad.item() == 12.0


def test_detach():
    x = tensor([1.0, 2.0], requires_grad=True)
    d = (x * x).detach()
    assert not d.requires_grad and d.is_leaf
    eq(d.numpy(), [1.0, 4.0])
    (x * d).sum().backward()
    eq(x.grad.numpy(), [1.0, 4.0])
    assert np.shares_memory(x.detach().data, x.data)


def test_no_grad_and_enable_grad():
    x = tensor(3.0, requires_grad=True)
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled()
        y = x * 2
        with enable_grad():
            assert is_grad_enabled()
            z = x * 2
        assert not is_grad_enabled()
    assert is_grad_enabled()
    assert not y.requires_grad and z.requires_grad
    assert y.item() == 6.0

    @no_grad()
    def f(t):
        return t * 3
    assert not f(x).requires_grad and is_grad_enabled()
    with pytest.raises(ValueError), no_grad():
        raise ValueError
    assert is_grad_enabled()   # restored after an exception


def test_parameter_update_in_no_grad():
    w = tensor([1.0, -1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="no_grad"):
        w -= 0.1
    with no_grad():
        w -= 0.5 * tensor([2.0, 2.0])
    eq(w.detach().numpy(), [0.0, -2.0])
    assert w.requires_grad and w.is_leaf


def test_in_place_on_non_leaf_is_rebound():
    x = tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    y += 2.0
    (y * y).sum().backward()
    eq(x.grad.numpy(), [6.0, 8.0])


def test_item_assignment_and_silent_conversion_refused():
    x = tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        x[0] = 5.0
    with pytest.raises(TypeError, match="drop its derivative"):
        np.asarray(x)
    with pytest.raises(RuntimeError, match="detach"):
        x.numpy()
    with no_grad():
        eq(np.asarray(x), [1.0, 2.0])
    plain = tensor([1.0, 2.0])
    plain[0] = 5.0
    eq(plain.numpy(), [5.0, 2.0])


def test_numpy_functions_on_tensors():
    x = tensor([0.5, 1.0], requires_grad=True)
    y = np.sum(np.exp(x))
    assert isinstance(y, Tensor) and y.requires_grad
    y.backward()
    close(x.grad.numpy(), np.exp([0.5, 1.0]))


def test_requires_grad_():
    x = tensor(2.0)
    x.requires_grad_()
    (x * x).backward()
    assert x.grad.item() == 4.0
    x.requires_grad_(False)
    assert not x.requires_grad
    (tensor(1.0, requires_grad=True) * 2).requires_grad_()  # already does: fine (PyTorch)
    with pytest.raises(RuntimeError, match="leaf"):
        (tensor(1.0, requires_grad=True) * 2).requires_grad_(False)
    with pytest.raises(TypeError, match="float"):
        tensor([1, 2]).requires_grad_()


def test_float32_tensor_gets_float32_grad():
    x = tensor(np.array([1.0, 2.0], np.float32), requires_grad=True)
    (x * x).sum().backward()
    assert x.grad.numpy().dtype == np.float32


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(TypeError, match="float"):
        tensor([1, 2], requires_grad=True)


def test_repr():
    assert repr(tensor(1.0, requires_grad=True)) == "tensor(1., requires_grad=True)"
    assert "grad_fn=multiply" in repr(tensor([1.0], requires_grad=True) * 2)
    assert repr(tensor([1.0, 2.0])) == "tensor([1., 2.])"


def test_sgd_training_loop_fits_a_line():
    rng = np.random.default_rng(0)
    xs = rng.uniform(-1, 1, 50)
    ys = 3.0 * xs - 1.0
    w = tensor(0.0, requires_grad=True)
    b = tensor(0.0, requires_grad=True)
    for _ in range(300):
        loss = ((w * xs + b - ys) ** 2).mean()
        loss.backward()
        with no_grad():
            w -= 0.3 * w.grad
            b -= 0.3 * b.grad
        wengert.zero_grad([w, b])
    assert w.item() == pytest.approx(3.0, abs=1e-6)
    assert b.item() == pytest.approx(-1.0, abs=1e-6)


def test_functional_transforms_see_tensors_as_constants():
    c = tensor(3.0)
    assert wengert.grad(lambda x: x * c)(2.0) == 3.0


# -- in-place updates never change what a graph saved ---------------------------------
def test_update_under_no_grad_before_backward_keeps_the_gradient_right():
    w = wengert.tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    with wengert.no_grad():
        w -= 1.0
    loss.backward()
    np.testing.assert_array_equal(w.grad.data, [2.0, 4.0])  # of the loss as computed
    np.testing.assert_array_equal(w.data, [0.0, 1.0])       # and w was updated


def test_update_of_a_saved_non_leaf_keeps_the_gradient_right():
    x = wengert.tensor([1.0, 3.0], requires_grad=True)
    y = x * 2.0
    z = (y * y).sum()
    with wengert.no_grad():
        y += 1.0
    z.backward()
    np.testing.assert_array_equal(x.grad.data, 8.0 * x.data)
    np.testing.assert_array_equal(y.data, [3.0, 7.0])


def test_parameter_update_after_backward_is_in_place():
    w = wengert.tensor([1.0, 2.0], requires_grad=True)
    before = id(w.data)
    (w * w).sum().backward()
    with wengert.no_grad():
        w -= 0.5 * w.grad
    assert id(w.data) == before
    np.testing.assert_array_equal(w.data, [0.0, 0.0])


def test_setitem_under_no_grad_copies_a_saved_array():
    w = wengert.tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w * w).sum()
    with wengert.no_grad():
        w[0] = 10.0
    loss.backward()
    np.testing.assert_array_equal(w.grad.data, [3.0, 12.0])
    np.testing.assert_array_equal(w.data, [10.0, 2.0])


def test_inplace_on_a_scalar_result():
    s = wengert.tensor([1.0, 2.0]).sum()
    s += 1
    assert s.item() == 4.0
    t = wengert.tensor([1.0, 2.0], requires_grad=True)
    total = t.sum()
    with wengert.no_grad():
        total += 1
    assert total.item() == 4.0


# -- .grad, .data, zero_ ----------------------------------------------------------------
def test_grad_assignment_is_checked_and_wrapped():
    x = wengert.tensor([1.0, 2.0], requires_grad=True)
    x.grad = np.array([5.0, 5.0])
    assert isinstance(x.grad, wengert.Tensor)
    (x * 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [6.0, 6.0])
    with pytest.raises(ValueError, match="shape"):
        x.grad = np.ones(3)
    x.grad.zero_()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])


def test_data_can_be_assigned():
    w = wengert.tensor([1.0, 2.0], requires_grad=True)
    w.data = np.array([3.0, 4.0])
    (w * w).sum().backward()
    np.testing.assert_array_equal(w.grad.data, [6.0, 8.0])


def test_non_differentiable_ops_on_tensors_give_tensors():
    x = wengert.tensor([-1.0, 2.0], requires_grad=True)
    for out in (wnp.sign(x), x > 0, wnp.floor(x), wnp.argmax(x)):
        assert isinstance(out, wengert.Tensor)
        assert not out.requires_grad
    np.testing.assert_array_equal((x > 0).data, [False, True])
    y = wnp.where(x > 0, x, 0.0).sum()
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0])


def test_retain_grad_fills_grad_of_non_leaves():
    x = wengert.tensor([1.0, 3.0], requires_grad=True)
    y = x * 2.0
    y.retain_grad()
    z = (y * y).sum()
    z.retain_grad()
    assert y.retains_grad and not x.retains_grad
    z.backward(retain_graph=True)
    np.testing.assert_array_equal(x.grad.data, [8.0, 24.0])
    np.testing.assert_array_equal(y.grad.data, [4.0, 12.0])   # 2y
    assert z.grad.item() == 1.0
    w = (y * 3.0).sum()                                        # accumulates like PyTorch
    w.backward()
    np.testing.assert_array_equal(y.grad.data, [7.0, 15.0])
    plain = x * 5.0
    (plain * plain).sum().backward()
    assert plain.grad is None                                  # not asked for


# -- higher order: create_graph ----------------------------------------------------------
def test_tensor_grad_with_create_graph_gives_second_derivatives():
    x0 = np.array([0.3, -1.2, 2.0])
    x = wengert.tensor(x0, requires_grad=True)
    (g,) = wengert.tensor_grad(wnp.sum(wnp.sin(x) * x), x, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), np.cos(x0) * x0 + np.sin(x0))
    assert g.requires_grad and x.grad is None  # tensor_grad leaves .grad alone
    (h,) = wengert.tensor_grad(wnp.sum(g), x)
    np.testing.assert_allclose(h.numpy(), -np.sin(x0) * x0 + 2 * np.cos(x0))
    # the same as the functional API's Hessian diagonal
    hess = wengert.hessian(lambda v: wnp.sum(wnp.sin(v) * v))(x0)
    np.testing.assert_allclose(h.numpy(), np.diag(hess))


def test_backward_with_create_graph_leaves_a_differentiable_grad():
    x = wengert.tensor([1.0, 2.0, 3.0], requires_grad=True)
    wnp.sum(x ** 3).backward(create_graph=True)
    first = x.grad
    np.testing.assert_allclose(first.detach().numpy(), [3.0, 12.0, 27.0])
    assert first.requires_grad
    x.grad = None
    wnp.sum(first).backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 12.0, 18.0])


def test_hessian_vector_product_by_double_backward_matches_finite_differences():
    rng = np.random.default_rng(3)
    a0, v = rng.normal(size=(4, 4)), rng.normal(size=4)
    x0 = rng.normal(size=4)

    def f(m, x):
        return m.sum(m.tanh(a0 @ x) ** 2) + m.sum(x * x * x)
    x = wengert.tensor(x0, requires_grad=True)
    (g,) = wengert.tensor_grad(f(wnp, x), x, create_graph=True)
    (hv,) = wengert.tensor_grad(wnp.sum(g * v), x)
    grad = wengert.grad(lambda x: f(wnp, x))
    eps = 1e-6
    fd = (grad(x0 + eps * v) - grad(x0 - eps * v)) / (2 * eps)
    np.testing.assert_allclose(hv.numpy(), fd, rtol=1e-6, atol=1e-8)


def test_gradient_penalty_flows_to_the_weights():
    # d/dW of ||d out / d input||², the WGAN-GP pattern, against the functional API
    w0 = np.array([[0.5, -0.2], [0.1, 0.4], [-0.3, 0.2]])
    i0 = np.array([[1.0, 2.0, 3.0]])
    w = wengert.tensor(w0, requires_grad=True)
    inp = wengert.tensor(i0, requires_grad=True)
    (gi,) = wengert.tensor_grad(wnp.sum(wnp.tanh(inp @ w)), inp, create_graph=True)
    wnp.sum(gi ** 2).backward()

    def penalty(w):
        return wnp.sum(wengert.grad(lambda i: wnp.sum(wnp.tanh(i @ w)))(i0) ** 2)
    np.testing.assert_allclose(w.grad.numpy(), wengert.grad(penalty)(w0))


def test_tensor_grad_options_and_errors():
    x = wengert.tensor([1.0, 2.0], requires_grad=True)
    unused = wengert.tensor([5.0], requires_grad=True)
    y = x * x  # not a scalar: needs grad_outputs
    with pytest.raises(RuntimeError, match="grad_outputs="):
        wengert.tensor_grad(y, x)
    (g,) = wengert.tensor_grad(y, x, grad_outputs=np.array([1.0, 10.0]), retain_graph=True)
    np.testing.assert_allclose(g.numpy(), [2.0, 40.0])
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        wengert.tensor_grad(wnp.sum(y), [x, unused], retain_graph=True)
    gx, gu = wengert.tensor_grad(wnp.sum(y), [x, unused], allow_unused=True, retain_graph=True)
    assert gu is None
    # a non-leaf input gets its adjoint too
    z = wnp.sum(wnp.sin(y))
    (gy,) = wengert.tensor_grad(z, y)
    np.testing.assert_allclose(gy.numpy(), np.cos([1.0, 4.0]))
    with pytest.raises(TypeError, match=r"inputs\[0\]"):
        wengert.tensor_grad(z, np.ones(2))


def test_backward_inputs_limits_which_grads_are_filled():
    a = wengert.tensor(2.0, requires_grad=True)
    b = wengert.tensor(3.0, requires_grad=True)
    (a * b).backward(inputs=[a])
    assert a.grad.item() == 3.0 and b.grad is None


# -- PyTorch's in-place, copy and grad-mode semantics ------------------------------------
def test_inplace_update_by_a_tensor_that_requires_grad_records_it():
    w = tensor([1.0, 2.0], requires_grad=True)
    total = tensor(0.0)
    total += wnp.sum(3 * w)  # total now stands for a recorded result, as in PyTorch
    assert total.requires_grad and not total.is_leaf
    (wnp.sum(w * w) + total).backward()
    eq(w.grad.numpy(), [5.0, 7.0])
    x = tensor([1.0, 2.0], requires_grad=True)
    out = tensor([0.0, 0.0])
    out[0] = x[0] * 5
    (wnp.sum(out) + wnp.sum(x)).backward()
    eq(x.grad.numpy(), [6.0, 1.0])
    with pytest.raises(RuntimeError, match="int64 tensor"):
        counts = tensor([0, 0])
        counts += x


def test_inplace_on_a_non_leaf_changes_the_tensor_itself():
    x = tensor([1.0, 2.0], requires_grad=True)

    def bump(t):
        t += 1  # the caller's tensor changes, as in PyTorch
    h = x * 2
    alias = h
    bump(h)
    eq(alias.detach().numpy(), [3.0, 5.0])
    h.retain_grad()
    h *= 3
    wnp.sum(h).backward()
    eq(h.grad.numpy(), [1.0, 1.0])
    eq(x.grad.numpy(), [6.0, 6.0])
    # zeroing a create_graph gradient really zeroes it
    y = tensor(2.0, requires_grad=True)
    (y ** 3).backward(create_graph=True)
    y.grad.zero_()
    (y ** 2).backward()
    assert y.grad.item() == 4.0


def test_inplace_under_no_grad_keeps_shape_and_dtype():
    p = tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    keep = p * 1.0  # the graph shares p's array, so the update copies
    with no_grad():
        p -= tensor([0.5, 0.5])  # float64 operand: p stays float32
        assert p.data.dtype == np.float32
        with pytest.raises(RuntimeError, match="shape"):
            p -= tensor([[1.0, 1.0], [1.0, 1.0]])
    del keep
    c = tensor([1, 2])
    with pytest.raises(RuntimeError, match="cannot be stored"):
        c += 1.5


def test_gradients_are_private_arrays_accumulated_in_place():
    x = tensor([1.0, 2.0], requires_grad=True)
    y = tensor([3.0, 4.0], requires_grad=True)
    seed = np.ones(2)
    (x + y).backward(seed)
    x.grad.data[0] = 10.0  # neither the other leaf's gradient nor the seed change
    eq(y.grad.numpy(), [1.0, 1.0])
    eq(seed, [1.0, 1.0])
    z = tensor([1.0, 2.0], requires_grad=True)
    wnp.sum(z).backward()  # a broadcast adjoint: the gradient is still writeable
    z.grad.data *= 0.5
    eq(z.grad.numpy(), [0.5, 0.5])
    held = z.grad
    wnp.sum(z * z).backward()
    eq(held.numpy(), [2.5, 4.5])  # accumulated into the same gradient tensor


def test_clone_copy_and_deepcopy():
    import copy as copy_module
    p = tensor([1.0, 2.0], requires_grad=True)
    snapshot = copy_module.deepcopy(p)
    with no_grad():
        p -= 1.0
    eq(snapshot.detach().numpy(), [1.0, 2.0])
    assert snapshot.requires_grad and snapshot.is_leaf
    c = p.clone()
    wnp.sum(c * 2).backward()
    eq(p.grad.numpy(), [2.0, 2.0])  # clone is differentiable
    d = p.detach().clone()
    d += 5.0
    eq(p.detach().numpy(), [0.0, 1.0])
    with pytest.raises(RuntimeError, match="deepcopy"):
        copy_module.deepcopy(p * 2)


def test_grad_mode_decorators_are_reentrant_and_cover_generators():
    @wengert.no_grad()
    def depth(n):
        return 0 if n == 0 else 1 + depth(n - 1)
    depth(3)
    assert wengert.is_grad_enabled()

    x = tensor([1.0], requires_grad=True)

    @wengert.no_grad
    def gen():
        yield x * 2
    assert not next(gen()).requires_grad
    with wengert.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    with wengert.inference_mode():
        assert not (x * 2).requires_grad
    assert wengert.is_grad_enabled()
    wengert.set_grad_enabled(False)
    assert not wengert.is_grad_enabled()
    wengert.set_grad_enabled(True)


def test_requires_grad_setter_and_switching_it_off():
    x = tensor([1.0, 2.0])
    x.requires_grad = True
    y = wnp.sum(x * x)
    x.requires_grad_(False)  # a graph made before fills no .grad any more
    y.backward()
    assert x.grad is None
    with pytest.raises(RuntimeError, match="empty"):
        z = tensor([1.0], requires_grad=True)
        wnp.sum(z).backward(inputs=[])


def test_float_of_a_tensor_is_its_value_but_transforms_refuse_it():
    import math
    t = tensor(3.0, requires_grad=True)
    assert float(t) == 3.0
    with pytest.raises(TypeError, match="drop its derivative"):
        wengert.grad(lambda x: float(x) * x)(3.0)
    with pytest.raises(TypeError, match="math.sin"):
        wengert.grad(math.sin)(3.0)


def test_pytorch_method_names_match_pytorch():
    torch = pytest.importorskip("torch")
    data = np.array([[1.0, 2.0], [3.0, 4.0]])
    x = tensor(data, requires_grad=True)
    ref = torch.tensor(data, requires_grad=True)

    def f(t):
        h = t.exp().sigmoid().relu().mm(t.t()).sum(dim=1, keepdim=True).view(-1)
        return (h * t.mean()).pow(2).sum() + t.clamp(min=2.5).log().sum()
    f(x).backward()
    f(ref).backward()
    np.testing.assert_allclose(x.grad.numpy(), ref.grad.numpy(), rtol=1e-12)
    assert x.size() == (2, 2) and x.size(1) == 2 and x.dim() == 2 and x.numel() == 4
    assert x.unsqueeze(0).size() == (1, 2, 2) and x.float().dtype == np.float32
    z = tensor([1.0, 2.0])
    z.add_(1.0).mul_(2.0)
    eq(z.numpy(), [4.0, 6.0])


def test_backward_inputs_still_fills_retained_grads_and_create_graph_accumulates_anew():
    x = tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.retain_grad()
    wnp.sum(h * h).backward(inputs=[x])
    eq(h.grad.numpy(), [4.0, 8.0])
    y = x + 2
    y.backward(np.ones(2), retain_graph=True)
    first = x.grad
    y.backward(np.ones(2), create_graph=True)  # out of place, as in PyTorch
    eq(first.numpy(), [9.0, 17.0])
    eq(x.grad.numpy(), [10.0, 18.0])


def test_register_hook_sees_and_replaces_gradients_as_in_pytorch():
    x = tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * 2
    seen = []

    def spy(g):
        seen.append(g.numpy().copy())
        return g * 10
    handle = h.register_hook(spy)
    x.register_hook(lambda g: g + 1)  # a leaf's hook runs before .grad is filled
    wnp.sum(h * h).backward()
    eq(seen[0], [4.0, 8.0, 12.0])  # d(sum h²)/dh = 2h
    eq(x.grad.numpy(), [81.0, 161.0, 241.0])  # (2h·10)·2 + 1
    handle.remove()
    x.grad = None
    wnp.sum(x * 2).backward()
    eq(x.grad.numpy(), [3.0, 3.0, 3.0])
    with pytest.raises(RuntimeError, match="shape"):
        y = tensor([1.0, 2.0], requires_grad=True)
        y.register_hook(lambda g: wnp.sum(g))
        wnp.sum(y * y).backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        tensor([1.0]).register_hook(print)


def test_review_fixes_for_tensors():
    # a second derivative through a custom_vjp rule, recorded by create_graph
    @wengert.custom_vjp
    def cube(x):
        return x ** 3
    cube.defvjp(lambda x: (x ** 3, x), lambda x, g: (3 * x ** 2 * g,))
    x = tensor(2.0, requires_grad=True)
    (g,) = wengert.tensor_grad(cube(x) + x ** 2, x, create_graph=True)
    assert g.item() == 16.0
    assert wengert.tensor_grad(g, x)[0].item() == 14.0  # 6x + 2
    # PyTorch's subgradients: relu'(0) = 0, clamp passes its bounds
    t = tensor([-1.0, 0.0, 2.0], requires_grad=True)
    (wnp.sum(t.relu()) + wnp.sum(t.clamp(min=0.0))).backward()
    eq(t.grad.numpy(), [0.0, 1.0, 2.0])
    # zero_ clears inf and nan too
    eq(tensor([np.inf, np.nan]).zero_().numpy(), [0.0, 0.0])
    # a custom rule may close over a tensor that needs no gradient
    m = tensor([1.0, 2.0])

    @wengert.custom_vjp
    def scale(x):
        return x * m
    scale.defvjp(lambda x: (x * m, None), lambda r, g: (g * m,))
    y = tensor([3.0, 4.0], requires_grad=True)
    wnp.sum(scale(y)).backward()
    eq(y.grad.numpy(), [1.0, 2.0])


def test_decorated_generator_receives_thrown_exceptions():
    @wengert.no_grad()
    def gen():
        try:
            yield 1
        except ValueError:
            yield "caught"
    g = gen()
    next(g)
    assert g.throw(ValueError()) == "caught"
    assert wengert.is_grad_enabled()


def test_np_array_of_a_tensor_is_a_copy_and_asarray_a_view():
    t = wengert.tensor(np.ones(3))
    a, b = np.asarray(t), np.array(t)
    assert np.shares_memory(a, t.data) and not np.shares_memory(b, t.data)
    x = wengert.tensor(np.linspace(-1.0, 1.0, 5), requires_grad=True)
    loss = wnp.sum(wnp.sin(x) * 2.0)
    loss.backward(retain_graph=True)
    first = np.array(x.grad)
    loss.backward()  # accumulates into x.grad, not into the earlier copy
    np.testing.assert_allclose(first, 2 * np.cos(x.data))
    np.testing.assert_allclose(np.array(x.grad), 4 * np.cos(x.data))


def test_what_a_hook_keeps_or_returns_is_never_updated_in_place():
    x = tensor(np.linspace(0.1, 1.0, 5), requires_grad=True)
    saved = []
    x.register_hook(lambda g: saved.append(g))
    wnp.sum(wnp.sin(x)).backward()
    wnp.sum(wnp.sin(x)).backward()  # accumulates into x.grad
    np.testing.assert_allclose(saved[0].data, np.cos(x.data))
    np.testing.assert_allclose(x.grad.data, 2 * np.cos(x.data))
    # a hook on a non-leaf whose gradient add passes straight on to a leaf
    b = tensor(np.zeros(5), requires_grad=True)
    kept = []
    y = x + b
    y.register_hook(lambda g: kept.append(g))
    wnp.sum(wnp.sin(y)).backward()
    wnp.sum(wnp.sin(x + b)).backward()
    np.testing.assert_allclose(kept[0].data, np.cos(x.data))
    # a hook returning a tensor the user holds
    w = tensor(np.full(5, 3.0))
    z = tensor(np.linspace(0.1, 1.0, 5), requires_grad=True)
    handle = z.register_hook(lambda g: w)
    wnp.sum(wnp.sin(z)).backward()
    handle.remove()
    wnp.sum(wnp.sin(z)).backward()
    np.testing.assert_array_equal(w.data, np.full(5, 3.0))
    np.testing.assert_allclose(z.grad.data, 3.0 + np.cos(z.data))
