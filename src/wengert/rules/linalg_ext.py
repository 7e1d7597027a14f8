"""Contractions and matrix structure: tensordot, einsum, diagonal, trace, kron, tril, cross.

``tensordot`` and ``einsum`` are the two primitives.  Both are linear in each
operand, so a JVP is the same contraction with one operand replaced by its
tangent, and a VJP contracts the adjoint with the other operands back onto
the indices of the one being differentiated.  Everything else here (diagonal,
trace, diag, kron, tril, triu, cross) is an exact composition of indexing,
reshaping and elementwise primitives and needs no rules of its own.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._util import defprim, dtype, exporter, ndim, shape, to_front, unbroadcast
from .elementwise import multiply, where_p
from .reductions import sum_p
from .shape import (
    astype,
    broadcast_to_p,
    getitem_p,
    moveaxis,
    ravel,
    reshape_p,
    stack,
    transpose_p,
    untake_p,
)

__all__: list[str] = []


_export = exporter(__all__, globals())


def _permute(x: Any, axes: Sequence[int]) -> Any:
    axes = tuple(int(a) for a in axes)
    return x if axes == tuple(range(len(axes))) else transpose_p(x, axes=axes)


# -- tensordot ---------------------------------------------------------------------
tensordot_p = defprim("tensordot", lambda a, b, axes: np.tensordot(a, b, axes), keep_ans=False)
tensordot_p.__dict__["contraction"] = True  # kept by checkpoint_policies.dots_saveable


def _free(n: int, contracted: Sequence[int]) -> list[int]:
    return [i for i in range(n) if i not in contracted]


def _tensordot_vjp_a(g: Any, ans: Any, a: Any, b: Any, axes: tuple) -> Any:
    ca, cb = axes
    fa, fb = _free(ndim(a), ca), _free(ndim(b), cb)
    nfa = len(fa)
    r = tensordot_p(g, b, axes=(tuple(range(nfa, nfa + len(fb))), tuple(fb)))
    # r holds a's free axes, then b's contracted axes in b's order (paired with ca).
    src = fa + [ca[k] for k in np.argsort(cb)]
    return unbroadcast(_permute(r, np.argsort(src)), a)


def _tensordot_vjp_b(g: Any, ans: Any, a: Any, b: Any, axes: tuple) -> Any:
    ca, cb = axes
    fa, fb = _free(ndim(a), ca), _free(ndim(b), cb)
    r = tensordot_p(a, g, axes=(tuple(fa), tuple(range(len(fa)))))
    src = [cb[k] for k in np.argsort(ca)] + fb
    return unbroadcast(_permute(r, np.argsort(src)), b)


tensordot_p.defjvp(lambda t, ans, a, b, axes: tensordot_p(t, b, axes=axes),
                   lambda t, ans, a, b, axes: tensordot_p(a, t, axes=axes))
tensordot_p.defvjp(_tensordot_vjp_a, _tensordot_vjp_b)


def _tensordot_axes(axes: Any, na: int, nb: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    if np.ndim(axes) == 0:
        n = int(axes)
        return tuple(range(na - n, na)), tuple(range(n))
    ax_a, ax_b = axes
    ax_a = (ax_a,) if np.ndim(ax_a) == 0 else ax_a
    ax_b = (ax_b,) if np.ndim(ax_b) == 0 else ax_b
    if len(ax_a) != len(ax_b):
        raise ValueError("shape-mismatch for sum")
    return tuple(int(i) % na for i in ax_a), tuple(int(i) % nb for i in ax_b)


def tensordot(a: Any, b: Any, axes: Any = 2) -> Any:
    return tensordot_p(a, b, axes=_tensordot_axes(axes, ndim(a), ndim(b)))


# -- einsum ------------------------------------------------------------------------
def _einsum_impl(*ops: Any, spec: str, optimize: Any = False) -> Any:
    return np.einsum(spec, *ops, optimize=optimize)


einsum_p = defprim("einsum", _einsum_impl, keep_ans=False)
einsum_p.__dict__["contraction"] = True  # kept by checkpoint_policies.dots_saveable


def _split(spec: str) -> tuple[list[str], str]:
    ins, out = spec.split("->")
    return ins.split(","), out


def _unique(s: str) -> str:
    return "".join(dict.fromkeys(s))


def _einsum_jvp(argnum: int, t: Any, ans: Any, *ops: Any, spec: str, optimize: Any = False) -> Any:
    new = list(ops)
    new[argnum] = t
    return einsum_p(*new, spec=spec, optimize=optimize)


def _einsum_vjp(argnum: int, g: Any, ans: Any, *ops: Any, spec: str, optimize: Any = False) -> Any:
    ins, out = _split(spec)
    mine, x = ins[argnum], ops[argnum]
    others = [(s, o) for j, (s, o) in enumerate(zip(ins, ops)) if j != argnum]
    avail = set(out).union(*(s for s, _ in others))
    uniq = _unique(mine)
    keep = "".join(c for c in uniq if c in avail)
    terms = ",".join([out] + [s for s, _ in others])
    r = einsum_p(g, *(o for _, o in others), spec=f"{terms}->{keep}", optimize=optimize)
    sizes = dict(zip(mine, shape(x)))
    # Indices x shares with a size-1 axis of its own were broadcast: sum them back.
    bcast = tuple(i for i, c in enumerate(keep) if sizes[c] == 1 and shape(r)[i] != 1)
    if bcast:
        r = sum_p(r, axis=bcast, keepdims=True)
    if keep != uniq:  # indices summed over in x alone: their adjoint is a broadcast
        r = reshape_p(r, shape=tuple(shape(r)[keep.index(c)] if c in keep else 1 for c in uniq))
    full = tuple(sizes[c] for c in uniq)
    if shape(r) != full:  # ... as are x's axes that met size-1 axes of the others
        r = broadcast_to_p(r, shape=full)
    if uniq != mine:
        r = _undiagonal(r, uniq, mine, sizes, spec)
    return unbroadcast(r, x)


def _undiagonal(r: Any, uniq: str, mine: str, sizes: dict, spec: str) -> Any:
    """Place ``r`` (indexed by ``uniq``) on the diagonals that ``mine`` repeats."""
    fresh = iter(c for c in string.ascii_letters if c not in spec)
    seen: set[str] = set()
    target, eyes, terms = [], [], [uniq]
    for c in mine:
        if c in seen:
            n = next(fresh)
            target.append(n)
            terms.append(c + n)
            eyes.append(np.eye(sizes[c], dtype=dtype(r)))
        else:
            seen.add(c)
            target.append(c)
    return einsum_p(r, *eyes, spec=",".join(terms) + "->" + "".join(target))


einsum_p.defjvp_argnum(_einsum_jvp).defvjp_argnum(_einsum_vjp)


def _interleaved(args: Sequence[Any]) -> tuple[str, list[Any]]:
    """``einsum(op0, sub0, op1, sub1, ..., [subout])`` in the string form."""
    def letters(sub: Sequence[Any]) -> str:
        return "".join("..." if s is Ellipsis else string.ascii_letters[int(s)] for s in sub)
    ops = list(args[0:-1:2]) if len(args) % 2 else list(args[0::2])
    subs = [letters(s) for s in args[1::2]]
    spec = ",".join(subs[:len(ops)])
    if len(args) % 2:
        spec += "->" + letters(args[-1])
    return spec, ops


def _normalize(subscripts: str, shapes: list[tuple]) -> str:
    """An explicit spec with the ellipses spelled out as letters."""
    subscripts = subscripts.replace(" ", "")
    ins, _, out = subscripts.partition("->")
    explicit = "->" in subscripts
    terms = ins.split(",")
    if len(terms) != len(shapes):
        raise ValueError("more operands provided to einstein sum function than specified "
                         "in the subscripts string" if len(shapes) > len(terms) else
                         "fewer operands provided to einstein sum function than specified "
                         "in the subscripts string")
    free = [c for c in string.ascii_letters if c not in subscripts]
    n_ell = max([len(s) - len(t) + 3 for t, s in zip(terms, shapes) if "..." in t] or [0])
    ell = "".join(free[:n_ell])
    terms = [t.replace("...", ell[len(ell) - (len(s) - len(t) + 3):]) if "..." in t else t
             for t, s in zip(terms, shapes)]
    if explicit:
        if n_ell and "..." not in out:
            raise ValueError("output has more dimensions than subscripts given in einstein "
                             "sum, but no '...' ellipsis provided to broadcast the extra "
                             "dimensions.")
        out = out.replace("...", ell)
    else:
        counts = {c: "".join(terms).count(c) for c in "".join(terms)}
        out = ell + "".join(sorted(c for c, k in counts.items() if k == 1 and c not in ell))
    return ",".join(terms) + "->" + out


def einsum(*operands: Any, out: Any = None, optimize: Any = False, **kwargs: Any) -> Any:
    """``numpy.einsum``: explicit or implicit output, ellipses, repeated indices.

    ``optimize`` is passed to NumPy, and also used for the contractions of the rules.
    """
    if out is not None:
        raise TypeError("wengert.numpy.einsum: out= is not supported; use the returned array")
    if kwargs.get("dtype") is not None:
        raise TypeError("wengert.numpy.einsum: dtype= is not supported")
    if isinstance(operands[0], str):
        spec, ops = operands[0], list(operands[1:])
    else:
        spec, ops = _interleaved(operands)
    spec = _normalize(spec, [shape(o) for o in ops])
    return einsum_p(*ops, spec=spec, optimize=optimize)


# -- diagonals and triangles (compositions) ---------------------------------------------
def diagonal(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    nd = ndim(a)
    axis1, axis2 = axis1 % nd, axis2 % nd
    if axis1 == axis2:
        raise ValueError("axis1 and axis2 cannot be the same")
    order = [i for i in range(nd) if i not in (axis1, axis2)] + [axis1, axis2]
    n1, n2 = shape(a)[axis1], shape(a)[axis2]
    k = max(0, min(n1, n2 - offset) if offset >= 0 else min(n1 + offset, n2))
    rows = np.arange(k) + max(-offset, 0)
    cols = np.arange(k) + max(offset, 0)
    return getitem_p(_permute(a, order), idx=(Ellipsis, rows, cols))


def trace(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None,
          out: Any = None) -> Any:
    if out is not None:
        raise TypeError("wengert.numpy.trace: out= is not supported; use the returned array")
    d = diagonal(a, offset, axis1, axis2)
    if dtype is not None:
        d = astype(d, dtype)
    return sum_p(d, axis=(ndim(d) - 1,), keepdims=False)


def diag(v: Any, k: int = 0) -> Any:
    if ndim(v) == 2:
        return diagonal(v, k)
    if ndim(v) != 1:
        raise ValueError("Input must be 1- or 2-d.")
    n = shape(v)[0] + abs(k)
    idx = (np.arange(shape(v)[0]) + max(-k, 0), np.arange(shape(v)[0]) + max(k, 0))
    return untake_p(v, idx=idx, shape=(n, n), dtype=dtype(v))


def diagflat(v: Any, k: int = 0) -> Any:
    return diag(ravel(v), k)


def _triangle(m: Any, mask: np.ndarray) -> Any:
    return where_p(mask, m, np.zeros((), dtype=dtype(m)))


def _tri(m: Any, k: int) -> np.ndarray:
    s = tuple(shape(m)[-2:])  # a 1-D m is taken as its broadcast square, as NumPy does
    return np.tri(s[0], s[-1], k=k, dtype=bool)


def tril(m: Any, k: int = 0) -> Any:
    return _triangle(m, _tri(m, k))


def triu(m: Any, k: int = 0) -> Any:
    return _triangle(m, ~_tri(m, k - 1))


def kron(a: Any, b: Any) -> Any:
    sa, sb = tuple(shape(a)), tuple(shape(b))
    nd = max(len(sa), len(sb))
    sa, sb = (1,) * (nd - len(sa)) + sa, (1,) * (nd - len(sb)) + sb
    # a[i] * b[j] laid out as (a0, b0, a1, b1, ...), then each pair merged.
    ea = reshape_p(a, shape=tuple(d for s in sa for d in (s, 1)))
    eb = reshape_p(b, shape=tuple(d for s in sb for d in (1, s)))
    return reshape_p(multiply(ea, eb), shape=tuple(x * y for x, y in zip(sa, sb)))


def cross(a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1,
          axis: int | None = None) -> Any:
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = moveaxis(a, axisa, -1), moveaxis(b, axisb, -1)
    na, nb = shape(a)[-1], shape(b)[-1]
    if na not in (2, 3) or nb not in (2, 3):
        raise ValueError("incompatible dimensions for cross product\n"
                         "(dimension must be 2 or 3)")

    def part(x: Any, i: int, n: int) -> Any:
        return getitem_p(x, idx=(Ellipsis, i)) if i < n else 0.0

    a0, a1, a2 = (part(a, i, na) for i in range(3))
    b0, b1, b2 = (part(b, i, nb) for i in range(3))
    z = a0 * b1 - a1 * b0
    if na == 2 and nb == 2:
        return z
    c = stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, z], axis=-1)
    return moveaxis(c, -1, axisc)


for _fn in [tensordot, einsum, diagonal, trace, diag, diagflat, tril, triu, kron, cross]:
    _export(_fn)


# -- batching (vmap) ----------------------------------------------------------------------
def _free_letter(spec: str) -> str:
    return next(c for c in string.ascii_letters if c not in spec)


def _batch_einsum(args: Any, dims: Any, spec: str, optimize: Any = False) -> tuple:
    """One more index letter: the batch axis of each batched operand and of the answer."""
    ins, out = _split(spec)
    z = _free_letter(spec)
    ops = []
    for i, (a, d) in enumerate(zip(args, dims)):
        if d is not None:
            ops.append(to_front(a, d))
            ins[i] = z + ins[i]
        else:
            ops.append(a)
    return einsum_p(*ops, spec=",".join(ins) + "->" + z + out, optimize=optimize), 0


def _batch_tensordot(args: Any, dims: Any, axes: tuple) -> tuple:
    a, b = args
    da, db = dims
    ax_a, ax_b = axes
    if db is None:  # a's batch axis first: one more free axis of a, first in the answer
        return tensordot_p(to_front(a, da), b, axes=(tuple(i + 1 for i in ax_a), ax_b)), 0
    if da is None:  # b's free axes follow a's in the answer
        nfa = ndim(a) - len(ax_a)
        return tensordot_p(a, to_front(b, db), axes=(ax_a, tuple(i + 1 for i in ax_b))), nfa
    letters = iter(string.ascii_letters)
    sa = [next(letters) for _ in range(ndim(a) - 1)]
    sb = [next(letters) for _ in range(ndim(b) - 1)]
    for i, j in zip(ax_a, ax_b):
        sb[j] = sa[i]
    z = next(letters)
    free = [c for i, c in enumerate(sa) if i not in ax_a] + [
        c for j, c in enumerate(sb) if j not in ax_b]
    spec = f"{z}{''.join(sa)},{z}{''.join(sb)}->{z}{''.join(free)}"
    return einsum_p(to_front(a, da), to_front(b, db), spec=spec), 0


einsum_p.defbatch(_batch_einsum)
tensordot_p.defbatch(_batch_tensordot)
