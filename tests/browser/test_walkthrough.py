"""What a teacher's walk-through of the pages found (issue 13, part 3), each in a real browser:
a first visit waits for Play, /network pauses at once and keeps its runs, a changed lr on a
finished run is not silently ignored, refused values are said at the box, the overshoot lesson
shows its zig-zag and a run that left the plot, and the backprop page's small frictions."""

from __future__ import annotations

import pytest

from tests.browser.conftest import App, api

pytestmark = pytest.mark.browser


def open_network(app: App, fragment: str = "") -> App:
    app.page.goto(f"{app.base_url}/network{'#' + fragment if fragment else ''}")
    app.page.wait_for_function("() => window.gradscape && window.gradscape.config() !== null")
    return app


def open_backprop(app: App, fragment: str = "") -> App:
    app.page.goto(f"{app.base_url}/backprop{'#' + fragment if fragment else ''}")
    app.page.wait_for_selector("body[data-ready='1']")
    return app


def hint(app: App) -> str:
    box = app.page.locator("[data-key='start-hint']")
    return box.inner_text() if box.count() else ""


# ---- 7. a first visit waits for the first Play ------------------------------------------------

def test_descent_first_visit_waits_for_play_with_a_hint(fresh_app: App) -> None:
    app = fresh_app.open(wait_map=False)
    app.page.wait_for_function("() => gradscape.play === 'paused'")
    assert "Lessons" in hint(app)
    app.page.wait_for_timeout(800)  # a page that plays on its own would be dozens of steps on
    assert app.js("() => gradscape.play") == "paused"
    assert all(r["n"] <= 1 for r in app.runs()), app.runs()
    app.page.click("#play")
    app.wait("(runs) => runs.every(r => r.n > 5)")
    assert hint(app) == ""
    app.assert_clean()


def test_a_link_still_plays_at_once(fresh_app: App) -> None:
    app = fresh_app.open("surface=bowl&speed=50", wait_map=False)
    app.wait("(runs) => runs.length && runs.every(r => r.n > 5)")
    assert hint(app) == ""
    app.assert_clean()


def test_network_first_visit_waits_for_train(fresh_app: App) -> None:
    app = open_network(fresh_app)
    app.page.wait_for_function("() => gradscape.play === 'paused'")
    assert "Train" in hint(app)
    app.page.wait_for_timeout(800)
    assert app.js("() => gradscape.play") == "paused"
    assert all(r["n"] <= 1 for r in app.js("() => gradscape.runs()"))
    app.page.click("#play")
    app.page.wait_for_function("() => gradscape.runs().every(r => r.n > 5)")
    assert hint(app) == ""
    app.assert_clean()


def test_backprop_first_visit_names_click_an_edge(fresh_app: App) -> None:
    app = open_backprop(fresh_app)
    assert "click an edge" in hint(app)
    app.page.click("#next")
    assert hint(app) == ""
    app.assert_clean()


# ---- 4. /network: pause at once, keep the runs when the plane changes -------------------------

def test_network_pauses_at_once_and_goes_on_from_there(fresh_app: App) -> None:
    app = open_network(fresh_app, "speed=100&steps=4000")
    app.page.wait_for_function("() => gradscape.runs().every(r => r.n > 10)")
    # Pause and read the step in the same task: nothing the server still sends is drawn after.
    at = app.js("() => { document.getElementById('play').click();"
                " return gradscape.runs().map(r => r.n); }")
    assert app.page.inner_text("#play") != "Pause"
    app.page.wait_for_function("() => gradscape.stats.frames > 0")
    app.page.wait_for_timeout(900)
    assert [r["n"] for r in app.js("() => gradscape.runs()")] == at
    assert app.js("() => gradscape.play") == "paused"
    app.page.click("#play")
    app.page.wait_for_function("(at) => gradscape.runs().every((r, i) => r.n > at[i] + 5)", arg=at)
    assert app.js("() => gradscape.stats.started") == 1  # the same runs went on
    app.assert_clean()


