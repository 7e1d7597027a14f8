"""Numerical differentiation and gradient checking.

Finite differences approximate a derivative from function values:

* forward  ``(f(x+h) - f(x)) / h``          error O(h) + round-off O(ε/h)
* backward ``(f(x) - f(x-h)) / h``          error O(h) + round-off O(ε/h)
* central  ``(f(x+h) - f(x-h)) / 2h``       error O(h²) + round-off O(ε/h)
* complex step ``Im f(x+ih) / h``           no cancellation: exact to rounding for
  real-analytic ``f`` written without ``abs``/comparisons on complex values.

Default steps balance the two errors for float64 (ε ≈ 2.2e-16): ``h = √ε·max(1,|x|)
≈ 1.5e-8`` for one-sided differences, ``h = ∛ε·max(1,|x|) ≈ 6.1e-6`` for central
differences, ``h = 1e-20`` for the complex step.  For float32 inputs the same
formulas use float32's ε.

``check_grads`` compares wengert's forward and reverse modes with central
differences along random directions, to any order, and says which argument
and which entry disagree, and by how much.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .core.tree import tree_flatten, tree_unflatten

METHODS = ("forward", "backward", "central", "complex")


def default_step(x: Any, method: str = "central") -> Any:
    """The default step for ``method`` at ``x`` (see the module docstring)."""
    x = np.asarray(x)
    dt = x.dtype if x.dtype.kind in "fc" else np.dtype(np.float64)
    eps = np.finfo(dt).eps
    if method == "complex":
        return 1e-20
    base = np.sqrt(eps) if method in ("forward", "backward") else np.cbrt(eps)
    return base * np.maximum(1.0, np.abs(x))


def _difference(f: Callable[[Any], Any], x: Any, v: Any, h: Any, method: str) -> Any:
    if method == "forward":
        return (np.asarray(f(x + h * v)) - np.asarray(f(x))) / h
    if method == "backward":
        return (np.asarray(f(x)) - np.asarray(f(x - h * v))) / h
    if method == "central":
        return (np.asarray(f(x + h * v)) - np.asarray(f(x - h * v))) / (2 * h)
    if method == "complex":
        return np.imag(np.asarray(f(x + 1j * h * v))) / h
    raise ValueError(f"method must be one of {METHODS}, not {method!r}")


def derivative(f: Callable[[Any], Any], x: float, method: str = "central",
               h: float | None = None) -> Any:
    """Approximate ``f'(x)`` for scalar ``x``."""
    xa = np.asarray(x, dtype=np.result_type(x, 0.0))
    step = default_step(xa, method) if h is None else h
    return _difference(f, xa, np.ones_like(xa), step, method)


def jacobian(f: Callable[[Any], Any], x: Any, method: str = "central",
             h: float | None = None) -> np.ndarray:
    """Approximate the Jacobian of ``f`` at array ``x``: shape ``f(x).shape + x.shape``."""
    x = np.asarray(x, dtype=np.result_type(x, 0.0))
    cols = []
    for k in range(x.size):
        e = np.zeros(x.size, dtype=x.dtype)
        e[k] = 1
        e = e.reshape(x.shape)
        step = default_step(x.reshape(-1)[k], method) if h is None else h
        cols.append(_difference(f, x, e, step, method))
    out_shape = np.shape(cols[0]) if cols else np.shape(f(x))
    return np.stack(cols, axis=-1).reshape(out_shape + x.shape) if cols else np.zeros(
        out_shape + x.shape)


def gradient(f: Callable[[Any], Any], x: Any, method: str = "central",
             h: float | None = None) -> np.ndarray:
    """Approximate the gradient of scalar ``f`` at array ``x`` (shape of ``x``)."""
    return jacobian(f, x, method, h)


def numerical_jvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any],
                  eps: float = 1e-6) -> Any:
    """Central difference of ``f`` along ``tangents``: ``(f(x+εv) - f(x-εv)) / 2ε``."""
    p_flat, p_def = tree_flatten(tuple(primals))
    t_flat, _ = tree_flatten(tuple(tangents))

    def shifted(s: float) -> Any:
        xs = [np.asarray(p) + s * eps * np.asarray(t) for p, t in zip(p_flat, t_flat)]
        return f(*tree_unflatten(p_def, xs))

    plus, plus_def = tree_flatten(shifted(1.0))
    minus, _ = tree_flatten(shifted(-1.0))
    return tree_unflatten(plus_def, [_central(a, b, eps) for a, b in zip(plus, minus)])


