"""Schedule-free SGD and AdamW (Defazio et al. 2024, the `schedulefree` package): no learning-rate
schedule, because the point to report is an average of the iterates, built as they go.

Three sequences per coordinate: z (plain SGD or AdamW steps), x (the weighted average of the z's:
the answer, what the package's `.eval()` puts in the parameters) and y (between them: where the
gradient is taken, what `.train()` puts in the parameters).

The interface to a run: `step` takes and returns y, the parameters as the package holds them in
train mode, so the engine takes each gradient at the point it was given, as for any optimizer,
and draws y. x and z are in `state_snapshot()` (per coordinate, as ASGD's `ax`), for the UI to
draw as extra markers and to report x's loss as the run's answer.
"""

from __future__ import annotations

from typing import ClassVar

from app.core.optimizers.base import _BETA2, Optimizer, Value, _eps, _lerp, _lr, _sqrt
from app.core.parameters import Hyperparameter

_WARMUP = Hyperparameter(
    0, 0, 100_000, "Steps over which the learning rate ramps up linearly from zero.", kind="int"
)
_R = Hyperparameter(
    0.0, 0.0, 10.0, "Power of the step count in the averaging weights (0: a plain average)."
)
_WEIGHT_LR_POWER = Hyperparameter(
    2.0, 0.0, 10.0, "Power of the largest lr so far in the averaging weights (warm-up)."
)


class _ScheduleFree(Optimizer):
    """The averaging weights shared by both variants, once per step (k = t - 1):

    lr_k = lr * min(1, (k + 1) / warmup_steps);  lr_max = max(lr_max, lr_k)
    w_k = (k + 1)^r * lr_max^weight_lr_power;  c_{k+1} = w_k / (w_0 + ... + w_k)
    """

    momentum_name: ClassVar[str]  # the hyperparameter that is the interpolation weight beta
    lr: float
    weight_decay: float
    warmup_steps: int
    r: float
    weight_lr_power: float

    def _initial_slot(self) -> dict[str, Value]:
        return {"z": None}

    def _begin_step(self, state: dict[str, float]) -> None:
        k = state["step"] - 1
        warmup = self.warmup_steps
        sched = (k + 1) / warmup if k < warmup else 1.0
        state["scheduled_lr"] = lr = self.lr * sched
        state["lr_max"] = lr_max = max(lr, state.get("lr_max", -1.0))
        weight = ((k + 1) ** self.r) * (lr_max**self.weight_lr_power)
        state["weight_sum"] = weight_sum = state.get("weight_sum", 0.0) + weight
        state["ckp1"] = weight / weight_sum if weight_sum else 0

    def _move(self, y: Value, g: Value, slot: dict[str, Value]) -> Value:
        """y and z after a step along the (normalised) gradient g; x for the snapshot."""
        state = self._state
        beta = getattr(self, self.momentum_name)
        lr, ckp1 = state["scheduled_lr"], state["ckp1"]
        z = slot["z"]
        if self.weight_decay != 0:
            g = g + self.weight_decay * y
        y = _lerp(y, z, ckp1)
        y = y + (lr * (beta * (1 - ckp1) - 1)) * g
        z = slot["z"] = z - lr * g
        slot["x"] = _lerp(y, z, 1 - 1 / beta)  # what the package's eval() computes
        return y

    @staticmethod
    def _start_z(y: Value, slot: dict[str, Value]) -> None:
        if slot["z"] is None:  # the package starts z at the first parameters it sees
            slot["z"] = y if y.__class__ is float else y.copy()


