"""The optimizers that ask their run for more than the gradient (`Optimizer.needs_oracle`):
whole runs against torch (tests/golden/oracle_optimizers.json, from make_oracle_vectors.py), the
trials each step records, Newton against the closed form, and the refusals by run kind."""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from app.core.mlp import MLP
from app.core.optimizers import OPTIMIZERS, make_optimizer
from app.core.parameters import HyperparameterError
from app.core.runs import NetworkRun, RunConfig, RunSet, SurfaceRun, make_problem, record
from app.core.surfaces import get_surface

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "oracle_optimizers.json"
# L-BFGS with several iterations per step (or on a network) amplifies a last-bit difference
# (torch's CPU kernels fuse a + alpha * b into one rounding) about tenfold per iteration near
# the minimum, where y = g_k - g_{k-1} cancels: measured worst 5e-8 (surface), 9e-7 relative
# (network weights, max_iter 4). The first steps agree to 1e-12. Everything else: 1e-9.
RTOL = {"lbfgs": 2e-6}
LOSS_ATOL = {"lbfgs": 1e-8}
ORACLE_IDS = {"lbfgs", "sam_sgd", "sam_adam", "newton", "damped_newton", "muon"}


@cache
def golden() -> dict:
    return json.loads(GOLDEN.read_text())


def surface_cases() -> list[tuple[str, str]]:
    return [(oid, name) for oid, runs in golden()["surface"].items() for name in runs]


def network_cases() -> list[tuple[str, str]]:
    return [(oid, name) for oid, runs in golden()["network_runs"].items() for name in runs]


def surface_record(oid: str, hyper: dict, steps: int) -> tuple[SurfaceRun, object]:
    surface = get_surface("rosenbrock")
    run = SurfaceRun(surface, golden()["start"], RunConfig(oid, hyperparameters=hyper))
    return run, record(RunSet([run], steps)).kept[0]


