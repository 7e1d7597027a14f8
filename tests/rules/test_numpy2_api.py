"""NumPy 2 / array-API names, nan-aware order statistics, index orders, spaced sequences
and polynomials: values on traced input equal NumPy's, derivatives as JAX's."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert.numeric import check_grads


def traced(f: Any, *args: Any) -> Any:
    """f's value computed on traced arguments (the path that carries derivatives)."""
    return wengert.jvp(f, args, tuple(np.ones_like(np.asarray(a)) for a in args))[0]


def assert_same(got: Any, expected: Any) -> None:
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-15)


ALIASES = [("acos", "arccos"), ("asin", "arcsin"), ("atan", "arctan"), ("atan2", "arctan2"),
           ("acosh", "arccosh"), ("asinh", "arcsinh"), ("atanh", "arctanh"), ("pow", "power"),
           ("concat", "concatenate"), ("permute_dims", "transpose"),
           ("bitwise_invert", "invert"), ("bitwise_not", "invert"),
           ("bitwise_left_shift", "left_shift"), ("bitwise_right_shift", "right_shift")]


@pytest.mark.parametrize("alias,name", ALIASES)
def test_array_api_names_are_the_same_functions(alias: str, name: str) -> None:
    assert wnp.__dict__[alias] is wnp.__dict__[name]


def test_linalg_and_top_level_share_vecdot_and_matrix_transpose() -> None:
    assert wnp.vecdot is wnp.linalg.vecdot
    assert wnp.matrix_transpose is wnp.linalg.matrix_transpose
    with pytest.raises(ValueError, match="at least 2-dimensional"):
        wnp.matrix_transpose(np.ones(3))


def test_numpy_calls_of_the_new_names_route_to_wengert() -> None:
    rng = np.random.default_rng(0)
    x, a = rng.uniform(0.1, 0.9, 3), rng.normal(size=(2, 3))
    checks = [
        (lambda x: np.sum(np.acos(x) + np.atan2(x, 2.0) + np.pow(x, 3.0)),
         -1 / np.sqrt(1 - x * x) + 2 / (4 + x * x) + 3 * x * x),
        (lambda x: np.vecdot(x, x), 2 * x),
        (lambda x: np.sum(np.matvec(a, x)), a.sum(0)),
        (lambda x: np.sum(np.cumulative_sum(x, include_initial=True)), [3.0, 2.0, 1.0]),
        (lambda x: np.polyval(x, 2.0), [4.0, 2.0, 1.0]),
        (lambda x: np.sum(np.linspace(x, 1.0, 5)), np.full(3, 2.5)),  # Σ 1 - k/4
        (lambda x: np.nanmedian(x), (x == np.median(x)).astype(float)),
    ]
    for f, expected in checks:
        np.testing.assert_allclose(wengert.grad(f)(x), expected, rtol=1e-12)


# -- cumulative_sum / cumulative_prod ---------------------------------------------------------
@pytest.mark.parametrize("name", ["cumulative_sum", "cumulative_prod"])
def test_cumulative_functions_follow_numpy_2_1(name: str) -> None:
    wfn, nfn = getattr(wnp, name), getattr(np, name)
    x = np.random.default_rng(1).uniform(0.5, 2.0, (2, 3))
    for kw in [dict(axis=1), dict(axis=0, include_initial=True),
               dict(axis=-1, include_initial=True, dtype=np.float32)]:
        assert_same(traced(lambda x: wfn(x, **kw), x), nfn(x, **kw))
        assert_same(wfn(x, **kw), nfn(x, **kw))
    assert_same(traced(wfn, 3.0), nfn(3.0))  # 0-d input: one entry
    assert_same(traced(lambda x: wfn(x, include_initial=True), x[0]),
                nfn(x[0], include_initial=True))
    with pytest.raises(ValueError, match="axis"):
        traced(wfn, x)
    check_grads(lambda x: wfn(x, axis=0, include_initial=True), (x,), order=2)