def test_network_plane_change_keeps_the_runs_and_reprojects_them(fresh_app: App) -> None:
    app = open_network(fresh_app, "speed=40&steps=4000&plane=random")
    app.page.wait_for_function("() => gradscape.runs().every(r => r.n > 15)")
    before = [r["n"] for r in app.js("() => gradscape.runs()")]
    app.page.click("#plane-modes button[data-mode='weights']")
    app.page.wait_for_function("() => gradscape.landscape().mode === 'weights'")
    app.page.wait_for_function(
        "(b) => gradscape.runs().every((r, i) => r.n > b[i] + 10)", arg=before)
    assert app.js("() => gradscape.stats.started") == 1, "the runs were restarted"
    assert "re-projected up to step" in app.js("() => gradscape.landscape().caption")
    # Paused: the slice catches up with the runs (sliced again, to this step).
    fetches = app.js("() => gradscape.landscape().fetches")
    app.page.click("#play")
    app.page.wait_for_function("() => gradscape.play === 'paused'")
    app.page.wait_for_function("(f) => gradscape.landscape().fetches > f", arg=fetches)
    app.assert_clean()


# ---- 2. a new lr on a diverged or finished run is not silently ignored ------------------------

CARD = ".run-card[data-run='{}']"


def test_descent_new_lr_on_a_diverged_run_replays_it(app: App) -> None:
    app.navigate("")
    app.page.click("[data-preset=overshoot]")
    app.page.select_option("#speed", "0")
    app.wait("(runs) => runs.length === 2 && runs[1].status === 'diverged'")
    starts = app.js("() => gradscape.stats.starts")
    app.page.click(f"{CARD.format(1)} .edge-button")  # 2/λ: lr = 2/10
    app.page.wait_for_function("(n) => gradscape.stats.starts > n", arg=starts)
    note = app.page.locator("[data-key='replay']").inner_text()
    assert "Run 2 had diverged" in note and "run 2 with lr = 0.2." in note, note
    app.wait("(runs) => runs[1].n > 12 && runs[1].lastLrs.every(lr => lr === 0.2)")
    assert app.runs()[1]["status"] != "diverged"
    app.assert_clean()


def test_descent_new_lr_on_finished_runs_replays_them(app: App) -> None:
    app.navigate("surface=bowl&steps=30&speed=0")
    app.wait("(runs, s) => gradscape.play === 'done'")
    starts = app.js("() => gradscape.stats.starts")
    app.page.locator(f"{CARD.format(0)} .lr-box").fill("0.25")
    app.page.wait_for_function("(n) => gradscape.stats.starts > n", arg=starts)
    assert "had finished" in app.page.locator("[data-key='replay']").inner_text()
    app.wait("(runs) => runs[0].n > 5 && runs[0].lastLrs.every(lr => lr === 0.25)")
    app.assert_clean()


def test_network_new_lr_on_finished_runs_replays_them(fresh_app: App) -> None:
    app = open_network(fresh_app, "speed=0&steps=40")
    app.page.wait_for_function("() => gradscape.play === 'done'")
    started = app.js("() => gradscape.stats.started")
    app.page.locator(".run-card .lr-box").first.fill("0.05")
    app.page.keyboard.press("Enter")
    app.page.wait_for_function("(n) => gradscape.stats.started > n", arg=started)
    assert "had finished" in app.page.locator("[data-key='replay']").inner_text()
    app.page.wait_for_function("() => gradscape.runs()[0].lastLrs.every(lr => lr === 0.05)"
                               " && gradscape.runs()[0].n > 5")
    app.assert_clean()


# ---- 3. a value out of range is refused in words at its box, with the value in use ------------

def note_under(app: App, selector: str) -> str:
    """The field note a refused value left under an input (shared/field-note.js)."""
    return app.js("(s) => { const id = document.querySelector(s).getAttribute('aria-describedby');"
                  " return id ? document.getElementById(id).textContent : ''; }", selector)


