"""Reverse-mode transforms: ``vjp``, ``grad``, ``value_and_grad``, ``jacrev``.

``vjp`` opens a new level, runs the function on :class:`VJPBox` inputs (which
records the graph), and returns the output with a function that sweeps the
graph backwards for any cotangent.  The graph lives as long as that function.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..core.reverse import Node, VJPBox, backward_pass, sweep_tape
from ..core.tracing import Box, collector_paused, new_level, unbox
from ..core.tree import _node_type, tree_flatten, tree_map
from ._common import (
    ARRAYS,
    cast_like,
    check_argnums,
    check_callable,
    check_cotangent,
    check_flag,
    check_inexact,
    check_output,
    distinct_arrays,
    partial_in,
    strip_level,
    value_dtype,
    zeros_like_value,
)
from ._common import (
    argnum_alias as _alias,
)

_new = object.__new__
_NO_PARAMS: dict = {}


def _record(fname: str, f: Callable[..., Any], primals: tuple, has_aux: bool) -> tuple:
    """Run ``f`` under a fresh reverse-mode level."""
    check_callable(fname, f)
    check_flag(fname, "has_aux", has_aux)
    flat, in_def = tree_flatten(primals)
    check_inexact(fname, flat, "input")
    level = new_level()
    tape: list = []
    boxes = [VJPBox(x, level, Node.leaf(), -1, tape) for x in flat]
    with collector_paused():
        out = f(*in_def.unflatten(boxes))
    aux = None
    if has_aux:
        out, aux = _split_aux(fname, out, level)
    return level, flat, in_def, boxes, out, aux, tape


def _pullback(fname: str, level: int, flat: list, in_def: Any, boxes: list, out: Any,
              tape: list) -> tuple[Any, Callable[[Any], tuple]]:
    out_flat, out_def = tree_flatten(out)
    out_values = [strip_level(o, level) for o in out_flat]

    def vjp_fn(cotangent: Any) -> tuple:
        ct_flat, ct_def = tree_flatten(cotangent)
        if ct_def != out_def:
            raise ValueError(f"{fname}: the cotangent has structure {ct_def}, but the "
                             f"function's output has structure {out_def}")
        seeds = []
        for i, (o, v, ct) in enumerate(zip(out_flat, out_values, ct_flat)):
            check_cotangent(fname, i, ct, v)
            if _shape(ct) != _shape(v):
                raise ValueError(
                    f"{fname}: cotangent {i} has shape {np.shape(ct)}, but the output it "
                    f"belongs to has shape {np.shape(v)}; pass one of the output's shape")
            if isinstance(o, VJPBox) and o._level == level and o._node is not None:
                seeds.append((o._node, o._index, ct if o._scale is None else ct * o._scale))
        with collector_paused():
            adjoints = backward_pass(seeds, tape=tape)
        grads = [adjoints.get(b._node) for b in boxes]
        grads = [zeros_like_value(x) if g is None else cast_like(g, x)
                 for g, x in zip(grads, flat)]
        return in_def.unflatten(distinct_arrays(grads))

    return out_def.unflatten(out_values), vjp_fn


def _shape(x: Any) -> tuple:
    """``np.shape`` without NumPy's dispatch for traced values (the example's shape)."""
    return x.shape if type(x) is np.ndarray or isinstance(x, Box) else np.shape(x)  # type: ignore[union-attr]


# Argument types that are a single leaf: the common case skips the pytree machinery.
_LEAVES = frozenset({float, complex, np.float64, np.float32, np.complex128, np.complex64,
                     np.ndarray})


def _split_aux(fname: str, out: Any, level: int) -> tuple:
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        raise TypeError(f"{fname}(has_aux=True): the function must return a pair "
                        f"(output, auxiliary data), got {type(out).__name__}")
    return out[0], tree_map(lambda a: strip_level(a, level), out[1])


def _one_like(value: Any) -> Any:
    """The seed adjoint ȳ = 1 in the output's dtype."""
    if type(unbox(value)) in (float, np.float64):  # traced by an outer jit too
        return 1.0
    return np.ones(np.shape(value), dtype=value_dtype(value))


