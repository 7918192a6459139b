"""Regenerate tests/golden/optimizers.json from PyTorch, the oracle for app/core/optimizers/
and app/core/schedules.py. The tests read the JSON and never import torch.

Run it in a separate virtualenv (torch is not a dependency of Gradscape):

    python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchenv/bin/python tests/golden/make_optimizer_vectors.py

What it records, all in float64:
- per optimizer: torch's constructor defaults (tuples split as the app names them: betas into
  beta1/beta2, Rprop's etas into etaminus/etaplus and step_sizes into step_size_min/step_size_max,
  Adafactor's eps into eps1/eps2), and for each run
  (defaults, one or more non-default configs, and a run whose lr is changed mid-run through
  param_groups) the parameters after every step, from a fixed 5-element start under a fixed,
  stored sequence of gradients;
- per schedule: torch's constructor defaults, and the lr after t = 0..N scheduler steps.
"""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).with_name("optimizers.json")
N_STEPS = 30
N_SCHEDULE_STEPS = 40
PARAMS0 = [0.8, -1.3, 2.5, -0.02, 0.0]
IGNORED = {"self", "params", "maximize", "foreach", "capturable", "differentiable", "fused"}

# id -> (torch class, the constructor kwargs that make it this id, non-default runs)
OPTIMIZERS: dict[str, tuple[type[torch.optim.Optimizer], dict, list[dict]]] = {
    "sgd": (torch.optim.SGD, {}, [{"lr": 0.05, "weight_decay": 0.1}]),
    "momentum": (
        torch.optim.SGD,
        {"momentum": 0.9},
        [{"lr": 0.02, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.05}],
    ),
    "nesterov": (
        torch.optim.SGD,
        {"momentum": 0.9, "nesterov": True},
        [{"lr": 0.02, "momentum": 0.95, "weight_decay": 0.01}],
    ),
    "adagrad": (
        torch.optim.Adagrad,
        {},
        [
            {
                "lr": 0.1,
                "lr_decay": 0.05,
                "weight_decay": 0.02,
                "initial_accumulator_value": 0.5,
                "eps": 1e-8,
            }
        ],
    ),
    "rmsprop": (
        torch.optim.RMSprop,
        {},
        [
            {
                "lr": 0.005,
                "alpha": 0.9,
                "eps": 1e-6,
                "weight_decay": 0.01,
                "momentum": 0.7,
                "centered": True,
            },
            {"lr": 0.02, "centered": True},
            {"lr": 0.003, "momentum": 0.5},
        ],
    ),
    "adadelta": (
        torch.optim.Adadelta,
        {},
        [{"lr": 0.5, "rho": 0.95, "eps": 1e-5, "weight_decay": 0.1}],
    ),
    "adam": (
        torch.optim.Adam,
        {},
        [
            {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.05},
            # beta1 < 0.5 takes the other branch of torch's lerp
            {"lr": 0.05, "beta1": 0.3, "beta2": 0.9},
        ],
    ),
    "adamw": (
        torch.optim.AdamW,
        {},
        [{"lr": 0.01, "beta1": 0.85, "beta2": 0.95, "eps": 1e-7, "weight_decay": 0.1}],
    ),
    "nadam": (
        torch.optim.NAdam,
        {},
        [
            {
                "lr": 0.01,
                "beta1": 0.85,
                "beta2": 0.99,
                "weight_decay": 0.05,
                "momentum_decay": 0.01,
            },
            {"lr": 0.005, "weight_decay": 0.1, "decoupled_weight_decay": True},
        ],
    ),
    "amsgrad": (
        torch.optim.Adam,
        {"amsgrad": True},
        [{"lr": 0.01, "beta2": 0.9, "weight_decay": 0.05}],
    ),
    "adamax": (
        torch.optim.Adamax,
        {},
        [
            {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.05},
            {"lr": 0.05, "beta1": 0.3, "beta2": 0.5},  # the other branch of lerp
        ],
    ),
    "radam": (
        torch.optim.RAdam,
        {},
        [
            # beta2 0.9: rho_t passes 5 after a few steps, so both branches run
            {"lr": 0.01, "beta1": 0.8, "beta2": 0.9, "eps": 1e-6, "weight_decay": 0.05},
            {"lr": 0.02, "beta2": 0.8, "weight_decay": 0.1, "decoupled_weight_decay": True},
        ],
    ),
    "rprop": (
        torch.optim.Rprop,
        {},
        [
            {"lr": 0.1, "etaminus": 0.3, "etaplus": 1.5, "step_size_min": 1e-3,
             "step_size_max": 0.5},
        ],
    ),
    "asgd": (
        torch.optim.ASGD,
        {},
        [
            # t0 = 5: the averaging starts within the run
            {"lr": 0.005, "lambd": 0.01, "alpha": 0.5, "t0": 5.0, "weight_decay": 0.05},
            {"lr": 0.02, "t0": 0.0},
        ],
    ),
    "adafactor": (
        torch.optim.Adafactor,
        {},
        [
            {"lr": 0.05, "beta2_decay": -0.5, "eps1": 1e-10, "eps2": 1e-2, "d": 2.0,
             "weight_decay": 0.05},
            {"lr": 0.5, "d": 1.5},  # lr above 1 / sqrt(t) for t > 4: the relative step rules
        ],
    ),
}