def test_descent_lr_box_refuses_100_and_0_in_words(app: App, server) -> None:
    sgd = next(o for o in api(server, "/api/optimizers") if o["id"] == "sgd")
    lr = sgd["hyperparameters"]["lr"]
    app.navigate("speed=5&steps=2000")
    box = f"{CARD.format(0)} .lr-box"
    for typed in ("100", "0"):
        app.page.fill(box, typed)
        note = note_under(app, box)
        # the API's limits (1e-6 to 10), what was typed, and the value in use
        assert f"lr is from {lr['min']:.0e}".replace("e-0", "e-") in note and "10" in note, note
        assert f"{typed} is out of range" in note and "0.001 is in use" in note, note
        app.page.press(box, "Enter")
        assert app.page.input_value(box) == "0.001"  # the box shows what is in effect
        assert app.state()["runs"][0]["lr"] == 0.001
    app.page.fill(box, "0.002")
    assert note_under(app, box) == "" and app.page.get_attribute(box, "aria-invalid") is None
    app.wait("(runs, s) => s.runs[0].lr === 0.002")
    app.assert_clean()


def test_descent_hyperparameter_and_steps_refusals_say_the_limit(app: App) -> None:
    app.navigate("speed=5&steps=2000")
    app.page.get_by_role("button", name="Run 2 settings").click()
    box = f"{CARD.format(1)} .details input[type=number]"
    first = app.page.locator(box).first
    before = first.input_value()
    first.fill("1e9")
    first.press("Enter")
    selector = f"{CARD.format(1)} .details input[aria-invalid=true]"
    note = note_under(app, selector)
    assert "1e9 is out of range" in note and "is in use" in note, note
    assert first.input_value() == before
    app.page.fill("#steps", "999999")
    app.page.press("#steps", "Enter")
    text = app.page.locator("[data-key='field-steps']").inner_text()
    assert "Steps is a whole number from 1 to 20000" in text and "2000 is in use" in text, text
    assert app.page.input_value("#steps") == "2000"
    app.assert_clean()


def test_network_batch_size_out_of_range_says_the_limit(fresh_app: App) -> None:
    app = open_network(fresh_app, "speed=5&steps=200")
    limit = app.js("() => Number(document.querySelector('.run-card .batch').max)")
    app.page.fill(".run-card .batch >> nth=0", str(limit + 1))
    app.page.press(".run-card .batch >> nth=0", "Enter")
    note = note_under(app, ".run-card .batch")
    assert f"batch size is a whole number from 1 to {limit}" in note, note
    assert app.page.input_value(".run-card .batch >> nth=0") == ""
    app.assert_clean()


# ---- 5. the tooltip, log(x), Adam's flag, Play with no runs -----------------------------------

def test_the_maps_hover_help_does_not_cover_the_toolbar(app: App) -> None:
    app.navigate("surface=bowl&speed=5")
    box = app.page.locator("#plot-wrap").bounding_box()
    app.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    app.page.wait_for_selector("#tooltip:not([hidden])")
    overlap = app.js("""() => {
        const t = document.getElementById('tooltip').getBoundingClientRect();
        return [...document.querySelectorAll('.bar')].some((b) => {
          const r = b.getBoundingClientRect();
          return t.left < r.right && r.left < t.right && t.top < r.bottom && r.top < t.bottom;
        }); }""")
    assert not overlap, "the map's tooltip covers a toolbar"
    assert "Click anywhere" in app.page.inner_text("#tooltip")
    app.assert_clean()


def test_a_start_where_log_is_undefined_says_so(app: App) -> None:
    expr = app.js("() => encodeURIComponent('log(x) + y**2')")
    app.navigate(f"surface=custom&expr={expr}&start=-1,0.5&run=sgd,lr=0.01&speed=20")
    app.wait("(runs) => runs.length && runs[0].status === 'diverged' && runs[0].reason")
    reason = app.runs()[0]["reason"]
    assert "undefined at the start point (-1, 0.5)" in reason and "learning rate" not in reason
    # the card says it at its next update (a few times a second)
    badge = app.page.locator(f"{CARD.format(0)} .badge.diverged")
    badge.filter(has_text="formula is undefined").wait_for()
    assert badge.inner_text().startswith("Diverged at step "), badge.inner_text()
    app.assert_clean()


