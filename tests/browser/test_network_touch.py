"""/network on a phone (Playwright's iPhone 13: a touch screen, no hover), which loads no
Plotly.js (issue #13, "First paint": its parse held a phone's main thread for seconds, and the
first tap on Train with it). The page does everything a student does on canvases: the boundary
with its axes, Train, Step, a tap that adds a point, a lesson; the landscape and a tap that
picks a point of a path on it; the spectrum when asked for; the boundary's PNG is its canvas."""

from __future__ import annotations

import base64
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM, LAUNCH_ARGS, require_browser
from tests.browser.test_landscape_canvas import LANDSCAPE_FINAL, LONE_POINT

pytestmark = pytest.mark.browser

@pytest.fixture(scope="module")
def browser():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        b.iphone = {k: v for k, v in p.devices["iPhone 13"].items()  # type: ignore[attr-defined]
                    if k != "default_browser_type"}
        yield b
        b.close()


@pytest.fixture()
def phone(browser, server) -> Iterator:
    """A fresh iPhone 13 page (cold cache), with its uncaught errors and its requests for
    Plotly.js recorded."""
    context = browser.new_context(**browser.iphone, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.base = server.url
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda m: errors.append(f"{m.text} @ {m.location.get('url', '')}")
            if m.type == "error" else None)
    page.plotly_requests = []
    page.on("request", lambda r: page.plotly_requests.append(r.url)
            if "/vendor/plotly/" in r.url else None)
    page.allowed_errors = ""  # errors that mention it are expected (a test's failed request)
    try:
        yield page
        unexpected = [e for e in errors if not (page.allowed_errors and page.allowed_errors in e)]
        assert not unexpected, unexpected
    finally:
        context.close()


def until(page, expr: str, timeout: float = 20_000) -> None:
    page.wait_for_function(f"() => ({expr})", timeout=timeout)


def tap(page, selector: str) -> None:
    target = page.locator(selector).first
    target.scroll_into_view_if_needed()
    b = target.bounding_box()
    page.touchscreen.tap(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2)


# Pixels of a PNG (base64) in the two class colours (CLASS_COLORS[0] and [1]), read in the page.
PNG_CLASS_PIXELS = """async (b64) => {
  const img = new Image();
  img.src = `data:image/png;base64,${b64}`;
  await img.decode();
  const c = document.createElement('canvas');
  c.width = img.naturalWidth;
  c.height = img.naturalHeight;
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  const near = (i, [r, g, b]) =>
    Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) < 12;
  const n = [0, 0];
  for (let i = 0; i < d.length; i += 4) {
    if (near(i, [0xf0, 0x8c, 0x00])) n[0]++;
    if (near(i, [0x19, 0x71, 0xc2])) n[1]++;
  }
  return n;
}"""


def no_plotly(page) -> bool:
    return page.evaluate("typeof window.Plotly") == "undefined" and not page.plotly_requests


# Dark pixels (tick labels and ticks, #1b1f24) of the boundary canvas beside the first plot's
# left edge and under its bottom edge: white there without axes (the title is above the plot,
# the data and the 0.5 line are clipped to it).
AXIS_PIXELS = """() => {
  const c = document.querySelector('#boundary .boundary-canvas');
  const cell = gradscape.boundaryCells()[0];
  const k = c.width / c.clientWidth;
  const ctx = c.getContext('2d');
  const dark = (x, y, w, h) => {
    const r = Math.round;
    const d = ctx.getImageData(r(x * k), r(y * k), r(w * k), r(h * k)).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i] < 90 && d[i + 1] < 90 && d[i + 2] < 90 && d[i + 3] > 200) n++;
    }
    return n;
  };
  return { left: dark(0, cell.top, cell.left - 3, cell.height),
           below: dark(cell.left, cell.top + cell.height + 3, cell.width, 20) };
}"""


