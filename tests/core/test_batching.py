"""The batching interpreter: the example's view of a batched value, rules, refusals."""

from __future__ import annotations

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from wengert.core.batching import BatchBox, batched_value, has_batch
from wengert.core.tracing import new_level
from wengert.rules import all_primitives
from wengert.rules._util import align


def test_a_batch_box_shows_the_example_shape():
    b = BatchBox(np.zeros((2, 5, 3)), new_level(), 1, 5)
    assert b.shape == (2, 3) and b.ndim == 2 and b.size == 6 and len(b) == 2
    assert np.shape(b) == (2, 3) and wnp.shape(b) == (2, 3) and wnp.ndim(b) == 2
    # seen through another transform's box, still the example's shape
    seen = []
    wengert.grad(lambda x: seen.append(x.shape) or wnp.sum(x))(b)
    assert seen == [(2, 3)]


def test_the_rule_computes_the_answer_not_the_primitive_on_the_batch():
    level = new_level()
    x = BatchBox(np.arange(6.0).reshape(3, 2), level, 1, 2)  # examples are columns
    s = wnp.sum(x)  # a full reduction of each example, not of the whole array
    assert isinstance(s, BatchBox) and s.shape == ()
    np.testing.assert_allclose(s._value, [6.0, 9.0])
    y = x + np.array([10.0, 20.0, 30.0])  # the constant aligns with the example's axis
    np.testing.assert_allclose(np.moveaxis(y._value, y._bdim, 0),
                               [[10.0, 22.0, 34.0], [11.0, 23.0, 35.0]])
    # plain NumPy arrays on the left go through the rule too
    z = np.array([1.0, 2.0, 3.0]) * x
    np.testing.assert_allclose(np.moveaxis(z._value, z._bdim, 0), [[0, 4, 12], [1, 6, 15]])


def test_align_keeps_views_when_it_can():
    a, b = np.zeros((4, 5, 3)), np.zeros(3)
    (a2, b2), d = align([a, b], [1, None])  # batch in the middle, b to the right of it
    assert d == 1 and a2 is a and b2 is b
    (a3, c3), d = align([a, np.zeros((4, 3))], [1, None])  # c spans the batch axis
    assert d == 1 and c3.shape == (4, 1, 3)


def test_batched_value_and_has_batch():
    level = new_level()
    b = BatchBox(np.ones((2, 3)), level, 0, 2)
    assert has_batch([1.0, b]) and not has_batch(np.ones(3))
    assert batched_value(np.ones(2)).shape == (2,)

    def inside(x):
        v = batched_value(x)  # the value without the grad level, still batched
        assert isinstance(v, BatchBox) and v._level == level
        return wnp.sum(x)
    wengert.grad(inside)(b)


def test_every_batch_rule_is_callable_and_elementwise_default_is_automatic():
    from wengert.core.primitive import Primitive
    p = Primitive("my_elementwise", np.sin, elementwise=True)
    assert p.batch is None and p.batch_rule() is not None
    out = wengert.vmap(p, in_axes=1)(np.ones((3, 4)))
    np.testing.assert_allclose(out, np.sin(np.ones((4, 3))))
    assert all(callable(q.batch_rule()) for q in all_primitives().values())


def test_bool_int_float_of_batched_values_are_refused():
    b = BatchBox(np.ones((2, 3)), new_level(), 0, 2)
    for conv in (bool, int, float):
        with pytest.raises(TypeError):
            conv(b[0])
