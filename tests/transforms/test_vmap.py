"""vmap: axes, nesting, composition with every transform, custom rules, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert import grad, hessian, jacfwd, jacrev, jvp, value_and_grad, vjp, vmap
from wengert.numeric import jacobian as fd_jacobian

rng = np.random.default_rng(0)
W = rng.normal(size=(3, 4))


def close(a: object, b: object, tol: float = 1e-10) -> None:
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


def loop(f, *args, in_axes, out_axis=0):
    """The reference: f applied to each example, stacked along out_axis."""
    size = next(np.shape(a)[ax] for a, ax in zip(args, in_axes) if ax is not None)
    outs = [f(*[a if ax is None else np.take(a, i, axis=ax) for a, ax in zip(args, in_axes)])
            for i in range(size)]
    return np.stack(outs, axis=out_axis)


def net(x, y):
    return wnp.sum(wnp.tanh(x @ W) * y) + wnp.sum(x ** 2)


X, Y = rng.normal(size=(5, 3)), rng.normal(size=(5, 4))


# -- axes --------------------------------------------------------------------------------------
@pytest.mark.parametrize("in_axes,out_axes", [(0, 0), ((1, 0), 0), ((-1, None), -1),
                                              ([1, None], 1)])
def test_axes(in_axes, out_axes):
    f = lambda x, y: wnp.tanh(x[:, None] * y[None, :] + x.sum())
    x = X.T if (isinstance(in_axes, (tuple, list)) and in_axes[0] in (1, -1)) else X
    axes = in_axes if isinstance(in_axes, (tuple, list)) else (in_axes, in_axes)
    y = Y[0] if axes[1] is None else Y[:, :3]
    got = vmap(f, in_axes=in_axes, out_axes=out_axes)(x, y)
    close(got, loop(f, x, y, in_axes=axes, out_axis=out_axes))


def test_pytree_prefixes_and_tuple_outputs():
    f = lambda p, x: (p["w"] @ x, wnp.sum(p["b"] * x))
    p = {"w": rng.normal(size=(2, 3)), "b": rng.normal(size=(5, 3))}
    out = vmap(f, in_axes=({"w": None, "b": 0}, 0), out_axes=(1, 0))(p, X)
    for i in range(5):
        a, b = f({"w": p["w"], "b": p["b"][i]}, X[i])
        close(out[0][:, i], a)
        close(out[1][i], b)


def test_unbatched_output_is_broadcast_and_axis_size():
    out = vmap(lambda x, c: c * 2.0, in_axes=(0, None))(X, np.ones(2))
    close(out, np.full((5, 2), 2.0))
    close(vmap(lambda c: c + 1.0, in_axes=None, axis_size=3)(np.zeros(2)), np.ones((3, 2)))


def test_nested():
    f = lambda x, y: wnp.sum(wnp.sin(x) * y)
    A, B = rng.normal(size=(4, 5, 3)), rng.normal(size=(5, 3))
    got = vmap(vmap(f), in_axes=(0, None))(A, B)
    want = np.array([[f(A[i, j], B[j]) for j in range(5)] for i in range(4)])
    close(got, want)
    y = rng.normal(size=4)
    got = vmap(vmap(f, in_axes=(1, None)), in_axes=(2, None), out_axes=1)(A, y)
    want = np.array([[f(A[:, j, i], y) for i in range(3)] for j in range(5)])
    close(got, want)


# -- composition with the other transforms ----------------------------------------------------
def test_vmap_of_grad_and_grad_of_vmap():
    g = grad(net)
    close(vmap(g)(X, Y), loop(g, X, Y, in_axes=(0, 0)))
    total = lambda X, Y: wnp.sum(vmap(net)(X, Y))
    close(grad(total)(X, Y), loop(g, X, Y, in_axes=(0, 0)))
    close(grad(total, argnums=1)(X, Y), loop(grad(net, argnums=1), X, Y, in_axes=(0, 0)))
    v, gv = vmap(value_and_grad(net))(X, Y)
    close(v, loop(net, X, Y, in_axes=(0, 0)))
    close(gv, loop(g, X, Y, in_axes=(0, 0)))


def test_per_example_gradients():
    params = {"w": rng.normal(size=(3, 4)), "b": rng.normal(size=4)}
    loss = lambda p, x, y: wnp.sum((wnp.tanh(x @ p["w"] + p["b"]) - y) ** 2)
    pe = vmap(grad(loss), in_axes=(None, 0, 0))(params, X, Y)
    for i in range(5):
        gi = grad(loss)(params, X[i], Y[i])
        close(pe["w"][i], gi["w"])
        close(pe["b"][i], gi["b"])


def test_vmap_of_jvp_and_jvp_of_vmap():
    f = lambda x: wnp.sin(x @ W) * wnp.sum(x)
    T = rng.normal(size=X.shape)
    out, tan = vmap(lambda x, t: jvp(f, (x,), (t,)))(X, T)
    for i in range(5):
        o, t = jvp(f, (X[i],), (T[i],))
        close(out[i], o)
        close(tan[i], t)
    out, tan = jvp(vmap(f), (X,), (T,))
    close(tan, np.stack([jvp(f, (X[i],), (T[i],))[1] for i in range(5)]))
    # one primal, a batch of tangents (what jacfwd does)
    tans = vmap(lambda t: jvp(f, (X[0],), (t,))[1])(T)
    close(tans, np.stack([jvp(f, (X[0],), (t,))[1] for t in T]))


def test_vmap_of_vjp_pullback():
    f = lambda x: wnp.tanh(x @ W)
    _, pull = vjp(f, X[0])
    C = rng.normal(size=(6, 4))
    got = vmap(pull)(C)[0]
    close(got, np.stack([pull(c)[0] for c in C]))


def test_jacobians_and_hessians_against_loops_and_finite_differences():
    f = lambda x: wnp.tanh(W.T @ x) * wnp.sum(x ** 2)
    x = rng.normal(size=3)
    J_fd = fd_jacobian(f, x)
    close(jacfwd(f)(x), J_fd, 1e-6)
    close(jacrev(f)(x), J_fd, 1e-6)
    close(jacfwd(f)(x), jacrev(f)(x))
    # the loop versions: one jvp / vjp per basis vector
    cols = np.stack([jvp(f, (x,), (e,))[1] for e in np.eye(3)], axis=-1)
    close(jacfwd(f)(x), cols)
    _, pull = vjp(f, x)
    close(jacrev(f)(x), np.stack([pull(e)[0] for e in np.eye(4)]))
    s = lambda x: wnp.sum(wnp.tanh(W.T @ x) ** 2)
    H = hessian(s)(x)
    close(H, fd_jacobian(grad(s), x), 1e-6)
    close(H, H.T)
    # batched: vmap of hessian, hessian of a vmapped sum
    close(vmap(hessian(s))(X), np.stack([hessian(s)(xi) for xi in X]))
    close(vmap(jacrev(f))(X), np.stack([jacrev(f)(xi) for xi in X]))
    close(vmap(jacfwd(f))(X), np.stack([jacfwd(f)(xi) for xi in X]))


def test_jacobian_edge_cases_agree_with_general_path():
    # one output entry (jacrev pulls back once) and one input entry (jacfwd pushes once)
    f = lambda x: wnp.sum(wnp.sin(x), keepdims=True)
    x = rng.normal(size=3)
    close(jacrev(f)(x), jacfwd(f)(x))
    g = lambda x: wnp.sin(x) * np.arange(4.0)
    x1 = np.array([0.3])
    close(jacfwd(g)(x1), jacrev(g)(x1))
    # several inputs and outputs (pytrees), and complex holomorphic
    h = lambda a, b: {"p": a * b[0], "q": wnp.sum(a) * b}
    a, b = rng.normal(size=2), rng.normal(size=3)
    Jf, Jr = jacfwd(h, argnums=(0, 1))(a, b), jacrev(h, argnums=(0, 1))(a, b)
    for k in ("p", "q"):
        for i in range(2):
            close(Jf[k][i], Jr[k][i])
    z = rng.normal(size=3) + 1j * rng.normal(size=3)
    c = lambda z: wnp.sin(z) * z[0]
    close(jacfwd(c, holomorphic=True)(z), jacrev(c, holomorphic=True)(z))


def test_stop_gradient_under_vmap():
    f = lambda x: wnp.sum(x * wengert.stop_gradient(x))
    close(vmap(grad(f))(X), X)
    close(vmap(f)(X), np.sum(X * X, axis=1))


# -- custom rules -------------------------------------------------------------------------------
def _custom_pair():
    @wengert.custom_jvp
    def f(x, y):
        return wnp.sin(x) * y

    @f.defjvp
    def f_jvp(primals, tangents):
        (x, y), (tx, ty) = primals, tangents
        return f(x, y), wnp.cos(x) * y * tx + wnp.sin(x) * ty

    @wengert.custom_vjp
    def g(x, y):
        return wnp.sin(x) * y

    g.defvjp(lambda x, y: (g(x, y), (x, y)),
             lambda r, ct: (wnp.cos(r[0]) * r[1] * ct, wnp.sin(r[0]) * ct))
    return f, g


@pytest.mark.parametrize("which", ["custom_jvp", "custom_vjp"])
def test_custom_rules_under_vmap(which):
    fj, fv = _custom_pair()
    f = fj if which == "custom_jvp" else fv
    y = rng.normal(size=3)
    close(vmap(f, in_axes=(0, None))(X, y), np.sin(X) * y)
    s = lambda x, y: wnp.sum(f(x, y))
    close(vmap(grad(s), in_axes=(0, None))(X, y), np.cos(X) * y)
    batched_sum = lambda X, y: wnp.sum(vmap(f, in_axes=(0, None))(X, y))
    close(grad(batched_sum)(X, y), np.cos(X) * y)
    close(grad(batched_sum, argnums=1)(X, y), np.sin(X).sum(0))
    if which == "custom_jvp":
        T = rng.normal(size=X.shape)
        close(jvp(vmap(f, in_axes=(0, None)), (X, y), (T, np.zeros(3)))[1], np.cos(X) * y * T)


def test_custom_rule_is_the_one_used_under_vmap():
    calls = []

    @wengert.custom_jvp
    def f(x):
        return wnp.exp(x)

    @f.defjvp
    def f_jvp(primals, tangents):
        calls.append(1)
        return f(primals[0]), 2.0 * tangents[0]  # deliberately not exp's derivative

    close(grad(lambda X: wnp.sum(vmap(f)(X)))(X), np.full(X.shape, 2.0))
    assert calls


# -- user primitives: the loop fallback --------------------------------------------------------
def test_user_primitive_without_batching_rule_loops_and_warns_once():
    @wengert.primitive
    def cube_then_sum(x):
        return np.sum(x ** 3, keepdims=True)

    cube_then_sum.defvjp(lambda g, ans, x: g * 3 * x ** 2)
    with pytest.warns(UserWarning, match="cube_then_sum.*no batching rule"):
        out = vmap(cube_then_sum)(X)
    close(out, np.sum(X ** 3, axis=1, keepdims=True))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the second time: no warning
        close(vmap(grad(lambda x: wnp.sum(cube_then_sum(x))))(X), 3 * X ** 2)
        close(grad(lambda X: wnp.sum(vmap(cube_then_sum)(X)))(X), 3 * X ** 2)


def test_user_batching_rule_is_used():
    @wengert.primitive
    def rowsum(x):
        return np.sum(x, axis=-1)

    seen = []

    def rule(args, dims):
        seen.append(dims)
        (x,), (d,) = args, dims
        return np.sum(np.moveaxis(x, d, 0), axis=-1), 0

    rowsum.defbatch(rule)
    close(vmap(rowsum, in_axes=1)(np.ones((4, 5, 3))), np.full((5, 4), 3.0))
    assert seen == [(1,)]


def test_value_dependent_composites_run_per_example():
    from wengert.core import batching
    A = rng.normal(size=(4, 6))
    batching._warned.discard("median")  # warned once per process: maybe by another test
    with pytest.warns(UserWarning, match="median"):
        close(vmap(wnp.median)(A), np.median(A, axis=1))
    warnings.simplefilter("ignore")  # (inside pytest's per-test warning capture)
    close(grad(lambda A: wnp.sum(vmap(wnp.sort)(A) * np.arange(6.0)))(A),
          np.stack([grad(lambda a: wnp.sum(wnp.sort(a) * np.arange(6.0)))(a) for a in A]))
    with pytest.raises(NotImplementedError, match="grad"):
        vmap(grad(lambda a: wnp.median(a)))(A)


# -- errors ---------------------------------------------------------------------------------------
def test_control_flow_on_a_batched_value_is_refused():
    def f(x):
        return x if x.sum() > 0 else -x

    with pytest.raises(TypeError, match=r"vmap\(f\).*bool\(\).*wnp\.where"):
        vmap(f)(X)
    with pytest.raises(TypeError, match="int"):
        vmap(lambda x: x * int(x[0]))(X)
    with pytest.raises(TypeError, match="float"):
        vmap(lambda x: float(x[0]))(X)
    with pytest.raises(TypeError, match="bool"):  # also under grad
        vmap(grad(lambda x: wnp.sum(x) if wnp.sum(x) > 0 else 0.0))(X)


def test_shape_errors_name_the_argument():
    with pytest.raises(ValueError, match=r"argument 1 of shape \(4, 3\).*4 entries.*3"):
        vmap(lambda a, b: a + b)(np.ones((3, 3)), np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"in_axes=2.*argument 0 of shape \(5, 3\)"):
        vmap(lambda a: a, in_axes=2)(X)
    with pytest.raises(ValueError, match=r"argument 0.*shape \(\)"):
        vmap(lambda a: a)(1.0)
    with pytest.raises(ValueError, match="in_axes has 1 entries"):
        vmap(lambda a, b: a, in_axes=(0,))(X, X)
    with pytest.raises(ValueError, match="axis_size"):
        vmap(lambda a: a, in_axes=None)(X)
    with pytest.raises(ValueError, match="out_axes=3"):
        vmap(lambda a: a, out_axes=3)(X)
    with pytest.raises(ValueError, match="out_axes=None"):
        vmap(lambda a: a, out_axes=None)(X)
    with pytest.raises(ValueError, match="inconsistent"):
        vmap(lambda a: a, in_axes=0, axis_size=4)(X)


def test_trace_of_vmapped_function_shows_batched_shapes():
    t = wengert.trace(vmap(lambda x: wnp.tanh(x @ W)), X)
    shapes = [e.out.shape for e in t.eqns]
    assert shapes == [(5, 4), (5, 4)]
    assert [e.prim.name for e in t.eqns] == ["matmul", "tanh"]


def test_batched_indices_gather_per_example():
    T = rng.normal(size=(4, 3))
    idx = np.array([2, 0, 2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        close(vmap(lambda i: wnp.take(T, i, axis=0))(idx), T[idx])
        j = np.array([0, 1, 2, 1, 0])
        close(vmap(lambda x, i: x[i])(X, j), X[np.arange(5), j])
        g = grad(lambda T: wnp.sum(vmap(lambda i: wnp.take(T, i, axis=0))(idx)))(T)
    close(g, np.array([[1.0] * 3, [0.0] * 3, [2.0] * 3, [0.0] * 3]))
    # constant indices need no loop, also under vmap(grad)
    close(vmap(grad(lambda x: wnp.sum(wnp.take(x, [0, 2]) ** 2)))(X),
          np.stack([grad(lambda x: wnp.sum(wnp.take(x, [0, 2]) ** 2))(x) for x in X]))
    with pytest.raises(ValueError, match="boolean mask"):
        vmap(lambda x: x[x > 0])(X)


@pytest.mark.parametrize("fn", [wnp.std, wnp.prod, wnp.linalg.norm, wnp.max,
                                lambda x: wnp.sum(wnp.cumprod(x)),
                                lambda x: wnp.sum(wnp.maximum(x, 0.0))],
                         ids=["std", "prod", "norm", "max", "cumprod", "maximum"])
def test_per_example_gradients_at_zeros_and_ties(fn):
    A = rng.normal(size=(4, 3))
    A[1] = 0.0      # zeros: std, prod, norm and cumprod take their exact branches
    A[2, :2] = 1.5  # a tie for max
    close(vmap(grad(fn))(A), np.stack([grad(fn)(a) for a in A]))


def test_keyword_arguments_are_mapped_over_their_first_axis():
    f = lambda x, *, scale: x * scale
    close(vmap(f)(X, scale=np.arange(5.0)[:, None]), X * np.arange(5.0)[:, None])
    with pytest.raises(ValueError, match="keyword argument 'scale'"):
        vmap(f)(X, scale=2.0)


def test_checkpoint_composes_with_vmap():
    from wengert.transforms.autograd_api import checkpoint
    f = checkpoint(lambda x: wnp.sin(x) * 2.0)
    close(vmap(grad(lambda x: wnp.sum(f(x))))(X), 2.0 * np.cos(X))
    close(grad(lambda X: wnp.sum(vmap(f)(X)))(X), 2.0 * np.cos(X))


def test_jacobians_of_vmapped_functions():
    f = lambda x: wnp.tanh(x @ W)              # one example: R^3 -> R^4
    Xs = X[:3]
    for jac in (jacfwd, jacrev):
        J = jac(vmap(f))(Xs)                    # (3, 4, 3, 3): block diagonal in examples
        for i in range(3):
            for k in range(3):
                close(J[i, :, k, :], jacrev(f)(Xs[i]) if i == k else np.zeros((4, 3)))
    s = lambda Xs: wnp.sum(vmap(lambda x: wnp.sum(wnp.tanh(x @ W) ** 2))(Xs))
    H = hessian(s)(Xs)
    one = hessian(lambda x: wnp.sum(wnp.tanh(x @ W) ** 2))
    close(H[1, :, 1, :], one(Xs[1]))
    close(H[0, :, 2, :], np.zeros((3, 3)))
    close(H.reshape(9, 9), fd_jacobian(grad(s), Xs).reshape(9, 9), 1e-6)


def test_indexing_a_numpy_array_with_a_batched_index_says_what_to_do():
    T = rng.normal(size=(4, 3))
    with pytest.raises(TypeError, match=r"wnp\.take\(T, i, axis=0\)"):
        vmap(lambda i: T[i])(np.array([0, 1]))


def test_sorting_is_batched_also_under_grad():
    A = rng.normal(size=(4, 6))
    w = np.arange(6.0)
    f = lambda a: wnp.sum(wnp.sort(a) * w)
    close(vmap(wnp.sort, in_axes=1, out_axes=1)(A), np.sort(A, axis=0))
    close(vmap(grad(f))(A), np.stack([grad(f)(a) for a in A]))
    close(vmap(lambda a: wnp.partition(a, 2)[2])(A), np.partition(A, 2, axis=1)[:, 2])
    # indices that differ per example, through take_along_axis, in both modes
    idx = np.argsort(A, axis=1)
    g = lambda a, i: wnp.sum(wnp.take_along_axis(a, i, axis=0) * w)
    close(vmap(grad(g))(A, idx), np.stack([grad(g)(a, i) for a, i in zip(A, idx)]))
    T = rng.normal(size=A.shape)
    tan = jvp(lambda A: vmap(g)(A, idx), (A,), (T,))[1]
    close(tan, np.stack([jvp(lambda a: g(a, i), (a,), (t,))[1] for a, i, t in zip(A, idx, T)]))
