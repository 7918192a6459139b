"""Regenerate tests/golden/oracle_optimizers.json: whole runs of the optimizers that ask their run
for more than the gradient (app/core/optimizers/base.py, `Oracle`), each stepped the way its
oracle is: torch.optim.LBFGS by `step(closure)`, SAM (Foret et al. 2020) by a closure-based
implementation written below from the reference semantics of davda54/sam around torch.optim's SGD
and Adam, torch.optim.Muon on a network's weight matrices with torch.optim.AdamW on its biases.
The tests (tests/core/test_oracle_optimizers.py) never import torch.

    PYTHONPATH=$PWD /work/torchenv/bin/python tests/golden/make_oracle_vectors.py

Two problems, as in make_run_vectors.py:
- surface: Rosenbrock (1 - x)^2 + 100 (y - x^2)^2 from (-1.5, 2.0), `STEPS` steps; each step
  also records its trials: the points the closure was evaluated at after the first evaluation
  (which is at the current point, the run's own);
- network: a 2-5-2 tanh MLP on 40 moons points, full batch, softmax cross-entropy, the app's
  data and initial weights (read from app.core). LBFGS and SAM see one flat weight vector, as the
  app trains it; Muon sees each layer's W (out, in) and b, as torch's documentation prescribes.
  Muon is recorded twice: as torch runs it (Newton-Schulz in bfloat16, which the app emulates)
  and, as `muon_float64`, with the iteration in float64 (the exact maths, checked against the
  app's float64 path).
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import numpy as np
import torch
import torch.optim._muon as torch_muon

from app.core.datasets import make_dataset
from app.core.mlp import MLP

OUT = Path(__file__).with_name("oracle_optimizers.json")
STEPS = 30
START = (-1.5, 2.0)
NETWORK = {"sizes": [2, 5, 2], "activation": "tanh", "n": 40, "seed": 0}

# One documented difference from torch: a drawn step is one quasi-Newton iteration.
LBFGS_FIXED = {"max_iter": 1}
LBFGS_RUNS = {
    "defaults": {},
    "strong_wolfe": {"line_search_fn": "strong_wolfe", "max_eval": 25},
    "strong_wolfe_torch_max_eval": {"line_search_fn": "strong_wolfe"},  # max_eval 1: one trial
    "nondefault": {"lr": 0.5, "history_size": 3, "max_iter": 4, "tolerance_change": 1e-12,
                   "tolerance_grad": 1e-9},
    "nondefault_strong_wolfe": {"line_search_fn": "strong_wolfe", "max_iter": 3, "max_eval": 10,
                                "history_size": 5, "lr": 0.8},
}
SAM_RUNS = {
    "sam_sgd": {
        "defaults": {"lr": 1e-3},
        "nondefault": {"lr": 5e-4, "momentum": 0.5, "dampening": 0.1, "weight_decay": 0.01,
                       "rho": 0.1, "adaptive": True},
    },
    "sam_adam": {
        "defaults": {"lr": 0.05},
        "nondefault": {"lr": 0.02, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6,
                       "weight_decay": 0.01, "rho": 0.2, "adaptive": True},
    },
}
MUON_RUNS = {
    "defaults": {},
    "nondefault": {"lr": 0.02, "momentum": 0.9, "nesterov": False, "weight_decay": 0.0,
                   "ns_steps": 3, "adjust_lr_fn": "match_rms_adamw"},
}
NETWORK_RUNS = {
    "lbfgs": {"strong_wolfe": LBFGS_RUNS["strong_wolfe"], "nondefault": LBFGS_RUNS["nondefault"]},
    "sam_sgd": {"defaults": {"lr": 0.1}},
    "sam_adam": {"defaults": {"lr": 0.01, "rho": 0.1}},
}


def sam_step(params: list[torch.Tensor], base: torch.optim.Optimizer, closure, rho: float,
             adaptive: bool) -> list[float]:
    """One SAM step with the gradients of the last closure call in p.grad: ascend by rho along
    the normalised gradient (ASAM: scaled by |p|), take the gradient there, come back, and let
    the base optimizer step with it. Returns the ascent point (flattened)."""
    with torch.no_grad():
        scaled = [(p.abs() if adaptive else 1.0) * p.grad for p in params]
        norm = torch.norm(torch.stack([s.norm(p=2) for s in scaled]), p=2)
        scale = rho / (norm + 1e-12)
        saved = [p.detach().clone() for p in params]
        for p in params:
            p.add_((p * p if adaptive else 1.0) * p.grad * scale)
        ascent = torch.cat([p.detach().reshape(-1) for p in params]).tolist()
    closure()  # the gradient at the ascent point
    with torch.no_grad():
        for p, old in zip(params, saved, strict=True):
            p.copy_(old)
    base.step()
    return ascent


def signature_defaults(cls: type) -> dict:
    return {k: v.default for k, v in inspect.signature(cls.__init__).parameters.items()
            if k not in ("self", "params") and v.default is not inspect.Parameter.empty}


def lbfgs_run(params: list[torch.Tensor], loss_fn, hyper: dict) -> dict:
    opt = torch.optim.LBFGS(params, **(LBFGS_FIXED | hyper))
    evaluated: list[list[float]] = []

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        evaluated.append(torch.cat([p.detach().reshape(-1) for p in params]).tolist())
        return loss

    points, losses, trials = [], [], []
    for _ in range(STEPS):
        evaluated.clear()
        opt.step(closure)
        trials.append(evaluated[1:])
        with torch.no_grad():
            losses.append(float(loss_fn()))
        points.append(torch.cat([p.detach().reshape(-1) for p in params]).tolist())
    return {"hyper": hyper, "points": points, "losses": losses, "trials": trials}


def sam_run(oid: str, params: list[torch.Tensor], loss_fn, hyper: dict) -> dict:
    rho, adaptive = hyper.get("rho", 0.05), hyper.get("adaptive", False)
    kw = {k: v for k, v in hyper.items() if k not in ("rho", "adaptive")}
    if oid == "sam_sgd":  # the app's `momentum` rule: torch.optim.SGD with momentum (0.9 here)
        base = torch.optim.SGD(params, foreach=False, **({"momentum": 0.9} | kw))
    else:
        betas = (kw.pop("beta1", 0.9), kw.pop("beta2", 0.999))
        base = torch.optim.Adam(params, foreach=False, betas=betas, **kw)

    def closure() -> torch.Tensor:
        base.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    points, losses, trials = [], [], []
    for _ in range(STEPS):
        closure()
        trials.append([sam_step(params, base, closure, rho, adaptive)])
        with torch.no_grad():
            losses.append(float(loss_fn()))
        points.append(torch.cat([p.detach().reshape(-1) for p in params]).tolist())
    return {"hyper": hyper, "points": points, "losses": losses, "trials": trials}


class _Rosenbrock(torch.autograd.Function):
    """Rosenbrock with the app's gradient formula, operation for operation
    (app/core/surfaces.py): L-BFGS amplifies a last-bit difference in a gradient by about 10x
    per step near the minimum, so with autograd's rounding a comparison would test rounding."""

    @staticmethod
    def forward(ctx, p):
        x, y = float(p[0]), float(p[1])
        d = y - x * x
        ctx.grad = (-2.0 * (1.0 - x) - 400.0 * x * d, 200.0 * d)
        return torch.tensor((1.0 - x) ** 2 + 100.0 * d * d, dtype=torch.float64)

    @staticmethod
    def backward(ctx, out):
        return out * torch.tensor(ctx.grad, dtype=torch.float64)