class ScheduleFreeSGD(_ScheduleFree):
    """Schedule-free SGD (schedulefree.SGDScheduleFree), stepping y (see the module docstring).

    g_t = grad(y_{t-1}) + weight_decay * y_{t-1};  c = c_{k+1} (the averaging weight)
    y_t = (1 - c) y_{t-1} + c z_{t-1} + lr_k (momentum (1 - c) - 1) g_t
    z_t = z_{t-1} - lr_k g_t;  z_0 = y_0
    x_t = y_t + (1 - 1 / momentum) (z_t - y_t)     (the averaged point: the answer)
    """

    id = "schedulefree_sgd"
    name = "Schedule-free SGD"
    description = (
        "SGD that averages its own iterates as it goes, so it needs no decaying learning rate; "
        "the gradient is taken between the average and the latest SGD point."
    )
    equation = (
        r"y_t = (1-c_t)\, y_{t-1} + c_t z_{t-1} + \eta\,(\beta(1-c_t) - 1)\, g_t \\ "
        r"z_t = z_{t-1} - \eta\, g_t \\ "
        r"x_t = y_t + (1 - 1/\beta)(z_t - y_t),\ \ c_t = \frac{w_t}{\sum_{i\le t} w_i}"
    )
    hyperparameters = {
        "lr": _lr(1.0),
        "momentum": Hyperparameter(
            0.9, 0.01, 0.9999, "How far between the average x and the SGD point z y sits."
        ),
        "weight_decay": Hyperparameter(
            0.0, 0.0, 1.0, "L2 penalty: pulls every weight towards zero by this fraction."
        ),
        "warmup_steps": _WARMUP,
        "r": _R,
        "weight_lr_power": _WEIGHT_LR_POWER,
    }
    momentum_name = "momentum"
    momentum: float

    def _update(self, p: Value, g: Value, slot: dict[str, Value]) -> Value:
        self._start_z(p, slot)
        return self._move(p, g, slot)


class ScheduleFreeAdamW(_ScheduleFree):
    """Schedule-free AdamW (schedulefree.AdamWScheduleFree), stepping y (see the module
    docstring): schedule-free SGD on the gradient divided by Adam's bias-corrected RMS.

    v_t = beta2 v_{t-1} + (1 - beta2) g_t^2
    u_t = g_t / (sqrt(v_t / (1 - beta2^t)) + eps) + weight_decay * y_{t-1}
    y_t = (1 - c) y_{t-1} + c z_{t-1} + lr_k (beta1 (1 - c) - 1) u_t
    z_t = z_{t-1} - lr_k u_t;  x_t = y_t + (1 - 1 / beta1) (z_t - y_t)
    """

    id = "schedulefree_adamw"
    name = "Schedule-free AdamW"
    description = (
        "AdamW that averages its own iterates as it goes instead of following a learning-rate "
        "schedule, and keeps no momentum buffer."
    )
    equation = (
        r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2,\ \ "
        r"u_t = \frac{g_t}{\sqrt{v_t / (1-\beta_2^t)} + \epsilon} + \lambda y_{t-1} \\ "
        r"y_t = (1-c_t)\, y_{t-1} + c_t z_{t-1} + \eta\,(\beta_1(1-c_t) - 1)\, u_t \\ "
        r"z_t = z_{t-1} - \eta\, u_t,\ \ x_t = y_t + (1 - 1/\beta_1)(z_t - y_t)"
    )
    hyperparameters = {
        "lr": _lr(2.5e-3),
        "beta1": Hyperparameter(
            0.9, 0.01, 0.9999, "How far between the average x and the AdamW point z y sits."
        ),
        "beta2": _BETA2,
        "eps": _eps(1e-8),
        "weight_decay": Hyperparameter(
            0.0, 0.0, 1.0, "Decoupled weight decay, added to the normalised gradient."
        ),
        "warmup_steps": _WARMUP,
        "r": _R,
        "weight_lr_power": _WEIGHT_LR_POWER,
    }
    momentum_name = "beta1"
    beta1: float
    beta2: float
    eps: float

    def _initial_slot(self) -> dict[str, Value]:
        return {"z": None, "v": 0.0}

    def _begin_step(self, state: dict[str, float]) -> None:
        super()._begin_step(state)
        state["bias_correction2"] = 1 - self.beta2 ** state["step"]

    def _update(self, p: Value, g: Value, slot: dict[str, Value]) -> Value:
        self._start_z(p, slot)
        beta2 = self.beta2
        v = slot["v"] = slot["v"] * beta2 + (1 - beta2) * g * g
        return self._move(p, g / (_sqrt(v / self._state["bias_correction2"]) + self.eps), slot)