def vjp(f: Callable[..., Any], *primals: Any, has_aux: bool = False) -> tuple:
    """``(f(*primals), vjp_fn)``: ``vjp_fn(cotangent)`` returns one cotangent per primal.

    Like ``jax.vjp``: the cotangent has the structure of ``f``'s output; the
    result is a tuple with one entry per primal (same structure).
    """
    level, flat, in_def, boxes, out, aux, tape = _record("vjp", f, primals, has_aux)
    check_output("vjp", f, out, ARRAYS)
    value, vjp_fn = _pullback("vjp", level, flat, in_def, boxes, out, tape)
    return (value, vjp_fn, aux) if has_aux else (value, vjp_fn)


def value_and_grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0,
                   has_aux: bool = False, holomorphic: bool = False, *,
                   argnum: int | None = None) -> Callable[..., Any]:
    """A function returning ``(f(*args), ∇f(*args))`` (``((value, aux), grad)`` with aux).

    ``f`` must return a scalar, real unless ``holomorphic=True``.  The gradient
    has the structure of the argument(s) chosen by ``argnums``.  For a real
    function of complex inputs it is ``∂f/∂x - i ∂f/∂y`` (JAX's convention).
    """
    argnums = _alias(argnums, argnum)
    check_callable("grad", f)
    check_flag("grad", "has_aux", has_aux)
    check_flag("grad", "holomorphic", holomorphic)
    name = f"value_and_grad({getattr(f, '__name__', 'f')})"
    errname = f"grad({getattr(f, '__name__', 'f')})"  # errors name the user's function

    nums_for: dict[int, tuple[int, ...]] = {}  # argnums checked, by number of arguments
    single = isinstance(argnums, (int, np.integer))

    def value_and_grad_f(*args: Any, **kwargs: Any) -> Any:
        # Per call overhead matters for small functions: no helpers on the common path.
        nums = nums_for.get(len(args))
        if nums is None:
            nums = nums_for[len(args)] = check_argnums("grad", argnums, len(args))
        if holomorphic:
            _check_complex_inputs(args, nums)
        collecting = gc.isenabled()
        gc.disable()  # see collector_paused: the recorded graph has no cycles
        try:
            # Arguments that are each one array or scalar: boxed here, without the
            # pytree machinery.
            level = new_level()
            tape: list = []
            new_args = list(args)
            flat = []
            boxes = []
            in_def = None
            for i in nums:
                x = args[i]
                tx = type(x)
                if tx is not float:
                    if tx not in _LEAVES:
                        if not isinstance(x, Box) and _node_type(x) is None:  # one leaf
                            check_inexact(errname, [x], "argument", first=i)  # by position
                        level, flat, in_def, boxes, out, aux, tape = _record(
                            errname, partial_in(f, args, kwargs, nums),
                            tuple(args[i] for i in nums), has_aux)
                        break
                    check_inexact(errname, [x], "argument", first=i)
                flat.append(x)
                node = _new(Node)  # Node.leaf() without the sequence number a tape needs not
                node.prim = node.ans = node.adjoint = None
                node.args = node.parents = ()
                node.params = _NO_PARAMS
                tape.append(node)
                box = _new(VJPBox)
                box._value, box._level, box._node, box._index, box._tape = (
                    x, level, node, -1, tape)
                box._scale = None
                boxes.append(box)
                new_args[i] = box
            else:
                out = f(*new_args, **kwargs) if kwargs else f(*new_args)
                aux = None
                if has_aux:
                    out, aux = _split_aux("grad", out, level)
            if isinstance(out, VJPBox) and out._level == level:
                value = out._value
                if type(value) is float:
                    value = np.float64(value)
            else:
                value = out
            if type(value) is np.float64 and not holomorphic:
                seed: Any = 1.0
            else:
                _check_scalar(out, value, holomorphic, errname)
                seed = _one_like(value)
            if isinstance(out, VJPBox) and out._level == level and out._node is not None:
                if out._scale is not None:  # f returned its input's value times c
                    seed = seed * out._scale
                # the graph is used once: free it as we go
                if out._index < 0:
                    out._node.adjoint = seed
                    sweep_tape(tape)
                    adjoints = None  # left in the leaves' slots
                else:
                    adjoints = backward_pass([(out._node, out._index, seed)], tape=tape,
                                             free=True)
            else:
                adjoints = {}
        finally:
            if collecting:
                gc.enable()
        grads = []
        for b, x in zip(boxes, flat):
            if adjoints is None:
                node = b._node
                g, node.adjoint = node.adjoint, None
            else:
                g = adjoints.get(b._node)
            if g is None:
                grads.append(zeros_like_value(x))
            elif type(g) is np.float64 and type(x) is float:
                grads.append(g)
            else:
                grads.append(cast_like(g, x))
        grads = distinct_arrays(grads)
        g_tree = tuple(grads) if in_def is None else in_def.unflatten(grads)
        g_out = g_tree[0] if single else g_tree
        return ((value, aux), g_out) if has_aux else (value, g_out)

    value_and_grad_f.__name__ = name
    return value_and_grad_f


