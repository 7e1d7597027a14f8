"""Argument handling shared by the transforms: argnums, validation, casting."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..core.reverse import Meta
from ..core.tracing import Box, unbox


def argnum_alias(argnums: Any, argnum: int | None) -> Any:
    """autograd spells it ``argnum``; JAX ``argnums``. Accept both."""
    return argnums if argnum is None else argnum


def check_argnums(fname: str, argnums: int | Sequence[int], nargs: int) -> tuple[int, ...]:
    if type(argnums) is int and 0 <= argnums < nargs:  # the common case, first
        return (argnums,)
    if isinstance(argnums, (int, np.integer)):
        nums: tuple = (argnums,)
    elif isinstance(argnums, (tuple, list)):
        nums = tuple(argnums)
    else:
        raise TypeError(f"{fname}: argnums must be an int or a tuple of ints, got "
                        f"{argnums!r}")
    for n in nums:
        if not isinstance(n, (int, np.integer)) or not -nargs <= n < nargs:
            raise ValueError(
                f"{fname}: argnums={argnums!r} does not fit a call with {nargs} positional "
                f"argument(s)")
    nums = tuple(int(n) % nargs for n in nums)
    if len(set(nums)) != len(nums):
        raise ValueError(f"{fname}: argnums={argnums!r} names an argument twice; list each "
                         f"argument once")
    return nums


def partial_in(f: Callable[..., Any], args: tuple, kwargs: dict,
               nums: tuple[int, ...]) -> Callable[..., Any]:
    """``f`` as a function of the arguments at ``nums`` only, the others fixed."""
    def f_of(*diff_args: Any) -> Any:
        new = list(args)
        for i, a in zip(nums, diff_args):
            new[i] = a
        return f(*new, **kwargs)
    return f_of


_F64 = np.dtype(np.float64)


def value_dtype(x: Any) -> np.dtype:
    if type(x) is float:
        return _F64
    v = unbox(x)
    return v.dtype if hasattr(v, "dtype") else np.result_type(v)


def check_inexact(fname: str, leaves: list, what: str = "argument",
                  first: int = 0) -> None:
    """Every leaf a float or complex number or array (``what first+i`` names leaf i)."""
    for i, x in enumerate(leaves, start=first):
        if isinstance(x, (str, bytes)) or not isinstance(
                unbox(x), (int, float, complex, np.generic, np.ndarray, Meta)):
            raise TypeError(f"{fname}: {what} {i} is a {type(x).__name__}, not a number or "
                            f"array; derivatives need float or complex inputs (containers: "
                            f"tuples, lists, dicts)")
        dt = value_dtype(x)
        if dt.kind not in "fc":
            raise TypeError(
                f"{fname}: {what} {i} has dtype {dt}; derivatives need float or complex "
                f"inputs. Pass e.g. {1.0 if dt.kind in 'iub' else 'a float array'} or "
                f"x.astype(float) instead, or leave it out of argnums.")


def cast_like(g: Any, x: Any) -> Any:
    """``g`` with the dtype of ``x`` (float32 inputs get float32 derivatives)."""
    tg = type(g)
    if tg is np.float64 and type(x) is float:  # the common scalar case first
        return g
    if type(x) in (float, np.float64) and tg in (float, np.float64):
        return g if tg is np.float64 else np.float64(g)  # one type for scalar gradients
    if isinstance(g, Box):
        return g
    dt = value_dtype(x)
    gv = g if tg is np.ndarray else np.asarray(g)
    if type(x) in (float, np.float64) and gv.ndim == 0:
        return np.float64(gv.real if gv.dtype.kind == "c" else gv)
    if gv.dtype == dt:
        return g
    if gv.dtype.kind == "c" and dt.kind != "c":
        gv = gv.real
    return gv.astype(dt)


def distinct_arrays(values: list) -> list:
    """``values`` with each array that shares its memory with an earlier one copied.

    A rule may hand one adjoint to two inputs (``x + y`` passes it through), so two
    gradients could be one array, and an in-place update of one would change the other.
    """
    if len(values) < 2:
        return values
    seen: set[int] = set()
    out = []
    for v in values:
        if type(v) is np.ndarray:
            root = v
            while isinstance(root.base, np.ndarray):
                root = root.base
            if id(root) in seen:
                v = v.copy()
            else:
                seen.add(id(root))
        out.append(v)
    return out


def zeros_like_value(x: Any) -> Any:
    v = unbox(x)  # the shape is the example's (a batch box leaves out its batch axis)
    shape = x.shape if isinstance(x, Box) else np.shape(v)  # type: ignore[attr-defined]
    return np.zeros(shape, dtype=value_dtype(v))


def strip_level(x: Any, level: int) -> Any:
    """The value of ``x`` seen from outside the transform at ``level`` (a traced Python
    float, which scalar code is computed in, comes out as NumPy's float64, as NumPy
    would have returned it)."""
    if isinstance(x, Box) and x._level == level:
        v = x._value
        return np.float64(v) if type(v) is float else v
    return x
