"""The generalisation lab (issue #17) in a real browser against a real server: the lab's controls
(from GET /api/mlp/options), test points drawn hollow, train and test curves, the unit maps, the
sweep panel, the presets, the exports, and the penalties and dropout on the backprop page.

Every test asserts on the page's data (the read-only hook `window.gradscape`, Plotly's figures,
what the boundary canvas says it shows) and its DOM, waits on conditions, and fails on a console
error or a request leaving the machine.
Screenshots go to tests/artifacts/generalisation/; `make docs-img` (GRADSCAPE_DOCS_IMG=1) writes
them into docs/img/generalisation/ instead (docs/teaching.md shows them).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.axe import report, violations
from tests.browser.test_network import check, navigate, open_page, until, wait_done, watch

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = (ROOT / "docs" / "img" / "generalisation" if os.environ.get("GRADSCAPE_DOCS_IMG")
         else ROOT / "tests" / "artifacts" / "generalisation")


# What the decision boundary's canvas shows (its data- attributes, network/boundary.js).
BOUNDARY = "({ ...(document.querySelector('#boundary .boundary-canvas') || {}).dataset })"
CLASS_COLORS = [(0xF0, 0x8C, 0x00), (0x19, 0x71, 0xC2)]  # network/state.js CLASS_COLORS[0], [1]
PTS = [(-1, -1, 0), (-0.8, -1.2, 0), (-1.2, -0.7, 0), (-0.9, -0.9, 0),
       (1, 1, 1), (0.8, 1.2, 1), (1.2, 0.8, 1), (0.9, 0.9, 1)]
# A data point's pixels on the boundary canvas: at its centre, and 3.5 px right of it (on the
# ring of a hollow marker).
MARKER_PIXELS = """([x, y]) => {
  const c = document.querySelector('#boundary .boundary-canvas');
  const box = document.getElementById('boundary').getBoundingClientRect();
  const [px, py] = gradscape.boundaryPoint(0, x, y);
  const k = c.width / c.clientWidth;
  const ctx = c.getContext('2d');
  const at = (dx) => Array.from(ctx.getImageData(Math.floor((px - box.left + dx) * k),
    Math.floor((py - box.top) * k), 1, 1).data.slice(0, 3));
  return [at(0), at(3.5)];
}"""


def marks(test: list[bool]) -> str:
    """The markers the boundary canvas draws: o for a held-out point (hollow), f filled."""
    return "".join("o" if t else "f" for t in test)


def near(pixel: list[int], colour: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 24 for a, b in zip(pixel, colour, strict=True))


def shot(pg, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.mouse.move(2, 2)  # no tooltip over the picture, nor a message
    pg.evaluate("document.querySelectorAll('#messages .message').forEach((m) => m.remove())")
    pg.wait_for_timeout(100)
    pg.screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.fixture(scope="module")
def lab_page(browser_context, server) -> Iterator:
    """One /network page for the lab's tests (each opens its view as a link in the same tab)."""
    pg = browser_context.new_page()
    app = watch(pg, server.url)
    open_page(pg, "speed=0&steps=5")
    check(app)
    try:
        yield pg
    finally:
        pg.close()


@pytest.fixture()
def lab(lab_page) -> Iterator:
    lab_page.app.begin()
    lab_page.app.outside.clear()
    yield lab_page
    check(lab_page.app)


def options(pg) -> dict:
    return json.loads(pg.evaluate("fetch('/api/mlp/options').then(r => r.text())"))


