"""What covers or cuts what, on a laptop, a projector and a phone: the first visit's "Start here"
hint sits in the page's flow and covers no plot, title or control; /network's panel headers keep
their buttons on one line at 1366 x 768 and a run card's optimizer select shows its whole name;
the descent map stays where it was first painted while the late content (the lessons, the hint)
arrives."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import DESCENT_MAP_DRAWN

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
PROJECTOR = {"width": 1920, "height": 1080}
# A page is ready, and its first visit's hint shown.
READY = {
    "/": "window.gradscape && gradscape.play === 'paused'",
    "/network": "window.gradscape && gradscape.config() !== null && gradscape.play === 'paused'",
    "/backprop": "document.body.dataset.ready === '1'",
}
HINT = "[data-key='start-hint']"


@pytest.fixture()
def new_page(browser) -> Iterator:
    """A page in a context of its own (a first visit: nothing cached, nothing stored), made by
    `new_page(**context options)`; it must throw nothing."""
    contexts = []
    errors: list[str] = []

    def make(**options):
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on("pageerror", lambda err: errors.append(str(err)))
        return page

    try:
        yield make
        assert not errors, errors
    finally:
        for context in contexts:
            context.close()


# The boxes the hint must not cover: every visible plot, title and control outside the messages
# (the boundary plots' titles are drawn inside #boundary, the descent map's in #plot-wrap).
COVERED = """(hint) => {
  const h = document.querySelector(hint).getBoundingClientRect();
  const sel = '#plot-wrap, #boundary, #landscape, #net, .chart, h1, h2, button, select, input,'
    + ' .bar, .panel-head, .arrow-toggles';
  const hit = [];
  for (const el of document.querySelectorAll(sel)) {
    if (el.closest('.messages') || el.closest('.visually-hidden')) continue;
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    const w = Math.min(r.right, h.right) - Math.max(r.left, h.left);
    const v = Math.min(r.bottom, h.bottom) - Math.max(r.top, h.top);
    if (w > 0.5 && v > 0.5) hit.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className}`);
  }
  return { hint: [h.left, h.top, h.width, h.height], hit };
}"""


@pytest.mark.parametrize("viewport", [LAPTOP, PROJECTOR], ids=["1366x768", "1920x1080"])
@pytest.mark.parametrize("path", list(READY))
def test_the_start_hint_covers_nothing(new_page, server, path: str, viewport: dict) -> None:
    page = new_page(viewport=viewport)
    page.goto(f"{server.url}{path}")
    page.wait_for_function(f"() => Boolean({READY[path]})")
    page.locator(HINT).wait_for(state="visible")
    if path == "/network":  # its plots are laid out (the landscape drawn on its canvas)
        page.wait_for_function("() => (document.getElementById('landscape').drawn || {}).plot")
    found = page.evaluate(COVERED, HINT)
    assert found["hint"][2] > 0.5 * viewport["width"], found  # one line, not a narrow box
    assert not found["hit"], f"{path}: the hint covers {found['hit']}"


# Every visible button in the panels' headers: its text's line boxes, and its row's top.
HEAD_BUTTONS = """() => [...document.querySelectorAll('.panel-head')].filter((h) => h.offsetParent)
  .map((head) => [...head.querySelectorAll('button')].filter((b) => b.offsetParent).map((b) => {
    const range = document.createRange();
    range.selectNodeContents(b);
    const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
    const r = b.getBoundingClientRect();
    return { text: b.textContent.trim(), lines: lines.size, middle: r.top + r.height / 2 };
  }))"""

# Each run card's optimizer select: its width, and the width a select needs to show its chosen
# name whole (a select holding only that option, beside it: a select's own width is its longest
# option's, and a <select>'s scrollWidth never exceeds its box).
SELECTS = """() => [...document.querySelectorAll('.run-card select')].map((s) => {
  const probe = document.createElement('select');
  probe.className = s.className;
  probe.style.cssText = 'position: absolute; width: auto; min-width: 0; max-width: none;'
    + ' field-sizing: fixed; visibility: hidden';
  probe.append(new Option(s.selectedOptions[0].text));
  s.parentElement.append(probe);
  const need = probe.getBoundingClientRect().width;
  probe.remove();
  return { name: s.selectedOptions[0].text, width: s.getBoundingClientRect().width, need };
})"""


@pytest.mark.parametrize("fragment", ["", "run=sgd&run=adam&run=momentum&run=sam_adam&run=rmsprop"],
                         ids=["first-visit", "long-names"])
def test_network_headers_stay_on_one_line_and_optimizer_names_show_whole(
    new_page, server, fragment: str
) -> None:
    page = new_page(viewport=LAPTOP)
    page.goto(f"{server.url}/network" + (f"#{fragment}" if fragment else ""))
    page.wait_for_function("() => window.gradscape && gradscape.config() !== null"
                           " && document.querySelectorAll('.run-card').length >= 2")
    for buttons in page.evaluate(HEAD_BUTTONS):
        assert buttons, "a panel header without buttons"
        wrapped = [b["text"] for b in buttons if b["lines"] != 1]
        assert not wrapped, f"a button's text wraps: {wrapped}"
        middles = [b["middle"] for b in buttons]
        assert max(middles) - min(middles) <= 2, f"a header's buttons on two lines: {buttons}"
    title = page.evaluate("() => { const t = document.getElementById('landscape-title');"
                          " return t.scrollWidth <= t.clientWidth; }")
    assert title, "the landscape's title is cut at 1366 px"
    selects = page.evaluate(SELECTS)
    assert len(selects) >= 2
    cut = [s for s in selects if s["width"] + 0.5 < s["need"]]
    assert not cut, f"optimizer names cut: {cut}"
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")


# The descent map's top at every frame from its first paint (#plot-wrap[data-painted]) on.
WATCH_MAP = """
  window.__mapTops = [];
  const watch = () => {
    const wrap = document.getElementById('plot-wrap');
    if (wrap && wrap.dataset.painted) window.__mapTops.push(wrap.getBoundingClientRect().top);
    requestAnimationFrame(watch);
  };
  requestAnimationFrame(watch);
"""


@pytest.mark.parametrize("device", ["iPhone 13", "iPad Mini", "laptop"])
def test_the_descent_map_stays_where_it_was_first_painted(new_page, playwright, server,
                                                          device: str) -> None:
    """The lessons' buttons, the start hint and the rest arrive after the map's first paint
    (descent/first-paint.js): their room is kept from the start, so the map does not jump."""
    if device == "laptop":
        page = new_page(viewport=LAPTOP)
    else:
        page = new_page(**{k: v for k, v in playwright.devices[device].items()
                           if k != "default_browser_type"})
    page.add_init_script(WATCH_MAP)
    page.goto(f"{server.url}/")
    page.wait_for_selector("#plot-wrap[data-painted]")
    # everything late has come: the lessons, the hint, the page's controller, the whole map
    page.wait_for_function(
        """(hint) => document.querySelector('#presets button') && document.querySelector(hint)
                 && window.gradscape && gradscape.play === 'paused' && """ + DESCENT_MAP_DRAWN,
        arg=HINT,
    )
    page.wait_for_timeout(500)  # and a few frames after it
    tops = page.evaluate("() => window.__mapTops")
    assert len(tops) > 10, tops
    assert max(tops) - min(tops) <= 3, (
        f"the map moved from {tops[0]:.0f} px to {min(tops):.0f}-{max(tops):.0f} px")


@pytest.mark.parametrize("device", ["Galaxy S8", "iPhone 13"])  # 360 and 390 px wide
def test_every_phone_tab_shows_its_whole_name(new_page, playwright, server, device: str) -> None:
    """/network has five tabs under its picture; "Landscape" ran out of an equal fifth."""
    page = new_page(**{k: v for k, v in playwright.devices[device].items()
                       if k != "default_browser_type"})
    page.goto(f"{server.url}/network")
    page.wait_for_function("() => window.gradscape && gradscape.config() !== null")
    tabs = page.evaluate("""() => [...document.querySelectorAll('.phone-tabs [role=tab]')]
      .map((b) => [b.textContent, b.scrollWidth, b.clientWidth])""")
    assert len(tabs) == 5, tabs
    cut = [t for t in tabs if t[1] > t[2]]
    assert not cut, f"tab names cut: {cut}"
