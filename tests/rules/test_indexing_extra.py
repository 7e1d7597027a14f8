"""Indexing family: in-place refusal, ``at`` gradients by hand, values against NumPy."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert.numeric import check_grads

RNG = np.random.default_rng(7)
X5 = np.array([0.3, -1.2, 2.0, 0.7, -0.4])


def traced_value(f, *args):
    """``f``'s value computed on traced inputs (the path derivatives go through)."""
    return wengert.jvp(f, tuple(args), tuple(np.zeros_like(a) for a in args))[0]


# -- in-place assignment ----------------------------------------------------------------
@pytest.mark.parametrize("transform", ["grad", "jvp"])
def test_setitem_on_traced_value_points_to_at(transform: str) -> None:
    def f(x):
        x[1] = 0.0
        return wnp.sum(x)

    with pytest.raises(TypeError, match=r"at\("):
        if transform == "grad":
            wengert.grad(f)(X5.copy())
        else:
            wengert.jvp(f, (X5.copy(),), (np.ones(5),))


def test_at_leaves_its_input_alone() -> None:
    x = X5.copy()
    y = wnp.at(x)[1].set(9.0)
    np.testing.assert_array_equal(x, X5)
    assert y[1] == 9.0


# -- at: gradients against hand-computed ones -----------------------------------------------
W = np.array([1.0, 2.0, 3.0, 4.0, 5.0])  # weights, so every entry's gradient is distinct
IDX = np.array([3, 0, 3])  # index 3 named twice


def loss(op):
    return lambda x, v: wnp.sum(W * getattr(wnp.at(x)[IDX], op)(v))


def test_at_set_gradients() -> None:
    v = np.array([10.0, 20.0, 30.0])
    gx, gv = wengert.grad(loss("set"), argnums=(0, 1))(X5, v)
    np.testing.assert_allclose(gx, [0.0, 2.0, 3.0, 0.0, 5.0])  # overwritten entries: none
    np.testing.assert_allclose(gv, [0.0, 1.0, 4.0])  # the first write to 3 is overwritten
    np.testing.assert_allclose(wnp.at(X5)[IDX].set(v), [20.0, -1.2, 2.0, 30.0, -0.4])
    np.testing.assert_allclose(traced_value(lambda x: wnp.at(x)[IDX].set(v), X5),
                               [20.0, -1.2, 2.0, 30.0, -0.4])


def test_at_add_gradients_accumulate_repeated_indices() -> None:
    v = np.array([10.0, 20.0, 30.0])
    gx, gv = wengert.grad(loss("add"), argnums=(0, 1))(X5, v)
    np.testing.assert_allclose(gx, W)
    np.testing.assert_allclose(gv, [4.0, 1.0, 4.0])
    expected = X5 + np.array([20.0, 0, 0, 40.0, 0])
    np.testing.assert_allclose(traced_value(lambda x: wnp.at(x)[IDX].add(v), X5), expected)
    np.testing.assert_allclose(wnp.at(X5)[IDX].add(v), expected)


def test_at_multiply_gradients() -> None:
    v = np.array([2.0, 3.0, 5.0])
    gx, gv = wengert.grad(loss("multiply"), argnums=(0, 1))(X5, v)
    # out[3] = x[3]·v0·v2, out[0] = x[0]·v1
    np.testing.assert_allclose(gx, [3.0, 2.0, 3.0, 4.0 * 10.0, 5.0])
    np.testing.assert_allclose(gv, [4.0 * X5[3] * 5.0, 1.0 * X5[0], 4.0 * X5[3] * 2.0])
    _, tangent = wengert.jvp(lambda v: wnp.at(X5)[IDX].multiply(v), (v,), (np.ones(3),))
    np.testing.assert_allclose(tangent, [X5[0], 0, 0, X5[3] * (5.0 + 2.0), 0])


def test_at_max_gradients_follow_the_winner() -> None:
    x = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    v = np.array([5.0, -1.0, 2.0])  # at 3: max(3, 5, 2) = 5 (v0); at 0: max(0, -1) = 0 (x)
    gx, gv = wengert.grad(loss("max"), argnums=(0, 1))(x, v)
    np.testing.assert_allclose(gx, [1.0, 2.0, 3.0, 0.0, 5.0])
    np.testing.assert_allclose(gv, [4.0, 0.0, 0.0])
    np.testing.assert_allclose(wnp.at(x)[IDX].min(v), [-1.0, 1.0, 2.0, 2.0, 4.0])


def test_at_set_repeated_list_inside_tuple_index() -> None:
    x, v = np.zeros((2, 3)), np.array([[1.0, 2.0, 3.0]])
    expected = x.copy()
    expected[:, [0, 2, 0]] = v
    f = lambda x, v: wnp.at(x)[:, [0, 2, 0]].set(v)  # noqa: E731
    np.testing.assert_array_equal(traced_value(f, x, v), expected)
    gv = wengert.grad(lambda v: wnp.sum(f(x, v)))(v)
    np.testing.assert_array_equal(gv, [[0.0, 2.0, 2.0]])  # the first write to column 0 is lost


