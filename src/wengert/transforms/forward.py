"""Forward-mode transforms: ``jvp``.

``jvp`` opens a new level and runs the function on :class:`JVPBox` inputs,
each carrying its tangent; every primitive pushes the tangent forward as it
computes, and the output tangent is read off at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..core.forward import JVPBox
from ..core.tracing import Box, collector_paused, new_level
from ..core.tree import tree_flatten, tree_map
from ._common import (
    ARRAYS,
    check_callable,
    check_flag,
    check_inexact,
    check_output,
    check_tangents,
    check_values,
    strip_level,
    value_dtype,
    zeros_like_value,
)


def jvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any],
        has_aux: bool = False) -> tuple:
    """``(f(*primals), J·tangents)``: the output and its directional derivative.

    ``primals`` and ``tangents`` are tuples (or lists) of the same structure,
    each tangent of its primal's shape.
    """
    check_callable("jvp", f)
    check_flag("jvp", "has_aux", has_aux)
    check_tangents("jvp", primals, tangents)
    p_flat, p_def = tree_flatten(tuple(primals))
    t_flat, t_def = tree_flatten(tuple(tangents))
    if p_def != t_def:
        raise ValueError(f"jvp: tangents have structure {t_def}, but primals have {p_def}")
    check_inexact("jvp", p_flat, "primal")
    check_values("jvp", t_flat, "tangent")
    for i, (p, t) in enumerate(zip(p_flat, t_flat)):
        if np.shape(t) != np.shape(p):
            raise ValueError(f"jvp: tangent {i} has shape {np.shape(t)}, but its primal has "
                             f"shape {np.shape(p)}; give each tangent its primal's shape")
        pd, td = value_dtype(p), value_dtype(t)
        if td != pd and not isinstance(t, Box):  # float32 primals get float32 tangents
            if td.kind == "c" and pd.kind != "c":
                raise TypeError(f"jvp: tangent {i} is complex ({td}) but its primal is real "
                                f"({pd}); a real input has real tangents")
            t_flat[i] = np.asarray(t, dtype=pd)
    level = new_level()
    boxes = [JVPBox(p, level, t) for p, t in zip(p_flat, t_flat)]
    with collector_paused():
        out = f(*p_def.unflatten(boxes))
    aux = None
    if has_aux:
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise TypeError(f"jvp(has_aux=True): the function must return a pair "
                            f"(output, auxiliary data), got {type(out).__name__}")
        out, aux = out
        aux = tree_map(lambda a: strip_level(a, level), aux)
    check_output("jvp", f, out, ARRAYS)
    out_flat, out_def = tree_flatten(out)
    values = [strip_level(o, level) for o in out_flat]
    tans = [_tangent_of(o, v, level) for o, v in zip(out_flat, values)]
    result = (out_def.unflatten(values), out_def.unflatten(tans))
    return result + (aux,) if has_aux else result


def _tangent_of(o: Any, value: Any, level: int) -> Any:
    if isinstance(o, JVPBox) and o._level == level and o._tangent is not None:
        t = o._tangent
        if type(t) is float:
            return np.float64(t)
        if isinstance(t, Box) or np.shape(t) == np.shape(value):
            return t
        return np.broadcast_to(t, np.shape(value)).copy()
    return zeros_like_value(value) if value_dtype(value).kind in "fc" else np.zeros(
        np.shape(value))


def linearize(f: Callable[..., Any], *primals: Any) -> tuple:
    """``(f(*primals), f_jvp)`` with ``f_jvp(*tangents) = jvp(f, primals, tangents)[1]``,
    JAX's ``linearize``.  Each ``f_jvp`` call runs forward mode again (nothing is cached
    between calls), so it costs one evaluation of ``f`` with its tangents."""
    out, _ = jvp(f, primals, tuple(tree_map(zeros_like_value, p) for p in primals))

    def f_jvp(*tangents: Any) -> Any:
        if len(tangents) != len(primals):
            raise TypeError(f"linearize: f_jvp takes {len(primals)} tangent(s), one per "
                            f"primal, got {len(tangents)}")
        return jvp(f, primals, tangents)[1]
    return out, f_jvp

