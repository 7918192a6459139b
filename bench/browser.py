"""The pages in headless Chromium: the descent view's time to first frame, frames drawn per second
with 6 runs x 5,000 steps at full speed, and the cost of an update for four ways of drawing
growing paths; every page's first paint with the CPU throttled 4x (a phone), a tap on the
network's Spectrum on a phone at that speed, and the network page's frames per second at 'max'.

    .venv/bin/python bench/browser.py              # all of it
    .venv/bin/python bench/browser.py --pages-only # the throttled first paints, the network at max
    .venv/bin/python bench/browser.py --quick      # fewer repetitions
    .venv/bin/python bench/browser.py --no-compare # skip the renderer comparison

Starts its own server (`gradscape` through tests/serverutil.py, on a free loopback port) and
drives Debian's Chromium (/usr/bin/chromium, or $GRADSCAPE_CHROMIUM) with the browser tests'
launch arguments. Figures go to stdout and to bench/out/browser.json; docs/performance.md
records them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.serverutil import Gradscape  # noqa: E402

CHROMIUM = os.environ.get("GRADSCAPE_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 720}
# Six optimizers, 5,000 steps each, as fast as the server computes and the page reads.
SIX_RUNS = ("surface=rosenbrock&steps=5000&speed=0"
            "&run=sgd,lr=0.001&run=momentum,lr=0.0005&run=nesterov,lr=0.0005"
            "&run=adam,lr=0.05&run=rmsprop,lr=0.01&run=adagrad,lr=0.5")


def wait_for_map(page) -> None:
    """The descent page's controller is up and its map painted (on canvas: no Plotly)."""
    page.wait_for_function("() => window.gradscape && gradscape.stats.surfaceAt !== null",
                           timeout=30_000)


def first_frame(browser, base: str, repeats: int) -> dict:
    """Navigation start to the first path segment drawn; a fresh context (cold cache) each time."""
    rows = []
    for _ in range(repeats):
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.goto(f"{base}/")
        page.wait_for_function("() => window.gradscape && gradscape.stats.firstPathAt !== null",
                               timeout=30_000)
        rows.append(page.evaluate("() => gradscape.stats"))
        context.close()

    def med(key: str) -> float:
        return round(statistics.median(r[key] for r in rows))

    return {"repeats": repeats, "surface_painted_ms": med("surfaceAt"),
            "first_head_ms": med("firstHeadAt"), "first_path_ms": med("firstPathAt")}


# When each page's main picture, with its start points, is on screen, and when the page answers
# a tap: checked in the page, so the time is the page's own clock (ms since navigation). Each
# page marks its picture drawn (`mark`, an attribute it sets); it is on screen at the animation
# frame after that (PICTURE_FRAME), which is the figure reported. (Until session 8 the figure was
# when a 20 ms poll saw the mark: 50-170 ms later on a phone, whatever ran meanwhile.)
PAGES = {
    # the surface and the start point, painted before the page's other modules load (or by
    # them): #plot-wrap[data-painted]
    "/": {"mark": "data-painted",
          "ready": "window.gradscape && gradscape.stats.surfaceAt !== null"},
    # the data and every run's boundary painted (on canvas): #boundary[data-painted]; the
    # controls bound
    "/network": {"mark": "data-painted",
                 "ready": "window.gradscape && gradscape.stats.readyAt !== null"},
    # the network drawn and its controls bound: body[data-ready="1"]
    "/backprop": {"mark": "data-ready", "ready": "document.body.dataset.ready === '1'"},
}
THROTTLE = 4  # Chromium's CPU slowed 4x (Emulation.setCPUThrottlingRate): a phone's speed
# Two screens at that speed: a phone (Playwright's iPhone 13: touch, no hover) and a laptop's
# window (hover: the figures' hover readouts are the canvases' own, no Plotly.js).
SCREENS = {"phone": "iPhone 13", "laptop": None}
WATCH_MS = 8000  # how long after navigation the main thread is watched for long tasks
SLOW_TASK_MS = 100  # a tap that waits longer than this is not answered "at once" (RAIL)

# Resolves with performance.now() when `cond` first holds, polled every 20 ms, then the time the
# next task ran (a tap would wait that long: the main thread was busy until then).
WHEN = """async (cond) => {
  const f = new Function(`return (${cond});`);
  while (!f()) await new Promise((r) => setTimeout(r, 20));
  const seen = performance.now();
  await new Promise((r) => setTimeout(r, 0));
  return [seen, performance.now()];
}"""

