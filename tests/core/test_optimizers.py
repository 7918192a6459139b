"""Optimizers against golden vectors, plus their API: PyTorch's (tests/golden/optimizers.json)
and, for optimizers beyond torch.optim, their reference packages' (reference_optimizers.json)."""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from app.core.optimizers import OPTIMIZERS, Optimizer, make_optimizer
from app.core.parameters import Hyperparameter, HyperparameterError

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "optimizers.json"
REFERENCE = GOLDEN.with_name("reference_optimizers.json")
IDS = [
    "sgd",
    "momentum",
    "nesterov",
    "adagrad",
    "rmsprop",
    "adadelta",
    "adam",
    "adamw",
    "nadam",
    "amsgrad",
    "adamax",
    "radam",
    "rprop",
    "asgd",
    "adafactor",
    "lion",
    "prodigy",
    "schedulefree_sgd",
    "schedulefree_adamw",
]
# Those that ask their run for more than the gradient: tests/core/test_oracle_optimizers.py
ORACLE_IDS = ["lbfgs", "sam_sgd", "sam_adam", "newton", "damped_newton", "muon"]
# torch keywords that an id fixes instead of exposing (e.g. nesterov=True for "nesterov")
FIXED_BY_ID = {
    "sgd": {"momentum", "dampening", "nesterov"},
    "momentum": {"nesterov"},
    "nesterov": {"dampening", "nesterov"},
    "adam": {"amsgrad", "decoupled_weight_decay"},
    "adamw": {"amsgrad"},
    "amsgrad": {"amsgrad", "decoupled_weight_decay"},
}
STATE_KEYS = {
    "sgd": set(),
    "momentum": {"momentum_buffer"},
    "nesterov": {"momentum_buffer"},
    "adagrad": {"clr", "sum"},
    "rmsprop": {"square_avg"},
    "adadelta": {"square_avg", "acc_delta"},
    "adam": {"m", "v", "m_hat", "v_hat", "bias_correction1", "bias_correction2"},
    "adamw": {"m", "v", "m_hat", "v_hat", "bias_correction1", "bias_correction2"},
    "amsgrad": {"m", "v", "v_max", "m_hat", "v_hat"},
    "nadam": {"m", "v", "mu", "mu_next", "mu_product"},
    "adamax": {"m", "u", "m_hat", "bias_correction1", "step_size"},
    "radam": {"m", "v", "m_hat", "rho_t", "rect", "bias_correction1", "bias_correction2"},
    "rprop": {"prev", "step_size"},
    "asgd": {"eta", "mu", "ax"},
    "adafactor": {"variance", "one_minus_beta2_t", "rho_t", "alpha", "clip"},
    "lion": {"m", "update"},
    "prodigy": {"d", "d_max", "d_hat", "dlr", "k", "m", "v", "s", "p0"},
    "schedulefree_sgd": {"x", "z", "ckp1", "scheduled_lr", "lr_max", "weight_sum"},
    "schedulefree_adamw": {"x", "z", "v", "ckp1", "scheduled_lr", "bias_correction2"},
}


@cache
def golden() -> dict:
    return json.loads(GOLDEN.read_text())


@cache
def reference() -> dict:
    return json.loads(REFERENCE.read_text())


def oracle(oid: str) -> tuple[dict, list[dict], set[str]]:
    """An optimizer's oracle: its defaults, its runs, and the oracle's keywords the id fixes."""
    if oid in golden()["optimizers"]:
        entry = golden()["optimizers"][oid]
        return entry["torch_defaults"], entry["runs"], FIXED_BY_ID.get(oid, set())
    entry = reference()["optimizers"][oid]
    return entry["defaults"], entry["runs"], set(entry["hidden"])


def golden_runs() -> list[tuple[str, dict]]:
    return [(oid, run) for oid, entry in golden()["optimizers"].items() for run in entry["runs"]]


def reference_runs() -> list[tuple[str, dict]]:
    return [
        (oid, run) for oid, entry in reference()["optimizers"].items() for run in entry["runs"]
    ]


def replay(opt: Optimizer, run: dict, as_tuple: bool) -> list[list[float]]:
    """Step through the stored gradients, applying the run's mid-run lr changes."""
    g = golden()
    params = tuple(g["params0"]) if as_tuple else np.array(g["params0"])
    changes = {int(k): v for k, v in run["lr_changes"].items()}
    out = []
    for k, grad in enumerate(g["grads"]):
        if k in changes:
            opt.lr = changes[k]
        params = opt.step(params, tuple(grad) if as_tuple else np.array(grad))
        out.append(list(params))
    return out


