"""The lessons of docs/teaching.md, run in Chromium: each preset plays to its end and shows its
point, and the screenshots of docs/img/teaching/ are taken here (the docs show what a class sees).

Screenshots go to tests/artifacts/teaching/; `make docs-img` (GRADSCAPE_DOCS_IMG=1) writes them
into docs/img/teaching/ instead, so that an ordinary test run leaves the tracked files alone.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import App

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DOCS_IMG = (ROOT / "docs" / "img" / "teaching" if os.environ.get("GRADSCAPE_DOCS_IMG")
            else ROOT / "tests" / "artifacts" / "teaching")


def run_preset(app: App, preset: str) -> list[dict]:
    app.navigate("")
    app.page.click(f"[data-preset={preset}]")
    app.wait("(runs) => runs.length > 0 && runs.every(r => r.n > 1)")
    app.page.select_option("#speed", "0")  # to the end at full speed
    app.wait("(runs) => runs.every(r => r.status === 'done' || r.status === 'diverged')",
             timeout=60_000)
    app.settle()  # the last animation frame
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    app.page.mouse.move(2, 715)
    app.page.screenshot(path=str(DOCS_IMG / f"{preset}.png"))
    return app.runs()


def test_overshoot_lesson(app: App) -> None:
    under, over = run_preset(app, "overshoot")
    assert under["status"] == "done" and over["status"] == "diverged"
    app.assert_clean()


def test_sgd_vs_adam_lesson(app: App) -> None:
    runs = run_preset(app, "sgd-adam")
    assert [r["status"] for r in runs] == ["done", "done"]
    app.assert_clean()


@pytest.mark.parametrize("preset", ["ravine", "saddle", "noise", "rastrigin"])
def test_the_other_lessons_play_to_the_end(app: App, preset: str) -> None:
    runs = run_preset(app, preset)
    assert len(runs) >= 2 and all(r["status"] in ("done", "diverged") for r in runs)
    app.assert_clean()


def test_fair_race_lesson(app: App) -> None:
    """Lesson 11: the race at the defaults, then "Tune all" (the figures of its table)."""
    at_defaults = run_preset(app, "race")
    assert all(r["status"] == "done" for r in at_defaults)
    starts = app.js("() => gradscape.stats.starts")
    app.page.click("#tune-all")
    app.page.wait_for_function("(n) => gradscape.stats.starts > n", arg=starts, timeout=30_000)
    app.wait("(runs) => runs.every(r => r.status === 'done' && r.n === 301)", timeout=60_000)
    app.settle()
    app.page.mouse.move(2, 715)
    app.page.screenshot(path=str(DOCS_IMG / "race.png"))
    # the race's panel in the side column squeezes neither the step's insides nor the charts
    boxes = app.js("""() => ['inside', 'loss-chart', 'gnorm-chart', 'flow-chart']
        .map((id) => document.getElementById(id).getBoundingClientRect().height)""")
    assert boxes[0] >= 100 and all(h >= 120 for h in boxes[1:]), boxes
    lrs = [r["lr"] for r in app.state()["runs"]]
    assert lrs[0] == pytest.approx(0.00198, rel=0.01)  # SGD: just below its edge, 0.00206
    assert lrs[2] == pytest.approx(1.67, rel=0.01)  # Adam: a thousand times its default
    final = app.js("() => gradscape.runs().map((r, i) => gradscape.path(i).at(-1)[3])")
    assert final[4] < 1e-12  # L-BFGS
    app.assert_clean()


def test_backprop_lesson_screenshot(fresh_app: App) -> None:
    page = fresh_app.page
    page.goto(f"{fresh_app.base_url}/backprop#step=4")
    page.wait_for_selector("svg")
    page.wait_for_timeout(500)
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_IMG / "backprop.png"))
    assert "0.5" in page.inner_text("body")
    fresh_app.assert_clean()