# the app's names for the pieces of torch's tuple-valued keywords
SPLIT = {
    "betas": ("beta1", "beta2"),
    "etas": ("etaminus", "etaplus"),
    "step_sizes": ("step_size_min", "step_size_max"),
    "eps": ("eps1", "eps2"),  # only where torch's eps is a tuple (Adafactor)
}

# lr of the "lr_change" run: before step k (0-based), group["lr"] becomes this factor * default lr
LR_CHANGES = {10: 10.0, 20: 0.5}

# id -> (torch class, runs as (kwargs, base lr)); "constant" is a LambdaLR of factor 1
SCHEDULES = {
    "constant": (None, [({}, 0.1)]),
    "step": (
        torch.optim.lr_scheduler.StepLR,
        [({"step_size": 7, "gamma": 0.5}, 0.1), ({"step_size": 10}, 0.3)],
    ),
    "exponential": (torch.optim.lr_scheduler.ExponentialLR, [({"gamma": 0.9}, 0.1)]),
    "cosine": (
        torch.optim.lr_scheduler.CosineAnnealingLR,
        [({"T_max": 15, "eta_min": 0.001}, 0.1), ({"T_max": 40}, 0.05)],
    ),
}


def signature_defaults(cls: type) -> dict[str, object]:
    """Constructor keywords with their defaults, tuples split as in SPLIT."""
    out: dict[str, object] = {}
    for name, param in inspect.signature(cls.__init__).parameters.items():
        if name in IGNORED or param.default is inspect.Parameter.empty:
            continue
        if name in SPLIT and isinstance(param.default, tuple):
            first, second = SPLIT[name]
            out[first], out[second] = param.default
        elif name != "last_epoch":
            out[name] = param.default
    return out


def torch_kwargs(hyper: dict, defaults: dict) -> dict:
    """Our names to torch's: split pairs back into tuples, missing halves from the defaults."""
    kwargs = dict(hyper)
    for name, (first, second) in SPLIT.items():
        if first in hyper or second in hyper:
            kwargs.pop(first, None)
            kwargs.pop(second, None)
            kwargs[name] = (hyper.get(first, defaults[first]), hyper.get(second, defaults[second]))
    return kwargs


def make_grads(rng: np.random.Generator) -> list[list[float]]:
    """(N_STEPS, 5) gradients: per-element scales from 1e-3 to 1e2, shrinking over time (so
    AMSGrad's max differs from Adam's average), with sign flips and a few exact zeros."""
    scales = np.array([1e-3, 0.1, 1.0, 10.0, 100.0])
    decay = np.linspace(1.0, 0.05, N_STEPS)[:, None]
    grads = rng.standard_normal((N_STEPS, 5)) * scales * decay
    grads[3, 0] = grads[17, 2] = 0.0
    return grads.tolist()