# -- reshape / ravel orders -------------------------------------------------------------------
def test_reshape_and_ravel_in_fortran_order() -> None:
    x = np.arange(24.0).reshape(2, 3, 4)
    for v in (x, x.T, np.asfortranarray(x), x[:, ::-1]):
        for order in "CFA":
            for shape in [(4, 6), (-1,), (2, 2, 6)]:
                expected = np.reshape(v, shape, order=order)
                assert_same(wnp.reshape(v, shape, order=order), expected)
                assert_same(traced(lambda v: wnp.reshape(v, shape, order=order), v), expected)
            assert_same(traced(lambda v: wnp.ravel(v, order), v), np.ravel(v, order))
        assert_same(wnp.ravel(v, "K"), np.ravel(v, "K"))  # plain arrays: NumPy's memory order
    g = wengert.grad(lambda v: wnp.sum(v.reshape((4, 6), order="F")[0] * np.arange(6.0)))(x)
    expected = np.zeros(24)
    expected[np.arange(6) * 4] = np.arange(6.0)
    assert_same(g, expected.reshape(2, 3, 4, order="F"))
    with pytest.raises(NotImplementedError, match="order='K'"):
        traced(lambda v: wnp.ravel(v, "K"), x)
    with pytest.raises(ValueError, match="order"):
        wnp.reshape(x, (4, 6), order="K")


# -- nan-aware reductions -------------------------------------------------------------------
NAN_FUNCS = [
    ("nansum", {}), ("nanmean", {}), ("nanprod", {}), ("nanmax", {}), ("nanmin", {}),
    ("nanvar", {"ddof": 1}), ("nanstd", {}), ("nanmedian", {}), ("nancumsum", {}),
    ("nancumprod", {}), ("nanquantile", {"q": [0.25, 0.6]}),
    ("nanpercentile", {"q": 40.0, "method": "nearest"}),
]


@pytest.mark.parametrize("name,kw", NAN_FUNCS, ids=[n for n, _ in NAN_FUNCS])
def test_nan_functions_give_nan_entries_derivative_zero(name: str, kw: dict) -> None:
    rng = np.random.default_rng(2)
    x = rng.permutation(np.linspace(-2.0, 2.0, 12)).reshape(3, 4) + rng.uniform(0, 0.01, (3, 4))
    x[0, 1] = x[2, 0] = x[2, 3] = np.nan
    nan = np.isnan(x)
    wfn, nfn = getattr(wnp, name), getattr(np, name)
    f = (lambda x: wfn(x, axis=1, **kw))
    np.testing.assert_allclose(traced(f, x), nfn(x, axis=1, **kw), rtol=1e-13)
    u = rng.normal(size=np.shape(f(x)))
    (g,) = wengert.vjp(f, x)[1](u)
    assert np.all(g[nan] == 0) and np.all(np.isfinite(g))
    t = wengert.jvp(f, (x,), (np.where(nan, 1.0, 0.0),))[1]
    np.testing.assert_array_equal(t, 0.0)
    # (The specs check the derivatives at the other entries against finite differences.)


def test_nan_quantiles_of_all_nan_lanes_are_nan_with_a_warning() -> None:
    x = np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, np.nan]])
    for f in (lambda x: wnp.nanmedian(x, axis=1), lambda x: wnp.nanquantile(x, [0.1], axis=1)):
        with pytest.warns(RuntimeWarning, match="All-NaN slice"):
            out, back = wengert.vjp(f, x)
            (g,) = back(np.ones(np.shape(out)))
        assert not np.isnan(out[..., 0]).any() and np.isnan(out[..., 1]).all()
        np.testing.assert_allclose(g, [[0.5, 0.0, 0.5] if out.ndim == 1 else [0.9, 0.0, 0.1],
                                       [0.0, 0.0, 0.0]], rtol=1e-15)


