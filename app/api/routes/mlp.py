"""The network: its options, a backprop trace for one example, and its loss landscape.

Routes are plain `def`: the work is NumPy, so Starlette runs them in its threadpool and the
event loop stays free. Every array leaves through `_json`, which turns non-finite numbers into
null: a diverged run is reported by its status, never by NaN in the JSON.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np
from fastapi import APIRouter, Request, Response

from app.api.errors import ERROR_RESPONSES, field_error
from app.api.jsonsafe import SafeJSONResponse
from app.api.live.curvature import sharpness_columns
from app.api.schemas import mlp as schemas
from app.api.schemas import sweeps
from app.api.schemas.export import ExportRequest
from app.api.schemas.mlp import BackpropRequest, LandscapeRequest
from app.api.schemas.mlp_responses import BackpropResponse, LandscapeResponse
from app.api.schemas.sweeps import sweep_message
from app.core import lab_presets
from app.core.activations import ACTIVATIONS
from app.core.backprop_trace import Chain, backprop_trace, classic_example, weight_chain
from app.core.cancellation import StopCheck
from app.core.datasets import DATASETS
from app.core.directions import DIRECTION_MODES
from app.core.export import npz_bytes, torch_script
from app.core.landscape import compute_landscape
from app.core.losses import LOSSES
from app.core.mlp import MLP
from app.core.optimizers import OPTIMIZERS
from app.core.regularization import GENERALIZATION, Penalty, dropout_masks
from app.core.runs.holdout import Holdout
from app.core.sweeps import FITS
from app.core.sweeps import SETTINGS as SWEEP_SETTINGS

router = APIRouter(prefix="/api/mlp", tags=["mlp"], responses=ERROR_RESPONSES)

CLASSIC_DESCRIPTION = (
    "The classic hand-worked exercise: 3 inputs, two ReLU hidden layers (4 and 3 units), a "
    "softmax + cross-entropy output. Prediction [0.5, 0.5, 0] against target [0, 1, 0], so "
    "dL/dz3 = [0.5, -0.5, 0]. One unit in each hidden layer is off (z < 0): watch 1[z > 0] stop "
    "its gradient. The bias -40 on the third output stands for the walk-through's exact 0 "
    "(a softmax gives e^-40/2 ≈ 2e-18 there)."
)


def _json(a: Any) -> Any:
    """Nested lists of floats with None where a value is NaN or infinite."""
    arr = np.asarray(a, dtype=np.float64)
    if np.all(np.isfinite(arr)):
        return arr.tolist()
    return np.where(np.isfinite(arr), arr, None).tolist()


def sharpness_lists(readings: list[Any]) -> dict[str, Any]:
    """The sharpness at the kept steps (null between two measurements), as a live frame's
    columns; every key present, null when not measured at all."""
    names = ("sharpness", "sharpness_threshold", "preconditioned_sharpness",
             "preconditioned_threshold")
    return dict.fromkeys(names) | sharpness_columns(readings)


def _num(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None


def _chain_json(c: Chain) -> dict[str, Any]:
    return {
        "layer": c.layer, "row": c.row, "col": c.col, "value": _num(c.value),
        "links": [
            {
                "quantity": link.quantity, "value": _num(link.value), "formula": link.formula,
                "terms": None if link.terms is None else [
                    {"k": k, "W": _num(w), "dz": _num(dz)} for k, w, dz in link.terms
                ],
            }
            for link in c.links
        ],
    }


@router.get("/options")
def options(request: Request) -> dict[str, Any]:
    """What the network pages may offer: datasets, activations, losses, modes and limits."""
    settings = request.app.state.settings
    return {
        "datasets": [
            {"id": s.id, "name": s.name, "task": s.task, "description": s.description,
             "default_noise": s.default_noise, "classes": s.default_classes,
             "variable_classes": s.variable_classes, "inputs": s.n_inputs(),
             "class_range": [s.min_classes, s.max_classes],
             # modular addition: 2p one-hot inputs, all p² pairs; no decision boundary
             "one_hot": s.inputs_of is not None}
            for s in DATASETS.values()
        ],
        "activations": [
            {"id": a.id, "name": a.name, "formula": a.formula.format(z="z", a="a"),
             "derivative": a.derivative.format(z="z", a="a"), "words": a.words}
            for a in ACTIVATIONS.values()
        ],
        "losses": [
            {"id": loss.id, "name": loss.name, "task": loss.task, "output": loss.output,
             "formula": loss.formula}
            for loss in LOSSES.values()
        ],
        "directions": list(DIRECTION_MODES),
        # those a network run can serve (not newton, which needs a surface's Hessian)
        "optimizers": [oid for oid, cls in OPTIMIZERS.items() if "network" in cls.run_kinds],
        # test_fraction, label_noise (TrainingData), l1, l2, dropout (network): range and help
        "generalization": {k: asdict(h) for k, h in GENERALIZATION.items()},
        "sweeps": {"settings": SWEEP_SETTINGS, "fits": list(FITS), "limits": {
            "trainings": sweeps.MAX_TRAININGS, "values": sweeps.MAX_VALUES,
            "repeats": sweeps.MAX_REPEATS, "gd_width": sweeps.MAX_GD_WIDTH,
            "features": sweeps.MAX_FEATURES}},
        "neurons": {"max_grid": schemas.MAX_NEURON_GRID,
                    "max_values": schemas.MAX_NEURON_VALUES},
        "limits": {
            "steps": settings.max_network_steps,
            "grid": [schemas.MIN_GRID, schemas.MAX_GRID],
            "points": schemas.MAX_POINTS, "hidden_layers": schemas.MAX_HIDDEN_LAYERS,
            "width": schemas.MAX_HIDDEN_WIDTH, "runs": settings.max_runs,
            "classes": schemas.MAX_CLASSES, "speed": settings.max_speed,
        },
    }


@router.get("/presets")
def presets() -> dict[str, Any]:
    """The generalisation lab's presets, as the websocket messages that run them."""
    return {
        "grokking": {"message": lab_presets.GROKKING, "description": (
            "a + b mod 23, 80% of the table trained on, AdamW with weight decay 1: train "
            "accuracy reaches 100% by step ~200, test accuracy only climbs from step ~700 to "
            "95% near step 4400. Chart accuracy on a log-step axis, with the weight norm.")},
        "overfitting": {"message": lab_presets.OVERFITTING, "description": (
            "A wide network on 30 noisy points: the test loss is lowest early (best_test) and "
            "climbs while the training loss falls to 0.")},
        "double_descent": {"message": sweep_message(lab_presets.DOUBLE_DESCENT), "description": (
            "Random ReLU features on 40 noisy points, width 5 to 1000: the test error peaks "
            "near width 40 (as many output weights per class as training points) and falls "
            "again beyond.")},
    }


