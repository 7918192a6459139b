"""The classroom loop in Chromium (docs/classroom.md, issue #14): a teacher and students, each in
a browser context of their own (their own localStorage, as on their own devices), against a real
server that opened a class under a temporary data directory.

The tests run in order on one class: follow, explore on my own, follow again; pose a challenge,
submit from two students, the gallery and the scatter show both; reload a student and find them
back; restart the server and find the class and its results.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from app.cli import open_class
from app.main import create_app
from tests.browser.axe import report, violations
from tests.browser.conftest import (
    ARTIFACTS,
    CHROMIUM,
    LAUNCH_ARGS,
    App,
    require_browser,
    serve_on,
)
from tests.conftest import LiveServer, free_port, settings_for_tests

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
# `make docs-img` (GRADSCAPE_DOCS_IMG=1) writes the gallery's pictures into the docs.
DOCS_IMG = (ROOT / "docs" / "img" / "teaching" if os.environ.get("GRADSCAPE_DOCS_IMG")
            else ROOT / "tests" / "artifacts" / "teaching")
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}


@dataclass
class Class:
    """The class under test: its server, id and teacher's token, and everyone's pages."""

    settings: Any
    port: int
    class_id: str
    token: str
    live: LiveServer | None = None
    stopper: Any = None
    pages: dict[str, App] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        settings, token = open_class(self.settings)
        assert settings.class_id == self.class_id, "a restart reopens the newest class"
        self.token = token
        self.stopper = serve_on(create_app(settings), self.port)
        self.live = self.stopper.__enter__()

    def stop(self) -> None:
        self.stopper.__exit__(None, None, None)
        self.live = None


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Iterator[Class]:
    require_browser()
    settings = settings_for_tests(classroom=True, data_dir=tmp_path_factory.mktemp("class"),
                                  submission_interval=0.0)
    settings, token = open_class(settings)
    k = Class(settings=settings, port=free_port(), class_id=settings.class_id or "", token=token)
    k.stopper = serve_on(create_app(settings), k.port)
    k.live = k.stopper.__enter__()
    try:
        yield k
    finally:
        if k.live is not None:
            k.stop()


@pytest.fixture(scope="module")
def browser():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def people(browser, klass: Class) -> Iterator[dict[str, App]]:
    """The teacher (a projector), Ada (a laptop) and Bo (a phone): three contexts."""
    contexts = {
        "teacher": browser.new_context(viewport={"width": 1280, "height": 720},
                                       accept_downloads=True),
        "ada": browser.new_context(viewport={"width": 1280, "height": 720}),
        "bo": browser.new_context(**PHONE),
    }
    apps = {name: App(ctx.new_page(), klass.url) for name, ctx in contexts.items()}
    try:
        yield apps
    finally:
        for ctx in contexts.values():
            ctx.close()


def state(app: App) -> dict:
    return app.js("() => window.gradscape ? gradscape.state : null")


def bar_text(app: App) -> str:
    return app.page.locator("#class-bar").inner_text()


def join(app: App, klass: Class, nickname: str) -> None:
    page = app.page
    page.goto(f"{klass.url}/class/{klass.class_id}")
    page.fill("#nickname", nickname)
    page.click("#join-submit")


def wait_same(app: App, key: str, value: Any) -> None:
    app.page.wait_for_function(
        "([k, v]) => window.gradscape && JSON.stringify(gradscape.state[k]) === JSON.stringify(v)",
        arg=[key, value])


def test_join_lead_follow_explore_and_follow_again(klass: Class, people: dict[str, App]) -> None:
    teacher, ada, bo = people["teacher"], people["ada"], people["bo"]
    # The teacher's link: the token leaves the address bar at once, into localStorage.
    teacher.page.goto(f"{klass.url}/#teacher={klass.token}&class={klass.class_id}")
    teacher.page.wait_for_function("() => window.gradscape !== undefined")
    assert klass.token not in teacher.page.url
    stored = teacher.js(f"() => localStorage.getItem('gradscape.class.{klass.class_id}.teacher')")
    assert stored == klass.token
    teacher.page.locator("#class-lead").wait_for()
    assert "0 of 0 follow" in bar_text(teacher)
    # The Join button's QR code is the students' link, never the teacher's token.
    teacher.page.click("#join")
    src = teacher.page.locator(".join-overlay img").get_attribute("src") or ""
    encoded = parse_qs(urlsplit(src).query)["text"][0]
    assert urlsplit(encoded).path == f"/class/{klass.class_id}"
    assert klass.token not in src and "teacher" not in encoded
    teacher.page.keyboard.press("Escape")

    # Students pick nicknames; the refusals show at the field.
    bo.page.goto(f"{klass.url}/class/{klass.class_id}")
    bo.page.click("#join-submit")
    assert bo.page.locator("#nickname-error").inner_text() == "Type a nickname first."
    join(ada, klass, "Ada")
    ada.page.wait_for_url(re.compile(rf"{re.escape(klass.url)}/(#.*)?$"))
    ada.page.locator("#class-nickname", has_text="Ada").wait_for()
    bo.allowed.append("status of 422")  # the refusal below, logged by the browser
    join(bo, klass, "ada")  # taken, whatever the case
    bo.page.locator("#nickname-error").wait_for(state="visible")
    assert "nickname" in bo.page.locator("#nickname-error").inner_text().lower()
    join(bo, klass, "Bo <b>")  # markup is stripped by the server, shown as text only
    bo.page.locator("#class-nickname").wait_for()
    assert bo.page.locator("#class-bar b").count() == 1  # the nickname's own <b>, no injected one

    # Lead: every follower's page follows the teacher's settings, lr and play/pause.
    teacher.page.click("#class-lead")
    teacher.page.locator("#class-followers", has_text="2 of 2 follow").wait_for()
    teacher.page.select_option("#surface", "bowl")
    for student in (ada, bo):
        wait_same(student, "surface", "bowl")
    teacher.page.fill("#lr-0", "0.37")
    for student in (ada, bo):
        student.page.wait_for_function("() => gradscape.state.runs[0].lr === 0.37")
    teacher.page.select_option("#speed", "1")  # slow: the runs are still going when paused
    for student in (ada, bo):
        wait_same(student, "speed", 1)
    teacher.page.wait_for_function("() => gradscape.play !== 'idle'")
    if teacher.js("() => gradscape.play") != "running":
        teacher.page.click("#play")
    teacher.page.wait_for_function("() => gradscape.play === 'running'")
    teacher.page.click("#play")  # pause
    for student in (ada, bo):
        student.page.wait_for_function("() => gradscape.play === 'paused'")

    # Ada touches a control: she explores on her own, the teacher sees one fewer follower.
    ada.page.click("#step")
    ada.page.locator("#class-follow").wait_for()
    assert "Exploring on my own" in bar_text(ada)
    teacher.page.locator("#class-followers", has_text="1 of 2 follow").wait_for()
    teacher.page.select_option("#surface", "rosenbrock")
    wait_same(bo, "surface", "rosenbrock")
    ada.page.wait_for_timeout(300)
    assert state(ada)["surface"] == "bowl", "exploring: the teacher's change does not reach her"

    # Follow the teacher again (by keyboard): back on the teacher's view at once.
    ada.page.focus("#class-follow")
    ada.page.keyboard.press("Enter")
    wait_same(ada, "surface", "rosenbrock")
    teacher.page.locator("#class-followers", has_text="2 of 2 follow").wait_for()
    for app in (teacher, ada, bo):
        app.assert_clean()


def test_the_class_bar_and_the_join_page_are_accessible(klass: Class, people: dict[str, App],
                                                        browser) -> None:
    teacher, bo = people["teacher"], people["bo"]
    found = [v for v in violations(teacher.page)]
    assert not found, report(found)
    found = violations(bo.page)
    assert not found, report(found)
    # On a phone the bar fits the width, and its buttons are big enough to touch.
    width = bo.js("() => document.getElementById('class-bar').scrollWidth")
    assert width <= 390
    for box in bo.page.locator("#class-bar button").all():
        b = box.bounding_box()
        assert b is not None and b["height"] >= 32
    # The join page, on a phone that has not joined yet (one that has goes straight on).
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        page.goto(f"{klass.url}/class/{klass.class_id}")
        page.locator("#nickname").wait_for()
        found = violations(page)
        assert not found, report(found)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "class-join-phone.png"))
        bo.page.screenshot(path=str(ARTIFACTS / "class-bar-phone.png"))
        teacher.page.screenshot(path=str(ARTIFACTS / "class-bar-teacher.png"))
    finally:
        context.close()


def pose(teacher: App, goal: str, target: str | None, steps: str, title: str = "",
         metric: str | None = None) -> None:
    page = teacher.page
    page.click("#class-pose")
    page.locator("dialog[open] #pose-goal").wait_for()
    found = violations(page)
    assert not found, report(found)
    page.select_option("#pose-goal", goal)
    if metric is not None:
        page.select_option("#pose-metric", metric)
    if target is not None:
        page.fill("#pose-target", target)
    page.fill("#pose-steps", steps)
    if title:
        page.fill("#pose-title", title)
    page.click("#pose-submit")
    page.locator("dialog[open]").wait_for(state="detached")


def submit_lr(app: App, lr: str) -> str:
    """Set the selected run's lr on the student's own page and submit: the result's text."""
    page = app.page
    page.fill("#lr-0", lr)
    page.wait_for_function("(lr) => gradscape.state.runs[0].lr === lr", arg=float(lr))
    page.wait_for_function(
        "() => !location.hash || location.hash === new URL(gradscape.link()).hash")
    page.click("#class-submit")
    result = page.locator("#class-result")
    result.wait_for()
    return result.inner_text()


