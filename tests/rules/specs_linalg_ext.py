"""Specs for contractions and matrix structure (wengert/rules/linalg_ext.py)."""

from __future__ import annotations

import numpy as np

import wengert.numpy as wnp

from .spec import Spec


def _einsum(spec: str, cases: list, complex_ok: bool = False) -> Spec:
    return Spec(["einsum"], lambda *ops: wnp.einsum(spec, *ops), cases,
                ref=lambda *ops: np.einsum(spec, *ops), name=f"einsum[{spec}]",
                complex_ok=complex_ok)


def _tensordot(axes: object, cases: list) -> Spec:
    return Spec(["tensordot"], lambda a, b: wnp.tensordot(a, b, axes), cases,
                ref=lambda a, b: np.tensordot(a, b, axes), name=f"tensordot[{axes}]",
                complex_ok=True)


def _diagonal(offset: int, axis1: int, axis2: int, cases: list) -> Spec:
    return Spec(["getitem", "transpose"], lambda a: wnp.diagonal(a, offset, axis1, axis2),
                cases, ref=lambda a: np.diagonal(a, offset, axis1, axis2),
                name=f"diagonal[{offset},{axis1},{axis2}]")


def _tri(name: str, k: int) -> Spec:
    return Spec(["where"], lambda m: getattr(wnp, name)(m, k), [[(3, 3)], [(2, 3, 4)], [(3,)]],
                ref=lambda m: getattr(np, name)(m, k), name=f"{name}[{k}]")


SPECS = [
    _tensordot(2, [[(2, 3, 4), (3, 4, 2)], [(3, 2), (3, 2)]]),
    _tensordot(([1, 2], [1, 0]), [[(2, 3, 4), (4, 3, 2)]]),
    _tensordot(([2, 0], [0, 1]), [[(2, 3, 4), (4, 2)]]),
    _tensordot(1, [[(2, 3), (3, 4)], [(3,), (3, 2)]]),
    _tensordot(0, [[(2,), (3,)]]),
    Spec(["tensordot"], lambda a, b: wnp.dot(a, b), [[(2, 3, 4), (2, 4, 3)], [(2, 2, 3), (3,)]],
         ref=np.dot, name="dot-nd"),
    Spec(["tensordot"], lambda a, b: wnp.inner(a, b), [[(2, 3), (4, 3)], [(3,), (3,)]],
         ref=np.inner, name="inner"),
    _einsum("ij,jk->ik", [[(2, 3), (3, 4)]], complex_ok=True),
    _einsum("ij,jk", [[(2, 3), (3, 4)], [(2, 1), (3, 4)]]),
    _einsum("...ij,...jk->...ik", [[(2, 3, 4), (4, 2)], [(2, 1, 3, 4), (3, 4, 2)]]),
    _einsum("i...,i...", [[(2, 3), (2, 1)]]),
    _einsum("ii->i", [[(3, 3)]]),
    _einsum("ii", [[(3, 3)]]),
    _einsum("iij->ji", [[(3, 3, 2)]]),
    _einsum("ii,i->i", [[(3, 3), (3,)]]),
    _einsum("ij->", [[(2, 3)]]),
    _einsum("ij->ji", [[(2, 3)]]),
    _einsum("i,j->ij", [[(2,), (3,)]], complex_ok=True),
    _einsum("ijk,ik->j", [[(2, 3, 4), (2, 4)]]),
    _einsum("ij,jk,kl->il", [[(2, 3), (3, 4), (4, 2)]]),
    _einsum("ba,Ac", [[(2, 3), (2, 2)]]),
    Spec(["einsum"], lambda a, b: wnp.einsum(a, [0, 1], b, [1, 2], [2, 0]),
         [[(2, 3), (3, 4)]], ref=lambda a, b: np.einsum(a, [0, 1], b, [1, 2], [2, 0]),
         name="einsum[sublists]"),
    _diagonal(0, 0, 1, [[(3, 3)], [(3, 4, 2)]]),
    _diagonal(1, 0, 1, [[(3, 4)], [(3, 4, 2)]]),
    _diagonal(-1, 2, 0, [[(3, 2, 4)]]),
    Spec(["getitem", "transpose", "sum"], lambda a: wnp.trace(a), [[(3, 3)], [(3, 4, 2)]],
         ref=np.trace, name="trace"),
    Spec(["getitem", "transpose", "sum"], lambda a: wnp.trace(a, 1, 1, 2), [[(2, 3, 4)]],
         ref=lambda a: np.trace(a, 1, 1, 2), name="trace[1,1,2]"),
    Spec(["untake"], lambda v: wnp.diag(v), [[(3,)]], ref=np.diag, name="diag-1d"),
    Spec(["untake"], lambda v: wnp.diag(v, -2), [[(3,)]], ref=lambda v: np.diag(v, -2),
         name="diag-1d[-2]"),
    Spec(["getitem"], lambda v: wnp.diag(v, 1), [[(3, 4)]], ref=lambda v: np.diag(v, 1),
         name="diag-2d[1]"),
    Spec(["untake", "reshape"], lambda v: wnp.diagflat(v, 1), [[(2, 2)]],
         ref=lambda v: np.diagflat(v, 1), name="diagflat"),
    _tri("tril", 0), _tri("tril", -1), _tri("triu", 0), _tri("triu", 1),
    Spec(["reshape", "multiply"], lambda a, b: wnp.kron(a, b),
         [[(2, 3), (2, 2)], [(3,), (2, 2)], [(2,), (3,)], [(), (2,)]], ref=np.kron, name="kron"),
    Spec(["getitem", "multiply", "subtract", "concatenate"], lambda a, b: wnp.cross(a, b),
         [[(3,), (3,)], [(4, 3), (3,)], [(2, 3), (2, 3)]], ref=np.cross, name="cross"),
    Spec(["getitem", "multiply", "subtract", "concatenate"],
         lambda a, b: wnp.cross(a, b, axisa=0, axisb=1, axisc=0), [[(3, 2), (2, 3)]],
         ref=lambda a, b: np.cross(a, b, axisa=0, axisb=1, axisc=0), name="cross-axes"),
]
