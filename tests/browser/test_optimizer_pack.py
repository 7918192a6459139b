"""Issue #16 in Chromium: the optimizer picker, choice hyperparameters in the link, refusals at the
box, L-BFGS's trial points, Lion's diagonal steps, the state's markers and chart, and a race tuned
by POST /api/tune (tune, apply, run).

Screenshots go to tests/artifacts/optimizers/; with GRADSCAPE_DOCS_IMG=1 into docs/img/optimizers/
(the pictures of docs/optimizers.md), as tests/browser/test_teaching.py does for its lessons."""

from __future__ import annotations

import csv
import json
import math
import os
from pathlib import Path
from urllib.request import Request, urlopen

import pytest

from tests.browser.axe import report, violations
from tests.browser.conftest import App, api

pytestmark = pytest.mark.browser

CARD = ".run-card[data-run='{}']"
ROOT = Path(__file__).resolve().parents[2]
DOCS_IMG = (ROOT / "docs" / "img" / "optimizers" if os.environ.get("GRADSCAPE_DOCS_IMG")
            else ROOT / "tests" / "artifacts" / "optimizers")


def shot(app: App, name: str) -> None:
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    app.page.mouse.move(2, 715)  # no tooltip over the picture
    app.settle()  # the last animation frame
    app.page.screenshot(path=str(DOCS_IMG / f"{name}.png"))


def post(server, path: str, body: dict) -> dict:
    request = Request(f"{server.url}{path}", data=json.dumps(body).encode(),
                      headers={"Content-Type": "application/json"})
    with urlopen(request, timeout=60) as response:
        return json.load(response)


def test_lion_and_lbfgs_added_on_rosenbrock_draw_their_paths(app: App) -> None:
    app.navigate("surface=rosenbrock&speed=0&steps=200&run=sgd,lr=0.001")
    page = app.page
    app.wait("(runs) => runs.length === 1 && runs[0].status === 'done'")
    # Add two runs from the picker: Lion, then L-BFGS with a strong-Wolfe line search.
    for k, optimizer in [(1, "lion"), (2, "lbfgs")]:
        page.click("#add-run")
        app.wait("(runs, s, k) => s.runs.length === k + 1 && runs.length === k + 1", k)
        page.locator(f"{CARD.format(k)} select.optimizer").select_option(optimizer)
        app.wait("(runs, s, a) => s.runs[a[0]].optimizer === a[1]", [k, optimizer])
    page.locator(f"{CARD.format(1)} .lr-box").fill("0.01")
    app.wait("(runs, s) => s.runs[1].lr === 0.01")
    page.click("button[aria-label='Run 3 settings']")
    page.locator("#run-2-line_search_fn").select_option("strong_wolfe")
    app.wait("(runs, s) => s.runs[2].hp.line_search_fn === 'strong_wolfe'")
    page.locator("#run-2-max_eval").fill("25")
    page.locator("#run-2-max_eval").press("Enter")
    app.wait("(runs, s) => s.runs[2].hp.max_eval === 25")
    page.click("#reset")
    page.click("#play")
    app.wait("(runs) => runs.length === 3 && runs.every(r => r.status === 'done' && r.n === 201)")

    # Lion steps by the sign of its momentum: every step moves each coordinate by exactly lr,
    # so its path runs along diagonals.
    lion = app.js("() => gradscape.path(1)")
    steps = [(b[1] - a[1], b[2] - a[2]) for a, b in zip(lion, lion[1:], strict=False)]
    assert len(steps) == 200
    diagonal = [s for s in steps if math.isclose(abs(s[0]), 0.01, rel_tol=1e-9)
                and math.isclose(abs(s[1]), 0.01, rel_tol=1e-9)]
    assert len(diagonal) >= 190, steps[:5]

    # L-BFGS finds the minimum (1, 1); its line search's trials lie on the line of its step.
    lbfgs = app.js("() => gradscape.path(2)")
    assert lbfgs[-1][3] < 1e-8 and math.dist(lbfgs[-1][1:3], (1, 1)) < 1e-3
    trials = app.js("() => gradscape.trials(2)")
    assert len(trials) > 20 and app.js("() => gradscape.trials(1).length") == 0
    for index, tx, ty in trials:
        _, x0, y0, *_ = lbfgs[index - 1]
        _, x1, y1, *_ = lbfgs[index]
        step = math.hypot(x1 - x0, y1 - y0)
        if step < 1e-9:
            continue
        cross = (x1 - x0) * (ty - y0) - (y1 - y0) * (tx - x0)  # 0 when on the step's line
        assert abs(cross) <= 1e-6 * step * max(1.0, math.hypot(tx - x0, ty - y0)), (index, tx, ty)
    # All three paths reached the canvas in their colours.
    assert all(n > 30 for n in app.js("() => gradscape.inked()"))
    shot(app, "lion-lbfgs")

    # The CSV says each step's trials in a column of its own.
    with page.expect_download() as download:
        page.click("#export-csv")
    rows = list(csv.reader(open(download.value.path(), encoding="utf-8")))
    assert rows[0][-1] == "trials"
    lbfgs_rows = [r for r in rows[1:] if r[1] == "lbfgs"]
    assert sum(len(r[-1].split(";")) for r in lbfgs_rows if r[-1]) == len(trials)
    app.assert_clean()


