"""/docs works offline: Swagger UI from the installed package, under the app's CSP."""

from __future__ import annotations

import pytest

from tests.browser.conftest import App

pytestmark = pytest.mark.browser


def test_the_api_reference_renders_offline(fresh_app: App) -> None:
    page = fresh_app.page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{fresh_app.base_url}/docs")
    # Every operation of the API is listed (its OpenAPI document loaded and rendered).
    page.locator(".opblock-summary-path", has_text="/api/trajectories").first.wait_for()
    assert page.locator(".opblock").count() >= 8
    assert all(u.startswith(fresh_app.base_url) for u in requests), "nothing from a CDN"
    fresh_app.assert_clean()  # no CSP violation, no script error
    assert page.request.get(f"{fresh_app.base_url}/redoc").status == 404