def test_nan_quantile_methods_agree_with_numpy() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3, 4, 5))
    x[0, 1, 2], x[2, 3, :4] = np.nan, np.nan
    for method in ("linear", "lower", "higher", "midpoint", "nearest"):
        for axis, q in [(None, [0.0, 0.3, 1.0]), (-1, 0.45), ((0, 2), [0.2, 0.8]), (1, [[0.1]])]:
            kw = dict(axis=axis, method=method)
            assert_same(traced(lambda x: wnp.nanquantile(x, q, **kw), x),
                        np.nanquantile(x, q, **kw))
            assert_same(traced(lambda x: wnp.nanpercentile(x, np.multiply(q, 100), **kw,
                                                           keepdims=True), x),
                        np.nanpercentile(x, np.multiply(q, 100), **kw, keepdims=True))


def test_quantile_of_a_lane_with_nan_is_nan_as_in_numpy() -> None:
    x = np.array([[1.0, np.nan, 3.0], [4.0, 2.0, 0.5]])
    assert_same(traced(lambda x: wnp.quantile(x, [0.2, 0.5], axis=1), x),
                np.quantile(x, [0.2, 0.5], axis=1))
    g = wengert.grad(lambda x: wnp.sum(wnp.median(x, axis=1)))(x)
    np.testing.assert_array_equal(g, [[0.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


def test_nanstd_of_a_constant_lane_has_derivative_zero() -> None:
    x = np.array([[2.0, np.nan, 2.0], [1.0, 3.0, np.nan]])
    g = wengert.grad(lambda x: wnp.sum(wnp.nanstd(x, axis=1)))(x)
    np.testing.assert_allclose(g, [[0.0, 0.0, 0.0], [-0.5, 0.5, 0.0]])


# -- linspace / logspace / geomspace -------------------------------------------------------------
SPACE_KW = [dict(num=5), dict(num=5, endpoint=False), dict(num=1), dict(num=0),
            dict(num=4, axis=1), dict(num=4, axis=-1), dict(num=6, dtype=int)]


@pytest.mark.parametrize("kw", SPACE_KW, ids=[str(kw) for kw in SPACE_KW])
def test_spaced_sequences_of_traced_arrays_equal_numpys(kw: dict) -> None:
    rng = np.random.default_rng(4)
    a, b = rng.uniform(0.5, 2.0, (2, 3)), rng.uniform(0.5, 2.0, 3)
    for name, args in [("linspace", (a, b)), ("logspace", (a, b)), ("geomspace", (a, b)),
                       ("geomspace", (-a, -b))]:
        wfn, nfn = getattr(wnp, name), getattr(np, name)
        np.testing.assert_array_equal(traced(lambda s, e: wfn(s, e, **kw), *args),
                                      nfn(*args, **kw))


def test_linspace_retstep_and_traced_base_of_logspace() -> None:
    a, b, base = np.array([0.5, 1.0]), np.array([2.0, -1.0]), np.array([[2.0], [3.0], [10.0]])
    y, step = traced(lambda a, b: wnp.linspace(a, b, 4, retstep=True), a, b)
    y0, step0 = np.linspace(a, b, 4, retstep=True)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(step, step0)
    np.testing.assert_array_equal(traced(lambda x: wnp.logspace(a, b, 3, base=x), base),
                                  np.logspace(a, b, 3, base=base))
    check_grads(lambda a, b: wnp.linspace(a, b, 4, retstep=True), (a, b), order=2)
    with pytest.raises(ValueError, match="zero"):
        traced(lambda a: wnp.geomspace(a, 0.0, 3), 1.0)


def test_complex_geomspace() -> None:
    start, stop = np.array([1.0 + 1.0j, -2.0 + 0.5j]), np.array([3.0 - 1.0j, 1.0j])
    np.testing.assert_allclose(traced(lambda s, e: wnp.geomspace(s, e, 5), start, stop),
                               np.geomspace(start, stop, 5), rtol=1e-14)
    check_grads(lambda s, e: wnp.geomspace(s, e, 5), (start, stop), order=1)


# -- polynomials -------------------------------------------------------------------------
def test_polynomial_functions_on_traced_input_equal_numpys() -> None:
    rng = np.random.default_rng(5)
    p, q, x = rng.normal(size=4), rng.normal(size=2), rng.normal(size=(2, 3))
    assert_same(traced(wnp.polyval, p, x), np.polyval(p, x))
    assert_same(traced(lambda p: wnp.polyval(p, 2), p), np.polyval(p, 2))
    for name in ("polyadd", "polysub", "polymul"):
        for a, b in [(p, q), (q, p), (p, p)]:
            assert_same(traced(getattr(wnp, name), a, b), getattr(np, name)(a, b))
    for m in range(5):
        assert_same(traced(lambda p: wnp.polyder(p, m), p), np.polyder(p, m))
        assert_same(traced(lambda p: wnp.polyint(p, m), p), np.polyint(p, m))
        assert_same(traced(lambda k: wnp.polyint(p, m, k), q[:1]), np.polyint(p, m, q[:1]))
    assert_same(traced(lambda k: wnp.polyint(p, 2, k), q), np.polyint(p, 2, q))


def test_polynomial_functions_on_plain_input_are_numpys() -> None:
    p = np.poly1d([1.0, -2.0, 3.0])
    assert isinstance(wnp.polyadd(p, [1.0]), np.poly1d)
    assert isinstance(wnp.polyder(p), np.poly1d)
    assert_same(wnp.polyval([3, 0, 1], 5), np.polyval([3, 0, 1], 5))
    assert_same(wnp.roots([1.0, -3.0, 2.0]), np.roots([1.0, -3.0, 2.0]))


def test_polyval_derivatives_are_the_polynomial_calculus() -> None:
    p, x = np.array([0.5, -1.0, 2.0, 3.0]), np.array([-1.0, 0.0, 0.7])
    dx = wengert.grad(lambda x: wnp.sum(wnp.polyval(p, x)))(x)
    np.testing.assert_allclose(dx, np.polyval(np.polyder(p), x), rtol=1e-13)
    dp = wengert.grad(lambda p: wnp.polyval(p, 0.7))(p)
    np.testing.assert_allclose(dp, 0.7 ** np.arange(3, -1, -1), rtol=1e-13)
    # d/dp of the integral over [0, 1] is ∫ x^k, and the derivative of the integral is p
    dint = wengert.grad(lambda p: wnp.polyval(wnp.polyint(p), 1.0))(p)
    np.testing.assert_allclose(dint, 1.0 / np.arange(4, 0, -1), rtol=1e-13)
    assert_same(traced(lambda p: wnp.polyder(wnp.polyint(p)), p), p)


def test_roots_strip_zeros_and_follow_their_coefficients() -> None:
    for coeffs in ([0.0, 1.0, -3.0, 2.0, 0.0, 0.0], [0.0, 3.0, 0.0], [0.0, 0.0], [2.0],
                   [1.0, 0.3, 2.0, 0.5]):
        c = np.array(coeffs)
        np.testing.assert_allclose(traced(wnp.roots, c), np.roots(c), rtol=1e-12)
    # a simple root r of p moves by -(∂p/∂c)/p'(r) when a coefficient c moves
    p = np.array([1.0, -3.0, 2.0])  # roots 2 and 1
    jac = wengert.jacobian(lambda p: wnp.real(wnp.roots(p)))(p)
    for i, r in enumerate(np.roots(p).real):
        expected = -r ** np.arange(2, -1, -1) / np.polyval(np.polyder(p), r)
        np.testing.assert_allclose(jac[i], expected, rtol=1e-10)


def test_spaced_and_nan_functions_keep_plain_results_plain() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert type(wnp.linspace(np.zeros(2), 1.0, 3, axis=1)) is np.ndarray
        assert type(wnp.geomspace(1.0, 8.0, 4)) is np.ndarray
        assert_same(wnp.nanmedian(np.array([1.0, np.nan, 3.0])), np.float64(2.0))
