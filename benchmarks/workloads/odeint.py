"""Workload 6: the gradient of a loss of an ODE solution (``odeint``, the adjoint method).

Every library solves with ``scipy.integrate.odeint`` (LSODA, rtol = atol = 1e-8)
forwards, then integrates the adjoint system backwards interval by interval:
wengert's ``wengert.scipy.integrate.odeint``, autograd's
``autograd.scipy.integrate.odeint``, and a hand-written adjoint in NumPy with the
Jacobian products coded by hand (the floor: the same algorithm, no AD).

* odeint_node: a small neural ODE, ``dy/dt = W2 tanh(W1 y + b1)`` with ``y`` in R²
  and 16 hidden units (seed 0: W ~ N(0, 0.5²), b1 ~ N(0, 0.1²), y0 = (1, -0.5)),
  observed at 10 times in [0, 1]; loss = mean squared distance to fixed targets;
  gradient in (y0, W1, b1, W2).
* odeint_lotka_volterra: prey/predator ``[a x - b x y, -c y + d x y]`` with
  (a, b, c, d) = (1.1, 0.4, 0.4, 0.1) from (10, 5), 20 times in [0, 5]; loss =
  sum of squares of the solution; gradient in (y0, parameters).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from ._common import Workload, flat, load

TOL = {"rtol": 1e-8, "atol": 1e-8}
HIDDEN = 16


@lru_cache(maxsize=1)
def node_data() -> tuple:
    rng = np.random.default_rng(0)
    w1 = rng.normal(0.0, 0.5, (HIDDEN, 2))
    b1 = rng.normal(0.0, 0.1, HIDDEN)
    w2 = rng.normal(0.0, 0.5, (2, HIDDEN))
    y0 = np.array([1.0, -0.5])
    t = np.linspace(0.0, 1.0, 10)
    target = rng.normal(0.0, 1.0, (10, 2))
    return y0, (w1, b1, w2), t, target


LV_Y0 = np.array([10.0, 5.0])
LV_P = np.array([1.1, 0.4, 0.4, 0.1])
LV_T = np.linspace(0.0, 5.0, 20)


def node_f(m: Any) -> Any:
    def f(y: Any, t: Any, w1: Any, b1: Any, w2: Any) -> Any:
        return m.dot(w2, m.tanh(m.dot(w1, y) + b1))
    return f


def lv_f(m: Any) -> Any:
    def f(y: Any, t: Any, p: Any) -> Any:
        x, z = y[0], y[1]
        return m.stack([p[0] * x - p[1] * x * z, -p[2] * z + p[3] * x * z])
    return f


# -- the hand-written adjoint ----------------------------------------------------------------
def _adjoint(f: Any, vjp: Any, y0: np.ndarray, t: np.ndarray, p: np.ndarray,
             dloss: Any) -> tuple:
    """Loss and gradients in (y0, p) by the adjoint method, ``vjp(y, p, a)`` coded by hand."""
    from scipy.integrate import odeint
    ny, npar = y0.size, p.size
    ys = odeint(lambda y, s: f(y, p), y0, t, **TOL)
    loss, g = dloss(ys)

    def aug(s: np.ndarray, _t: float) -> np.ndarray:
        y, a = s[:ny], s[ny:2 * ny]
        ay, ap = vjp(y, p, a)
        return np.concatenate([f(y, p), -ay, -ap])

    a, pbar = g[-1].copy(), np.zeros(npar)
    for i in range(len(t) - 1, 0, -1):
        end = odeint(aug, np.concatenate([ys[i], a, pbar]), [t[i], t[i - 1]], **TOL)[1]
        a, pbar = end[ny:2 * ny] + g[i - 1], end[2 * ny:]
    return loss, a, pbar


def _node_hand() -> Any:
    y0, (w1, b1, w2), t, target = node_data()
    shapes = [w1.shape, b1.shape, w2.shape]
    sizes = [w1.size, b1.size, w2.size]

    def unpack(p: np.ndarray) -> list:
        out, i = [], 0
        for s, n in zip(shapes, sizes):
            out.append(p[i:i + n].reshape(s))
            i += n
        return out

    def f(y: np.ndarray, p: np.ndarray) -> np.ndarray:
        a1, c1, a2 = unpack(p)
        return a2 @ np.tanh(a1 @ y + c1)

    def vjp(y: np.ndarray, p: np.ndarray, a: np.ndarray) -> tuple:
        a1, c1, a2 = unpack(p)
        h = np.tanh(a1 @ y + c1)
        dz = (1.0 - h * h) * (a2.T @ a)
        return a1.T @ dz, np.concatenate([np.outer(dz, y).ravel(), dz, np.outer(a, h).ravel()])

    def dloss(ys: np.ndarray) -> tuple:
        r = ys - target
        return np.mean(r * r), 2.0 * r / r.size

    p = np.concatenate([w1.ravel(), b1, w2.ravel()])

    def run() -> Any:
        loss, gy0, gp = _adjoint(f, vjp, y0, t, p, dloss)
        return loss, [gy0, *unpack(gp)]

    return run


def _lv_hand() -> Any:
    def f(y: np.ndarray, p: np.ndarray) -> np.ndarray:
        return np.array([p[0] * y[0] - p[1] * y[0] * y[1], -p[2] * y[1] + p[3] * y[0] * y[1]])

    def vjp(y: np.ndarray, p: np.ndarray, a: np.ndarray) -> tuple:
        x, z = y
        ay = np.array([a[0] * (p[0] - p[1] * z) + a[1] * p[3] * z,
                       -a[0] * p[1] * x + a[1] * (-p[2] + p[3] * x)])
        ap = np.array([a[0] * x, -a[0] * x * z, -a[1] * z, a[1] * x * z])
        return ay, ap

    def dloss(ys: np.ndarray) -> tuple:
        return np.sum(ys * ys), 2.0 * ys

    def run() -> Any:
        loss, gy0, gp = _adjoint(f, vjp, LV_Y0, LV_T, LV_P, dloss)
        return loss, [gy0, gp]

    return run


# -- the makers ------------------------------------------------------------------------------
def _makers(problem: str) -> dict:
    def setup(m: Any, odeint: Any, autograd_style: bool) -> tuple:
        # autograd's odeint takes args as one tuple, autograd's own (traced) tuple type
        pack = __import__("autograd.builtins").builtins.tuple if autograd_style else tuple
        if problem == "node":
            y0, params, t, target = node_data()
            f = node_f(m)

            def loss(y0: Any, *params: Any) -> Any:
                ys = (odeint(f, y0, t, pack(params), **TOL) if autograd_style
                      else odeint(f, y0, t, *params, **TOL))
                return m.mean((ys - target) ** 2)
            return loss, (y0, *params)
        g = lv_f(m)

        def lv_loss(y0: Any, p: Any) -> Any:
            ys = (odeint(g, y0, LV_T, pack((p,)), **TOL) if autograd_style
                  else odeint(g, y0, LV_T, p, **TOL))
            return m.sum(ys * ys)
        return lv_loss, (LV_Y0, LV_P)

    def wengert() -> tuple:
        wengert = load("wengert")
        import wengert.numpy as wnp
        from wengert.scipy.integrate import odeint
        loss, args = setup(wnp, odeint, autograd_style=False)
        vg = wengert.value_and_grad(loss, argnums=tuple(range(len(args))))
        return (lambda: vg(*args)), (lambda out: (float(out[0]), flat(out[1])))

    def autograd() -> tuple:
        autograd = load("autograd")
        import autograd.numpy as anp
        from autograd.scipy.integrate import odeint
        loss, args = setup(anp, odeint, autograd_style=True)
        vg = autograd.value_and_grad(lambda xs: loss(*xs))
        return (lambda: vg(list(args))), (lambda out: (float(out[0]), flat(out[1])))

    def handwritten() -> tuple:
        run = _node_hand() if problem == "node" else _lv_hand()
        return run, (lambda out: (float(out[0]), flat(out[1])))

    return {"wengert": wengert, "handwritten": handwritten, "autograd": autograd}


def workloads(quick: bool) -> list[Workload]:
    return [
        Workload(name="odeint_node", family="odeint", reference="autograd", tol=1e-4,
                 title=f"neural ODE (2-{HIDDEN}-2, tanh), 10 times: loss and gradient "
                       f"(adjoint method)", makers=_makers("node"),
                 params={"hidden": HIDDEN, "times": 10, **TOL}),
        Workload(name="odeint_lotka_volterra", family="odeint", reference="autograd", tol=1e-4,
                 title="Lotka-Volterra, 20 times: loss and gradient (adjoint method)",
                 makers=_makers("lv"), params={"times": 20, **TOL}),
    ]