def test_registry_order() -> None:
    assert list(OPTIMIZERS) == IDS + ORACLE_IDS
    assert set(golden()["optimizers"]) | set(reference()["optimizers"]) == set(IDS)
    assert [oid for oid, cls in OPTIMIZERS.items() if cls.needs_oracle] == ORACLE_IDS
    assert reference()["params0"] == golden()["params0"]
    assert reference()["grads"] == golden()["grads"]


@pytest.mark.parametrize(
    ("oid", "run"),
    golden_runs() + reference_runs(),
    ids=[f"{o}-{r['name']}" for o, r in golden_runs() + reference_runs()],
)
def test_matches_oracle(oid: str, run: dict) -> None:
    expected = np.array(run["params"])  # (steps, 5)
    from_array = replay(make_optimizer(oid, **run["hyper"]), run, as_tuple=False)
    np.testing.assert_allclose(from_array, expected, rtol=1e-10, atol=1e-14)
    # the float path runs the same operations in the same order: identical, not merely close
    from_tuple = replay(make_optimizer(oid, **run["hyper"]), run, as_tuple=True)
    assert from_tuple == from_array
    assert all(type(x) is float for x in from_tuple[-1])


@pytest.mark.parametrize(
    "oid",
    [
        "adafactor",  # factored second moment
        "lion",  # a check that the matrix path of an elementwise rule is the same rule
    ],
)
def test_matrix_matches_torch(oid: str) -> None:
    """Arrays of 2+ dims: Adafactor factors its second moment over the last two axes, as torch
    does (a network's flat weight vector never does; an API user's matrix might)."""
    data = reference()["torch_matrix"]
    runs = data["optimizers"].get(oid, {"runs": []})["runs"]
    for run in runs:
        opt, p = make_optimizer(oid, **run["hyper"]), np.array(data["params0"])
        for grad, expected in zip(data["grads"], run["params"], strict=True):
            p = opt.step(p, np.array(grad))
            np.testing.assert_allclose(p, expected, rtol=1e-10, atol=1e-14)
    if oid == "lion":  # elementwise: a matrix steps as its flattened entries do
        rng = np.random.default_rng(5)
        grads = rng.normal(size=(6, 3, 4))
        by_matrix, by_flat = make_optimizer(oid, lr=0.1), make_optimizer(oid, lr=0.1)
        p, q = np.zeros((3, 4)), tuple([0.0] * 12)
        for g in grads:
            p, q = by_matrix.step(p, g), by_flat.step(q, tuple(g.ravel().tolist()))
        assert p.ravel().tolist() == list(q)


@pytest.mark.parametrize("oid", IDS)
def test_defaults_are_the_oracles(oid: str) -> None:
    torch_defaults, _, fixed = oracle(oid)
    cls = OPTIMIZERS[oid]
    assert set(cls.hyperparameters) == set(torch_defaults) - fixed
    for name, spec in cls.hyperparameters.items():
        assert spec.default == torch_defaults[name], name
        assert type(spec.default) is type(torch_defaults[name]) or spec.kind != "bool", name
    opt = cls()
    for name in fixed & set(torch_defaults):  # (foreach is not recorded: no effect on values)
        # plain SGD has no momentum attributes at all, which is torch's momentum=0
        assert getattr(opt, name, torch_defaults[name]) == torch_defaults[name], name


@pytest.mark.parametrize("oid", IDS + ORACLE_IDS)
def test_class_metadata(oid: str) -> None:
    cls = OPTIMIZERS[oid]
    assert cls.id == oid and cls.name and cls.equation and cls.__doc__
    assert cls.description.endswith(".") and cls.description.count(". ") == 0
    annotated = {n for k in cls.__mro__ for n in getattr(k, "__annotations__", {})}
    for name, spec in cls.hyperparameters.items():
        assert name in annotated, f"{name} has no typed field"
        assert (spec.default is None and spec.nullable) or spec.min <= spec.default <= spec.max
        assert spec.kind != "bool" or spec.default in (False, True), name
        assert spec.kind != "choice" or spec.default in (*spec.choices, None), name
        assert spec.help
        if spec.log:
            assert spec.min > 0, name


@pytest.mark.parametrize("oid", IDS)
def test_reset_restores_first_step_behaviour(oid: str) -> None:
    run = oracle(oid)[1][1]
    opt = make_optimizer(oid, **run["hyper"])
    opt.step((5.0, -5.0), (1.0, 2.0))
    opt.step((5.0, -5.0), (3.0, -2.0))
    opt.reset()
    assert opt.t == 0 and opt.state_snapshot() == {"step": 0}
    # after a reset the layout may change too: here from 2 floats to a 5-element array
    np.testing.assert_allclose(replay(opt, run, as_tuple=False), run["params"], rtol=1e-10)


