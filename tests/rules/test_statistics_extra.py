"""Compositions whose derivatives are checked by hand rather than finite differences."""

import numpy as np

import wengert
import wengert.numpy as wnp


def test_nan_to_num_passes_derivative_through_finite_entries_only() -> None:
    x = np.array([1.0, np.inf, -np.inf, np.nan, 2.0])
    g = wengert.grad(lambda v: wnp.sum(wnp.nan_to_num(v) * 3.0))(x)
    np.testing.assert_array_equal(g, [3.0, 0.0, 0.0, 0.0, 3.0])
    np.testing.assert_array_equal(wnp.nan_to_num(x), np.nan_to_num(x))


def test_median_of_even_length_splits_the_derivative() -> None:
    g = wengert.grad(wnp.median)(np.array([4.0, 1.0, 3.0, 2.0]))
    np.testing.assert_array_equal(g, [0.0, 0.0, 0.5, 0.5])


def test_real_if_close_drops_a_negligible_imaginary_part() -> None:
    out = wengert.jvp(wnp.real_if_close, (np.array([1.0 + 1e-20j]),), (np.array([1.0 + 0j]),))
    assert np.isrealobj(out[0]) and np.isrealobj(out[1])
