"""The descent map's first paint (static/js/descent/first-paint.js): the surface and the start
point are on screen before the page's controller has loaded (it loads after them,
shared/entry.js), and the controller takes over the same plot and the same grid (one request).
The canvas map is the map on every screen (Plotly.js loads only for the 3D view); its levels are
those Plotly draws for the same grid (the class gallery's map is Plotly's)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import App

# Pixels of a canvas, counted in the page: [painted (alpha > 0), centroid x, centroid y] in CSS px.
INK = """(id) => {
  const c = document.getElementById(id);
  const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0, sx = 0, sy = 0;
  for (let k = 0; k < data.length; k += 4) {
    if (data[k + 3] === 0) continue;
    const p = k / 4;
    n++; sx += p % c.width; sy += Math.floor(p / c.width);
  }
  const dpr = c.width / c.clientWidth;
  return [n, n ? sx / n / dpr : null, n ? sy / n / dpr : null];
}"""


def test_the_surface_and_start_point_are_painted_before_the_registries_load(fresh_app: App) -> None:
    page = fresh_app.page
    grids: list[str] = []
    page.on("request", lambda r: grids.append(r.url) if "/grid?" in r.url else None)
    held = []

    def hold(route) -> None:  # the controller waits for the registries
        held.append(route)

    page.route("**/api/optimizers", hold)
    page.goto(f"{fresh_app.base_url}/#start=-1,1.5")
    page.wait_for_selector("#plot-wrap[data-painted]")
    assert page.evaluate("() => window.gradscape === undefined")  # no controller yet
    surface = page.evaluate(INK, "base")
    start = page.evaluate(INK, "heads")
    assert surface[0] > 10_000  # the surface's colours fill the axes
    assert 0 < start[0] < 1_000  # the start marker, and nothing else

    # then the controller loads, and asks for its registries
    for _ in range(200):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the controller asked for the registries"
    for route in held:
        route.continue_()
    page.wait_for_function("() => window.gradscape && gradscape.stats.surfaceAt !== null")
    # The marker was where the controller puts the start point, and the grid came once.
    wrap = page.locator("#plot-wrap").bounding_box()
    px, py = page.evaluate("() => gradscape.pixelOf(-1, 1.5)")
    assert abs(start[1] - (px - wrap["x"])) < 2 and abs(start[2] - (py - wrap["y"])) < 2
    assert len(grids) == 1, grids
    fresh_app.assert_clean()


def test_a_link_the_first_paint_leaves_to_the_page_is_drawn_by_the_page(fresh_app: App) -> None:
    # surface parameters need the registry's ranges: the controller draws this one itself
    app = fresh_app.open("surface=ravine&condition=20", wait_map=False)
    app.page.wait_for_selector("#plot-wrap[data-painted]")
    assert app.js("() => gradscape.state.params") == {"condition": 20}
    assert app.page.evaluate(INK, "base")[0] > 10_000
    app.assert_clean()


def test_the_canvas_maps_levels_are_those_plotly_draws_for_the_same_grid(fresh_app: App) -> None:
    app = fresh_app.open()
    m = app.js("() => gradscape.map()")
    assert app.js("() => typeof window.Plotly") == "undefined"  # the map needed none of it
    plotly = app.page.evaluate("""async () => {
      const plots = await import('/static/js/shared/plots.js');
      await plots.loadPlotly();
      const url = performance.getEntriesByType('resource').map((e) => e.name)
        .find((n) => n.includes('/grid?'));
      const grid = await (await fetch(url)).json();
      const tf = plots.colorTransform(grid.z, grid.surface.min_value);
      const div = document.createElement('div');
      document.body.append(div);
      await Plotly.newPlot(div, plots.contourTraces(grid, tf), {}, plots.PLOT_CONFIG);
      const c = div._fullData[0].contours;
      div.remove();
      return { start: c.start, end: c.end, size: c.size };
    }""")
    for key in ("start", "end", "size"):
        assert m["levels"][key] == pytest.approx(plotly[key], abs=1e-9), (m["levels"], plotly)
    assert not app.errors
