"""`POST /api/mlp/export`: a trained network (its layers, as a frame's `weights` carry them) and
the format to take it away in."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.api.schemas.mlp import MAX_HIDDEN_LAYERS, LayerIn, _choose
from app.core.activations import ACTIVATIONS
from app.core.losses import LOSSES

MAX_EXPORT_WIDTH = 256  # rows or columns of one W (modular addition's 2p inputs: up to 194)
MAX_EXPORT_PARAMS = 200_000


class ExportRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "layers": [{"W": [[1, -1], [0, 2]], "b": [0, 1], "activation": "tanh"},
                       {"W": [[1, 1], [-1, 1]], "b": [0, 0]}],
            "loss": "cross_entropy", "format": "torch"}]},
    )

    layers: list[LayerIn] = Field(..., min_length=1, max_length=MAX_HIDDEN_LAYERS + 1)
    loss: str = Field("cross_entropy", description="one of " + ", ".join(LOSSES))
    format: Literal["torch", "npz"] = Field(
        "torch", description="torch: a PyTorch script (torch.nn.Sequential, weights inline); "
        "npz: NumPy arrays W1, b1, ... with sizes, activations and loss")

    @field_validator("loss")
    @classmethod
    def _known_loss(cls, v: str) -> str:
        return _choose(v, LOSSES, "loss")

    @model_validator(mode="after")
    def _shapes(self) -> ExportRequest:
        width = len(self.layers[0].W[0]) if self.layers[0].W else 0
        if not 1 <= width <= MAX_EXPORT_WIDTH:
            raise ValueError(f"layers: layer 1's W needs 1..{MAX_EXPORT_WIDTH} columns")
        params = 0
        for k, layer in enumerate(self.layers):
            rows = len(layer.W)
            if not 1 <= rows <= MAX_EXPORT_WIDTH or any(len(r) != width for r in layer.W):
                raise ValueError(f"layers: layer {k + 1}'s W must have 1..{MAX_EXPORT_WIDTH} "
                                 f"rows of {width} values (its input width)")
            if len(layer.b) != rows:
                raise ValueError(f"layers: layer {k + 1}'s b must have {rows} values")
            last = k == len(self.layers) - 1
            output = LOSSES[self.loss].output
            if last and layer.activation not in (None, output):
                raise ValueError(f"layers: the last layer's activation is {output} with loss "
                                 f"{self.loss}")
            if not last and layer.activation not in ACTIVATIONS:
                raise ValueError(f"layers: layer {k + 1} needs an activation, one of "
                                 f"{', '.join(ACTIVATIONS)}")
            params += rows * (width + 1)
            width = rows
        if params > MAX_EXPORT_PARAMS:
            raise ValueError(f"layers: at most {MAX_EXPORT_PARAMS} parameters")
        return self
