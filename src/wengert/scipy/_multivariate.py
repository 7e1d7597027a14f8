"""The multivariate distributions of :mod:`wengert.scipy.stats`: ``multivariate_normal``
and ``dirichlet``, with SciPy's conventions for shapes and singular covariances."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from wengert import numpy as wnp
from wengert.core.tracing import unbox
from wengert.rules._util import ndim
from wengert.rules._util import shape as shape_of
from wengert.scipy import _values as values
from wengert.scipy import special as sc

_LOG_2PI = math.log(2.0 * math.pi)


def _squeeze(out: Any) -> Any:
    """SciPy's ``_squeeze_output``: size-1 axes dropped, a 0-d result a scalar."""
    shape = shape_of(out)
    if any(d == 1 for d in shape):
        out = wnp.reshape(out, tuple(d for d in shape if d != 1))
    return out


class multivariate_normal_gen:
    """The multivariate normal distribution ``N(mean, cov)``.

    ``cov`` may be a matrix, a vector (a diagonal covariance) or a scalar (a multiple
    of the identity).  With ``allow_singular=True`` a singular covariance is allowed:
    the density is then taken on its support, the span of its non-zero eigenvalues
    (cut off as SciPy does), and is 0 off it.  Its derivatives need distinct
    eigenvalues there; the default, non-singular path uses a Cholesky factor.
    """

    name = "multivariate_normal"

    def _params(self, method: str, mean: Any, cov: Any) -> tuple[int, Any, Any]:
        cshape = shape_of(cov)  # one example's, under vmap
        if mean is None:
            dim = 1 if len(cshape) < 2 else cshape[0]
            mean = np.zeros(dim)
        else:
            mshape = shape_of(mean)
            if len(mshape) > 1:
                raise ValueError(f"wengert.scipy.stats.multivariate_normal.{method}: mean "
                                 f"must be a vector, not an array of shape {mshape}")
            dim = int(np.prod(mshape))
            if dim == 1 and len(cshape) == 2:
                dim = cshape[0]
            mean = wnp.broadcast_to(wnp.reshape(mean, (-1,)), (dim,))
        ok = (len(cshape) == 0 or (len(cshape) == 1 and cshape[0] in (1, dim))
              or (len(cshape) == 2 and cshape == (dim, dim)))
        if not ok:
            raise ValueError(f"wengert.scipy.stats.multivariate_normal.{method}: cov of shape "
                             f"{cshape} does not fit a mean of dimension {dim}: give a "
                             f"({dim}, {dim}) matrix, a vector of {dim} variances or a scalar")
        return dim, mean, cov

    def _x(self, x: Any, dim: int) -> Any:
        shape = shape_of(x)
        if len(shape) == 0:
            x = wnp.reshape(x, (1,))
            shape = (1,)
        if len(shape) == 1:
            x = wnp.reshape(x, (-1, 1) if dim == 1 else (1, -1))
        if shape_of(x)[-1] != dim:
            raise ValueError(f"wengert.scipy.stats.multivariate_normal: x of shape {shape} "
                             f"does not have the dimension {dim} of the mean in its last axis")
        return x

    def _cutoff(self, s: Any) -> Any:
        """SciPy's cutoff for the eigenvalues ``s`` (one per example under vmap)."""
        return 1e6 * np.finfo(np.float64).eps * np.max(np.abs(s), initial=0.0)

    def _decompose(self, method: str, cov: Any, dim: int, allow_singular: bool) -> tuple:
        """``(rank, log pseudo-determinant, whiten)``: ``whiten(dev)`` gives ``dev``'s
        coordinates with identity covariance (``-inf`` marks a deviation off the support).
        Under vmap the rank is one per example, and the path (Cholesky or eigh) is the
        one that is right for every example."""
        cv = values.value(cov)
        where = f"wengert.scipy.stats.multivariate_normal.{method}"
        if ndim(cov) < 2:  # diagonal: no factorization
            var = wnp.broadcast_to(cov, (dim,)) if ndim(cov) == 0 else cov
            vv = np.broadcast_to(cv, (dim,))
            eps = self._cutoff(vv)
            if values.any(np.min(vv) < -eps):
                raise ValueError(f"{where}: the covariance must be positive semidefinite")
            keep = vv > eps
            if not values.all(keep) and not allow_singular:
                raise np.linalg.LinAlgError(
                    f"{where}: the covariance is singular; pass allow_singular=True")
            safe = wnp.where(keep, var, 1.0)
            logdet = wnp.sum(wnp.where(keep, wnp.log(safe), 0.0))
            return values.count(keep), logdet, lambda dev: (wnp.where(keep, dev, 0.0)
                                                            / wnp.sqrt(safe)), keep
        sv = np.linalg.eigvalsh(cv)  # not differentiated: the decision is SciPy's, by its cutoff
        eps = self._cutoff(sv)
        smallest = np.min(sv)
        if values.any(smallest < -eps):
            raise ValueError(f"{where}: the covariance must be positive semidefinite")
        if values.any(smallest <= eps) and not allow_singular:
            raise np.linalg.LinAlgError(
                f"{where}: the covariance is singular; pass allow_singular=True")
        if values.all(smallest > eps):  # Cholesky: smooth derivatives where eigh's are not
            # (repeated eigenvalues, as in a multiple of the identity)
            chol = wnp.linalg.cholesky(cov)
            logdet = 2.0 * wnp.sum(wnp.log(wnp.diagonal(chol)))
            return dim, logdet, lambda dev: wnp.swapaxes(
                wnp.linalg.solve(chol, wnp.swapaxes(dev, -1, -2)), -1, -2), None
        s, u = wnp.linalg.eigh(cov)
        keep = values.value(s) > eps
        safe = wnp.where(keep, s, 1.0)
        logdet = wnp.sum(wnp.where(keep, wnp.log(safe), 0.0))
        return (values.count(keep), logdet,
                lambda dev: wnp.where(keep, dev @ u, 0.0) / wnp.sqrt(safe), (keep, u))

    def logpdf(self, x: Any, mean: Any = None, cov: Any = 1, allow_singular: bool = False
               ) -> Any:
        dim, mean, cov = self._params("logpdf", mean, cov)
        x = self._x(x, dim)
        rank, logdet, whiten, null = self._decompose("logpdf", cov, dim, allow_singular)
        dev = x - mean
        z = whiten(dev)
        out = -0.5 * (rank * _LOG_2PI + logdet + wnp.sum(z * z, axis=-1))
        if null is not None:  # a singular covariance: the density is 0 off its support
            off = self._off_support(values.value(dev), null, values.value(cov))
            if values.any(off):
                out = wnp.where(off, -np.inf, out)
        return _squeeze(out)

    def _off_support(self, dev: Any, null: Any, cov: Any) -> Any:
        """Where ``dev`` leaves the support: its components along the null space (zeroed
        elsewhere rather than cut out, so that a mask of each example's works)."""
        if isinstance(null, tuple):
            keep, u = null
            proj = np.where(keep, 0.0, dev @ values.value(u))
            eps = 1e3 * self._cutoff(np.linalg.eigvalsh(cov))
        else:
            keep = null
            proj = np.where(keep, 0.0, dev)
            eps = 1e3 * self._cutoff(np.broadcast_to(cov, shape_of(keep)))
        return np.any(np.abs(proj) > eps, axis=-1)

    def pdf(self, x: Any, mean: Any = None, cov: Any = 1, allow_singular: bool = False) -> Any:
        return wnp.exp(self.logpdf(x, mean, cov, allow_singular))

    def entropy(self, mean: Any = None, cov: Any = 1) -> Any:
        """The differential entropy ``(rank (1 + log 2π) + log pdet(cov)) / 2`` (as in
        SciPy, a singular covariance is allowed)."""
        dim, mean, cov = self._params("entropy", mean, cov)
        rank, logdet, _, _ = self._decompose("entropy", cov, dim, True)
        return 0.5 * (rank * (1.0 + _LOG_2PI) + logdet)

    def __repr__(self) -> str:
        return "<wengert.scipy.stats.multivariate_normal>"


