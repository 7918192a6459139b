"""The stability lab (issue #15) in a real browser against a real server: the network view's
lessons, its sharpness chart against 2/lr (38/lr for Adam), the readout, the curvature switch
and the spectrum; the descent view's gradient-flow ghost.

Uses tests/browser/conftest.py (one server and browser per module, skipped without Chromium,
failing on CI) and the network tests' helpers. Numbers are read back through the page's
read-only debug hook `window.gradscape`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.axe import report, violations
from tests.browser.test_network import (
    LANDSCAPE,
    SETTLED,
    check,
    open_page,
    shot,
    until,
    wait_done,
    watch,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def lab(browser_context, server) -> Iterator:
    """One /network page for the module (loading Plotly.js costs a second or two a page)."""
    pg = browser_context.new_page()
    app = watch(pg, server.url)
    open_page(pg, "speed=0&steps=20")
    check(app)
    yield pg
    pg.close()


@pytest.fixture()
def net(lab) -> Iterator:
    lab.app.begin()
    lab.app.outside.clear()
    yield lab
    check(lab.app)


def play_lesson(pg, lesson: str) -> dict:
    """Click a lesson's button, train at full speed to the end; the lab's readings."""
    started = pg.evaluate("window.gradscape.stats.started")
    until(pg, f"document.querySelector('[data-lesson={lesson}]') !== null")
    pg.click(f"[data-lesson={lesson}]")
    until(pg, f"window.gradscape.stats.started > {started}")
    pg.select_option("#speed", "0")
    wait_done(pg, timeout=120_000)
    until(pg, SETTLED)  # the charts redraw a few times a second
    return pg.evaluate("window.gradscape.stability()")


def test_the_edge_of_stability_lesson_hovers_at_2_over_lr(net) -> None:
    """The issue's criterion, on the page: on the run with the largest stable lr the sharpness
    rises to within 10% of 2/lr, stays within 20% of it for the rest of the run, and the loss
    ends lower than it started."""
    lab = play_lesson(net, "edge_of_stability")
    state = net.evaluate("window.gradscape.state")
    assert state["dataset"] == "sine" and state["hidden"] == [32, 32] and state["steps"] == 1500
    assert len(lab["runs"]) == 3 and lab["every"] == 10
    stable = [r for r in lab["runs"] if r["status"] != "diverged"]
    lrs = [run["lr"] for run in state["runs"]]
    run = max(stable, key=lambda r: lrs[lab["runs"].index(r)])
    assert run["kind"] == "plain" and run["steps"][-1] == 1500
    ratios = [v / line for v, line in zip(run["value"], run["line"], strict=True)]
    assert ratios[0] < 0.9, f"it starts below its line: {ratios[0]:.2f}"
    arrival = next(k for k, r in enumerate(ratios) if abs(r - 1) <= 0.1)
    after = ratios[arrival:]
    assert all(0.8 <= r <= 1.2 for r in after), (min(after), max(after))
    assert run["loss"][-1] < run["loss"][0]
    # What the page says and shows about it.
    assert net.evaluate("window.gradscape.state.sel") == 2
    assert lab["readout"].startswith("3. SGD, step 1500: sharpness ")
    assert "2/lr = 50" in lab["readout"]
    assert net.locator("#lesson-notes").is_visible()
    assert "Ask:" in net.inner_text("#lesson-ask")
    shot(net, "network-edge-of-stability.png")

    # The spectrum of the selected run at its last weights: 1,153 weights, so the 20 smallest
    # and the 20 largest; the largest is the sharpness the chart shows.
    net.click("#spectrum-button")
    until(net, "window.gradscape.stability().spectrum !== null", timeout=30_000)
    spec = net.evaluate("window.gradscape.stability().spectrum")
    assert spec["run"] == 2 and spec["step"] == 1500 and not spec["complete"]
    assert spec["count"] == 40
    assert spec["sharpness"] == pytest.approx(run["value"][-1], rel=1e-3)
    until(net, "(document.getElementById('spectrum').drawn || {}).bars > 0")
    drawn = net.evaluate("document.getElementById('spectrum').drawn")
    assert drawn["line"] is not None, "the 2/lr line, at the sharpness: drawn"
    caption = net.inner_text("#spectrum-caption")
    assert "the 20 smallest and 20 largest of its 1,153 eigenvalues" in caption
    assert "of 2/lr = 50" in caption
    # its own hover: on the dotted line, what the line is
    net.locator("#spectrum").scroll_into_view_if_needed()
    box = net.locator("#spectrum").bounding_box()
    net.mouse.move(box["x"] + drawn["line"], box["y"] + box["height"] / 2)
    label = net.locator("#spectrum .hover-readout")
    label.wait_for(state="visible")
    assert label.inner_text().startswith("2/lr = 50"), label.inner_text()
    net.mouse.move(2, 2)
    found = violations(net)  # the lab's block open: notes, the spectrum, its caption
    assert not found, report(found)


def test_the_catapult_lesson_settles_catapults_and_diverges(net) -> None:
    """Three runs at 1.5, 3 and 7 / lambda_0 from the same weights: the first falls smoothly,
    the second's loss spikes and it lands in a flatter region, the third diverges."""
    lab = play_lesson(net, "catapult")
    smooth, catapult, wild = lab["runs"]
    assert wild["status"] == "diverged"
    assert smooth["status"] == "done" and catapult["status"] == "done"
    assert max(smooth["loss"][:50]) <= smooth["loss"][0] * 1.01
    assert max(catapult["loss"][:30]) > 3 * catapult["loss"][0], "the catapult's spike"
    assert catapult["loss"][-1] < catapult["loss"][0]
    start = catapult["value"][0] / catapult["line"][0]
    assert start > 1.2, "unstable at the start by the quadratic rule"
    landed = zip(catapult["value"][1:6], catapult["line"][1:6], strict=True)
    assert min(v / line for v, line in landed) < 0.8, "it lands flatter"


