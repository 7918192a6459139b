"""The descent view (/) in Chromium: runs, live learning-rate changes, presets, URL state, the map,
custom formulas, presentation mode and keys, 3D, exports, and a lost connection."""

from __future__ import annotations

import csv
import json
import math
import re

import pytest

from app.config import Settings
from app.main import create_app
from tests.browser.conftest import App, api, free_port, serve_on

pytestmark = pytest.mark.browser

CARD = ".run-card[data-run='{}']"


def assert_fits(app: App) -> None:
    """1280x720 (a projector): no page scrolling, no toolbar overflowing."""
    sizes = app.js("""() => ({
        w: document.scrollingElement.scrollWidth, h: document.scrollingElement.scrollHeight,
        bars: [...document.querySelectorAll('.bar')].map(b => b.scrollWidth - b.clientWidth)})""")
    assert sizes["w"] <= 1280 and sizes["h"] <= 720, sizes
    assert max(sizes["bars"]) <= 0, f"a toolbar overflows: {sizes['bars']}"


def test_page_loads_lists_the_registries_and_fits_a_projector(fresh_app: App, server) -> None:
    app = fresh_app.open()
    page = app.page
    surfaces = api(server, "/api/surfaces")
    optimizers = api(server, "/api/optimizers")
    # Surfaces and optimizers come from the API (plus the custom formula), not from a JS copy.
    options = page.eval_on_selector_all("#surface option", "os => os.map(o => o.value)")
    assert options == [s["id"] for s in surfaces] + ["custom"]
    opt_options = page.eval_on_selector_all(f"{CARD.format(0)} select.optimizer option",
                                            "os => os.map(o => o.value)")
    # ... only those a surface run can serve (no Muon), grouped by the API's families
    families: dict[str, list[str]] = {}
    for o in optimizers:
        if "surface" in o["run_kinds"]:
            families.setdefault(o["family"], []).append(o["id"])
    assert opt_options == [i for ids in families.values() for i in ids]
    groups = page.eval_on_selector_all(f"{CARD.format(0)} select.optimizer optgroup",
                                       "gs => gs.map(g => g.label)")
    assert groups == list(families)
    assert page.locator("#presets button").count() == 7
    page.click("#play")  # a first visit waits for the first Play
    page.mouse.move(2, 715)
    # The update rule is typeset (no MathJax): Greek letters, not LaTeX source.
    app.wait("(runs) => runs.every(r => r.n > 3)")
    page.wait_for_function("() => document.querySelector('#inside-eq').textContent.includes('θ')")
    assert "\\theta" not in page.inner_text("#inside-eq")

    # 1280x720: nothing needed is cut off or needs scrolling.
    assert_fits(app)
    for selector in ["#play", "#step", "#reset", "#speed", "#present", "#export-json",
                     "#copy-link", CARD.format(0), CARD.format(1), "#contour", "#inside",
                     "#loss-chart", "#gnorm-chart", "#presets button:last-child"]:
        box = page.locator(selector).bounding_box()
        assert box and box["x"] >= 0 and box["y"] >= 0, selector
        assert box["x"] + box["width"] <= 1280 and box["y"] + box["height"] <= 720, (selector, box)

    # Hover help: a control explains itself; the optimizer select carries the API's description.
    page.hover("#play")
    page.wait_for_selector("#tooltip:not([hidden])")
    assert "Space" in page.inner_text("#tooltip")
    page.hover(f"{CARD.format(1)} select.optimizer")
    adam = next(o for o in optimizers if o["id"] == "adam")
    page.wait_for_function("(d) => document.querySelector('#tooltip').textContent.includes(d)",
                           arg=adam["description"])
    app.shot("loaded")
    app.assert_clean()


