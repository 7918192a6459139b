"""Request models for the network endpoints: `POST /api/mlp/backprop` and `POST /api/mlp/landscape`.

Every number is finite (NaN, "Infinity" and friends are refused with a 422 naming the field), and
every size has a limit, so one request cannot freeze the server for the whole class. Names are
checked against the core's registries. Messages of model-level checks start with the field name
("steps: ..."), which the app's error handler moves into the error's location.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from app.api.schemas.curvature import (
    resolve_sharpness_every,
    sharpness_every_field,
    sharpness_work,
)
from app.api.schemas.runs import RunSpec, only_for, supported_on
from app.config import Settings
from app.core.activations import ACTIVATIONS
from app.core.datasets import DATASETS, make_dataset
from app.core.directions import DIRECTION_MODES
from app.core.landscape import CENTRES, kept_every
from app.core.losses import LOSSES
from app.core.mlp import INIT_SCHEMES
from app.core.regularization import GENERALIZATION, Penalty
from app.core.splits import Split, n_test, split

# Strict numbers: pydantic accepts "NaN", "inf" and "Infinity" for floats unless told not to.
Finite = Annotated[float, Field(allow_inf_nan=False)]
NonNegative = Annotated[float, Field(allow_inf_nan=False, ge=0.0)]
Positive = Annotated[float, Field(allow_inf_nan=False, gt=0.0)]
Seed = Annotated[int, Field(ge=0, le=2**32 - 1)]

# Limits (each refusal names the field and the limit). Steps and runs are the server's
# settings (app/config.py: `check_limits`), so what `welcome` advertises is what is enforced.
MIN_GRID, MAX_GRID = 5, 151
MAX_POINTS = 2000
MAX_HIDDEN_LAYERS = 6
MAX_WIDTH = 64  # of the backprop page's layers and inputs
MAX_HIDDEN_WIDTH = 128  # of a trained network's hidden layers (the grokking preset needs 128)
MAX_CLASSES = 6  # of the 2-D sets; the modular set has p classes (its spec's range)
MAX_MODULUS = 97
MAX_RUN_STEPS = 20_000  # runs x steps: each step costs ~0.3 ms of Python at least
MAX_TRAIN_WORK = 5e9  # runs x steps x batch x parameters (multiply-adds, about 4 s)
MAX_GRID_WORK = 5e10  # grid^2 x points x parameters (about 3 s batched)
MAX_LR = 10.0
MAX_MEASUREMENTS = 100  # landscape: default sharpness measurements per run


def _lab(name: str) -> Any:
    """A field of the generalisation lab: its default, range and hover text from the core's
    `GENERALIZATION` table (the one place they are written)."""
    spec = GENERALIZATION[name]
    return Field(spec.default, ge=spec.min, le=spec.max, allow_inf_nan=False,
                 description=spec.help)


def _choose(value: str, registry: dict[str, Any] | tuple[str, ...], what: str) -> str:
    if value not in registry:
        raise ValueError(f"unknown {what} {value!r}; choose one of {', '.join(registry)}")
    return value


# --- POST /api/mlp/backprop ------------------------------------------------------------------


class LayerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    W: list[list[Finite]] = Field(..., description="weights, shape (out, in): z = W a_prev + b")
    b: list[Finite] = Field(..., description="biases, length out")
    activation: str | None = Field(
        None,
        description="hidden layers: one of " + ", ".join(ACTIVATIONS) + "; the last layer's is "
        "set by the loss (softmax for cross_entropy, linear for mse) and may be omitted",
    )


class WeightRefIn(BaseModel):
    """One weight W_layer[row, col] (1-based layer, 0-based row and col), or b_layer[row]."""

    model_config = ConfigDict(extra="forbid")

    layer: int = Field(..., ge=1, le=MAX_HIDDEN_LAYERS + 1)
    row: int = Field(..., ge=0, lt=MAX_WIDTH)
    col: int | None = Field(None, ge=0, lt=MAX_WIDTH, description="null: the bias b_layer[row]")

    def ref(self) -> tuple[int, int, int | None]:
        return (self.layer, self.row, self.col)


class BackpropRequest(BaseModel):
    """A network and one example, or {"example": "classic"} for the hand-worked exercise."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"example": "classic", "chain": {"layer": 1, "row": 0, "col": 2}},
                {
                    "layers": [
                        {"W": [[1, -1], [0, 2]], "b": [0, 1], "activation": "relu"},
                        {"W": [[1, 1], [-1, 1]], "b": [0, 0]},
                    ],
                    "loss": "cross_entropy",
                    "x": [1, 2],
                    "y": [1, 0],
                    "lr": 0.1,
                },
            ]
        },
    )

    example: Literal["classic"] | None = Field(
        None, description="'classic': the built-in 3-layer ReLU/softmax walk-through"
    )
    layers: list[LayerIn] | None = Field(None, min_length=1, max_length=MAX_HIDDEN_LAYERS + 1)
    loss: str = Field("cross_entropy", description="one of " + ", ".join(LOSSES))
    x: list[Finite] | None = Field(None, min_length=1, max_length=MAX_WIDTH)
    y: list[Finite] | None = Field(None, min_length=1, max_length=MAX_WIDTH)
    lr: Positive | None = Field(None, le=MAX_LR, description="default 0.1 (classic: 0.01)")
    chain: WeightRefIn | None = Field(None, description="show the chain rule for this weight")
    l1: float = _lab("l1")
    l2: float = _lab("l2")
    dropout: float = _lab("dropout")
    dropout_seed: Seed = Field(0, description="seeds the dropout mask of this example")

    @field_validator("loss")
    @classmethod
    def _known_loss(cls, v: str) -> str:
        return _choose(v, LOSSES, "loss")

    @model_validator(mode="after")
    def _shapes(self) -> BackpropRequest:
        if self.example is not None:
            given = {"layers", "x", "y", "loss"} & self.model_fields_set
            if given:
                raise ValueError(
                    f"example: the example brings its own network; drop {', '.join(sorted(given))}"
                )
            return self
        for name in ("layers", "x", "y"):
            if getattr(self, name) is None:
                raise ValueError(f"{name}: required unless an example is given")
        assert self.layers is not None and self.x is not None and self.y is not None
        width = len(self.x)
        output = LOSSES[self.loss].output
        for k, layer in enumerate(self.layers):
            rows = len(layer.W)
            if not 1 <= rows <= MAX_WIDTH or any(len(r) != width for r in layer.W):
                raise ValueError(
                    f"layers: layer {k + 1}'s W must have 1..{MAX_WIDTH} rows of {width} values "
                    "(its input width)"
                )
            if len(layer.b) != rows:
                raise ValueError(f"layers: layer {k + 1}'s b must have {rows} values")
            last = k == len(self.layers) - 1
            if last and layer.activation not in (None, output):
                raise ValueError(
                    f"layers: the last layer's activation is {output} with loss {self.loss}"
                )
            if not last and layer.activation not in ACTIVATIONS:
                raise ValueError(
                    f"layers: layer {k + 1} needs an activation, one of {', '.join(ACTIVATIONS)}"
                )
            width = rows
        if len(self.y) != width:
            raise ValueError(f"y: must have {width} values, one per output")
        if self.loss == "cross_entropy" and (
            min(self.y) < 0 or abs(sum(self.y) - 1.0) > 1e-6
        ):
            raise ValueError("y: cross-entropy needs a probability vector (one-hot, sums to 1)")
        return self


