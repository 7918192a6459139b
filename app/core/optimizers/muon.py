"""Muon (torch.optim.Muon) for a network's weight matrices, with AdamW for its biases: the
network run tells it which slices of the flat weights are matrices."""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from app.core.optimizers.adam import AdamW
from app.core.optimizers.base import Optimizer, Oracle, Value, _lerp, _lr
from app.core.parameters import Hyperparameter

Array = NDArray[np.float64]

# torch.optim.Muon's quintic Newton-Schulz coefficients (Keller Jordan's)
NS_COEFFICIENTS = (3.4445, -4.7750, 2.0315)


def _bfloat16(x: NDArray) -> NDArray[np.float32]:
    """x rounded to bfloat16 (to nearest, ties to even, as torch's .bfloat16()), held in
    float32: bfloat16 is float32's upper 16 bits."""
    bits = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    bits = (bits + (((bits >> 16) & 1) + 0x7FFF)) & 0xFFFF0000
    return bits.astype(np.uint32).view(np.float32)


def newton_schulz(g: Array, steps: int, eps: float, bfloat16: bool = True) -> Array:
    """An approximately orthogonal matrix with g's singular vectors (torch's
    `_zeropower_via_newtonschulz`): X = G / max(|G|_F, eps), then `steps` times
    X <- a X + (b A + c A^2) X, A = X X^T (on the wide orientation).

    torch runs it in bfloat16 (8 significant bits): each product and sum in float32, each
    result rounded to bfloat16, which is what this does by default. With bfloat16=False, the
    same iteration in float64 (the exact maths, for the tests)."""
    a, b, c = NS_COEFFICIENTS
    wide = g.T if g.shape[0] > g.shape[1] else g
    if bfloat16:
        f32, rnd = np.float32, _bfloat16
        a32, b32, c32 = f32(a), f32(b), f32(c)
        x = rnd(wide)
        x = rnd(x / max(rnd(np.sqrt(np.sum(x * x, dtype=f32))), f32(eps)))
        for _ in range(steps):
            gram = rnd(x @ x.T)
            x = rnd(a32 * x + rnd(b32 * gram + c32 * (gram @ gram)) @ x)
        x = x.astype(np.float64)
    else:
        x = wide / max(float(np.linalg.norm(wide)), eps)
        for _ in range(steps):
            gram = x @ x.T
            x = a * x + (b * gram + c * (gram @ gram)) @ x
    return x.T if g.shape[0] > g.shape[1] else x


class Muon(Optimizer):
    """Muon (torch.optim.Muon) on every weight matrix W (out, in), AdamW on the biases.

    B_t = momentum * B_{t-1} + (1 - momentum) * G_t        (torch: buf.lerp_(grad, 1 - momentum))
    U_t = G_t + momentum * (B_t - G_t)  if nesterov  else  B_t       (grad.lerp(buf, momentum))
    O_t = NS_5(U_t)                  (Newton-Schulz: U's singular values pushed towards 1)
    W_t = W_{t-1} (1 - lr * weight_decay) - lr * sqrt(max(1, out / in)) * O_t
    Biases: torch.optim.AdamW with the same lr (so a schedule or a tuned lr moves both) and
    AdamW's defaults (betas 0.9, 0.999, eps 1e-8, weight_decay 0.01), as torch's documentation
    recommends for the parameters Muon does not take.
    NS_5 runs in bfloat16, as torch's (emulated: `newton_schulz`).
    Network runs only: a 2D surface's point is one vector of two numbers, not a matrix, and
    orthogonalising a 1 x 2 matrix leaves only its direction (every step has length lr).
    """

    id = "muon"
    name = "Muon"
    description = (
        "Orthogonalises each weight matrix's momentum so that every direction of the layer "
        "moves by the same amount; network runs only, since a 2D surface has no matrix."
    )
    equation = (
        r"B_t = \mu B_{t-1} + (1-\mu) G_t,\ \ U_t = G_t + \mu (B_t - G_t) \\ "
        r"O_t = \mathrm{NS}_5(U_t) \approx U V^\top\ \ (U_t = U \Sigma V^\top) \\ "
        r"W_t = W_{t-1}(1 - \eta\lambda) - \eta \sqrt{\max(1, \tfrac{A}{B})}\, O_t"
    )
    hyperparameters = {
        "lr": _lr(1e-3),
        "weight_decay": Hyperparameter(
            0.1, 0.0, 1.0, "Shrinks every weight matrix by lr * weight_decay of itself each step."
        ),
        "momentum": Hyperparameter(0.95, 0.0, 0.9999, "Decay of the momentum buffer."),
        "nesterov": Hyperparameter(
            True, 0, 1, "Orthogonalise the gradient blended with the momentum.", kind="bool"
        ),
        "eps": Hyperparameter(
            1e-7, 1e-12, 1.0, "Floor of the norm the update is divided by.", log=True
        ),
        "ns_steps": Hyperparameter(
            5, 1, 99, "Newton-Schulz iterations that orthogonalise the update.", kind="int"
        ),
        "adjust_lr_fn": Hyperparameter(
            None, 0, 0,
            "Scale of the lr per matrix: null or original sqrt(max(1, out/in)); "
            "match_rms_adamw 0.2 sqrt(max(out, in)).",
            kind="choice", choices=("original", "match_rms_adamw"), nullable=True,
        ),
    }
    elementwise = False
    needs_oracle = True
    run_kinds = ("network",)
    bfloat16: ClassVar[bool] = True  # torch's precision for the iteration (False: float64)
    lr: float
    weight_decay: float
    momentum: float
    nesterov: bool
    eps: float
    ns_steps: int
    adjust_lr_fn: str | None

    def reset(self) -> None:
        super().reset()
        self._adamw = AdamW()

    def _adjusted_lr(self, shape: tuple[int, int]) -> float:
        rows, cols = shape
        if self.adjust_lr_fn == "match_rms_adamw":
            return self.lr * 0.2 * math.sqrt(max(rows, cols))
        return self.lr * math.sqrt(max(1, rows / cols))

    def _step_oracle(
        self, oracle: Oracle, p: Array, g: Array, loss: float, slot: dict[str, Value]
    ) -> Array:
        layers = oracle.layers()
        if "momentum_buffer" not in slot:
            slot["momentum_buffer"] = np.zeros_like(p)
        buf, new = slot["momentum_buffer"], p.copy()
        bias = np.zeros(len(p), dtype=bool)
        momentum, lr = self.momentum, self.lr
        for w, b, e, shape in layers:
            grad = g[w:b].reshape(shape)
            mb = buf[w:b].reshape(shape)
            mb[...] = _lerp(mb, grad, 1 - momentum)  # a view: the buffer itself
            update = _lerp(grad, mb, momentum) if self.nesterov else mb
            ortho = newton_schulz(update, self.ns_steps, self.eps, self.bfloat16)
            weights = p[w:b].reshape(shape) * (1 - lr * self.weight_decay)
            new[w:b] = (weights - self._adjusted_lr(shape) * ortho).ravel()
            bias[b:e] = True
        adamw = self._adamw
        object.__setattr__(adamw, "lr", lr)
        new[bias] = adamw.step(p[bias], g[bias])
        return new