def test_a_challenge_two_submissions_and_the_gallery(klass: Class, people: dict[str, App]) -> None:
    teacher, ada, bo = people["teacher"], people["ada"], people["bo"]
    teacher.page.select_option("#surface", "bowl")
    wait_same(ada, "surface", "bowl")
    pose(teacher, "largest_lr", "0.001", "200", "The largest lr that still converges on this bowl")
    for student in (ada, bo):
        student.page.locator("#class-challenge-title", has_text="on this bowl").wait_for()
    # Ada converges, Bo overshoots: both are scored by the server from their configs.
    ok = submit_lr(ada, "0.5")
    assert "Converged with lr = 0.5" in ok, ok
    failed = submit_lr(bo, "2.5")
    assert failed.startswith("✗"), failed

    # The gallery (the teacher's, on the projector) shows both, live.
    gallery = teacher.page.context.new_page()
    gallery.set_viewport_size({"width": 1920, "height": 1080})
    g = App(gallery, klass.url)
    gallery.goto(f"{klass.url}/class/{klass.class_id}/gallery")
    gallery.locator("#gallery-board tbody tr", has_text="Ada").wait_for()
    assert gallery.locator("#gallery-board tbody tr").count() == 2
    gallery.wait_for_function(
        "() => { const d = document.getElementById('gallery-scatter').data;"
        " return d && d.reduce((n, t) => n + t.x.length, 0) === 2; }")
    paths = gallery.evaluate(
        "() => document.getElementById('gallery-map').data"
        ".filter((t) => t.mode === 'lines').length")
    assert paths == 2
    assert gallery.locator("#gallery-board tbody tr").first.inner_text().startswith("1")
    # A third run arrives while the gallery is open: it shows without a reload.
    submit_lr(ada, "0.9")
    gallery.wait_for_function(
        "() => document.querySelectorAll('#gallery-board tbody tr').length === 3")
    # Two more, closer to the edge: the scatter draws it.
    submit_lr(bo, "1.9")
    submit_lr(ada, "1.5")
    gallery.wait_for_function(
        "() => document.querySelectorAll('#gallery-board tbody tr').length === 5")
    found = violations(gallery)
    assert not found, report(found)
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    gallery.screenshot(path=str(DOCS_IMG / "gallery-stability-edge.png"))
    # On a phone the gallery stacks its panels; nothing is wider than the screen.
    gallery.set_viewport_size({"width": 390, "height": 844})
    gallery.wait_for_function("() => document.documentElement.scrollWidth <= 390")
    gallery.wait_for_function(
        "() => document.getElementById('gallery-scatter').getBoundingClientRect().width <= 390")
    gallery.screenshot(path=str(ARTIFACTS / "class-gallery-phone.png"), full_page=True)
    gallery.set_viewport_size({"width": 1920, "height": 1080})

    # Hide names; spotlight Ada's best run: it shows on every student's screen.
    gallery.click("#gallery-names")
    gallery.wait_for_function(
        "() => !document.querySelector('#gallery-board tbody').textContent.includes('Ada')")
    gallery.click("#gallery-names")
    gallery.locator("#gallery-board tbody tr", has_text="Ada").first.wait_for()
    gallery.locator("#gallery-board tbody tr").first.locator(".spot-button").click()
    gallery.locator("#gallery-board tbody tr.spot").wait_for()
    for student in (ada, bo):
        student.page.locator("#class-spotlight").wait_for()
    gallery.click("#gallery-unspot")
    bo.page.locator("#class-spotlight").wait_for(state="detached")

    # Export: CSV and JSON, with the teacher's token.
    with gallery.expect_download() as csv_download:
        gallery.click("#gallery-csv")
    csv_text = Path(csv_download.value.path()).read_text(encoding="utf-8")
    assert csv_text.count("\n") >= 4 and "Ada" in csv_text
    g.assert_clean()
    gallery.close()


