"""Every primitive, both modes, orders 1 and 2, against finite differences."""

from __future__ import annotations

import importlib
import pkgutil

import numpy as np
import pytest

import wengert  # noqa: F401
from wengert.numeric import check_grads
from wengert.rules import all_primitives

from . import __path__ as _here
from .spec import Spec


def _all_specs() -> list[Spec]:
    specs: list[Spec] = []
    for info in pkgutil.iter_modules(_here):
        if info.name.startswith("specs_"):
            specs += importlib.import_module(f"{__package__}.{info.name}").SPECS
    return specs


SPECS = _all_specs()
CASES = [(s, i) for s in SPECS for i in range(len(s.cases))]


@pytest.mark.parametrize("spec,case", CASES, ids=[f"{s.id}-{i}" for s, i in CASES])
def test_derivatives_match_finite_differences(spec: Spec, case: int) -> None:
    rng = np.random.default_rng(abs(hash((spec.id, case))) % 2**32)
    args = spec.args(rng, spec.cases[case])
    if spec.ref is not None:
        np.testing.assert_allclose(spec.fn(*args), spec.ref(*args), rtol=1e-12, atol=1e-12)
    check_grads(spec.fn, args, order=spec.order, modes=spec.modes, atol=spec.atol,
                rtol=spec.rtol, eps=spec.eps)


COMPLEX = [(s, i) for s, i in CASES if s.complex_ok]


@pytest.mark.parametrize("spec,case", COMPLEX, ids=[f"{s.id}-{i}" for s, i in COMPLEX])
def test_complex_derivatives(spec: Spec, case: int) -> None:
    rng = np.random.default_rng(abs(hash((spec.id, case, "c"))) % 2**32)
    args = spec.args(rng, spec.cases[case], np.complex128)
    check_grads(spec.fn, args, order=1, modes=spec.modes, atol=spec.atol, rtol=spec.rtol,
                eps=spec.eps)


def test_every_differentiable_primitive_has_a_spec() -> None:
    covered = {p for s in SPECS for p in s.prims}
    missing = sorted(name for name, p in all_primitives().items()
                     if not p.nondiff and name not in covered)
    assert not missing, f"primitives without a derivative test: {missing}"


def test_nondifferentiable_primitives_return_plain_values() -> None:
    import wengert.numpy as wnp
    x = np.array([0.3, -1.7, 2.5])
    for name, p in all_primitives().items():
        if not p.nondiff or name in ("nonzero",):
            continue
        fn = getattr(np, name, None)
        if fn is None or not callable(fn):
            continue
        try:
            expected = fn(x, x) if name in _BINARY else fn(x)
        except TypeError:
            continue  # integer-only functions (bitwise ...)
        got = wengert.jvp(lambda v: p(v, v) if name in _BINARY else p(v), (x,),
                          (np.ones(3),))[0]
        np.testing.assert_array_equal(got, expected)
    g = wengert.grad(lambda v: wnp.sum(wnp.floor(v) * v))(x)
    np.testing.assert_allclose(g, np.floor(x))


_BINARY = {"equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
           "logical_and", "logical_or", "logical_xor", "floor_divide", "isclose", "heaviside",
           "bitwise_and", "bitwise_or", "bitwise_xor", "left_shift", "right_shift", "gcd",
           "lcm"}