# The first animation frame after the page marks its picture drawn: when it reaches the screen.
PICTURE_FRAME = """(mark) => new MutationObserver((records, observer) => {
  if (!records.some((r) => r.target.hasAttribute(mark))) return;
  observer.disconnect();
  requestAnimationFrame(() => { window.__onScreen = performance.now(); });
}).observe(document, { attributes: true, subtree: true, attributeFilter: [mark] })"""

# Every main-thread task over 50 ms since navigation, [start, duration] (the Long Tasks API).
LONG_TASKS = """window.__long = [];
new PerformanceObserver((list) => { for (const e of list.getEntries())
  window.__long.push([e.startTime, e.duration]); }).observe({ type: "longtask", buffered: true });
"""


def first_paint_throttled(browser, devices, base: str, repeats: int) -> dict:
    """Every page, cold, with the CPU throttled, on a phone and in a laptop's window: ms from
    navigation to the main picture with its start points; to the page's controller answering
    (ready, the main thread free); and from when a tap is answered at once for good (the end of
    the last task over SLOW_TASK_MS in the first WATCH_MS, untouched), with the longest task."""
    out = {}
    for screen, device in SCREENS.items():
        out[screen] = {}
        for path, cond in PAGES.items():
            rows = []
            for _ in range(repeats):
                screen_args = devices[device] if device else {"viewport": VIEWPORT}
                context = browser.new_context(**screen_args)
                page = context.new_page()
                page.add_init_script(LONG_TASKS)
                page.add_init_script(f"({PICTURE_FRAME})({json.dumps(cond['mark'])})")
                page.context.new_cdp_session(page).send(
                    "Emulation.setCPUThrottlingRate", {"rate": THROTTLE})
                page.goto(f"{base}{path}", wait_until="commit")
                page.evaluate(WHEN, "window.__onScreen !== undefined")
                picture = page.evaluate("window.__onScreen")
                ready = page.evaluate(WHEN, cond["ready"])[1]
                page.wait_for_function(f"() => performance.now() > {WATCH_MS}", polling=200,
                                       timeout=WATCH_MS * 4)
                tasks = page.evaluate(f"() => __long.filter((t) => t[0] < {WATCH_MS})")
                context.close()
                slow_ends = [t0 + d for t0, d in tasks if d > SLOW_TASK_MS]
                rows.append({"picture": picture, "interactive": max(picture, ready),
                             "answers": max([ready, *slow_ends]),
                             "longest": max([d for _, d in tasks], default=0)})
            out[screen][path] = {
                f"{k}_ms": round(statistics.median(r[k] for r in rows)) for k in rows[0]}
    return {"repeats": repeats, "throttle": THROTTLE, "screens": SCREENS, "pages": out}


def spectrum_tap(browser, devices, base: str, repeats: int) -> dict:
    """On a phone with the CPU throttled, /network trained to its end: ms from a tap on Spectrum
    to the histogram drawn, split into the answer's arrival (the server's eigenvalues and the
    message) and the drawing, and the longest main-thread task meanwhile (until session 9,
    Plotly.js's parse: 2.3-3.2 s)."""
    rows = []
    for _ in range(repeats):
        context = browser.new_context(**devices[SCREENS["phone"]])
        page = context.new_page()
        page.add_init_script(LONG_TASKS)
        page.context.new_cdp_session(page).send(
            "Emulation.setCPUThrottlingRate", {"rate": THROTTLE})
        page.goto(f"{base}/network#steps=20", wait_until="commit")
        page.wait_for_function("() => window.gradscape && gradscape.play === 'done'",
                               timeout=60_000)
        button = page.locator("#spectrum-button")
        button.scroll_into_view_if_needed()
        page.wait_for_function(f"() => performance.now() > {WATCH_MS}", polling=200,
                               timeout=WATCH_MS * 4)
        tap = page.evaluate("performance.now()")
        button.tap()
        page.wait_for_function("() => (document.getElementById('spectrum').drawn || {}).bars > 0",
                               timeout=60_000)
        lab = page.evaluate("gradscape.stability()")
        tasks = page.evaluate(f"() => __long.filter((t) => t[0] >= {tap})")
        context.close()
        answer = lab["spectrumAnsweredAt"] - tap
        rows.append({"drawn": answer + lab["spectrumDrawMs"], "answer": answer,
                     "draw": lab["spectrumDrawMs"],
                     "longest": max([d for _, d in tasks], default=0)})
    return {"repeats": repeats, "throttle": THROTTLE,
            **{f"{k}_ms": round(statistics.median(r[k] for r in rows)) for k in rows[0]}}