def test_a_phone_trains_without_plotly_on_a_boundary_with_axes(phone) -> None:
    page = phone
    page.goto(f"{page.base}/network")  # a first visit: it waits for Train
    until(page, "window.gradscape && gradscape.stats.boundaryAt !== null")
    page.wait_for_timeout(3000)  # idle: on a laptop Plotly would be loading by now
    assert no_plotly(page), page.plotly_requests
    axes = page.evaluate(AXIS_PIXELS)
    assert axes["left"] > 40 and axes["below"] > 40, axes
    # Train: answered at once, and steps arrive
    assert page.evaluate("gradscape.play") == "paused"  # waiting for the first Train
    tap(page, "#play")
    until(page, "gradscape.play === 'running'", timeout=3000)
    until(page, "gradscape.runs()[0].n > 5")
    tap(page, "#play")
    until(page, "gradscape.play === 'paused'", timeout=3000)
    n = page.evaluate("gradscape.runs()[0].n")
    tap(page, "#step")  # what the server sent after the pause, and one step more
    until(page, f"gradscape.runs()[0].n > {n} && gradscape.play === 'paused'")
    n = page.evaluate("gradscape.runs()[0].n")
    tap(page, "#reset")  # back to the start
    until(page, f"gradscape.runs()[0].n < {min(n, 3)}")
    # a tap on the plot adds a point there
    page.locator("#boundary").scroll_into_view_if_needed()
    x, y = page.evaluate("gradscape.boundaryPoint(0, 0.25, -0.5)")
    page.touchscreen.tap(x, y)
    until(page, "(gradscape.state.points || []).length > 0")
    x1, x2, _ = page.evaluate("gradscape.state.points").pop()
    assert abs(x1 - 0.25) < 0.05 and abs(x2 + 0.5) < 0.05
    # touch has no shift-click: Erase (under Data) makes a tap remove the nearest point
    assert "Erase" in page.locator("#boundary-hint").text_content()
    tap(page, ".phone-tabs [role=tab]:has-text('Data')")
    tap(page, "#class-picker button[data-erase]")
    assert page.locator("#boundary-hint").text_content() == "tap: remove the nearest point"
    n = len(page.evaluate("gradscape.state.points"))
    page.locator("#boundary").scroll_into_view_if_needed()
    x, y = page.evaluate("gradscape.boundaryPoint(0, 0.25, -0.5)")
    page.touchscreen.tap(x, y)
    until(page, f"gradscape.state.points.length === {n - 1}")
    assert not any(abs(p[0] - 0.25) < 0.01 and abs(p[1] + 0.5) < 0.01
                   for p in page.evaluate("gradscape.state.points"))
    # a lesson (in the Lab tab) starts its runs
    until(page, "document.querySelector('#lessons button') !== null")
    starts = page.evaluate("gradscape.stats.starts")
    tap(page, ".phone-tabs [role=tab]:has-text('Lab')")
    tap(page, "#lessons button")
    until(page, f"gradscape.stats.starts > {starts} && gradscape.play === 'running'")
    until(page, "gradscape.runs().length > 0 && gradscape.runs()[0].n > 5")
    # the line charts are canvases: drawn without Plotly
    until(page, "gradscape.charts().loss.lengths.some((n) => n > 5)")
    assert no_plotly(page), page.plotly_requests


def test_the_landscape_is_drawn_without_plotly_and_a_tap_picks_a_path_point(phone) -> None:
    page = phone
    page.goto(f"{page.base}/network#plane=pca&steps=40")  # PCA: the paths fill the map
    until(page, "window.gradscape && gradscape.stats.boundaryAt !== null")
    until(page, "gradscape.play === 'done'")
    tap(page, ".phone-tabs [role=tab]:has-text('Landscape')")
    page.locator("#landscape").scroll_into_view_if_needed()
    until(page, LANDSCAPE_FINAL)
    # the landscape is its canvases: no Plotly, and nothing in its box waiting for it
    assert no_plotly(page), page.plotly_requests
    assert page.locator("#landscape .plotly-wait").count() == 0
    assert page.locator("#landscape .js-plotly-plot").count() == 0
    assert "(its latest)" in page.locator("#landscape-readout").text_content()
    # a finger 14 px beside a point of run 1's path (a mouse would need 12): that step is picked
    point = page.evaluate(LONE_POINT)
    assert point, "no point of run 1 stands apart from run 2's path"
    box = page.locator("#landscape").bounding_box()
    page.touchscreen.tap(box["x"] + point[0] + 8.4, box["y"] + point[1] + 11.2)
    until(page, "(() => { const t = document.getElementById('landscape-readout').textContent;"
                " return t.startsWith('1. ') && t.includes(', step ')"
                " && !t.includes('(its latest)'); })()")
    assert no_plotly(page), page.plotly_requests


