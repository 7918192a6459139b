"""A busy server (503 + Retry-After from the admission controller) is waited out by the pages:
the request is retried after the time the server gives, and the page says why it waits."""

from __future__ import annotations

import pytest

from app.main import create_app
from tests.api.test_admission import SLOW, raw_post, wait_for
from tests.browser.conftest import App
from tests.conftest import serve, settings_for_tests

pytestmark = pytest.mark.browser


def test_a_busy_server_is_retried_and_the_page_says_so(browser_context) -> None:
    app = create_app(settings_for_tests(max_heavy_requests=1, heavy_queue=0))
    admission = app.state.admission
    with serve(app) as live:
        page = browser_context.new_page()
        client = App(page, live.url)
        try:
            page.goto(f"{live.url}/healthz")  # any page of the app's origin
            slow = raw_post(live.port, "/api/mlp/landscape", SLOW)
            assert wait_for(lambda: admission.running == 1)
            page.evaluate("""() => { window.answer = import('/static/js/shared/api.js')
                .then((m) => m.postJSON('/api/trajectories', {surface: 'bowl', steps: 3,
                                                              runs: [{optimizer: 'sgd'}]}))
                .then((r) => r.runs[0].params.length); }""")
            message = page.locator(".message.warn", has_text="busy")
            message.wait_for()
            assert "retrying in 3 s" in message.inner_text()
            slow.close()  # the slot frees; the page's retry gets through
            assert page.evaluate("() => window.answer") == 4
            # Chromium logs the 503 itself as a console error: that one is expected.
            client.allowed.append("503")
            client.assert_clean()
        finally:
            page.close()