def test_the_picker_offers_what_a_surface_can_serve_and_refuses_out_of_range(app: App,
                                                                            server) -> None:
    app.navigate("surface=rosenbrock&speed=0&steps=50&run=lbfgs")
    page = app.page
    app.wait("(runs) => runs.length === 1 && runs[0].status === 'done'")
    offered = page.eval_on_selector_all(f"{CARD.format(0)} select.optimizer option",
                                        "os => os.map(o => o.value)")
    listed = api(server, "/api/optimizers")
    assert "muon" not in offered and "newton" in offered
    assert sorted(offered) == sorted(o["id"] for o in listed if "surface" in o["run_kinds"])
    page.click("button[aria-label='Run 1 settings']")
    # Every field comes from the API's Hyperparameter: a choice is a select of its choices.
    spec = next(o for o in listed if o["id"] == "lbfgs")["hyperparameters"]
    names = page.locator(f"{CARD.format(0)} .details [data-name]").evaluate_all(
        "xs => xs.map(x => x.dataset.name)")
    assert names == [k for k in spec if k != "lr"]
    choices = page.eval_on_selector_all("#run-0-line_search_fn option",
                                        "os => os.map(o => o.value)")
    assert choices == ["", *spec["line_search_fn"]["choices"]]
    # Out of range: refused with a message at the box, and the state keeps its value.
    box = page.locator("#run-0-max_eval")
    box.fill("5000")
    box.press("Enter")
    message = page.locator(f"#{box.get_attribute('aria-describedby')}")
    message.wait_for()
    assert "from 1 to 1000: 5000 is out of range; auto is in use" in message.inner_text()
    assert box.get_attribute("aria-invalid") == "true"
    assert "max_eval" not in app.state()["runs"][0]["hp"]
    box.fill("30")
    box.press("Enter")
    app.wait("(runs, s) => s.runs[0].hp.max_eval === 30")
    assert message.is_hidden() and box.get_attribute("aria-invalid") == "false"
    app.assert_clean()


def test_a_choice_hyperparameter_round_trips_through_the_link(app: App, browser_context) -> None:
    app.navigate("surface=rosenbrock&speed=0&steps=50&run=lbfgs,max_eval=25,"
                 "line_search_fn=strong_wolfe")
    page = app.page
    app.wait("(runs) => runs.length === 1 && runs[0].status === 'done'")
    assert app.state()["runs"][0]["hp"] == {"max_eval": 25, "line_search_fn": "strong_wolfe"}
    page.click("button[aria-label='Run 1 settings']")
    select = page.locator("#run-0-line_search_fn")
    assert select.input_value() == "strong_wolfe"
    # Back to the default (null): the key leaves the run and the link.
    select.select_option("")
    app.wait("(runs, s) => !('line_search_fn' in s.runs[0].hp)")
    assert "line_search_fn" not in app.js("() => gradscape.link()")
    select.select_option("strong_wolfe")
    app.wait("(runs, s) => s.runs[0].hp.line_search_fn === 'strong_wolfe'")
    link = app.js("() => gradscape.link()")
    assert "line_search_fn=strong_wolfe" in link
    # The link in another tab opens the same run, with the choice selected.
    other = App(browser_context.new_page(), app.base_url)
    try:
        other.page.goto(link)
        other.page.wait_for_function("() => window.gradscape !== undefined")
        other.wait("(runs) => runs.length === 1 && runs[0].n > 2")
        assert other.state()["runs"][0]["hp"]["line_search_fn"] == "strong_wolfe"
        other.page.click("button[aria-label='Run 1 settings']")
        assert other.page.locator("#run-0-line_search_fn").input_value() == "strong_wolfe"
        other.assert_clean()
    finally:
        other.page.close()
    app.assert_clean()


