import sys

import numpy as np
import pytest

from wengert.data import load_digits


def test_digits_shapes_and_scaling():
    pytest.importorskip("sklearn")
    d = load_digits(test_fraction=0.2, seed=0)
    assert d.x_train.shape[1] == 64 and len(d.x_train) + len(d.x_test) == 1797
    assert len(d.x_test) == round(1797 * 0.2)
    assert d.x_train.min() == 0.0 and d.x_train.max() == 1.0
    assert set(np.unique(d.y_train)) == set(range(10))
    again = load_digits(test_fraction=0.2, seed=0)
    np.testing.assert_array_equal(d.y_test, again.y_test)


def test_missing_sklearn_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"pip install 'wengert\[data\]'"):
        load_digits()
