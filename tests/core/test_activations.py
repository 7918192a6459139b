"""Each activation travels with its derivative: check it against central differences."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.activations import ACTIVATIONS


@pytest.mark.parametrize("act_id", sorted(ACTIVATIONS))
def test_derivative_matches_central_differences(act_id: str) -> None:
    act = ACTIVATIONS[act_id]
    z = np.linspace(-4, 4, 81) + 0.013  # avoid the kink at exactly 0
    h = 1e-6
    numeric = (act.f(z + h) - act.f(z - h)) / (2 * h)
    np.testing.assert_allclose(act.df(z, act.f(z)), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("act_id", sorted(ACTIVATIONS))
def test_templates_and_registry(act_id: str) -> None:
    act = ACTIVATIONS[act_id]
    assert act.id == act_id and act.init in ("he", "xavier") and act.words
    assert "z2" in act.formula.format(z="z2", a="a2")
    assert act.derivative.format(z="z2", a="a2")


def test_sigmoid_is_stable_for_large_inputs() -> None:
    s = ACTIVATIONS["sigmoid"].f(np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_array_equal(s, [0.0, 0.5, 1.0])


def test_relu_derivative_is_the_mask() -> None:
    act = ACTIVATIONS["relu"]
    z = np.array([-2.0, 3.0])
    np.testing.assert_array_equal(act.df(z, act.f(z)), [0.0, 1.0])
    assert act.derivative.format(z="z2", a="a2") == "1[z2 > 0]"


@pytest.mark.parametrize("act_id", sorted(ACTIVATIONS))
def test_second_derivative_matches_central_differences(act_id: str) -> None:
    act = ACTIVATIONS[act_id]
    assert act.d2f is not None, "Hessian-vector products need every activation's f''"
    z = np.linspace(-4, 4, 81) + 0.013
    h = 1e-6
    numeric = (act.df(z + h, act.f(z + h)) - act.df(z - h, act.f(z - h))) / (2 * h)
    np.testing.assert_allclose(act.d2f(z, act.f(z)), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("act_id", sorted(ACTIVATIONS))
def test_in_place_forms_have_the_same_numbers(act_id: str) -> None:
    """f_into and backprop_into (a training step's reused arrays) against f and da * df, bit for
    bit, at the kink, at +-0 and at the non-finite values a diverging run meets."""
    act = ACTIVATIONS[act_id]
    rng = np.random.default_rng(0)
    z = rng.standard_normal((50, 8))
    z[0, :6] = [0.0, -0.0, np.nan, np.inf, -np.inf, 1e-320]
    a = act.f(z)
    out = np.empty_like(z)
    assert act.f_into(z, out) is out
    np.testing.assert_array_equal(out, a)
    da = rng.standard_normal(z.shape)
    da[1, :3] = [np.nan, np.inf, -0.0]
    want = da * act.df(z, a)
    got = act.backprop_into(da, z, a)
    assert got is da
    np.testing.assert_array_equal(got, want)
    assert np.array_equal(np.signbit(got), np.signbit(want))
