"""/ (descent): a run added or removed while the runs go on keeps the others' steps; the new run
arrives with its whole path from the start point, then steps with them (issue #13, part 3)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import App

pytestmark = pytest.mark.browser


def test_adding_and_removing_runs_keeps_the_others_going(app: App) -> None:
    app.navigate("surface=rosenbrock&speed=20&steps=3000&run=sgd,lr=0.001&run=adam,lr=0.01")
    page = app.page
    app.wait("(runs) => runs.length === 2 && runs[0].n > 20")
    starts = app.js("() => gradscape.stats.starts")
    n = app.runs()[0]["n"]
    page.click("#add-run")
    app.wait("(runs, s) => s.runs.length === 3 && runs.length === 3 && runs[2].n > 1")
    # Its path starts at the start point and reaches about where the others were.
    assert app.runs()[2]["n"] >= n
    assert app.js("() => gradscape.path(2)[0]")[1:3] == app.js("() => gradscape.path(0)[0]")[1:3]
    app.wait("(runs, s, n) => runs[0].n > n + 10", n)  # run 1 goes on, from where it was
    assert app.js("() => gradscape.stats.starts") == starts
    app.wait("(runs) => Math.abs(runs[2].n - runs[0].n) < 30")  # then in lockstep
    page.click("button[aria-label='Remove run 1']")
    app.wait("(runs, s) => s.runs.length === 2 && runs.length === 2")
    kept = app.runs()[1]["n"]  # the added run, now run 2
    app.wait("(runs, s, k) => runs[1].n > k + 5", kept)
    assert app.js("() => gradscape.stats.starts") == starts
    assert page.locator(".run-card").count() == 2
    app.assert_clean()
