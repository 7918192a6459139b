"""How far a discrete run departs from gradient flow, the path it would follow as lr -> 0.

Two measures, both in the units of the weights (or of the plane's x, y):

- `distance_to_path`: from each run point to the nearest point of the flow's path, whatever the
  time. It needs no clock, so it means the same for every optimizer: 0 while a run moves along
  the flow's path (small-lr GD, and GD on a bowl at any stable lr), large when it zig-zags
  across a valley or is thrown elsewhere.
- `time_matched`: |theta_k - phi(t_k)|, with t_k the flow time a step k stands for
  (`flow_times`): GD at lr is Euler's method on the flow, so t_k = the sum of its step sizes
  (a schedule's lrs included); heavy-ball momentum moves about lr / (1 - momentum) per unit of
  gradient once its velocity builds up (an approximation: early steps are slower). Only SGD
  and momentum have such a clock: adaptive methods rescale each coordinate, so they follow
  another flow.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from app.core.flow import FlowPath, arc_length_samples, integrate_flow
from app.core.mlp import MLP
from app.core.surfaces import Surface

Array = NDArray[np.float64]

DENSE_TIMES = 2001  # flow samples in time, half evenly spaced, half geometric (the fast start)
PATH_VERTICES = 500  # vertices of the polyline the distances are measured to
_CHUNK = 64  # run points per block of point-to-segment distances


def flow_times(lrs: Sequence[float], speed: float = 1.0) -> Array:
    """t_k for k = 0..len(lrs): lrs[k-1] is the lr of step k, and a step lasts speed x lr of
    flow time (1 for GD, about 1 / (1 - momentum) for heavy ball). (K + 1,)"""
    steps = np.asarray(lrs, dtype=np.float64) * speed
    return np.concatenate([[0.0], np.cumsum(steps)])


def dense_times(t_end: float, extra: Array | None = None) -> Array:
    """Times that sample the flow well from its fast start to t_end, with `extra` ones."""
    parts = [np.linspace(0.0, t_end, DENSE_TIMES // 2 + 1),
             np.geomspace(t_end * 1e-6, t_end, DENSE_TIMES // 2)]
    if extra is not None:
        parts.append(extra[(extra >= 0) & (extra <= t_end)])
    return np.unique(np.concatenate(parts))


def distance_to_path(points: Array, path: Array) -> Array:
    """The distance from each point (K, D) to the polyline through `path` (M, D); NaN where a
    point is not finite. (K,)"""
    points = np.asarray(points, dtype=np.float64)
    path = np.asarray(path, dtype=np.float64)
    out = np.full(len(points), np.nan)
    if len(path) == 1:
        return np.linalg.norm(points - path[0], axis=1)
    a = path[:-1]  # (S, D) segment starts
    ab = path[1:] - a  # (S, D) segment vectors
    length2 = np.maximum(np.sum(ab * ab, axis=1), 1e-300)
    ok = np.flatnonzero(np.all(np.isfinite(points), axis=1))
    dims = range(points.shape[1])
    # One (C, S) array per coordinate: D is 2 on a surface, and (C, S, D) temporaries cost
    # three times as much memory traffic.
    for start in range(0, len(ok), _CHUNK):
        p = points[ok[start : start + _CHUNK]]
        w = [p[:, d : d + 1] - a[:, d] for d in dims]  # from each segment's start
        dot = sum(w[d] * ab[:, d] for d in dims)
        # the nearest point of a segment is a + u (b - a), u = dot / |ab|^2 clipped to [0, 1]
        u = np.clip(dot / length2, 0.0, 1.0)
        d2 = sum((w[d] - u * ab[:, d]) ** 2 for d in dims)
        out[ok[start : start + _CHUNK]] = np.sqrt(np.min(d2, axis=1))
    return out


def surface_reference(
    surface: Surface, start: tuple[float, float], t_end: float, run_times: Array | None = None,
    rtol: float = 1e-6, atol: float = 1e-9, max_steps: int = 20_000,
) -> FlowPath:
    """The flow on a surface from `start`, sampled densely up to t_end and at `run_times`."""

    def grad(p: Array) -> Array:
        _, gx, gy = surface.value_and_grad(float(p[0]), float(p[1]))
        return np.array([gx, gy])

    times = dense_times(t_end, run_times)
    return integrate_flow(grad, np.array(start, dtype=np.float64), times, rtol, atol, max_steps)


def network_reference(
    model: MLP, theta0: Array, x: Array, y: Array, t_end: float, run_times: Array | None = None,
    samples: int = 401, rtol: float = 1e-6, atol: float = 1e-9, max_steps: int = 2_000,
) -> FlowPath:
    """The flow of the full-batch training loss from theta0 (y: targets), at `samples` times
    (half even, half geometric) up to t_end and at `run_times`; points (T, P)."""
    parts = [np.linspace(0.0, t_end, samples // 2 + 1),
             np.geomspace(t_end * 1e-6, t_end, samples // 2)]
    if run_times is not None:
        parts.append(run_times[(run_times >= 0) & (run_times <= t_end)])
    return integrate_flow(lambda th: model.loss_and_grad(th, x, y)[1], theta0,
                          np.unique(np.concatenate(parts)), rtol, atol, max_steps)


def path_polyline(flow: FlowPath, vertices: int = PATH_VERTICES) -> Array:
    """The flow's path evenly resampled along its length, for distances and drawing."""
    return arc_length_samples(flow.points, vertices)


def evenly_along(flow: FlowPath, n: int) -> tuple[Array, Array]:
    """n points of the flow evenly spaced along its path (n, D), and the flow time at each
    (n,), interpolated along the arc length: for drawing the flow with its clock."""
    seg = np.linalg.norm(np.diff(flow.points, axis=0), axis=1)
    arc = np.concatenate([[0.0], np.cumsum(seg)])
    times = np.interp(np.linspace(0.0, arc[-1], n), arc, flow.times)
    return arc_length_samples(flow.points, n), times


def time_matched(points: Array, times: Array, flow: FlowPath) -> Array:
    """|theta_k - phi(t_k)| for each run point (K, D) at flow time times[k]; NaN where t_k lies
    beyond the flow's last sample or the point is not finite."""
    points = np.asarray(points, dtype=np.float64)
    idx = np.searchsorted(flow.times, times)
    found = (idx < len(flow.times))
    idx = np.minimum(idx, len(flow.times) - 1)
    found &= np.isclose(flow.times[idx], times, rtol=1e-12, atol=0.0)
    with np.errstate(invalid="ignore"):
        d = np.linalg.norm(points - flow.points[idx], axis=1)
    return np.where(found, d, np.nan)
