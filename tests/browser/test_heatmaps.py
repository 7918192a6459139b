"""/network's weight heatmaps, painted on a canvas with their own hover (issue #13: no Plotly.js on
the page's first view). In a 1280x720 mouse window: a cell's hover reads `W1[r, c] = value` as
the Plotly figure did, the colours are the diverging scale's ends at the extremes the text names,
a click on a cell (the "weights" plane) makes it a landscape axis; on a phone a tap a little off
a cell picks the nearest one and shows its value. No Plotly figure under #heatmaps."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.browser.test_network import open_page, page, until, wait_done  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

CANVAS = "#heatmaps canvas.heatmap-canvas"
ALT = f"document.querySelector('{CANVAS}').getAttribute('aria-label')"
# The canvas painted the selected run's W1 (its layout recorded, its text alternative written).
PAINTED = ("(() => { const c = document.querySelector('" + CANVAS + "');"
           " return c !== null && Boolean(c.dataset.panels)"
           " && /Weights W1 \\d+×\\d+: from /.test(c.getAttribute('aria-label')); })()")
PANELS = "JSON.parse(document.querySelector('#heatmaps canvas').dataset.panels)"
NO_PLOTLY_HERE = """() => {
  const box = document.getElementById('heatmaps');
  return box.querySelector('.js-plotly-plot, .plot-container, svg') === null
    && !box.classList.contains('js-plotly-plot') && box.data === undefined;
}"""


def cell_point(pg, panel: int, row: int, col: int, dx: float = 0.0, dy: float = 0.0) -> list[float]:
    """A cell's centre (panel 0: W, 1: ∂L/∂W) in page px, from where the canvas says its cells are,
    moved by dx, dy cells."""
    return pg.evaluate(
        """([k, r, c, dx, dy]) => {
            const p = JSON.parse(document.querySelector('#heatmaps canvas').dataset.panels)[k];
            const box = document.getElementById('heatmaps').getBoundingClientRect();
            return [box.left + p.left + (c + 0.5 + dx) * p.cellW,
                    box.top + p.top + (r + 0.5 + dy) * p.cellH];
        }""",
        [panel, row, col, dx, dy],
    )


def pixel(pg, x: float, y: float) -> list[int]:
    """The heatmap canvas's RGBA at page point (x, y)."""
    return pg.evaluate(
        """([x, y]) => {
            const c = document.querySelector('#heatmaps canvas');
            const r = c.getBoundingClientRect();
            const k = c.width / r.width;
            const at = (v) => Math.floor(v * k);
            return [...c.getContext('2d').getImageData(at(x - r.left), at(y - r.top), 1, 1).data];
        }""",
        [x, y],
    )


def extremes(alt: str, name: str) -> tuple[tuple[str, int, int], tuple[str, int, int]]:
    """The smallest and largest value of a matrix and their cells, from the canvas's text."""
    cell = r"at \[(\d+), (\d+)\]"
    m = re.search(re.escape(name) + rf" \d+×\d+: from (\S+) {cell} to (\S+) {cell}", alt)
    assert m, alt
    lo, r0, c0, hi, r1, c1 = m.groups()
    return (lo, int(r0), int(c0)), (hi, int(r1), int(c1))