@pytest.mark.parametrize("oid", IDS)
def test_state_snapshot(oid: str) -> None:
    tuple_opt, array_opt = make_optimizer(oid), make_optimizer(oid)
    for grad in [(0.5, -1.0), (0.2, 0.3), (-0.4, 0.1)]:
        params = tuple_opt.step((1.0, 2.0), grad)
        array_opt.step(np.array([1.0, 2.0]), np.array(grad))
    assert isinstance(params, tuple)
    from_tuple, from_array = tuple_opt.state_snapshot(), array_opt.state_snapshot()
    assert from_tuple["step"] == from_array["step"] == 3 == tuple_opt.t
    assert STATE_KEYS[oid] <= set(from_tuple)
    assert set(from_tuple) == set(from_array)
    for key, value in from_tuple.items():
        if isinstance(value, list):
            assert len(value) == 2 and all(type(x) is float for x in value), key
            assert isinstance(from_array[key], np.ndarray), key
            assert from_array[key].tolist() == value, key
        else:
            assert value == from_array[key], key


def test_adam_snapshot_values() -> None:
    opt = make_optimizer("adam")
    opt.step((1.0,), (0.5,))
    snap = opt.state_snapshot()
    # after one step the bias-corrected averages are the gradient and its square
    assert snap["m_hat"][0] == pytest.approx(0.5)
    assert snap["v_hat"][0] == pytest.approx(0.25)


def test_step_does_not_mutate_inputs() -> None:
    params, grad = np.array([[1.0, 2.0], [3.0, 4.0]]), np.ones((2, 2))
    before = params.copy()
    out = make_optimizer("adam").step(params, grad)
    assert out is not params and out.shape == (2, 2) and out.dtype == np.float64
    np.testing.assert_array_equal(params, before)


def test_layout_errors() -> None:
    opt = make_optimizer("momentum")
    with pytest.raises(ValueError, match="grad"):
        opt.step((1.0, 2.0), (1.0,))
    with pytest.raises(ValueError, match="shape"):
        opt.step(np.zeros(3), np.zeros(4))
    opt.step((1.0, 2.0), (1.0, 1.0))
    with pytest.raises(ValueError, match="reset"):
        opt.step((1.0, 2.0, 3.0), (1.0, 1.0, 1.0))
    with pytest.raises(ValueError, match="reset"):
        opt.step(np.zeros(2), np.zeros(2))


def test_live_hyperparameter_changes() -> None:
    opt = make_optimizer("sgd")
    assert opt.step((1.0,), (1.0,)) == (1.0 - 1e-3,)
    opt.lr = 0.5
    assert opt.step((1.0,), (1.0,)) == (0.5,)
    opt.set("lr", 0.25)
    assert opt.lr == 0.25 and opt.config() == {"lr": 0.25, "weight_decay": 0.0}


def test_validation_names_the_field() -> None:
    with pytest.raises(ValueError, match="betas") as info:
        make_optimizer("adam", betas=(0.9, 0.99))
    assert isinstance(info.value, HyperparameterError) and info.value.field == "betas"
    with pytest.raises(ValueError, match="beta1"):
        make_optimizer("adam", beta1=1.5)
    with pytest.raises(ValueError, match="lr"):
        make_optimizer("sgd", lr=-1.0)
    with pytest.raises(ValueError, match="lr"):
        make_optimizer("sgd", lr=math.nan)
    with pytest.raises(ValueError, match="eps"):
        make_optimizer("adam", eps="small")
    opt = make_optimizer("rmsprop")
    with pytest.raises(ValueError, match="momentum"):
        opt.momentum = -0.1
    with pytest.raises(ValueError, match="centered"):
        opt.centered = "yes"
    with pytest.raises(ValueError, match="nope"):
        opt.set("nope", 1.0)
    opt.centered = 1
    assert opt.centered is True
    assert opt.momentum == 0.0  # the failed assignment left the old value
    nesterov = make_optimizer("nesterov")
    with pytest.raises(ValueError, match="dampening"):
        make_optimizer("nesterov", dampening=0.5)  # torch requires 0 with nesterov
    with pytest.raises(ValueError, match="dampening"):
        nesterov.dampening = 0.5
    with pytest.raises(ValueError, match="learning_rate"):
        nesterov.learning_rate = 0.1  # a typo must not pass silently


def test_unknown_optimizer_lists_valid_ids() -> None:
    with pytest.raises(ValueError, match="adamw"):
        make_optimizer("sophia")


