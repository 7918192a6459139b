"""The network page's first runs are asked for before its modules have all loaded
(static/js/network/early-start.js): one `start` on the wire, whether the early module or the
page sends it, and the page takes the runs over as if it had started them."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from tests.browser.test_network import check, watch

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


def late(route) -> None:
    time.sleep(0.6)  # as on a phone: the page's modules come long after early-start.js's
    route.continue_()


@pytest.mark.parametrize("slow_page", [True, False], ids=["page-modules-late", "as-served"])
def test_a_bare_network_page_starts_its_runs_once_and_trains_on_train(page, slow_page) -> None:
    if slow_page:
        page.route("**/static/js/network/page.js", late)
    page.goto(f"{page.base}/network")
    picture(page)
    page.wait_for_function("() => gradscape.play === 'paused'")
    assert page.sent == ["start"]
    if slow_page:
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