def _central(plus: Any, minus: Any, eps: float) -> Any:
    plus, minus = np.asarray(plus), np.asarray(minus)
    if plus.dtype.kind not in "fc":  # booleans, integers: piecewise constant, derivative 0
        return np.zeros(plus.shape)
    return (plus - minus) / (2 * eps)


# -- gradient checking ------------------------------------------------------------------
class GradientCheckError(AssertionError):
    """A derivative disagrees with finite differences."""


def _rand_like(rng: np.random.Generator, x: Any) -> Any:
    x = np.asarray(x)
    v = rng.standard_normal(x.shape)
    if x.dtype.kind == "c":
        v = v + 1j * rng.standard_normal(x.shape)
    return v.astype(x.dtype) if x.dtype.kind in "fc" else v


def _inner(a: Any, b: Any) -> float:
    fa, _ = tree_flatten(a)
    fb, _ = tree_flatten(b)
    return float(sum(np.real(np.sum(np.asarray(x) * np.asarray(y))) for x, y in zip(fa, fb)))


def _tols(leaves: list, atol: float | None, rtol: float | None) -> tuple[float, float]:
    low = any(np.asarray(x).dtype in (np.float32, np.complex64) for x in leaves)
    return (atol if atol is not None else (1e-2 if low else 1e-5),
            rtol if rtol is not None else (1e-2 if low else 1e-5))


def _worst(expected: Any, got: Any) -> str:
    e_flat, _ = tree_flatten(expected)
    g_flat, _ = tree_flatten(got)
    best = (-1.0, "")
    for i, (e, g) in enumerate(zip(e_flat, g_flat)):
        e, g = np.asarray(e), np.asarray(np.broadcast_to(g, np.shape(e)))
        if e.size == 0:
            continue
        diff = np.abs(e - g)
        k = int(np.argmax(diff))
        if diff.flat[k] > best[0]:
            idx = tuple(int(j) for j in np.unravel_index(k, e.shape)) if e.ndim else ()
            best = (float(diff.flat[k]), f"output {i} entry {idx}: derivative {g.flat[k]!r}, "
                    f"finite differences {e.flat[k]!r} (difference {diff.flat[k]:.3g})")
    return best[1]


def _arg_label(treedef: Any, i: int) -> str:
    """Name flat leaf ``i`` of the argument tuple: ``argument 1`` or ``argument 1, leaf 2``."""
    start = 0
    for a, sub in enumerate(treedef.children):
        if i < start + sub.num_leaves:
            return f"argument {a}" if sub.kind is None else f"argument {a}, leaf {i - start}"
        start += sub.num_leaves
    return f"argument {i}"


def check_jvp(f: Callable[..., Any], args: Sequence[Any], *, eps: float = 1e-6,
              atol: float | None = None, rtol: float | None = None, seed: int = 0) -> None:
    """Forward mode against central differences along a random tangent."""
    from .transforms import jvp
    rng = np.random.default_rng(seed)
    flat, treedef = tree_flatten(tuple(args))
    atol, rtol = _tols(flat, atol, rtol)
    for i in range(len(flat)):  # one argument at a time, so a failure names it
        if np.asarray(flat[i]).dtype.kind not in "fc":
            continue
        tangents = [np.zeros_like(np.asarray(x)) if np.asarray(x).dtype.kind in "fc"
                    else np.zeros(np.shape(x)) for x in flat]
        tangents[i] = _rand_like(rng, flat[i])
        t_tree = tree_unflatten(treedef, tangents)
        _, got = jvp(f, tuple(args), t_tree)
        expected = numerical_jvp(f, tuple(args), t_tree, eps)
        e_flat, _ = tree_flatten(expected)
        g_flat, _ = tree_flatten(got)
        for e, g in zip(e_flat, g_flat):
            if not np.allclose(np.asarray(g), np.asarray(e), atol=atol, rtol=rtol):
                raise GradientCheckError(
                    f"forward mode of {getattr(f, '__name__', 'f')} disagrees with finite "
                    f"differences for {_arg_label(treedef, i)}: {_worst(expected, got)}")


