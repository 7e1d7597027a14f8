"""Forward gradients (Baydin, Pearlmutter, Syme, Wood & Torr, 2022).

For a scalar ``f`` and a random direction ``v`` with ``E[v vᵀ] = I``, the
*forward gradient* ``g(θ) = (∇f(θ)·v) v`` is an unbiased estimate of
``∇f(θ)``: ``E[g] = E[v vᵀ] ∇f = ∇f``.  The directional derivative ``∇f·v``
is one forward-mode ``jvp``: no graph is recorded and there is no backward
pass.  Averaging over ``n_samples`` directions divides the variance by
``n_samples``.  For ``v ~ N(0, I)`` in ``n`` dimensions, the variance of
component ``i`` is ``‖∇f‖² + (∇f)_i²``, so it grows with the number of
parameters; Rademacher directions (±1) give ``‖∇f‖² - (∇f)_i²``, slightly less,
and are much cheaper to draw.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .core.tracing import unbox
from .core.tree import tree_flatten, tree_map, tree_unflatten
from .transforms import jvp, vmap

DISTRIBUTIONS = ("normal", "rademacher")


def _rademacher(rng: np.random.Generator, shape: tuple, dtype: Any) -> np.ndarray:
    # One random bit per entry: far cheaper than int or float draws.
    n = int(np.prod(shape, dtype=np.int64))
    bits = np.unpackbits(np.frombuffer(rng.bytes((n + 7) // 8), np.uint8), count=n)
    return (bits.astype(dtype) * 2 - 1).reshape(shape)


def _normal32(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Standard normal float32 entries by the Box–Muller transform of float32 uniforms:
    about 2.5x faster than NumPy's float32 ziggurat (its logs, roots, sines and cosines
    are SIMD loops).  With 24-bit uniforms |z| < 5.8 (a tail of probability 7e-9 is
    cut), far below what a forward-gradient estimate can notice."""
    n = int(np.prod(shape, dtype=np.int64))
    m = (n + 1) // 2
    u = rng.random(2 * m, dtype=np.float32)
    r, theta = u[:m], u[m:]
    np.subtract(np.float32(1.0), r, out=r)  # (0, 1]: a finite log
    np.log(r, out=r)
    r *= np.float32(-2.0)
    np.sqrt(r, out=r)
    theta *= np.float32(2.0 * np.pi)
    out = np.empty(2 * m, np.float32)
    np.cos(theta, out=out[:m])
    np.sin(theta, out=out[m:])
    out[:m] *= r
    out[m:] *= r
    return out[:n].reshape(shape)


def sample_direction(params: Any, rng: np.random.Generator,
                     distribution: str = "normal", n_samples: int | None = None) -> Any:
    """A random tangent shaped like ``params``: N(0, I) or Rademacher (±1) entries.

    With ``n_samples`` each leaf gets a leading axis of that many directions, drawn in
    one call per leaf (leaf by leaf, so a seed gives the same first direction whatever
    ``n_samples`` is only when ``n_samples`` is None or 1).  Directions are drawn in the
    parameters' own float dtype: float64 normals by NumPy's ziggurat
    (``rng.standard_normal``), float32 normals by a Box–Muller transform of float32
    uniforms (:func:`_normal32`, 2-3x faster; a seed gives other numbers than
    ``rng.standard_normal(dtype=np.float32)`` would, with the same distribution)."""
    leaves, treedef = tree_flatten(params)
    out = []
    for p in leaves:
        v = unbox(p)
        dtype = np.result_type(v)
        if dtype.kind != "f":
            raise TypeError(f"forward_grad: parameters must be real floats, got dtype {dtype}")
        shape = np.shape(v) if n_samples is None else (n_samples,) + np.shape(v)
        if distribution == "normal" and dtype == np.float32:
            d = _normal32(rng, shape)
        elif distribution == "normal":
            d = rng.standard_normal(shape, dtype=dtype if dtype == np.float64
                                    else np.float64).astype(dtype, copy=False)
        elif distribution == "rademacher":
            d = _rademacher(rng, shape, dtype)
        else:
            raise ValueError(f"distribution must be one of {DISTRIBUTIONS}, "
                             f"not {distribution!r}")
        out.append(d)
    return tree_unflatten(treedef, out)


