"""Accessibility of every page, checked by axe-core in Chromium: no serious or critical violation
(labels on every control, contrast, names of images and charts), and the controls reachable and
usable from the keyboard. (axe-core itself: tests/browser/axe.py; on phones: test_devices.py.)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.axe import report, violations
from tests.browser.conftest import DESCENT_MAP_DRAWN, require_browser

pytestmark = pytest.mark.browser

# Each page once its first picture is drawn and its runs (if any) stand at their start: a first
# visit waits for Play, with its hint on screen (checked too).
READY = {
    "/": DESCENT_MAP_DRAWN + " && gradscape.runs().every((r) => r.n >= 1)",
    "/network": "window.gradscape && gradscape.config() !== null"
    " && document.querySelector('#boundary[data-painted] .boundary-canvas')",
    "/backprop": "document.body.dataset.ready === '1'",
}


@pytest.fixture()
def tab(browser_context, server) -> Iterator:
    require_browser()
    page = browser_context.new_page()
    page.set_default_timeout(20_000)
    page.base = server.url
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.errors = errors
    try:
        yield page
    finally:
        page.close()


def open_ready(page, path: str) -> None:
    page.goto(f"{page.base}{path}")
    page.wait_for_function(f"() => Boolean({READY[path]})")


@pytest.mark.parametrize("path", list(READY))
def test_no_serious_violations_once_loaded(tab, path: str) -> None:
    open_ready(tab, path)
    found = violations(tab)
    assert not found, report(found)
    assert not tab.errors


def test_descent_run_settings_and_present_mode_pass_axe(tab) -> None:
    open_ready(tab, "/")
    tab.get_by_role("button", name="Run 1 settings").click()
    tab.wait_for_selector(".runs .details:not([hidden])")
    found = violations(tab)
    assert not found, report(found)
    tab.keyboard.press("p")
    tab.wait_for_function("() => gradscape.state.present === true")
    found = violations(tab)
    assert not found, report(found)


def test_backprop_chain_card_passes_axe(tab) -> None:
    open_ready(tab, "/backprop")
    tab.locator(".hit[data-w]").first.click()
    tab.wait_for_function("() => location.hash.includes('w=')")
    found = violations(tab)
    assert not found, report(found)


# Every visible control of a page, as a path the page can find again.
CONTROLS = """() => {
  const path = (e) => {
    const p = [];
    for (; e && e !== document.body; e = e.parentElement) {
      p.unshift(e.tagName + ":" + Array.prototype.indexOf.call(e.parentElement.children, e));
    }
    return p.join("/");
  };
  window.__path = path;
  return [...document.querySelectorAll("a[href], button, input, select, textarea, [tabindex]")]
    .filter((e) => !e.disabled && e.tabIndex >= 0 && e.getClientRects().length
      && getComputedStyle(e).visibility !== "hidden")
    .map(path);
}"""


@pytest.mark.parametrize("path", list(READY))
def test_every_control_is_reached_with_tab_and_none_traps_it(tab, path: str) -> None:
    open_ready(tab, path)
    controls = tab.evaluate(CONTROLS)
    assert len(controls) >= 8, controls
    tab.evaluate("() => document.activeElement && document.activeElement.blur()")
    reached: list[str] = []
    for _ in range(len(controls) * 2 + 10):
        tab.keyboard.press("Tab")
        here = tab.evaluate(
            "() => document.activeElement === document.body ? null"
            " : window.__path(document.activeElement)"
        )
        if here is not None and reached and here == reached[-1]:
            pytest.fail(f"focus stuck at {here}")
        if here is not None:
            reached.append(here)
        if set(controls) <= set(reached):
            break
    missing = sorted(set(controls) - set(reached))
    assert not missing, f"never focused with Tab: {missing}"
    # A visible focus ring: the focused control's outline or box-shadow is drawn.
    ring = tab.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
          || s.boxShadow !== 'none'; }""")
    assert ring, "the focused control shows no focus ring"


@pytest.mark.parametrize("path", ["/", "/network"])
def test_runs_differ_by_more_than_colour(tab, path: str) -> None:
    """Each run's swatch (the legend) has its own line pattern and marker, and the charts draw
    each run's line in its pattern: a colour-blind student can still tell the runs apart."""
    open_ready(tab, path)
    swatches = tab.evaluate(
        "() => [...document.querySelectorAll('.run-card .run-swatch')]"
        ".map((s) => [s.dataset.dash, s.dataset.shape])"
    )
    assert len(swatches) >= 2 and len(set(map(tuple, swatches))) == len(swatches), swatches
    assert len({dash for dash, _ in swatches}) == len(swatches)
    assert len({shape for _, shape in swatches}) == len(swatches)
    tab.wait_for_function(
        "() => Object.values(gradscape.charts())[0]"
        f".{'length' if path == '/' else 'lengths.length'} >= 2"
    )
    loss = tab.evaluate("() => gradscape.charts().loss")
    dashes = [s["dash"] for s in loss] if path == "/" else loss["dashes"]
    assert len({tuple(d) for d in dashes}) == len(dashes) >= 2, dashes
