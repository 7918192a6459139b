"""Every page on a 1920 x 1080 projector in Present mode: no text under 24 px (save sub- and
superscripts and matrix indices), the plots' labels included; nothing runs off the screen; the
descent view keeps a compact loss chart with its lines drawn; the backprop drawing grows into the
free height."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import CHROMIUM, DESCENT_MAP_DRAWN, LAUNCH_ARGS, require_browser
from tests.browser.test_devices import photograph

pytestmark = pytest.mark.browser

PROJECTOR = {"width": 1920, "height": 1080}
READY = {
    "/": DESCENT_MAP_DRAWN,
    "/network": "window.gradscape && gradscape.config() !== null"
                " && document.querySelector('#boundary[data-painted] .boundary-canvas')",
    "/backprop": "document.body.dataset.ready === '1'",
}

# Every visible text node's element, with its computed font size, smaller than `min` px.
SMALL_TEXT = """(min) => {
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim()) continue;
    const el = n.parentElement;
    if (el.closest('[hidden], .tooltip, .visually-hidden, sub, sup, .idx')) continue;
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || r.bottom <= 0 || r.top >= innerHeight
        || r.right <= 0 || r.left >= innerWidth) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || Number(cs.opacity) === 0) continue;
    const size = parseFloat(cs.fontSize);
    if (size < min) small.push(`${el.tagName.toLowerCase()}.${el.getAttribute('class') || ''}`
      + ` "${n.textContent.trim().slice(0, 24)}" ${size}px`);
  }
  return small;
}"""


@pytest.fixture(scope="module")
def browser():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=list(READY))
def presenting(request, browser, server) -> Iterator:
    """A page at 1920 x 1080, in Present mode (its button, as a teacher would)."""
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(f"{server.url}{request.param}")
    page.wait_for_function(f"() => Boolean({READY[request.param]})")
    page.click("#present")
    page.wait_for_function("() => document.body.classList.contains('presenting')")
    page.wait_for_timeout(400)  # plots redraw at the new type size on the next frames
    page.mouse.move(1, 1079)
    page.path = request.param
    try:
        yield page
        assert not errors, errors
    finally:
        context.close()


def test_no_text_under_24px_and_nothing_off_the_screen(presenting) -> None:
    page = presenting
    small = page.evaluate(SMALL_TEXT, 24)
    assert not small, f"{page.path}: text under 24 px: {small[:12]}"
    fits = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert fits[0] <= fits[1], f"{page.path} scrolls sideways: {fits}"
    photograph(page, page.path, "projector")


@pytest.mark.parametrize("presenting", ["/"], indirect=True)
def test_descent_keeps_a_compact_loss_chart(presenting) -> None:
    page = presenting
    # It keeps up with the runs while presenting: new runs (a link opened in this tab), played.
    page.evaluate("() => { history.replaceState(null, '', location.pathname + '#-');"
                  " location.hash = 'steps=3000&speed=100&present=1'; }")
    page.wait_for_function("() => gradscape.runs().length && gradscape.runs()[0].n < 50")
    if page.evaluate("() => gradscape.play") != "running":
        page.click("#play")
    page.wait_for_function(
        """() => { const series = gradscape.charts().loss[0];  // none just after the restart
                   if (!series) return false;
                   const n = gradscape.runs()[0].n;
                   return series.n >= 50 && series.n <= n + 1 && n < 1400; }""",
        timeout=40_000,
    )
    shown = page.evaluate("() => gradscape.charts().loss[0].n")
    page.wait_for_function("(shown) => gradscape.charts().loss[0].n > shown + 50", arg=shown)
    chart = page.evaluate(
        """() => { const el = document.getElementById('loss-chart');
          const r = el.getBoundingClientRect(); const c = el.querySelector('canvas');
          // drawn: some pixel of its canvas is neither blank nor white
          const px = c ? c.getContext('2d').getImageData(0, 0, c.width, c.height).data : [];
          let ink = 0;
          for (let i = 0; i < px.length; i += 4) {
            if (px[i + 3] && px[i] + px[i + 1] + px[i + 2] < 600) ink++;
          }
          return { w: r.width, h: r.height, top: r.top, bottom: r.bottom, ink }; }"""
    )
    assert chart["w"] >= 300 and chart["h"] >= 150, chart
    assert chart["bottom"] <= PROJECTOR["height"] + 1, chart
    assert chart["ink"] > 500, "the loss chart is empty"
    gnorm = page.evaluate("() => document.getElementById('gnorm-chart').offsetHeight")
    assert gnorm == 0, "only the loss chart stays"


@pytest.mark.parametrize("presenting", ["/backprop"], indirect=True)
def test_backprop_drawing_grows_into_the_free_height(presenting) -> None:
    page = presenting
    sizes = page.evaluate(
        """() => { const svg = document.getElementById('net').getBoundingClientRect();
          const units = [...document.querySelectorAll('#net circle')]
            .map((c) => c.getBoundingClientRect());
          const top = Math.min(...units.map((r) => r.top));
          const bottom = Math.max(...units.map((r) => r.bottom));
          return { svg: svg.height, svgWidth: svg.width, units: bottom - top,
                   radius: Math.max(...units.map((r) => r.width)) / 2 }; }"""
    )
    assert sizes["svgWidth"] >= 0.5 * PROJECTOR["width"], sizes
    assert sizes["units"] >= 0.65 * sizes["svg"], sizes
    assert sizes["radius"] >= 34, sizes