def _check_rng(rng: Any) -> np.random.Generator:
    if rng is None:
        raise ValueError("forward_grad: pass rng= (an np.random.Generator or an int seed); "
                         "the random directions must be reproducible")
    return np.random.default_rng(rng)


def forward_grad(f: Callable[..., Any], params: Any, *args: Any, rng: Any,
                 n_samples: int = 1, distribution: str = "normal") -> tuple[Any, Any]:
    """``(f(params, *args), estimate of ∇_params f)`` by forward gradients.

    Uses one ``jvp`` of ``f`` pushing all ``n_samples`` random directions forward at
    once (``vmap`` over the directions: one batched pass, not ``n_samples`` passes),
    averages the estimates, and runs no backward pass.  ``params`` is any pytree of float arrays;
    the estimate has its structure.  ``rng`` is an ``np.random.Generator``
    (advanced by the call) or an int seed.
    """
    if not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ValueError(f"forward_grad: n_samples must be an int >= 1, got {n_samples!r}")
    rng = _check_rng(rng)

    def f_of_params(p: Any) -> Any:
        return f(p, *args)
    f_of_params.__name__ = getattr(f, "__name__", "f")  # errors name the user's function

    directions = draw_directions(params, rng, distribution, n_samples)
    value, dd = directional_derivatives(f_of_params, params, directions, n_samples)
    _check_scalar(value)
    return value, combine(directions, dd, n_samples)


def draw_directions(params: Any, rng: np.random.Generator, distribution: str,
                    n_samples: int) -> Any:
    """The directions :func:`forward_grad` draws: a pytree like ``params``, or with
    ``n_samples > 1`` a stack of them (a leading axis per leaf)."""
    return sample_direction(params, rng, distribution, None if n_samples == 1 else n_samples)


def directional_derivatives(f: Callable[[Any], Any], params: Any, directions: Any,
                            n_samples: int) -> tuple[Any, Any]:
    """``(f(params), ∇f·v)`` for the directions of :func:`draw_directions`: one ``jvp``,
    or for a stack one batched ``jvp`` (``vmap`` over the directions), giving an array."""
    if n_samples == 1:
        return jvp(f, (params,), (directions,))
    value, dd = vmap(lambda v: jvp(f, (params,), (v,)), out_axes=(None, 0))(directions)
    return value, np.asarray(dd)


def combine(directions: Any, dd: Any, n_samples: int) -> Any:
    """The estimate ``(1/k) Σ_s (∇f·v_s) v_s``, one product per leaf."""
    if n_samples == 1:
        return tree_map(lambda vi: dd * vi, directions)
    weights = np.asarray(dd) / n_samples
    return tree_map(lambda Vi: np.tensordot(weights.astype(Vi.dtype, copy=False), Vi, 1),
                    directions)


def _check_scalar(value: Any) -> None:
    if np.ndim(value) != 0:
        raise TypeError(f"forward_grad: f must return a scalar, got shape {np.shape(value)}")


def forward_gradient_step(f: Callable[..., Any], params: Any, *args: Any, lr: float,
                          rng: Any, n_samples: int = 1,
                          distribution: str = "normal") -> tuple[Any, Any]:
    """One step of forward gradient descent: ``θ ← θ - lr · g(θ)``.

    Returns ``(new_params, f(params, *args))``.  For momentum or Adam, feed the
    estimate from :func:`forward_grad` to an optimiser of ``wengert.optim``.
    """
    value, g = forward_grad(f, params, *args, rng=rng, n_samples=n_samples,
                            distribution=distribution)
    return tree_map(lambda p, gi: p - lr * gi, params, g), value
