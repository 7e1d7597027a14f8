import numpy as np
import pytest

from wengert.data import minibatches, num_batches, train_test_split


def test_each_row_once_and_aligned():
    x = np.arange(10)
    y = np.arange(10) * 10
    batches = list(minibatches(x, y, batch_size=3, seed=0))
    assert [len(b[0]) for b in batches] == [3, 3, 3, 1] == [3, 3, 3, num_batches(10, 3) - 3]
    xs = np.concatenate([b[0] for b in batches])
    assert sorted(xs) == list(range(10)) and list(xs) != list(range(10))
    for bx, by in batches:
        np.testing.assert_array_equal(by, bx * 10)


def test_drop_last():
    batches = list(minibatches(np.arange(10), batch_size=3, seed=1, drop_last=True))
    assert [len(b[0]) for b in batches] == [3, 3, 3] and num_batches(10, 3, True) == 3


def test_seed_reproducibility_and_generator_advances():
    a = [b[0] for b in minibatches(np.arange(20), batch_size=5, seed=3)]
    b = [b[0] for b in minibatches(np.arange(20), batch_size=5, seed=3)]
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    rng = np.random.default_rng(3)
    e1 = np.concatenate([b[0] for b in minibatches(np.arange(20), batch_size=5, seed=rng)])
    e2 = np.concatenate([b[0] for b in minibatches(np.arange(20), batch_size=5, seed=rng)])
    assert not np.array_equal(e1, e2)


def test_shuffling_needs_a_seed_and_no_shuffle_keeps_order():
    with pytest.raises(ValueError, match="seed"):
        list(minibatches(np.arange(4), batch_size=2))
    out = [b[0].tolist() for b in minibatches(np.arange(4), batch_size=2, shuffle=False)]
    assert out == [[0, 1], [2, 3]]


def test_mismatched_lengths():
    with pytest.raises(ValueError, match="rows"):
        list(minibatches(np.arange(4), np.arange(5), batch_size=2, seed=0))


def test_train_test_split():
    x, y = np.arange(100), np.arange(100) + 1000
    xtr, xte, ytr, yte = train_test_split(x, y, test_fraction=0.25, seed=0)
    assert len(xte) == 25 and len(xtr) == 75
    assert sorted(np.concatenate([xtr, xte])) == list(range(100))
    np.testing.assert_array_equal(yte, xte + 1000)
