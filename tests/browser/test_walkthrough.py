"""What a teacher's walk-through of the pages found (issue 13, part 3), each in a real browser:
a first visit waits for Play, /network pauses at once and keeps its runs, a changed lr on a
finished run is not silently ignored, refused values are said at the box, the overshoot lesson
shows its zig-zag and a run that left the plot, and the backprop page's small frictions."""

from __future__ import annotations

import pytest

from tests.browser.conftest import App

pytestmark = pytest.mark.browser


def open_network(app: App, fragment: str = "") -> App:
    app.page.goto(f"{app.base_url}/network{'#' + fragment if fragment else ''}")
    app.page.wait_for_function("() => window.gradscape && window.gradscape.config() !== null")
    return app


def open_backprop(app: App, fragment: str = "") -> App:
    app.page.goto(f"{app.base_url}/backprop{'#' + fragment if fragment else ''}")
    app.page.wait_for_selector("body[data-ready='1']")
    return app


def hint(app: App) -> str:
    box = app.page.locator("[data-key='start-hint']")
    return box.inner_text() if box.count() else ""


# ---- 7. a first visit waits for the first Play ------------------------------------------------

def test_descent_first_visit_waits_for_play_with_a_hint(fresh_app: App) -> None:
    app = fresh_app.open(plotly=False)
    app.page.wait_for_function("() => gradscape.play === 'paused'")
    assert "Lessons" in hint(app)
    app.page.wait_for_timeout(800)  # a page that plays on its own would be dozens of steps on
    assert app.js("() => gradscape.play") == "paused"
    assert all(r["n"] <= 1 for r in app.runs()), app.runs()
    app.page.click("#play")
    app.wait("(runs) => runs.every(r => r.n > 5)")
    assert hint(app) == ""
    app.assert_clean()


def test_a_link_still_plays_at_once(fresh_app: App) -> None:
    app = fresh_app.open("surface=bowl&speed=50", plotly=False)
    app.wait("(runs) => runs.length && runs.every(r => r.n > 5)")
    assert hint(app) == ""
    app.assert_clean()


def test_network_first_visit_waits_for_train(fresh_app: App) -> None:
    app = open_network(fresh_app)
    app.page.wait_for_function("() => gradscape.play === 'paused'")
    assert "Train" in hint(app)
    app.page.wait_for_timeout(800)
    assert app.js("() => gradscape.play") == "paused"
    assert all(r["n"] <= 1 for r in app.js("() => gradscape.runs()"))
    app.page.click("#play")
    app.page.wait_for_function("() => gradscape.runs().every(r => r.n > 5)")
    assert hint(app) == ""
    app.assert_clean()


def test_backprop_first_visit_names_click_an_edge(fresh_app: App) -> None:
    app = open_backprop(fresh_app)
    assert "click an edge" in hint(app)
    app.page.click("#next")
    assert hint(app) == ""
    app.assert_clean()
