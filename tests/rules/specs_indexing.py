"""Specs for the indexing family (wengert/rules/indexing.py)."""

from __future__ import annotations

import numpy as np

import wengert.numpy as wnp

from .spec import Spec, away_from_zero, distinct


def _nan_mask(shape: tuple) -> np.ndarray:
    """A fixed pattern of NaN positions (never a whole row or column for these shapes)."""
    idx = np.indices(shape).sum(axis=0) if shape else np.zeros((), int)
    return (idx % 3 == 1) & (np.arange(int(np.prod(shape))).reshape(shape) % 2 == 0)


def _with_nans(xp: object, x: object) -> object:
    return xp.where(_nan_mask(np.shape(x)), np.nan, x)


def _nan_spec(name: str, axis: object, cases: list, **kw: object) -> Spec:
    wfn, nfn = getattr(wnp, name), getattr(np, name)
    return Spec(["where"], lambda x: wfn(_with_nans(wnp, x), axis=axis, **kw), cases,
                ref=lambda x: nfn(_with_nans(np, x), axis=axis, **kw),
                name=f"{name}-axis{axis}", sample=distinct())


_XP = np.linspace(-1.5, 1.5, 6)
_I3 = np.array([[2, 0, 1, 1], [0, 0, 2, 1], [1, 2, 0, 0]])  # indices along an axis of length 3
_MASK34 = np.array([[True, False, False, True], [False, True, False, False],
                    [True, True, False, False]])