def check_vjp(f: Callable[..., Any], args: Sequence[Any], *, eps: float = 1e-6,
              atol: float | None = None, rtol: float | None = None, seed: int = 0) -> None:
    """Reverse mode: ``<vjp(u), v> = <u, J v>`` with ``J v`` by central differences."""
    from .transforms import vjp
    rng = np.random.default_rng(seed + 1)
    flat, treedef = tree_flatten(tuple(args))
    atol, rtol = _tols(flat, atol, rtol)
    out, pullback = vjp(f, *args)
    u = tree_unflatten(tree_flatten(out)[1], [_rand_like(rng, o) for o in tree_flatten(out)[0]])
    cts = tree_flatten(pullback(u))[0]
    for i in range(len(flat)):
        if np.asarray(flat[i]).dtype.kind not in "fc":
            continue
        tangents = [np.zeros_like(np.asarray(x)) if np.asarray(x).dtype.kind in "fc"
                    else np.zeros(np.shape(x)) for x in flat]
        tangents[i] = _rand_like(rng, flat[i])
        jv = numerical_jvp(f, tuple(args), tree_unflatten(treedef, tangents), eps)
        lhs = _inner(cts[i], tangents[i])
        rhs = _inner(u, jv)
        scale = atol + rtol * (abs(rhs) + 1.0)
        if not abs(lhs - rhs) <= 10 * scale:
            detail = ""
            x = np.asarray(flat[i])
            if x.size <= 64:  # small enough to find the entry
                def f_i(xi: Any) -> Any:
                    new = list(flat)
                    new[i] = xi
                    return _inner(u, f(*tree_unflatten(treedef, new)))
                detail = "; " + _worst(jacobian(f_i, x), cts[i]).replace("output 0 ", "")
            raise GradientCheckError(
                f"reverse mode of {getattr(f, '__name__', 'f')} disagrees with finite "
                f"differences for {_arg_label(treedef, i)}: <vjp(u), v> = {lhs!r} but "
                f"<u, J v> = {rhs!r}{detail}")


def check_grads(f: Callable[..., Any], args: Sequence[Any] | None = None, order: int = 2,
                modes: Sequence[str] = ("fwd", "rev"), *, eps: float = 1e-6,
                atol: float | None = None, rtol: float | None = None, seed: int = 0) -> Any:
    """Check ``f``'s derivatives in ``modes`` up to ``order`` against finite differences.

    Order 2 checks the derivatives of the JVP and of the VJP themselves, so
    forward-over-forward, forward-over-reverse, reverse-over-forward and
    reverse-over-reverse are all covered.  Raises :class:`GradientCheckError`
    naming the argument and entry that disagree.

    JAX's form ``check_grads(f, args, order, modes)`` checks at once; autograd's
    form ``check_grads(f, modes=..., order=...)(*args)`` (no ``args``) returns
    the checker.
    """
    if args is None:
        def checker(*call_args: Any) -> None:
            check_grads(f, call_args, order, modes, eps=eps, atol=atol, rtol=rtol, seed=seed)
        return checker
    from .transforms import jvp, vjp
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 1:
        raise ValueError(f"check_grads: order must be an int >= 1 (1: first derivatives), "
                         f"got {order!r}")
    modes = tuple(modes)
    for m in modes:
        if m not in ("fwd", "rev"):
            raise ValueError(f"check_grads: modes must be 'fwd' and/or 'rev', not {m!r}")
    args = tuple(args)
    kw = dict(eps=eps, atol=atol, rtol=rtol, seed=seed)
    if "fwd" in modes:
        check_jvp(f, args, **kw)  # type: ignore[arg-type]
    if "rev" in modes:
        check_vjp(f, args, **kw)  # type: ignore[arg-type]
    if order <= 1:
        return
    rng = np.random.default_rng(seed + 2)
    flat, treedef = tree_flatten(args)
    if "fwd" in modes:
        v = tree_unflatten(treedef, [_rand_like(rng, x) for x in flat])

        def f_jvp(*xs: Any) -> Any:
            return jvp(f, xs, v)[1]
        f_jvp.__name__ = f"jvp({getattr(f, '__name__', 'f')})"
        check_grads(f_jvp, args, order - 1, modes, eps=eps, atol=atol, rtol=rtol,
                    seed=seed + 3)
    if "rev" in modes:
        out = f(*args)
        o_flat, o_def = tree_flatten(out)
        u = tree_unflatten(o_def, [_rand_like(rng, o) for o in o_flat])

        def f_vjp(*xs: Any) -> Any:
            return vjp(f, *xs)[1](u)
        f_vjp.__name__ = f"vjp({getattr(f, '__name__', 'f')})"
        check_grads(f_vjp, args, order - 1, modes, eps=eps, atol=atol, rtol=rtol,
                    seed=seed + 4)
