"""Regenerate tests/golden/runs.json: whole runs from torch.optim + lr_scheduler, the oracle of
the run engine's contract (tests/api/test_run_contract.py). The tests never import torch.

    python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch==2.13.0 numpy
    PYTHONPATH=. /tmp/torchenv/bin/python tests/golden/make_run_vectors.py

Two kinds of run, every optimizer of torch.optim that the app has x every schedule:
- surface: Rosenbrock from (-1.5, 2.0), `STEPS` steps at the optimizer's default lr;
- network: a 2-5-2 tanh MLP on 40 moons points, full batch, softmax cross-entropy (the app's
  dataset and initial weights, read from app.core: both sides start from the same numbers).
Each twice: as configured, and "changed": before step `LR_AT`, `param_group["lr"] = 0.5 x` its lr
then; before step `HYPER_AT` one other hyperparameter is set (`CHANGES`), tuples split as the
app names them. The scheduler steps after every optimizer step, as in torch's loop.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from app.core.datasets import make_dataset
from app.core.mlp import MLP
from tests.golden.make_optimizer_vectors import OPTIMIZERS, SPLIT

OUT = Path(__file__).with_name("runs.json")
STEPS, LR_AT, HYPER_AT = 40, 12, 20
START = (-1.5, 2.0)
SCHEDULES = {
    "constant": {},
    "step": {"step_size": 7, "gamma": 0.5},
    "exponential": {"gamma": 0.9},
    "cosine": {"T_max": 15, "eta_min": 1e-4},
}
# The other hyperparameter each optimizer gets mid-run (our name, value).
CHANGES = {"rprop": ("etaplus", 1.1), "adafactor": ("beta2_decay", -0.6)}
DEFAULT_CHANGE = ("weight_decay", 0.01)
# Surface runs at torch's default lr, but where it throws Rosenbrock's walls far away.
SURFACE_LR = {"asgd": 1e-3}
NETWORK = {"sizes": [2, 5, 2], "activation": "tanh", "n": 40, "seed": 0}


def scheduler(opt: torch.optim.Optimizer, kind: str, params: dict):
    s = torch.optim.lr_scheduler
    if kind == "constant":  # no scheduler (a LambdaLR would undo a set lr at its next step)
        return None
    cls = {"step": s.StepLR, "exponential": s.ExponentialLR, "cosine": s.CosineAnnealingLR}[kind]
    return cls(opt, **params)


def set_hyper(group: dict, name: str, value: float) -> None:
    """param_group[name] = value, our split names written back into torch's tuples."""
    for torch_name, (first, second) in SPLIT.items():
        if name in (first, second) and isinstance(group.get(torch_name), tuple):
            pair = list(group[torch_name])
            pair[0 if name == first else 1] = value
            group[torch_name] = tuple(pair)
            return
    group[name] = value


def rosenbrock(p: torch.Tensor) -> torch.Tensor:
    x, y = p[0], p[1]
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def run(opt_id: str, kind: str, changed: bool, params: list, loss_fn,
        lr: float | None = None) -> dict:
    cls, base, _ = OPTIMIZERS[opt_id]
    base = base | ({"lr": lr} if lr is not None else {})
    opt = cls(params, foreach=False, **base) if "foreach" in cls.__init__.__code__.co_varnames \
        else cls(params, **base)
    sched = scheduler(opt, kind, SCHEDULES[kind])
    group = opt.param_groups[0]
    name, value = CHANGES.get(opt_id, DEFAULT_CHANGE)
    points, losses, lrs = [], [], []
    for k in range(1, STEPS + 1):
        if changed and k == LR_AT:
            group["lr"] = 0.5 * group["lr"]
        if changed and k == HYPER_AT:
            set_hyper(group, name, value)
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        lrs.append(float(group["lr"]))
        opt.step()
        if sched is not None:
            sched.step()
        with torch.no_grad():
            losses.append(float(loss_fn()))
        points.append(torch.cat([p.detach().reshape(-1) for p in params]).tolist())
    return {"points": points, "losses": losses, "lrs": lrs,
            "change": {"lr_at": LR_AT, "hyper_at": HYPER_AT, "name": name, "value": value}
            if changed else None}


def surface_runs(opt_id: str) -> dict:
    out = {}
    for kind in SCHEDULES:
        for changed in (False, True):
            p = torch.tensor(START, dtype=torch.float64, requires_grad=True)
            out[f"{kind}{'-changed' if changed else ''}"] = run(
                opt_id, kind, changed, [p], lambda p=p: rosenbrock(p), SURFACE_LR.get(opt_id))
    return out


def network_runs(opt_id: str) -> dict:
    data = make_dataset("moons", NETWORK["n"], seed=NETWORK["seed"])
    model = MLP.build(NETWORK["sizes"], NETWORK["activation"], "cross_entropy")
    theta0 = model.init(np.random.default_rng(NETWORK["seed"]))
    x = torch.tensor(data.x, dtype=torch.float64)
    labels = torch.tensor(data.y, dtype=torch.long)
    out = {}
    for kind in SCHEDULES:
        for changed in (False, True):
            # One flat parameter vector, as the app trains it (every optimizer here treats its
            # parameters elementwise except Adafactor, whose norms then span all weights).
            theta = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)

            def loss_fn(theta=theta) -> torch.Tensor:
                a = x
                for layer, (w, b, e) in enumerate(model.offsets()):
                    o, i = model.shapes[layer]
                    z = a @ theta[w:b].reshape(o, i).T + theta[b:e]
                    a = torch.tanh(z) if layer < model.n_layers - 1 else z
                return torch.nn.functional.cross_entropy(a, labels)

            out[f"{kind}{'-changed' if changed else ''}"] = run(
                opt_id, kind, changed, [theta], loss_fn)
    return out


def main() -> None:
    torch.set_default_dtype(torch.float64)
    data = {"steps": STEPS, "start": START, "schedules": SCHEDULES, "network": NETWORK,
            "surface_lr": SURFACE_LR,
            "torch": torch.__version__, "surface": {}, "network_runs": {}}
    for opt_id in OPTIMIZERS:
        data["surface"][opt_id] = surface_runs(opt_id)
        data["network_runs"][opt_id] = network_runs(opt_id)
    OUT.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