def test_lab_controls_come_from_the_api_and_travel_in_the_link(lab) -> None:
    """One slider per `generalization` setting, with the API's range and hover text; a change
    restarts the runs with it and the link carries it."""
    gen = options(lab)["generalization"]
    navigate(lab, "speed=0&steps=20")
    wait_done(lab)
    rows = lab.evaluate("""() => [...document.querySelectorAll('#lab-controls .lab-field')]
        .map((r) => {
            const i = r.querySelector('input');
            return { key: r.dataset.key, min: Number(i.min), max: Number(i.max),
                     label: i.getAttribute('aria-label'), tip: r.dataset.tip };
        })""")
    assert [r["key"] for r in rows] == list(gen)
    for r in rows:
        spec = gen[r["key"]]
        assert (r["min"], r["max"], r["label"]) == (spec["min"], spec["max"], spec["label"])
        assert spec["help"] in r["tip"]
    assert lab.evaluate("window.gradscape.lab().runs.every(r => !r.hasTest && !r.hasPenalty)")

    # The keyboard moves a slider; after the pause the runs restart with the value, in the link.
    started = lab.evaluate("window.gradscape.stats.started")
    lab.focus("#lab-l2")
    for _ in range(10):
        lab.keyboard.press("ArrowRight")
    until(lab, f"window.gradscape.stats.started > {started}")
    assert lab.evaluate("window.gradscape.state.l2") == pytest.approx(0.01)
    assert "l2=0.01" in lab.evaluate("window.gradscape.link()")
    wait_done(lab)
    assert lab.evaluate("window.gradscape.lab().data.regularization.l2") == pytest.approx(0.01)
    assert lab.evaluate("window.gradscape.lab().runs.every(r => r.hasPenalty && r.penalty > 0)")


def test_test_points_are_hollow_and_test_curves_dashed(lab) -> None:
    """A held-out set: hollow markers exactly at the test points (training points filled, flipped
    labels only among them), test loss and accuracy dashed beside the training curves, and a dot
    at the best test step the server reports."""
    navigate(lab, "ds=moons&n=80&dseed=2&test=0.4&lnoise=0.2&speed=0&steps=60")
    wait_done(lab)
    data = lab.evaluate("window.gradscape.lab().data")
    test, flipped = data["test"], data["flipped"]
    assert len(test) == 80 and sum(test) == 32  # 40% held out
    assert any(flipped) and not any(f and t for f, t in zip(flipped, test, strict=True))
    until(lab, f"{BOUNDARY}.shows === 'probability' && {BOUNDARY}.marks.length === 80")
    assert lab.evaluate(f"{BOUNDARY}.marks") == marks(test)

    # the charts redraw on the next frame after the last steps arrive
    until(lab, "(c => c.loss.lengths[c.loss.names.indexOf('1. SGD test')] === 61)"
               "(window.gradscape.charts())")
    charts = lab.evaluate("window.gradscape.charts()")
    loss = dict(zip(charts["loss"]["names"], charts["loss"]["dashes"], strict=True))
    assert loss["1. SGD test"] == [3, 3] and loss["1. SGD"] == []  # train solid, test dashed
    assert loss["1. SGD test"] != loss["2. Adam"]  # and unlike any run's own pattern
    assert "test dashed" in charts["loss"]["title"] and "test dashed" in charts["accuracy"]["title"]
    lengths = dict(zip(charts["loss"]["names"], charts["loss"]["lengths"], strict=True))
    assert lengths["1. SGD test"] == 61 and lengths["1. SGD best test"] == 1
    runs = lab.evaluate("window.gradscape.lab().runs")
    for r in runs:
        assert r["hasTest"] and 0 <= r["bestTest"]["step"] <= 60
        assert r["bestTest"]["loss"] <= r["testLoss"] + 1e-12
    assert "2. Adam best test" in charts["accuracy"]["names"]

    # Own points are split the same way (seeded), and drawn hollow where held out.
    pts = ";".join(",".join(str(v) for v in p) for p in PTS)
    navigate(lab, f"pts={pts}&test=0.5&speed=0&steps=10")
    until(lab, "window.gradscape.config().custom === true")
    test = lab.evaluate("window.gradscape.lab().data.test")
    assert len(test) == 8 and sum(test) == 4
    until(lab, f"{BOUNDARY}.marks === {json.dumps(marks(test))}")
    # on the canvas: a held-out point is a ring (its centre shows the fill under it), a
    # training point a disc of its class colour
    for (x, y, c), held in zip(PTS, test, strict=True):
        centre, ring = lab.evaluate(MARKER_PIXELS, [x, y])
        if held:
            assert not near(centre, CLASS_COLORS[c]) and near(ring, CLASS_COLORS[c]), (x, y)
        else:
            assert near(centre, CLASS_COLORS[c]), (x, y)