def test_adam_is_charted_against_38_over_lr_and_the_switch_turns_tracking_off(net) -> None:
    started = net.evaluate("window.gradscape.stats.started")
    link = "ds=moons&hidden=8,8&run=sgd,lr=0.5&run=adam,lr=0.02&steps=60&speed=0&sel=1"
    net.evaluate("(h) => { location.hash = h; }", link)
    until(net, f"window.gradscape.stats.started > {started}")
    wait_done(net)
    until(net, "window.gradscape.stability().runs[1].steps.length > 2")
    # The title and the readout are redrawn with the charts (every 200 ms), a moment after the
    # readings arrive. Before Adam's first preconditioned reading (step 1) the readout already
    # says ", step 0" against 2/lr: wait for the draw that has Adam's own line.
    until(net, "window.gradscape.stability().readout.includes('preconditioned sharpness')")
    lab = net.evaluate("window.gradscape.stability()")
    assert [r["kind"] for r in lab["runs"]] == ["plain", "preconditioned"]
    adam = lab["runs"][1]
    assert adam["line"][-1] == pytest.approx(38 / 0.02)
    assert "38/lr" in lab["title"] and "2/lr" in lab["title"]
    assert lab["readout"].startswith("2. Adam, step ")
    assert "preconditioned sharpness" in lab["readout"]
    assert "38/lr = 1900" in lab["readout"]

    # Off: a new start without readings, a readout saying how to turn it on, a link keeping it.
    started = net.evaluate("window.gradscape.stats.started")
    net.click("#track-curvature")
    until(net, f"window.gradscape.stats.started > {started}")
    wait_done(net)
    lab = net.evaluate("window.gradscape.stability()")
    assert lab["every"] is None and all(not r["steps"] for r in lab["runs"])
    assert lab["readout"].startswith("Curvature tracking is off")
    assert "curv=0" in net.evaluate("window.gradscape.link()")
    assert not net.is_checked("#track-curvature")
    net.click("#track-curvature")
    until(net, "window.gradscape.stability().every !== null")


def test_a_run_added_or_removed_while_training_keeps_its_own_readings(net) -> None:
    """Each run holds its own sharpness log: a run added mid-training gets its readings (Adam's
    against 38/lr from the start), and removing a run shifts the others' readings with them."""
    started = net.evaluate("window.gradscape.stats.started")
    link = "ds=moons&hidden=8,8&run=sgd,lr=0.5&run=adam,lr=0.02&steps=3000&speed=30&sel=1&curv=10"
    net.evaluate("(h) => { location.hash = h; }", link)
    until(net, f"window.gradscape.stats.started > {started}")
    until(net, "window.gradscape.stability().runs[1].steps.length > 2")
    net.click("#add-run")  # a copy of the selected run, Adam
    until(net, "window.gradscape.stability().runs.length === 3")
    until(net, "window.gradscape.stability().runs[2].steps.length > 2")
    lab = net.evaluate("window.gradscape.stability()")
    assert [r["kind"] for r in lab["runs"]] == ["plain", "preconditioned", "preconditioned"]
    assert lab["runs"][2]["line"][-1] == pytest.approx(38 / 0.02)
    assert net.evaluate("window.gradscape.stats.started") == started + 1, "no restart"

    # Run 1's spectrum, then run 1 removed: its spectrum goes with it.
    net.locator(".run-card").nth(0).locator(".readout").click()
    until(net, "window.gradscape.state.sel === 0")
    net.click("#spectrum-button")
    until(net, "(window.gradscape.stability().spectrum || {}).run === 0", timeout=30_000)
    net.locator(".run-card").nth(0).locator("button[aria-label='Remove run 1']").click()
    until(net, "window.gradscape.stability().runs.length === 2")
    lab = net.evaluate("window.gradscape.stability()")
    assert [r["kind"] for r in lab["runs"]] == ["preconditioned", "preconditioned"]
    assert lab["spectrum"] is None and net.locator("#spectrum").is_hidden()
    until(net, "window.gradscape.stability().readout.includes('preconditioned sharpness')")
    net.select_option("#speed", "0")
    wait_done(net)