def rosenbrock_params() -> tuple[list[torch.Tensor], object]:
    p = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    return [p], lambda: _Rosenbrock.apply(p)


def network() -> tuple[MLP, np.ndarray, torch.Tensor, torch.Tensor]:
    data = make_dataset("moons", NETWORK["n"], seed=NETWORK["seed"])
    model = MLP.build(NETWORK["sizes"], NETWORK["activation"], "cross_entropy")
    theta0 = model.init(np.random.default_rng(NETWORK["seed"]))
    return (model, theta0, torch.tensor(data.x, dtype=torch.float64),
            torch.tensor(data.y, dtype=torch.long))


def forward(model: MLP, x: torch.Tensor, layers: list[tuple[torch.Tensor, torch.Tensor]]):
    a = x
    for k, (w, b) in enumerate(layers):
        z = a @ w.T + b
        a = torch.tanh(z) if k < model.n_layers - 1 else z
    return a


def flat_network() -> tuple[list[torch.Tensor], object]:
    model, theta0, x, labels = network()
    theta = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)

    def loss_fn() -> torch.Tensor:
        layers = [(theta[w:b].reshape(shape), theta[b:e])
                  for (w, b, e), shape in zip(model.offsets(), model.shapes, strict=True)]
        return torch.nn.functional.cross_entropy(forward(model, x, layers), labels)

    return [theta], loss_fn


