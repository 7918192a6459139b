"""Response models of the network endpoints, for the OpenAPI schema (the routes build plain dicts).

Numbers that overflowed (a diverged run, a huge weight) are null, never NaN or Infinity; the
status fields beside them say why.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

Num = float | None  # null where a value overflowed (a diverged run, a huge weight)


class ForwardOut(BaseModel):
    layer: int
    z: list[Num]
    a: list[Num]
    formula: dict[str, str] = Field(..., description="'z' and 'a' in symbols")
    mask: list[Num] | None = Field(None, description="dropout: this hidden layer's mask (0, or "
                                   "1/(1-p) for a kept unit); null without dropout")


class BackwardOut(BaseModel):
    layer: int
    da: list[Num] | None = Field(..., description="dL/da of this layer; null at the output")
    dz: list[Num]
    dW: list[list[Num]]
    db: list[Num]
    da_prev: list[Num]
    dW_penalty: list[list[Num]] | None = Field(None, description="the L1/L2 penalty's part of "
                                               "dW (included in dW); null without a penalty")
    formula: dict[str, str] = Field(..., description="'dz', 'dW', 'db', 'da_prev' in symbols")
    words: dict[str, str] = Field(..., description="the same keys, in a sentence each")


class UpdateOut(BaseModel):
    layer: int
    W: list[list[Num]]
    b: list[Num]
    formula: str


class LayerOut(BaseModel):
    W: list[list[float]]
    b: list[float]
    activation: str


class ChainTermOut(BaseModel):
    k: int
    W: Num
    dz: Num


class ChainLinkOut(BaseModel):
    quantity: str
    value: Num
    formula: str
    terms: list[ChainTermOut] | None = None


class ChainOut(BaseModel):
    layer: int
    row: int
    col: int | None
    value: Num
    links: list[ChainLinkOut]


class BackpropResponse(BaseModel):
    loss: Num
    loss_after: Num = Field(..., description="the same example's loss after the update")
    penalty: Num = Field(0.0, description="the penalty term, included in loss and loss_after")
    penalty_formula: str = Field("", description="the penalty in symbols; empty without one")
    lr: float
    x: list[float]
    y: list[float]
    y_pred: list[Num]
    forward: list[ForwardOut] = Field(..., description="layer 1 first")
    backward: list[BackwardOut] = Field(..., description="last layer first, as computed")
    updated: list[UpdateOut] = Field(..., description="W <- W - lr dL/dW, layer 1 first")
    layers: list[LayerOut] = Field(..., description="the network before the update")
    chain: ChainOut | None
    example: str | None
    description: str


class AxisOut(BaseModel):
    label: str
    values: list[float]


class CentreOut(BaseModel):
    x: float
    y: float
    loss: Num = Field(..., description="the network's loss at the centre (float64)")
    grid_loss: Num = Field(..., description="the grid's value there (grid dtype)")


class PathOut(BaseModel):
    x: list[Num]
    y: list[Num]


class BestTestOut(BaseModel):
    step: int
    loss: float
    accuracy: Num


class RunOut(BaseModel):
    optimizer: str
    lr: float
    batch_size: int | None
    status: str = Field(..., description="done or diverged")
    diverged_at: int | None
    steps: list[int] = Field(..., description="step number of each path point")
    path: PathOut = Field(..., description="projection onto the plane, in axis values")
    loss: list[Num] = Field(..., description="true full-batch loss at each path point")
    slice_loss: list[Num] = Field(..., description="the slice's loss at the projected point")
    distance: list[Num] = Field(..., description="how far the point lies off the plane")
    final_loss: Num = Field(..., description="null if the run diverged")
    lrs: list[float] = Field(..., description="lrs[k - 1]: the learning rate of step k, every "
                             "step taken (schedules and sets applied)")
    sharpness: list[Num] | None = Field(None, description="at each path point: the top Hessian "
                                        "eigenvalue, every sharpness_every-th step (else null)")
    sharpness_threshold: list[Num] | None = Field(None, description="2 / lr, where measured")
    preconditioned_sharpness: list[Num] | None = Field(
        None, description="Adam family: lambda_max(P^-1 H), where measured")
    preconditioned_threshold: list[Num] | None = Field(
        None, description="Adam family: 38 / lr at beta1 0.9, where measured")
    test_loss: list[Num] = Field(..., description="the test set's loss at each path point; null "
                                 "where not evaluated or without a test set (test_fraction 0)")
    test_accuracy: list[Num] = Field(..., description="as test_loss; null for regression")
    penalty: list[Num] = Field(..., description="the L1/L2 penalty term at each path point (the "
                               "loss column is the data loss alone)")
    best_test: BestTestOut | None = Field(..., description="the step with the lowest test loss "
                                          "(early stopping); null without a test set")


class PlaneOut(BaseModel):
    """Everything that fixes the plane: weights(c1, c2) = centre + c1 d1 + c2 d2, and the axis
    values shown are origin + (c1, c2)."""

    mode: str
    centre: list[float] = Field(..., description="(P,) the weights at the plane's centre")
    d1: list[float] = Field(..., description="(P,) the first direction")
    d2: list[float] = Field(..., description="(P,) the second direction")
    origin: list[float] = Field(..., description="axis values at the centre")
    seed: int | None = Field(..., description="random mode: the seed the directions came from")


class LandscapeResponse(BaseModel):
    directions: str
    x: AxisOut
    y: AxisOut
    z: list[list[Num]] = Field(..., description="z[j][i]: loss at (x[i], y[j])")
    centre: CentreOut
    explained_variance: list[float] | None = Field(
        ..., description="pca: each direction's share of the mean-centred path's variance")
    plane: PlaneOut
    dtype: str
    sizes: list[int]
    n_params: int
    initial_loss: float
    runs: list[RunOut]
    sharpness_every: int | None = Field(None, description="the interval measured (a multiple "
                                        "of the kept steps'); null: not measured")