def test_at_second_order() -> None:
    # f(x) = sum(at(x)[0].set(x[1]**2)) = x1² + x1 + x2: Hessian has one entry, d²/dx1² = 2.
    def f(x):
        return wnp.sum(wnp.at(x)[0].set(x[1] ** 2))
    np.testing.assert_allclose(wengert.hessian(f)(np.array([1.0, 2.0, 3.0])),
                               [[0, 0, 0], [0, 2.0, 0], [0, 0, 0]])


def test_at_with_2d_index_and_broadcast_values() -> None:
    x = RNG.standard_normal((3, 4))
    f = lambda x, v: wnp.at(x)[:, [0, 2, 0]].add(v)  # noqa: E731
    v = RNG.standard_normal((3, 1))
    expected = x.copy()
    np.add.at(expected, (slice(None), [0, 2, 0]), v)
    np.testing.assert_allclose(traced_value(f, x, v), expected)
    check_grads(f, [x, v], order=2)


# -- values of the traced path match NumPy ------------------------------------------------------
A34 = RNG.standard_normal((3, 4))
VALUES = [
    ("sort", lambda a: wnp.sort(a, axis=0), lambda a: np.sort(a, axis=0)),
    ("partition", lambda a: wnp.partition(a, 1), lambda a: np.partition(a, 1)),
    ("take", lambda a: wnp.take(a, [[0, 5], [11, 2]]), lambda a: np.take(a, [[0, 5], [11, 2]])),
    ("tile", lambda a: wnp.tile(a, (2, 1, 2)), lambda a: np.tile(a, (2, 1, 2))),
    ("repeat", lambda a: wnp.repeat(a, [1, 0, 2, 1], axis=-1),
     lambda a: np.repeat(a, [1, 0, 2, 1], axis=-1)),
    ("pad", lambda a: wnp.pad(a, ((0, 2), (3, 1)), "reflect"),
     lambda a: np.pad(a, ((0, 2), (3, 1)), "reflect")),
    # NumPy takes a dict pad_width only from 2.3 on: compare with the same pads as pairs.
    ("pad-dict", lambda a: wnp.pad(a, {-1: (1, 2)}, constant_values=3.0),
     lambda a: np.pad(a, ((0, 0), (1, 2)), constant_values=3.0)),
    ("roll", lambda a: wnp.roll(a, -7), lambda a: np.roll(a, -7)),
    ("diff", lambda a: wnp.diff(a, 3), lambda a: np.diff(a, 3)),
    ("insert", lambda a: wnp.insert(a, 1, 5.0, axis=0), lambda a: np.insert(a, 1, 5.0, axis=0)),
    ("delete", lambda a: wnp.delete(a, slice(0, 3, 2), axis=1),
     lambda a: np.delete(a, slice(0, 3, 2), axis=1)),
    ("trapezoid", lambda a: wnp.trapezoid(a, dx=0.3, axis=0),
     lambda a: np.trapezoid(a, dx=0.3, axis=0)),
    ("nanvar", lambda a: wnp.nanvar(wnp.where(a > 1, np.nan, a), axis=1, ddof=1),
     lambda a: np.nanvar(np.where(a > 1, np.nan, a), axis=1, ddof=1)),
    ("interp", lambda a: wnp.interp(a, [-1.0, 0.0, 0.5], [2.0, -1.0, 4.0]),
     lambda a: np.interp(a, [-1.0, 0.0, 0.5], [2.0, -1.0, 4.0])),
    ("interp-1pt", lambda a: wnp.interp(a, [0.0], [2.0]), lambda a: np.interp(a, [0.0], [2.0])),
    ("convolve", lambda a: wnp.convolve(a[0], a[1], "same"),
     lambda a: np.convolve(a[0], a[1], "same")),
    ("correlate", lambda a: wnp.correlate(a[0, :2], a[1], "same"),
     lambda a: np.correlate(a[0, :2], a[1], "same")),
]


@pytest.mark.parametrize("name,f,ref", VALUES, ids=[v[0] for v in VALUES])
def test_traced_values_match_numpy(name: str, f, ref) -> None:
    np.testing.assert_allclose(traced_value(f, A34), ref(A34), rtol=1e-14, atol=1e-14)
    np.testing.assert_array_equal(f(A34), ref(A34))


def test_split_family_returns_lists_of_numpys_pieces() -> None:
    a = RNG.standard_normal((4, 6, 2))
    for w, n, args in [(wnp.array_split, np.array_split, (4, -2)), (wnp.split, np.split, (3, 1)),
                       (wnp.hsplit, np.hsplit, ([1, 4],)), (wnp.vsplit, np.vsplit, (2,)),
                       (wnp.dsplit, np.dsplit, (2,))]:
        got, expected = w(a, *args), n(a, *args)
        assert isinstance(got, list) and len(got) == len(expected)
        for g, e in zip(got, expected):
            np.testing.assert_array_equal(g, e)
    with pytest.raises(ValueError, match="equal division"):
        wnp.split(a, 4, axis=1)


