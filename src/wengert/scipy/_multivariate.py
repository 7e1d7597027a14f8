"""The multivariate distributions of :mod:`wengert.scipy.stats`: ``multivariate_normal``
and ``dirichlet``, with SciPy's conventions for shapes and singular covariances."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from wengert import numpy as wnp
from wengert.core.tracing import unbox
from wengert.scipy import special as sc

_LOG_2PI = math.log(2.0 * math.pi)


def _squeeze(out: Any) -> Any:
    """SciPy's ``_squeeze_output``: size-1 axes dropped, a 0-d result a scalar."""
    shape = np.shape(unbox(out))
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
        cv = np.asarray(unbox(cov))
        if mean is None:
            dim = 1 if cv.ndim < 2 else cv.shape[0]
            mean = np.zeros(dim)
        else:
            mshape = np.shape(unbox(mean))
            if len(mshape) > 1:
                raise ValueError(f"wengert.scipy.stats.multivariate_normal.{method}: mean "
                                 f"must be a vector, not an array of shape {mshape}")
            dim = int(np.prod(mshape))
            if dim == 1 and cv.ndim == 2:
                dim = cv.shape[0]
            mean = wnp.broadcast_to(wnp.reshape(mean, (-1,)), (dim,))
        ok = (cv.ndim == 0 or (cv.ndim == 1 and cv.shape[0] in (1, dim))
              or (cv.ndim == 2 and cv.shape == (dim, dim)))
        if not ok:
            raise ValueError(f"wengert.scipy.stats.multivariate_normal.{method}: cov of shape "
                             f"{cv.shape} does not fit a mean of dimension {dim}: give a "
                             f"({dim}, {dim}) matrix, a vector of {dim} variances or a scalar")
        return dim, mean, cov

    def _x(self, x: Any, dim: int) -> Any:
        shape = np.shape(unbox(x))
        if len(shape) == 0:
            x = wnp.reshape(x, (1,))
            shape = (1,)
        if len(shape) == 1:
            x = wnp.reshape(x, (-1, 1) if dim == 1 else (1, -1))
        if np.shape(unbox(x))[-1] != dim:
            raise ValueError(f"wengert.scipy.stats.multivariate_normal: x of shape {shape} "
                             f"does not have the dimension {dim} of the mean in its last axis")
        return x

    def _cutoff(self, s: np.ndarray) -> float:
        return 1e6 * np.finfo(np.float64).eps * float(np.max(np.abs(s), initial=0.0))

    def _decompose(self, method: str, cov: Any, dim: int, allow_singular: bool) -> tuple:
        """``(rank, log pseudo-determinant, whiten)``: ``whiten(dev)`` gives ``dev``'s
        coordinates with identity covariance (``-inf`` marks a deviation off the support)."""
        cv = np.asarray(unbox(cov))
        where = f"wengert.scipy.stats.multivariate_normal.{method}"
        if cv.ndim < 2:  # diagonal: no factorization
            var = wnp.broadcast_to(cov, (dim,)) if cv.ndim == 0 else cov
            vv = np.broadcast_to(cv, (dim,))
            eps = self._cutoff(vv)
            if np.min(vv) < -eps:
                raise ValueError(f"{where}: the covariance must be positive semidefinite")
            keep = vv > eps
            if not keep.all() and not allow_singular:
                raise np.linalg.LinAlgError(
                    f"{where}: the covariance is singular; pass allow_singular=True")
            safe = wnp.where(keep, var, 1.0)
            logdet = wnp.sum(wnp.where(keep, wnp.log(safe), 0.0))
            return int(keep.sum()), logdet, lambda dev: (wnp.where(keep, dev, 0.0)
                                                         / wnp.sqrt(safe)), keep
        sv = np.linalg.eigvalsh(cv)  # plain values: the decision is SciPy's, by its cutoff
        eps = self._cutoff(sv)
        if np.min(sv) < -eps:
            raise ValueError(f"{where}: the covariance must be positive semidefinite")
        if np.min(sv) <= eps and not allow_singular:
            raise np.linalg.LinAlgError(
                f"{where}: the covariance is singular; pass allow_singular=True")
        if np.min(sv) > eps:  # Cholesky: smooth derivatives where eigh's are not (repeated
            # eigenvalues, as in a multiple of the identity)
            chol = wnp.linalg.cholesky(cov)
            logdet = 2.0 * wnp.sum(wnp.log(wnp.diagonal(chol)))
            return dim, logdet, lambda dev: wnp.swapaxes(
                wnp.linalg.solve(chol, wnp.swapaxes(dev, -1, -2)), -1, -2), None
        s, u = wnp.linalg.eigh(cov)
        keep = np.asarray(unbox(s)) > eps
        safe = wnp.where(keep, s, 1.0)
        logdet = wnp.sum(wnp.where(keep, wnp.log(safe), 0.0))
        return (int(keep.sum()), logdet,
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
            off = self._off_support(np.asarray(unbox(dev)), null, np.asarray(unbox(cov)))
            if off.any():
                out = wnp.where(off, -np.inf, out)
        return _squeeze(out)

    def _off_support(self, dev: np.ndarray, null: Any, cov: np.ndarray) -> np.ndarray:
        if isinstance(null, tuple):
            keep, u = null
            proj = dev @ np.asarray(unbox(u))[:, ~keep]
            eps = 1e3 * self._cutoff(np.linalg.eigvalsh(cov))
        else:
            keep = null
            proj = dev[..., ~keep]
            eps = 1e3 * self._cutoff(np.broadcast_to(cov, keep.shape))
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
        av = np.asarray(unbox(alpha))
        if av.ndim != 1 or av.size < 2:
            raise ValueError(f"wengert.scipy.stats.dirichlet.{method}: alpha must be a vector "
                             f"of at least 2 concentrations, not shape {av.shape}")
        if np.any(av <= 0):
            raise ValueError(f"wengert.scipy.stats.dirichlet.{method}: every entry of alpha "
                             f"must be positive")
        return alpha

    def _log_norm(self, alpha: Any) -> Any:
        """``log B(alpha) = Σ log Γ(αᵢ) - log Γ(Σ αᵢ)``."""
        return wnp.sum(sc.gammaln(alpha)) - sc.gammaln(wnp.sum(alpha))

    def logpdf(self, x: Any, alpha: Any) -> Any:
        alpha = self._alpha("logpdf", alpha)
        k = np.shape(unbox(alpha))[0]
        xv = np.asarray(unbox(x))
        if xv.ndim not in (1, 2) or xv.shape[0] not in (k, k - 1):
            raise ValueError(f"wengert.scipy.stats.dirichlet.logpdf: x must have {k} (or "
                             f"{k - 1}) components along its first axis, not shape {xv.shape}")
        if xv.shape[0] == k - 1:
            last = 1.0 - wnp.sum(x, axis=0, keepdims=True)
            x = wnp.concatenate([x, last], axis=0)
            xv = np.asarray(unbox(x))
        if np.min(xv) < 0 or np.max(xv) > 1 or np.any(np.abs(xv.sum(0) - 1.0) > 1e-9):
            raise ValueError("wengert.scipy.stats.dirichlet.logpdf: x must lie in the simplex "
                             "(entries in [0, 1] summing to 1 along the first axis)")
        a = alpha if xv.ndim == 1 else wnp.reshape(alpha, (k, 1))
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
        k = np.shape(unbox(alpha))[0]
        a0 = wnp.sum(alpha)
        return (self._log_norm(alpha) + (a0 - k) * sc.digamma(a0)
                - wnp.sum((alpha - 1.0) * sc.digamma(alpha)))

    def __repr__(self) -> str:
        return "<wengert.scipy.stats.dirichlet>"


multivariate_normal = multivariate_normal_gen()
dirichlet = dirichlet_gen()