def test_a_png_export_downloads_the_boundary_as_painted(phone) -> None:
    page = phone
    page.goto(f"{page.base}/network#steps=20")
    until(page, "window.gradscape && gradscape.play === 'done'")
    assert no_plotly(page), page.plotly_requests
    with page.expect_download() as download:
        tap(page, "#png-boundary")
    assert download.value.suggested_filename.startswith("gradscape-boundary")
    assert download.value.suggested_filename.endswith(".png")
    # the boundary stays its canvas (no Plotly figure for it), and the image is of it: twice
    # the plot's size, both classes' points in their colours
    assert page.locator("#boundary .js-plotly-plot").count() == 0
    png = Path(download.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width == 2 * page.evaluate("document.getElementById('boundary').clientWidth"), width
    orange, blue = page.evaluate(PNG_CLASS_PIXELS, base64.b64encode(png).decode())
    assert orange > 50 and blue > 50, (orange, blue)


def test_the_spectrum_asked_for_on_a_phone_is_drawn(phone) -> None:
    page = phone
    page.goto(f"{page.base}/network#steps=20")
    until(page, "window.gradscape && gradscape.play === 'done'")
    assert no_plotly(page), page.plotly_requests
    assert page.locator("#spectrum-button").is_hidden(), "the stability lab is in its own tab"
    tap(page, ".phone-tabs [role=tab]:has-text('Lab')")
    tap(page, "#spectrum-button")
    until(page, "gradscape.stability().spectrum !== null", timeout=30_000)
    until(page, "(document.getElementById('spectrum').drawn || {}).bars > 0")
    # drawn on its canvas, which fills its box: no Plotly for it either
    canvas = page.locator("#spectrum canvas").bounding_box()
    box = page.locator("#spectrum").bounding_box()
    assert canvas and box and box["width"] > 200 and abs(canvas["width"] - box["width"]) < 1.5
    assert no_plotly(page), page.plotly_requests
    # the other tabs show their own panels, not the stability lab's
    tap(page, ".phone-tabs [role=tab]:has-text('Charts')")
    until(page, "document.getElementById('sharpness-chart').getBoundingClientRect().height > 0")
    assert page.locator("#spectrum").is_hidden() and page.locator("#lessons").is_hidden()


def test_each_tab_shows_its_own_panel_and_the_lab_tab_switches_units_and_sweep(phone) -> None:
    """On a wide screen the landscape, the unit maps and the sweep share one place, switched by
    their own tabs; on a phone the page's tabs are the switch: the Landscape tab always shows the
    landscape, the Lab tab the unit maps (drawn once shown) or the sweep."""
    page = phone
    page.goto(f"{page.base}/network#steps=20")
    until(page, "window.gradscape && gradscape.play === 'done'")
    tap(page, ".phone-tabs [role=tab]:has-text('Landscape')")
    assert page.locator("#landscape").is_visible()
    assert page.locator(".landscape-panel .side-tabs").is_hidden(), "the phone's tabs switch"
    drawn = page.evaluate("gradscape.lab().mapsDrawn")
    tap(page, ".phone-tabs [role=tab]:has-text('Lab')")
    until(page, f"gradscape.lab().mapsDrawn > {drawn}")  # drawn when they come into view
    assert page.locator("#unit-maps").is_visible()
    units = page.locator(".lab-side .side-tabs [data-side=units]")
    assert units.get_attribute("aria-pressed") == "true"
    tap(page, ".lab-side .side-tabs [data-side=sweep]")
    until(page, "gradscape.state.side === 'sweep'")
    assert page.locator("#sweep").is_visible() and page.locator("#unit-maps").is_hidden()
    # the landscape keeps its tab whatever the side panel shows
    tap(page, ".phone-tabs [role=tab]:has-text('Landscape')")
    assert page.locator("#landscape").is_visible()
    assert no_plotly(page), page.plotly_requests