def test_unit_maps_follow_the_run_and_a_click_outlines_the_units_weights(lab) -> None:
    """One map per hidden unit, drawn from the run's `neurons`; clicking one selects its layer
    in the heatmaps and outlines its row of weights there (keyboard too)."""
    navigate(lab, "hidden=4,3&speed=0&steps=30&side=units")
    wait_done(lab)
    until(lab, "window.gradscape.lab().runs.every(r => r.neuronsStep === 30)")
    until(lab, "window.gradscape.lab().mapsDrawn > 0")
    assert lab.evaluate("document.querySelectorAll('#unit-maps canvas.unit-map').length") == 7
    assert lab.locator("#landscape").is_hidden() and lab.locator("#unit-maps").is_visible()
    grid = lab.evaluate("window.gradscape.lab().neurons")
    assert len(grid["x"]) == len(grid["y"]) >= 3
    # A map is not blank: a tanh unit over the plane takes both signs or at least some colour.
    coloured = lab.evaluate("""() => [...document.querySelectorAll('#unit-maps canvas')]
      .map((c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let k = 0; k < d.length; k += 4) if (d[k] < 250 || d[k + 2] < 250) n++;
        return n; })""")
    assert sum(1 for n in coloured if n > 0) >= 5

    lab.click("canvas.unit-map[data-layer='2'][data-unit='1']")
    assert lab.evaluate("window.gradscape.lab().picked") == {"layer": 2, "unit": 1}
    assert lab.evaluate("window.gradscape.state.layer") == 2
    # W2 (3x4) with its row 1 outlined, as the heatmap canvas says in its text
    until(lab, """/W2 3×4: .*outlined: row 1, the weights into unit 2 of layer 2/.test(
        document.querySelector('#heatmaps canvas').getAttribute('aria-label'))""")
    assert "unit 2 of layer 2" in lab.inner_text("#heatmaps-note")
    unit = "canvas.unit-map[data-layer='2'][data-unit='1']"
    assert lab.get_attribute(unit, "aria-pressed") == "true"
    lab.focus(unit)
    lab.keyboard.press("Enter")  # again: unpicked
    assert lab.evaluate("window.gradscape.lab().picked") is None
    found = violations(lab)
    assert not found, report(found)


def test_sweep_panel_charts_train_and_test_error_and_cancels(lab) -> None:
    """A sweep from the panel: progress to the total, one row per value, train and test error
    charted against the value; a long one is cancelled."""
    # Its own steps (no other link here has 4): a link that differs from the page's only in the
    # view (side=) starts no runs, and `navigate` waits for a start. With steps=5 the test passed
    # only after another's link, never alone (the page opens on speed=0&steps=5).
    navigate(lab, "speed=0&steps=4&side=sweep")
    sweeps = options(lab)["sweeps"]
    listed = "(sel) => [...document.querySelectorAll(sel)].map(o => o.value)"
    assert lab.evaluate(listed, "#sweep-setting option") == list(sweeps["settings"])
    lab.select_option("#sweep-fit", "min_norm")
    lab.fill("#sweep-values", "2, 8, 32")
    lab.click("#sweep-run")
    until(lab, "window.gradscape.lab().sweep.phase === 'done'", timeout=60_000)
    s = lab.evaluate("window.gradscape.lab().sweep")
    assert (s["done"], s["total"], s["points"]) == (3, 3, 3)
    assert [r["value"] for r in s["rows"]] == [2, 8, 32]
    assert all(0 <= r["test_error"] <= 1 and r["n_params"] > 0 for r in s["rows"])
    assert lab.evaluate("document.getElementById('sweep-progress').value") == 3
    assert lab.is_enabled("#sweep-run") and not lab.is_enabled("#sweep-cancel")
    found = violations(lab)
    assert not found, report(found)

    # Bad values are refused on the page, naming what is wrong.
    lab.fill("#sweep-values", "2, x")
    lab.click("#sweep-run")
    assert "not a number" in lab.inner_text("#sweep-status")

    # A long gradient-descent sweep, cancelled once it runs.
    lab.select_option("#sweep-fit", "gd")
    lab.select_option("#sweep-setting", "steps")
    lab.fill("#sweep-values", "3000, 3000, 3000, 3000, 3000, 3000, 3000, 3000")
    lab.fill("#sweep-repeats", "3")
    lab.click("#sweep-run")
    until(lab, "window.gradscape.lab().sweep.phase === 'running'", timeout=30_000)
    lab.click("#sweep-cancel")
    until(lab, "window.gradscape.lab().sweep.phase === 'cancelled'", timeout=30_000)
    s = lab.evaluate("window.gradscape.lab().sweep")
    assert s["done"] < s["total"] == 24
    assert "cancelled" in s["status"]


