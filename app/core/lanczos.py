"""Extreme eigenvalues of a symmetric operator known only through products A v: Lanczos.

From a start vector q_1, Lanczos builds an orthonormal basis Q_m = [q_1 ... q_m] of the Krylov
space span{q_1, A q_1, ..., A^(m-1) q_1} in which A is tridiagonal:

    A q_j = beta_{j-1} q_{j-1} + alpha_j q_j + beta_j q_{j+1},   T_m = Q_mᵀ A Q_m (m, m)

The eigenpairs (theta_i, s_i) of the small T_m give Ritz pairs (theta_i, u_i = Q_m s_i), whose
extreme values converge to A's extreme eigenvalues in far fewer than n products, the faster the
better separated they are. The residual of a Ritz pair costs nothing:

    ||A u_i - theta_i u_i|| = beta_m |s_i[m]|

and bounds the eigenvalue error (|theta_i - lambda| <= residual for some eigenvalue lambda; near
residual^2 / gap once converged). We stop when every wanted pair's residual is below
tol * max|theta| (tol relative to ||A||_2's estimate, so eigenvalues near 0 converge too).

Each new q is orthogonalised against every previous one, twice (full reorthogonalisation): in
floating point plain Lanczos loses orthogonality and repeats eigenvalues; our Krylov spaces are
small (tens of vectors), so this costs little next to a Hessian-vector product.

A good start vector converges in a few products: a tracker restarts from the previous call's
top Ritz vector (a warm start) when A changes a little between calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
WHICH = ("largest", "smallest", "both")


@dataclass(frozen=True)
class Eigs:
    """Ritz pairs of a Lanczos run, values ascending."""

    values: Array  # (k,) ascending
    vectors: Array  # (k, n) unit vectors, row i for values[i]
    residuals: Array  # (k,) ||A u - theta u|| of each pair
    iterations: int  # products A v used (the Krylov dimension)
    converged: bool  # every wanted residual <= tol * max|theta|

    @property
    def top(self) -> float:
        return float(self.values[-1])

    @property
    def bottom(self) -> float:
        return float(self.values[0])


def lanczos(
    matvec: Callable[[Array], Array], v0: Array, k: int = 1, which: str = "largest",
    tol: float = 1e-4, max_iter: int = 100,
) -> Eigs:
    """The k largest, k smallest or both (2k) algebraic eigenpairs of a symmetric A (n, n).

    matvec(v) -> A v for v (n,). v0 (n,) is the start vector (any nonzero scale). Stops at the
    first of: the wanted pairs converged (residual <= tol * max|theta|), an invariant subspace
    (beta ~ 0: the Ritz pairs are exact), max_iter products, or n products. A product that is
    not finite ends the run with one NaN value (converged False).
    """
    if which not in WHICH:
        raise ValueError(f"which must be one of {WHICH}")
    v0 = np.asarray(v0, dtype=np.float64)
    n = v0.size
    norm0 = float(np.linalg.norm(v0))
    if not norm0 > 0 or not np.isfinite(norm0):
        raise ValueError("the start vector must be finite and nonzero")
    if k < 1:
        raise ValueError("k must be at least 1")
    m_max = max(1, min(int(max_iter), n))
    wanted_count = min(n, 2 * k if which == "both" else k)
    basis = np.empty((m_max, n))  # Q_m, one basis vector per row
    t = np.zeros((m_max, m_max))  # T_m is its leading (m, m) block: alpha beside beta
    tiny = np.finfo(float).tiny
    q = v0 / norm0
    for j in range(m_max):
        m = j + 1
        basis[j] = q
        w = np.asarray(matvec(q), dtype=np.float64)
        if not np.all(np.isfinite(w)):  # overflowing weights: no eigenvalue to report
            nan = np.full(1, np.nan)
            return Eigs(nan, np.full((1, n), np.nan), nan, m, False)
        t[j, j] = q @ w
        Q = basis[:m]
        w = w - (Q @ w) @ Q  # Gram-Schmidt twice: also subtracts alpha_j q_j + beta_{j-1} q_{j-1}
        w = w - (Q @ w) @ Q
        b = float(np.sqrt(w @ w))
        if m < wanted_count and m < m_max and b > 0:  # too few Ritz values yet: no check
            t[j, j + 1] = t[j + 1, j] = b
            q = w / b
            continue
        theta, s = np.linalg.eigh(t[:m, :m])
        idx = _wanted(m, k, which)
        res = b * np.abs(s[-1, idx])  # (len(idx),)
        scale = max(abs(theta[0]), abs(theta[-1]), tiny)
        converged = m >= wanted_count and bool(np.all(res <= tol * scale))
        invariant = b <= 1e-12 * scale
        if converged or invariant or m == m_max:
            vectors = s[:, idx].T @ Q  # (len(idx), n)
            return Eigs(theta[idx], vectors, res, m, converged or invariant)
        t[j, j + 1] = t[j + 1, j] = b
        q = w / b
    raise AssertionError("unreachable")  # pragma: no cover


def _wanted(m: int, k: int, which: str) -> NDArray[np.intp]:
    """Indices of the wanted Ritz values among m ascending ones."""
    k = min(k, m)
    if which == "largest":
        return np.arange(m - k, m)
    if which == "smallest":
        return np.arange(k)
    return np.unique(np.concatenate([np.arange(k), np.arange(m - k, m)]))