def test_hyperparameter_kinds() -> None:
    spec = Hyperparameter(5, 1, 10, "an int", kind="int")
    assert spec.validate("n", 3.0) == 3 and isinstance(spec.validate("n", 3.0), int)
    with pytest.raises(ValueError, match="n must be an integer"):
        spec.validate("n", 2.5)
    with pytest.raises(ValueError, match="n must be a number"):
        spec.validate("n", True)


def test_adagrad_lr_decay_and_initial_accumulator() -> None:
    opt = make_optimizer("adagrad", lr=1.0, lr_decay=1.0, initial_accumulator_value=3.0)
    assert opt.step((0.0,), (1.0,)) == pytest.approx((-1.0 / 2.0,))  # sum 3 + 1 = 4
    assert opt.step((0.0,), (0.0,)) == (0.0,)
    assert opt.state_snapshot()["clr"] == 0.5  # lr / (1 + (t - 1) * lr_decay) at t = 2


@pytest.mark.parametrize("optimizer_id", IDS)
def test_pair_stepper_is_step_without_the_checks(optimizer_id: str) -> None:
    """Live runs step through `pair_stepper`: it must agree with `step` bit for bit, before and
    after a reset, with weight decay on so that every branch of the rule runs."""
    hyper = {"weight_decay": 0.01} if "weight_decay" in OPTIMIZERS[optimizer_id].hyperparameters \
        else {}
    rng = np.random.default_rng(7)
    grads = [tuple(g) for g in rng.normal(size=(40, 2)).tolist()]
    by_step, by_pair = make_optimizer(optimizer_id, **hyper), make_optimizer(optimizer_id, **hyper)
    for _ in range(2):
        p = q = (0.3, -1.2)
        pair = by_pair.pair_stepper()
        for g in grads:
            p, q = by_step.step(p, g), pair(q, g)
            assert p == q
        assert by_pair.state_snapshot() == by_step.state_snapshot()
        by_step.reset()
        by_pair.reset()


def test_asgd_ax_is_the_average_of_the_points_since_t0() -> None:
    """mu_t = 1 / max(1, t - 1 - t0): ax copies the point until step t0 + 2, then averages."""
    opt = make_optimizer("asgd", lr=0.1, t0=3.0)
    rng = np.random.default_rng(11)
    p, points = (1.0, -2.0), []
    for g in rng.normal(size=(12, 2)).tolist():
        p = opt.step(p, tuple(g))
        points.append(p)
        ax = opt.state_snapshot()["ax"]
        assert isinstance(ax, list) and len(ax) == 2  # a second (x, y) marker for the UI
    since = points[4:]  # steps 5..12: t0 + 1 = 4 steps of copying, then the running mean
    np.testing.assert_allclose(ax, np.mean(since, axis=0), rtol=1e-12)


def test_adafactor_eps1_null_is_the_machine_epsilon() -> None:
    spec = OPTIMIZERS["adafactor"].hyperparameters["eps1"]
    assert spec.nullable and spec.default is None
    assert spec.validate("eps1", None) is None
    by_null = make_optimizer("adafactor", eps1=None, lr=0.5)
    by_eps = make_optimizer("adafactor", eps1=float(np.finfo(np.float64).eps), lr=0.5)
    assert by_null.config()["eps1"] is None and "eps1=None" in repr(by_null)
    p = q = (0.0, 1e-20)  # tiny gradients: the eps1 floor is what bounds the update
    for g in [(1e-30, 0.0), (0.0, 1e-25), (1e-3, -1e-3)]:
        p, q = by_null.step(p, g), by_eps.step(q, g)
        assert p == q
    by_null.eps1 = 1e-3
    by_null.set("eps1", None)
    assert by_null.eps1 is None
    with pytest.raises(ValueError, match="eps1"):
        by_null.eps1 = 0.0  # a number must still be in range
    with pytest.raises(ValueError, match="eps must be a number"):
        make_optimizer("adam", eps=None)  # only nullable hyperparameters accept null


def test_adafactor_is_not_elementwise() -> None:
    """The whole-vector hook: one coordinate's step depends on the others (through the RMS)."""
    assert not OPTIMIZERS["adafactor"].elementwise
    whole_vector = {"adafactor", "prodigy", *ORACLE_IDS}
    assert all(cls.elementwise == (oid not in whole_vector) for oid, cls in OPTIMIZERS.items())
    alone = make_optimizer("adafactor").step((1.0,), (0.5,))
    together = make_optimizer("adafactor").step((1.0, 100.0), (0.5, 0.5))
    assert alone[0] != together[0]
    # the clip: a huge lr is capped by the update's RMS, d times the parameters' RMS at most
    opt = make_optimizer("adafactor", lr=10.0, d=1.0)
    p = opt.step((3.0, 4.0), (1e3, -1e-3))
    assert opt.state_snapshot()["clip"] >= 1.0
    assert math.dist(p, (3.0, 4.0)) <= opt.state_snapshot()["alpha"] * math.sqrt(2) * (1 + 1e-12)


