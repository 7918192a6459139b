"""The network page's first runs are asked for, and their first picture painted, before the
page's controller has loaded (static/js/network/early-start.js; the controller loads after the
picture, shared/entry.js): one `start` on the wire, and the page takes the runs and the plot over
as if it had started and painted them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.browser.test_network import CANVAS_POINTS, check, watch

pytestmark = pytest.mark.browser


@pytest.fixture()
def page(browser_context, server) -> Iterator:
    pg = browser_context.new_page()
    app = watch(pg, server.url)
    pg.sent = []  # type: ignore[attr-defined]

    def on_socket(ws) -> None:
        if ws.url.endswith("/ws"):
            ws.on("framesent", lambda payload: pg.sent.append(json.loads(payload)["type"]))

    pg.on("websocket", on_socket)
    try:
        yield pg
        check(app)
    finally:
        pg.close()


def picture(pg) -> None:
    pg.wait_for_function("() => window.gradscape && gradscape.stats.boundaryAt !== null")


def test_a_bare_network_page_is_painted_before_the_page_loads(page) -> None:
    held = []
    page.route("**/static/js/network/page.js", lambda route: held.append(route))  # answered below
    try:
        page.goto(f"{page.base}/network")
        page.wait_for_selector("#boundary[data-painted]")
        assert page.evaluate("() => window.gradscape === undefined")  # no controller yet
        orange, blue = page.evaluate(CANVAS_POINTS)
        assert orange > 50 and blue > 50, (orange, blue)  # both classes' points are painted
        for _ in range(200):  # the controller is asked for once the picture is up
            if held:
                break
            page.wait_for_timeout(50)
        assert held, "page.js was asked for"
    finally:
        for route in held:
            route.continue_()
        page.unroute("**/static/js/network/page.js")
    picture(page)
    page.wait_for_function("() => gradscape.play === 'paused'")
    painted = int(page.get_attribute("#boundary", "data-painted") or 0)
    stats = page.evaluate("() => gradscape.stats")
    assert stats["earlyStart"] and stats["starts"] == 1, stats
    assert stats["boundaryAt"] == painted < stats["readyAt"]  # the picture came before the page
    assert page.sent == ["start"]
    assert page.evaluate("() => gradscape.runs().map((r) => r.n)") == [1, 1]  # step 0 each
    assert page.locator("#boundary canvas").count() == 1  # the page took the plot over
    # the plot answers the page now: a click adds a point where it lands
    x, y = page.evaluate("gradscape.boundaryPoint(0, 0.25, -0.5)")
    page.mouse.click(x, y)
    page.wait_for_function("() => (gradscape.state.points || []).length > 0")
    x1, x2, _ = page.evaluate("() => gradscape.state.points").pop()
    assert abs(x1 - 0.25) < 0.05 and abs(x2 + 0.5) < 0.05


def test_a_bare_network_page_trains_on_train(page) -> None:
    page.goto(f"{page.base}/network")
    picture(page)
    page.wait_for_function("() => gradscape.play === 'paused'")
    assert page.sent == ["start"]
    assert page.evaluate("() => gradscape.stats.earlyStart"), "early-start.js sent it"
    assert page.evaluate("() => gradscape.stats.starts") == 1
    assert page.evaluate("() => gradscape.runs().map((r) => r.n)") == [1, 1]  # step 0 each
    page.click("#play")
    page.wait_for_function("() => gradscape.runs().every((r) => r.n > 5)")
    assert page.sent.count("start") == 1 and "resume" in page.sent


def test_a_link_is_started_by_the_page_alone(page) -> None:
    page.goto(f"{page.base}/network#hidden=6&steps=40&speed=0")
    picture(page)
    page.wait_for_function("() => gradscape.play === 'done'")
    assert page.sent.count("start") == 1
    assert not page.evaluate("() => gradscape.stats.earlyStart")
    assert page.evaluate("() => gradscape.state.hidden") == [6]
    assert page.evaluate("() => gradscape.runs().every((r) => r.n === 41)")
