"""Forward mode: carry a tangent beside every primal (dual numbers).

A :class:`JVPBox` holds a primal and its tangent ``v̇``.  Each primitive
applied to it computes the output tangent at once, as the sum over its boxed
arguments of the primitive's JVP rule; nothing is recorded, so memory does not
grow with the length of the program.  ``tangent is None`` means a zero tangent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .tracing import Box, accumulate

if TYPE_CHECKING:  # pragma: no cover
    from .primitive import Primitive


class JVPBox(Box):
    __slots__ = ("_tangent",)

    def __init__(self, value: Any, level: int, tangent: Any) -> None:
        self._value = value
        self._level = level
        self._tangent = tangent

    @classmethod
    def lift(cls, prim: Primitive, ans: Any, args: tuple, vals: Sequence, params: dict,
             level: int) -> Any:
        if prim.jvp_all is not None:
            tangents = [a._tangent if isinstance(a, JVPBox) and a._level == level else None
                        for a in args]
            out = prim.jvp_all(tangents, ans, *vals, **params)
            if prim.multiple_results:
                return tuple(v if t is None else cls(v, level, t) for v, t in zip(ans, out))
            return ans if out is None else cls(ans, level, out)
        out = None
        for i, a in enumerate(args):
            if isinstance(a, JVPBox) and a._level == level and a._tangent is not None:
                t = prim.jvp_rule(i)(a._tangent, ans, *vals, **params)
                if t is None:
                    continue
                if out is None:
                    out = t
                elif prim.multiple_results:
                    out = tuple(_add(o, n) for o, n in zip(out, t))
                else:
                    out = accumulate(out, t, 1)
        if out is None:
            return ans
        if prim.multiple_results:
            return tuple(v if t is None else cls(v, level, t) for v, t in zip(ans, out))
        return cls(ans, level, out)


def _add(a: Any, b: Any) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    return a + b