class dirichlet_gen:
    """The Dirichlet distribution on the simplex, with concentrations ``alpha`` (K,).

    As in SciPy, the components of ``x`` run along its first axis: ``x`` is (K,) or
    (K, N) for N points, or has K-1 components and the last is ``1 - sum``.
    """

    name = "dirichlet"

    def _alpha(self, method: str, alpha: Any) -> Any:
        shape = shape_of(alpha)  # one example's, under vmap
        if len(shape) != 1 or shape[0] < 2:
            raise ValueError(f"wengert.scipy.stats.dirichlet.{method}: alpha must be a vector "
                             f"of at least 2 concentrations, not shape {shape}")
        if np.any(np.asarray(unbox(alpha)) <= 0):  # in any example
            raise ValueError(f"wengert.scipy.stats.dirichlet.{method}: every entry of alpha "
                             f"must be positive")
        return alpha

    def _log_norm(self, alpha: Any) -> Any:
        """``log B(alpha) = Σ log Γ(αᵢ) - log Γ(Σ αᵢ)``."""
        return wnp.sum(sc.gammaln(alpha)) - sc.gammaln(wnp.sum(alpha))

    def logpdf(self, x: Any, alpha: Any) -> Any:
        alpha = self._alpha("logpdf", alpha)
        k = shape_of(alpha)[0]
        xshape = shape_of(x)
        if len(xshape) not in (1, 2) or xshape[0] not in (k, k - 1):
            raise ValueError(f"wengert.scipy.stats.dirichlet.logpdf: x must have {k} (or "
                             f"{k - 1}) components along its first axis, not shape {xshape}")
        if xshape[0] == k - 1:
            last = 1.0 - wnp.sum(x, axis=0, keepdims=True)
            x = wnp.concatenate([x, last], axis=0)
        xv = values.value(x)
        if (values.any(xv < 0) or values.any(xv > 1)
                or values.any(np.abs(np.sum(xv, axis=0) - 1.0) > 1e-9)):
            raise ValueError("wengert.scipy.stats.dirichlet.logpdf: x must lie in the simplex "
                             "(entries in [0, 1] summing to 1 along the first axis)")
        a = alpha if len(xshape) == 1 else wnp.reshape(alpha, (k, 1))
        return wnp.sum(sc.xlogy(a - 1.0, x), axis=0) - self._log_norm(alpha)

    def pdf(self, x: Any, alpha: Any) -> Any:
        return wnp.exp(self.logpdf(x, alpha))

    def mean(self, alpha: Any) -> Any:
        alpha = self._alpha("mean", alpha)
        return alpha / wnp.sum(alpha)

    def var(self, alpha: Any) -> Any:
        alpha = self._alpha("var", alpha)
        a0 = wnp.sum(alpha)
        return alpha * (a0 - alpha) / (a0 * a0 * (a0 + 1.0))

    def entropy(self, alpha: Any) -> Any:
        alpha = self._alpha("entropy", alpha)
        k = shape_of(alpha)[0]
        a0 = wnp.sum(alpha)
        return (self._log_norm(alpha) + (a0 - k) * sc.digamma(a0)
                - wnp.sum((alpha - 1.0) * sc.digamma(alpha)))

    def __repr__(self) -> str:
        return "<wengert.scipy.stats.dirichlet>"


multivariate_normal = multivariate_normal_gen()
dirichlet = dirichlet_gen()