SPECS = [
    # -- gathers ------------------------------------------------------------------------
    Spec(["getitem"], lambda x: wnp.take(x, [3, 0, 3, 1]), [[(5,)], [(2, 3)]],
         ref=lambda x: np.take(x, [3, 0, 3, 1]), name="take-flat"),
    Spec(["getitem"], lambda x: wnp.take(x, np.array([[1, 0], [1, 1]]), axis=-1),
         [[(3, 2)], [(2, 3, 4)]], ref=lambda x: np.take(x, np.array([[1, 0], [1, 1]]), axis=-1),
         name="take-axis"),
    Spec(["getitem"], lambda x: wnp.take(x, [-1, 5, 2], axis=0, mode="wrap")
         * wnp.take(x, [-1, 5, 2], axis=0, mode="clip"), [[(4,)], [(4, 2)]],
         ref=lambda x: np.take(x, [-1, 5, 2], 0, mode="wrap")
         * np.take(x, [-1, 5, 2], 0, mode="clip"), name="take-modes"),
    Spec(["getitem"], lambda x: wnp.take_along_axis(x, _I3, axis=0), [[(3, 4)], [(3, 1)]],
         ref=lambda x: np.take_along_axis(x, _I3, axis=0), name="take_along_axis-0"),
    Spec(["getitem"], lambda x: wnp.take_along_axis(x, _I3.T[None], axis=-1),
         [[(2, 4, 3)]], ref=lambda x: np.take_along_axis(x, _I3.T[None], axis=-1),
         name="take_along_axis-neg"),
    Spec(["getitem"], lambda x: wnp.sort(x), [[(5,)], [(3, 4)]], sample=distinct(),
         ref=np.sort, name="sort-last"),
    Spec(["getitem"], lambda x: wnp.sort(x, axis=0) * wnp.sort(x, axis=None)[0],
         [[(3, 2, 2)]], sample=distinct(),
         ref=lambda x: np.sort(x, axis=0) * np.sort(x, axis=None)[0], name="sort-axes"),
    Spec(["getitem"], lambda x: wnp.partition(x, 2, axis=-2)[..., 2, :], [[(5, 3)], [(2, 4, 2)]],
         sample=distinct(), ref=lambda x: np.partition(x, 2, axis=-2)[..., 2, :],
         name="partition"),
    Spec(["getitem"], lambda x: wnp.compress([True, False, True], x, axis=1)
         + wnp.extract(_MASK34[:2, :3], x).sum(), [[(2, 3)]],
         ref=lambda x: np.compress([True, False, True], x, axis=1)
         + np.extract(_MASK34[:2, :3], x).sum(), name="compress+extract"),
    # -- functional updates ------------------------------------------------------------
    Spec(["untake", "where"], lambda x, v: wnp.at(x)[[0, 2, 4]].set(v), [[(5,), (3,)],
                                                                      [(5, 2), (3, 1)]],
         name="at-set"),
    Spec(["untake", "where"], lambda x, v: wnp.at(x)[[1, 3, 1, 1]].set(v), [[(5,), (4,)]],
         name="at-set-repeated"),
    Spec(["untake", "where"], lambda x, v: wnp.at(x)[1:, ::2].set(v), [[(3, 4), (2, 2)],
                                                                     [(3, 4), (2,)]],
         name="at-set-slices"),
    Spec(["untake", "where"], lambda x, v: wnp.at(x)[_MASK34].set(v * v),
         [[(3, 4), (5,)], [(3, 4), ()]], name="at-set-mask"),
    Spec(["untake"], lambda x, v: wnp.at(x)[[2, 0, 2, 2]].add(v), [[(4,), (4,)], [(4, 3), (3,)]],
         name="at-add-repeated"),
    Spec(["untake"], lambda x, v: wnp.at(x)[:, [1, -1]].subtract(v) * wnp.at(x)[0].get(),
         [[(2, 3), (2, 2)]], name="at-subtract+get"),
    Spec(["untake", "where"], lambda x, v: wnp.at(x)[[1, 0, 1]].multiply(v), [[(3,), (3,)],
                                                                            [(3, 2), (3, 1)]],
         name="at-multiply-repeated"),
    Spec(["untake", "where"], lambda x, v: wnp.at(x)[[1, 2, 1]].divide(v), [[(4,), (3,)]],
         sample=away_from_zero(0.5), name="at-divide-repeated"),
    Spec(["untake", "where", "maximum", "minimum"],
         lambda x, v: wnp.at(x)[[0, 3, 0]].max(v) + wnp.at(x)[[1, 1, 2]].min(v),
         [[(4,), (3,)]], sample=distinct(), name="at-max+min"),
    # -- repetition, padding, rolling --------------------------------------------------
    Spec(["broadcast_to", "reshape"], lambda x: wnp.tile(x, 2), [[(3,)], [(2, 1)]],
         ref=lambda x: np.tile(x, 2), name="tile-scalar"),
    Spec(["broadcast_to", "reshape"], lambda x: wnp.tile(x, (2, 1, 3)), [[(2, 3)], [(2,)]],
         ref=lambda x: np.tile(x, (2, 1, 3)), name="tile-tuple"),
    Spec(["broadcast_to", "reshape"],
         lambda x: wnp.repeat(x, 2) * wnp.repeat(x, 3, axis=-1)[0].sum(), [[(2, 2)]],
         ref=lambda x: np.repeat(x, 2) * np.repeat(x, 3, axis=-1)[0].sum(),
         name="repeat-scalar"),
    Spec(["getitem"], lambda x: wnp.repeat(x, [2, 0, 1], axis=0), [[(3,)], [(3, 2)]],
         ref=lambda x: np.repeat(x, [2, 0, 1], axis=0), name="repeat-each"),
    Spec(["concatenate"], lambda x: wnp.pad(x, ((1, 2), (0, 1)), constant_values=((7, 8), (9, 0))),
         [[(2, 3)]], ref=lambda x: np.pad(x, ((1, 2), (0, 1)), constant_values=((7, 8), (9, 0))),
         name="pad-constant"),
    Spec(["concatenate"], lambda x: wnp.pad(x, 2), [[(3,)], [(1, 2, 2)]],
         ref=lambda x: np.pad(x, 2), name="pad-constant-all"),
    Spec(["getitem"], lambda x: wnp.pad(x, ((2, 1), (1, 3)), mode="reflect")
         + wnp.pad(x, ((2, 1), (1, 3)), mode="edge"), [[(3, 3)]],
         ref=lambda x: np.pad(x, ((2, 1), (1, 3)), mode="reflect")
         + np.pad(x, ((2, 1), (1, 3)), mode="edge"), name="pad-reflect+edge"),
    Spec(["getitem"], lambda x: wnp.pad(x, (3, 4), mode="symmetric")
         * wnp.pad(x, (3, 4), mode="wrap"), [[(3,)], [(2, 2)]],
         ref=lambda x: np.pad(x, (3, 4), mode="symmetric") * np.pad(x, (3, 4), mode="wrap"),
         name="pad-symmetric+wrap"),
    Spec(["concatenate"], lambda x: wnp.roll(x, 2), [[(5,)], [(2, 3)]],
         ref=lambda x: np.roll(x, 2), name="roll-flat"),
    Spec(["concatenate"], lambda x: wnp.roll(x, (1, -5, 1), axis=(0, -1, 0)), [[(3, 4)]],
         ref=lambda x: np.roll(x, (1, -5, 1), axis=(0, -1, 0)), name="roll-tuple"),
    Spec(["broadcast_to", "reshape"], lambda x, y: wnp.meshgrid(x, y), [[(3,), (2,)]],
         ref=lambda x, y: np.meshgrid(x, y), name="meshgrid-xy"),
    Spec(["reshape"], lambda x, y, z: wnp.meshgrid(x, y, z, indexing="ij", sparse=True),
         [[(2,), (3,), (1,)]], name="meshgrid-ij-sparse"),
    Spec(["getitem", "reshape", "transpose"], lambda x: wnp.rot90(x) * wnp.rot90(x, -1, (-1, 0)),
         [[(3, 3)], [(2, 2, 2)]], ref=lambda x: np.rot90(x) * np.rot90(x, -1, (-1, 0)),
         name="rot90"),
    Spec(["broadcast_to"], lambda x, y: wnp.broadcast_arrays(x, y), [[(3, 1), (4,)]],
         ref=lambda x, y: np.broadcast_arrays(x, y), name="broadcast_arrays"),
    Spec(["getitem", "concatenate"], lambda x, y: wnp.choose(_I3[:2], [x, y, 2.0]),
         [[(2, 4), (4,)]], ref=lambda x, y: np.choose(_I3[:2], [x, y, 2.0]), name="choose"),
    # -- splitting and joining -----------------------------------------------------------
    Spec(["getitem"], lambda x: wnp.array_split(x, 3, axis=-1), [[(2, 5)], [(4,)]],
         name="array_split"),
    Spec(["getitem"], lambda x: wnp.split(x, [1, 3], axis=0), [[(4, 2)]],
         name="split-indices"),
    Spec(["getitem"], lambda x: [wnp.hsplit(x, 2)[1], wnp.vsplit(x, 2)[0], wnp.dsplit(x, [1])[1]],
         [[(2, 2, 3)]], name="hsplit+vsplit+dsplit"),
    Spec(["getitem"], lambda x: wnp.unstack(x, axis=-1), [[(2, 3)]],
         ref=lambda x: np.unstack(x, axis=-1), name="unstack"),
    Spec(["concatenate"], lambda x, y: wnp.append(x, y) + 1.0, [[(2, 2), (3,)]],
         ref=lambda x, y: np.append(x, y) + 1.0, name="append-flat"),
    Spec(["concatenate"], lambda x, y: wnp.append(x, y, axis=-1), [[(2, 2), (2, 1)]],
         ref=lambda x, y: np.append(x, y, axis=-1), name="append-axis"),
    Spec(["getitem", "concatenate"], lambda x, y: wnp.insert(x, [1, 3, 1], y, axis=1),
         [[(2, 3), (3,)], [(2, 3), (2, 3)], [(2, 3), ()]],
         ref=lambda x, y: np.insert(x, [1, 3, 1], y, axis=1), name="insert-axis"),
    Spec(["getitem", "concatenate"], lambda x, y: wnp.insert(x, 2, y), [[(2, 2), (2,)]],
         ref=lambda x, y: np.insert(x, 2, y), name="insert-flat"),
    Spec(["getitem"], lambda x: wnp.delete(x, [0, -1], axis=-2) + wnp.delete(x, 1).sum(),
         [[(3, 2)], [(4, 1)]], ref=lambda x: np.delete(x, [0, -1], axis=-2)
         + np.delete(x, 1).sum(), name="delete"),
    # -- differences and integrals -------------------------------------------------------
    Spec(["getitem"], lambda x: wnp.diff(x), [[(5,)], [(2, 4)]], ref=np.diff, name="diff"),
    Spec(["getitem"], lambda x: wnp.diff(x, n=2, axis=0), [[(4, 2)], [(5, 1, 2)]],
         ref=lambda x: np.diff(x, n=2, axis=0), name="diff-n2"),
    Spec(["getitem", "concatenate"], lambda x, y: wnp.diff(x, axis=-1, prepend=1.5, append=y),
         [[(2, 3), (2, 2)]], ref=lambda x, y: np.diff(x, axis=-1, prepend=1.5, append=y),
         name="diff-prepend-append"),
    Spec(["getitem", "concatenate"], lambda x, y: wnp.ediff1d(x, to_begin=y, to_end=[4.0]),
         [[(2, 3), (2,)]], ref=lambda x, y: np.ediff1d(x, to_begin=y, to_end=[4.0]),
         name="ediff1d"),
    Spec(["getitem", "sum"], lambda y: wnp.trapezoid(y), [[(5,)], [(2, 3)]], ref=np.trapezoid,
         name="trapezoid"),
    Spec(["getitem", "sum"], lambda y, x: wnp.trapezoid(y, x, axis=0), [[(4, 2), (4,)],
                                                                       [(3, 2), (3, 2)]],
         ref=lambda y, x: np.trapezoid(y, x, axis=0), name="trapezoid-x"),
    Spec(["getitem", "sum"], lambda y, dx: wnp.trapezoid(y, dx=dx, axis=-2), [[(3, 2), ()]],
         ref=lambda y, dx: np.trapezoid(y, dx=dx, axis=-2), name="trapezoid-dx"),
    Spec(["getitem", "concatenate"], lambda f: wnp.gradient(f), [[(4,)], [(3, 4)]],
         ref=lambda f: np.gradient(f), name="gradient"),
    Spec(["getitem", "concatenate"], lambda f: wnp.gradient(f, [0.0, 0.5, 1.5, 1.75], axis=-2,
                                                            edge_order=2), [[(4, 2)]],
         ref=lambda f: np.gradient(f, [0.0, 0.5, 1.5, 1.75], axis=-2, edge_order=2),
         name="gradient-coords"),
    # -- NaN-ignoring reductions --------------------------------------------------------
    _nan_spec("nansum", None, [[(5,)], [(3, 4)]]),
    _nan_spec("nansum", -1, [[(3, 4)]], keepdims=True),
    _nan_spec("nanmean", 0, [[(4, 3)], [(4, 2, 2)]]),
    _nan_spec("nanmean", (0, -1), [[(4, 2, 3)]]),
    _nan_spec("nanmax", None, [[(5,)], [(3, 4)]]),
    _nan_spec("nanmin", -1, [[(3, 4)], [(2, 3, 4)]]),
    _nan_spec("nanprod", 1, [[(3, 4)]]),
    _nan_spec("nanvar", 0, [[(4, 3)]]),
    _nan_spec("nanvar", None, [[(3, 4)]], ddof=1),
    _nan_spec("nanstd", -1, [[(3, 4)]]),
    _nan_spec("nancumsum", 0, [[(3, 4)]]),
    _nan_spec("nancumprod", -1, [[(2, 4)]]),
    # -- selection ----------------------------------------------------------------------
    Spec(["where"], lambda x, y: wnp.select([_MASK34, _MASK34[::-1]], [x, y * y], default=x[0]),
         [[(3, 4), (3, 4)], [(3, 4), (4,)]],
         ref=lambda x, y: np.select([_MASK34, _MASK34[::-1]], [x, y * y], default=x[0]),
         name="select"),
    Spec(["untake", "where"],
         lambda x: wnp.piecewise(x, [x < -0.5, x > 0.5], [lambda v: v ** 2, wnp.sin, 1.5]),
         [[(6,)], [(2, 3)]], sample=away_from_zero(0.6),
         ref=lambda x: np.piecewise(x, [x < -0.5, x > 0.5], [lambda v: v ** 2, np.sin, 1.5]),
         name="piecewise"),
    # -- interpolation --------------------------------------------------------------------
    Spec(["getitem", "where"], lambda x, fp: wnp.interp(x, _XP, fp), [[(7,), (6,)], [(), (6,)]],
         ref=lambda x, fp: np.interp(x, _XP, fp), name="interp"),
    Spec(["getitem", "where"], lambda x, fp, d: wnp.interp(x, _XP + 0.1 * d, fp, -1.0, fp[2]),
         [[(2, 3), (6,), (6,)]], ref=lambda x, fp, d: np.interp(x, _XP + 0.1 * d, fp, -1.0, fp[2]),
         name="interp-xp-left-right"),
    Spec(["getitem", "where", "remainder"], lambda x, fp: wnp.interp(3.0 * x, _XP, fp, period=2.5),
         [[(5,), (6,)]], ref=lambda x, fp: np.interp(3.0 * x, _XP, fp, period=2.5),
         name="interp-period"),
    # -- convolution ----------------------------------------------------------------------
    *[Spec(["convolve"], lambda a, v, m=mode: wnp.convolve(a, v, m), [[(5,), (3,)], [(2,), (4,)],
                                                                      [(3,), (3,)], [(1,), (2,)]],
           ref=lambda a, v, m=mode: np.convolve(a, v, m), name=f"convolve-{mode}",
           complex_ok=True) for mode in ("full", "same", "valid")],
    *[Spec(["correlate"], lambda a, v, m=mode: wnp.correlate(a, v, m),
           [[(5,), (2,)], [(2,), (5,)], [(4,), (4,)], [(3,), (6,)]],
           ref=lambda a, v, m=mode: np.correlate(a, v, m), name=f"correlate-{mode}",
           complex_ok=True) for mode in ("full", "same", "valid")],
]

# take_along_axis with indices as an argument (what vmap uses for per-example indices,
# e.g. sorting under vmap): repeated indices accumulate in the transpose.
_ALONG = np.array([[2, 0, 0, 1], [1, 1, 3, 2], [0, 3, 2, 2]])


def _take_along(a: object) -> object:
    from wengert.rules.indexing import take_along_p
    return take_along_p(a, _ALONG, axis=1)


def _untake_along(g: object) -> object:
    from wengert.rules.indexing import untake_along_p
    return untake_along_p(g, _ALONG, shape=(3, 5), axis=1)


SPECS += [
    Spec(["take_along"], _take_along, [[(3, 4)]], complex_ok=True,
         ref=lambda a: np.take_along_axis(a, _ALONG, 1), name="take_along"),
    Spec(["untake_along"], _untake_along, [[(3, 4)]], complex_ok=True, name="untake_along"),
]
