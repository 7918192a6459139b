"""static/js/shared/linechart.js in the page: a chart's title fits its canvas. At 1366 px the
network page's side charts are 200 px wide, and the gradient-norm chart's title ran off its edge."""

from __future__ import annotations

import pytest

from tests.browser.test_network import check, open_page, wait_done, watch

pytestmark = pytest.mark.browser

MEASURE = """() => [...document.querySelectorAll("canvas.linechart")]
    .filter((c) => c.clientWidth > 0)
    .map((c) => {
      const ctx = document.createElement("canvas").getContext("2d");
      ctx.font = c.dataset.titleFont;
      const shown = c.dataset.titleShown;
      return { chart: c.parentElement.id, label: c.getAttribute("aria-label"), shown,
               width: ctx.measureText(shown).width, canvas: c.clientWidth };
    })"""


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)])
def test_every_chart_title_on_the_network_page_fits_whole(browser_context, server, size) -> None:
    pg = browser_context.new_page()
    app = watch(pg, server.url)
    try:
        pg.set_viewport_size({"width": size[0], "height": size[1]})
        open_page(pg, "speed=0&steps=5")
        wait_done(pg)
        pg.wait_for_function("""() => document.querySelector("#gnorm-chart canvas")
            ?.dataset.titleShown?.startsWith("‖∂L/∂W‖")""")  # the selected run's title
        charts = pg.evaluate(MEASURE)
        assert "gnorm-chart" in [c["chart"] for c in charts]
        for c in charts:
            assert not c["shown"].endswith("…"), c  # whole, not cut ...
            assert c["label"].startswith(c["shown"]), c
            assert 6 + c["width"] <= c["canvas"] - 6, c  # ... and inside the canvas
        check(app)
    finally:
        pg.close()
