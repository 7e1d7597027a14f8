"""jit's generated code equals eager evaluation across the primitive table.

Every spec of tests/rules (its first case) is run eagerly and under ``jit``, both for
its value and for its derivatives in the modes the spec names: ``jit(grad(...))`` and
``jit(jvp)`` (derivatives compiled), and ``grad(jit(...))`` / ``jvp(jit(...))``
(the compiled program's equations differentiated).
"""

from __future__ import annotations

import numpy as np
import pytest

import wengert
import wengert.numpy as wnp
from tests.rules.test_every_primitive import SPECS

TOL = {"rtol": 1e-9, "atol": 1e-11}


def _leaves(x):
    return wengert.tree_leaves(x)


def _weights(out, rng):
    return [rng.standard_normal(np.shape(o)) for o in _leaves(out)]


def _loss(fn, ws):
    def loss(*args):
        total = 0.0
        for o, w in zip(_leaves(fn(*args)), ws):
            total = total + wnp.sum(wnp.real(o) * w)
        return total
    return loss


def _close(a, b):
    for x, y in zip(_leaves(a), _leaves(b), strict=True):
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), **TOL)


@pytest.mark.parametrize("spec", SPECS, ids=[s.id for s in SPECS])
def test_jit_matches_eager(spec):
    rng = np.random.default_rng(abs(hash(spec.id)) % 2**32)
    args = spec.args(rng, spec.cases[0])
    nums = tuple(range(len(args)))
    expected = spec.fn(*args)
    jf = wengert.jit(spec.fn)
    _close(jf(*args), expected)
    _close(jf(*args), expected)          # the compiled program, not the trace
    info = jf.cache_info()
    assert info.traces == 1 and info.hits == 1, info
    if not all(np.result_type(o).kind in "fc" for o in _leaves(expected)):
        return
    ws = _weights(expected, rng)
    if "rev" in spec.modes:
        g = wengert.grad(_loss(spec.fn, ws), argnums=nums)(*args)
        _close(wengert.jit(wengert.grad(_loss(spec.fn, ws), argnums=nums))(*args), g)
        _close(wengert.grad(_loss(jf, ws), argnums=nums)(*args), g)
    if "fwd" in spec.modes:
        ts = tuple(rng.standard_normal(np.shape(a)) for a in args)
        y, t = wengert.jvp(spec.fn, tuple(args), ts)
        _close(wengert.jit(lambda *a: wengert.jvp(spec.fn, a, ts))(*args), (y, t))
        _close(wengert.jvp(jf, tuple(args), ts), (y, t))