def test_plain_at_matches_numpy_in_place_updates() -> None:
    x = RNG.standard_normal((3, 4))
    idx = (np.array([0, 2, 0]), slice(1, 3))
    v = RNG.standard_normal((3, 2))
    for method, ufunc in [("add", np.add), ("multiply", np.multiply), ("min", np.minimum),
                          ("max", np.maximum), ("divide", np.divide)]:
        expected = x.copy()
        ufunc.at(expected, idx, v)
        np.testing.assert_array_equal(getattr(wnp.at(x)[idx], method)(v), expected)
        np.testing.assert_allclose(traced_value(lambda x, v, m=method: getattr(
            wnp.at(x)[idx], m)(v), x, v), expected, rtol=1e-14)


def test_meshgrid_matches_numpy_and_differentiates() -> None:
    x, y = np.arange(3.0), np.arange(2.0) + 5
    for kw in [{}, {"indexing": "ij"}, {"sparse": True}]:
        for g, e in zip(traced_value(lambda x, y: wnp.meshgrid(x, y, **kw), x, y),
                        np.meshgrid(x, y, **kw)):
            np.testing.assert_array_equal(g, e)
    gx = wengert.grad(lambda x: wnp.sum(wnp.meshgrid(x, y)[0] ** 2))(x)
    np.testing.assert_allclose(gx, 2 * x * len(y))


# -- hand-computed derivatives of the other functions ---------------------------------------------
def test_sort_gradient_is_the_inverse_permutation() -> None:
    w = np.arange(1.0, 6.0)
    g = wengert.grad(lambda x: wnp.sum(w * wnp.sort(x)))(X5)
    np.testing.assert_allclose(g, w[np.argsort(np.argsort(X5))])


def test_interp_derivatives() -> None:
    xp, fp = np.array([0.0, 1.0, 3.0]), np.array([1.0, 3.0, 2.0])
    x = np.array([-1.0, 0.5, 1.0, 2.0, 3.0, 4.0])
    dx = wengert.elementwise_grad(lambda x: wnp.interp(x, xp, fp))(x)
    # Outside: 0; at a sample point the slope to its right; at the last point, the last slope.
    np.testing.assert_allclose(dx, [0.0, 2.0, -0.5, -0.5, -0.5, 0.0])
    dfp = wengert.jacobian(lambda fp: wnp.interp(x, xp, fp))(fp)
    np.testing.assert_allclose(dfp, np.eye(3)[[0, 0, 1, 1, 2, 2]] * [[1], [.5], [1], [.5], [1],
                                                                       [1]]
                               + np.eye(3)[[0, 1, 1, 2, 2, 2]] * [[0], [.5], [0], [.5], [0],
                                                                   [0]])


def test_nan_reductions_ignore_nans_in_value_and_gradient() -> None:
    x = np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, np.nan]])
    with pytest.warns(RuntimeWarning, match="All-NaN"):
        np.testing.assert_array_equal(wnp.nanmax(x, axis=1), [3.0, np.nan])
    g = wengert.grad(lambda x: wnp.nansum(x) ** 2)(x)
    np.testing.assert_array_equal(g, [[8.0, 0.0, 8.0], [0.0, 0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        g = wengert.grad(lambda x: wnp.nanmean(x, axis=1)[0])(x)
        np.testing.assert_array_equal(wnp.nanmean(x, axis=1), np.nanmean(x, axis=1))
    np.testing.assert_array_equal(g, [[0.5, 0.0, 0.5], [0.0, 0.0, 0.0]])


def test_convolution_gradient_by_hand() -> None:
    a, v = np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0])
    # full convolution: [a0 v0, a0 v1 + a1 v0, a1 v1 + a2 v0, a2 v1]; d(sum)/da_i = sum(v)
    ga, gv = wengert.grad(lambda a, v: wnp.sum(wnp.convolve(a, v)), argnums=(0, 1))(a, v)
    np.testing.assert_allclose(ga, [-0.5] * 3)
    np.testing.assert_allclose(gv, [6.0, 6.0])


# -- errors ---------------------------------------------------------------------------------
def test_errors_name_the_problem() -> None:
    with pytest.raises(NotImplementedError, match="mode"):
        wnp.pad(X5, 1, mode="linear_ramp")
    with pytest.raises(ValueError, match="same length"):
        wnp.select([X5 > 0], [X5, X5])
    with pytest.raises(ValueError, match="mode"):
        wnp.convolve(X5, X5, "middle")
    with pytest.raises(ValueError, match="empty"):
        wnp.interp(X5, [], [])
    with pytest.raises(TypeError, match="out="):
        wnp.take(X5, [0], out=np.empty(1))