@router.post("/export", response_class=Response, responses={200: {"content": {
    "text/x-python": {}, "application/octet-stream": {}}}})
def export(request: ExportRequest) -> Response:
    """The network as a PyTorch script or a NumPy .npz, to download."""
    sizes = (len(request.layers[0].W[0]), *(len(layer.b) for layer in request.layers))
    acts = tuple(str(layer.activation) for layer in request.layers[:-1])
    model = MLP(sizes, acts, request.loss)
    theta = MLP.flatten([(np.array(layer.W, dtype=np.float64), np.array(layer.b))
                         for layer in request.layers])
    name = "gradscape_" + "-".join(map(str, sizes))
    if request.format == "npz":
        return Response(npz_bytes(model, theta), media_type="application/octet-stream",
                        headers={"Content-Disposition": f'attachment; filename="{name}.npz"'})
    return Response(torch_script(model, theta), media_type="text/x-python",
                    headers={"Content-Disposition": f'attachment; filename="{name}.py"'})


@router.post("/backprop", response_model=BackpropResponse)
def backprop(request: BackpropRequest) -> dict[str, Any]:
    """Forward, backward (last layer first) and one gradient-descent step for one example."""
    if request.example == "classic":
        model, theta, x, y, lr = classic_example()
        lr = request.lr or lr
        description = CLASSIC_DESCRIPTION
    else:
        assert request.layers is not None and request.x is not None and request.y is not None
        sizes = (len(request.x), *(len(layer.b) for layer in request.layers))
        acts = tuple(str(layer.activation) for layer in request.layers[:-1])
        model = MLP(sizes, acts, request.loss)
        theta = MLP.flatten([(np.array(layer.W, dtype=np.float64), np.array(layer.b))
                             for layer in request.layers])
        x, y = np.array(request.x), np.array(request.y)
        lr = request.lr or 0.1
        description = f"Your network: {'-'.join(map(str, sizes))}, {LOSSES[request.loss].name}."

    with np.errstate(all="ignore"):  # overflow shows up as null, explained by the numbers
        masks = dropout_masks(model, 1, request.dropout,
                              np.random.default_rng([request.dropout_seed, 3]))
        trace = backprop_trace(model, theta, x, y, lr, Penalty(request.l1, request.l2), masks)
        chain = None
        if request.chain is not None:
            try:
                chain = _chain_json(weight_chain(trace, *request.chain.ref()))
            except ValueError as err:
                raise field_error(f"chain: {err}") from None

    output = model.loss_fn.output
    return {
        "loss": _num(trace.loss),
        "loss_after": _num(trace.loss_after),
        "penalty": _num(trace.penalty),
        "penalty_formula": trace.penalty_formula,
        "lr": trace.lr,
        "x": trace.x.tolist(),
        "y": trace.y.tolist(),
        "y_pred": _json(trace.forward[-1].a),
        "forward": [
            {"layer": f.layer, "z": _json(f.z), "a": _json(f.a), "formula": f.formula,
             "mask": None if f.mask is None else _json(f.mask)}
            for f in trace.forward
        ],
        "backward": [
            {
                "layer": b.layer, "da": None if b.da is None else _json(b.da), "dz": _json(b.dz),
                "dW": _json(b.dW), "db": _json(b.db), "da_prev": _json(b.da_prev),
                "dW_penalty": None if b.dW_penalty is None else _json(b.dW_penalty),
                "formula": b.formula, "words": b.words,
            }
            for b in trace.backward
        ],
        "updated": [
            {"layer": u.layer, "W": _json(u.W), "b": _json(u.b), "formula": u.formula}
            for u in trace.updated
        ],
        "layers": [
            {"W": W.tolist(), "b": b.tolist(),
             "activation": (model.activations[k] if k < model.n_layers - 1 else output)}
            for k, (W, b) in enumerate(model.unflatten(theta))
        ],
        "chain": chain,
        "example": request.example,
        "description": description,
    }


