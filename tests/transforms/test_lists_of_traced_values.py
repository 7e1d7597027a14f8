"""NumPy reads a list (or tuple) of numbers as an array; so must wengert when the list
holds traced values (autograd's tests rely on it: ``np.mean([x, x + 2])``)."""

from __future__ import annotations

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert.numeric import check_grads

CASES = [
    ("mean", lambda x: wnp.mean([x, x + 2.0]), 1.0),
    ("std", lambda x: wnp.std([x, 2.0 * x, 3.0]), 1.3),
    ("sin of a list", lambda x: wnp.sum(wnp.sin([x, 2.0 * x])), 0.4),
    ("nested concatenate", lambda x: wnp.sum(wnp.concatenate([[x, 2.0 * x], [3.0 * x]])), 1.0),
    ("norm", lambda x: wnp.linalg.norm([x, 2.0 * x]), 0.7),
    ("append", lambda x: wnp.sum(wnp.append([x, 1.0], [2.0 * x])), 1.0),
    ("dot with a constant list", lambda x: wnp.dot([x, 2.0 * x], [1.0, 3.0]), 1.0),
    ("maximum", lambda x: wnp.sum(wnp.maximum([x, -x], 0.0)), 0.9),
    # (arrays: a Python float times a list is list repetition, as in plain NumPy code)
    ("operator and a list", lambda x: wnp.sum(x * [1.0, 2.0] + [3.0, x[0]]),
     np.array([0.5, 0.2])),
    ("reflected operator", lambda x: wnp.sum([1.0, 2.0] - x), np.float64(0.5)),
    ("stack of lists", lambda x: wnp.sum(wnp.stack([[x, 1.0], [2.0, x * x]]) ** 2), 0.6),
]


@pytest.mark.parametrize("name,f,x", CASES, ids=[c[0] for c in CASES])
def test_lists_holding_traced_values_are_arrays(name, f, x):
    check_grads(f, (x,), order=2, modes=("fwd", "rev"))


def test_the_list_is_differentiated_entry_by_entry():
    assert wengert.grad(lambda x: wnp.mean([x, x + 2.0]))(0.0) == pytest.approx(1.0)
    g = wengert.grad(lambda v: wnp.sum(wnp.array([v[0] * v[1], v[1]]) ** 2))(np.array([2.0, 3.0]))
    np.testing.assert_allclose(g, [2 * 6.0 * 3.0, 2 * 6.0 * 2.0 + 2 * 3.0])
