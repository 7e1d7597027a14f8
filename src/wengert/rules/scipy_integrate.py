"""``odeint``: the ODE solution as a primitive, differentiated by sensitivity equations.

Loaded by :mod:`wengert.scipy.integrate` only; SciPy is imported on the first call.
The primitive takes one flat vector ``w = [y0, t, p]`` (initial state, the ``nt``
output times, the parameters) and a flat dynamics ``func(y, t, p) -> dy/dt``; its
answer ``ys`` has shape ``(nt, ny)``.  The primal is ``scipy.integrate.odeint``
(LSODA).  Both rules are again ``odeint`` calls on an augmented system written with
wengert's own transforms of ``func``, so they can be differentiated again:

* JVP (forward sensitivities): integrate ``ẏ' = ∂f/∂y ẏ + ∂f/∂p ṗ`` beside ``y``, from
  ``ẏ(t₀) = ẏ₀ - f(y₀, t₀) ṫ₀``; output ``i`` then moves by ``f(yᵢ, tᵢ) ṫᵢ`` as well.
* VJP (the adjoint method, as autograd's and JAX's ``odeint``): from the last output
  time back to the first, integrate ``y`` (backwards), the adjoint
  ``a' = -(∂f/∂y)ᵀ a`` and the parameter cotangent ``p̄' = -(∂f/∂p)ᵀ a``, one
  interval at a time, adding each output's cotangent ``ḡᵢ`` to ``a`` at ``tᵢ``.
  ``t̄ᵢ = ḡᵢ · f(yᵢ, tᵢ)`` and ``t̄₀ = -(a(t₀) - ḡ₀) · f(y₀, t₀)``; ``ȳ₀ = a(t₀)``.

``want_t`` (decided by the caller: whether ``t`` was traced at all) skips the
``t`` terms.  ``func`` must read traced values only through its arguments.

Batching (vmap) solves once per example.  One stacked system of ``B·ny`` states
would call a batched ``func`` once per step instead of ``B`` times, but it shares
LSODA's steps, error norm and stiffness switch across the examples, so each answer
would depend on the others and differ from its own solve by up to the tolerance (and
the examples may have their own output times).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..core.tracing import Box
from ._util import batch_size, defprim, loop_batch, shape
from .reductions import sum as _sum
from .shape import concatenate, expand_dims, getitem_p, stack

__all__: list[str] = []


def _impl(w: Any, *, func: Any, ny: int, nt: int, want_t: bool, opts: tuple) -> Any:
    from scipy.integrate import odeint
    w = np.asarray(w, dtype=np.float64)
    y0, t, p = w[:ny], w[ny:ny + nt], w[ny + nt:]
    if nt == 1:  # nothing to integrate (SciPy would warn)
        return y0.reshape(1, ny).copy()

    def rhs(y: np.ndarray, tt: float) -> np.ndarray:
        out = func(y, tt, p)
        if isinstance(out, Box):
            raise TypeError(
                "wengert.scipy.integrate.odeint: func returned a traced value for untraced "
                "inputs: it reads a traced variable from an enclosing scope. Pass such "
                "values to odeint as extra arguments (odeint(func, y0, t, *args)), so "
                "their derivatives can flow")
        return np.asarray(out, dtype=np.float64)

    ys, info = odeint(rhs, y0, t, full_output=True, **dict(opts))
    if info.get("message") != "Integration successful.":
        warnings.warn(f"wengert.scipy.integrate.odeint: {info.get('message')} (try a "
                      f"larger mxstep, or looser rtol/atol)", RuntimeWarning, stacklevel=4)
    return ys


odeint_p = defprim("scipy.integrate.odeint", _impl)


def _part(x: Any, start: int, stop: int) -> Any:
    return getitem_p(x, idx=(slice(start, stop),))


def _at(x: Any, i: int) -> Any:
    return getitem_p(x, idx=(i,))


def _split(w: Any, ny: int, nt: int) -> tuple:
    n = shape(w)[0]
    return _part(w, 0, ny), _part(w, ny, ny + nt), _part(w, ny + nt, n)


def _odeint_jvp(wd: Any, ys: Any, w: Any, *, func: Any, ny: int, nt: int, want_t: bool,
                opts: tuple) -> Any:
    from ..transforms import jvp
    y0, ts, p = _split(w, ny, nt)
    y0d, tsd, pd = _split(wd, ny, nt)
    npar = shape(p)[0]
    s0 = y0d - func(y0, _at(ts, 0), p) * _at(tsd, 0) if want_t else y0d

    def tangent_dynamics(s: Any, tt: Any, q: Any) -> Any:
        y, yd = _part(s, 0, ny), _part(s, ny, 2 * ny)
        fy, fyd = jvp(lambda a, b: func(a, tt, b), (y, _part(q, 0, npar)),
                      (yd, _part(q, npar, 2 * npar)))
        return concatenate([fy, fyd], axis=0)

    big = odeint_p(concatenate([y0, s0, ts, p, pd], axis=0), func=tangent_dynamics, ny=2 * ny,
                   nt=nt, want_t=want_t, opts=opts)
    out = getitem_p(big, idx=(slice(None), slice(ny, 2 * ny)))
    if want_t:
        fs = stack([func(_at(ys, i), _at(ts, i), p) for i in range(nt)], axis=0)
        out = out + fs * expand_dims(tsd, 1)
    return out


def _odeint_vjp(g: Any, ys: Any, w: Any, *, func: Any, ny: int, nt: int, want_t: bool,
                opts: tuple) -> Any:
    from ..transforms import vjp
    y0, ts, p = _split(w, ny, nt)
    npar = shape(p)[0]

    def adjoint_dynamics(s: Any, tt: Any, q: Any) -> Any:
        y, a = _part(s, 0, ny), _part(s, ny, 2 * ny)
        fy, pull = vjp(lambda yy, qq: func(yy, tt, qq), y, q)
        ay, aq = pull(a)
        return concatenate([fy, -ay, -aq], axis=0)

    a = _at(g, nt - 1)
    pbar: Any = np.zeros(npar)
    tbar: list = [None] * nt
    for i in range(nt - 1, 0, -1):
        if want_t:
            tbar[i] = _sum(_at(g, i) * func(_at(ys, i), _at(ts, i), p))
        start = concatenate([_at(ys, i), a, pbar, stack([_at(ts, i), _at(ts, i - 1)]), p],
                            axis=0)
        end = _at(odeint_p(start, func=adjoint_dynamics, ny=2 * ny + npar, nt=2,
                           want_t=want_t, opts=opts), 1)
        a = _part(end, ny, 2 * ny) + _at(g, i - 1)
        pbar = _part(end, 2 * ny, 2 * ny + npar)
    if want_t:
        tbar[0] = -_sum((a - _at(g, 0)) * func(y0, _at(ts, 0), p))
        t_part = stack(tbar)
    else:
        t_part = np.zeros(nt)
    return concatenate([a, t_part, pbar], axis=0)


odeint_p.defjvp(_odeint_jvp).defvjp(_odeint_vjp)
odeint_p.defbatch(lambda args, dims, **params: loop_batch(odeint_p, args, dims,
                                                          batch_size(args, dims), params))

PRIMITIVES = [odeint_p]
