"""``wengert.scipy.integrate``: ``odeint`` with derivatives in ``y0``, ``t`` and ``args``.

``odeint(func, y0, t, *args)`` has SciPy's signature (``func(y, t, *args)``, or
``func(t, y, *args)`` with ``tfirst=True``) and solves with ``scipy.integrate.odeint``
(LSODA).  Reverse mode uses the adjoint method, forward mode the sensitivity
equations (see :mod:`wengert.rules.scipy_integrate`); both are ODE solves again, so
second derivatives work too (each to the solver's tolerance).  Write ``func`` with
``wengert.numpy``; ``args`` may be arrays, floats or pytrees of them (integer and
other non-float leaves are passed through unchanged and get no derivative).
Values ``func`` reads from an enclosing scope are constants: pass what should be
differentiated through ``args``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..core.tracing import Box, contains_box
from ..core.tree import tree_flatten, tree_unflatten
from ..rules._util import dtype, ndim, shape
from ..rules.scipy_integrate import odeint_p
from ..rules.shape import concatenate, getitem_p, ravel, reshape_p, traced_array

__all__ = ["odeint"]

_UNSUPPORTED = ("Dfun", "col_deriv", "full_output", "ml", "mu", "printmessg", "ixpr",
                "mxhnil", "mxordn", "mxords")


def _is_float_leaf(x: Any) -> bool:
    if isinstance(x, Box):
        return True
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (float, int, np.ndarray,
                                                           np.generic, list, tuple)):
        return False
    try:
        return np.asarray(x).dtype.kind == "f" or isinstance(x, float)
    except (TypeError, ValueError):
        return False


def odeint(func: Callable[..., Any], y0: Any, t: Any, *args: Any, rtol: float | None = None,
           atol: float | None = None, mxstep: int = 0, h0: float = 0.0, hmax: float = 0.0,
           hmin: float = 0.0, tfirst: bool = False, **kwargs: Any) -> Any:
    """Integrate ``dy/dt = func(y, t, *args)`` from ``y(t[0]) = y0``; returns ``y`` at
    each time in ``t`` (shape ``(len(t),) + y0.shape``), differentiable in ``y0``,
    ``t`` and the float leaves of ``args``."""
    if not callable(func):
        raise TypeError(f"wengert.scipy.integrate.odeint: func must be callable "
                        f"func(y, t, *args), not {type(func).__name__}")
    bad = sorted(k for k in kwargs if k in _UNSUPPORTED)
    if bad:
        raise TypeError(f"wengert.scipy.integrate.odeint: {', '.join(bad)} not supported "
                        f"(wengert computes the derivatives itself); leave them out")
    if kwargs:
        raise TypeError(f"wengert.scipy.integrate.odeint: unexpected keyword arguments "
                        f"{sorted(kwargs)}")
    y0, t = _array(y0), _array(t)
    for name, x in (("y0", y0), ("t", t)):
        if dtype(x).kind == "c":
            raise TypeError(f"wengert.scipy.integrate.odeint: {name} is complex; odeint "
                            f"integrates real systems (split into real and imaginary parts)")
    if ndim(t) != 1 or shape(t)[0] < 1:
        raise ValueError(f"wengert.scipy.integrate.odeint: t must be a 1-D sequence of "
                         f"output times, not shape {tuple(shape(t))}")
    yshape = tuple(shape(y0))
    ny, nt = int(np.prod(yshape, dtype=int)), shape(t)[0]
    leaves, treedef = tree_flatten(args)
    floats = [i for i, x in enumerate(leaves) if _is_float_leaf(x)]
    packed = [_array(leaves[i]) for i in floats]
    shapes = [tuple(shape(x)) for x in packed]
    sizes = [int(np.prod(s, dtype=int)) for s in shapes]

    def flat_func(y: Any, tt: Any, q: Any) -> Any:
        new = list(leaves)
        start = 0
        for i, s, n in zip(floats, shapes, sizes):
            if s == (n,) and n == shape(q)[0]:  # the only parameter, a vector: q itself
                new[i] = q
            else:
                new[i] = reshape_p(getitem_p(q, idx=(slice(start, start + n),)), shape=s)
            start += n
        call_args = tree_unflatten(treedef, new)
        if yshape != (ny,):
            y = reshape_p(y, shape=yshape)
        out = func(tt, y, *call_args) if tfirst else func(y, tt, *call_args)
        if tuple(shape(out)) != yshape:
            raise ValueError(f"wengert.scipy.integrate.odeint: func returned shape "
                             f"{tuple(shape(out))}, but y0 has shape {yshape}; return "
                             f"dy/dt with y's shape")
        return out if yshape == (ny,) else ravel(out)

    parts = [ravel(y0), t] + [ravel(x) for x in packed]
    w = concatenate([_as_float(x) for x in parts], axis=0)
    # the solver options that differ from SciPy's defaults (None, and 0 for the step ones)
    opts = tuple((k, v) for k, v in (("rtol", rtol), ("atol", atol), ("mxstep", mxstep),
                                     ("h0", h0), ("hmax", hmax), ("hmin", hmin))
                 if v is not None and not (k not in ("rtol", "atol") and v == 0))
    ys = odeint_p(w, func=flat_func, ny=ny, nt=nt, want_t=isinstance(t, Box), opts=opts)
    return reshape_p(ys, shape=(nt,) + yshape)


def _array(x: Any) -> Any:
    """A box or a sequence holding boxes as one traced array; anything else as NumPy's."""
    if isinstance(x, Box):
        return x
    if isinstance(x, (list, tuple)) and contains_box(x):
        return traced_array(x)
    return np.asarray(x)


def _as_float(x: Any) -> Any:
    if dtype(x) == np.float64:
        return x
    from ..rules.shape import astype
    return astype(x, np.float64)