def test_the_network_flow_is_drawn_on_the_landscape_and_small_lr_stays_near_it(net) -> None:
    """On request, the flow is projected on the live plane and each SGD run's distance from it
    at the same flow time is charted: the smaller lr stays closer (Euler's error ~ lr)."""
    started = net.evaluate("window.gradscape.stats.started")
    link = "ds=sine&n=100&hidden=16&run=sgd,lr=0.02&run=sgd,lr=0.08&steps=150&speed=0&nflow=1"
    net.evaluate("(h) => { location.hash = h; }", link)
    until(net, f"window.gradscape.stats.started > {started}")
    wait_done(net)
    until(net, "window.gradscape.netFlow() !== null", timeout=30_000)
    flow = net.evaluate("window.gradscape.netFlow()")
    assert flow["points"] == 300 and flow["index"] == [0, 1]
    small, large = flow["runs"]
    assert 0 < small["max"] < large["max"]
    until(net, f"{LANDSCAPE}.extra.some(p => p.dash.length > 0 && p.n === 300)")
    net.locator("#net-flow-chart canvas").wait_for(state="visible")  # drawn on the next frame

    # Run 1 removed: run 2 (now run 1) keeps its distance; no new start, no new request.
    net.locator(".run-card").nth(0).locator("button[aria-label='Remove run 1']").click()
    until(net, "window.gradscape.netFlow().index.length === 1")
    flow = net.evaluate("window.gradscape.netFlow()")
    assert flow["index"] == [0] and flow["runs"][0]["max"] == large["max"]
    # A run added after the end trains to it, and the flow is asked again with it.
    net.click("#add-run")
    until(net, "(window.gradscape.netFlow() || { index: [] }).index.length === 2", timeout=30_000)
    flow = net.evaluate("window.gradscape.netFlow()")
    assert [r["n"] for r in flow["runs"]] == [151, 151], flow["runs"]
    assert flow["runs"][0]["max"] == pytest.approx(large["max"]), "the same run, the same flow"
    assert net.evaluate("window.gradscape.stats.started") == started + 1


INKED = """([id, hex]) => {
    const c = document.getElementById(id);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const [r, g, b] = [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
    let n = 0;
    for (let k = 0; k < d.length; k += 4) {
        const off = Math.abs(d[k] - r) + Math.abs(d[k + 1] - g) + Math.abs(d[k + 2] - b);
        if (d[k + 3] > 100 && off < 60) n++;
    }
    return n;
}"""


def test_the_descent_view_draws_the_gradient_flow_and_how_far_each_run_departs(fresh_app) -> None:
    """On the ravine, a small lr follows the flow's path and a large one (lr x kappa = 1.9)
    zig-zags across it: the chart's distances say so; the path is drawn, and hidden on request."""
    app = fresh_app.open(
        "surface=ravine&start=-2,1&run=sgd,lr=0.005&run=sgd,lr=0.19&steps=200&speed=0"
    )
    app.page.wait_for_function("() => gradscape.play === 'done' && gradscape.flow().points > 0")
    flow = app.js("() => gradscape.flow()")
    assert flow["requests"] == 1 and flow["points"] == 400
    small, large = flow["runs"]
    assert small["n"] == large["n"] == 201
    assert small["max"] < 0.05 < 0.5 < large["max"], (small["max"], large["max"])
    app.settle()
    assert app.js(INKED, ["reference", "#343a40"]) > 50, "the flow's dashed path is on the map"
    assert app.js("() => document.getElementById('flow-chart').hidden") is False
    shot = app.shot("descent-gradient-flow")
    assert shot.exists()

    app.page.click("#show-flow")
    app.page.wait_for_function("() => document.getElementById('flow-chart').hidden")
    app.settle()
    assert app.js(INKED, ["reference", "#343a40"]) == 0
    assert "flow=0" in app.js("() => gradscape.link()")
    app.assert_clean()


def test_the_quadratic_model_at_the_head_shows_the_overshoot(fresh_app) -> None:
    """On the ravine (curvatures 10 and 1) at lr 0.19: lr x lambda_max = 1.9, so the plain
    step overshoots the model's minimum along the sharpest direction and lands closer to it."""
    app = fresh_app.open("surface=ravine&start=-2,1&run=sgd,lr=0.19&steps=3&speed=0&quad=1")
    app.page.wait_for_function("() => gradscape.play === 'done' && gradscape.model() !== null")
    model = app.js("() => gradscape.model()")
    assert model["values"][0] == pytest.approx(10, rel=0.01)
    assert model["values"][1] == pytest.approx(1, rel=0.01)
    assert model["lrLambda"] == pytest.approx(1.9, rel=0.01)
    assert model["minimum"] == pytest.approx([0, 0], abs=0.02), "a quadratic's model is itself"
    assert "between 1 and 2" in model["note"] and "overshoots" in model["note"]
    assert app.page.locator("#model-note").is_visible()
    assert app.js(INKED, ["reference", "#0b7285"]) > 100, "the model's contours are drawn"
    assert app.page.is_checked("#show-quad")
    found = violations(app.page)
    assert not found, report(found)
    app.shot("descent-quadratic-model")
    app.page.click("#show-quad")
    app.page.wait_for_function("() => document.getElementById('model-note').hidden")
    assert "quad=1" not in app.js("() => gradscape.link()")
    app.assert_clean()
