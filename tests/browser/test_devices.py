"""Every page on a phone and on a tablet held upright (Playwright's device emulation): laid out at
the device's width with no sideways scroll, the main picture first and nearly full width, no
serious axe-core violation in that layout; a tap on the descent map moves the start point, a tap
on a backprop edge opens its chain rule.

Each page's layout is photographed on the way (tests/artifacts/screens/; with
GRADSCAPE_DOCS_IMG=1, docs/img/screens/, which the docs show)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.axe import report, violations
from tests.browser.conftest import DESCENT_MAP_DRAWN

pytestmark = pytest.mark.browser

DEVICES = ["iPhone 13", "Pixel 7", "iPad Mini", "iPad Pro 11"]  # phones 390-412, tablets 768-834
ROOT = Path(__file__).resolve().parents[2]
SCREENS = (ROOT / "docs" / "img" / "screens" if os.environ.get("GRADSCAPE_DOCS_IMG")
           else ROOT / "tests" / "artifacts" / "screens")
NAMES = {"/": "descent", "/network": "network", "/backprop": "backprop"}


def photograph(page, path: str, device: str) -> None:
    """The whole page as laid out, at CSS pixels (a phone's 3x would be 3 MB a picture)."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    name = f"{NAMES[path]}-{device.lower().replace(' ', '-')}.png"
    page.mouse.move(1, 1)
    page.screenshot(path=str(SCREENS / name), full_page=device != "projector", scale="css")


@pytest.fixture(params=DEVICES)
def device_page(request, playwright, browser, server) -> Iterator:
    device = playwright.devices[request.param]
    spec = {k: v for k, v in device.items() if k != "default_browser_type"}
    context = browser.new_context(**spec)
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(f"{server.url}/")
    page.wait_for_function(
        "() => window.gradscape && gradscape.stats.surfaceAt !== null"
        " && document.querySelector('#plot-wrap[data-painted]') !== null"
        f" && {DESCENT_MAP_DRAWN}"
    )
    page.device = request.param
    page.width = spec["viewport"]["width"]
    try:
        yield page
        assert not errors, errors
    finally:
        context.close()


def test_descent_fits_the_device_with_the_map_first(device_page) -> None:
    page = device_page
    layout = page.evaluate(
        """() => {
          const map = document.getElementById("plot-wrap").getBoundingClientRect();
          const runs = document.querySelector(".runs-panel").getBoundingClientRect();
          return { inner: innerWidth, scroll: document.documentElement.scrollWidth,
                   map: [map.left, map.top, map.width, map.height], runsTop: runs.top };
        }"""
    )
    assert layout["inner"] == page.width, "laid out wider than the screen, then zoomed out"
    assert layout["scroll"] <= layout["inner"], "the page scrolls sideways"
    left, top, width, height = layout["map"]
    assert width >= 0.85 * page.width and height >= 0.6 * page.width, layout
    assert top < layout["runsTop"], "the map comes before the runs"
    assert top < page.viewport_size["height"] * 0.5, "the map starts in the first half screen"
    found = violations(page)
    assert not found, report(found)
    photograph(page, "/", page.device)


def test_a_tap_on_the_map_moves_the_start_point(device_page) -> None:
    page = device_page
    x, y = page.evaluate("() => gradscape.pixelOf(1.0, -0.5)")
    page.touchscreen.tap(x, y)
    page.wait_for_function(
        "() => gradscape.state.start && Math.abs(gradscape.state.start[0] - 1) < 0.1"
        " && Math.abs(gradscape.state.start[1] + 0.5) < 0.1"
    )


# Each page's main picture, and when the page is ready.
PAGES = {
    "/network": ("#boundary", "window.gradscape && gradscape.config() !== null"),
    "/backprop": ("#net", "document.body.dataset.ready === '1'"),
}


@pytest.mark.parametrize("path", list(PAGES))
def test_network_and_backprop_fit_the_device(device_page, path: str) -> None:
    page = device_page
    main, ready = PAGES[path]
    page.goto(f"{page.url.rsplit('/', 1)[0]}{path}")
    page.wait_for_function(f"() => Boolean({ready})")
    layout = page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
          return { inner: innerWidth, scroll: document.documentElement.scrollWidth,
                   main: [r.left, r.top, r.width, r.height] }; }""",
        main,
    )
    assert layout["inner"] == page.width, "laid out wider than the screen, then zoomed out"
    assert layout["scroll"] <= layout["inner"], "the page scrolls sideways"
    _, top, width, height = layout["main"]
    assert width >= 0.85 * page.width and height >= 0.6 * page.width, layout
    assert top < page.viewport_size["height"] * 0.5, "the picture starts in the first half screen"
    found = violations(page)
    assert not found, report(found)
    photograph(page, path, page.device)


def test_a_tap_on_a_backprop_edge_opens_its_chain_rule(device_page) -> None:
    page = device_page
    page.goto(f"{page.url.rsplit('/', 1)[0]}/backprop")
    page.wait_for_function("() => document.body.dataset.ready === '1'")
    # a first visit's hint names the gesture a finger makes
    assert "tap an edge" in page.locator("[data-key='start-hint']").inner_text()
    edge = page.locator(".hit[data-w]").first
    box = edge.bounding_box()
    ref = edge.get_attribute("data-w")
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("(w) => location.hash.includes('w=' + w)", arg=ref)


# The page, its main picture, its tabs in order, a tab to tap and what it shows, and what the
# first tab shows (hidden after the tap).
TABS = {
    # the map's panel: the map and the toggles of what it draws (two rows on a phone)
    "/": (".plot-panel", ["Runs", "Step", "Charts"], "Charts", "#loss-chart", ".runs-panel"),
    "/network": ("#boundary", ["Data", "Lab", "Runs", "Landscape", "Charts"], "Landscape",
                 "#landscape", ".runs-block"),
}


@pytest.mark.parametrize("path", list(TABS))
def test_the_rest_folds_into_tabs_under_the_main_picture(device_page, path: str) -> None:
    page = device_page
    main, names, tab, shows, first = TABS[path]
    if path != "/":
        page.goto(f"{page.url.rsplit('/', 1)[0]}{path}")
        page.wait_for_function(f"() => Boolean({PAGES[path][1]})")
    tabs = page.locator(".phone-tabs [role=tab]")
    assert tabs.all_inner_texts() == names
    geometry = page.evaluate(
        """([main, first, shows]) => {
          const box = (sel) => document.querySelector(sel).getBoundingClientRect();
          return { main: box(main).bottom, bar: box('.phone-tabs').top,
                   first: box(first).height, shows: box(shows).height }; }""",
        [main, first, shows],
    )
    assert 0 <= geometry["bar"] - geometry["main"] < 80, f"the tabs come right under: {geometry}"
    assert geometry["first"] > 0 and geometry["shows"] == 0, geometry
    button = page.locator(".phone-tabs [role=tab]", has_text=tab)
    button.scroll_into_view_if_needed()  # under a phone-high picture: a finger scrolls first
    b = button.bounding_box()
    assert b["height"] >= 44, "a tab is a finger's size"
    page.touchscreen.tap(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2)
    page.wait_for_function(
        """([shows, first]) => document.querySelector(shows).offsetWidth >= 0.85 * innerWidth
             && document.querySelector(first).offsetHeight === 0""",
        arg=[shows, first],
    )
    assert button.get_attribute("aria-selected") == "true"
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    found = violations(page)
    assert not found, report(found)


def test_help_is_a_tap_or_a_long_press_away_not_only_a_hover(device_page) -> None:
    """A finger has no hover: a tap on a tipped word shows its sentence; a long press shows a
    control's."""
    page = device_page
    tip = page.locator("#tooltip")
    label = page.locator(".arrow-toggles > .field-label")  # "Arrows", a word, not a control
    b = label.bounding_box()
    page.touchscreen.tap(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2)
    tip.wait_for(state="visible")
    assert tip.inner_text() == label.get_attribute("data-tip")
    # A long press on the Step button: its sentence, and no step taken.
    b = page.locator("#step").bounding_box()
    x, y = b["x"] + b["width"] / 2, b["y"] + b["height"] / 2
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    page.wait_for_function(
        "() => !document.getElementById('tooltip').hidden"
        " && document.getElementById('tooltip').textContent.startsWith('Take one step')"
    )
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_a_weight_in_a_matrix_is_a_finger_wide_and_a_tap_opens_its_chain_rule(device_page) -> None:
    page = device_page
    page.goto(f"{page.url.rsplit('/', 1)[0]}/backprop")
    page.wait_for_function("() => document.body.dataset.ready === '1'")
    smallest = page.evaluate(
        """() => { const r = [...document.querySelectorAll('.mat .cell.clickable')]
                     .map((c) => c.getBoundingClientRect());
                   return [r.length, Math.min(...r.map((b) => b.width)),
                           Math.min(...r.map((b) => b.height))]; }"""
    )
    assert smallest[0] > 0 and smallest[1] >= 44 and smallest[2] >= 44, smallest
    cell = page.locator(".mat .cell.clickable").nth(1)
    cell.scroll_into_view_if_needed()
    b = cell.bounding_box()
    page.touchscreen.tap(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2)
    page.wait_for_function("() => location.hash.includes('w=')")
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")


@pytest.mark.parametrize("path", ["/", *PAGES])
def test_a_phone_on_its_side_gets_the_picture_a_screen_high(playwright, browser, server,
                                                             path: str) -> None:
    device = playwright.devices["iPhone 13 landscape"]
    context = browser.new_context(**{k: v for k, v in device.items()
                                     if k != "default_browser_type"})
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{server.url}{path}")
        main, ready = PAGES.get(path, ("#plot-wrap", "window.gradscape"
                                                     " && gradscape.stats.surfaceAt"))
        page.wait_for_function(f"() => Boolean({ready})")
        layout = page.evaluate(
            """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
              return { inner: [innerWidth, innerHeight],
                       scroll: document.documentElement.scrollWidth,
                       height: r.height, width: r.width }; }""",
            main,
        )
        width, height = layout["inner"]
        assert width == device["viewport"]["width"], layout
        assert layout["scroll"] <= width, "the page scrolls sideways"
        assert layout["height"] >= 0.85 * height and layout["width"] >= 0.85 * width, layout
    finally:
        context.close()