def _check_complex_inputs(args: tuple, nums: tuple[int, ...]) -> None:
    for i, x in enumerate(tree_flatten(tuple(args[i] for i in nums))[0]):
        if value_dtype(x).kind != "c":
            raise TypeError(
                f"grad(holomorphic=True): input {i} has dtype {value_dtype(x)}; a "
                f"holomorphic derivative needs complex inputs, e.g. x.astype(complex)")


def _check_scalar(out: Any, value: Any, holomorphic: bool, fname: str = "grad") -> None:
    if type(value) in (float, np.float64) and not holomorphic:
        return
    check_output(fname, None, out, "a scalar (a float, or an array with one entry)")
    # One entry of any shape counts as a scalar (as in autograd and PyTorch's backward).
    if isinstance(out, (tuple, list, dict)) or np.size(value) != 1:
        shape = np.shape(value) if not isinstance(out, (tuple, list, dict)) else type(out).__name__
        raise TypeError(
            f"{fname}: the function must return a scalar, but it returned {shape}. Use "
            f"jacrev/jacobian for non-scalar outputs, or vjp with an explicit cotangent.")
    kind = value_dtype(value).kind
    if holomorphic and kind != "c":
        raise TypeError(f"{fname} (holomorphic=True): the function returned a value of dtype "
                        f"{value_dtype(value)}; a holomorphic function returns complex values. "
                        f"Leave holomorphic out for a real-valued function of complex inputs.")
    if kind == "c" and not holomorphic:
        raise TypeError(f"{fname}: the function returned a complex scalar; pass "
                        "holomorphic=True for a holomorphic function, or return a real value "
                        "(e.g. its abs or real part)")
    if kind == "b":
        raise TypeError(f"{fname}: the function returned a boolean, which has no derivative; "
                        f"it must return a float (a comparison such as x > 0 is not "
                        f"differentiable: use it to select, e.g. wnp.where(x > 0, x, 0.0))")
    if kind not in "fc":
        raise TypeError(f"{fname}: the function returned a value of dtype {value_dtype(value)}; "
                        f"it must return a float (is the output detached from the inputs?)")


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0, has_aux: bool = False,
         holomorphic: bool = False, *, argnum: int | None = None) -> Callable[..., Any]:
    """The gradient of scalar ``f`` with respect to argument(s) ``argnums`` (reverse mode)."""
    argnums = _alias(argnums, argnum)
    vg = value_and_grad(f, argnums, has_aux, holomorphic)

    def grad_f(*args: Any, **kwargs: Any) -> Any:
        (value, g) = vg(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    grad_f.__name__ = f"grad({getattr(f, '__name__', 'f')})"
    grad_f.__doc__ = f"Gradient of {getattr(f, '__name__', 'f')} by reverse mode."
    return grad_f


def elementwise_grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0, *,
                     argnum: int | None = None) -> Callable[..., Any]:
    """The VJP of ``f`` with a cotangent of ones: for elementwise ``f``, its derivative."""
    argnums = _alias(argnums, argnum)
    def egrad_f(*args: Any, **kwargs: Any) -> Any:
        nums = check_argnums("elementwise_grad", argnums, len(args))
        out, vjp_fn = vjp(partial_in(f, args, kwargs, nums), *(args[i] for i in nums))
        g = vjp_fn(tree_map(lambda o: np.ones(np.shape(o), value_dtype(o)), out))
        return g[0] if isinstance(argnums, (int, np.integer)) else g
    return egrad_f


def is_traced(x: Any) -> bool:
    return isinstance(x, Box)
