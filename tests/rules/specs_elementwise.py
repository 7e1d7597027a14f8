"""Specs for the elementwise family (wengert/rules/elementwise.py)."""

from __future__ import annotations

import numpy as np

import wengert.numpy as wnp

from .spec import Spec, away_from_zero, distinct, positive

UNARY_SHAPES = [[()], [(3,)], [(2, 3)]]
BINARY_SHAPES = [[(3,), (3,)], [(2, 3), (3,)], [(2, 1), (1, 3)], [(), (2, 2)]]


def _u(name: str, **kw: object) -> Spec:
    fn = getattr(wnp, name)
    return Spec([kw.pop("prim", name)], lambda x: fn(x), UNARY_SHAPES,  # type: ignore[arg-type]
                ref=getattr(np, name), name=name, **kw)  # type: ignore[arg-type]


def _b(name: str, **kw: object) -> Spec:
    fn = getattr(wnp, name)
    return Spec([kw.pop("prim", name)], lambda x, y: fn(x, y), BINARY_SHAPES,  # type: ignore
                ref=getattr(np, name), name=name, **kw)  # type: ignore[arg-type]


SPECS = [
    _b("add", complex_ok=True), _b("subtract", complex_ok=True),
    _b("multiply", complex_ok=True), _b("divide", sample=away_from_zero(), complex_ok=True),
    _b("power", sample=positive()), _b("float_power", sample=positive()),
    _b("maximum", sample=distinct()), _b("minimum", sample=distinct()),
    _b("fmax", sample=distinct()), _b("fmin", sample=distinct()),
    _b("arctan2", sample=away_from_zero()), _b("hypot", sample=away_from_zero()),
    _b("logaddexp"), _b("logaddexp2"),
    _b("remainder", sample=lambda rng, s: rng.uniform(0.1, 0.9, s) + rng.integers(1, 3, s)),
    _b("fmod", sample=lambda rng, s: rng.uniform(0.1, 0.9, s) + rng.integers(1, 3, s)),
    _b("copysign", sample=away_from_zero(), modes=("fwd", "rev")),
    _u("negative", complex_ok=True), _u("positive", complex_ok=True),
    _u("exp", complex_ok=True), _u("exp2"), _u("expm1"),
    _u("log", sample=positive(), complex_ok=True), _u("log2", sample=positive()),
    _u("log10", sample=positive()), _u("log1p", sample=positive(-0.5, 2.0)),
    _u("sqrt", sample=positive()), _u("cbrt", sample=away_from_zero()),
    _u("square", complex_ok=True), _u("reciprocal", sample=away_from_zero()),
    _u("sin", complex_ok=True), _u("cos", complex_ok=True), _u("tan", low=-1.2, high=1.2),
    _u("arcsin", low=-0.9, high=0.9), _u("arccos", low=-0.9, high=0.9), _u("arctan"),
    _u("sinh", complex_ok=True), _u("cosh", complex_ok=True), _u("tanh", complex_ok=True),
    _u("arcsinh"), _u("arccosh", sample=positive(1.2, 3.0)), _u("arctanh", low=-0.9, high=0.9),
    _u("deg2rad"), _u("rad2deg"), _u("sinc", sample=away_from_zero()),
    _u("absolute", sample=away_from_zero(), complex_ok=True), _u("real", complex_ok=True),
    _u("imag", complex_ok=True), _u("conjugate", complex_ok=True),
    Spec(["angle"], lambda z: wnp.angle(z + 0.5j), [[(3,)]], complex_ok=True, name="angle"),
    Spec(["angle"], lambda z: wnp.angle(z + 0.5j, deg=True), [[(3,)]], complex_ok=True,
         ref=lambda z: np.angle(z + 0.5j, deg=True), name="angle-deg"),
    Spec(["where"], lambda x, y: wnp.where(np.array([True, False, True]), x, y),
         [[(3,), (3,)], [(2, 3), (3,)], [(), (3,)]], name="where"),
    Spec(["maximum", "minimum"], lambda x: wnp.clip(x, -0.5, 0.7), [[(4,)]],
         sample=lambda rng, s: np.array([-1.3, 0.1, 0.4, 1.5]), name="clip"),
]