def test_lion_moves_every_coordinate_by_lr() -> None:
    """sign() of the interpolated momentum: diagonal steps of exactly lr per coordinate."""
    opt = make_optimizer("lion", lr=0.01)
    p = (1.0, -3.0)
    for g in [(5.0, 1e-6), (-1e-3, 2.0), (0.2, -0.3)]:
        q = opt.step(p, g)
        np.testing.assert_allclose(np.abs(np.subtract(q, p)), [0.01, 0.01], rtol=1e-12)
        assert opt.state_snapshot()["update"] == [
            -math.copysign(1.0, a - b) for a, b in zip(q, p, strict=True)
        ]
        p = q


def test_radam_takes_momentum_steps_until_the_variance_is_tractable() -> None:
    opt = make_optimizer("radam", lr=0.1)  # beta2 0.999: rho_t passes 5 at t = 6
    rects = []
    for _ in range(8):
        opt.step((1.0,), (1.0,))
        rects.append(opt.state_snapshot()["rect"])
    assert rects[:5] == [0.0] * 5 and all(r > 0 for r in rects[5:])


def test_rprop_grows_and_shrinks_its_step_sizes() -> None:
    opt = make_optimizer("rprop", lr=0.1, etaminus=0.5, etaplus=2.0, step_size_max=0.3)
    opt.step((0.0, 0.0), (1.0, 1.0))
    p = opt.step((0.0, 0.0), (1.0, -1.0))  # x keeps its sign, y flips: y does not move
    assert p == (-0.2, 0.0)
    assert opt.state_snapshot()["step_size"] == [0.2, 0.05]
    assert opt.state_snapshot()["prev"] == [1.0, 0.0]
    opt.step((0.0, 0.0), (1.0, 1.0))
    assert opt.state_snapshot()["step_size"] == [0.3, 0.05]  # capped at step_size_max


def test_nullable_hyperparameter() -> None:
    spec = Hyperparameter(None, 1e-6, 1.0, "optional", nullable=True)
    assert spec.validate("e", None) is None and spec.validate("e", 0.5) == 0.5
    with pytest.raises(ValueError, match="between"):
        spec.validate("e", 2.0)
    with pytest.raises(ValueError, match="number"):
        Hyperparameter(0.5, 0.0, 1.0, "required").validate("e", None)
    with pytest.raises(ValueError, match="boolean"):
        Hyperparameter(False, 0, 1, "flag", kind="bool").validate("b", None)


def test_prodigy_estimates_its_step_size() -> None:
    """d starts at d0 and grows towards the distance to the minimum; all-zero gradients so far
    mean no step at all (prodigyopt returns early, k does not advance)."""
    opt = make_optimizer("prodigy")
    assert opt.step((3.0, -4.0), (0.0, 0.0)) == (3.0, -4.0)
    assert opt.state_snapshot()["k"] == 0 and opt.t == 1
    p = (3.0, -4.0)
    for _ in range(300):  # f = (x^2 + y^2) / 2: the minimum is 5 away from the start
        p = opt.step(p, p)
    snap = opt.state_snapshot()
    assert snap["k"] == 300 and snap["p0"] == [3.0, -4.0]
    assert 0.1 < snap["d"] <= 10.0 and snap["d"] == snap["d_max"]
    assert math.hypot(*p) < 1.0


@pytest.mark.parametrize("oid", ["schedulefree_sgd", "schedulefree_adamw"])
def test_schedulefree_x_is_the_packages_eval_point(oid: str) -> None:
    """step() takes and returns y (where the gradient is taken); x, the averaged point the
    package's eval() gives, is in the snapshot, for both paths."""
    g = golden()
    for run in reference()["optimizers"][oid]["runs"]:
        changes = {int(k): v for k, v in run["lr_changes"].items()}
        for as_tuple in (True, False):
            opt = make_optimizer(oid, **run["hyper"])
            params = tuple(g["params0"]) if as_tuple else np.array(g["params0"])
            for k, (grad, x) in enumerate(zip(g["grads"], run["x"], strict=True)):
                if k in changes:
                    opt.lr = changes[k]
                params = opt.step(params, tuple(grad) if as_tuple else np.array(grad))
                np.testing.assert_allclose(opt.state_snapshot()["x"], x, rtol=1e-10, atol=1e-14)