# --- POST /api/mlp/landscape -----------------------------------------------------------------


class DatasetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field("moons", description="one of " + ", ".join(DATASETS))
    n: int = Field(200, ge=4, le=MAX_POINTS, description="number of points")
    noise: NonNegative | None = Field(None, le=2.0, description="null: the dataset's default")
    seed: Seed = 0
    n_classes: int | None = Field(
        None, ge=2, le=MAX_MODULUS, description="blobs and spirals (2 to 6), modular (p, 23 to "
        "97) only"
    )

    @field_validator("id")
    @classmethod
    def _known(cls, v: str) -> str:
        return _choose(v, DATASETS, "dataset")

    @model_validator(mode="after")
    def _classes(self) -> DatasetIn:
        spec = DATASETS[self.id]
        if self.n_classes is not None and not spec.variable_classes:
            raise ValueError(f"n_classes: the {self.id} dataset has a fixed number of classes")
        if self.n_classes is not None and not (
                spec.min_classes <= self.n_classes <= spec.max_classes):
            raise ValueError(f"n_classes: the {self.id} dataset has {spec.min_classes} to "
                             f"{spec.max_classes} classes")
        return self


class NetworkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hidden: list[Annotated[int, Field(ge=1, le=MAX_HIDDEN_WIDTH)]] = Field(
        [16, 16], max_length=MAX_HIDDEN_LAYERS, description="hidden layer widths"
    )
    activation: str = Field("tanh", description="one of " + ", ".join(ACTIVATIONS))
    init: str = Field("auto", description="auto (He for ReLUs, else Xavier), he or xavier")
    l1: float = _lab("l1")
    l2: float = _lab("l2")
    dropout: float = _lab("dropout")

    @property
    def penalty(self) -> Penalty:
        return Penalty(self.l1, self.l2)

    @field_validator("activation")
    @classmethod
    def _known_activation(cls, v: str) -> str:
        return _choose(v, ACTIVATIONS, "activation")

    @field_validator("init")
    @classmethod
    def _known_init(cls, v: str) -> str:
        return _choose(v, INIT_SCHEMES, "init")