def test_state_markers_labels_and_the_d_chart(app: App, server) -> None:
    # 100 steps a second: frames of a few steps each, so d is sampled often enough to chart
    app.navigate("surface=rosenbrock&speed=100&steps=100&run=asgd,lr=0.001,t0=10"
                 "&run=schedulefree_sgd,lr=0.01&run=prodigy,d_coef=0.5&sel=0")
    page = app.page
    app.wait("(runs) => runs.length === 3 && runs.every(r => r.status === 'done')")
    keys = api(server, "/api/optimizers/state-keys")
    # The inside-the-step panel names the state by the API's labels: ASGD's averaged point ax.
    page.wait_for_function(
        "() => document.querySelector('#inside-numbers').textContent.includes('ax')")
    rows = page.locator("#inside-numbers tbody th").all_inner_texts()
    assert keys["ax"]["label"] in rows
    # Prodigy's d is charted under the gradient norm; the chart appears only with such a run.
    chart = page.locator("#state-chart")
    chart.wait_for()
    assert chart.get_attribute("data-tip").startswith(f"{keys['d']['label']}:")
    shot(app, "state-markers")
    app.navigate("surface=rosenbrock&speed=0&steps=20&run=adam")
    app.wait("(runs) => runs.length === 1 && runs[0].status === 'done'")
    chart.wait_for(state="hidden")  # at the charts' next redraw, a frame after `done`
    app.assert_clean()


def test_a_tuned_race_tune_apply_run(app: App, server) -> None:
    app.navigate("surface=rosenbrock&speed=0&steps=300&run=sgd&run=adam&run=lion")
    page = app.page
    app.wait("(runs) => runs.length === 3 && runs.every(r => r.status === 'done')")
    # What the server answers for the same race (same surface, start, steps and runs).
    expected = post(server, "/api/tune", {
        "surface": "rosenbrock", "steps": 300,
        "runs": [{"optimizer": o} for o in ("sgd", "adam", "lion")]})["runs"]
    starts = app.js("() => gradscape.stats.starts")
    page.click("#tune-all")
    page.wait_for_function("(n) => gradscape.stats.starts > n", arg=starts, timeout=30_000)
    app.wait("(runs) => runs.every(r => r.status === 'done' && r.n === 301)")
    state = app.state()
    assert [r["lr"] for r in state["runs"]] == [t["lr"] for t in expected]
    # Applied: each run, now at its best lr, ends at the loss the tuning found.
    for i, t in enumerate(expected):
        final = app.js("(i) => gradscape.path(i).at(-1)[3]", i)
        assert math.isclose(final, t["loss"], rel_tol=1e-9, abs_tol=1e-12), (i, final, t["loss"])
    panel = page.locator("#tune-panel")
    assert panel.is_visible()
    items = panel.locator("li").all_inner_texts()
    assert len(items) == 3 and all("best lr" in item for item in items)
    assert "diverges from lr" in items[0]  # SGD's best sits just below its edge
    shot(app, "tuned-race")
    # The tuning panel, a Tune button per card and a refusal at a box pass axe.
    page.click("button[aria-label='Run 1 settings']")
    page.locator("#run-0-weight_decay").fill("7")
    page.locator("#run-0-weight_decay").press("Enter")
    page.locator("#run-0-weight_decay + .field-msg").wait_for()
    found = violations(page)
    assert not found, report(found)
    page.click("button[aria-label='Run 1 settings']")
    # One card's Tune: only that run's lr changes.
    before = [r["lr"] for r in app.state()["runs"]]
    page.locator(f"{CARD.format(1)} .lr-box").fill("0.001")
    app.wait("(runs, s) => s.runs[1].lr === 0.001")
    page.click("button[aria-label=\"Tune run 2's lr\"]")
    app.wait("(runs, s, lr) => s.runs[1].lr === lr", expected[1]["lr"], timeout=30_000)
    assert [r["lr"] for r in app.state()["runs"]] == before
    app.assert_clean()


