"""Browser tests: Debian's Chromium driven by Playwright (sync API) against a real uvicorn server.

One server and one browser per module. Loading Plotly.js costs a second or two of CPU per page
here, so most descent tests share one page and open their view as a link opened in the same tab
(a hash change, `App.navigate`); tests about loading a page get a fresh one. Every test asserts
that its page logged no console error and threw no uncaught exception. Without Chromium the tests
are skipped locally, and fail when CI=true (a CI that silently skips its browser tests tests
nothing).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from app.main import create_app
from tests.conftest import LiveServer, free_port, serve

CHROMIUM = os.environ.get("GRADSCAPE_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 720}  # a projector
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "descent"


def require_browser() -> None:
    """Skip without Chromium or Playwright, unless on CI (CI=true), where that is a failure."""
    problem = None
    if not Path(CHROMIUM).exists():
        problem = f"Chromium not found at {CHROMIUM}"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright package is not installed"
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser tests cannot run on CI: {problem}")
        pytest.skip(problem)


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with serve(create_app()) as live:
        yield live


@pytest.fixture(scope="module")
def playwright():
    """Playwright, for a module whose tests make their own devices' contexts."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def browser_context():
    """One browser and one context per module (the HTTP cache keeps Plotly.js warm)."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        yield context
        context.close()
        browser.close()


# The descent map is drawn (on its canvas: Plotly.js is only for the 3D view) and laid out.
# A JS expression, for wait_for_function.
DESCENT_MAP_DRAWN = (
    "(window.gradscape !== undefined && gradscape.map().rect !== null"
    " && !document.getElementById('base').hidden)")


class App:
    """A page of the app with its console errors and a few helpers around window.gradscape."""

    def __init__(self, page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.errors: list[str] = []
        self.allowed: list[str] = []  # substrings of console errors a test expects
        self.mark = 0  # errors before this index belong to earlier tests (a shared page)
        page.on("console", self._console)
        page.on("pageerror", lambda err: self.errors.append(f"pageerror: {err}"))
        page.set_default_timeout(20_000)

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console.error: {message.text}")

    def open(self, hash_: str = "", *, wait_map: bool = True) -> App:
        """Open / with a URL hash; wait for the page (and by default for its contour map)."""
        self.page.goto(f"{self.base_url}/" + (f"#{hash_}" if hash_ else ""))
        self.page.wait_for_function("() => window.gradscape !== undefined")
        if wait_map:
            self.page.wait_for_function(f"() => {DESCENT_MAP_DRAWN}")
        return self

    def navigate(self, hash_: str) -> App:
        """Open a link to this page in the same tab (a hash change): its view, from the start."""
        starts = self.js("() => gradscape.stats.starts")
        self.js("(h) => { history.replaceState(null, '', location.pathname + '#-');"
                " location.hash = h; }", hash_ or "view=contour")
        self.page.wait_for_function("(n) => gradscape.stats.starts > n", arg=starts)
        return self

    def begin(self) -> None:
        """A new test on a shared page: its own errors, no tooltip, nothing focused."""
        self.mark = len(self.errors)
        self.allowed = []
        self.page.keyboard.press("Escape")
        self.page.mouse.move(2, 715)
        self.js("() => document.activeElement && document.activeElement.blur()")

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def state(self) -> dict:
        return self.js("() => gradscape.state")

    def runs(self) -> list[dict]:
        return self.js("() => gradscape.runs()")

    def wait(self, condition: str, arg: Any = None, timeout: float = 20_000) -> None:
        """Wait until a JS function of (runs, state, arg) is true: '(runs) => runs[0].n > 5'."""
        self.page.wait_for_function(
            f"(arg) => window.gradscape && ({condition})(gradscape.runs(), gradscape.state, arg)",
            arg=arg,
            timeout=timeout,
        )

    def settle(self, timeout: float = 20_000) -> None:
        """Wait until every view shows the latest data (the page's `settled()`: the next frame
        would draw nothing), rather than sleeping through a few redraws."""
        self.page.wait_for_function("() => window.gradscape && gradscape.settled()",
                                    timeout=timeout)

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.mouse.move(2, 715)  # no tooltip over the picture
        self.page.wait_for_timeout(80)
        self.page.screenshot(path=str(path))
        return path

    def assert_clean(self) -> None:
        unexpected = [e for e in self.errors[self.mark:] if not any(a in e for a in self.allowed)]
        assert not unexpected, "console errors:\n" + "\n".join(unexpected)


@pytest.fixture()
def fresh_app(browser_context, server: LiveServer) -> Iterator[App]:
    """A page of its own (not loaded yet: call open)."""
    page = browser_context.new_page()
    try:
        yield App(page, server.url)
    finally:
        page.close()


@pytest.fixture(scope="module")
def shared_page(browser_context, server: LiveServer) -> Iterator[App]:
    page = browser_context.new_page()
    app = App(page, server.url).open()
    try:
        yield app
    finally:
        page.close()


@pytest.fixture()
def app(shared_page: App) -> App:
    """The module's shared page, loaded, ready for this test to `navigate` to its view."""
    shared_page.begin()
    return shared_page


def api(server: LiveServer, path: str) -> Any:
    """GET a JSON document from the live server."""
    from urllib.request import urlopen

    with urlopen(f"{server.url}{path}", timeout=10) as response:
        return json.load(response)


def serve_on(app: FastAPI, port: int):
    """tests.conftest.serve on a given port (to stop a server and start it again)."""
    return serve(app, port)


__all__ = ["App", "api", "free_port", "require_browser", "serve_on", "ARTIFACTS"]