def check_network_limits(steps: int, runs: list[RunSpec], settings: Settings) -> None:
    """The server's limits on network runs; ValueError naming the field."""
    if steps > settings.max_network_steps:
        raise ValueError(f"steps: at most {settings.max_network_steps} steps per network run")
    if len(runs) > settings.max_runs:
        raise ValueError(f"runs: at most {settings.max_runs} runs at once")


MAX_NEURON_GRID = 31
MAX_NEURON_VALUES = 20_000  # grid points x hidden units a map set (~110 kB JSON, 25 deflated)


def check_neuron_maps(grid: int, hidden: list[int], n_inputs: int) -> None:
    """Unit maps: for 1-D or 2-D inputs only, and few enough values to send a few a second."""
    if not grid:
        return
    if n_inputs > 2:
        raise ValueError("neurons: unit maps are drawn over the input plane; this dataset has "
                         f"{n_inputs} inputs")
    values = (grid if n_inputs == 1 else grid * grid) * sum(hidden)
    if values > MAX_NEURON_VALUES:
        raise ValueError(f"neurons: {values} values a map set (grid points x hidden units) "
                         f"exceeds {MAX_NEURON_VALUES}: a coarser grid or fewer units")


def check_weight_refs(
    weights: list[WeightRefIn] | None, sizes: tuple[int, ...], wanted: bool, mode_field: str
) -> None:
    """Two chosen weights: only with the 'weights' mode, existing in the network, different."""
    if weights is None:
        return
    if not wanted:
        raise ValueError(f"weights: only used with {mode_field} 'weights'")
    for w in weights:
        if w.layer > len(sizes) - 1 or w.row >= sizes[w.layer] or (
            w.col is not None and w.col >= sizes[w.layer - 1]
        ):
            raise ValueError(f"weights: the network has no weight {w.ref()}")
    if weights[0].ref() == weights[1].ref():
        raise ValueError("weights: choose two different weights")