def test_double_descent_preset_peaks_at_the_interpolation_threshold(lab) -> None:
    """The preset from GET /api/mlp/presets runs its sweep in the sweep tab: the charted test
    error at width 40 (parameters per class about the training points) is above both ends'."""
    navigate(lab, "speed=0&steps=6")
    until(lab, "window.gradscape.lab().presets.length >= 3")
    presets = json.loads(lab.evaluate("fetch('/api/mlp/presets').then(r => r.text())"))
    shown = "[...document.querySelectorAll('#lab-presets button')].map(b => b.dataset.preset)"
    assert lab.evaluate(shown) == ["overfitting", "grokking", "double_descent"]
    assert set(presets) == {"overfitting", "grokking", "double_descent"}
    lab.click("button[data-preset=double_descent]")
    assert lab.evaluate("window.gradscape.state.side") == "sweep"
    until(lab, "window.gradscape.lab().sweep.phase === 'done'", timeout=120_000)
    sweep = lab.evaluate("window.gradscape.lab().sweep")
    rows = {r["value"]: r["test_error"] for r in sweep["rows"]}
    assert list(rows) == presets["double_descent"]["message"]["values"]
    assert rows[40] > rows[5] and rows[40] > rows[1000]
    shot(lab, "double-descent")


def test_grokking_preset_sets_a_link_and_a_log_step_axis(lab) -> None:
    """Grokking is modular addition with AdamW's weight decay: the state (and link) carry it,
    the accuracy chart's step axis is logarithmic, the (a, b) table is drawn with the held-out
    pairs hollow, and the weight norm is charted."""
    lab.app.allowed = ["422"]  # the live landscape of 5000 steps of this net: refused, too costly
    navigate(lab, "speed=0&steps=7")
    until(lab, "window.gradscape.lab().presets.length >= 3")
    started = lab.evaluate("window.gradscape.stats.started")
    lab.click("button[data-preset=grokking]")
    until(lab, f"window.gradscape.stats.started > {started}"
          " && window.gradscape.config().sizes[0] === 46")
    state = lab.evaluate("window.gradscape.state")
    assert (state["dataset"], state["classes"]) == ("modular", 23)
    assert (state["test_fraction"], state["side"]) == (0.2, "units")
    assert state["runs"] == [{"optimizer": "adamw", "lr": 0.002, "hp": {"weight_decay": 1}}]
    assert "run=adamw,lr=0.002,weight_decay=1" in lab.evaluate("window.gradscape.link()")
    until(lab, "window.gradscape.runs()[0].n > 3", timeout=60_000)
    assert lab.evaluate("window.gradscape.config().sizes") == [46, 128, 23]
    assert lab.evaluate("window.gradscape.charts().accuracy.logx") is True
    assert "No unit maps" in lab.inner_text("#unit-maps-note")
    until(lab, "window.gradscape.lab().runs[0].weightNorm > 0")
    lab.click("#play")  # pause: the rest of the 5000 steps is not this test's
    until(lab, "window.gradscape.play !== 'running'")
    # the (a, b) table on the canvas, held-out pairs hollow; the last pair reads 22 + 22 ≡ 21
    until(lab, f"{BOUNDARY}.shows === 'points' && {BOUNDARY}.marks.length === 23 * 23")
    held = lab.evaluate("window.gradscape.lab().data.test")
    assert lab.evaluate(f"{BOUNDARY}.marks") == marks(held)
    x, y = lab.evaluate("gradscape.boundaryPoint(0, 22, 22)")
    lab.mouse.move(x, y)
    until(lab, "(r => r && !r.hidden && r.textContent.startsWith('22 + 22 ≡ 21\\n'))"
               "(document.querySelector('#boundary .hover-readout'))")
    lab.mouse.move(2, 2)


