"""What the user chose for one run, for a surface run and a network run alike."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RunConfig:
    """One optimizer configuration. Fields that only one kind of run uses say so."""

    optimizer: str
    lr: float | None = None  # None: the optimizer's (PyTorch) default
    # torch's keywords with tuples split (beta1, beta2); omitted: torch's defaults
    hyperparameters: dict[str, float | bool | None] = field(default_factory=dict)
    schedule: str = "constant"
    schedule_params: dict[str, float] = field(default_factory=dict)
    noise: float = 0.0  # surface runs: std of Gaussian noise added to each gradient component
    batch_size: int | None = None  # network runs: minibatch size; None (or >= n): full batch
    seed: int = 0  # seeds the gradient noise (surfaces) or the minibatch order (networks)