def test_adam_gets_no_overshoot_flag_at_step_0(app: App) -> None:
    # The bowl's curvature is 1 everywhere: lr x lambda_max is 2.1 and 2.5.
    app.navigate("surface=bowl&run=sgd,lr=2.1&run=adam,lr=2.5&speed=5&steps=3000")
    app.wait("(runs) => runs.every(r => r.n > 3)")
    app.page.mouse.click(640, 30)
    app.page.keyboard.press("r")  # back to step 0, paused
    app.wait("(runs) => runs.every(r => r.n === 1)")
    app.settle()  # the cards refresh a few times a second
    for i in (0, 1):
        edge = app.page.locator(f"{CARD.format(i)} .edge-value")
        assert float(edge.inner_text()) > 2
        assert "over" not in (edge.get_attribute("class") or "").split()
        assert app.page.locator(f"{CARD.format(i)} .over-flag").is_hidden()
    # One step on: SGD is flagged red, Adam only with the grey hint (the rule is plain GD's).
    app.page.keyboard.press("ArrowRight")
    app.wait("(runs) => runs.every(r => r.n === 2)")
    app.page.wait_for_function("(s) => !document.querySelector(s).hidden",
                               arg=f"{CARD.format(0)} .over-flag")
    assert app.page.locator(f"{CARD.format(0)} .over-flag").inner_text() == "overshoot"
    adam = app.page.locator(f"{CARD.format(1)} .over-flag")
    assert "hint" in adam.get_attribute("class") and adam.inner_text() == "> 2"
    app.assert_clean()


def test_play_with_no_runs_says_so(app: App) -> None:
    app.navigate("surface=bowl&speed=5")
    app.page.click(f"{CARD.format(1)} button[aria-label='Remove run 2']")
    app.page.click(f"{CARD.format(0)} button[aria-label='Remove run 1']")
    app.page.wait_for_function("() => gradscape.state.runs.length === 0")
    app.page.click("#play")
    assert "No runs to play" in app.page.locator("[data-key='no-runs']").inner_text()
    app.assert_clean()


# ---- 1. the overshoot lesson: a zig-zag to see, and a run that left the plot -------------------

def test_overshoot_lesson_zigzags_and_marks_a_run_that_left_the_plot(app: App) -> None:
    app.navigate("")
    starts = app.js("() => gradscape.stats.starts")
    app.page.click("[data-preset=overshoot]")
    # the lesson's runs, not the default view's two (which may reach step 8 before the lesson's
    # surface has loaded)
    app.page.wait_for_function("(n) => gradscape.stats.starts > n", arg=starts)
    app.wait("(runs) => runs.length === 2 && runs.every(r => r.n > 8)")
    paths = [app.js("(i) => gradscape.path(i)", i) for i in (0, 1)]
    for rows in paths:
        xs = [row[1] for row in rows[:8]]
        ys = [row[2] for row in rows[:8]]
        assert all(b > a for a, b in zip(xs, xs[1:], strict=False)), xs  # down the valley...
        assert all(a * b < 0 for a, b in zip(ys, ys[1:], strict=False)), ys  # ...from wall to wall
    # The two runs are apart: one closes in, the other swings out.
    assert abs(paths[0][7][2]) < abs(paths[0][1][2]) and abs(paths[1][7][2]) > abs(paths[1][1][2])
    # Once the lr 0.21 run has left the plot (around step 17), an arrow at the edge marks it
    # until it is called diverged.
    app.wait("(runs) => runs[1].n > 20 && runs[1].status === 'running'")
    app.page.wait_for_function("() => gradscape.offPlot().some(o => o.run === 1)")
    assert app.runs()[1]["status"] == "running"
    edge = next(o for o in app.js("() => gradscape.offPlot()") if o["run"] == 1)
    wrap = app.page.locator("#plot-wrap").bounding_box()
    x, y = edge["at"]
    assert 0 <= x <= wrap["width"] and 0 <= y <= wrap["height"], edge
    assert all(o["run"] != 0 for o in app.js("() => gradscape.offPlot()"))
    app.shot("overshoot-left-the-plot")
    app.assert_clean()


# ---- 6. /backprop: Esc, units from 1, plain words, what a gradient means ----------------------

def post(server, path: str, body: dict) -> tuple[int, dict]:
    import json
    from urllib.error import HTTPError
    from urllib.request import Request, urlopen

    request = Request(f"{server.url}{path}", data=json.dumps(body).encode(),
                      headers={"Content-Type": "application/json"})
    try:
        with urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except HTTPError as err:
        return err.code, json.load(err)