def test_export_downloads_a_pytorch_script_an_npz_and_test_columns(lab) -> None:
    """The selected run's network as a PyTorch script and a NumPy .npz (POST /api/mlp/export);
    the CSV of the steps gains the test, penalty and weight-norm columns."""
    navigate(lab, "hidden=3&test=0.3&l1=0.001&speed=0&steps=10")
    wait_done(lab)
    with lab.expect_download() as info:
        lab.click("#export-csv")
    lines = Path(info.value.path()).read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    assert header[-4:] == ["test_loss", "test_accuracy", "penalty", "weight_norm"]
    assert len(lines) == 1 + 2 * 11
    last = dict(zip(header, lines[11].split(","), strict=True))  # run 1, step 10
    assert last["step"] == "10" and float(last["test_loss"]) > 0 and float(last["penalty"]) > 0
    with lab.expect_download() as info:
        lab.click("#export-torch")
    script = Path(info.value.path()).read_text(encoding="utf-8")
    assert "torch.nn.Sequential" in script and info.value.suggested_filename.endswith(".py")
    with lab.expect_download() as info:
        lab.click("#export-npz")
    assert Path(info.value.path()).read_bytes()[:2] == b"PK"  # a zip: numpy's .npz


def test_overfitting_preset_shows_the_curves_part(lab) -> None:
    """The overfitting preset: the test loss is lowest early (the marked best step) and has
    climbed by the end while the training loss kept falling."""
    navigate(lab, "speed=0&steps=8")
    until(lab, "window.gradscape.lab().presets.length >= 3")
    started = lab.evaluate("window.gradscape.stats.started")
    lab.click("button[data-preset=overfitting]")
    until(lab, f"window.gradscape.stats.started > {started}")
    state = lab.evaluate("window.gradscape.state")
    assert (state["test_fraction"], state["label_noise"], state["hidden"]) == (0.5, 0.1, [64, 64])
    wait_done(lab, timeout=180_000)
    run = lab.evaluate("window.gradscape.lab().runs[0]")
    steps = lab.evaluate("window.gradscape.runs()[0].n") - 1
    assert run["bestTest"]["step"] < steps / 4
    assert run["testLoss"] > 1.5 * run["bestTest"]["loss"]
    assert lab.evaluate("window.gradscape.runs()[0].loss") < 0.1
    shot(lab, "overfitting")


