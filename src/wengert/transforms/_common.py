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
    if isinstance(argnums, (int, np.integer)) and not isinstance(argnums, bool):
        nums: tuple = (argnums,)
    elif isinstance(argnums, (tuple, list)):
        nums = tuple(argnums)
    else:
        nums = ("bad",)
    if any(isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer))
           for n in nums):
        raise TypeError(f"{fname}: argnums must be an int or a tuple of ints (positions of "
                        f"the arguments to differentiate), got {argnums!r}")
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
    check_callable("", f)

    def f_of(*diff_args: Any) -> Any:
        new = list(args)
        for i, a in zip(nums, diff_args):
            new[i] = a
        return f(*new, **kwargs)
    f_of.__name__ = fun_name(f)  # errors name the user's function
    return f_of


# -- what the user's function and arguments must be ---------------------------------------
def fun_name(f: Any) -> str:
    return str(getattr(f, "__name__", None) or type(f).__name__)


def check_callable(fname: str, f: Any) -> None:
    if not callable(f):
        raise TypeError(f"{fname + ': ' if fname else ''}the function to differentiate must "
                        f"be callable, got "
                        f"{_describe(f)}; pass the function itself, e.g. grad(f), not "
                        f"grad(f(x))")


def check_flag(fname: str, name: str, value: Any) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{fname}: {name} must be True or False, got {value!r}")


_VALUES = (int, float, complex, np.generic, np.ndarray, Meta, Box)


def _describe(x: Any) -> str:
    if x is None:
        return "None"
    name = type(x).__name__
    article = "an" if name[:1].lower() in "aeiou" else "a"
    if isinstance(x, (str, bytes)):
        return f"{article} {name} ({x!r:.30})"
    return f"{article} {name}"


def _find_bad(x: Any, path: str) -> tuple[str, Any] | None:
    """The first part of pytree ``x`` that is neither an array nor a number (``None``
    counts, though pytrees read it as empty), with where it is."""
    if isinstance(x, _VALUES) and not isinstance(x, (str, bytes)):
        return None
    if x is None or isinstance(x, (str, bytes)):
        return path, x
    if isinstance(x, (tuple, list)):
        items: Any = enumerate(x)
    elif isinstance(x, dict):
        items = x.items()
    else:
        from ..core.tree import tree_flatten
        leaves = tree_flatten(x)[0]
        if len(leaves) == 1 and leaves[0] is x:  # not a container: an object
            return path, x
        items = enumerate(leaves)
    for k, v in items:
        found = _find_bad(v, f"{path}[{k!r}]")
        if found is not None:
            return found
    return None


ARRAYS = "an array or a number (or a tuple, list or dict of them)"


def check_output(fname: str, f: Any, out: Any, expected: str) -> None:
    """A clear error when ``f`` returned something that is not an array or a number
    (``None``, a string, an object), anywhere in its output."""
    bad = _find_bad(out, "")
    if bad is None:
        return
    where, value = bad
    who = "the function" if f is None else fun_name(f)
    hint = " (did it forget to return its result?)" if value is None else ""
    raise TypeError(f"{fname}: {who} returned {_describe(value)}"
                    f"{' at output' + where if where else ''} where {expected} was "
                    f"expected{hint}")


def check_values(fname: str, leaves: list, what: str) -> None:
    """Every leaf a number or an array (tangents, cotangents): ``what i`` names leaf i."""
    for i, x in enumerate(leaves):
        if _find_bad(x, "") is not None:
            raise TypeError(f"{fname}: {what} {i} is {_describe(x)}, not a number or "
                            f"array; give one of its primal's shape and dtype")


def check_tangents(fname: str, primals: Any, tangents: Any) -> None:
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError(f"{fname}: primals and tangents must be tuples (or lists) of the "
                        f"function's positional arguments, e.g. {fname}(f, (x,), (v,))")
    if len(primals) != len(tangents):
        raise ValueError(f"{fname}: tangents have another structure than primals: "
                         f"{len(tangents)} tangent(s) for {len(primals)} primal(s); give "
                         f"one tangent per primal")
    for i, t in enumerate(tangents):
        if t is None:
            raise TypeError(f"{fname}: tangent {i} is None; for no perturbation pass zeros "
                            f"of its primal's shape (np.zeros_like(x))")


def check_cotangent(fname: str, i: int, ct: Any, value: Any) -> None:
    if _find_bad(ct, "") is not None:
        raise TypeError(f"{fname}: cotangent {i} is {_describe(ct)}, not a number or "
                        f"array; give one of the output's shape")
    if value_dtype(ct).kind == "c" and value_dtype(value).kind not in "cO":
        raise TypeError(f"{fname}: cotangent {i} is complex, but the output it belongs to "
                        f"is real ({value_dtype(value)}); a real output has real cotangents")


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