@pytest.mark.parametrize(("oid", "name"), surface_cases())
def test_surface_runs_equal_the_oracle(oid: str, name: str) -> None:
    gold = golden()["surface"][oid][name]
    run, cols = surface_record(oid, gold["hyper"], golden()["steps"])
    assert run.status == "done"
    rtol = RTOL.get(oid, 1e-9)
    np.testing.assert_allclose(cols.params[1:5], gold["points"][:4], rtol=1e-12)
    np.testing.assert_allclose(cols.params[1:], gold["points"], rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(cols.loss[1:], gold["losses"], rtol=rtol,
                               atol=LOSS_ATOL.get(oid, 1e-12))
    # the trials: every point the closure was evaluated at after the first, step by step
    assert len(cols.trials) == len(cols.step)
    assert [len(t) for t in cols.trials[1:]] == [len(t) for t in gold["trials"]]
    for mine, theirs in zip(cols.trials[1:], gold["trials"], strict=True):
        if theirs:
            np.testing.assert_allclose(mine, theirs, rtol=rtol, atol=1e-12)


def network_run(oid: str, hyper: dict) -> NetworkRun:
    from app.core.datasets import make_dataset

    net = golden()["network"]
    data = make_dataset("moons", net["n"], seed=net["seed"])
    model = MLP.build(net["sizes"], net["activation"], "cross_entropy")
    problem = make_problem(model, data.x, data.y, net["seed"], plane=None)
    run = NetworkRun(problem, RunConfig(oid.removesuffix("_float64"), hyperparameters=hyper))
    if oid == "muon_float64":  # the iteration's exact maths, against torch's patched to float64
        object.__setattr__(run.optimizer, "bfloat16", False)
    return run


@pytest.mark.parametrize(("oid", "name"), network_cases())
def test_network_runs_equal_the_oracle(oid: str, name: str) -> None:
    gold = golden()["network_runs"][oid][name]
    run = network_run(oid, gold["hyper"])
    out = run.columns()
    assert run.advance(golden()["steps"], out) == golden()["steps"]
    rtol = RTOL.get(oid, 1e-9)
    np.testing.assert_allclose(np.array(out.theta), gold["points"], rtol=rtol, atol=1e-11)
    np.testing.assert_allclose(out.theta[:4], gold["points"][:4], rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(out.loss, gold["losses"], rtol=rtol, atol=LOSS_ATOL.get(oid, 1e-12))


def test_lbfgs_defaults_are_torchs_but_max_iter() -> None:
    torch_defaults = golden()["torch_defaults"]["lbfgs"]
    specs = OPTIMIZERS["lbfgs"].hyperparameters
    assert set(specs) == set(torch_defaults)
    for name, spec in specs.items():
        expected = golden()["lbfgs_fixed"].get(name, torch_defaults[name])
        assert spec.default == expected, name
    assert torch_defaults["max_iter"] == 20 and specs["max_iter"].default == 1


def test_newton_schulz_equals_torchs_bfloat16() -> None:
    """The emulation against torch's own iteration: the same bfloat16 numbers (98 of the 100
    matrices bit for bit), but where float32 sums in another order round to a neighbour."""
    from app.core.optimizers.muon import newton_schulz
    cases = golden()["newton_schulz"]
    exact = 0
    for case in cases:
        got = newton_schulz(np.array(case["g"]), 5, 1e-7)
        diff = np.abs(got - np.array(case["out"]))
        exact += int(np.all(diff == 0))
        # an entry is a sum of the matrix's larger ones: a unit of those, at most
        assert diff.max() <= 2.0**-7 * np.abs(got).max(), diff.max()
    assert exact >= 0.9 * len(cases)


def test_muon_bfloat16_is_not_the_exact_maths() -> None:
    """torch's bfloat16 Newton-Schulz differs from float64 by bfloat16's rounding (8 bits): the
    emulation matters, and the float64 path is a different (exact) iteration."""
    from app.core.optimizers.muon import newton_schulz
    g = np.random.default_rng(2).normal(size=(5, 3))
    rough, exact = newton_schulz(g, 5, 1e-7), newton_schulz(g, 5, 1e-7, bfloat16=False)
    assert 1e-4 < np.max(np.abs(rough - exact)) < 0.1
    # every entry of the bfloat16 result has at most 8 significant bits
    mantissa = np.frexp(rough)[0] * 2**8
    np.testing.assert_array_equal(mantissa, np.round(mantissa))
    # Newton-Schulz pushes the singular values towards 1 (to about 0.7-1.2 with 5 steps)
    singular = np.linalg.svd(exact, compute_uv=False)
    assert np.all((singular > 0.6) & (singular < 1.3))


def test_muon_defaults_are_torchs() -> None:
    torch_defaults = golden()["torch_defaults"]["muon"]
    specs = OPTIMIZERS["muon"].hyperparameters
    assert set(specs) == set(torch_defaults) - {"ns_coefficients"}
    for name, spec in specs.items():
        assert spec.default == torch_defaults[name], name
    from app.core.optimizers.muon import NS_COEFFICIENTS
    assert list(NS_COEFFICIENTS) == torch_defaults["ns_coefficients"]


def test_strong_wolfe_trials_lie_on_the_line_and_satisfy_wolfe() -> None:
    """Each trial of a step is on the segment's line from the step's start; the accepted point
    decreases the loss enough (the sufficient-decrease condition)."""
    run, cols = surface_record("lbfgs", {"line_search_fn": "strong_wolfe", "max_eval": 25}, 15)
    surface = run.surface
    for k in range(1, len(cols.step)):
        start, end = np.array(cols.params[k - 1]), np.array(cols.params[k])
        assert cols.trials[k], "a line search evaluates at least one point"
        for trial in cols.trials[k]:
            cross = np.cross(end - start, np.array(trial) - start)
            assert abs(cross) <= 1e-9 * (1 + np.linalg.norm(end - start) ** 2)
        assert surface.value(*end) < surface.value(*start)


def test_sam_ascent_point_is_rho_uphill() -> None:
    rho = 0.3
    run, cols = surface_record("sam_sgd", {"lr": 1e-4, "rho": rho, "momentum": 0.0}, 5)
    for k in range(1, len(cols.step)):
        (ascent,) = cols.trials[k]
        p, g = np.array(cols.params[k - 1]), np.array(cols.grad[k - 1])
        np.testing.assert_allclose(np.array(ascent) - p, rho * g / np.linalg.norm(g), rtol=1e-12)
        # plain SGD with the gradient taken at the ascent point
        _, g_adv = run.surface.value_and_grad(*ascent)[0], run.surface.value_and_grad(*ascent)[1:]
        np.testing.assert_allclose(cols.params[k], p - 1e-4 * np.array(g_adv), rtol=1e-12)
    snap = run.optimizer.state_snapshot()
    assert snap["ascent"] == list(cols.trials[-1][0])


@pytest.mark.parametrize("start", [(3.0, -2.0), (-0.5, 0.7)])
def test_newton_reaches_a_quadratic_minimum_in_one_step(start: tuple[float, float]) -> None:
    surface = get_surface("ravine")
    h = surface.hessian(0.0, 0.0)
    run = SurfaceRun(surface, start, RunConfig("newton"))
    run.advance(1, None)
    minimum = np.array(surface.minima[0])
    np.testing.assert_allclose(run.current.params, minimum, atol=1e-12)
    assert run.current.loss == pytest.approx(surface.value(*minimum), abs=1e-12)
    # damped: the closed form (H + lambda I)^-1 g, a shorter step in the same half-plane
    damped = SurfaceRun(surface, start, RunConfig("damped_newton", hyperparameters={
        "damping": 2.0}))
    damped.advance(1, None)
    g = np.array(surface.value_and_grad(*start)[1:])
    expected = np.array(start) - np.linalg.solve(h + 2.0 * np.eye(2), g)
    np.testing.assert_allclose(damped.current.params, expected, rtol=1e-12)


def test_newton_is_drawn_to_a_saddle_and_damped_newton_escapes() -> None:
    """At a saddle (H has a negative eigenvalue) Newton jumps onto the stationary point; damped
    Newton with damping > -lambda_min goes downhill instead."""
    surface = get_surface("saddle")
    start = (0.5, 0.3)
    lam_min = float(np.linalg.eigvalsh(surface.hessian(*start))[0])
    assert lam_min < 0
    newton = SurfaceRun(surface, start, RunConfig("newton"))
    newton.advance(1, None)
    np.testing.assert_allclose(newton.current.params, (0.0, 0.0), atol=1e-12)
    damped = SurfaceRun(surface, start, RunConfig("damped_newton", hyperparameters={
        "damping": 2 * abs(lam_min)}))
    f0 = surface.value(*start)
    damped.advance(3, None)
    assert damped.current.loss < f0
    assert damped.optimizer.state_snapshot()["lambda_min"] < 0


def test_newton_at_a_singular_hessian_stops_as_diverged() -> None:
    surface = get_surface("saddle")
    run = SurfaceRun(surface, (0.5, 0.3), RunConfig("damped_newton", hyperparameters={
        "damping": abs(float(np.linalg.eigvalsh(surface.hessian(0.5, 0.3))[0]))}))
    run.advance(5, None)
    assert run.status == "diverged" and run.step_count == 1
    assert not math.isfinite(run.current.params[0])
    assert "singular" in run.reason


@pytest.mark.parametrize(("oid", "kind"), [("muon", "surface"), ("newton", "network"),
                                           ("damped_newton", "network")])
def test_a_run_refuses_an_optimizer_of_the_other_kind(oid: str, kind: str) -> None:
    with pytest.raises(HyperparameterError, match=f"optimizer '{oid}' runs on") as err:
        if kind == "surface":
            SurfaceRun(get_surface("bowl"), (1.0, 1.0), RunConfig(oid))
        else:
            network_run(oid, {})
    assert err.value.field == "optimizer"


@pytest.mark.parametrize("oid", sorted(ORACLE_IDS))
def test_oracle_optimizers_refuse_plain_step(oid: str) -> None:
    opt = make_optimizer(oid)
    assert opt.needs_oracle
    with pytest.raises(TypeError, match="step_with"):
        opt.step((1.0, 2.0), (0.1, 0.2))
    with pytest.raises(TypeError, match="step_with"):
        opt.pair_stepper()


@pytest.mark.parametrize("oid", ["lbfgs", "sam_sgd", "sam_adam", "newton", "damped_newton"])
def test_reset_restarts_the_same_surface_run(oid: str) -> None:
    run, first = surface_record(oid, {}, 12)
    assert run.optimizer.state_snapshot()["step"] == 12
    run.reset()
    assert run.optimizer.state_snapshot() == {"step": 0}
    again = record(RunSet([run], 12)).kept[0]
    assert again.params == first.params and again.trials == first.trials


def test_choice_hyperparameter() -> None:
    spec = OPTIMIZERS["lbfgs"].hyperparameters["line_search_fn"]
    assert spec.kind == "choice" and spec.validate("line_search_fn", None) is None
    assert spec.validate("line_search_fn", "strong_wolfe") == "strong_wolfe"
    with pytest.raises(HyperparameterError, match="'strong_wolfe', null"):
        spec.validate("line_search_fn", "armijo")


@pytest.mark.parametrize(("oid", "base", "hyper"), [
    ("sam_sgd", "momentum", {"lr": 0.01, "momentum": 0.5}),
    ("sam_adam", "adam", {"lr": 0.05}),
])
def test_sam_with_rho_0_is_its_base_on_the_same_noise_and_batches(oid: str, base: str,
                                                                   hyper: dict) -> None:
    """rho 0: the ascent point is the point itself, so SAM is its base step for step, if the
    oracle answers with the step's own noise (a surface) and its own minibatch (a network)."""
    surface = get_surface("rosenbrock")
    runs = [SurfaceRun(surface, (-1.0, 1.5), RunConfig(o, hyperparameters=h, noise=0.5, seed=3))
            for o, h in ((oid, hyper | {"rho": 0.0}), (base, hyper))]
    sam, plain = (record(RunSet([r], 40)).kept[0] for r in runs)
    assert sam.params == plain.params
    nets = [network_run(o, h) for o, h in ((oid, hyper | {"rho": 0.0}), (base, hyper))]
    for net in nets:
        net.config.batch_size = 8
        net.reset()
        assert net.advance(25, None) == 25
    np.testing.assert_array_equal(nets[0].current_theta, nets[1].current_theta)
    # and rho > 0 changes the path: the ascent gradient is used
    other = network_run(oid, hyper | {"rho": 0.5})
    other.config.batch_size = 8
    other.reset()
    other.advance(25, None)
    assert not np.array_equal(other.current_theta, nets[0].current_theta)


@pytest.mark.parametrize("tolerance_grad", [1e-7, 0.0])
def test_lbfgs_at_a_minimum_stays(tolerance_grad: float) -> None:
    run = SurfaceRun(get_surface("bowl"), (0.0, 0.0), RunConfig("lbfgs", hyperparameters={
        "tolerance_grad": tolerance_grad, "line_search_fn": "strong_wolfe"}))
    run.advance(5, None)
    assert run.status == "running" and run.current.params == (0.0, 0.0)
