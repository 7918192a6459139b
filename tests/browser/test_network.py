"""The /network page in a real browser (Debian's Chromium through Playwright) against a real server.

Uses tests/browser/conftest.py: one server, one browser and one context per module (skipped
without Chromium, failing on CI), and its App wrapper that collects console errors. Every test
fails on a console error, an uncaught exception, or a request that leaves the machine (the page
must work offline). Figures are read back from the page: Plotly's `gd.data`, the decision
boundary's canvas (its pixels and its data- attributes: what it shows, boundary.js) and the
read-only debug hook `window.gradscape`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import App

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"  # network-*.png
LOCAL = ("127.0.0.1", "localhost")


# What the landscape's canvases drew last (network/landscape.js): grid size, paths, view.
LANDSCAPE = "(document.getElementById('landscape').drawn || { grid: 0, runs: [], extra: [] })"


def watch(pg, base: str) -> App:
    """Collect the page's console errors (App) and its requests to other hosts."""
    app = App(pg, base)
    app.outside = []  # type: ignore[attr-defined]

    def record(request) -> None:
        url = urlsplit(request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in LOCAL:
            app.outside.append(request.url)  # type: ignore[attr-defined]

    pg.on("request", record)
    pg.base = base  # type: ignore[attr-defined]
    pg.app = app  # type: ignore[attr-defined]
    return app


def check(app: App) -> None:
    """No console errors (but those the test listed in app.allowed); nothing left the machine."""
    app.assert_clean()
    assert not app.outside, f"requests left the machine: {app.outside}"  # type: ignore[attr-defined]


@pytest.fixture()
def page(browser_context, server) -> Iterator:
    """A fresh 1280x720 page, not loaded yet (for tests about loading, or about the socket)."""
    pg = browser_context.new_page()
    app = watch(pg, server.url)
    try:
        yield pg
        check(app)
    finally:
        pg.close()


@pytest.fixture(scope="module")
def shared_network(browser_context, server) -> Iterator:
    """One /network page for the tests that open their view as a link in the same tab: each
    fresh page spends a second or two of CPU parsing Plotly.js."""
    pg = browser_context.new_page()
    app = watch(pg, server.url)
    open_page(pg, "speed=0&steps=5")
    check(app)  # its loading, too, logged no error
    try:
        yield pg
    finally:
        pg.close()


@pytest.fixture()
def shared(shared_network) -> Iterator:
    """The shared page for one test: its own errors; afterwards the same checks as `page`."""
    pg = shared_network
    pg.app.begin()
    pg.app.outside.clear()
    yield pg
    check(pg.app)


def navigate(pg, fragment: str) -> None:
    """Open a link to /network in the same tab (a hash change) and wait for its runs."""
    started = pg.evaluate("window.gradscape.stats.started")
    pg.evaluate("(h) => { location.hash = h; }", fragment)
    until(pg, f"window.gradscape.stats.started > {started}")


def until(pg, expr: str, timeout: float = 15_000) -> None:
    """Wait until a JavaScript expression is truthy. Passed as a function: the page's CSP
    forbids eval, which Playwright would use for a bare expression."""
    pg.wait_for_function(f"() => ({expr})", timeout=timeout)


def open_page(pg, fragment: str = "") -> None:
    pg.goto(f"{pg.base}/network{'#' + fragment if fragment else ''}")
    until(pg, "window.gradscape && window.gradscape.config() !== null")


# Every view shows the latest data: the page's next frames would draw nothing.
SETTLED = "window.gradscape.settled()"


def wait_done(pg, timeout: float = 15_000) -> None:
    """The runs are done and every view shows it: the charts, readouts and figures are redrawn a
    moment after the last frame (a test reading them at once read the ones before)."""
    until(pg, f"window.gradscape.play === 'done' && {SETTLED}", timeout=timeout)


# The boundary canvas shows every run's boundary as the page has it (its data- attributes).
BOUNDARIES_SHOWN = (
    "(b => b && b.dataset.steps === gradscape.runs().map(r => r.boundaryStep ?? '-').join(',')"
    " && !b.dataset.steps.includes('-'))(document.querySelector('#boundary .boundary-canvas'))"
)
# Per plot of the boundary canvas, the sum of its pixels' values inside the plot (the grid's
# colours, the 0.5 line and the points).
CELL_PIXELS = """() => {
  const c = document.querySelector('#boundary .boundary-canvas');
  const k = c.width / c.clientWidth;
  const ctx = c.getContext('2d');
  return gradscape.boundaryCells().map((b) => {
    const r = Math.round;
    const d = ctx.getImageData(r(b.left * k), r(b.top * k), r(b.width * k), r(b.height * k)).data;
    let sum = 0;
    for (let i = 0; i < d.length; i += 1) sum += d[i];
    return sum;
  });
}"""


def boundary_shows(pg) -> dict:
    """What the boundary canvas shows (boundary.js's data- attributes)."""
    return pg.evaluate("({ ...document.querySelector('#boundary .boundary-canvas').dataset })")


def figure(pg, div: str) -> list[dict]:
    """The traces Plotly drew in a div (types, lengths and a few values, not whole arrays)."""
    return pg.evaluate(
        """(id) => (document.getElementById(id).data || []).map((t) => ({
            type: t.type, mode: t.mode || null,
            n: t.x ? t.x.length : 0,
            z: t.z ? [t.z.length, Array.isArray(t.z[0]) ? t.z[0].length : 0] : null,
            zsum: t.z ? t.z.flat().reduce((a, v) => a + (Number.isFinite(v) ? v : 0), 0) : null,
            x: t.x ? Array.from(t.x).slice(-3) : null,
        }))""",
        div,
    )


def shot(pg, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg.mouse.move(2, 715)  # no tooltip over the picture
    pg.wait_for_timeout(80)
    pg.screenshot(path=str(ARTIFACTS / name))


def test_the_page_loads_fits_the_screen_and_trains(page) -> None:
    """Loads without errors, lists the registries, shows the essentials at 1280x720, and the
    boundary, the landscape and the charts follow the training live, then the final slice."""
    open_page(page, "speed=100&steps=250")
    options = json.loads(page.evaluate("fetch('/api/mlp/options').then(r => r.text())"))
    # Datasets, activations and plane modes come from the API, never from a copy in JavaScript.
    listed = "(sel) => [...document.querySelectorAll(sel)].map(o => o.value || o.dataset.mode)"
    assert page.evaluate(listed, "#dataset option") == [d["id"] for d in options["datasets"]]
    assert page.evaluate(listed, "#activation option") == [a["id"] for a in options["activations"]]
    assert page.evaluate(listed, "#plane-modes button") == options["directions"]
    assert page.evaluate(listed, ".run-card select.optimizer") == ["sgd", "adam"]

    until(page, BOUNDARIES_SHOWN, timeout=15_000)
    assert boundary_shows(page)["shows"] == "probability"  # P(class 1) of two classes
    first = page.evaluate("window.gradscape.runs().map(r => r.boundaryStep)")
    early = page.evaluate(CELL_PIXELS)
    until(page, "window.gradscape.runs().every(r => r.boundaryStep >= 60)", timeout=15_000)
    until(page, "window.gradscape.landscape().grid > 0", timeout=15_000)
    until(page, SETTLED)  # drawn at the next animation frames
    # The essentials are on screen at 1280x720, without scrolling.
    for sel in (
        "#play",
        "#dataset",
        "#hidden",
        ".run-card .lr-box",
        "#boundary .boundary-canvas",
        "#landscape .landscape-map",
        "#loss-chart canvas",
        "#landscape-caption",
    ):
        box = page.locator(sel).first.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= 720, sel
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1280, sel
    assert page.evaluate("document.scrollingElement.scrollHeight") <= 720
    shot(page, "network-live.png")

    # The boundary moved: later steps, a different P(class 1) on the grid (other pixels in
    # each run's plot).
    assert min(page.evaluate("window.gradscape.runs().map(r => r.boundaryStep)")) > max(first)
    until(page, BOUNDARIES_SHOWN)
    shown = boundary_shows(page)
    assert shown["shows"] == "probability" and shown["grid"] == "41x41"
    assert min(int(s) for s in shown["steps"].split(",")) > max(first)
    later = page.evaluate(CELL_PIXELS)
    assert len(later) == len(early) == 2
    assert all(a != b for a, b in zip(early, later, strict=True)), (early, later)
    # The live landscape: a surface, and each run's projected path over it (on canvas).
    until(page, f"{LANDSCAPE}.runs.filter(r => r.n > 10).length === 2")
    assert page.evaluate(f"{LANDSCAPE}.grid") >= 5
    counts = page.evaluate(f"{LANDSCAPE}.runs.map(r => r.n)")
    assert len(counts) == 2 and all(n > 10 for n in counts)
    assert page.locator("#landscape .js-plotly-plot").count() == 0
    assert "real loss" in page.evaluate("window.gradscape.landscape().readout")

    wait_done(page)
    # After training: the finished runs sliced again; the readout compares the two losses.
    until(
        page,
        "window.gradscape.landscape().phase === 'final'"
        " && window.gradscape.landscape().busy === null",
    )
    info = page.evaluate("window.gradscape.landscape()")
    assert info["mode"] == "random" and info["error"] is None
    assert re.search(r"slice (shows|and the real loss agree)", info["readout"])
    assert "projected" in info["caption"]
    until(page, "window.gradscape.charts().loss.lengths.every(n => n > 100)")
    charts = page.evaluate("window.gradscape.charts()")
    assert len(charts["loss"]["lengths"]) == 2 and len(charts["accuracy"]["lengths"]) == 2
    assert len(charts["gradNorms"]["lengths"]) == 3  # one line per layer of the selected run
    # The selected run's W1 and its gradients, on canvas (no Plotly figure), in words too.
    heat = "document.querySelector('#heatmaps canvas.heatmap-canvas')"
    until(page, f"/Weights W1 \\d+×2: from .*; gradients ∂L\\/∂W1 \\d+×2: from /"
                f".test({heat}.getAttribute('aria-label')) && Boolean({heat}.dataset.panels)")
    assert figure(page, "heatmaps") == []


def test_the_learning_rate_changes_mid_run(shared) -> None:
    page = shared
    navigate(page, "speed=60&steps=3000")
    until(page, "window.gradscape.runs()[0].n > 5")
    box = page.locator(".run-card").nth(0).locator(".lr-box")
    box.fill("0.05")
    until(page, "window.gradscape.runs()[0].lrInEffect === 0.05")
    assert page.evaluate("window.gradscape.state.runs[0].lr") == 0.05
    until(page, "document.querySelector('.run-card .lr-effect').textContent === '0.05'")
    # The other run is untouched; the arrow keys scale the selected run's lr by 1.25.
    assert page.evaluate("window.gradscape.runs()[1].lrInEffect") == 0.02
    page.locator(".run-card").nth(1).locator(".readout").click()
    page.keyboard.press("ArrowUp")
    until(page, "window.gradscape.runs()[1].lrInEffect === 0.025")
    assert "run=adam,lr=0.025" in page.evaluate("window.gradscape.link()")
    # Space pauses, and the run stays where it is.
    page.locator("#counter").click()
    page.keyboard.press(" ")
    until(page, "window.gradscape.play === 'paused'")
    assert page.locator("#play").inner_text() == "Train"


def test_own_points_by_clicking_and_from_a_csv(shared) -> None:
    page = shared
    navigate(page, "speed=0&steps=60")
    wait_done(page)
    page.click("#clear-points")
    until(page, "window.gradscape.state.points.length === 0")
    assert "at least 4" in page.inner_text("#data-note")
    until(page, "window.gradscape.play === 'idle'")  # the old runs stop (300 ms after the edit)
    page.click("#play")  # nothing to train on: the page says so instead of starting
    warning = page.locator(".message", has_text="Nothing to train on yet")
    warning.wait_for(state="visible")
    assert page.evaluate("() => window.gradscape.play") == "idle"
    spots = [
        (-1, -1, 0),
        (-0.8, -1.2, 0),
        (-1.2, -0.7, 0),
        (1, 1, 1),
        (0.8, 1.2, 1),
        (1.2, 0.8, 1),
        (0.9, -1.0, 2),
    ]
    for i, (x, y, c) in enumerate(spots):
        page.click(f"#class-picker button[data-cls='{c}']")
        # the plot's hint says what a click adds now
        assert f"click: add a class-{c} point" in page.inner_text("#boundary-hint")
        # Each new point restarts training and may re-lay the plot out: aim only once the
        # point-to-pixel mapping has held still for a few frames.
        px, py = page.evaluate(
            """async ([x, y]) => {
                const frame = () => new Promise((r) => requestAnimationFrame(r));
                let last = null;
                for (let k = 0; k < 200; k++) {
                    await frame();
                    const p = window.gradscape.boundaryPoint(0, x, y);
                    if (last && p[0] === last[0] && p[1] === last[1] && k > 5) return p;
                    last = p;
                }
                return last;
            }""",
            [x, y],
        )
        page.mouse.click(px, py)
        until(page, f"window.gradscape.state.points.length === {i + 1}")
    until(page, "window.gradscape.state.points.length === 7")
    until(
        page,
        "(() => { const c = window.gradscape.config();"
        " return c && c.custom && c.points === 7; })()",
    )
    wait_done(page)
    state = page.evaluate("window.gradscape.state")
    for (x, y, c), p in zip(spots, state["points"], strict=True):
        assert p[0] == pytest.approx(x, abs=0.05) and p[1] == pytest.approx(y, abs=0.05)
        assert p[2] == c
    assert page.evaluate("window.gradscape.config().sizes").pop() == 3  # a third class: 3 outputs
    until(page, "(b => b && b.dataset.shows === 'classes' && b.dataset.grid === '41x41')"
                "(document.querySelector('#boundary .boundary-canvas'))")
    assert "pts=" in page.evaluate("location.hash")
    shot(page, "network-own-points.png")
    # Shift-click removes the nearest point.
    px, py = page.evaluate("window.gradscape.boundaryPoint(0, 0.9, -1.0)")
    page.keyboard.down("Shift")
    page.mouse.click(px, py)
    page.keyboard.up("Shift")
    until(page, "window.gradscape.state.points.length === 6")

    # A CSV: a bad one says which line is wrong and why; a good one is trained on.
    def upload(name: str, data: bytes) -> None:
        page.set_input_files(
            "#csv-file", files=[{"name": name, "mimeType": "text/csv", "buffer": data}]
        )

    error = page.locator("#data-error")
    upload("bad.csv", b"x1,x2,label\n0.1,0.2,0\n0.5,abc,1\n")
    error.wait_for(state="visible")
    assert "bad.csv: line 3" in error.inner_text() and "abc" in error.inner_text()
    upload("short.csv", b"1,2\n")
    until(page, "document.getElementById('data-error').textContent.includes('line 1')")
    assert "expected 3 values" in error.inner_text()
    upload("labels.csv", b"0,0,0\n1,1,1.5\n")
    until(page, "document.getElementById('data-error').textContent.includes('line 2')")
    upload("good.csv", b"# my points\n0,0,0\n0.2,0.1,0\n1,1,1\n0.9,1.1,1\n0.1,0.3,0\n1.2,0.8,1\n")
    until(
        page,
        "(() => { const c = window.gradscape.config();"
        " return c && c.custom && c.points === 6; })()",
    )
    assert error.is_hidden()
    assert page.evaluate("window.gradscape.state.points")[2] == [1, 1, 1]


def test_a_link_round_trip_restores_the_state_and_pca_slices_the_finished_runs(
    shared, browser_context
) -> None:
    page = shared
    fragment = (
        "ds=circles&n=150&noise=0.08&dseed=3&hidden=12,6&act=relu&run=adam,lr=0.01"
        "&run=rmsprop,lr=0.003&run=sgd,lr=0.2,batch=32&steps=150&speed=0&plane=pca&sel=2"
    )
    navigate(page, fragment)
    state = page.evaluate("window.gradscape.state")
    assert state["dataset"] == "circles" and state["n"] == 150 and state["noise"] == 0.08
    assert state["hidden"] == [12, 6] and state["activation"] == "relu"
    assert state["runs"] == [
        {"optimizer": "adam", "lr": 0.01},
        {"optimizer": "rmsprop", "lr": 0.003},
        {"optimizer": "sgd", "lr": 0.2, "batch": 32},
    ]
    assert (state["steps"], state["speed"], state["plane"], state["sel"]) == (150, 0, "pca", 2)
    # The controls show it, and the server trains exactly that.
    assert page.input_value("#dataset") == "circles"
    assert page.input_value("#hidden") == "12, 6"
    assert page.input_value("#activation") == "relu"
    assert page.locator(".run-card").count() == 3
    assert page.locator(".run-card").nth(2).locator(".lr-box").input_value() == "0.2"
    assert page.locator(".run-card").nth(2).locator("input.batch").input_value() == "32"
    assert "selected" in (page.locator(".run-card").nth(2).get_attribute("class") or "")
    assert page.get_attribute("#plane-modes [data-mode='pca']", "aria-pressed") == "true"
    assert page.evaluate("window.gradscape.config().sizes") == [2, 12, 6, 2]
    # PCA: a random plane while training, the finished runs' own plane after.
    wait_done(page)
    until(page, "window.gradscape.landscape().mode === 'pca'", timeout=15_000)
    assert "the two directions the weights moved most" in page.evaluate(
        "window.gradscape.landscape().caption"
    )
    until(page, f"{LANDSCAPE}.grid > 0")
    # Change something in the page; its link reopens the same state in a fresh page.
    page.select_option("#activation", "sigmoid")
    page.fill("#steps", "200")
    page.press("#steps", "Enter")
    until(page, "location.hash.includes('act=sigmoid') && location.hash.includes('steps=200')")
    link = page.evaluate("window.gradscape.link()")
    before = page.evaluate("window.gradscape.state")
    other = browser_context.new_page()
    watched = watch(other, page.base)
    try:
        other.goto(link)
        until(other, "window.gradscape && window.gradscape.config() !== null")
        assert other.evaluate("window.gradscape.state") == before
        assert other.input_value("#activation") == "sigmoid"
        check(watched)
    finally:
        other.close()


def test_errors_are_shown_divergence_server_errors_and_a_dropped_connection(page) -> None:
    """Between the page and the server: spoil the first start, later drop the connection."""
    sockets: list = []
    spoilt: list = []

    def relay(ws) -> None:
        server = ws.connect_to_server()
        sockets.append(ws)

        def up(message) -> None:
            msg = json.loads(message)
            if msg.get("type") == "start" and not spoilt:
                spoilt.append(msg)
                msg["dataset"]["n"] = 3
            server.send(json.dumps(msg))

        ws.on_message(up)

    page.route_web_socket(re.compile(r".*/ws$"), relay)
    page.goto(
        f"{page.base}/network#run=sgd,lr=10&run=adam,lr=0.01&hidden=8,8&act=relu&speed=0&steps=60"
    )
    # An error frame is shown near the controls, naming the field; the field is marked.
    error = page.locator(".message.error")
    error.wait_for(state="visible")
    assert "dataset.n" in error.inner_text() and "greater than or equal to 4" in error.inner_text()
    until(page, "document.getElementById('n').classList.contains('invalid')")
    # Train for real: the SGD run blows up, and says where.
    page.click("#play")
    badge = page.locator(".run-card").nth(0).locator(".badge.diverged")
    badge.wait_for(state="visible")
    assert re.match(r"Diverged at step \d+: .*blew up", badge.inner_text())
    wait_done(page)
    assert page.locator(".run-card").nth(1).locator(".badge.diverged").is_hidden()
    # the run's title over its plot says so
    until(page, "(document.querySelector('#boundary .boundary-canvas').dataset.titles || '')"
                ".split('\\n')[0].includes('diverged at step')")
    assert not page.evaluate("document.getElementById('n').classList.contains('invalid')")
    shot(page, "network-diverged.png")
    # A value the server would refuse is caught at the control, with a sentence.
    page.fill("#n", "3")
    page.press("#n", "Tab")
    assert "whole number from 4" in page.locator(".message").last.inner_text()
    # Lose the connection: the page says so, reconnects and trains again.
    sockets[-1].close()
    page.locator(".message.warn").filter(has_text="reconnecting").wait_for(state="visible")
    until(page, "document.querySelectorAll('.message.warn').length === 0", timeout=15_000)
    until(page, "window.gradscape.play === 'done' && window.gradscape.stats.starts >= 3")
    assert len(sockets) >= 2


def test_a_refused_landscape_is_explained_and_presentation_mode(shared) -> None:
    page = shared
    message = "steps: training would cost 1.7e+11 multiply-adds (limit 5e+09): use fewer steps"

    def refuse(route) -> None:
        detail = [
            {"loc": ["body", "steps"], "field": "body.steps", "msg": message, "type": "value_error"}
        ]
        route.fulfill(
            status=422,
            content_type="application/json",
            body=json.dumps({"detail": detail, "message": f"body.steps: {message}"}),
        )

    page.route("**/api/mlp/landscape", refuse)
    try:
        refused_then_presented(page)
    finally:
        page.unroute("**/api/mlp/landscape")
        page.keyboard.press("Escape")  # out of presentation mode


def refused_then_presented(page) -> None:
    # Chromium logs every failed HTTP response itself; the page's own code logs nothing.
    page.app.allowed.append("status of 422 (Unprocessable Entity)")
    navigate(page, "speed=0&steps=30")
    wait_done(page)
    until(page, "document.getElementById('landscape-status').textContent.includes('multiply-adds')")
    assert (
        page.locator("#landscape-status")
        .inner_text()
        .startswith("No landscape: steps: training would cost")
    )
    # Presentation mode: larger type, the heatmaps hidden, the essentials still on screen.
    page.locator("#counter").click()
    page.keyboard.press("p")
    until(page, "document.body.classList.contains('presenting')")
    assert page.locator(".heatmaps").is_hidden()
    assert "present=1" in page.evaluate("window.gradscape.link()")
    for sel in ("#play", "#boundary .boundary-canvas", "#landscape", "#loss-chart canvas"):
        box = page.locator(sel).first.bounding_box()
        assert box and box["y"] + box["height"] <= 720, sel
    until(page, SETTLED)  # the plots redraw at their new size
    shot(page, "network-present.png")


def test_more_points_than_a_link_holds_survive_a_reload_and_a_new_browser(
    page, browser_context
) -> None:
    """100 own points (over the link's 60) are kept under `state=<id>`: a reload brings them
    back, and so does the copied link in a new browser (no localStorage: the server's store)."""
    open_page(page, "speed=0&steps=5")
    points = [[round(i / 50 - 1, 3), round((i * 37 % 100) / 50 - 1, 3), i % 2] for i in range(100)]
    csv = "\n".join(",".join(str(v) for v in p) for p in points).encode()
    page.set_input_files(
        "#csv-file", files=[{"name": "many.csv", "mimeType": "text/csv", "buffer": csv}]
    )
    until(page, "(window.gradscape.state.points || []).length === 100")
    until(page, "/(^|[#&])state=[A-Za-z0-9_-]{10}(&|$)/.test(location.hash)")
    assert "pts=" not in page.evaluate("location.hash")
    assert page.evaluate("window.gradscape.state.points") == points
    link = page.evaluate("window.gradscape.link()")

    page.reload()
    until(page, "window.gradscape && window.gradscape.config() !== null")
    assert page.evaluate("window.gradscape.state.points") == points
    until(page, "(() => { const c = window.gradscape.config();"
                " return c.custom && c.points === 100; })()")

    browser = browser_context.browser
    assert browser is not None
    other_context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        other = other_context.new_page()
        watched = watch(other, page.base)
        other.goto(link)
        until(other, "window.gradscape && window.gradscape.config() !== null")
        assert other.evaluate("window.gradscape.state.points") == points
        check(watched)
    finally:
        other_context.close()


def test_a_link_to_points_kept_nowhere_says_so(page) -> None:
    """An id neither the server nor this browser has: a clear message, and the dataset."""
    page.app.allowed = [r"404"]  # type: ignore[attr-defined]
    open_page(page, "state=AAAAAAAAAA&speed=0&steps=5")
    until(page, "document.querySelector('.message.warn[data-key=kept]') !== null")
    text = page.inner_text(".message.warn[data-key=kept]")
    assert "state=AAAAAAAAAA" in text and "neither on this server nor in this browser" in text
    assert page.evaluate("window.gradscape.state.points") is None


def test_points_the_server_refuses_are_kept_in_this_browser_with_a_warning(page) -> None:
    """The store refuses (413): the page says the points are kept in this browser only, and a
    reload still brings them back (from localStorage, under a local id)."""
    page.app.allowed = ["413"]  # type: ignore[attr-defined]

    def refuse(route) -> None:
        if route.request.method != "POST":
            return route.continue_()
        return route.fulfill(status=413, content_type="application/json", body=json.dumps({
            "detail": [{"loc": ["body"], "field": "body", "msg": "at most 1,000 bytes"}],
            "message": "body: at most 1,000 bytes"}))

    page.route("**/api/states", refuse)
    open_page(page, "speed=0&steps=5")
    points = [[round(i / 40 - 1, 3), round((i * 13 % 80) / 40 - 1, 3), i % 2] for i in range(80)]
    csv = "\n".join(",".join(str(v) for v in p) for p in points).encode()
    page.set_input_files(
        "#csv-file", files=[{"name": "many.csv", "mimeType": "text/csv", "buffer": csv}]
    )
    until(page, "document.querySelector('.message.warn[data-key=kept]') !== null")
    text = page.inner_text(".message.warn[data-key=kept]")
    assert "80 points are kept in this browser only" in text and "1,000 bytes" in text
    until(page, "/(^|[#&])state=local-[a-z0-9]+(&|$)/.test(location.hash)")
    page.reload()
    until(page, "window.gradscape && window.gradscape.config() !== null")
    assert page.evaluate("window.gradscape.state.points") == points


# Pixels of the boundary's stand-in canvas in the two class colours (CLASS_COLORS[0] and [1]):
# the points, painted before Plotly is there.
CANVAS_POINTS = """() => {
  const c = document.querySelector('#boundary .boundary-canvas');
  if (!c || !c.width) return null;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const n = [0, 0];
  for (let i = 0; i < d.length; i += 4) {
    if (d[i] === 0xf0 && d[i + 1] === 0x8c && d[i + 2] === 0x00) n[0]++;
    if (d[i] === 0x19 && d[i + 1] === 0x71 && d[i + 2] === 0xc2) n[1]++;
  }
  return n;
}"""


def test_the_first_screen_needs_no_plotly_and_answers_a_tap_at_once(page) -> None:
    """First paint (issue #13): the data and each run's boundary are painted on a canvas as soon
    as they arrive, and a click on the plot adds a point already. In a laptop's window too, the
    boundary, the landscape, the heatmaps and the spectrum are canvases: the page never fetches
    Plotly.js (seconds of a slow machine's main thread)."""
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/vendor/plotly/" in r.url else None)
    page.goto(f"{page.base}/network#steps=5&speed=0")
    until(page, "window.gradscape && gradscape.stats.boundaryAt !== null")
    stats = page.evaluate("gradscape.stats")
    assert stats["readyAt"] is not None
    orange, blue = page.evaluate(CANVAS_POINTS)
    assert orange > 50 and blue > 50, (orange, blue)  # both classes' points are painted
    # A tap on the canvas picture adds a point where it lands (the plot's own cells).
    points = page.evaluate("gradscape.config().points")
    x, y = page.evaluate("gradscape.boundaryPoint(0, 0.25, -0.5)")
    page.mouse.click(x, y)
    until(page, "(gradscape.state.points || []).length > 0")
    state = page.evaluate("gradscape.state")
    assert len(state["points"]) == points + 1
    x1, x2, _ = state["points"][-1]
    assert abs(x1 - 0.25) < 0.05 and abs(x2 + 0.5) < 0.05
    wait_done(page)
    # every figure on the first screen drawn, and no Plotly asked for
    until(page, "gradscape.stats.draws.landscape > 0 && gradscape.stats.draws.heatmaps > 0")
    page.wait_for_timeout(1000)  # idle time, when Plotly used to come for hover
    assert not asked and page.evaluate("typeof window.Plotly") == "undefined"
    assert page.locator(".js-plotly-plot").count() == 0
    # nor does the spectrum, asked for: it is drawn on its canvas
    page.click("#spectrum-button")
    until(page, "(document.getElementById('spectrum').drawn || {}).bars > 0", timeout=30_000)
    assert not asked and page.evaluate("typeof window.Plotly") == "undefined"
    assert page.locator(".js-plotly-plot").count() == 0


def test_at_max_and_paused_the_boundary_is_painted_on_its_canvas(shared) -> None:
    """'max' keeps its frame rate: the boundary is painted on its canvas (a few ms) while the
    runs train; paused, it stays there: no Plotly figure for it."""
    navigate(shared, "speed=0&steps=5000")
    until(shared, "gradscape.play === 'running' && gradscape.runs()[0].n > 50")
    until(shared, "document.querySelector('#boundary .boundary-canvas') !== null")
    drawn = shared.evaluate("gradscape.stats.draws.boundary")
    until(shared, f"gradscape.stats.draws.boundary > {drawn + 3}")  # it keeps being painted
    assert shared.evaluate(CANVAS_POINTS) is not None
    shared.click("#play")  # pause
    until(shared, "gradscape.play === 'paused'")
    until(shared, BOUNDARIES_SHOWN)  # its last boundaries, drawn after the pause
    assert boundary_shows(shared)["shows"] == "probability"
    assert shared.evaluate(CANVAS_POINTS) is not None
    assert shared.locator("#boundary .js-plotly-plot").count() == 0
