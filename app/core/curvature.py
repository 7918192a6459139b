"""The curvature of the training loss while a network learns: sharpness, its preconditioned
twin for Adam, and the Hessian's spectrum at a step.

Sharpness is the top eigenvalue lambda_max of the full-batch training-loss Hessian H. Gradient
descent with step lr is stable on a quadratic while lr * lambda_max < 2; on networks, full-batch
GD raises lambda_max until it reaches 2 / lr and then hovers there (Cohen et al. 2021, "Gradient
Descent on Neural Networks Typically Occurs at the Edge of Stability", arXiv 2103.00065).

Adam steps theta <- theta - lr P^-1 m with a diagonal preconditioner P. Its stability is set by
the preconditioned sharpness lambda_max(P^-1 H), which settles at (2 + 2 beta1) / ((1 - beta1) lr),
38 / lr for beta1 = 0.9 (Cohen et al. 2022, "Adaptive Gradient Methods at the Edge of
Stability", arXiv 2207.14484). Their P for Adam at step t, with v_t the second-moment average:

    P_t = (1 - beta1^t) [ diag( sqrt(v_t / (1 - beta2^t)) ) + eps I ]

which is exactly the step of app/core/optimizers.py's Adam: lr / (1 - beta1^t) * m / (sqrt(v_hat)
+ eps) = lr P^-1 m. P^-1 H is not symmetric, but it is similar to S = P^-1/2 H P^-1/2 (same
eigenvalues) and symmetric: Lanczos runs on S, and u = P^-1/2 w maps S's eigenvectors w to
P^-1 H's.

Every eigenvalue here comes from Lanczos (app/core/lanczos.py) over exact Hessian-vector
products (app/core/hessian.py); the spectrum of a small network is formed whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from app.core.hessian import HessianOperator
from app.core.lanczos import Eigs, lanczos
from app.core.mlp import MLP, Forward, LayerGrad

Array = NDArray[np.float64]
Passes = tuple[Forward, list[LayerGrad]]  # MLP.forward and MLP.backward at one theta

SHARPNESS_TOL = 1e-3  # Ritz residual <= tol * max|Ritz value|; measured error ~1e-6 relative
SHARPNESS_MAX_ITER = 50  # Hessian-vector products at most per sharpness
DENSE_LIMIT = 600  # up to this many parameters the spectrum is formed whole (P products)


# --- thresholds ----------------------------------------------------------------------------------


def gd_threshold(lr: float) -> float:
    """2 / lr: gradient descent's stability limit on lambda_max."""
    return 2.0 / lr


def adam_threshold(lr: float, beta1: float = 0.9) -> float:
    """(2 + 2 beta1) / ((1 - beta1) lr): Adam's limit on lambda_max(P^-1 H); 38 / lr at 0.9."""
    return (2.0 + 2.0 * beta1) / ((1.0 - beta1) * lr)


def adam_preconditioner(
    v: Array, t: int, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
) -> Array:
    """Adam's preconditioner diagonal (P,) after t >= 1 steps, from its second moment v (P,):

        P = (1 - beta1^t) (sqrt(v / (1 - beta2^t)) + eps)

    (arXiv 2207.14484, section 2; AMSGrad: pass its v_max). Pass the optimizer's v and step count
    as they stand after its last step: that P is the one the next step would use, up to the new
    gradient's share (1 - beta2) g^2 of v.
    """
    if t < 1:
        raise ValueError("Adam's preconditioner exists from step 1 on")
    v = np.asarray(v, dtype=np.float64)
    return (1.0 - beta1**t) * (np.sqrt(v / (1.0 - beta2**t)) + eps)


# --- sharpness -----------------------------------------------------------------------------------


def _start(v0: Array | None, n: int, rng: np.random.Generator | None) -> Array:
    if v0 is not None and v0.shape == (n,) and np.all(np.isfinite(v0)) and np.any(v0):
        return v0
    return (rng or np.random.default_rng(0)).standard_normal(n)


def sharpness(
    hvp_fn: Callable[[Array], Array], n: int, v0: Array | None = None,
    tol: float = SHARPNESS_TOL, max_iter: int = SHARPNESS_MAX_ITER,
    rng: np.random.Generator | None = None,
) -> Eigs:
    """The top eigenpair of H (n, n) from products hvp_fn(v) = H v; `.top` is lambda_max.

    v0: a warm start (the previous top eigenvector); None starts from rng's Gaussian vector.
    """
    return lanczos(hvp_fn, _start(v0, n, rng), k=1, which="largest", tol=tol, max_iter=max_iter)


def preconditioned_sharpness(
    hvp_fn: Callable[[Array], Array], p_diag: Array, v0: Array | None = None,
    tol: float = SHARPNESS_TOL, max_iter: int = SHARPNESS_MAX_ITER,
    rng: np.random.Generator | None = None, shift: float = 0.0,
) -> Eigs:
    """The top eigenvalue of P^-1 (H + shift I) for P = diag(p_diag) > 0, as `.top` (shift:
    coupled weight decay's wd, which adds wd I to the Hessian the step sees).

    Lanczos on S = D H D with D = P^-1/2 (similar to P^-1 H): `.vectors` are S's eigenvectors
    w; P^-1 H's are D w. v0 warm-starts in the same (w) coordinates.
    """
    p_diag = np.asarray(p_diag, dtype=np.float64)
    if not np.all(p_diag > 0):
        raise ValueError("the preconditioner's diagonal must be positive")
    d = 1.0 / np.sqrt(p_diag)  # (P,)

    def s_matvec(w: Array) -> Array:
        dw = d * w
        return d * (hvp_fn(dw) + shift * dw) if shift else d * hvp_fn(dw)

    return lanczos(s_matvec, _start(v0, p_diag.size, rng), k=1, which="largest", tol=tol,
                   max_iter=max_iter)