def test_hover_reads_a_weight_and_a_click_makes_it_a_landscape_axis(page) -> None:  # noqa: F811
    pg = page
    open_page(pg, "speed=0&steps=40&plane=weights")
    wait_done(pg)  # and drawn: the text alternative and the hover read the same drawing
    until(pg, PAINTED)
    assert pg.evaluate(NO_PLOTLY_HERE)
    box = pg.locator("#heatmaps").bounding_box()
    assert box and box["width"] > 150 and box["height"] > 80
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1280 and box["y"] + box["height"] <= 720
    rows = pg.evaluate(f"{PANELS}[0].rows")
    assert rows == pg.evaluate("window.gradscape.config().sizes[1]")
    note = pg.inner_text("#heatmaps-note")
    assert re.match(r"run 1, step \d+ · click a weight: a landscape axis$", note), note

    # The hover: the same text as the Plotly figure's, inside the box, at both panels.
    alt = pg.evaluate(ALT)
    (lo, r0, c0), (hi, r1, c1) = extremes(alt, "W1")
    label = pg.locator("#heatmaps .hover-readout")
    pg.mouse.move(*cell_point(pg, 0, r1, c1))
    label.wait_for(state="visible")
    assert label.inner_text() == f"W1[{r1}, {c1}] = {hi}\n(to unit {r1} from unit {c1})"
    lb = label.bounding_box()
    assert lb and box["x"] <= lb["x"] and lb["x"] + lb["width"] <= box["x"] + box["width"] + 1
    pg.mouse.move(*cell_point(pg, 0, r0, c0))
    until(pg, "document.querySelector('#heatmaps .hover-readout').textContent"
              f".startsWith('W1[{r0}, {c0}] = {lo}\\n')")
    pg.mouse.move(*cell_point(pg, 1, 1, 0))
    until(pg, "/^∂L\\/∂W1\\[1, 0\\] = \\S+\\n\\(to unit 1 from unit 0\\)$/"
              ".test(document.querySelector('#heatmaps .hover-readout').textContent)")
    # Colour: the scale is symmetric, -a to a, a the largest |weight|: that weight sits at the
    # scale's end (blue for +a, red for -a); the other extreme on its own side of the grey middle.
    def number(text: str) -> float:
        return float(text.replace("\u2212", "-"))

    top = pixel(pg, *cell_point(pg, 0, r1, c1))
    bottom = pixel(pg, *cell_point(pg, 0, r0, c0))
    if number(hi) >= -number(lo):
        assert top == [5, 10, 172, 255]
    else:
        assert bottom == [178, 10, 28, 255]
    assert top[2] > top[0] and top[3] == 255  # a positive weight: blue
    assert number(lo) >= 0 or bottom[0] > bottom[2]  # a negative one: red
    pg.mouse.move(2, 715)
    label.wait_for(state="hidden")

    # A click on a cell: that weight becomes the landscape's second axis, as the page says, and
    # the heatmap outlines it (labelled y).
    pg.mouse.click(*cell_point(pg, 0, 2, 1))
    until(pg, "JSON.stringify(window.gradscape.state.wts || []).includes('[1,2,1]')")
    message = pg.locator(".message", has_text="The landscape's axes are now")
    message.wait_for(state="visible")
    assert "W1[2,1]" in message.inner_text()
    until(pg, f"/y = W1\\[2, 1\\]/.test({ALT})")
    # the landscape is sliced again along it (its caption names the two weights)
    until(pg, "window.gradscape.landscape().caption.includes('W1[0,1] and W1[2,1]')"
              " && window.gradscape.landscape().busy === null", timeout=20_000)
    x, y = cell_point(pg, 0, 2, 1, dx=-0.5)  # the outline on the cell's left edge
    assert all(v < 70 for v in pixel(pg, x + 0.5, y)[:3])
    assert pg.evaluate(NO_PLOTLY_HERE)

    # Another plane: a click picks nothing (the note no longer offers it).
    pg.click("#plane-modes [data-mode='random']")
    until(pg, "window.gradscape.state.plane === 'random'")
    until(pg, "!document.getElementById('heatmaps-note').textContent.includes('landscape axis')")
    wts = pg.evaluate("JSON.stringify(window.gradscape.state.wts)")
    pg.mouse.click(*cell_point(pg, 0, 3, 0))
    pg.wait_for_timeout(300)  # nothing to wait for: that nothing happened
    assert pg.evaluate("JSON.stringify(window.gradscape.state.wts)") == wts


# A phone as Playwright's "iPhone 13": a touch screen without hover, 3 device px a CSS px.
IPHONE = {
    "viewport": {"width": 390, "height": 664}, "screen": {"width": 390, "height": 844},
    "device_scale_factor": 3, "is_mobile": True, "has_touch": True,
    "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 15_0 like Mac OS X) AppleWebKit/605.1.15"
                  " (KHTML, like Gecko) Version/15.0 Mobile/15E148 Safari/604.1",
}