def test_default_comparison_runs_and_both_paths_grow(app: App) -> None:
    app.navigate("")
    state = app.state()
    assert [r["optimizer"] for r in state["runs"]] == ["sgd", "adam"]
    assert state["surface"] == "rosenbrock" and state["view"] == "contour"
    app.wait("(runs) => runs.length === 2 && runs.every(r => r.n > 20)")
    first = [r["n"] for r in app.runs()]
    app.wait("(runs, s, first) => runs.every((r, i) => r.n > first[i] + 30)", first)
    runs = app.runs()
    assert all(r["status"] == "running" for r in runs)
    assert runs[0]["head"] != runs[1]["head"]
    # Both paths are really on screen: their canvas layers have painted pixels.
    inked = app.js("() => gradscape.inked()")
    assert len(inked) >= 2 and all(n > 50 for n in inked[:2]), inked
    stats = app.js("() => gradscape.stats")
    assert stats["draws"] > 5 and stats["firstPathAt"] is not None
    # Run to the end at full speed for a picture of the whole comparison.
    app.page.select_option("#speed", "0")
    app.wait("(runs) => runs.every(r => r.status === 'done')")
    app.page.select_option("#speed", "100")
    app.settle()  # the charts redraw a few times a second
    app.shot("default-view")
    app.assert_clean()


def test_learning_rate_changes_mid_run(app: App) -> None:
    app.navigate("speed=30&steps=4000")
    app.wait("(runs) => runs.every(r => r.n > 10)")
    card0 = app.page.locator(CARD.format(0))
    assert card0.locator(".lr-effect").inner_text() == "0.001"
    # The number box, while playing: the server applies it from the next step.
    card0.locator(".lr-box").fill("0.0005")
    app.wait("(runs) => runs[0].lastLrs.length === 5 && runs[0].lastLrs.every(lr => lr === 0.0005)")
    assert app.js("() => gradscape.play") == "running"
    lrs = [row[6] for row in app.js("() => gradscape.path(0)")]
    assert lrs[0] is None and lrs[1] == 0.001  # step 0 has no lr; the first steps used the old one
    changed_at = lrs.index(0.0005)
    assert changed_at > 5 and all(lr == 0.0005 for lr in lrs[changed_at:])
    app.page.wait_for_function("(s) => document.querySelector(s).textContent === '5e-4'",
                               arg=f"{CARD.format(0)} .lr-effect")
    # The other run is untouched.
    assert app.runs()[1]["lastLrs"][-1] == 0.05
    # The slider of run 2 (log scale), dragged by a user: an input event with a new position.
    app.page.locator(f"{CARD.format(1)} .lr-range").evaluate(
        "(el) => { el.value = String(Math.log10(0.02));"
        " el.dispatchEvent(new Event('input', {bubbles: true})); }")
    app.wait("(runs) => runs[1].lastLrs.length === 5 && runs[1].lastLrs.every(lr => lr === 0.02)")
    # the card's readout follows at its next refresh (a few times a second)
    app.page.wait_for_function("(s) => document.querySelector(s).textContent === '0.02'",
                               arg=f"{CARD.format(1)} .lr-effect")
    assert [r["lr"] for r in app.state()["runs"]] == [0.0005, 0.02]  # the URL state follows
    app.assert_clean()


def test_overshoot_preset_diverges_with_a_badge_and_the_other_run_goes_on(app: App) -> None:
    app.navigate("")
    app.page.click("[data-preset=overshoot]")
    state = app.state()
    assert state["surface"] == "ravine" and [r["lr"] for r in state["runs"]] == [0.19, 0.21]
    app.wait("(runs) => runs.length === 2 && runs.every(r => r.n > 2 && r.lambda0 === 10)")
    # lr x lambda_max readouts: 1.9 is under the edge, 2.1 over it.
    edge = [app.page.locator(f"{CARD.format(i)} .edge-value") for i in (0, 1)]
    assert edge[0].inner_text() == "1.9" and "over" not in (edge[0].get_attribute("class") or "")
    assert edge[1].inner_text() == "2.1" and "over" in edge[1].get_attribute("class")
    assert app.page.locator(f"{CARD.format(1)} .over-flag").inner_text() == "overshoot"
    app.page.select_option("#speed", "0")
    badge = app.page.locator(f"{CARD.format(1)} .badge.diverged")
    badge.wait_for()
    app.page.wait_for_function(
        "(b) => document.querySelector(b).textContent.includes('learning rate')",
        arg=f"{CARD.format(1)} .badge.diverged")
    text = badge.inner_text()
    assert re.match(r"Diverged at step \d+: .*learning rate too large", text), text
    assert "diverged at step" in app.page.inner_text("#badges")
    app.wait("(runs) => runs[0].status === 'done' && runs[0].n === 81")  # run 1 went on
    diverged = app.runs()[1]
    assert diverged["status"] == "diverged" and diverged["divergedAt"] > 10
    app.shot("overshoot")
    # "Set lr to the edge": 2 / lambda_max at the start point (the valley: lambda_max = 10).
    app.page.click(f"{CARD.format(0)} .edge-button")
    app.wait("(runs, s) => s.runs[0].lr === 0.2")
    app.assert_clean()