def test_a_reloaded_student_is_back_with_their_runs(klass: Class, people: dict[str, App]) -> None:
    ada = people["ada"]
    ada.page.reload()
    ada.page.locator("#class-nickname", has_text="Ada").wait_for()
    ada.page.locator("#class-result").wait_for()
    assert "3 runs submitted" in ada.page.locator("#class-result").inner_text()
    # The students' link on a device that joined before: straight back in.
    ada.page.goto(f"{klass.url}/class/{klass.class_id}")
    ada.page.wait_for_url(re.compile(rf"{re.escape(klass.url)}/(#.*)?$"))
    ada.page.locator("#class-nickname", has_text="Ada").wait_for()
    ada.assert_clean()


def test_a_restarted_server_has_the_class_and_its_results(klass: Class,
                                                          people: dict[str, App]) -> None:
    teacher, ada = people["teacher"], people["ada"]
    klass.stop()
    klass.start()  # the same data directory and port: the newest class, reopened
    ada.page.reload()
    ada.page.locator("#class-nickname", has_text="Ada").wait_for()
    teacher.page.reload()
    teacher.page.locator("#class-lead").wait_for()  # the token of the earlier start still leads
    gallery = teacher.page.context.new_page()
    try:
        gallery.goto(f"{klass.url}/class/{klass.class_id}/gallery")
        gallery.wait_for_function(
            "() => document.querySelectorAll("
            "'#gallery-board tbody tr[data-submission]').length === 5")
    finally:
        gallery.close()