def test_backprop_esc_leaves_present_mode(fresh_app: App) -> None:
    app = open_backprop(fresh_app, "#step=3")
    app.page.keyboard.press("p")
    app.page.wait_for_function("() => document.body.classList.contains('presenting')")
    app.page.keyboard.press("Escape")
    app.page.wait_for_function("() => !document.body.classList.contains('presenting')")
    app.assert_clean()


def test_backprop_numbers_units_from_1_in_the_drawing_and_the_text(fresh_app: App) -> None:
    app = open_backprop(fresh_app, "#step=9")
    tip = app.page.get_attribute('.net .hit[data-w="2,1,0"]', "data-tip")
    assert tip.startswith("W₂[2,1] =") and "from a₁[1] into unit 2 of layer 2" in tip, tip
    first = app.page.locator(".net [data-layer='0'][data-unit='0']").get_attribute("data-tip")
    assert first.startswith("Input x[1] ="), first
    cols = app.page.locator(".step-mats .idx-col").all_inner_texts()
    assert cols and cols[0] == "1" and "0" not in cols, cols
    app.page.click('.step-mats .cell[data-i="0"][data-j="0"] >> nth=0')
    app.page.wait_for_selector("#chain:not([hidden]) .chain-product")
    head = app.page.inner_text("#chain h2").replace("\n", "")
    where = app.page.inner_text("#chain .chain-where")
    assert "[1,1]" in head and "unit 1 of layer" in where, (head, where)
    app.assert_clean()


def test_backprop_refusals_are_plain_words(fresh_app: App) -> None:
    app = open_backprop(fresh_app)
    app.allowed = ["status of 422"]  # Chromium logs every refused request
    for typed, words in (("abc", "must be a number"), ("-1", "must be more than 0"),
                         ("50", "must be at most 10")):
        app.page.fill("#lr", typed)
        app.page.press("#lr", "Enter")
        app.page.wait_for_function(
            "(w) => document.querySelector('#lr-error').textContent.includes(w)", arg=words)
        assert "Input should" not in app.page.inner_text("#lr-error")
    app.assert_clean()


def test_backprop_chain_card_says_what_a_nudge_does_and_it_is_true(fresh_app: App, server) -> None:
    app = open_backprop(fresh_app, "#step=12&w=2,1,0")
    sentence = app.page.locator("#chain .chain-nudge")
    sentence.wait_for()
    text = sentence.inner_text()
    assert text.startswith("Nudging this weight up by 0.01 changes the loss by about"), text
    predicted = float(sentence.get_attribute("data-change"))
    # The oracle: the same network with that weight really nudged, evaluated by the server.
    _, trace = post(server, "/api/mlp/backprop", {"example": "classic"})
    layers = [{"W": [row[:] for row in layer["W"]], "b": layer["b"][:],
               "activation": layer["activation"]} for layer in trace["layers"]]
    layers[-1]["activation"] = None
    body = {"layers": layers, "loss": "cross_entropy", "x": trace["x"], "y": trace["y"]}
    status, same = post(server, "/api/mlp/backprop", body)
    assert status == 200 and same["loss"] == pytest.approx(trace["loss"])
    layers[1]["W"][1][0] += 0.01
    status, nudged = post(server, "/api/mlp/backprop", body)
    assert status == 200
    real = nudged["loss"] - trace["loss"]
    assert predicted == pytest.approx(-0.1)  # 0.01 x the gradient -10
    assert real == pytest.approx(predicted, rel=0.05, abs=1e-4), (real, predicted)
    app.assert_clean()


def test_network_adding_a_run_mid_training_keeps_the_runs(fresh_app: App) -> None:
    # It used to restart every run from step 0; the server now catches the new run up.
    app = open_network(fresh_app, "speed=30&steps=2000")
    app.page.wait_for_function("() => gradscape.runs().every(r => r.n > 5)")
    n = app.page.evaluate("gradscape.runs()[0].n")
    app.page.click("#add-run")
    app.page.wait_for_function("() => gradscape.runs().length === 3 && gradscape.runs()[2].n > 1")
    assert app.page.evaluate("gradscape.runs()[0].n") >= n
    assert app.page.locator("[data-key='add-run']").count() == 0  # nothing to apologise for
    app.assert_clean()
