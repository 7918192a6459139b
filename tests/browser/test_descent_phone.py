"""The descent page on a phone (iPhone 13 emulation: a touch screen without hover) never loads
Plotly.js for its map: the canvas map has the axes, contour lines, colour bar and minimum that
Plotly's would, a tap on Play is answered at once, the runs, the loss chart and the PNG export work
without it; the 3D view loads Plotly when chosen, and says so while it loads. (A laptop does not
load it for the map either: its hover is the canvas's, test_descent_hover.py.)"""

from __future__ import annotations

import struct
from collections.abc import Iterator

import pytest

from tests.browser.conftest import CHROMIUM, LAUNCH_ARGS, require_browser

pytestmark = pytest.mark.browser

PICTURE = ("() => window.gradscape && gradscape.stats.surfaceAt !== null"
           " && document.querySelector('#plot-wrap[data-painted]') !== null")

# Ink of the canvas map around and in its axes' rectangle (CSS px), read from the base canvas.
INK = """([left, top, width, height]) => {
  const c = document.getElementById('base');
  const k = c.width / c.clientWidth;
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const count = (x0, y0, x1, y1, test) => {
    let n = 0;
    for (let y = Math.round(y0 * k); y < Math.round(y1 * k); y++) {
      for (let x = Math.round(x0 * k); x < Math.round(x1 * k); x++) {
        const o = 4 * (y * c.width + x);
        if (px[o + 3] > 200 && test(px[o], px[o + 1], px[o + 2])) n++;
      }
    }
    return n;
  };
  const dark = (r, g, b) => r + g + b < 200;
  // contour lines across the middle row: thin dips, darker than the bands on both sides (the
  // bands alone step up or down at their edges)
  const y = Math.round((top + height / 2) * k);
  const lum = (x) => { const o = 4 * (y * c.width + x); return px[o] + px[o + 1] + px[o + 2]; };
  let lines = 0;
  for (let x = Math.round(left * k) + 5; x < Math.round((left + width) * k) - 5; x++) {
    const [l, m, r] = [lum(x - 4), lum(x), lum(x + 4)];
    if (m + 6 < l && m + 6 < r) { lines++; x += 4; }
  }
  const colours = new Set();
  const bar = (r, g, b) => colours.add(`${r},${g},${b}`) && false;
  count(left + width + 20, top, left + width + 40, top + height, bar);
  return {
    lines,
    yLabels: count(0, top, left - 3, top + height, dark),
    xLabels: count(left, top + height + 3, left + width, c.clientHeight, dark),
    colourBar: colours.size,
    barLabels: count(left + width + 40, top, c.clientWidth, top + height, dark),
    star: count(left, top, left + width, top + height,
                (r, g, b) => Math.abs(r - 255) + Math.abs(g - 212) + Math.abs(b - 59) < 30),
  };
}"""


@pytest.fixture(scope="module")
def iphone(server) -> Iterator:
    """A new-context factory for iPhone 13 pages, with their uncaught errors checked."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        spec = {k: v for k, v in p.devices["iPhone 13"].items() if k != "default_browser_type"}
        yield browser, spec, server.url
        browser.close()


@pytest.fixture()
def phone(iphone) -> Iterator:
    browser, spec, base = iphone
    context = browser.new_context(**spec, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/")
    page.wait_for_function(PICTURE)
    try:
        yield page
        assert not errors, errors
    finally:
        context.close()


def test_a_phone_answers_play_with_a_full_canvas_map_and_no_plotly(phone) -> None:
    page = phone
    page.wait_for_timeout(3000)  # idle: time enough for a Plotly that would come unasked
    assert page.evaluate("() => typeof window.Plotly") == "undefined"
    assert page.evaluate("() => document.querySelectorAll('script[src*=plotly]').length") == 0
    m = page.evaluate("() => gradscape.map()")
    assert m["rect"] and page.evaluate("() => !document.getElementById('base').hidden")
    ink = page.evaluate(INK, m["rect"])
    assert ink["yLabels"] > 200 and ink["xLabels"] > 200, ink  # tick labels and titles x, y
    assert ink["colourBar"] >= 8 and ink["barLabels"] > 100, ink  # its bands and labels
    assert ink["star"] > 30, ink  # Rosenbrock's minimum at (1, 1)
    assert ink["lines"] >= 10, ink  # contour lines (35 here; 2 dips without them)
    # the map's box is as tall as the map: no blank band above or below it (there was ~50 px)
    left, top, width, height = m["rect"]
    box = page.evaluate("() => document.getElementById('plot-wrap').clientHeight")
    assert top <= 12 and box - (top + height) <= 45, (top, height, box)
    before = page.evaluate("() => gradscape.play")
    page.locator("#play").tap()
    page.wait_for_function("(p) => gradscape.play !== p", arg=before, timeout=2000)
    # the runs, the loss chart and the readouts go on without Plotly
    page.wait_for_function("() => gradscape.runs().every((r) => r.n > 5)")
    page.wait_for_function("() => gradscape.charts().loss.every((s) => s.n > 5)")
    assert page.evaluate("() => gradscape.inked().every((n) => n > 0)")
    assert page.evaluate("() => typeof window.Plotly") == "undefined"


def test_a_tap_on_the_phone_map_sets_the_start_without_plotly(phone) -> None:
    page = phone
    x, y = page.evaluate("() => gradscape.pixelOf(1.0, -0.5)")
    page.touchscreen.tap(x, y)
    page.wait_for_function("() => gradscape.state.start"
                           " && Math.abs(gradscape.state.start[0] - 1) < 0.1"
                           " && Math.abs(gradscape.state.start[1] + 0.5) < 0.1")
    assert page.evaluate("() => typeof window.Plotly") == "undefined"


def test_the_phone_exports_its_canvas_map_as_png_without_plotly(phone) -> None:
    page = phone
    with page.expect_download() as info:
        page.evaluate("() => document.getElementById('export-png').click()")
    data = open(info.value.path(), "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    wrap = page.evaluate("() => [document.getElementById('base').clientWidth,"
                         " document.getElementById('base').clientHeight]")
    assert [width, height] == [2 * wrap[0], 2 * wrap[1]]
    assert page.evaluate("() => typeof window.Plotly") == "undefined"


def test_choosing_3d_on_a_phone_loads_plotly_and_says_so(phone) -> None:
    page = phone
    page.evaluate("""() => { window.__said = [];
      const box = document.getElementById('plot-status');
      const say = () => { if (!box.hidden) window.__said.push(box.textContent); };
      new MutationObserver(say).observe(box,
        { attributes: true, childList: true, characterData: true, subtree: true }); }""")
    page.locator("[data-view='3d']").tap()
    page.wait_for_function("() => window.Plotly"
                           " && document.querySelector('#surface3d .gl-container')"
                           " && !document.getElementById('surface3d').hidden")
    assert "Loading the 3D view…" in page.evaluate("() => window.__said")
    page.wait_for_function("() => document.getElementById('plot-status').hidden")
    box = page.locator("#surface3d").bounding_box()
    assert box and box["width"] > 300 and box["height"] > 200
    # back to the map: the canvas one, laid out again
    page.locator("[data-view='contour']").tap()
    page.wait_for_function("() => !document.getElementById('base').hidden")
    assert page.evaluate("() => gradscape.map().rect") is not None

