"""Specs for polynomials (wengert/rules/polynomial.py)."""

from __future__ import annotations

import numpy as np

import wengert.numpy as wnp

from .spec import Spec


def _real_roots(rng: np.random.Generator, s: tuple) -> np.ndarray:
    """Coefficients of a polynomial with well separated real roots."""
    roots = np.array([-1.6, -0.3, 0.9, 2.1])[: s[0] - 1] + rng.uniform(-0.1, 0.1, s[0] - 1)
    return np.poly(roots) * rng.uniform(0.5, 2.0)


SPECS = [
    Spec(["multiply", "add"], lambda p, x: wnp.polyval(p, x),
         [[(4,), (3,)], [(1,), (2, 2)], [(3,), ()]], ref=np.polyval, complex_ok=True,
         name="polyval"),
    Spec(["add", "concatenate"], lambda a, b: wnp.polyadd(a, b), [[(4,), (2,)], [(2,), (3,)]],
         ref=np.polyadd, name="polyadd"),
    Spec(["subtract", "concatenate"], lambda a, b: wnp.polysub(a, b),
         [[(4,), (2,)], [(1,), (3,)], [(2,), (2,)]], ref=np.polysub, name="polysub"),
    Spec(["convolve"], lambda a, b: wnp.polymul(a, b), [[(3,), (2,)], [(1,), (4,)]],
         ref=np.polymul, name="polymul"),
    Spec(["multiply"], lambda p: wnp.polyder(p, 2), [[(5,)], [(2,)]],
         ref=lambda p: np.polyder(p, 2), name="polyder"),
    Spec(["divide", "concatenate"], lambda p, k: wnp.polyint(p, 2, k), [[(3,), (2,)], [(2,), ()]],
         ref=lambda p, k: np.polyint(p, 2, k), name="polyint"),
    Spec(["linalg.eig"], lambda p: wnp.real(wnp.roots(p)), [[(3,)], [(5,)]],
         sample=_real_roots, name="roots"),
    Spec(["linalg.eig"], lambda p: wnp.abs(wnp.roots(p)) + wnp.imag(wnp.roots(p)) ** 2,
         [[(4,)]], sample=lambda rng, s: np.array([1.0, 0.3, 2.0, 0.5]) + rng.uniform(
             -0.1, 0.1, s), name="roots-complex"),
]
