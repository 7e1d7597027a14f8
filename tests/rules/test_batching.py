"""vmap against a Python loop over the examples, for every spec in the tables, and the
rule coverage: every built-in primitive has a batching rule."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import wengert
from wengert.core.tree import tree_flatten
from wengert.rules import all_primitives

from .spec import Spec
from .test_every_primitive import CASES

B = 3  # examples per batch


def _examples(spec: Spec, case: int, seed: str) -> list[list[np.ndarray]]:
    rng = np.random.default_rng(abs(hash((spec.id, case, seed))) % 2**32)
    return [spec.args(rng, spec.cases[case]) for _ in range(B)]


def _batched(examples: list, argnum: int, axis: int | None) -> np.ndarray:
    column = [ex[argnum] for ex in examples]
    if axis is None:
        return column[0]
    return np.stack(column, axis=axis % (column[0].ndim + 1))


def _loop(fn: object, examples: list, axes: list, out_axis: int) -> list:
    outs = []
    for ex in examples:
        args = [ex[i] if ax is not None else examples[0][i] for i, ax in enumerate(axes)]
        outs.append(tree_flatten(fn(*args))[0])  # type: ignore[operator]
    return [np.stack([np.asarray(o[k]) for o in outs],
                     axis=out_axis % (np.ndim(outs[0][k]) + 1)) for k in range(len(outs[0]))]


# (in_axes for every argument, in_axes for the others, out_axes): batch axes first; last
# (shifting every axis argument); and only the first argument batched (broadcasting).
VARIANTS = [(0, 0, 0), (-1, -1, -1), (0, None, 1)]


# Answers whose shape depends on the data cannot be batched (as in JAX): an error says so.
DATA_DEPENDENT = {"getitem-mask"}


@pytest.mark.parametrize("spec,case", CASES, ids=[f"{s.id}-{i}" for s, i in CASES])
def test_vmap_equals_a_loop(spec: Spec, case: int) -> None:
    if spec.id in DATA_DEPENDENT:
        batched = _batched(_examples(spec, case, "vmap"), 0, 0)
        with pytest.raises(ValueError, match="differs across the batch"):
            wengert.vmap(spec.fn)(batched)
        return
    examples = _examples(spec, case, "vmap")
    n = len(examples[0])
    for first, rest, out_axis in VARIANTS:
        if rest is None and n == 1:
            continue
        axes = [first] + [rest] * (n - 1)
        batched = [_batched(examples, i, ax) for i, ax in enumerate(axes)]
        if out_axis == 1 and min(np.ndim(o) for o in tree_flatten(spec.fn(*examples[0]))[0]) < 1:
            out_axis = 0  # a scalar output has only the batch axis
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # composites that sort or mask loop, and say so
            warnings.filterwarnings("error", message="vmap: primitive")  # no primitive may
            got = tree_flatten(wengert.vmap(spec.fn, in_axes=tuple(axes),
                                            out_axes=out_axis)(*batched))[0]
        want = _loop(spec.fn, examples, axes, out_axis)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12,
                                       err_msg=f"in_axes={axes} out_axes={out_axis}")


def test_every_primitive_has_a_batching_rule() -> None:
    missing = sorted(name for name, p in all_primitives().items() if p.batch_rule() is None)
    assert not missing, f"primitives without a batching rule: {missing}"


def _total(fn: object) -> object:
    import wengert.numpy as wnp

    def total(*args: object) -> object:
        return sum(wnp.sum(wnp.real(o)) for o in tree_flatten(fn(*args))[0])  # type: ignore
    return total


GRAD_CASES = [(s, i) for s, i in CASES if "rev" in s.modes and i == 0]


@pytest.mark.parametrize("spec,case", GRAD_CASES, ids=[f"{s.id}-{i}" for s, i in GRAD_CASES])
def test_vmap_of_grad_equals_a_loop(spec: Spec, case: int) -> None:
    """Per-example gradients: the backward rules run on batched values."""
    if spec.id in DATA_DEPENDENT:
        return
    examples = _examples(spec, case, "grad")
    n = len(examples[0])
    g = wengert.grad(_total(spec.fn), argnums=tuple(range(n)))
    batched = [_batched(examples, i, 0) for i in range(n)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.filterwarnings("error", message="vmap: primitive")
        try:
            got = wengert.vmap(g)(*batched)
        except NotImplementedError as exc:  # value-dependent composites say so
            assert "under another transform" in str(exc)
            return
    want = [np.stack([g(*ex)[k] for ex in examples]) for k in range(n)]
    for a, w in zip(got, want):
        np.testing.assert_allclose(a, w, rtol=1e-9, atol=1e-12)
