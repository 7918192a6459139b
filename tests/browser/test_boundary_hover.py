"""The decision boundary is a canvas, always (issue #13: no Plotly.js for the network page's first
view), with its own hover readout (shared/hover-readout.js) saying what Plotly's hover said: a
data point's coordinates, class and kind, the network's P(class 1) at an empty spot, a run's title
and that a click selects it; for regression, every run's curve, named in a legend.

In a 1280 x 720 mouse window (conftest.py's context), against a real server; every test fails on
a console error or a request leaving the machine (test_network.py's watch and check)."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_network import navigate, open_page, page, until, wait_done  # noqa: F401 (the page fixture)

pytestmark = pytest.mark.browser

# Own points: two clusters, far from the spots the tests read (x1, x2, class).
POINTS = [(-1, -1, 0), (-0.8, -1.2, 0), (-1.2, -0.7, 0), (-0.9, -0.9, 0),
          (1, 1, 1), (0.8, 1.2, 1), (1.2, 0.8, 1), (0.9, 0.9, 1)]
PTS = ";".join(",".join(str(v) for v in p) for p in POINTS)

READOUT = """() => {
  const r = document.querySelector('#boundary .hover-readout');
  return r && !r.hidden ? r.textContent : null;
}"""

# The canvas pixel (CSS px of the box) under a client point, and the box's own rectangle.
PIXEL = """([x, y]) => {
  const box = document.getElementById('boundary').getBoundingClientRect();
  const c = document.querySelector('#boundary .boundary-canvas');
  const k = c.width / c.clientWidth;
  const at = (v) => Math.round(v * k);
  const d = c.getContext('2d').getImageData(at(x - box.left), at(y - box.top), 1, 1).data;
  return [d[0], d[1], d[2]];
}"""




def readout_with(pg, *parts: str) -> str:
    """Wait until the readout shows every part; its text."""
    pg.wait_for_function(
        f"(parts) => {{ const t = ({READOUT})();"
        " return t !== null && parts.every((p) => t.includes(p)); }",
        arg=list(parts),
    )
    return pg.evaluate(READOUT)


def hover(pg, k: int, x: float, y: float, dx: float = 0, dy: float = 0) -> tuple[float, float]:
    """Move the mouse over data point (x, y) of cell k (dx, dy px beside it); where it went."""
    px, py = pg.evaluate(f"gradscape.boundaryPoint({k}, {x}, {y})")
    pg.mouse.move(px + dx, py + dy)
    return px + dx, py + dy


def test_the_readout_names_a_point_and_the_networks_belief_and_plotly_never_draws(page) -> None:  # noqa: F811
    open_page(page, f"pts={PTS}&steps=150&speed=0")
    wait_done(page)
    until(page, "document.querySelector('#boundary .boundary-canvas').dataset.steps"
                " === gradscape.runs().map((r) => r.boundaryStep).join(',')")
    canvas = page.locator("#boundary .boundary-canvas")
    assert canvas.get_attribute("data-shows") == "probability"

    # a data point, 2 px off its centre: its coordinates, class and kind, and the run's belief
    hover(page, 0, 0.8, 1.2, 2, -2)
    text = readout_with(page, "(0.8, 1.2): class 1", "training point")
    assert re.search(r"^1\. SGD: P\(class 1\) = [0-9.e-]+$", text.splitlines()[2]), text
    # the label sits inside the plot's box, beside the pointer
    label = page.locator("#boundary .hover-readout").bounding_box()
    box = page.locator("#boundary").bounding_box()
    assert label and box and box["x"] <= label["x"]
    assert label["x"] + label["width"] <= box["x"] + box["width"] + 1
    hover(page, 1, -0.9, -0.9)  # the second run's cell: its own point and run
    text = readout_with(page, "(-0.9, -0.9): class 0", "2. Adam: P(class 1) = ")

    # an empty spot: its coordinates and the network's P(class 1) there, as the colour shows it
    for x, y in ((1.35, 1.45), (-1.45, -1.35)):
        at = hover(page, 0, x, y)
        text = readout_with(page, "x₁ = ", "1. SGD: P(class 1) = ")
        first, said = text.splitlines()
        x1, x2 = (float(v) for v in re.findall(r"= (-?[0-9.]+)", first))
        assert abs(x1 - x) < 0.06 and abs(x2 - y) < 0.06, first
        p = float(said.rsplit("= ", 1)[1])
        assert 0 <= p <= 1
        r, _, b = page.evaluate(PIXEL, list(at))
        if abs(p - 0.5) > 0.1:  # class 1's fill is blue, class 0's orange (white at 0.5)
            assert (b > r) == (p > 0.5), (p, r, b)
    page.mouse.move(2, 715)  # off the plot: the readout goes
    page.wait_for_function(f"() => ({READOUT})() === null")

    # The boundary stays a canvas while the runs train at a speed where Plotly used to redraw
    # it, and after, and keeps its readout
    navigate(page, f"pts={PTS}&steps=3000&speed=100")
    until(page, "gradscape.play === 'running'")
    drawn = page.evaluate("gradscape.stats.draws.boundary")
    until(page, f"gradscape.stats.draws.boundary > {drawn + 3}")
    page.click("#play")  # pause
    until(page, "gradscape.play === 'paused'")
    assert page.locator("#boundary .js-plotly-plot").count() == 0
    assert page.locator("#boundary .main-svg").count() == 0
    assert page.locator("#boundary canvas").count() == 1
    hover(page, 0, 1, 1, -1, 1)
    readout_with(page, "(1, 1): class 1", "training point", "1. SGD: P(class 1) = ")


def test_a_title_reads_whole_and_a_click_on_it_selects_the_run(page) -> None:  # noqa: F811
    open_page(page, f"pts={PTS}&steps=20&speed=0")
    wait_done(page)
    assert page.evaluate("gradscape.state.sel") == 0
    cell = page.evaluate("gradscape.boundaryCells()[1]")
    box = page.locator("#boundary").bounding_box()
    x = box["x"] + cell["left"] + cell["width"] / 2
    y = box["y"] + cell["top"] - 10  # the title's line, over the cell
    page.mouse.move(x, y)
    text = readout_with(page, "2. Adam · loss ", "click: select this run")
    assert page.evaluate("document.getElementById('boundary').style.cursor") == "pointer"
    page.mouse.click(x, y)
    until(page, "gradscape.state.sel === 1")
    titles = page.locator("#boundary .boundary-canvas").get_attribute("data-titles")
    assert text.splitlines()[0].startswith(titles.splitlines()[1])  # painted, maybe shorter


def test_regression_names_its_runs_in_a_legend_and_reads_every_curve(page) -> None:  # noqa: F811
    open_page(page, "ds=sine&steps=30&speed=0")
    wait_done(page)
    canvas = page.locator("#boundary .boundary-canvas")
    until(page, "((c) => c !== null && (c.dataset.legend || '').split('\\n').length === 2)"
                "(document.querySelector('#boundary .boundary-canvas'))")
    assert canvas.get_attribute("data-shows") == "curves"
    first, second = canvas.get_attribute("data-legend").split("\n")
    # ("(diverged)" after a run that did)
    assert first.startswith("1. SGD") and second.startswith("2. Adam")
    cell = page.evaluate("gradscape.boundaryCells()[0]")
    assert page.evaluate("gradscape.boundaryCells().length") == 1  # one plot, every run's curve
    box = page.locator("#boundary").bounding_box()
    # Along the plot's lower edge (the data, sin(x) + noise, keeps off it): x and each run's ŷ.
    x = box["x"] + cell["left"] + cell["width"] * 0.7
    page.mouse.move(x, box["y"] + cell["top"] + cell["height"] - 3)
    text = readout_with(page, "x = ", "1. SGD: ŷ = ", "2. Adam: ŷ = ")
    assert text.startswith("x = ")
    assert len(text.splitlines()) == 3, text
