"""Surfaces checked against oracles: finite differences for derivatives, literature for minima."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.core.surfaces import SURFACES, Surface, get_surface, make_ravine

# Every registered surface, plus a steeper ravine turned the other way (tilt bugs hide at 0 deg).
CASES: list[tuple[str, Surface]] = [*SURFACES.items(), ("ravine_k25_m50deg", make_ravine(25, -50))]
IDS = [name for name, _ in CASES]
ALL = pytest.mark.parametrize("surface", [s for _, s in CASES], ids=IDS)

# Oracle, from the literature rather than from the code: (global minimum value, its locations),
# locations to ~6 digits. None: unbounded below, no minimum.
KNOWN_MINIMA: dict[str, tuple[float | None, list[tuple[float, float]]]] = {
    "bowl": (0.0, [(0.0, 0.0)]),
    "ravine": (0.0, [(0.0, 0.0)]),
    "rosenbrock": (0.0, [(1.0, 1.0)]),
    "himmelblau": (
        0.0,
        [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)],
    ),
    "beale": (0.0, [(3.0, 0.5)]),
    "booth": (0.0, [(1.0, 3.0)]),
    "rastrigin": (0.0, [(0.0, 0.0)]),
    "ackley": (0.0, [(0.0, 0.0)]),
    "saddle": (None, []),
    "monkey_saddle": (None, []),
    "six_hump_camel": (-1.031628, [(0.089842, -0.712656), (-0.089842, 0.712656)]),
    "styblinski_tang": (-78.332331, [(-2.903534, -2.903534)]),
}

N_POINTS = 200
H = 1e-4


def rel_err(a: float, b: float) -> float:
    """Relative where values are large, absolute where they are near zero."""
    return abs(a - b) / max(1.0, abs(a), abs(b))


def central_diff(fn, t: float, h: float = H) -> float:
    """Fourth-order central difference: truncation error O(h^4), so h can stay large enough
    that rounding (eps * |f| / h) stays small even where f is of order 1e5 (Beale's corners)."""
    return (-fn(t + 2 * h) + 8 * fn(t + h) - 8 * fn(t - h) + fn(t - 2 * h)) / (12 * h)


def fd_partials(fn, x: float, y: float) -> tuple[float, float]:
    """(dfn/dx, dfn/dy) of a scalar fn(x, y), by central differences."""
    return central_diff(lambda t: fn(t, y), x), central_diff(lambda t: fn(x, t), y)


def random_points(surface: Surface, seed: int = 0) -> np.ndarray:
    """(N_POINTS, 2) uniform in the plot bounds, away from Ackley's kink at the origin."""
    rng = np.random.default_rng(seed)
    (x0, x1), (y0, y1) = surface.bounds
    pts = np.column_stack([rng.uniform(x0, x1, N_POINTS), rng.uniform(y0, y1, N_POINTS)])
    if surface.id == "ackley":
        pts = pts[np.hypot(pts[:, 0], pts[:, 1]) > 0.1]
    return pts


def test_registry_order_and_ids() -> None:
    assert list(SURFACES) == [
        "bowl",
        "ravine",
        "rosenbrock",
        "himmelblau",
        "beale",
        "booth",
        "rastrigin",
        "ackley",
        "saddle",
        "monkey_saddle",
        "six_hump_camel",
        "styblinski_tang",
    ]
    assert set(KNOWN_MINIMA) == set(SURFACES), "every surface needs an oracle entry"
    for key, surface in SURFACES.items():
        assert surface.id == key


@ALL
def test_gradient_matches_finite_differences(surface: Surface) -> None:
    for x, y in random_points(surface):
        _, gx, gy = surface.value_and_grad(x, y)
        fd_x, fd_y = fd_partials(
            lambda a, b: float(surface.value(np.float64(a), np.float64(b))), x, y
        )
        assert rel_err(gx, fd_x) < 1e-6, (x, y, gx, fd_x)
        assert rel_err(gy, fd_y) < 1e-6, (x, y, gy, fd_y)


@ALL
def test_hessian_matches_finite_differences_of_gradient(surface: Surface) -> None:
    for x, y in random_points(surface, seed=1):
        hess = surface.hessian(x, y)
        # Row i of the Hessian is the gradient of the i-th gradient component.
        fd = np.array(
            [
                fd_partials(lambda a, b, i=i: surface.value_and_grad(a, b)[1 + i], x, y)
                for i in (0, 1)
            ]
        )
        for i in range(2):
            for j in range(2):
                assert rel_err(hess[i, j], fd[i, j]) < 1e-6, (x, y, i, j, hess, fd)


@ALL
def test_hessian_is_symmetric_and_finite(surface: Surface) -> None:
    for x, y in [*random_points(surface, seed=2)[:20], (0.0, 0.0)]:
        hess = surface.hessian(x, y)
        assert hess.shape == (2, 2)
        assert np.all(np.isfinite(hess))
        assert hess[0, 1] == hess[1, 0]


@ALL
def test_value_and_grad_returns_plain_floats_agreeing_with_value(surface: Surface) -> None:
    for x, y in random_points(surface, seed=3)[:50]:
        out = surface.value_and_grad(np.float64(x), np.float64(y))
        assert all(type(v) is float for v in out), [type(v) for v in out]
        scalar = surface.value(np.float64(x), np.float64(y))
        assert np.ndim(scalar) == 0
        assert out[0] == pytest.approx(float(scalar), rel=1e-12, abs=1e-12)


@ALL
def test_grid_is_vectorised_pointwise_value_with_rows_along_y(surface: Surface) -> None:
    n = 9
    xs, ys, z = surface.grid(n)
    (x0, x1), (y0, y1) = surface.bounds
    assert xs.shape == ys.shape == (n,)
    assert z.shape == (n, n)
    assert (xs[0], xs[-1], ys[0], ys[-1]) == (x0, x1, y0, y1)
    for i in range(n):
        for j in range(n):
            f = surface.value_and_grad(float(xs[j]), float(ys[i]))[0]
            assert z[i, j] == pytest.approx(f, rel=1e-12, abs=1e-12), (i, j)


def test_grid_orientation_on_an_asymmetric_surface() -> None:
    # Rosenbrock is far from symmetric in x <-> y, so a transposed grid would show here.
    xs, ys, z = SURFACES["rosenbrock"].grid(5)
    assert z[0, -1] == pytest.approx((1 - xs[-1]) ** 2 + 100 * (ys[0] - xs[-1] ** 2) ** 2)
    assert z[-1, 0] == pytest.approx((1 - xs[0]) ** 2 + 100 * (ys[-1] - xs[0] ** 2) ** 2)


@ALL
def test_minima_are_the_known_ones(surface: Surface) -> None:
    known_value, known_points = KNOWN_MINIMA[surface.id]
    assert len(surface.minima) == len(known_points)
    for kx, ky in known_points:
        assert any(math.hypot(kx - x, ky - y) < 1e-5 for x, y in surface.minima), (kx, ky)
    if known_value is None:
        assert surface.min_value is None
        return
    assert surface.min_value == pytest.approx(known_value, abs=1e-6)
    for x, y in surface.minima:
        f, gx, gy = surface.value_and_grad(x, y)
        assert f == pytest.approx(known_value, abs=1e-6)
        assert math.hypot(gx, gy) < 1e-8, (x, y, gx, gy)
        # Curvature check: a minimum, not a saddle or maximum (Ackley's cone is left out).
        assert np.linalg.eigvalsh(surface.hessian(x, y))[0] > 0


@ALL
def test_minima_are_global_within_bounds(surface: Surface) -> None:
    known_value, _ = KNOWN_MINIMA[surface.id]
    _, _, z = surface.grid(301)
    if known_value is None:
        # No minimum: the surface dips below its stationary centre somewhere on the plot.
        assert z.min() < surface.value_and_grad(0.0, 0.0)[0]
        return
    assert z.min() >= known_value - 1e-9
    (x0, x1), (y0, y1) = surface.bounds
    for x, y in surface.minima:
        assert x0 <= x <= x1 and y0 <= y <= y1


@ALL
def test_default_start_is_inside_bounds_and_not_at_rest(surface: Surface) -> None:
    (x0, x1), (y0, y1) = surface.bounds
    x, y = surface.default_start
    assert x0 < x < x1 and y0 < y < y1
    _, gx, gy = surface.value_and_grad(x, y)
    assert math.hypot(gx, gy) > 1e-3
    for mx, my in surface.minima:
        assert math.hypot(x - mx, y - my) > 0.5


@ALL
def test_metadata_is_filled_in(surface: Surface) -> None:
    assert surface.id and surface.name and surface.formula_latex.startswith("f(x, y) =")
    assert surface.description and "\n" not in surface.description
    (x0, x1), (y0, y1) = surface.bounds
    assert x0 < x1 and y0 < y1
    if not surface.minima:
        assert "no minimum" in surface.description


def test_bowl_curvature_is_one_everywhere() -> None:
    bowl = SURFACES["bowl"]
    for x, y in random_points(bowl):
        assert bowl.lambda_max(x, y) == pytest.approx(1.0)
        np.testing.assert_allclose(bowl.hessian(x, y), np.eye(2))


@pytest.mark.parametrize(
    ("condition", "angle"), [(10.0, 30.0), (25.0, -50.0), (1.0, 0.0), (1e4, 90.0)]
)
def test_ravine_curvatures_and_valley_direction(condition: float, angle: float) -> None:
    ravine = make_ravine(condition, angle)
    assert ravine.params == {"condition": condition, "angle": angle}
    assert ravine.lambda_max(0.3, -0.7) == pytest.approx(condition)
    eigvals, eigvecs = np.linalg.eigh(ravine.hessian(0.0, 0.0))
    np.testing.assert_allclose(eigvals, [1.0, condition], rtol=1e-12)
    if condition > 1:
        # The gentle direction (curvature 1) is the valley floor, at angle from the x axis.
        theta = math.radians(angle)
        floor = np.array([math.cos(theta), math.sin(theta)])
        assert abs(floor @ eigvecs[:, 0]) == pytest.approx(1.0)


def test_default_ravine_is_condition_10() -> None:
    ravine = SURFACES["ravine"]
    assert ravine.params["condition"] == 10.0
    assert ravine.lambda_max(*ravine.default_start) == pytest.approx(10.0)
    assert ravine == make_ravine()


def test_ravine_with_condition_one_is_the_bowl() -> None:
    np.testing.assert_allclose(make_ravine(1.0, 37.0).hessian(0, 0), np.eye(2), atol=1e-15)


@pytest.mark.parametrize("condition", [0.999, 0.0, -3.0, math.nan, math.inf])
def test_make_ravine_rejects_bad_condition(condition: float) -> None:
    with pytest.raises(ValueError, match="condition number must be a finite number >= 1"):
        make_ravine(condition)


def test_ackley_origin_is_handled() -> None:
    ackley = SURFACES["ackley"]
    f, gx, gy = ackley.value_and_grad(0.0, 0.0)
    assert (gx, gy) == (0.0, 0.0)
    assert f == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(ackley.hessian(0.0, 0.0), 2 * math.pi**2 * math.e * np.eye(2))


def test_get_surface_returns_registered_and_parametrised_surfaces() -> None:
    assert get_surface("rosenbrock") is SURFACES["rosenbrock"]
    assert get_surface("ravine") is SURFACES["ravine"]
    ravine = get_surface("ravine", condition=25.0, angle=-50.0)
    assert ravine.params == {"condition": 25.0, "angle": -50.0}
    assert ravine.lambda_max(0.0, 0.0) == pytest.approx(25.0)
    assert get_surface("ravine", condition=4.0).params["angle"] == 30.0


def test_get_surface_unknown_id_names_the_valid_ones() -> None:
    with pytest.raises(KeyError, match="unknown surface 'nope'.*bowl.*styblinski_tang"):
        get_surface("nope")


def test_get_surface_rejects_parameters_it_cannot_use() -> None:
    with pytest.raises(ValueError, match="not a parameter of the rosenbrock surface"):
        get_surface("rosenbrock", b=10.0)
    with pytest.raises(ValueError, match="conditon: not a parameter of the ravine"):
        get_surface("ravine", conditon=3.0)
    with pytest.raises(ValueError, match="condition must be between 1 and"):
        get_surface("ravine", condition=0.5)
