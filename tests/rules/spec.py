"""The table every primitive is tested from.

Each ``specs_<family>.py`` module in this folder defines ``SPECS``, a list of
:class:`Spec`.  ``test_every_primitive.py`` checks every spec in both modes to
order 2 against finite differences (float64, random points), and checks that
every differentiable primitive wengert defines appears in some spec.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Sampler = Callable[[np.random.Generator, tuple], np.ndarray]


@dataclass
class Spec:
    """One differentiable function (built from ``wengert.numpy``) to check.

    ``fn`` takes float64 arrays only (close over axes, indices and other
    non-differentiable parameters).  ``cases`` lists argument shapes, one list
    per case, e.g. ``[[(3,)], [(2, 3), (3,)]]`` for a binary op with broadcasting.
    Arguments are drawn uniformly from ``[low, high]`` unless ``sample`` is given.
    ``ref`` (optional) is the NumPy function ``fn`` should agree with in value.
    """

    prims: Sequence[str]
    fn: Callable[..., Any]
    cases: Sequence[Sequence[tuple]]
    low: float = -2.0
    high: float = 2.0
    sample: Sampler | None = None
    ref: Callable[..., Any] | None = None
    order: int = 2
    modes: tuple[str, ...] = ("fwd", "rev")
    atol: float | None = None
    rtol: float | None = None
    eps: float = 1e-6  # finite-difference step (larger where f is computed to a tolerance)
    name: str = ""
    complex_ok: bool = False  # also check with complex128 inputs
    extra: dict = field(default_factory=dict)

    def args(self, rng: np.random.Generator, shapes: Sequence[tuple],
             dtype: Any = np.float64) -> list[np.ndarray]:
        out = []
        for s in shapes:
            if self.sample is not None:
                x = np.asarray(self.sample(rng, s), dtype=np.float64)
            else:
                x = rng.uniform(self.low, self.high, size=s)
            if np.dtype(dtype).kind == "c":
                x = x + 1j * rng.uniform(self.low, self.high, size=s) * 0.5
            out.append(np.asarray(x, dtype=dtype))
        return out

    @property
    def id(self) -> str:
        return self.name or "+".join(self.prims)


def positive(lo: float = 0.5, hi: float = 2.0) -> Sampler:
    return lambda rng, s: rng.uniform(lo, hi, size=s)


def away_from_zero(lo: float = 0.3, hi: float = 2.0) -> Sampler:
    return lambda rng, s: rng.uniform(lo, hi, size=s) * rng.choice([-1.0, 1.0], size=s)


def distinct(scale: float = 1.0) -> Sampler:
    """Entries well apart from each other (no ties for max, sort ...)."""
    def draw(rng: np.random.Generator, s: tuple) -> np.ndarray:
        n = int(np.prod(s))
        vals = (np.arange(n) - n / 2) * 0.37 * scale + rng.uniform(-0.05, 0.05, n)
        return rng.permutation(vals).reshape(s)
    return draw
