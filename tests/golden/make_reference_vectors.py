"""Regenerate tests/golden/reference_optimizers.json: golden vectors for the optimizers whose
oracle is not torch.optim but a reference package (lion: lucidrains' lion-pytorch; prodigy:
prodigyopt; schedulefree_sgd and schedulefree_adamw: schedulefree), plus torch
checks that need parameters other than the 5-element vector of optimizers.json (Adafactor's
factored second moment, on a matrix). The tests read the JSON and never import these packages.

Run it in the same separate virtualenv as make_optimizer_vectors.py:

    /work/torchenv/bin/pip install torch==2.13.0 numpy lion-pytorch prodigyopt schedulefree
    /work/torchenv/bin/python tests/golden/make_reference_vectors.py

What it records, all in float64, with the start and gradients of optimizers.json: per optimizer,
the package and its version, the constructor's defaults (betas split into beta1/beta2), and the
parameters after every step of each run (defaults, non-default configs, lr changed mid-run).
The schedule-free optimizers step in train mode, so their parameters are the sequence y; each of
their runs also records x, the averaged point that their eval() would put in the parameters.
"""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

import numpy as np
import torch
from lion_pytorch import Lion
from prodigyopt import Prodigy
from schedulefree import AdamWScheduleFree, SGDScheduleFree

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_optimizer_vectors import (  # noqa: E402
    PARAMS0,
    dump,
    make_grads,
    signature_defaults,
    standard_runs,
    torch_kwargs,
)

OUT = Path(__file__).with_name("reference_optimizers.json")

# id -> (package, optimizer class, constructor keywords the app does not expose, runs)
REFERENCES = {
    "lion": (
        "lion-pytorch",
        Lion,
        {"use_triton", "decoupled_weight_decay"},  # CUDA kernels; wd / initial lr
        [
            {"lr": 1e-3, "beta1": 0.8, "beta2": 0.95, "weight_decay": 0.1},
            {"lr": 3e-3, "beta1": 0.3, "beta2": 0.999},
        ],
    ),
    "prodigy": (
        "prodigyopt",
        Prodigy,
        {"growth_rate", "fsdp_in_use", "slice_p"},  # no limit; one process; every coordinate
        [
            {
                "lr": 0.5, "beta1": 0.8, "beta2": 0.99, "beta3": 0.9, "eps": 1e-6,
                "weight_decay": 0.05, "decouple": False, "use_bias_correction": True,
                "d0": 1e-4, "d_coef": 2.0,
            },
            {"beta1": 0.0, "weight_decay": 0.1, "safeguard_warmup": True},
        ],
    ),
    "schedulefree_sgd": (
        "schedulefree",
        SGDScheduleFree,
        {"foreach"},
        [
            {"lr": 0.05, "momentum": 0.8, "weight_decay": 0.05, "warmup_steps": 8, "r": 1.0,
             "weight_lr_power": 1.0},
            {"lr": 0.01},
        ],
    ),
    "schedulefree_adamw": (
        "schedulefree",
        AdamWScheduleFree,
        {"foreach"},
        [
            {"lr": 0.02, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.05,
             "warmup_steps": 5, "r": 0.5, "weight_lr_power": 3.0},
            {"lr": 0.1, "beta1": 0.95},
        ],
    ),
}

MATRIX_SHAPE = (3, 4)
MATRIX_STEPS = 12
# torch optimizers checked on a matrix: id -> (class, non-default runs)
MATRIX = {
    "adafactor": (
        torch.optim.Adafactor,
        [{"lr": 0.3, "eps1": 1e-6, "weight_decay": 0.1, "d": 1.5, "beta2_decay": -0.5}],
    ),
}


def run(cls: type, kwargs: dict, params0: list, grads: list, lr_changes: dict) -> dict:
    """The parameters after every step; for schedule-free optimizers (in train mode: y) also x,
    computed from y and z as their eval() does, without switching modes (that would round y)."""
    x = torch.tensor(params0, dtype=torch.float64)
    opt = cls([x], **kwargs)
    schedule_free = hasattr(opt, "train")
    if schedule_free:
        opt.train()
        beta = opt.param_groups[0].get("momentum") or opt.param_groups[0]["betas"][0]
    trajectory, averaged = [], []
    for k, g in enumerate(grads):
        if k in lr_changes:
            opt.param_groups[0]["lr"] = lr_changes[k]
        x.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        trajectory.append(x.tolist())
        if schedule_free:
            averaged.append(torch.lerp(x, opt.state[x]["z"], 1 - 1 / beta).tolist())
    return {"params": trajectory, "x": averaged} if schedule_free else {"params": trajectory}


def reference_vectors(grads: list) -> dict:
    out = {}
    for oid, (package, cls, hidden, configs) in REFERENCES.items():
        defaults = signature_defaults(cls)
        # JSON has no infinity: prodigy's growth_rate default is written as the string "inf"
        written = {k: "inf" if v == float("inf") else v for k, v in defaults.items()}
        lr0 = defaults["lr"]
        runs = standard_runs(configs, lr0)
        for r in runs:
            changes = {int(k): v for k, v in r["lr_changes"].items()}
            kwargs = torch_kwargs(r["hyper"], defaults)
            if "foreach" in hidden:
                kwargs["foreach"] = False  # the per-tensor loop, not torch._foreach_*
            r.update(run(cls, kwargs, PARAMS0, grads, changes))
        out[oid] = {
            "package": package,
            "version": importlib.metadata.version(package),
            "class": f"{cls.__module__}.{cls.__name__}",
            "defaults": written,
            "hidden": sorted(hidden),
            "runs": runs,
        }
    return out


def matrix_vectors(rng: np.random.Generator) -> dict:
    """Runs on a MATRIX_SHAPE parameter: gradients of mixed scales per entry."""
    params0 = rng.standard_normal(MATRIX_SHAPE).tolist()
    scales = 10.0 ** rng.uniform(-3, 2, MATRIX_SHAPE)
    grads = (rng.standard_normal((MATRIX_STEPS, *MATRIX_SHAPE)) * scales).tolist()
    out: dict = {"params0": params0, "grads": grads, "optimizers": {}}
    for oid, (cls, configs) in MATRIX.items():
        defaults = signature_defaults(cls)
        runs = [{"name": "defaults", "hyper": {}}]
        runs += [{"name": f"config{i}", "hyper": h} for i, h in enumerate(configs)]
        for r in runs:
            kwargs = {"foreach": False, **torch_kwargs(r["hyper"], defaults)}
            r.update(run(cls, kwargs, params0, grads, {}))
        out["optimizers"][oid] = {"torch_class": cls.__name__, "runs": runs}
    return out


def main() -> None:
    torch.set_default_dtype(torch.float64)
    grads = make_grads(np.random.default_rng(20240601))  # the gradients of optimizers.json
    data = {
        "torch_version": torch.__version__,
        "params0": PARAMS0,
        "grads": grads,
        "optimizers": reference_vectors(grads),
        "torch_matrix": matrix_vectors(np.random.default_rng(20261129)),
    }
    OUT.write_text(dump(data) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1000:.0f} kB)")


if __name__ == "__main__":
    main()
