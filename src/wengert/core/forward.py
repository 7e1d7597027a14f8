"""Forward mode: carry a tangent beside every primal (dual numbers).

A :class:`JVPBox` holds a primal and its tangent ``v̇``.  Each primitive
applied to it computes the output tangent at once, as the sum over its boxed
arguments of the primitive's JVP rule; nothing is recorded, so memory does not
grow with the length of the program.  ``tangent is None`` means a zero tangent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .tracing import Box, accumulate, call_rule

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
                rule = prim.jvp_rule(i)
                try:
                    t = rule(a._tangent, ans, *vals, **params)
                except (ZeroDivisionError, OverflowError):  # as in lift1
                    t = call_rule(rule, a._tangent, ans, vals, params)
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


    def lift1(self, prim: Primitive, ans: Any, argnum: int, vals: Sequence,
              params: dict) -> Any:
        # One traced argument, one rule: the common case, without lift's loop.
        tangent = self._tangent
        if prim.jvp_all is not None or prim.multiple_results or tangent is None:
            return super().lift1(prim, ans, argnum, vals, params)
        rules = prim.jvps
        rule = rules[argnum] if rules is not None and argnum < len(rules) else None
        if rule is None:
            rule = prim.jvp_rule(argnum)
        try:
            if params:
                out = rule(tangent, ans, *vals, **params)
            elif len(vals) == 1:  # spelled out: much cheaper than a call with *vals
                out = rule(tangent, ans, vals[0])
            else:
                out = rule(tangent, ans, *vals)
        except (ZeroDivisionError, OverflowError):  # Python floats; NumPy gives inf/nan
            out = call_rule(rule, tangent, ans, vals, params)
        if out is None:
            return ans
        new = _new(type(self))
        new._value = ans
        new._level = self._level
        new._tangent = out
        return new

    def lift2(self, prim: Primitive, ans: Any, second: Box, vals: Sequence,
              params: dict) -> Any:
        # Two traced arguments (x * y): lift's loop unrolled, rules looked up directly.
        t0 = self._tangent
        t1 = second._tangent  # type: ignore[attr-defined]
        rules = prim.jvps
        if (prim.jvp_all is not None or prim.multiple_results or t0 is None or t1 is None
                or rules is None or len(rules) < 2 or rules[0] is None or rules[1] is None):
            return super().lift2(prim, ans, second, vals, params)
        try:
            if params:
                out = rules[0](t0, ans, *vals, **params)
                t = rules[1](t1, ans, *vals, **params)
            else:
                v0, v1 = vals
                out = rules[0](t0, ans, v0, v1)
                t = rules[1](t1, ans, v0, v1)
        except (ZeroDivisionError, OverflowError):  # as in lift1
            out = call_rule(rules[0], t0, ans, vals, params)
            t = call_rule(rules[1], t1, ans, vals, params)
        if out is None:
            out = t
        elif t is not None:
            out = accumulate(out, t, 1)
        if out is None:
            return ans
        new = _new(type(self))
        new._value = ans
        new._level = self._level
        new._tangent = out
        return new


_new = object.__new__


def _add(a: Any, b: Any) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    return a + b