def test_url_round_trip_restores_the_state(app: App, browser_context) -> None:
    hash_ = ("surface=ravine&condition=20&angle=45&start=-3,1.5&steps=400&speed=30"
             "&show=grad,state&sel=1&run=sgd,lr=0.02,color=e8590c"
             "&run=adam,lr=0.1,beta1=0.8,sched=cosine,sched.T_max=200,noise=0.5,seed=7,color=2f9e44")
    app.navigate(hash_)
    state = app.state()
    assert state["surface"] == "ravine" and state["params"] == {"condition": 20, "angle": 45}
    assert state["start"] == [-3, 1.5] and state["steps"] == 400 and state["speed"] == 30
    assert state["show"] == ["grad", "state"] and state["sel"] == 1
    assert state["runs"][1] == {
        "optimizer": "adam", "lr": 0.1, "hp": {"beta1": 0.8}, "noise": 0.5, "seed": 7,
        "schedule": {"kind": "cosine", "T_max": 200}, "color": "#2f9e44"}
    assert_fits(app)  # with the ravine's own controls in the toolbar
    page = app.page
    assert page.input_value("#surface") == "ravine" and page.input_value("#steps") == "400"
    assert page.is_checked("#show-grad") and page.is_checked("#show-state")
    assert not page.is_checked("#show-update")
    assert page.input_value(f"{CARD.format(1)} select.optimizer") == "adam"
    assert page.input_value(f"{CARD.format(1)} .lr-box") == "0.1"
    assert "selected" in page.get_attribute(CARD.format(1), "class")
    # The server got it: the runs start at the link's start point.
    app.wait("(runs) => runs.every(r => r.n > 3)")
    assert app.js("() => gradscape.path(0)[0]")[1:3] == [-3, 1.5]
    # A change through the UI lands in the URL; the link reopens the same view.
    page.uncheck("#show-grad")
    page.wait_for_function(
        "() => location.hash.includes('show=state') && !location.hash.includes('grad')")
    link = app.js("() => gradscape.link()")
    expected = app.state()
    other = App(browser_context.new_page(), app.base_url)
    try:
        other.page.goto(link)
        other.page.wait_for_function("() => window.gradscape !== undefined")
        assert other.state() == expected
        other.wait("(runs) => runs.length === 2 && runs.every(r => r.n > 1)")
        other.assert_clean()
    finally:
        other.page.close()
    app.assert_clean()


def test_runs_are_added_removed_and_configured_from_the_api_spec(app: App, server) -> None:
    app.navigate("speed=20&steps=3000")
    page = app.page
    app.wait("(runs) => runs.length === 2 && runs.every(r => r.n > 2)")
    page.click("#add-run")
    app.wait("(runs, s) => s.runs.length === 3 && runs.length === 3 && runs.every(r => r.n > 2)")
    assert page.locator(".run-card").count() == 3 and app.state()["sel"] == 2
    # The settings of a run are built from GET /api/optimizers and /api/schedules.
    adam = next(o for o in api(server, "/api/optimizers") if o["id"] == "adam")
    card = page.locator(CARD.format(1))
    card.locator("button[aria-label='Run 2 settings']").click()
    names = card.locator(".details input[data-name]").evaluate_all(
        "xs => xs.map(x => x.dataset.name)")
    assert names == [k for k in adam["hyperparameters"] if k != "lr"]
    kinds = card.locator(".details select option").evaluate_all("os => os.map(o => o.value)")
    assert kinds == [s["id"] for s in api(server, "/api/schedules")]
    # A hyperparameter changed while running goes to the server as a live change.
    beta1 = card.locator(".details input[data-name='beta1']")
    beta1.fill("0.5")
    beta1.press("Enter")
    app.wait("(runs, s) => s.runs[1].hp.beta1 === 0.5")
    assert app.js("() => gradscape.play") == "running"
    # A schedule is a new run (the server cannot change it live): the runs start over.
    starts = app.js("() => gradscape.stats.starts")
    card.locator(".details select").select_option("cosine")
    page.wait_for_function("(n) => gradscape.stats.starts > n", arg=starts)
    assert app.state()["runs"][1]["schedule"] == {"kind": "cosine"}
    page.click("button[aria-label='Remove run 3']")
    app.wait("(runs, s) => s.runs.length === 2 && runs.length === 2 && runs.every(r => r.n > 2)")
    assert page.locator(".run-card").count() == 2
    app.assert_clean()


