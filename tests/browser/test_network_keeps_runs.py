"""/network: what used to restart every run from step 0 mid-training (issue #13, part 3) keeps
them: a run added or removed (the server catches a new run up at once, so its whole path shows,
on the charts and on the landscape), another landscape mode, other weights for the plane."""

from __future__ import annotations

import pytest

from tests.browser.test_heatmaps import PAINTED as HEATMAPS_PAINTED
from tests.browser.test_heatmaps import cell_point
from tests.browser.test_network import LANDSCAPE, open_page, page, until  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


# The landscape's paths (drawn on its canvas): those with more than a few points.
PATHS = f"{LANDSCAPE}.runs.filter((r) => r.n > 10)"


def steps(pg) -> list[int]:
    return pg.evaluate("window.gradscape.runs().map((r) => r.n - 1)")


def counter(pg) -> int:
    return int(pg.locator("#counter").inner_text().split()[1])


def test_adding_a_run_keeps_run_1_going_and_shows_the_new_path(page) -> None:  # noqa: F811
    pg = page
    open_page(pg, "speed=30&steps=3000")
    until(pg, "window.gradscape.runs().length === 2 && window.gradscape.runs()[0].n > 25")
    until(pg, f"{PATHS}.length === 2")  # the landscape draws a path per run
    before = pg.evaluate("window.gradscape.stats")
    at_click = steps(pg)[0]
    pg.click("#add-run")
    until(pg, "window.gradscape.runs().length === 3 && window.gradscape.runs()[2].n > 1")
    # The new run arrived with its whole path: from step 0 to about where the others were.
    new = steps(pg)[2]
    assert new >= at_click, (new, at_click)
    # Run 1's step counter goes on (no reset to 0) and no new `start` was sent.
    seen = [steps(pg)[0]]
    for _ in range(4):
        pg.wait_for_timeout(250)
        seen.append(steps(pg)[0])
    assert seen == sorted(seen) and seen[0] >= at_click and seen[-1] > seen[0], seen
    assert counter(pg) >= at_click
    after = pg.evaluate("window.gradscape.stats")
    assert after["starts"] == before["starts"] and after["started"] == before["started"]
    # The three runs step in lockstep now, and the new one is drawn on the charts and the landscape.
    until(pg, "(() => { const r = window.gradscape.runs(); "
              "return Math.abs(r[2].n - r[0].n) <= 40 && r[2].n > r[0].n - 40; })()")
    until(pg, "window.gradscape.charts().loss.lengths.length === 3")
    lengths = pg.evaluate("window.gradscape.charts().loss.lengths")
    assert lengths[2] > at_click // 2, lengths
    until(pg, f"{PATHS}.length === 3 && {PATHS}[2].n > {at_click // 2}")
    # Removing a run: the others keep their steps too.
    kept = steps(pg)[0]
    pg.locator(".run-card").nth(1).locator("button[aria-label='Remove run 2']").click()
    until(pg, "window.gradscape.runs().length === 2")
    until(pg, f"window.gradscape.runs()[0].n - 1 > {kept + 5}")
    assert pg.evaluate("window.gradscape.stats.started") == before["started"]
    assert pg.evaluate("window.gradscape.state.runs.length") == 2


def test_the_landscape_mode_and_the_planes_weights_keep_the_runs(page) -> None:  # noqa: F811
    pg = page
    open_page(pg, "speed=30&steps=3000")
    until(pg, "window.gradscape.runs()[0].n > 15")
    before = pg.evaluate("window.gradscape.stats")
    for mode in ("pca", "random", "weights"):
        n = steps(pg)[0]
        pg.click(f"#plane-modes [data-mode='{mode}']")
        until(pg, f"window.gradscape.state.plane === '{mode}'")
        until(pg, f"window.gradscape.runs()[0].n - 1 > {n + 5}")  # went on from where it was
    # A weight clicked in the heatmap becomes the plane's second axis.
    n = steps(pg)[0]
    until(pg, HEATMAPS_PAINTED)
    pg.mouse.click(*cell_point(pg, 0, 2, 1))
    until(pg, "JSON.stringify(window.gradscape.state.wts || []).includes('[1,2,1]')")
    until(pg, f"window.gradscape.runs()[0].n - 1 > {n + 5}")
    after = pg.evaluate("window.gradscape.stats")
    assert after["started"] == before["started"], (before, after)


def test_a_run_added_after_training_trains_to_the_end_on_the_final_slice(page) -> None:  # noqa: F811
    pg = page
    open_page(pg, "speed=0&steps=200&plane=pca")
    until(pg, "window.gradscape.play === 'done' && window.gradscape.landscape().phase === 'final'"
              " && !window.gradscape.landscape().busy")
    fetches = pg.evaluate("window.gradscape.landscape().fetches")
    started = pg.evaluate("window.gradscape.stats.started")
    pg.click("#add-run")
    until(pg, "window.gradscape.runs().length === 3 && window.gradscape.runs()[2].n === 201")
    until(pg, "window.gradscape.play === 'done'")
    assert steps(pg) == [200, 200, 200]
    # The finished runs' own plane (PCA) is sliced again, with the new run's path on it.
    until(pg, f"window.gradscape.landscape().fetches > {fetches}"
              " && !window.gradscape.landscape().busy")
    until(pg, f"{PATHS}.length === 3")
    assert pg.evaluate("window.gradscape.stats.started") == started


def test_a_run_added_while_paused_shows_at_once_and_trains_on_play(page) -> None:  # noqa: F811
    pg = page
    open_page(pg, "speed=30&steps=3000")
    until(pg, "window.gradscape.runs()[0].n > 10")
    pg.click("#play")  # pause
    until(pg, "window.gradscape.play === 'paused'")
    pg.wait_for_timeout(300)
    paused = steps(pg)[0]
    pg.click("#add-run")
    until(pg, "window.gradscape.runs().length === 3")
    assert pg.evaluate("window.gradscape.play") == "paused"
    assert abs(steps(pg)[2] - steps(pg)[0]) <= 15 and steps(pg)[0] >= paused
    pg.click("#play")
    until(pg, f"window.gradscape.runs()[2].n - 1 > {steps(pg)[2] + 10}")
    assert steps(pg)[0] >= paused