@router.post("/landscape", response_model=LandscapeResponse,
             responses={503: {"description": "busy: retry after Retry-After seconds"}})
async def landscape(request: LandscapeRequest, http: Request) -> SafeJSONResponse:
    """Train the runs from shared initial weights (the run engine a live session uses) and slice
    the loss around the centre. Computed in the admission controller's pool (503 when it is
    full), stopped if the client leaves."""
    try:
        request.check_limits(http.app.state.settings)
    except ValueError as err:
        raise field_error(err) from None
    return await http.app.state.admission.run(
        http, "landscape requests",
        lambda should_stop: SafeJSONResponse(_landscape(request, should_stop)))


def _landscape(request: LandscapeRequest, should_stop: StopCheck) -> dict[str, Any]:
    data = request.split()
    x, labels = data.x_train, data.labels_train
    model = MLP.build(request.sizes, request.network.activation, request.loss)
    y = model.targets(labels)
    theta0 = model.init(np.random.default_rng(request.seed), request.network.init)
    configs = [r.to_config(request.seed) for r in request.runs]
    weights = tuple(w.ref() for w in request.weights) if request.weights else None
    try:
        result = compute_landscape(
            model, x, y, theta0, configs, request.steps, request.directions, request.grid,
            seed=request.seed, weights=weights,
            centre=request.centre, span=tuple(request.span) if request.span else None,
            sharpness_every=request.resolved_sharpness_every,
            should_stop=should_stop,
            test=Holdout.of(model, data.x_test, data.labels_test),
            penalty=request.network.penalty, dropout=request.network.dropout, labels=labels,
        )
    except ValueError as err:
        raise field_error(err) from None

    plane, mid = result.plane, request.grid // 2
    runs = []
    for spec, run in zip(request.runs, result.runs, strict=True):
        r = run.result
        axes = run.offsets + np.array(plane.origin)  # (T, 2) axis values
        lr = spec.lr if spec.lr is not None else OPTIMIZERS[spec.optimizer]().lr
        runs.append({
            "optimizer": spec.optimizer,
            "lr": float(lr),
            "batch_size": spec.batch_size,
            "status": r.status,
            "diverged_at": r.diverged_at,
            "steps": r.steps.tolist(),
            "path": {"x": _json(axes[:, 0]), "y": _json(axes[:, 1])},
            "loss": _json(r.losses),
            "slice_loss": _json(run.slice_loss),
            "distance": _json(run.distance),
            "final_loss": _num(r.losses[-1]) if r.status == "done" and len(r.losses) else None,
            "lrs": r.lrs,
            **sharpness_lists(r.sharpness),
            "test_loss": _json(r.test_losses),
            "test_accuracy": _json(r.test_accuracies),
            "penalty": _json(r.penalties),
            "best_test": r.best_test,
        })
    return {
        "directions": plane.mode,
        "x": {"label": plane.labels[0], "values": result.x_axis.tolist()},
        "y": {"label": plane.labels[1], "values": result.y_axis.tolist()},
        "z": _json(result.z),
        "centre": {
            "x": plane.origin[0], "y": plane.origin[1], "loss": _num(result.centre_loss),
            "grid_loss": _num(result.z[mid, mid]),
        },
        "explained_variance": (list(plane.explained_variance)
                               if plane.explained_variance is not None else None),
        "plane": {"mode": plane.mode, "centre": _json(plane.centre), "d1": _json(plane.d1),
                  "d2": _json(plane.d2), "origin": list(plane.origin),
                  "seed": request.seed if plane.mode == "random" else None},
        "dtype": result.dtype,
        "sizes": list(model.sizes),
        "n_params": model.n_params,
        "initial_loss": model.loss_value(theta0, x, y),
        "runs": runs,
        "sharpness_every": request.resolved_sharpness_every,
    }