def ns_float64(grad, ns_coefficients, ns_steps, eps):
    """torch's Newton-Schulz iteration with float64 where torch uses bfloat16."""
    a, b, c = ns_coefficients
    x = grad.double()
    if grad.size(0) > grad.size(1):
        x = x.T
    x = x / x.norm().clamp(min=eps)
    for _ in range(ns_steps):
        gram = x @ x.T
        update = torch.addmm(gram, gram, gram, beta=b, alpha=c)
        x = torch.addmm(x, update, x, beta=a)
    if grad.size(0) > grad.size(1):
        x = x.T
    return x


def muon_run(hyper: dict, float64: bool) -> dict:
    model, theta0, x, labels = network()
    layers = [(torch.tensor(theta0[w:b].reshape(shape), requires_grad=True),
               torch.tensor(theta0[b:e], requires_grad=True))
              for (w, b, e), shape in zip(model.offsets(), model.shapes, strict=True)]
    weights, biases = [w for w, _ in layers], [b for _, b in layers]
    muon = torch.optim.Muon(weights, **hyper)
    adamw = torch.optim.AdamW(biases, lr=muon.param_groups[0]["lr"], foreach=False)
    original = torch_muon._zeropower_via_newtonschulz
    if float64:
        torch_muon._zeropower_via_newtonschulz = ns_float64
    points, losses = [], []
    try:
        for _ in range(STEPS):
            muon.zero_grad()
            adamw.zero_grad()
            torch.nn.functional.cross_entropy(forward(model, x, layers), labels).backward()
            muon.step()
            adamw.step()
            with torch.no_grad():
                losses.append(float(torch.nn.functional.cross_entropy(
                    forward(model, x, layers), labels)))
            points.append(torch.cat([t.detach().reshape(-1) for pair in layers
                                     for t in pair]).tolist())
    finally:
        torch_muon._zeropower_via_newtonschulz = original
    return {"hyper": hyper, "points": points, "losses": losses}


def main() -> None:
    torch.set_default_dtype(torch.float64)
    lbfgs_defaults = signature_defaults(torch.optim.LBFGS)
    muon_defaults = signature_defaults(torch.optim.Muon)
    muon_defaults["ns_coefficients"] = list(muon_defaults["ns_coefficients"])
    data: dict = {
        "torch": torch.__version__, "steps": STEPS, "start": START, "network": NETWORK,
        "lbfgs_fixed": LBFGS_FIXED, "torch_defaults": {"lbfgs": lbfgs_defaults,
                                                       "muon": muon_defaults},
        "surface": {"lbfgs": {}, "sam_sgd": {}, "sam_adam": {}},
        "network_runs": {"lbfgs": {}, "sam_sgd": {}, "sam_adam": {}, "muon": {},
                         "muon_float64": {}},
    }
    for name, hyper in LBFGS_RUNS.items():
        data["surface"]["lbfgs"][name] = lbfgs_run(*rosenbrock_params(), hyper)
    for oid, runs in SAM_RUNS.items():
        for name, hyper in runs.items():
            data["surface"][oid][name] = sam_run(oid, *rosenbrock_params(), hyper)
    for oid, runs in NETWORK_RUNS.items():
        for name, hyper in runs.items():
            run = lbfgs_run if oid == "lbfgs" else (
                lambda p, f, h, oid=oid: sam_run(oid, p, f, h))
            data["network_runs"][oid][name] = run(*flat_network(), hyper)
    for name, hyper in MUON_RUNS.items():
        data["network_runs"]["muon"][name] = muon_run(hyper, float64=False)
        data["network_runs"]["muon_float64"][name] = muon_run(hyper, float64=True)
    # torch's bfloat16 Newton-Schulz on its own, on random matrices of a few shapes and scales
    rng = np.random.default_rng(1)
    data["newton_schulz"] = []
    for shape in [(5, 2), (16, 2), (16, 16), (2, 16), (16, 5)]:
        for _ in range(20):
            g = rng.normal(size=shape) * 10 ** rng.uniform(-3, 1)
            out = torch_muon._zeropower_via_newtonschulz(
                torch.tensor(g), tuple(muon_defaults["ns_coefficients"]), 5, 1e-7)
            data["newton_schulz"].append({"g": g.tolist(), "out": out.double().tolist()})
    OUT.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