class TrainingData(BaseModel):
    """The data a network learns: a generated dataset, or the user's own points."""

    model_config = ConfigDict(extra="forbid")

    dataset: DatasetIn = Field(default_factory=DatasetIn)
    points: list[Annotated[list[Finite], Field(min_length=3, max_length=3)]] | None = Field(
        None, max_length=MAX_POINTS,
        description="your own data: [[x1, x2, class], ...] (replaces the dataset's points)")
    test_fraction: float = _lab("test_fraction")
    label_noise: float = _lab("label_noise")

    @model_validator(mode="after")
    def _points(self) -> TrainingData:
        if self.points is None:
            return self
        spec = DATASETS[self.dataset.id]
        if spec.task != "classification" or spec.n_inputs() != 2:
            raise ValueError("points: your own points are for 2-D classification datasets")
        labels = [p[2] for p in self.points]
        if len(self.points) < 4:
            raise ValueError("points: give at least 4 points")
        if any(label != int(label) or not 0 <= label < MAX_CLASSES for label in labels):
            raise ValueError(f"points: a class label is a whole number from 0 to "
                             f"{MAX_CLASSES - 1}")
        if len(set(labels)) < 2:
            raise ValueError("points: give points of at least two classes")
        return self

    @model_validator(mode="after")
    def _lab_checks(self) -> TrainingData:
        if self.label_noise and DATASETS[self.dataset.id].task != "classification":
            raise ValueError("label_noise: flips class labels; the "
                             f"{self.dataset.id} dataset is a regression")
        n_test(self.n_samples, self.test_fraction)  # enough left to train on
        return self

    def split(self) -> Split:
        """The points told apart into train and test, training labels flipped by label noise;
        seeded by the dataset's seed, so a link restores them."""
        x, labels = self.data()
        classes = self.n_outputs if self.loss == "cross_entropy" else None
        return split(x, labels, self.test_fraction, self.dataset.seed, self.label_noise,
                     classes)

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """(x (N, inputs), labels (N,)): the user's points, or the generated dataset."""
        if self.points is not None:
            arr = np.asarray(self.points, dtype=np.float64)
            return arr[:, :2], arr[:, 2].astype(np.int64)
        ds = self.dataset
        data = make_dataset(ds.id, ds.n, ds.noise, ds.seed, ds.n_classes)
        return data.x, data.y

    @property
    def n_samples(self) -> int:
        if self.points is not None:
            return len(self.points)
        return DATASETS[self.dataset.id].n_points(self.dataset.n, self.dataset.n_classes)

    @property
    def n_inputs(self) -> int:
        """Features per point: 2 for the plane's sets, 1 for sine, 2p for modular addition."""
        return DATASETS[self.dataset.id].n_inputs(self.dataset.n_classes)

    def display(self, x: np.ndarray) -> np.ndarray:
        """Where to draw each point: the inputs themselves, or the set's own 2-D coordinates
        (modular addition: (a, b))."""
        show = DATASETS[self.dataset.id].display
        return x if show is None or self.points is not None else show(x)

    @property
    def n_outputs(self) -> int:
        if self.points is not None:
            return int(max(p[2] for p in self.points)) + 1
        spec = DATASETS[self.dataset.id]
        return self.dataset.n_classes or spec.default_classes or 1

    @property
    def loss(self) -> str:
        return "mse" if DATASETS[self.dataset.id].task == "regression" else "cross_entropy"


