"""/network's loss landscape on canvas (network/landscape.js, issue #13): no Plotly figure under
#landscape, its own hover along the paths and on the map, and a click on a path point that picks
that step for the readout below the map. A 1280x720 window with a mouse."""

from __future__ import annotations

import pytest

from tests.browser.test_network import LANDSCAPE, open_page, page, until  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

# Training done, the finished runs sliced again and their paths revealed on that slice (drawn:
# not the live slice's last frame): the map holds still.
LANDSCAPE_FINAL = (
    "window.gradscape.play === 'done' && window.gradscape.landscape().phase === 'final'"
    f" && window.gradscape.landscape().busy === null && {LANDSCAPE}.grid > 0"
    f" && {LANDSCAPE}.mode === window.gradscape.landscape().mode"
    f" && !{LANDSCAPE}.revealing && {LANDSCAPE}.runs.length === 2"
    f" && {LANDSCAPE}.runs.every((r) => r.n > 20)"
)

# A point of run 1's path (px in the box) away from the other run's points, the start and the
# ends of its own path: a click there can only mean that point.
LONE_POINT = f"""() => {{
  const d = {LANDSCAPE};
  const [a, b] = d.runs;
  const p = d.plot;
  const far = (x, y, xy) => {{
    for (let k = 0; k < xy.length; k += 2) {{
      if ((xy[k] - x) ** 2 + (xy[k + 1] - y) ** 2 < 30 ** 2) return false;
    }}
    return true;
  }};
  const n = a.xy.length / 2;
  for (let k = Math.floor(n / 4); k < n - 2; k++) {{
    const x = a.xy[2 * k], y = a.xy[2 * k + 1];
    const inside = x > p.left + 15 && x < p.left + p.width - 15
      && y > p.top + 15 && y < p.top + p.height - 15;
    if (!inside || !far(x, y, b.xy) || (d.origin && !far(x, y, d.origin))) continue;
    if (!far(x, y, a.xy.slice(-2))) continue;
    return [x, y];
  }}
  return null;
}}"""

# The point of the map's inner part farthest from every drawn path point and the start.
EMPTY_SPOT = f"""() => {{
  const d = {LANDSCAPE};
  const p = d.plot;
  const pts = [...d.runs.flatMap((r) => Array.from(r.xy)),
               ...d.extra.flatMap((e) => Array.from(e.xy)), ...(d.origin || [])];
  let best = null, bestD = -1;
  for (let i = 1; i < 10; i++) for (let j = 1; j < 10; j++) {{
    const x = p.left + p.width * (0.1 + 0.8 * i / 10);
    const y = p.top + p.height * (0.1 + 0.8 * j / 10);
    let m = Infinity;
    for (let k = 0; k < pts.length; k += 2) {{
      if (pts[k] === pts[k]) m = Math.min(m, (pts[k] - x) ** 2 + (pts[k + 1] - y) ** 2);
    }}
    if (m > bestD) {{ best = [x, y]; bestD = m; }}
  }}
  return [best, Math.sqrt(bestD)];
}}"""


def hover(pg, x: float, y: float) -> str:
    """Move the mouse to (x, y) px in #landscape; the hover label's text once it shows."""
    box = pg.locator("#landscape").bounding_box()
    pg.mouse.move(box["x"] + x, box["y"] + y)
    label = pg.locator("#landscape .hover-readout")
    label.wait_for(state="visible")
    return label.inner_text()


def test_the_landscape_is_a_canvas_with_its_own_hover_and_pick(page) -> None:  # noqa: F811
    # PCA: the plane of the finished paths, which fill the map. (Training outlasts the first
    # picture: one done before it gets its final slice overridden by the live one, server.js.)
    open_page(page, "plane=pca&steps=150&speed=100")
    until(page, LANDSCAPE_FINAL, timeout=30_000)
    # No Plotly figure under #landscape: its canvases, laid out in the box.
    assert page.locator("#landscape .js-plotly-plot, #landscape .main-svg").count() == 0
    assert page.evaluate("document.getElementById('landscape').data === undefined")
    assert page.locator("#landscape canvas.landscape-map").is_visible()
    assert page.locator("#landscape canvas.landscape-paths").is_visible()

    # A run's head: its step, its real loss and the slice's value there.
    head = page.evaluate(f"Array.from({LANDSCAPE}.runs[1].xy.slice(-2))")
    text = hover(page, *head)
    assert "step" in text and "real loss" in text and "slice here" in text, text

    # An empty part of the map: the point's coordinates and the slice's loss there.
    spot, gap = page.evaluate(EMPTY_SPOT)
    assert gap > 20, gap
    text = hover(page, *spot)
    assert "loss on the slice" in text, text
    assert text.startswith("("), text

    # A point of run 1's path: the hover names its step; a click picks it for the readout.
    point = page.evaluate(LONE_POINT)
    assert point, "no point of run 1 stands apart from run 2's path"
    text = hover(page, *point)
    first = text.splitlines()[0]
    assert first.startswith("1. ") and ", step " in first, text
    step = int(first.rsplit("step ", 1)[1])
    assert f"step {step}:" not in page.locator("#landscape-readout").inner_text()
    box = page.locator("#landscape").bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    picked = f"{first.split(',')[0]}, step {step}:"  # "1. SGD, step 37:"
    until(page, f"document.getElementById('landscape-readout').textContent.startsWith({picked!r})")
    readout = page.locator("#landscape-readout").inner_text()
    assert "real loss" in readout or "agree" in readout, readout
    # The mouse leaves the map: no label.
    page.mouse.move(2, 715)
    page.locator("#landscape .hover-readout").wait_for(state="hidden")


READOUT = "document.getElementById('landscape-readout').textContent"


def test_the_keys_walk_the_picked_point_along_the_paths(page) -> None:  # noqa: F811
    """The paths' canvas takes the focus; the arrows, Home and End walk the selected run's steps
    and Up / Down go to the other run, each said by the readout, and the page's own arrow keys
    (a step, the learning rate) stay out of it."""
    open_page(page, "plane=pca&steps=150&speed=100")
    until(page, LANDSCAPE_FINAL, timeout=30_000)
    lr = page.evaluate("window.gradscape.state.runs[0].lr")
    page.focus("#landscape canvas.landscape-paths")
    assert page.evaluate("document.activeElement.classList.contains('landscape-paths')")
    page.keyboard.press("Home")
    until(page, f"{READOUT}.startsWith('1. ') && {READOUT}.includes(', step 0:')")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    until(page, f"{READOUT}.includes(', step 11:')")
    page.keyboard.press("ArrowLeft")
    until(page, f"{READOUT}.includes(', step 10:')")
    page.keyboard.press("ArrowDown")  # the same step of run 2, which is now selected
    until(page, f"{READOUT}.startsWith('2. ') && {READOUT}.includes(', step 10:')")
    assert page.evaluate("window.gradscape.state.sel") == 1
    page.keyboard.press("End")
    until(page, f"{READOUT}.includes(', step 150')")
    page.keyboard.press("ArrowUp")
    until(page, f"{READOUT}.startsWith('1. ') && {READOUT}.includes(', step 150')")
    # The page's arrow keys were not also pressed: no step taken, no learning rate changed.
    assert page.evaluate("window.gradscape.state.runs[0].lr") == lr
    assert page.evaluate("window.gradscape.runs().map((r) => r.n)") == [151, 151]