def run_optimizer(cls: type, kwargs: dict, grads: list[list[float]], lr_changes: dict) -> list:
    x = torch.tensor(PARAMS0, dtype=torch.float64)
    opt = cls([x], foreach=False, **kwargs)
    trajectory = []
    for k, g in enumerate(grads):
        if k in lr_changes:
            opt.param_groups[0]["lr"] = lr_changes[k]
        x.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        trajectory.append(x.tolist())
    return trajectory


def standard_runs(configs: list[dict], lr0: float) -> list[dict]:
    """The runs every optimizer gets: its defaults, each non-default config, and the defaults
    with group["lr"] changed before the steps of LR_CHANGES (factors of the default lr)."""
    runs = [{"name": "defaults", "hyper": {}, "lr_changes": {}}]
    runs += [{"name": f"config{i}", "hyper": h, "lr_changes": {}} for i, h in enumerate(configs)]
    runs.append({"name": "lr_change", "hyper": {},
                 "lr_changes": {str(k): f * lr0 for k, f in LR_CHANGES.items()}})
    return runs


def optimizer_vectors(grads: list[list[float]]) -> dict:
    out = {}
    for oid, (cls, fixed, configs) in OPTIMIZERS.items():
        defaults = {**signature_defaults(cls), **fixed}
        opt = cls([torch.zeros(1, dtype=torch.float64)], **fixed)
        group = opt.param_groups[0]
        assert all(group[k] == v for k, v in torch_kwargs(defaults, defaults).items()), (
            f"{oid}: signature defaults disagree with param_groups"
        )
        lr0 = defaults["lr"]
        runs = standard_runs(configs, lr0)
        for run in runs:
            changes = {int(k): v for k, v in run["lr_changes"].items()}
            run["params"] = run_optimizer(
                cls, torch_kwargs({**fixed, **run["hyper"]}, defaults), grads, changes
            )
        out[oid] = {"torch_class": cls.__name__, "torch_defaults": defaults, "runs": runs}
    return out


def schedule_vectors() -> dict:
    out = {}
    for sid, (cls, runs) in SCHEDULES.items():
        entry: dict = {
            "torch_class": cls.__name__ if cls else "LambdaLR",
            "torch_defaults": signature_defaults(cls) if cls else {},
            "runs": [],
        }
        for kwargs, base_lr in runs:
            x = torch.zeros(1, dtype=torch.float64, requires_grad=True)
            opt = torch.optim.SGD([x], lr=base_lr)
            if cls is None:
                sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: 1.0)
            else:
                sched = cls(opt, **kwargs)
            lrs = [opt.param_groups[0]["lr"]]
            for _ in range(N_SCHEDULE_STEPS):
                opt.step()
                sched.step()
                lrs.append(opt.param_groups[0]["lr"])
            entry["runs"].append({"params": kwargs, "base_lr": base_lr, "lr": lrs})
        out[sid] = entry
    return out


def dump(data: dict) -> str:
    """Indented JSON with every list of numbers on one line."""
    text = json.dumps(data, indent=1)
    return re.sub(
        r"\[[\s\d.eE+\-,]*\]", lambda m: re.sub(r"\s+", "", m.group(0)).replace(",", ", "), text
    )


def main() -> None:
    # float64 default dtype: torch keeps `step` and NAdam's `mu_product` in the default dtype
    # (float32 otherwise), and our optimizers keep them in Python floats.
    torch.set_default_dtype(torch.float64)
    grads = make_grads(np.random.default_rng(20240601))
    data = {
        "torch_version": torch.__version__,
        "params0": PARAMS0,
        "grads": grads,
        "optimizers": optimizer_vectors(grads),
        "schedules": schedule_vectors(),
    }
    OUT.write_text(dump(data) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1000:.0f} kB)")


if __name__ == "__main__":
    main()