@pytest.fixture()
def iphone(browser_context) -> Iterator:
    """A phone's context in the module's browser (one Playwright a module)."""
    context = browser_context.browser.new_context(**IPHONE)
    try:
        yield context
    finally:
        context.close()


def test_a_tap_beside_a_cell_on_a_phone_picks_the_nearest_and_shows_its_value(iphone, server):
    pg = iphone.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda err: errors.append(str(err)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        pg.set_default_timeout(30_000)
        pg.goto(f"{server.url}/network#speed=0&steps=30&plane=weights")
        until(pg, "window.gradscape && window.gradscape.config() !== null", timeout=30_000)
        tab = pg.locator(".phone-tabs [role=tab]:has-text('Charts')")
        tab.scroll_into_view_if_needed()
        tb = tab.bounding_box()
        pg.touchscreen.tap(tb["x"] + tb["width"] / 2, tb["y"] + tb["height"] / 2)
        pg.locator("#heatmaps").scroll_into_view_if_needed()
        until(pg, PAINTED, timeout=30_000)
        assert pg.evaluate(NO_PLOTLY_HERE)
        assert "tap a weight" in pg.inner_text("#heatmaps-note")
        # A finger lands just right of the last column of row 2, short of the colour bar.
        cols = pg.evaluate(f"{PANELS}[0].cols")
        x, y = cell_point(pg, 0, 2, cols - 1, dx=0.5)
        pg.touchscreen.tap(x + 2, y)
        until(pg, f"JSON.stringify(window.gradscape.state.wts || []).includes('[1,2,{cols - 1}]')")
        label = pg.locator("#heatmaps .hover-readout")
        label.wait_for(state="visible")
        last = cols - 1
        assert re.fullmatch(rf"W1\[2, {last}\] = \S+\n\(to unit 2 from unit {last}\)",
                            label.inner_text())
        assert not errors, errors
    finally:
        pg.close()


def test_the_keyboard_walks_the_weights_and_enter_makes_one_a_landscape_axis(page) -> None:  # noqa: F811
    pg = page
    open_page(pg, "speed=0&steps=40&plane=weights")
    wait_done(pg)  # and drawn: the text alternative and the hover read the same drawing
    until(pg, PAINTED)
    readout = "document.querySelector('#heatmaps .hover-readout')"
    # Tab reaches the heatmaps (after the layer buttons); focused, they read their first weight
    pg.focus("#layer-tabs button:last-child")
    pg.keyboard.press("Tab")
    assert pg.evaluate("document.activeElement.classList.contains('heatmap-canvas')")
    until(pg, f"{readout}.textContent.startsWith('W1[0, 0] = ') && !{readout}.hidden")
    # the arrows move it (and not the page's own keys: no step taken, no learning rate changed)
    steps = pg.evaluate("window.gradscape.runs()[0].n")
    lr = pg.evaluate("JSON.stringify(window.gradscape.state.runs)")
    for key in ("ArrowDown", "ArrowDown", "ArrowRight", "ArrowUp"):
        pg.keyboard.press(key)
    until(pg, f"{readout}.textContent.startsWith('W1[1, 1] = ')")
    assert pg.evaluate("window.gradscape.runs()[0].n") == steps
    assert pg.evaluate("JSON.stringify(window.gradscape.state.runs)") == lr
    # Enter picks it, as a click would: the landscape's second axis
    pg.keyboard.press("Enter")
    until(pg, "JSON.stringify(window.gradscape.state.wts || []).includes('[1,1,1]')")
    until(pg, f"/y = W1\\[1, 1\\]/.test({ALT})")
    # leaving the heatmaps takes the readout with it
    pg.keyboard.press("Shift+Tab")
    until(pg, f"{readout}.hidden")