def test_backprop_shows_dropout_masks_and_penalty_terms(browser_context, server) -> None:
    """The backprop page takes L1, L2 and dropout (boxes from `generalization`, in the link) and
    shows the trace's masks, penalty and the penalty's part of dW, the numbers the server gave."""
    pg = browser_context.new_page()
    app = watch(pg, server.url)
    try:
        pg.goto(f"{server.url}/backprop#step=1&l1=0.01&l2=0.1&dropout=0.5&dseed=1")
        until(pg, "document.body.dataset.ready === '1'")
        body = {"example": "classic", "l1": 0.01, "l2": 0.1, "dropout": 0.5, "dropout_seed": 1}
        trace = json.loads(pg.evaluate(
            "(b) => fetch('/api/mlp/backprop', {method: 'POST',"
            " headers: {'Content-Type': 'application/json'},"
            " body: JSON.stringify(b)}).then(r => r.text())", body))
        cells = ("(name) => [...document.querySelectorAll(`[data-name='${name}'] .cell`)]"
                 ".map(c => Number(c.dataset.v))")
        assert pg.evaluate(cells, "mask1") == trace["forward"][0]["mask"]
        assert "off this step" in pg.inner_text("[data-reg=mask1]")
        labels = "[...document.querySelectorAll('#reg-controls input')].map(i => i.ariaLabel)"
        assert pg.evaluate(labels) == ["L1", "L2", "dropout", "mask seed"]
        pg.keyboard.press("ArrowRight")
        pg.keyboard.press("ArrowRight")
        pg.keyboard.press("ArrowRight")  # step 4: the loss
        until(pg, "document.querySelector('[data-reg=penalty]') !== null")
        assert trace["penalty_formula"] in pg.inner_text("[data-reg=penalty]")
        pg.keyboard.press("ArrowRight")
        pg.keyboard.press("ArrowRight")  # step 6: layer 3's weights
        until(pg, "document.querySelector(\"[data-name='dW_penalty3']\") !== null")
        flat = [v for row in trace["backward"][0]["dW_penalty"] for v in row]
        assert pg.evaluate(cells, "dW_penalty3") == pytest.approx(flat)
        shot(pg, "backprop-penalty")

        # No penalty, no dropout: the plain trace, and the link forgets them.
        pg.fill("#reg-l1", "0")
        pg.press("#reg-l1", "Enter")
        pg.fill("#reg-l2", "0")
        pg.press("#reg-l2", "Enter")
        until(pg, "document.querySelector('[data-reg^=dW_penalty]') === null")
        pg.fill("#reg-dropout", "2")  # out of range: refused on the page, marked
        pg.press("#reg-dropout", "Enter")
        assert "invalid" in (pg.get_attribute("#reg-dropout", "class") or "")
        # (the link is written after a short pause)
        until(pg, "!location.hash.includes('l2=') && !location.hash.includes('l1=')")
        check(app)
    finally:
        pg.close()


@pytest.mark.parametrize(("width", "height", "name"),
                         [(1920, 1080, "projector"), (390, 844, "phone")])
def test_the_lab_fits_projector_and_phone(browser_context, server, width, height, name) -> None:
    """The lab's settings and side panel at 1920x1080 and on a 390 px phone: nothing wider than
    the screen; screenshots for the docs."""
    pg = browser_context.new_page()
    pg.set_viewport_size({"width": width, "height": height})
    app = watch(pg, server.url)
    try:
        open_page(pg, "ds=moons&n=120&dseed=1&test=0.4&lnoise=0.1&hidden=6,6&act=relu"
                      "&run=adam,lr=0.02&steps=150&speed=0&side=units")
        wait_done(pg, timeout=60_000)
        until(pg, f"{BOUNDARY}.shows === 'probability' && /^[0-9]+$/.test({BOUNDARY}.steps)")
        assert pg.evaluate("document.documentElement.scrollWidth") <= width + 1
        # Where the page folds its parts into tabs under the boundary (phones), the lab is one;
        # the unit maps are drawn when they show.
        tabs = pg.locator(".phone-tabs [role=tab]", has_text="Lab")
        if tabs.count() and tabs.first.is_visible():
            tabs.first.click()
        until(pg, "window.gradscape.lab().mapsDrawn > 0"
              " && document.getElementById('unit-maps').offsetParent !== null")
        for sel in ("#lab-controls", "#unit-maps", "#wnorm-chart", "#lab-presets"):
            box = pg.locator(sel).bounding_box()
            assert box and box["x"] >= -1 and box["x"] + box["width"] <= width + 1, sel
        shot(pg, f"lab-{name}")
        check(app)
    finally:
        pg.close()