def test_a_click_on_the_map_sets_the_start_point(app: App) -> None:
    app.navigate("surface=bowl&speed=20")
    app.wait("(runs) => runs.every(r => r.n > 2)")
    x, y = app.js("() => gradscape.pixelOf(1.0, -1.5)")
    app.page.mouse.click(x, y)
    app.wait("(runs, s) => s.start && Math.abs(s.start[0] - 1) < 0.03"
             " && Math.abs(s.start[1] + 1.5) < 0.03")
    start = app.state()["start"]
    # The runs restarted from there.
    app.wait("(runs, s) => runs.every(r => r.n > 2)")
    assert app.js("() => gradscape.path(0)[0]")[1:3] == start
    assert app.js("() => gradscape.path(1)[0]")[1:3] == start
    assert "click the map" in app.page.inner_text("#start-info")
    app.assert_clean()


def test_custom_function_error_is_shown_inline_at_its_position(app: App) -> None:
    app.navigate("")
    page = app.page
    page.select_option("#surface", "custom")
    page.wait_for_selector("#custom-form:not([hidden])")
    app.wait("(runs, s) => s.surface === 'custom'")  # the example formula is drawn
    example = app.state()["expr"]
    page.fill("#expr", "x + foo(y)")
    page.press("#expr", "Enter")
    error = page.locator("#expr-error")
    error.wait_for()
    text = error.inner_text()
    assert "unknown function 'foo'" in text and "position 4" in text
    assert page.inner_text("#expr-error mark") == "foo"  # the offending token, marked in place
    assert page.inner_text("#expr-error .caret") == "    ^"
    assert page.get_attribute("#expr", "aria-invalid") == "true"
    box = page.locator("#expr").bounding_box()
    err_box = error.bounding_box()
    # right under the box
    assert abs(err_box["x"] - box["x"]) < 120
    assert 0 <= err_box["y"] - (box["y"] + box["height"]) < 30
    assert_fits(app)  # the formula box fits in the toolbar too
    assert app.state()["expr"] == example  # a refused formula changes nothing
    page.fill("#expr", "x**2 + 3*y**2")
    assert not error.is_visible()  # typing clears it
    page.press("#expr", "Enter")
    app.wait("(runs, s) => s.expr === 'x**2 + 3*y**2'")
    app.wait("(runs) => runs.every(r => r.n > 2)")
    app.shot("custom")
    app.assert_clean()


def test_presentation_mode_and_keyboard_shortcuts(app: App) -> None:
    app.navigate("speed=20&steps=3000")
    page = app.page
    app.wait("(runs) => runs.every(r => r.n > 3)")
    font = "() => parseFloat(getComputedStyle(document.querySelector('.run-card')).fontSize)"
    small = app.js(font)
    page.click("#present")
    page.wait_for_function("() => document.body.classList.contains('presenting')")
    # the step's insides and secondary controls go; a compact loss chart stays (issue #13)
    assert page.locator("#inside").is_hidden() and page.locator("#gnorm-chart").is_hidden()
    assert page.locator("#steps").is_hidden() and page.locator("#loss-chart").is_visible()
    big = app.js(font)
    assert big >= small * 1.3
    assert app.state()["present"] is True
    app.shot("presentation")
    page.keyboard.press("p")
    page.wait_for_function("() => !document.body.classList.contains('presenting')")
    page.keyboard.press("p")
    page.wait_for_function("() => document.body.classList.contains('presenting')")
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.body.classList.contains('presenting')")

    page.mouse.click(640, 30)  # focus on the page, not a field
    page.keyboard.press("Space")
    page.wait_for_function("() => gradscape.play === 'paused'")
    # The page stops at once; the first Step also shows what the server computed meanwhile.
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(400)
    n = app.runs()[0]["n"]
    page.keyboard.press("ArrowRight")
    app.wait("(runs, s, n) => runs.every(r => r.n === n + 1)", n)
    page.keyboard.press("r")
    app.wait("(runs) => runs.every(r => r.n === 1)")
    page.keyboard.press("ArrowRight")
    app.wait("(runs) => runs.every(r => r.n === 2)")
    # Keys typed into a field are the field's: no reset, no play.
    page.click("#steps")
    page.keyboard.press("r")
    page.keyboard.press("Space")
    page.wait_for_timeout(300)
    assert [r["n"] for r in app.runs()] == [2, 2] and app.js("() => gradscape.play") == "paused"
    # Up / Down: the selected run's learning rate, x1.25 and /1.25.
    page.mouse.click(640, 30)
    page.keyboard.press("ArrowUp")
    app.wait("(runs, s) => s.runs[0].lr === 0.00125")
    page.keyboard.press("ArrowDown")
    app.wait("(runs, s) => s.runs[0].lr === 0.001")
    page.keyboard.press("Space")
    page.wait_for_function("() => gradscape.play === 'running'")
    app.assert_clean()