def test_sgd_against_adam_on_a_budget(klass: Class, people: dict[str, App]) -> None:
    """Lesson 2 of docs/teaching.md: a `best` challenge, one student per optimizer."""
    teacher, ada, bo = people["teacher"], people["ada"], people["bo"]
    teacher.page.goto(f"{klass.url}/#surface=rosenbrock&start=-1.5,2")
    teacher.page.locator("#class-pose").wait_for()
    pose(teacher, "best", None, "300", "SGD vs Adam: the lowest loss on Rosenbrock in 300 steps")
    for student, run, lr in ((ada, 0, "0.002"), (bo, 1, "0.08")):
        student.page.goto(f"{klass.url}/#surface=rosenbrock&start=-1.5,2&sel={run}")
        student.page.locator("#class-challenge-title", has_text="SGD vs Adam").wait_for()
        student.page.fill(f"#lr-{run}", lr)
        student.page.wait_for_function("([i, lr]) => gradscape.state.runs[i].lr === lr",
                                       arg=[run, float(lr)])
        student.page.click("#class-submit")
        student.page.locator("#class-result").wait_for()
        assert student.page.locator("#class-result").inner_text().startswith("✓")
    gallery = teacher.page.context.new_page()
    try:
        gallery.set_viewport_size({"width": 1920, "height": 1080})
        gallery.goto(f"{klass.url}/class/{klass.class_id}/gallery")
        gallery.wait_for_function(
            "() => { const d = document.getElementById('gallery-scatter').data;"
            " return d && d.length === 2 && d.every((t) => t.x.length === 1); }")
        names = gallery.evaluate(
            "() => document.getElementById('gallery-scatter').data.map((t) => t.name)")
        assert sorted(names) == ["adam", "sgd"]
        gallery.screenshot(path=str(DOCS_IMG / "gallery-sgd-adam.png"))
    finally:
        gallery.close()


