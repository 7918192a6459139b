"""The descent map's own hover (shared/hover-readout.js): with a mouse, the readout beside the
pointer names the nearest grid node and f there, or the minimum under it, without Plotly.js,
which a laptop no longer loads for the map (only for the 3D view)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import App

READOUT = "#plot-wrap .hover-readout"


def _number(text: str) -> float:
    return float(text.replace("\u2212", "-"))


def _hover(app: App, x: float, y: float) -> str:
    px, py = app.js(f"() => gradscape.pixelOf({x}, {y})")
    app.page.mouse.move(px, py)
    app.page.wait_for_selector(READOUT, state="visible")
    return app.page.inner_text(READOUT)


def test_the_readout_gives_the_nearest_node_and_f_there(fresh_app: App) -> None:
    app = fresh_app.open("surface=bowl")
    text = _hover(app, 1.0, -2.0)
    m = re.search(r"x = (\S+), y = (\S+)\s+f\(x, y\) = (\S+)", text)
    assert m, text
    x, y, f = (_number(v) for v in m.groups())
    assert x == pytest.approx(1.0, abs=0.1) and y == pytest.approx(-2.0, abs=0.1)
    assert f == pytest.approx(0.5 * (x * x + y * y), rel=2e-3)  # the bowl, at that node

    # the minimum's star says what it is
    assert _hover(app, 0.0, 0.0).startswith("a minimum: (0, 0)")

    # off the map, and when the mouse leaves, no readout
    box = app.page.locator("#plot-wrap").bounding_box()
    app.page.mouse.move(box["x"] + 3, box["y"] + 3)
    app.page.wait_for_selector(READOUT, state="hidden")
    assert app.js("() => typeof window.Plotly") == "undefined"
    app.assert_clean()


def test_the_3d_view_still_loads_plotly_and_the_map_comes_back(fresh_app: App) -> None:
    app = fresh_app.open("surface=bowl")
    _hover(app, 1.0, 1.0)
    app.page.click("button[data-view='3d']")
    app.page.wait_for_function(
        "() => window.Plotly && document.querySelector('#surface3d .main-svg')")
    assert app.page.locator(READOUT).is_hidden()
    app.page.click("button[data-view='contour']")
    app.page.wait_for_selector("#base", state="visible")
    assert "f(x, y)" in _hover(app, -1.5, 0.5)
    app.assert_clean()