def test_3d_view_keeps_the_runs(app: App) -> None:
    app.navigate("speed=60&steps=5000")
    page = app.page
    app.wait("(runs) => runs.every(r => r.n > 20)")
    head = app.js("() => gradscape.path(0).slice(0, 5)")
    n0 = app.runs()[0]["n"]
    page.click("[data-view='3d']")
    page.wait_for_selector("#surface3d canvas")
    page.wait_for_function(
        "() => { const d = document.querySelector('#surface3d').data;"
        " return d && d.some(t => t.type === 'surface') && d.filter(t => t.type === 'scatter3d'"
        " && t.mode === 'lines' && t.x.length > 20).length >= 2; }")
    assert page.locator("#contour").is_hidden()
    app.wait("(runs, s, n0) => runs.every(r => r.n > n0 + 20)", n0)
    assert app.js("() => gradscape.path(0).slice(0, 5)") == head  # the same runs, not restarted
    canvases = app.js("() => document.querySelectorAll('#surface3d canvas').length")
    app.shot("view-3d")
    page.click("[data-view='contour']")
    page.wait_for_selector("#contour", state="visible")
    page.click("[data-view='3d']")
    page.wait_for_timeout(300)
    # One WebGL scene, reused: switching back and forth adds no canvas (no new context).
    assert app.js("() => document.querySelectorAll('#surface3d canvas').length") == canvases
    page.click("[data-view='contour']")
    app.wait("(runs, s, n0) => runs.every(r => r.n > n0 + 40)", n0)
    assert all(n > 50 for n in app.js("() => gradscape.inked()")[:2])
    assert app.js("() => gradscape.path(0).slice(0, 5)") == head
    app.assert_clean()


def test_exports_csv_json_png_and_ghosts(app: App) -> None:
    app.navigate("speed=0&steps=150")
    page = app.page
    app.wait("(runs) => runs.every(r => r.status === 'done')")
    total = sum(r["n"] for r in app.runs())
    with page.expect_download() as download:
        page.click("#export-csv")
    path = download.value.path()
    rows = list(csv.reader(open(path, encoding="utf-8")))
    assert rows[0] == ["run", "optimizer", "step", "x", "y", "loss", "grad_x", "grad_y", "lr"]
    assert len(rows) - 1 == total == 2 * 151
    assert rows[1][:3] == ["1", "sgd", "0"] and rows[-1][:3] == ["2", "adam", "150"]
    with page.expect_download() as download:
        page.click("#export-json")
    doc = json.load(open(download.value.path(), encoding="utf-8"))
    assert [len(r["steps"]) for r in doc["runs"]] == [151, 151] and doc["state"]["steps"] == 150
    with page.expect_download() as download:
        page.click("#export-png")
    png = open(download.value.path(), "rb").read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    # Ghosts: keep the paths, change a setting, compare; then clear them.
    page.click("#ghost")
    assert app.js("() => gradscape.ghosts()") == 2
    page.locator(f"{CARD.format(1)} .lr-box").fill("0.01")
    app.wait("(runs, s) => s.runs[1].lr === 0.01")
    page.click("#reset")
    page.click("#play")
    app.wait("(runs) => runs.every(r => r.status === 'done')")
    assert app.js("() => gradscape.ghosts()") == 2
    app.shot("ghosts")
    page.click("#clear-ghosts")
    assert app.js("() => gradscape.ghosts()") == 0
    app.assert_clean()


