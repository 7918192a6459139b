"""Export: the PyTorch script equals our network (golden predictions from torch itself, made by
tests/golden/make_export_vectors.py), and the .npz reads back exactly."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from app.core.export import npz_bytes, read_npz, torch_script
from tests.golden.make_export_vectors import NETWORKS, network

GOLDEN = json.loads(Path(__file__).parents[1].joinpath("golden", "export.json").read_text())


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda c: "-".join(map(str, c["sizes"])))
def test_the_script_torch_ran_predicts_what_we_predict(case) -> None:
    model, theta, x = network(tuple(case["sizes"]), tuple(case["activations"]), case["loss"],
                              case["seed"])
    assert torch_script(model, theta) == case["script"]  # the very script torch executed
    np.testing.assert_array_equal(x, case["x"])
    ours = model.predict(theta, x)
    np.testing.assert_allclose(ours, case["predictions"], rtol=1e-12, atol=1e-14)


def test_every_network_of_the_generator_is_golden() -> None:
    assert [(tuple(c["sizes"]), tuple(c["activations"]), c["loss"], c["seed"])
            for c in GOLDEN["cases"]] == NETWORKS


def test_the_script_holds_every_weight_exactly() -> None:
    model, theta, _ = network(*NETWORKS[0])
    script = torch_script(model, theta)
    for v in theta[np.nonzero(theta)]:
        assert repr(float(v)) in script


def test_npz_reads_back_the_same_network() -> None:
    model, theta, x = network(*NETWORKS[2])
    again, theta2 = read_npz(npz_bytes(model, theta))
    assert again == model
    np.testing.assert_array_equal(theta2, theta)
    np.testing.assert_array_equal(again.predict(theta2, x), model.predict(theta, x))