class LandscapeRequest(TrainingData):
    """Train runs from the same initial weights, then slice the loss on a plane through the
    centre and project every run's path onto it."""

    # The default sharpness readings yield to the budget: a request that asked for none is not
    # refused for them (an explicit sharpness_every over the budget is).
    _default_sharpness_off: bool = PrivateAttr(False)

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "dataset": {"id": "moons", "n": 200, "noise": 0.1, "seed": 0},
                    "network": {"hidden": [16, 16], "activation": "tanh"},
                    "seed": 0,
                    "steps": 300,
                    "runs": [
                        {"optimizer": "adam", "lr": 0.01},
                        {"optimizer": "sgd", "lr": 0.5, "batch_size": 32},
                    ],
                    "directions": "pca",
                    "grid": 51,
                }
            ]
        },
    )

    network: NetworkIn = Field(default_factory=NetworkIn)
    seed: Seed = Field(0, description="seeds the initial weights, minibatches and random plane")
    steps: int = Field(200, ge=1, description="steps per run (at most the server's "
                       "max_network_steps)")
    runs: list[RunSpec] = Field(
        default_factory=lambda: [RunSpec(optimizer="adam")], min_length=1
    )
    directions: str = Field(
        "pca", description="weights (two chosen weights), random (filter-normalised), or pca"
    )
    weights: list[WeightRefIn] | None = Field(
        None, min_length=2, max_length=2, description="directions=weights: the two weights"
    )
    grid: int = Field(51, ge=MIN_GRID, le=MAX_GRID, description="odd: the centre is a node")
    centre: str = Field("final", description="final (the first healthy run's) or initial")
    span: list[Annotated[float, Field(allow_inf_nan=False, gt=0.0, le=1e6)]] | None = Field(
        None, min_length=2, max_length=2,
        description="half-widths of the grid along each axis; null: fit the paths",
    )
    sharpness_every: int | None = sharpness_every_field()  # rounded up to a kept step

    @field_validator("directions")
    @classmethod
    def _known_mode(cls, v: str) -> str:
        return _choose(v, DIRECTION_MODES, "direction mode")

    @field_validator("centre")
    @classmethod
    def _known_centre(cls, v: str) -> str:
        return _choose(v, CENTRES, "centre")

    @field_validator("grid")
    @classmethod
    def _odd(cls, v: int) -> int:
        if v % 2 == 0:
            raise ValueError("the grid size must be odd so that the centre is a grid point")
        return v

    def check_limits(self, settings: Settings) -> None:
        check_network_limits(self.steps, self.runs, settings)

    @model_validator(mode="after")
    def _budget(self) -> LandscapeRequest:
        only_for(self.runs, "noise", "surface")
        supported_on(self.runs, "network")
        sizes = self.sizes
        params = sum((i + 1) * o for i, o in zip(sizes[:-1], sizes[1:], strict=True))
        n = self.n_samples
        check_weight_refs(self.weights, sizes, self.directions == "weights", "directions")
        if len(self.runs) * self.steps > MAX_RUN_STEPS:
            raise ValueError(
                f"steps: runs x steps must be at most {MAX_RUN_STEPS} "
                f"(got {len(self.runs)} x {self.steps})"
            )
        work = sum(min(r.batch_size or n, n) for r in self.runs) * self.steps * params
        if work > MAX_TRAIN_WORK:
            raise ValueError(
                f"steps: training would cost {work:.2g} multiply-adds (limit {MAX_TRAIN_WORK:.0g})"
                ": use fewer steps or runs, smaller batches, a smaller network or dataset"
            )
        every = self.resolved_sharpness_every
        extra = sharpness_work(self.runs, self.steps, every, n, params)
        if work + extra > MAX_TRAIN_WORK and "sharpness_every" not in self.model_fields_set:
            self._default_sharpness_off = True
        elif work + extra > MAX_TRAIN_WORK:
            raise ValueError(
                f"sharpness_every: measuring the sharpness every {every} steps brings training "
                f"to {work + extra:.2g} multiply-adds (limit {MAX_TRAIN_WORK:.0g}): measure less "
                "often, or send null for none")
        if self.grid**2 * n * params > MAX_GRID_WORK:
            raise ValueError(
                f"grid: {self.grid}² points x {n} samples x {params} parameters exceeds "
                f"{MAX_GRID_WORK:.0g}: use a smaller grid, dataset or network"
            )
        return self

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.n_inputs, *self.network.hidden, self.n_outputs)

    @property
    def resolved_sharpness_every(self) -> int | None:
        """Measured steps are kept steps: the interval, rounded up to a multiple of theirs.
        Omitted: at most MAX_MEASUREMENTS a run (the page does not chart them all)."""
        if self._default_sharpness_off:
            return None
        kept = kept_every(self.steps)
        every = resolve_sharpness_every(self, max(kept, -(-self.steps // MAX_MEASUREMENTS)))
        return None if every is None else kept * -(-every // kept)
