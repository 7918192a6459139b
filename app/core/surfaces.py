"""Analytic test surfaces f(x, y): value, exact gradient and Hessian, bounds, minima.

Each surface travels with its derivatives (a value is never without its gradient), so the
optimizers see exact gradients and the UI can show the local curvature (largest Hessian
eigenvalue) that decides whether a learning rate overshoots.

Two code paths per surface, on purpose: `value` is NumPy (a whole plot grid at once), while
`value_and_grad` and `hessian` use the `math` module on plain floats, because an optimizer
calls them once per step and NumPy's per-call overhead would dominate there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from math import cos, exp, pi, sin, sqrt

import numpy as np
from numpy.typing import NDArray

from app.core.parameters import Hyperparameter, HyperparameterError

Bounds = tuple[tuple[float, float], tuple[float, float]]
Point = tuple[float, float]
# `value` takes arrays (grids) or scalars (np.float64 included) and returns the same kind.
Values = NDArray[np.float64] | float


@dataclass(frozen=True)
class Surface:
    """A 2D loss surface. Subclasses implement `value`, `value_and_grad` and `hessian`.

    `value` is vectorised (NumPy arrays in, arrays out) for grids; `value_and_grad` is the hot
    path of a run and takes plain Python floats (math module, no array overhead).
    """

    id: str
    name: str
    description: str
    formula_latex: str
    bounds: Bounds
    # Every global minimum (x, y); empty when the surface is unbounded below.
    minima: tuple[Point, ...]
    default_start: Point
    # Only the adjustable parameters (the ones `get_surface` accepts), for display and URLs;
    # fixed constants such as Rosenbrock's b = 100 live in the formula instead.
    params: dict[str, float] = field(default_factory=dict)
    # What each adjustable parameter may be: the UI builds its controls from these.
    parameters: dict[str, Hyperparameter] = field(default_factory=dict)

    def value(self, x: Values, y: Values) -> Values:
        raise NotImplementedError

    def value_and_grad(self, x: float, y: float) -> tuple[float, float, float]:
        """(f, df/dx, df/dy) at one point, as plain floats."""
        raise NotImplementedError

    def hessian_entries(self, x: float, y: float) -> tuple[float, float, float]:
        """(f_xx, f_xy, f_yy) at one point, as plain floats (a run asks at every step)."""
        raise NotImplementedError

    def hessian(self, x: float, y: float) -> NDArray[np.float64]:
        """The 2x2 matrix of second derivatives at one point."""
        fxx, fxy, fyy = self.hessian_entries(x, y)
        return np.array([[fxx, fxy], [fxy, fyy]], dtype=np.float64)

    def lambda_max(self, x: float, y: float) -> float:
        """Largest Hessian eigenvalue: plain GD is stable on a quadratic only for lr * it < 2.

        Closed form for a symmetric 2x2 matrix (eigvalsh costs ten times more)."""
        fxx, fxy, fyy = self.hessian_entries(x, y)
        return 0.5 * (fxx + fyy) + math.hypot(0.5 * (fxx - fyy), fxy)

    def grid(self, n: int) -> tuple[NDArray, NDArray, NDArray]:
        """x (n,), y (n,), z (n, n) with z[i, j] = f(x[j], y[i]) over the plot bounds."""
        (x0, x1), (y0, y1) = self.bounds
        xs = np.linspace(x0, x1, n)
        ys = np.linspace(y0, y1, n)
        xx, yy = np.meshgrid(xs, ys)  # (n, n): rows follow y, columns follow x
        return xs, ys, np.asarray(self.value(xx, yy), dtype=np.float64)

    @property
    def min_value(self) -> float | None:
        if not self.minima:
            return None
        return float(min(self.value(np.float64(x), np.float64(y)) for x, y in self.minima))


# --- quadratics: the bowl, the ravine and Booth -----------------------------------------------


@dataclass(frozen=True)
class _Quadratic(Surface):
    """f = 1/2 [x y] H [x y]^T with a constant Hessian H = [[hxx, hxy], [hxy, hyy]].

    Curvature is the same everywhere, so lambda_max is exact and lr < 2 / lambda_max is exactly
    the condition for plain gradient descent not to diverge.
    """

    hxx: float = field(default=1.0, kw_only=True)
    hxy: float = field(default=0.0, kw_only=True)
    hyy: float = field(default=1.0, kw_only=True)

    def value(self, x: Values, y: Values) -> Values:
        return 0.5 * (self.hxx * x * x + 2.0 * self.hxy * x * y + self.hyy * y * y)

    def value_and_grad(self, x: float, y: float) -> tuple[float, float, float]:
        x, y = float(x), float(y)
        gx = self.hxx * x + self.hxy * y
        gy = self.hxy * x + self.hyy * y
        return 0.5 * (x * gx + y * gy), gx, gy

    def hessian_entries(self, x: float, y: float) -> tuple[float, float, float]:
        return (self.hxx, self.hxy, self.hyy)


_BOWL = _Quadratic(
    id="bowl",
    name="Bowl",
    description=(
        "A perfectly round bowl, equally steep in every direction: curvature is 1 everywhere, "
        "so a learning rate of 1 lands on the bottom in one step and anything above 2 diverges."
    ),
    formula_latex=r"f(x, y) = \tfrac{1}{2}\left(x^2 + y^2\right)",
    bounds=((-3.0, 3.0), (-3.0, 3.0)),
    minima=((0.0, 0.0),),
    default_start=(-2.5, 2.0),
)

# The ravine's default tilt: at 0 degrees the valley would run along an axis, which quietly hands
# per-coordinate methods (Adam, RMSProp) a perfect preconditioner; tilted, they must earn it.
RAVINE_DEFAULT_ANGLE = 30.0
RAVINE_PARAMETERS = {
    "condition": Hyperparameter(
        10.0, 1.0, 10_000.0, "Condition number: how many times steeper the valley is across than "
        "along. It is also lambda_max, so plain gradient descent needs lr < 2/condition.",
        log=True, label="κ"),
    "angle": Hyperparameter(
        RAVINE_DEFAULT_ANGLE, -90.0, 90.0, "Rotation of the valley in degrees. At 0 it runs "
        "along the x axis, which hands per-coordinate methods (Adam, RMSprop) an easy time.",
        label="θ°"),
}


def make_ravine(condition: float = 10.0, angle: float = RAVINE_DEFAULT_ANGLE) -> Surface:
    """f = 1/2 (u^2 + condition * v^2), (u, v) = (x, y) in axes turned by angle.

    u runs along the valley floor (curvature 1), v across it (curvature `condition`), so
    lambda_max = condition exactly and condition 1 gives back the bowl.
    """
    condition, angle = float(condition), float(angle)
    if not (math.isfinite(condition) and condition >= 1.0):
        raise ValueError(f"ravine condition number must be a finite number >= 1, got {condition}")
    if not math.isfinite(angle):
        raise ValueError(f"ravine angle must be a finite number of degrees, got {angle}")
    for name, value in (("condition", condition), ("angle", angle)):
        spec = RAVINE_PARAMETERS[name]
        if not spec.min <= value <= spec.max:
            raise ValueError(f"{name}: the ravine's {name} must be between {spec.min:g} and "
                             f"{spec.max:g}, got {value:g}")
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    # H = e_u e_u^T + condition * e_v e_v^T with e_u = (c, s), e_v = (-s, c).
    hxx, hxy, hyy = c * c + condition * s * s, (1.0 - condition) * c * s, s * s + condition * c * c
    # Start far along the valley and a little up its side: (u, v) = (-4, 1), turned back to (x, y).
    start = (round(-4.0 * c - 1.0 * s, 3), round(-4.0 * s + 1.0 * c, 3))
    return _Quadratic(
        id="ravine",
        name="Ravine",
        description=(
            "A narrow valley, steep across and gentle along: plain gradient descent "
            "zig-zags between the walls while momentum glides down the floor."
        ),
        formula_latex=(
            r"f(x, y) = \tfrac{1}{2}\left(u^2 + \kappa\, v^2\right),\quad "
            r"u = x\cos\theta + y\sin\theta,\ v = -x\sin\theta + y\cos\theta,\quad "
            rf"\kappa = {condition:g},\ \theta = {angle:g}^\circ"
        ),
        bounds=((-5.0, 5.0), (-5.0, 5.0)),
        minima=((0.0, 0.0),),
        default_start=start,
        params={"condition": condition, "angle": angle},
        parameters=RAVINE_PARAMETERS,
        hxx=hxx,
        hxy=hxy,
        hyy=hyy,
    )


class _Booth(Surface):
    """A quadratic (Hessian [[10, 8], [8, 10]], eigenvalues 18 and 2), minimum off-centre."""

    def value(self, x: Values, y: Values) -> Values:
        return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2

    def value_and_grad(self, x: float, y: float) -> tuple[float, float, float]:
        x, y = float(x), float(y)
        p, q = x + 2.0 * y - 7.0, 2.0 * x + y - 5.0
        return p * p + q * q, 2.0 * p + 4.0 * q, 4.0 * p + 2.0 * q

    def hessian_entries(self, x: float, y: float) -> tuple[float, float, float]:
        return (10.0, 8.0, 10.0)


_BOOTH = _Booth(
    id="booth",
    name="Booth",
    description=(
        "A tilted, stretched bowl (curvatures 18 and 2) with its bottom away from the centre "
        "at (1, 3): the simplest case of a valley that is not lined up with the axes."
    ),
    formula_latex=r"f(x, y) = (x + 2y - 7)^2 + (2x + y - 5)^2",
    bounds=((-10.0, 10.0), (-10.0, 10.0)),
    minima=((1.0, 3.0),),
    default_start=(-6.0, 8.0),
)


# --- valleys and several minima ---------------------------------------------------------------


class _Rosenbrock(Surface):
    """(a - x)^2 + b (y - x^2)^2 with a = 1, b = 100."""

    def value(self, x: Values, y: Values) -> Values:
        return (1 - x) ** 2 + 100 * (y - x * x) ** 2

    def value_and_grad(self, x: float, y: float) -> tuple[float, float, float]:
        x, y = float(x), float(y)
        d = y - x * x  # distance above the valley floor y = x^2
        return (
            (1.0 - x) ** 2 + 100.0 * d * d,
            -2.0 * (1.0 - x) - 400.0 * x * d,
            200.0 * d,
        )

    def hessian_entries(self, x: float, y: float) -> tuple[float, float, float]:
        return (2.0 - 400.0 * y + 1200.0 * x * x, -400.0 * x, 200.0)


_ROSENBROCK = _Rosenbrock(
    id="rosenbrock",
    name="Rosenbrock",
    description=(
        "A long, curved, flat-bottomed valley: easy to find, hard to follow all the way "
        "to the minimum at (1, 1)."
    ),
    formula_latex=r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
    bounds=((-2.0, 2.0), (-1.0, 3.0)),
    minima=((1.0, 1.0),),
    default_start=(-1.5, 2.0),
)


class _Himmelblau(Surface):
    """(x^2 + y - 11)^2 + (x + y^2 - 7)^2: four minima, all with f = 0."""

    def value(self, x: Values, y: Values) -> Values:
        return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2

    def value_and_grad(self, x: float, y: float) -> tuple[float, float, float]:
        x, y = float(x), float(y)
        a, b = x * x + y - 11.0, x + y * y - 7.0
        return a * a + b * b, 4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b

    def hessian_entries(self, x: float, y: float) -> tuple[float, float, float]:
        a, b = x * x + y - 11.0, x + y * y - 7.0
        return (4.0 * a + 8.0 * x * x + 2.0, 4.0 * (x + y), 4.0 * b + 8.0 * y * y + 2.0)


_HIMMELBLAU = _Himmelblau(
    id="himmelblau",
    name="Himmelblau",
    description=(
        "Four equally deep minima around a central hill: which one you reach depends on where "
        "you start and how you move."
    ),
    formula_latex=r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    bounds=((-5.0, 5.0), (-5.0, 5.0)),
    # (3, 2) is exact; the other three are roots of a quartic, to double precision.
    minima=(
        (3.0, 2.0),
        (-2.805118086952745, 3.131312518250573),
        (-3.779310253377747, -3.283185991286169),
        (3.5844283403304917, -1.8481265269644034),
    ),
    default_start=(0.0, 0.0),
)


class _Beale(Surface):
    """Sum of three squares t_k = c_k - x + x y^k, c = (1.5, 2.25, 2.625)."""

    def value(self, x: Values, y: Values) -> Values:
        return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2

    def value_and_grad(self, x: float, y: float) -> tuple[float, float, float]:
        x, y = float(x), float(y)
        y2 = y * y
        y3 = y2 * y
        t1, t2, t3 = 1.5 - x + x * y, 2.25 - x + x * y2, 2.625 - x + x * y3
        return (
            t1 * t1 + t2 * t2 + t3 * t3,
            2.0 * (t1 * (y - 1.0) + t2 * (y2 - 1.0) + t3 * (y3 - 1.0)),
            2.0 * x * (t1 + 2.0 * y * t2 + 3.0 * y2 * t3),
        )

    def hessian_entries(self, x: float, y: float) -> tuple[float, float, float]:
        y2 = y * y
        y3 = y2 * y
        t1, t2, t3 = 1.5 - x + x * y, 2.25 - x + x * y2, 2.625 - x + x * y3
        # f = sum t_k^2, so f'' = 2 sum (t_k' t_k'^T + t_k t_k'').
        dx1, dx2, dx3 = y - 1.0, y2 - 1.0, y3 - 1.0  # dt_k/dx
        dy1, dy2, dy3 = x, 2.0 * x * y, 3.0 * x * y2  # dt_k/dy
        fxx = 2.0 * (dx1 * dx1 + dx2 * dx2 + dx3 * dx3)
        fxy = 2.0 * (dx1 * dy1 + dx2 * dy2 + dx3 * dy3 + t1 + 2.0 * y * t2 + 3.0 * y2 * t3)
        fyy = 2.0 * (dy1 * dy1 + dy2 * dy2 + dy3 * dy3 + 2.0 * x * t2 + 6.0 * x * y * t3)
        return (fxx, fxy, fyy)


_BEALE = _Beale(
    id="beale",
    name="Beale",
    description=(
        "Flat plains and towering ridges side by side, with the minimum at (3, 0.5) in a narrow "
        "valley: one learning rate rarely suits the whole map."
    ),
    formula_latex=r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
    bounds=((-4.5, 4.5), (-4.5, 4.5)),
    minima=((3.0, 0.5),),
    default_start=(1.0, 1.5),
)


class _SixHumpCamel(Surface):
    """(4 - 2.1 x^2 + x^4/3) x^2 + x y + (-4 + 4 y^2) y^2."""

    def value(self, x: Values, y: Values) -> Values:
        x2, y2 = x * x, y * y
        return (4 - 2.1 * x2 + x2 * x2 / 3) * x2 + x * y + (-4 + 4 * y2) * y2

    def value_and_grad(self, x: float, y: float) -> tuple[float, float, float]:
        x, y = float(x), float(y)
        x2, y2 = x * x, y * y
        return (
            (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (-4.0 + 4.0 * y2) * y2,
            x * (8.0 - 8.4 * x2 + 2.0 * x2 * x2) + y,
            x + y * (-8.0 + 16.0 * y2),
        )

    def hessian_entries(self, x: float, y: float) -> tuple[float, float, float]:
        x2 = x * x
        return (8.0 - 25.2 * x2 + 10.0 * x2 * x2, 1.0, -8.0 + 48.0 * y * y)


_SIX_HUMP_CAMEL = _SixHumpCamel(
    id="six_hump_camel",
    name="Six-hump camel",
    description=(
        "Six valleys of three different depths, the two deepest mirror images of each other: "
        "a small landscape of local minima to get trapped in."
    ),
    formula_latex=(
        r"f(x, y) = \left(4 - 2.1x^2 + \tfrac{x^4}{3}\right)x^2 + xy + \left(-4 + 4y^2\right)y^2"
    ),
    bounds=((-2.2, 2.2), (-1.2, 1.2)),
    minima=(
        (0.08984201310031807, -0.7126564030207396),
        (-0.08984201310031807, 0.7126564030207396),
    ),
    default_start=(1.9, 1.1),
)


class _StyblinskiTang(Surface):
    """1/2 sum (t^4 - 16 t^2 + 5 t) over t in (x, y); separable, two basins per axis."""

    def value(self, x: Values, y: Values) -> Values:
        return 0.5 * (x**4 - 16 * x * x + 5 * x + y**4 - 16 * y * y + 5 * y)

    def value_and_grad(self, x: float, y: float) -> tuple[float, float, float]:
        x, y = float(x), float(y)
        x2, y2 = x * x, y * y
        return (
            0.5 * (x2 * x2 - 16.0 * x2 + 5.0 * x + y2 * y2 - 16.0 * y2 + 5.0 * y),
            2.0 * x2 * x - 16.0 * x + 2.5,
            2.0 * y2 * y - 16.0 * y + 2.5,
        )

    def hessian_entries(self, x: float, y: float) -> tuple[float, float, float]:
        return (6.0 * x * x - 16.0, 0.0, 6.0 * y * y - 16.0)


# Root of 2 t^3 - 16 t + 2.5 = 0 near -2.9, to double precision.
_ST_ARGMIN = -2.903534027771177

_STYBLINSKI_TANG = _StyblinskiTang(
    id="styblinski_tang",
    name="Styblinski-Tang",
    description=(
        "Four basins of different depths, one per corner: the nearest basin is rarely the "
        "deepest, which sits at (-2.90, -2.90)."
    ),
    formula_latex=r"f(x, y) = \tfrac{1}{2}\left(x^4 - 16x^2 + 5x + y^4 - 16y^2 + 5y\right)",
    bounds=((-5.0, 5.0), (-5.0, 5.0)),
    minima=((_ST_ARGMIN, _ST_ARGMIN),),
    default_start=(4.5, 4.5),
)


# --- many local minima ------------------------------------------------------------------------


class _Rastrigin(Surface):
    """20 + sum (t^2 - 10 cos(2 pi t)): a bowl under an egg-box of local minima near integers."""

    def value(self, x: Values, y: Values) -> Values:
        return 20 + x * x - 10 * np.cos(2 * np.pi * x) + y * y - 10 * np.cos(2 * np.pi * y)

    def value_and_grad(self, x: float, y: float) -> tuple[float, float, float]:
        x, y = float(x), float(y)
        wx, wy = 2.0 * pi * x, 2.0 * pi * y
        return (
            20.0 + x * x - 10.0 * cos(wx) + y * y - 10.0 * cos(wy),
            2.0 * x + 20.0 * pi * sin(wx),
            2.0 * y + 20.0 * pi * sin(wy),
        )

    def hessian_entries(self, x: float, y: float) -> tuple[float, float, float]:
        k = 40.0 * pi * pi
        return (2.0 + k * cos(2.0 * pi * x), 0.0, 2.0 + k * cos(2.0 * pi * y))


_RASTRIGIN = _Rastrigin(
    id="rastrigin",
    name="Rastrigin",
    description=(
        "An egg-box of evenly spaced dips on top of a bowl: gradient descent settles in the "
        "nearest dip, and only big or noisy steps find the centre."
    ),
    formula_latex=r"f(x, y) = 20 + x^2 - 10\cos(2\pi x) + y^2 - 10\cos(2\pi y)",
    bounds=((-5.12, 5.12), (-5.12, 5.12)),
    minima=((0.0, 0.0),),
    default_start=(-2.7, 3.3),
)


class _Ackley(Surface):
    """-a exp(-b r) - exp(mean cos(c t)) + a + e, r = sqrt((x^2 + y^2) / 2), a=20, b=0.2, c=2 pi.

    The first term is a cone at the origin: its gradient jumps there and its curvature is
    infinite. At r = 0 exactly we return the cone's zero subgradient (so the minimum reads as
    stationary) and leave the cone out of the Hessian, which stays finite (2 pi^2 e on the
    diagonal, the egg-box term alone). Anywhere else the derivatives are exact.
    """

    def value(self, x: Values, y: Values) -> Values:
        r = np.sqrt(0.5 * (x * x + y * y))
        waves = 0.5 * (np.cos(2 * np.pi * x) + np.cos(2 * np.pi * y))
        return -20 * np.exp(-0.2 * r) - np.exp(waves) + np.e + 20

    def value_and_grad(self, x: float, y: float) -> tuple[float, float, float]:
        x, y = float(x), float(y)
        r = sqrt(0.5 * (x * x + y * y))
        e1 = exp(-0.2 * r)
        wx, wy = 2.0 * pi * x, 2.0 * pi * y
        e2 = exp(0.5 * (cos(wx) + cos(wy)))
        # d/dx of -20 exp(-0.2 r) is 20 * 0.2 * e1 * dr/dx with dr/dx = x / (2 r).
        k = 2.0 * e1 / r if r > 0.0 else 0.0
        return (
            -20.0 * e1 - e2 + math.e + 20.0,
            k * x + pi * e2 * sin(wx),
            k * y + pi * e2 * sin(wy),
        )

    def hessian_entries(self, x: float, y: float) -> tuple[float, float, float]:
        wx, wy = 2.0 * pi * x, 2.0 * pi * y
        sx, sy = sin(wx), sin(wy)
        e2 = exp(0.5 * (cos(wx) + cos(wy)))
        # Egg-box term -exp(h): Hessian -e2 (grad h grad h^T + hess h), grad h = -pi sin(2 pi t).
        fxx = e2 * (2.0 * pi * pi * cos(wx) - pi * pi * sx * sx)
        fyy = e2 * (2.0 * pi * pi * cos(wy) - pi * pi * sy * sy)
        fxy = -e2 * pi * pi * sx * sy
        r = sqrt(0.5 * (x * x + y * y))
        if r > 0.0:
            # Cone term g(r) = -20 exp(-0.2 r): g'(r) hess r + g''(r) grad r grad r^T, with
            # grad r = (x, y) / (2 r) and hess r = I / (2 r) - (x, y)(x, y)^T / (4 r^3).
            e1 = exp(-0.2 * r)
            g1, g2 = 4.0 * e1, -0.8 * e1  # g'(r), g''(r)
            q = -g1 / (4.0 * r**3) + g2 / (4.0 * r * r)  # coefficient of (x, y)(x, y)^T
            fxx += g1 / (2.0 * r) + q * x * x
            fyy += g1 / (2.0 * r) + q * y * y
            fxy += q * x * y
        return (fxx, fxy, fyy)


_ACKLEY = _Ackley(
    id="ackley",
    name="Ackley",
    description=(
        "A bumpy, almost flat plain with one deep, sharp hole at the centre: far from it the "
        "gradient only points to the nearest bump."
    ),
    formula_latex=(
        r"f(x, y) = -20\,e^{-0.2\sqrt{(x^2 + y^2)/2}}"
        r" - e^{(\cos 2\pi x + \cos 2\pi y)/2} + e + 20"
    ),
    bounds=((-5.0, 5.0), (-5.0, 5.0)),
    minima=((0.0, 0.0),),
    default_start=(3.4, -2.6),
)


# --- saddles: no minimum at all ---------------------------------------------------------------


class _Saddle(Surface):
    """x^2 - y^2: a minimum along x, a maximum along y, unbounded below."""

    def value(self, x: Values, y: Values) -> Values:
        return x * x - y * y

    def value_and_grad(self, x: float, y: float) -> tuple[float, float, float]:
        x, y = float(x), float(y)
        return x * x - y * y, 2.0 * x, -2.0 * y

    def hessian_entries(self, x: float, y: float) -> tuple[float, float, float]:
        return (2.0, 0.0, -2.0)


_SADDLE = _Saddle(
    id="saddle",
    name="Saddle",
    description=(
        "A horse saddle, uphill along x and downhill along y, with no minimum at all: starting "
        "almost on the ridge, gradient descent crawls towards the centre before sliding off."
    ),
    formula_latex=r"f(x, y) = x^2 - y^2",
    bounds=((-2.0, 2.0), (-2.0, 2.0)),
    minima=(),
    default_start=(-1.5, 0.01),
)


class _MonkeySaddle(Surface):
    """x^3 - 3 x y^2 = r^3 cos(3 theta): three valleys, Hessian zero at the origin."""

    def value(self, x: Values, y: Values) -> Values:
        return x**3 - 3 * x * y * y

    def value_and_grad(self, x: float, y: float) -> tuple[float, float, float]:
        x, y = float(x), float(y)
        return x * x * x - 3.0 * x * y * y, 3.0 * (x * x - y * y), -6.0 * x * y

    def hessian_entries(self, x: float, y: float) -> tuple[float, float, float]:
        return (6.0 * x, -6.0 * y, -6.0 * x)


_MONKEY_SADDLE = _MonkeySaddle(
    id="monkey_saddle",
    name="Monkey saddle",
    description=(
        "A saddle with three downhill valleys (two for the legs, one for the tail) and no "
        "minimum: so flat at the centre that even the curvature vanishes, and escape is slow."
    ),
    formula_latex=r"f(x, y) = x^3 - 3xy^2",
    bounds=((-1.5, 1.5), (-1.5, 1.5)),
    minima=(),
    default_start=(1.2, 0.05),
)


# Display order; the one bridge from ids to surfaces.
SURFACES: dict[str, Surface] = {
    s.id: s
    for s in (
        _BOWL,
        make_ravine(),
        _ROSENBROCK,
        _HIMMELBLAU,
        _BEALE,
        _BOOTH,
        _RASTRIGIN,
        _ACKLEY,
        _SADDLE,
        _MONKEY_SADDLE,
        _SIX_HUMP_CAMEL,
        _STYBLINSKI_TANG,
    )
}

# Surfaces that take parameters: the factory that builds one from its parameters (their names,
# ranges and help live in the surface's `parameters`, the one description of them).
_FACTORIES = {"ravine": make_ravine}


def get_surface(surface_id: str, **params: object) -> Surface:
    """The registered surface, or for a parametrised one a copy built from params, each
    validated by its Hyperparameter (a HyperparameterError names the parameter)."""
    if surface_id not in SURFACES:
        valid = ", ".join(SURFACES)
        raise KeyError(f"unknown surface {surface_id!r}; valid ids: {valid}")
    specs = SURFACES[surface_id].parameters
    unknown = sorted(set(params) - set(specs))
    if unknown:
        allowed = ", ".join(specs) or "none"
        raise HyperparameterError(
            unknown[0], f"{unknown[0]}: not a parameter of the {surface_id} surface "
            f"(its parameters: {allowed})")
    if not params:
        return SURFACES[surface_id]
    values = {name: specs[name].validate(name, value) for name, value in params.items()}
    return _FACTORIES[surface_id](**values)
