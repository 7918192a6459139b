"""Classroom mode in Chromium: the Join button shows a full-screen QR code of the current view at
the teacher's LAN address; without classroom mode there is no button."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit
from urllib.request import urlopen

import pytest

from app.main import create_app
from app.net import lan_addresses
from tests.browser.conftest import App
from tests.conftest import serve, settings_for_tests

pytestmark = pytest.mark.browser


def test_join_shows_a_qr_code_of_this_view(browser_context) -> None:
    with serve(create_app(settings_for_tests(classroom=True))) as live:
        page = browser_context.new_page()
        app = App(page, live.url)
        try:
            app.open("surface=bowl&speed=20")
            page.locator("#join").click()
            img = page.locator(".join-overlay img")
            img.wait_for()
            src = img.get_attribute("src")
            encoded = parse_qs(urlsplit(src).query)["text"][0]
            # The student's link is this very view (hash state included), at a LAN address.
            assert urlsplit(encoded).fragment == urlsplit(page.url).fragment
            assert "surface=bowl" in encoded
            expected_host = (lan_addresses() or ["127.0.0.1"])[0]
            assert urlsplit(encoded).hostname == expected_host
            assert page.locator(".join-url").inner_text() == encoded
            # The QR code itself is served by the app (offline) as an SVG image.
            with urlopen(f"{live.url}{src}", timeout=10) as response:
                assert response.headers["content-type"].startswith("image/svg+xml")
            assert img.evaluate("i => i.complete && i.naturalWidth > 0")
            page.screenshot(path=str(_artifact("join.png")))
            page.keyboard.press("Escape")
            assert page.locator(".join-overlay").count() == 0
            app.assert_clean()
        finally:
            page.close()


def test_no_join_button_outside_classroom_mode(fresh_app: App) -> None:
    fresh_app.open("", wait_map=False)
    fresh_app.page.wait_for_timeout(500)  # the button would come after GET /api/classroom
    assert fresh_app.page.locator("#join").count() == 0
    fresh_app.assert_clean()


def _artifact(name: str):
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name
