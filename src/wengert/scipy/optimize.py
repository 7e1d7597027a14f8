"""``wengert.scipy.optimize``: ``scipy.optimize.minimize`` with wengert's derivatives.

``minimize(fun, x0, ...)`` takes SciPy's arguments, with ``x0`` any pytree of float
arrays (a dict of weights, a list of layers ...).  The parameters are flattened into
one vector for SciPy and restored in every call of ``fun`` and in the result, whose
``x`` (and ``jac``) have ``x0``'s structure.  wengert supplies

* ``jac=True``: ``fun``'s value and gradient from one reverse pass (``value_and_grad``),
  for the methods that use gradients (all but Nelder-Mead, Powell, COBYLA, COBYQA);
* ``hessp``: Hessian-vector products (``wengert.hvp``, forward over reverse) for
  Newton-CG, trust-ncg, trust-krylov and trust-constr; ``hess`` (``wengert.hessian``)
  for dogleg and trust-exact, which need the whole matrix;
* for constraints given as dicts without ``jac``, their Jacobians.

``bounds`` and vector-valued options (``x_scale`` ...) refer to the flat vector: the
leaves in ``wengert.tree_flatten`` order, each raveled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..core.tree import tree_flatten, tree_unflatten

__all__ = ["minimize"]

_NO_GRADIENT = {"nelder-mead", "powell", "cobyla", "cobyqa"}
_HESSP = {"newton-cg", "trust-ncg", "trust-krylov", "trust-constr"}
_HESS = {"dogleg", "trust-exact"}


class _Flat:
    """The map between a pytree of float arrays and one flat float64 vector."""

    def __init__(self, tree: Any) -> None:
        leaves, self.treedef = tree_flatten(tree)
        if not leaves:
            raise ValueError("wengert.scipy.optimize.minimize: x0 has no array leaves to "
                             "optimize")
        arrays = []
        for i, leaf in enumerate(leaves):
            a = np.asarray(leaf)
            if a.dtype.kind not in "fiu" or a.dtype == np.bool_:
                raise TypeError(f"wengert.scipy.optimize.minimize: leaf {i} of x0 has dtype "
                                f"{a.dtype}; the parameters must be real floats (close over "
                                f"other values in fun, or pass them in args)")
            arrays.append(a)
        self.shapes = [a.shape for a in arrays]
        self.sizes = [a.size for a in arrays]
        self.x0 = np.concatenate([a.ravel().astype(np.float64) for a in arrays])

    def unravel(self, v: Any) -> Any:
        from .. import numpy as wnp
        out, start = [], 0
        for s, n in zip(self.shapes, self.sizes):
            part = v[start:start + n]
            out.append(wnp.reshape(part, s))
            start += n
        return tree_unflatten(self.treedef, out)


def _method(method: Any, bounds: Any, constraints: Any) -> str:
    if method is None:  # SciPy's choice
        if constraints:
            return "slsqp"
        return "l-bfgs-b" if bounds is not None else "bfgs"
    if callable(method):
        return "custom"
    if not isinstance(method, str):
        raise TypeError(f"wengert.scipy.optimize.minimize: method must be a string or a "
                        f"callable, not {type(method).__name__}")
    return method.lower()


def _scalar(out: Any) -> float:
    try:
        return float(np.asarray(out).reshape(()))
    except (TypeError, ValueError):
        raise TypeError(f"wengert.scipy.optimize.minimize: fun must return a scalar, not "
                        f"{type(out).__name__} of shape {np.shape(out)}") from None


def minimize(fun: Callable[..., Any], x0: Any, args: tuple = (), method: Any = None,
             jac: Any = None, hess: Any = None, hessp: Any = None, bounds: Any = None,
             constraints: Any = (), tol: float | None = None,
             callback: Callable[..., Any] | None = None, options: dict | None = None) -> Any:
    """Minimize ``fun(x, *args)`` over the pytree ``x`` from ``x0`` with
    ``scipy.optimize.minimize``, gradients (and Hessian products) from wengert.

    Returns SciPy's ``OptimizeResult`` with ``x`` (and ``jac``) restored to ``x0``'s
    structure.  Give ``jac=False`` to use no gradient; ``jac``, ``hess`` and ``hessp``
    are otherwise computed, so leave them out.
    """
    import scipy.optimize as so

    from ..transforms import hessian, hvp, value_and_grad

    if not callable(fun):
        raise TypeError(f"wengert.scipy.optimize.minimize: fun must be callable fun(x, *args), "
                        f"not {type(fun).__name__}")
    for name, given in (("jac", jac), ("hess", hess), ("hessp", hessp)):
        if given is not None and not (name == "jac" and given is False):
            raise ValueError(f"wengert.scipy.optimize.minimize: {name}={given!r}: wengert "
                             f"computes {name} itself; leave it out (or jac=False for a "
                             f"method without gradients)")
    args = args if isinstance(args, tuple) else (args,)
    flat = _Flat(x0)
    m = _method(method, bounds, constraints)

    def f_flat(v: Any) -> Any:
        return fun(flat.unravel(v), *args)

    kw: dict[str, Any] = {}
    if jac is not False and m not in _NO_GRADIENT:
        vg = value_and_grad(f_flat)

        def fun_and_jac(v: np.ndarray) -> tuple:
            val, g = vg(v)
            return _scalar(val), np.asarray(g, dtype=np.float64)

        objective: Callable[..., Any] = fun_and_jac
        kw["jac"] = True
        if m in _HESSP:
            kw["hessp"] = lambda v, p: np.asarray(hvp(f_flat, (v,), (p,))[0], dtype=np.float64)
        elif m in _HESS:
            kw["hess"] = lambda v: np.asarray(hessian(f_flat)(v), dtype=np.float64)
    else:
        def objective(v: np.ndarray) -> float:
            return _scalar(f_flat(v))

    if callback is not None:
        kw["callback"] = lambda xk, *rest: callback(flat.unravel(xk), *rest)
    res = so.minimize(objective, flat.x0, method=method, bounds=bounds,
                      constraints=_constraints(constraints, flat), tol=tol, options=options,
                      **kw)
    res.x = flat.unravel(res.x)
    if "jac" in res and np.size(res.jac) == flat.x0.size:
        res.jac = flat.unravel(np.asarray(res.jac))
    return res


def _constraints(constraints: Any, flat: _Flat) -> Any:
    """Dict constraints with ``fun(x_tree, *args)``: flat, with their Jacobians."""
    from ..transforms import jacobian
    if isinstance(constraints, dict):
        return _constraint(constraints, flat, jacobian)
    if isinstance(constraints, (list, tuple)):
        return [_constraint(c, flat, jacobian) if isinstance(c, dict) else c
                for c in constraints]
    return constraints


def _constraint(c: dict, flat: _Flat, jacobian: Any) -> dict:
    if "fun" not in c:
        raise ValueError("wengert.scipy.optimize.minimize: each constraint dict needs 'fun'")
    cargs = tuple(c.get("args", ()))
    user = c["fun"]

    def cfun(v: Any, *a: Any) -> Any:
        return user(flat.unravel(v), *a)

    out = dict(c)
    out["fun"] = lambda v, *a: np.asarray(cfun(v, *a), dtype=np.float64)
    if "jac" not in c:
        out["jac"] = lambda v, *a: np.asarray(jacobian(lambda u: cfun(u, *a))(v),
                                              dtype=np.float64)
    out["args"] = cargs
    return out