def test_a_network_challenge_shows_every_decision_boundary(klass: Class,
                                                            people: dict[str, App]) -> None:
    teacher, ada = people["teacher"], people["ada"]
    view = "ds=moons&n=100&hidden=8&steps=150"
    teacher.page.goto(f"{klass.url}/network#{view}")
    teacher.page.locator("#class-pose").wait_for()
    pose(teacher, "best", None, "150", "Moons: the best training accuracy in 150 steps",
         metric="accuracy")
    ada.page.goto(f"{klass.url}/network#{view}")
    ada.page.locator("#class-challenge-title", has_text="Moons").wait_for()
    ada.page.click("#class-submit")
    ada.page.locator("#class-result").wait_for()
    assert ada.page.locator("#class-result").inner_text().startswith("✓")
    gallery = teacher.page.context.new_page()
    try:
        gallery.set_viewport_size({"width": 1920, "height": 1080})
        gallery.goto(f"{klass.url}/class/{klass.class_id}/gallery")
        gallery.locator(".gallery-small figure canvas").first.wait_for()
        assert gallery.locator(".gallery-small figure").count() == 1
        assert "Ada" in gallery.locator(".gallery-small figcaption").first.inner_text()
        found = violations(gallery)
        assert not found, report(found)
        gallery.screenshot(path=str(ARTIFACTS / "class-gallery-network.png"))
    finally:
        gallery.close()


def test_a_wrong_teacher_token_is_refused_and_forgotten(klass: Class, browser) -> None:
    context = browser.new_context()
    try:
        app = App(context.new_page(), klass.url)
        app.page.goto(f"{klass.url}/#teacher=not-the-token&class={klass.class_id}")
        # A viewer: told why, offered to join as a student, and the wrong token is not kept.
        app.page.locator(".message", has_text="teacher's link was refused").wait_for()
        app.page.locator("#class-join-link").wait_for()
        assert app.page.locator("#class-lead").count() == 0
        assert app.js(f"() => localStorage.getItem('gradscape.class.{klass.class_id}.teacher')") \
            is None
        assert "not-the-token" not in app.page.url
    finally:
        context.close()


def test_clear_asks_first(klass: Class, people: dict[str, App]) -> None:
    gallery = people["teacher"].page.context.new_page()
    try:
        gallery.goto(f"{klass.url}/class/{klass.class_id}/gallery")
        gallery.locator("#gallery-board tbody tr[data-submission]").first.wait_for()
        gallery.click("#gallery-clear")
        gallery.locator("#clear-dialog[open]").wait_for()
        gallery.keyboard.press("Escape")  # cancelled: nothing is deleted
        gallery.locator("#clear-dialog[open]").wait_for(state="detached")
        assert gallery.locator("#gallery-board tbody tr[data-submission]").count() == 1
        gallery.click("#gallery-clear")
        gallery.click("#clear-confirm")
        gallery.locator("#gallery-board tbody", has_text="No runs yet.").wait_for()
    finally:
        gallery.close()
