"""Specs for SciPy's linear algebra (wengert/rules/scipy_linalg.py, wengert/scipy/linalg.py).

Inputs are drawn plainly and made well-posed inside ``fn`` and ``ref`` alike (a
shifted diagonal for triangular and LU solves, ``X Xᵀ + 3I`` for the symmetric
positive definite ones), so the derivatives are checked through that map too.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sl

import wengert.numpy as wnp
import wengert.scipy.linalg as wl

from .spec import Spec


def _shift(a, sign=1.0):  # type: ignore[no-untyped-def]
    """Entries in [-2, 2] plus (2n + 1)·I: by Gershgorin, every eigenvalue has real part
    at least 1 (at most -1 with ``sign=-1``), so the solves are well conditioned."""
    n = a.shape[-1]
    return a + sign * (2 * n + 1) * np.eye(n)


def _spd(x, m=wnp):  # type: ignore[no-untyped-def]
    return m.matmul(x, m.swapaxes(x, -1, -2)) + 3.0 * np.eye(x.shape[-1])


def _near_identity(x):  # type: ignore[no-untyped-def]
    """I + X/(4n): eigenvalues within 1/2 of 1, so logm and sqrtm stay real."""
    return x / (4 * x.shape[-1]) + np.eye(x.shape[-1])


def _n_eye(a):  # type: ignore[no-untyped-def]
    return a.shape[-1] * np.eye(a.shape[-1])


def _st(trans: int, lower: bool, unit: bool) -> Spec:
    return Spec(["scipy.linalg.solve_triangular"],
                lambda a, b: wl.solve_triangular(_shift(a), b, trans, lower, unit),
                [[(3, 3), (3, 2)], [(3, 3), (3,)], [(2, 3, 3), (2, 3, 2)], [(2, 3, 3), (3, 1)]],
                ref=lambda a, b: sl.solve_triangular(_shift(a), b, trans, lower, unit),
                name=f"solve_triangular[{trans},{lower},{unit}]", complex_ok=True)


def _matfun(name: str, prims: list, prep: object, cases: list, complex_ok: bool = False) -> Spec:
    f, g = getattr(wl, name), getattr(sl, name)
    return Spec(prims, lambda a: f(prep(a)), cases, ref=lambda a: g(prep(np.asarray(a))),
                name=name, complex_ok=complex_ok)


SPECS = [
    *[_st(t, lo, u) for t in (0, 1, 2) for lo in (True, False) for u in (False, True)],
    Spec(["scipy.linalg.solve_triangular", "linalg.cholesky"],
         lambda x, b: wl.cho_solve(wl.cho_factor(_spd(x), lower=True), b),
         [[(3, 3), (3, 2)], [(4, 4), (4,)]],
         ref=lambda x, b: sl.cho_solve(sl.cho_factor(_spd(x, np), lower=True), b),
         name="cho_solve[lower]"),
    Spec(["scipy.linalg.solve_triangular", "linalg.cholesky"],
         lambda x, b: wl.cho_solve(wl.cho_factor(_spd(x)), b), [[(3, 3), (3, 2)]],
         ref=lambda x, b: sl.cho_solve(sl.cho_factor(_spd(x, np)), b), name="cho_solve[upper]"),
    Spec(["linalg.cholesky"], lambda x: wl.cho_factor(_spd(x))[0], [[(3, 3)], [(2, 3, 3)]],
         ref=lambda x: np.stack([sl.cho_factor(m)[0] for m in _spd(x, np).reshape(-1, 3, 3)]
                                ).reshape(x.shape), name="cho_factor"),
    # a + n·I: still pivots (off-diagonal entries reach 2), never near singular
    Spec(["scipy.linalg.lu_factor"], lambda a: wl.lu_factor(a + _n_eye(a))[0],
         [[(3, 3)], [(2, 4, 4)]],
         ref=lambda a: np.stack([sl.lu_factor(m)[0] for m in
                                 (a + _n_eye(a)).reshape((-1,) + a.shape[-2:])]
                                ).reshape(a.shape), name="lu_factor"),
    *[Spec(["scipy.linalg.lu_factor", "scipy.linalg.solve_triangular"],
           lambda a, b, t=t: wl.lu_solve(wl.lu_factor(a + _n_eye(a)), b, t),
           [[(3, 3), (3, 2)], [(4, 4), (4,)]],
           ref=lambda a, b, t=t: sl.lu_solve(sl.lu_factor(a + _n_eye(a)), b, t),
           name=f"lu_solve[{t}]")
      for t in (0, 1)],
    _matfun("expm", ["scipy.linalg.expm"], lambda a: a, [[(3, 3)], [(2, 2, 2)], [(1, 1)]],
            complex_ok=True),
    Spec(["scipy.linalg.expm"], lambda a, e: wl.expm_frechet(a, e, compute_expm=False),
         [[(3, 3), (3, 3)], [(2, 2, 2), (2, 2, 2)]],
         ref=lambda a, e: sl.expm_frechet(a, e, compute_expm=False) if a.ndim == 2 else
         np.stack([sl.expm_frechet(x, y, compute_expm=False) for x, y in zip(a, e)]),
         name="expm_frechet", rtol=1e-6),
    _matfun("logm", ["scipy.linalg.logm"], _near_identity, [[(3, 3)], [(2, 2, 2)]]),
    _matfun("sqrtm", ["scipy.linalg.sqrtm", "scipy.linalg.solve_sylvester"], _near_identity,
            [[(3, 3)], [(2, 2, 2)]]),
    Spec(["scipy.linalg.solve_sylvester"],
         lambda a, b, q: wl.solve_sylvester(_shift(a), _shift(b), q),
         [[(3, 3), (2, 2), (3, 2)], [(2, 2), (2, 2), (2, 2, 2)]],
         ref=lambda a, b, q: sl.solve_sylvester(_shift(a), _shift(b), q),
         name="solve_sylvester"),
    Spec(["scipy.linalg.solve_sylvester"],
         lambda a, q: wl.solve_continuous_lyapunov(_shift(a, -1.0), q), [[(3, 3), (3, 3)]],
         ref=lambda a, q: sl.solve_continuous_lyapunov(_shift(a, -1.0), q),
         name="solve_continuous_lyapunov"),
    Spec(["concatenate"], lambda a, b, c: wl.block_diag(a, b, c),
         [[(2, 3), (1, 1), (3,)], [(2, 2), (0, 2), ()]], ref=sl.block_diag, name="block_diag"),
    Spec(["linalg.eigh"], lambda x: wl.eigh(_spd(x), eigvals_only=True), [[(3, 3)], [(4, 4)]],
         ref=lambda x: sl.eigh(_spd(x, np), eigvals_only=True), name="eigh[eigvals_only]"),
    Spec(["linalg.eigh"], lambda x: wl.eigh(_spd(x), lower=False)[1] ** 2, [[(3, 3)]],
         ref=lambda x: sl.eigh(_spd(x, np), lower=False)[1] ** 2, name="eigh[vectors]"),
    Spec(["linalg.eigh", "linalg.cholesky", "scipy.linalg.solve_triangular"],
         lambda x, y: wl.eigh(_spd(x), _spd(y), eigvals_only=True), [[(3, 3), (3, 3)]],
         ref=lambda x, y: sl.eigh(_spd(x, np), _spd(y, np), eigvals_only=True),
         name="eigh[generalized]"),
    Spec(["linalg.eigh", "linalg.cholesky", "scipy.linalg.solve_triangular"],
         lambda x, y: wl.eigh(_spd(x), _spd(y), subset_by_index=[1, 2])[1] ** 2,
         [[(3, 3), (3, 3)]],
         ref=lambda x, y: sl.eigh(_spd(x, np), _spd(y, np), subset_by_index=[1, 2])[1] ** 2,
         name="eigh[generalized,vectors,subset]", rtol=1e-5),
]