def network_max(browser, base: str, seconds: float = 5.0) -> dict:
    """The network page training at 'max' (two runs, the default net): animation frames and
    steps per second over `seconds`, unthrottled."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(f"{base}/network#speed=0&steps=5000")  # the server's most steps
    # once every figure has been drawn and the runs train: a steady state
    page.wait_for_function("() => window.gradscape && gradscape.runs().length"
                           " && gradscape.stats.draws.heatmaps > 0 && gradscape.play === 'running'",
                           timeout=60_000)
    page.evaluate(FRAME_PROBE)
    start = page.evaluate("() => [window.__from = performance.now(), gradscape.runs()[0].n]")
    page.wait_for_timeout(seconds * 1000)
    end = page.evaluate("() => [performance.now(), gradscape.runs()[0].n,"
                        " __probe.times.filter((t) => t >= window.__from).length]")
    context.close()
    dt = (end[0] - start[0]) / 1000
    return {"seconds": round(dt, 2), "frames_per_s": round(end[2] / dt, 1),
            "steps_per_s": round((end[1] - start[1]) / dt, 1)}


# Counts every animation frame and the gaps between them, in the page.
FRAME_PROBE = """() => {
  window.__probe = { times: [] };
  const tick = (now) => { window.__probe.times.push(now); requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
}"""


def sustained(browser, base: str, hash_: str, label: str) -> dict:
    """Frames per second while the runs stream in: the page's own redraw counter (stats.draws) and
    every animation frame with its gap, from `started` to the last run finishing."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(f"{base}/#speed=1")
    wait_for_map(page)
    page.wait_for_timeout(300)
    page.evaluate(FRAME_PROBE)
    starts = page.evaluate("() => gradscape.stats.starts")
    t0 = time.perf_counter()
    # Open the runs' link in this tab; the window starts now and ends when every run is done.
    page.evaluate("""(h) => {
        __probe.times = []; window.__t0 = performance.now();
        window.__d0 = gradscape.stats.draws; window.__s0 = gradscape.stats.steps;
        history.replaceState(null, '', '#-'); location.hash = h; }""", hash_)
    page.wait_for_function("(n) => gradscape.stats.starts > n", arg=starts)
    page.wait_for_function("() => gradscape.play === 'done'", timeout=120_000, polling=100)
    wall = time.perf_counter() - t0
    r = page.evaluate("""() => ({ t0: __t0, done: gradscape.stats.doneAt,
        draws: gradscape.stats.drawsAtDone - __d0, steps: gradscape.stats.steps - __s0,
        times: __probe.times, runs: gradscape.runs().map(r => r.n) })""")
    context.close()
    times = [t for t in r["times"] if t <= r["done"]]
    gaps = sorted(b - a for a, b in zip([r["t0"], *times], times, strict=False)) or [0]
    seconds = (r["done"] - r["t0"]) / 1000
    return {
        "label": label,
        "seconds": round(seconds, 2),
        "wall_seconds": round(wall, 2),
        "run_steps_received": r["steps"],
        "points_per_run": r["runs"],
        "redraws_per_s": round(r["draws"] / seconds, 1),
        "animation_frames_per_s": round(len(times) / seconds, 1),
        "frame_gap_ms_median": round(statistics.median(gaps), 1),
        "frame_gap_ms_p95": round(gaps[int(0.95 * (len(gaps) - 1))], 1),
        "frame_gap_ms_max": round(gaps[-1], 1),
    }


# The renderer comparison, evaluated in the page (bench/browser_renderers.js).
RENDERERS_JS = Path(__file__).resolve().parent / "browser_renderers.js"
# Playwright must see a function first, not a comment.
COMPARE = "\n".join(line for line in RENDERERS_JS.read_text().splitlines()
                     if not line.startswith("//"))


def compare(browser, base: str, updates: int) -> dict:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(f"{base}/#speed=1&steps=1")
    wait_for_map(page)
    # the comparison draws with Plotly too, which the map no longer loads
    page.evaluate("() => import('/static/js/shared/plots.js').then((m) => m.loadPlotly())")
    args = {"lengths": [500, 2000, 5000], "updates": updates, "batch": 20}
    result = page.evaluate(COMPARE, args)
    context.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--no-compare", action="store_true", help="skip the renderer comparison")
    parser.add_argument("--pages-only", action="store_true",
                        help="only every page's throttled first paint and the network at 'max'")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"Chromium not found at {CHROMIUM} (set GRADSCAPE_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    results: dict = {"cpus": os.cpu_count(), "viewport": VIEWPORT}
    with Gradscape() as server, sync_playwright() as p:
        base = server.url
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        results["chromium"] = browser.version
        print(f"Chromium {browser.version}, {os.cpu_count()} CPUs, {base}")

        if not args.pages_only:
            ff = first_frame(browser, base, 3 if args.quick else 7)
            results["first_frame"] = ff
            print("\nTime to first frame of the default view"
                  f" (median of {ff['repeats']} cold loads):")
            print(f"  surface painted (canvas)  {ff['surface_painted_ms']:6} ms")
            print(f"  first path drawn          {ff['first_path_ms']:6} ms   (goal: < 1000 ms)")

        fp = first_paint_throttled(browser, p.devices, base, 3 if args.quick else 5)
        results["first_paint_throttled"] = fp
        print(f"\nFirst paint with the CPU throttled {THROTTLE}x, cold (median of"
              f" {fp['repeats']}); a tap answered at once: no task over {SLOW_TASK_MS} ms"
              f" from then until {WATCH_MS} ms:")
        for screen, pages in fp["pages"].items():
            window = f"a {VIEWPORT['width']}x{VIEWPORT['height']} window"
            print(f"  {screen} ({SCREENS[screen] or window}):")
            for path, row in pages.items():
                print(f"    {path:10} picture and start points {row['picture_ms']:6} ms"
                      f" (goal < 1000)   controller ready {row['interactive_ms']:6} ms"
                      f"   a tap answered at once from {row['answers_ms']:6} ms (goal < 2000;"
                      f" longest task {row['longest_ms']} ms)")

        st = spectrum_tap(browser, p.devices, base, 3 if args.quick else 5)
        results["spectrum_tap"] = st
        print(f"\nA tap on Spectrum on a phone at {THROTTLE}x (median of {st['repeats']}):"
              f" drawn {st['drawn_ms']} ms after the tap: the answer {st['answer_ms']} ms,"
              f" the drawing {st['draw_ms']} ms ({st['draw_ms'] / max(1, st['answer_ms']):.2f} of"
              f" the answer); longest task {st['longest_ms']} ms (goal: none over {SLOW_TASK_MS})")

        nm = network_max(browser, base)
        results["network_max"] = nm
        print(f"\nThe network page at 'max': {nm['frames_per_s']} frames/s (goal >= 30),"
              f" {nm['steps_per_s']} steps/s per run, over {nm['seconds']} s")

        if not args.pages_only:
            print("\nFrames while runs stream in (6 runs x 5,000 steps unless said):")
            paced = SIX_RUNS.replace("speed=0", "speed=500")
            longer = SIX_RUNS.replace("steps=5000", "steps=20000")  # the server's max_steps
            runs = [sustained(browser, base, SIX_RUNS, "full speed (speed 0)"),
                    sustained(browser, base, longer, "full speed, 20,000 steps"),
                    sustained(browser, base, paced, "paced, 500 steps/s per run")]
            results["sustained"] = runs
            for r in runs:
                print(f"  {r['label']:28} {r['seconds']:6.2f} s  "
                      f"redraws {r['redraws_per_s']:5.1f}/s  "
                      f"animation frames {r['animation_frames_per_s']:5.1f}/s  "
                      f"gap median {r['frame_gap_ms_median']} ms, p95 {r['frame_gap_ms_p95']} ms, "
                      f"max {r['frame_gap_ms_max']} ms  (goal: >= 30 fps)")

        if not (args.no_compare or args.pages_only):
            cmp_ = compare(browser, base, 3 if args.quick else 6)
            results["renderers"] = cmp_
            print("\nOne update (6 paths, +20 points each), ms to the next frame, by path length:")
            lengths = list(next(iter(cmp_.values())).keys())
            print("  " + " " * 44 + "".join(f"{L:>10}" for L in lengths))
            for name, row in cmp_.items():
                print(f"  {name:44}" + "".join(f"{row[L]:10.1f}" for L in lengths))
        browser.close()

    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "browser.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