def test_copy_link_falls_back_to_a_selected_field(app: App) -> None:
    app.navigate("speed=30")
    app.page.click("#copy-link")
    # Headless Chromium without clipboard permission: the link is selected in a field instead.
    app.page.wait_for_selector(".message[data-key='link']")
    field = app.page.locator("#link-field")
    if field.is_visible():
        assert field.input_value() == app.js("() => gradscape.link()")
        assert_fits(app)  # a popover under the button, not a wider toolbar
    app.assert_clean()


def test_a_lost_connection_reconnects(browser_context) -> None:
    port = free_port()
    page = browser_context.new_page()
    app = App(page, f"http://127.0.0.1:{port}")
    # While the server is down the browser itself reports each refused connection.
    app.allowed = ["WebSocket connection to", "ERR_CONNECTION_REFUSED", "Failed to load resource"]
    try:
        with serve_on(create_app(), port):
            app.open("speed=20", wait_map=False)
            app.wait("(runs) => runs.length === 2 && runs.every(r => r.n > 3)")
        page.wait_for_selector(".message.warn[data-key='connection']")
        assert "reconnecting" in page.inner_text(".message[data-key='connection']")
        with serve_on(create_app(), port):
            page.wait_for_selector(".message[data-key='connection']", state="detached",
                                   timeout=20_000)
            app.wait("(runs) => runs.every(r => r.n > 3 && r.status === 'running')")
        app.assert_clean()
    finally:
        page.close()


def test_too_many_sessions_is_said_plainly(browser_context) -> None:
    from websockets.sync.client import connect

    port = free_port()
    with serve_on(create_app(Settings(max_sessions=1)), port):
        # Someone else holds the only session (a script: no Origin header, as the server allows).
        with connect(f"ws://127.0.0.1:{port}/ws") as other:
            assert json.loads(other.recv())["type"] == "welcome"
            app = App(browser_context.new_page(), f"http://127.0.0.1:{port}")
            try:
                app.open("speed=10", wait_map=False)
                message = app.page.locator(".message[data-key='connection']")
                message.wait_for()
                assert "Too many people are connected" in message.inner_text()
                app.assert_clean()
            finally:
                app.page.close()


def test_the_charts_follow_the_runs_to_the_end_and_through_a_restart(app: App) -> None:
    """The loss and gradient-norm charts extend their series as points arrive (not rebuilt each
    time): their last points must be the runs' last points, and start over with the runs."""

    def check(steps: int) -> None:
        app.settle()  # the charts redraw at most every 150 ms
        charts = app.js("() => gradscape.charts()")
        assert len(charts["loss"]) == len(charts["gnorm"]) == 2
        for i in range(2):
            step, _, _, loss, gx, gy, _ = app.js(f"() => gradscape.path({i})")[-1]
            assert step == steps
            assert charts["loss"][i]["last"] == [steps, pytest.approx(loss)]  # f* = 0 on the bowl
            assert charts["gnorm"][i]["last"] == [steps, pytest.approx(math.hypot(gx, gy))]
            assert charts["loss"][i]["n"] == steps + 1  # few enough points to draw them all

    app.navigate("surface=bowl&steps=300&speed=0")
    app.wait("(runs) => runs.length === 2 && runs.every(r => r.status === 'done')")
    check(300)
    app.page.click("#step")  # after the end: the runs start over and take one step
    app.wait("(runs) => runs.every(r => r.n === 2)")
    check(1)
    app.assert_clean()


def test_a_link_out_of_range_opens_with_the_nearest_value_and_says_so(fresh_app: App) -> None:
    # The API's range of the ravine's angle is -90..90 (GET /api/surfaces): 120 would be a 422.
    app = fresh_app.open("surface=ravine&angle=120")
    message = app.page.locator(".message.warn[data-key='param-angle']")
    message.wait_for()
    assert message.inner_text().startswith("angle 120 is outside -90..90: using 90")
    assert app.state()["params"] == {"angle": 90}
    assert "angle=90" in app.js("() => gradscape.link()")
    app.wait("(runs) => runs.length > 0 && runs.every(r => r.n > 3)")  # the server took it
    app.assert_clean()