@dataclass(eq=False)
class SharpnessTracker:
    """lambda_max of the full-batch training loss along a run, warm-started call to call.

    A run owns one: `update(theta)` every k steps returns the sharpness at theta, starting
    Lanczos from the previous call's top eigenvector (the first call from a seeded Gaussian), so
    that when the weights move a little it converges in a few products. For Adam-family runs
    `update_preconditioned(theta, p_diag)` gives lambda_max(P^-1 H) with its own warm start; at
    the same theta both share one forward and backward pass.

    Convergence: Lanczos stops when the Ritz residual ||H u - lambda u|| <= tol * max|theta|
    (the largest Ritz value in magnitude, ~||H||) or
    after max_iter products (then `last.converged` is False and the best estimate is returned,
    a lower bound on lambda_max). Weights whose products overflow give NaN.
    """

    model: MLP
    x: Array  # (N, inputs): the full training set
    y: Array  # (N, outputs): its targets (MLP.targets)
    tol: float = SHARPNESS_TOL
    max_iter: int = SHARPNESS_MAX_ITER
    seed: int = 0  # the cold start's Gaussian vector
    vector: Array | None = field(default=None, init=False)  # (P,) H's last top eigenvector
    precond_vector: Array | None = field(default=None, init=False)  # (P,) S's, same use
    last: Eigs | None = field(default=None, init=False)  # the last Lanczos result
    n_products: int = field(default=0, init=False)  # Hessian-vector products so far
    _rng: np.random.Generator = field(init=False, repr=False)
    _op: HessianOperator | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget the warm starts (a new run from new weights)."""
        self._rng = np.random.default_rng(self.seed)
        self.vector = self.precond_vector = self.last = self._op = None
        self.n_products = 0

    def operator(self, theta: Array, passes: Passes | None = None) -> HessianOperator:
        """The Hessian at theta, reused while theta stays the same. passes: the full-batch
        forward and backward pass at theta, if the run has them (see HessianOperator)."""
        if self._op is None or not np.array_equal(self._op.theta, theta):
            self._op = HessianOperator(self.model, theta, self.x, self.y, passes=passes)
        return self._op

    def update(self, theta: Array, passes: Passes | None = None) -> float:
        """lambda_max(H(theta))."""
        op = self.operator(theta, passes)
        eigs = sharpness(op.matvec, op.n_params, self.vector, self.tol, self.max_iter, self._rng)
        self.last = eigs
        self.n_products += eigs.iterations
        if np.isfinite(eigs.top):  # a NaN (diverged weights) keeps the last good warm start
            self.vector = eigs.vectors[-1]
        return eigs.top

    def update_preconditioned(
        self, theta: Array, p_diag: Array, passes: Passes | None = None, shift: float = 0.0,
    ) -> float:
        """lambda_max(P^-1 (H(theta) + shift I)) for P = diag(p_diag), e.g.
        adam_preconditioner(...); shift: coupled weight decay."""
        op = self.operator(theta, passes)
        eigs = preconditioned_sharpness(op.matvec, p_diag, self.precond_vector, self.tol,
                                        self.max_iter, self._rng, shift)
        self.last = eigs
        self.n_products += eigs.iterations
        if np.isfinite(eigs.top):
            self.precond_vector = eigs.vectors[-1]
        return eigs.top


# --- the spectrum at a step -----------------------------------------------------------------------


@dataclass(frozen=True)
class Spectrum:
    """Eigenvalues of H at one theta, ascending."""

    values: Array  # all P when complete; else the bottom k then the top k
    n_params: int
    complete: bool  # True: every eigenvalue (formed whole); False: the two ends by Lanczos
    products: int  # Hessian-vector products used
    converged: bool = True


def spectrum(
    op: HessianOperator, k: int = 20, dense_limit: int = DENSE_LIMIT, tol: float = 1e-6,
    max_iter: int = 300, seed: int = 0,
) -> Spectrum:
    """Every eigenvalue for up to dense_limit parameters (H formed from P products, symmetrized,
    numpy.linalg.eigvalsh); beyond, the k smallest and k largest by one Lanczos run."""
    p = op.n_params
    if p <= dense_limit:
        before = op.n_products
        values = np.linalg.eigvalsh(op.dense())
        return Spectrum(values, p, True, op.n_products - before)
    v0 = np.random.default_rng(seed).standard_normal(p)
    eigs = lanczos(op.matvec, v0, k=k, which="both", tol=tol, max_iter=max_iter)
    return Spectrum(eigs.values, p, False, eigs.iterations, eigs.converged)


def histogram(values: Array, bins: int = 40) -> tuple[NDArray[np.int64], Array]:
    """(counts (b,), edges (b + 1,)) of eigenvalues: bins of width (max - min) / bins on a grid
    through 0 (b is bins or bins + 1), so no bin mixes negative eigenvalues (a saddle's
    directions) with positive ones."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        raise ValueError("no eigenvalues")
    lo, hi = float(values.min()), float(values.max())
    if hi == lo:
        lo, hi = lo - 0.5, hi + 0.5
    width = (hi - lo) / bins
    # Edges at integer multiples of the width: 0 is exactly one of them.
    first = int(np.floor(lo / width))
    last = max(int(np.ceil(hi / width)), first + 1)
    edges = width * np.arange(first, last + 1, dtype=np.float64)
    edges[0], edges[-1] = min(edges[0], lo), max(edges[-1], hi)  # rounding never drops one
    counts, _ = np.histogram(values, edges)
    return counts.astype(np.int64), edges
