"""Specs for ``odeint`` (wengert/rules/scipy_integrate.py, wengert/scipy/integrate.py).

The solver runs at tight tolerances so that finite differences of its answer (and of
its derivatives, at order 2) are accurate to about 1e-6; the value is SciPy's own
``odeint``.  Analytic checks (linear ODEs against ``expm``) are in tests/scipy.
"""

from __future__ import annotations

import numpy as np
import scipy.integrate as si

import wengert.numpy as wnp
from wengert.scipy.integrate import odeint

from .spec import Spec

_TOL = dict(rtol=1e-11, atol=1e-11)
_T = np.array([0.0, 0.4, 1.0])
# The solver's answer moves by up to ~1e-9 as its adaptive steps change between x ± eps:
# at eps = 1e-6 that is 1e-3 of noise in a difference quotient (about 1 point in 40
# failed); at 1e-4 the quotient's truncation error is still far below the tolerance.
_FD_STEP = 1e-4


def _linear(y, t, a):  # type: ignore[no-untyped-def]
    return wnp.matmul(a, y)


def _forced(y, t, k):  # type: ignore[no-untyped-def]
    return -k * y + wnp.sin(3.0 * t) * y[::-1]


SPECS = [
    Spec(["scipy.integrate.odeint"], lambda y0, a: odeint(_linear, y0, _T, 0.5 * a, **_TOL),
         [[(2,), (2, 2)], [(3,), (3, 3)]],
         ref=lambda y0, a: si.odeint(lambda y, t: 0.5 * a @ y, y0, _T, **_TOL),
         name="odeint[linear]", atol=1e-4, rtol=1e-4, eps=_FD_STEP),
    Spec(["scipy.integrate.odeint"],
         lambda y0, dt, k: odeint(_forced, y0, _T + 0.1 * dt, k, **_TOL),
         [[(2,), (3,), ()], [(2,), (3,), (2,)]],
         ref=lambda y0, dt, k: si.odeint(lambda y, t: -k * y + np.sin(3.0 * t) * y[::-1], y0,
                                         _T + 0.1 * dt, **_TOL),
         name="odeint[times]", atol=1e-4, rtol=1e-4, eps=_FD_STEP),
]
