"""Planes through weight space on which to slice a network's loss: the three ways to choose them.

A plane is a centre theta (P,) and two directions d1, d2 (P,): theta(c1, c2) = centre + c1 d1 +
c2 d2. Axis values shown to people are origin + c, so that in "weights" mode the axes are the
actual values of the two chosen weights.

1. "weights": d1, d2 are unit vectors along two single weights (easiest to explain in class).
2. "random": two Gaussian directions with filter normalisation (Li et al., 2018, "Visualizing the
   Loss Landscape of Neural Nets"): each neuron's row of a direction's W is rescaled to the norm
   of that neuron's row of theta, so the slice is not distorted by the scale of the weights.
   Biases: the direction is zero there, as in the paper (its ignore='biasbn').
3. "pca": the top two principal directions of the trajectories (theta_t - centre), so the paths
   lie close to the plane; the explained variance says how close.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from app.core.mlp import MLP

Array = NDArray[np.float64]
DIRECTION_MODES = ("weights", "random", "pca")
WeightRef = tuple[int, int, int | None]  # (layer 1-based, row, col) or col None for a bias


@dataclass(frozen=True)
class Plane:
    mode: str
    centre: Array  # (P,)
    d1: Array  # (P,)
    d2: Array  # (P,)
    origin: tuple[float, float]  # axis values at the centre
    labels: tuple[str, str]
    explained_variance: tuple[float, float] | None = None  # "pca" only: fraction per axis

    def point(self, c1: float, c2: float) -> Array:
        """The weights at plane offsets (c1, c2) from the centre."""
        return self.centre + c1 * self.d1 + c2 * self.d2

    def project(self, thetas: Array) -> Array:
        """(T, P) weights -> (T, 2) offsets of their orthogonal projections onto the plane.

        Least squares on the 2x2 Gram matrix, since random directions are not exactly orthogonal:
        offsets = (D D^T)^-1 D (theta - centre), the (2, P) matrix made once per plane (a live
        run projects every step)."""
        return (np.atleast_2d(thetas) - self.centre) @ self._projector.T

    def axis_point(self, theta: Array) -> tuple[float, float]:
        """One theta (P,) -> its (x, y) in axis units: `project` plus the origin, for a live
        run's every step."""
        c = (theta[None, :] - self.centre) @ self._projector.T
        c += self._origin
        return tuple(c[0].tolist())  # type: ignore[return-value]

    @cached_property
    def _origin(self) -> Array:
        return np.asarray(self.origin, dtype=np.float64)

    @cached_property
    def _projector(self) -> Array:
        D = np.stack([self.d1, self.d2])  # (2, P)
        return np.linalg.pinv(D @ D.T) @ D  # (2, P); pinv: two equal directions do not fail

    def distance(self, thetas: Array) -> Array:
        """(T,) how far each point lies off the plane (where the slice's loss stops being exact)."""
        offsets = self.project(thetas)
        on_plane = self.centre + offsets @ np.stack([self.d1, self.d2])
        return np.linalg.norm(np.atleast_2d(thetas) - on_plane, axis=1)


def weight_plane(model: MLP, centre: Array, w1: WeightRef, w2: WeightRef) -> Plane:
    """Vary two single weights; every other weight stays at the centre's value."""
    k1, k2 = model.param_index(*w1), model.param_index(*w2)
    if k1 == k2:
        raise ValueError("choose two different weights")
    d1, d2 = np.zeros(model.n_params), np.zeros(model.n_params)
    d1[k1], d2[k2] = 1.0, 1.0
    return Plane(
        "weights", centre.copy(), d1, d2, (float(centre[k1]), float(centre[k2])),
        (model.param_name(k1), model.param_name(k2)),
    )


def filter_normalise(model: MLP, direction: Array, theta: Array) -> Array:
    """Rescale each row of each W of `direction` to the norm of that row of theta; zero biases."""
    out = direction.copy()
    for (Wd, bd), (Wt, _) in zip(model.unflatten(out), model.unflatten(theta), strict=True):
        norms_d = np.linalg.norm(Wd, axis=1, keepdims=True)  # (out, 1)
        norms_t = np.linalg.norm(Wt, axis=1, keepdims=True)
        Wd *= norms_t / np.maximum(norms_d, 1e-12)  # views: writes into `out`
        bd[:] = 0.0
    return out


def random_plane(model: MLP, centre: Array, rng: np.random.Generator) -> Plane:
    """Two filter-normalised Gaussian directions (Li et al., 2018)."""
    d1 = filter_normalise(model, rng.standard_normal(model.n_params), centre)
    d2 = filter_normalise(model, rng.standard_normal(model.n_params), centre)
    return Plane("random", centre.copy(), d1, d2, (0.0, 0.0), ("random direction 1",
                                                                "random direction 2"))


def pca_plane(trajectories: list[Array], centre: Array) -> Plane:
    """Top two principal directions of the trajectories' points theta_t - centre (each (T, P)),
    as the loss-landscape reference computes them (tomgoldstein/loss-landscape, projection.py:
    sklearn's PCA of [theta_t - theta_final]), so mean-centred before the SVD; the plane still
    passes through `centre`. explained_variance: each direction's share of the centred points'
    variance (sklearn's explained_variance_ratio_).

    Sign convention (PCA leaves it free): the first trajectory starts on the negative side of
    both axes, so paths run left to right and bottom to top towards the centre.
    Cost: the SVD of the small (T, T) Gram matrix instead of the (T, P) matrix when T < P.
    """
    M = np.vstack([np.atleast_2d(t) - centre for t in trajectories])  # (sum T, P)
    start = M[0].copy()
    M = M - M.mean(axis=0)
    if len(M) < 3:  # fewer points than two directions need: pad with the centre's own
        M = np.vstack([M, np.zeros((3 - len(M), M.shape[1]))])
    d, s = _top_directions(M)
    total = float(np.sum(M * M))  # = the sum of all squared singular values
    ev = (float(s[0] ** 2 / total), float(s[1] ** 2 / total)) if total > 0 else (0.0, 0.0)
    d1, d2 = d[0], d[1]
    if start @ d1 > 0:
        d1 = -d1
    if start @ d2 > 0:
        d2 = -d2
    return Plane("pca", centre.copy(), d1, d2, (0.0, 0.0), ("PC 1", "PC 2"), ev)


EXACT_SVD_SIZE = 600  # min(T, P) up to which the SVD is exact; beyond, subspace iteration


def _top_directions(M: Array) -> tuple[Array, Array]:
    """(2, P) top right-singular vectors of M (T, P) and their singular values (2,).

    Exact SVD for small matrices; beyond, subspace iteration on a seeded block of 12 vectors
    (Halko et al. 2011): 8 products with M and M^T instead of an O(T^2 P) SVD (a 4,008 x 21,122
    path matrix took 315 s exactly). The top two of a path's spectrum are well separated from
    the rest in practice; tests compare with the exact SVD."""
    T, P = M.shape
    if min(T, P) <= EXACT_SVD_SIZE:
        _, s, Vt = np.linalg.svd(M, full_matrices=False)
        return Vt[:2].copy(), s[:2]
    Q = np.random.default_rng(0).standard_normal((P, 12))  # (P, k)
    for _ in range(4):
        Q, _ = np.linalg.qr(M.T @ (M @ Q))  # (P, k): power steps sharpen the top directions
    B = M @ Q  # (T, k)
    _, s, Wt = np.linalg.svd(B, full_matrices=False)
    V = (Q @ Wt.T).T  # (k, P) approximate right singular vectors
    return V[:2].copy(), s[:2]
