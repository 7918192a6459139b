"""Unit maps: each unit's activation at each grid point, the network's own forward pass."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.mlp import MLP
from app.core.neurons import unit_maps


def test_each_map_is_the_units_activation_at_the_grid_point() -> None:
    model = MLP.build((2, 3, 4, 2), "tanh")
    theta = model.init(np.random.default_rng(0))
    xs, ys = np.linspace(-1, 1, 5), np.linspace(0, 2, 3)
    maps = unit_maps(model, theta, xs, ys, decimals=12)
    assert [m.shape for m in maps] == [(3, 3, 5), (4, 3, 5)]
    i, j = 2, 4  # the point (xs[4], ys[2])
    fwd = model.forward(theta, np.array([[xs[j], ys[i]]]))
    for layer in (0, 1):
        np.testing.assert_allclose(maps[layer][:, i, j], fwd.acts[layer + 1][0], atol=1e-12)
    coarse = unit_maps(model, theta, xs, ys)
    assert np.all(coarse[0] == np.round(coarse[0], 2))
    assert np.abs(coarse[0] - maps[0]).max() <= 0.005 + 1e-12


def test_one_d_inputs_give_curves_and_wider_inputs_are_refused() -> None:
    model = MLP.build((1, 6, 1), "relu", "mse")
    theta = model.init(np.random.default_rng(1))
    (curves,) = unit_maps(model, theta, np.linspace(-3, 3, 11))
    assert curves.shape == (6, 11) and curves.min() >= 0.0
    with pytest.raises(ValueError, match="2-D"):
        unit_maps(MLP.build((4, 2, 2), "relu"), np.zeros(16), np.zeros(3), np.zeros(3))
