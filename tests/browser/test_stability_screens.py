"""The stability lab as docs/curvature.md shows it, on a 1920x1080 projector and on a phone
(Playwright's iPhone 13): the edge-of-stability lesson trained to its end, the spectrum asked
for, and the sharpness chart. Each picture is checked before it is taken: the spectrum and the
chart drawn, inside the screen's width. With GRADSCAPE_DOCS_IMG=1 (`make docs-img`) the pictures
go to docs/img/stability, else to tests/artifacts/stability."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import App
from tests.browser.test_network import until

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = (ROOT / "docs" / "img" / "stability" if os.environ.get("GRADSCAPE_DOCS_IMG")
         else ROOT / "tests" / "artifacts" / "stability")
SPECTRUM_DRAWN = "(document.getElementById('spectrum').drawn || {}).bars > 0"


@pytest.fixture(params=["projector", "phone"])
def lesson(request, browser, playwright, server) -> Iterator:
    """The edge-of-stability lesson at full speed to its end, on one screen."""
    phone = request.param == "phone"
    options = (playwright.devices["iPhone 13"] if phone
               else {"viewport": {"width": 1920, "height": 1080}})
    context = browser.new_context(**options)
    page = context.new_page()
    app = App(page, server.url)
    page.goto(f"{server.url}/network")
    until(page, "window.gradscape && gradscape.config() !== null")
    tab(page, "Lab")  # the lessons and the spectrum (a phone shows one tab at a time)
    started = page.evaluate("gradscape.stats.started")
    page.locator("[data-lesson=edge_of_stability]").click()
    until(page, f"gradscape.stats.started > {started}")
    page.select_option("#speed", "0")
    until(page, "gradscape.play === 'done'", timeout=120_000)
    page.phone = phone
    yield page
    app.assert_clean()
    context.close()


def tab(page, name: str) -> None:
    """Open a phone tab (nothing to do on a wider screen, which shows every panel)."""
    button = page.locator(f".phone-tabs [role=tab]:has-text('{name}')")
    if button.count() and button.is_visible():
        button.click()
        until(page, f"document.querySelector(\".phone-tabs [aria-selected=true]\").textContent"
                    f".includes('{name}')")


def inside(page, selector: str) -> dict:
    box = page.locator(selector).bounding_box()
    width = page.viewport_size["width"]
    assert box and box["width"] > 150 and box["x"] >= 0 and box["x"] + box["width"] <= width, box
    return box


def test_the_lesson_its_spectrum_and_its_sharpness_on_a_projector_and_a_phone(lesson) -> None:
    page = lesson
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#spectrum-button").click()
    until(page, SPECTRUM_DRAWN, timeout=30_000)
    inside(page, "#spectrum canvas")
    caption = page.locator("#spectrum-caption").inner_text()
    assert caption.startswith("3. SGD at step 1500"), caption
    until(page, "window.gradscape.settled()")
    if page.phone:
        page.locator("#spectrum").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "network-spectrum-390.png"))
        tab(page, "Charts")
        until(page, "window.gradscape.settled()")
    else:
        page.mouse.move(2, 1075)  # no tooltip over the picture
    inside(page, "#sharpness-chart canvas")
    readout = page.locator("#sharpness-readout").inner_text()
    assert readout.startswith("3. SGD, step 1500: sharpness "), readout
    if page.phone:
        page.locator("#sharpness-chart").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "network-sharpness-390.png"))
    else:
        page.screenshot(path=str(SHOTS / "network-edge-of-stability-1920.png"))