def test_tuning_refused_is_said_plainly(app: App) -> None:
    # L-BFGS counts 20x: 20,000 steps are past the server's tuning budget (a 422 naming steps).
    app.navigate("surface=rosenbrock&speed=0&steps=20000&run=lbfgs")
    page = app.page
    app.wait("(runs) => runs.length === 1 && runs[0].n > 2")
    app.allowed = ["422"]  # the browser logs the refused request
    page.click("#tune-all")
    message = page.locator(".message[data-key='tune']")
    message.wait_for()
    assert "steps" in message.inner_text() and "run-steps" in message.inner_text()
    assert page.locator("#tune-all").is_enabled()
    app.assert_clean()


def test_the_network_picker_offers_muon_and_not_newton(browser_context, server) -> None:
    page = browser_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    try:
        page.goto(f"{server.url}/network#run=muon")
        page.wait_for_function("() => window.gradscape && window.gradscape.config() !== null")
        select = ".run-card select.optimizer"
        offered = page.eval_on_selector_all(f"{select} option", "os => os.map(o => o.value)")
        groups = page.eval_on_selector_all(f"{select} optgroup", "gs => gs.map(g => g.label)")
        network = api(server, "/api/mlp/options")["optimizers"]
        assert sorted(offered) == sorted(network)
        assert "muon" in offered and "newton" not in offered
        assert groups[-1] == "Matrix updates (networks)" and len(groups) > 3
        assert page.locator(select).first.input_value() == "muon"
        assert not errors, errors
    finally:
        page.close()


def test_the_fair_race_preset_is_lesson_11(app: App) -> None:
    # docs/teaching.md, lesson 11: five optimizers on Rosenbrock from (-1.5, 2), 300 steps.
    app.navigate("view=contour")
    app.page.click("#presets button[data-preset='race']")
    app.wait("(runs, s) => s.runs.length === 5 && runs.length === 5 && runs.every(r => r.n > 2)")
    state = app.state()
    assert [r["optimizer"] for r in state["runs"]] == ["sgd", "momentum", "adam", "lion", "lbfgs"]
    assert state["runs"][4]["hp"] == {"line_search_fn": "strong_wolfe", "max_eval": 25}
    assert state["steps"] == 300 and state["start"] == [-1.5, 2]
    app.assert_clean()


def test_the_network_tunes_its_race_too(browser_context, server) -> None:
    # A small race (60 points, one hidden layer of 4, 60 steps) keeps the search to a second or two.
    page = browser_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    try:
        page.goto(f"{server.url}/network#n=60&hidden=4&steps=60&speed=0&run=sgd,lr=0.1&run=muon")
        page.wait_for_function("() => window.gradscape && window.gradscape.play === 'done'",
                               timeout=30_000)
        expected = post(server, "/api/tune", {
            "kind": "network", "dataset": {"id": "moons", "n": 60, "seed": 0},
            "network": {"hidden": [4], "activation": "tanh"}, "seed": 0, "steps": 60,
            "runs": [{"optimizer": "sgd", "lr": 0.1}, {"optimizer": "muon"}]})["runs"]
        page.click("#tune-all")
        page.wait_for_function("() => !document.querySelector('#tune-panel').hidden",
                               timeout=60_000)
        page.wait_for_function("() => window.gradscape.play === 'done'", timeout=30_000)
        lrs = page.evaluate("() => gradscape.state.runs.map(r => r.lr)")
        assert lrs == [t["lr"] for t in expected]
        items = page.locator("#tune-panel li").all_inner_texts()
        assert len(items) == 2 and "Muon" in items[1] and "best lr" in items[1]
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        page.locator("#tune-panel").scroll_into_view_if_needed()
        page.mouse.move(2, 715)
        page.wait_for_timeout(300)
        page.screenshot(path=str(DOCS_IMG / "network-race.png"))
        assert not errors, errors
    finally:
        page.close()
