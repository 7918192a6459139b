// @ts-check
// When the network page loads Plotly.js (4.8 MB: its parse holds a slow machine's main thread
// for seconds, and a tap waits for it): only when a figure that needs it comes into view (the
// spectrum, shown by its button). The boundary, the landscape, the heatmaps, the line charts and
// the unit maps are canvases and need none of it. A figure waiting for it says so.

import { el } from "../shared/controls.js";
import { loadPlotly } from "../shared/plots.js";

export class PlotlyDemand {
  /**
   * @param {HTMLElement[]} figures the boxes of the figures Plotly draws
   * @param {{ loaded: () => void, failed: (err: Error) => void }} on
   */
  constructor(figures, { loaded, failed }) {
    this.figures = figures;
    this.on = { loaded, failed };
    /** @type {Promise<void> | null} */
    this.loading = null;
    /** @type {IntersectionObserver | null} */
    this.observer = null;
    // in each box, over where its figure will be, until Plotly is here
    this.notes = figures.map((box) => {
      const note = el("div", { class: "plot-status plotly-wait", role: "status", text: "Loading the plotting library…" });
      box.append(note);
      return note;
    });
  }

  /** The first picture is up: Plotly once a figure that needs it shows. */
  start() {
    // A hidden figure (display: none, or in a hidden tab) never intersects: shown, it does.
    this.observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) this.need().catch(() => {}); // said by `failed`
    });
    for (const box of this.figures) this.observer.observe(box);
  }

  /** Plotly, now: a figure came into view, or an export asks. @returns {Promise<void>} */
  need() {
    if (!this.loading) {
      this.loading = loadPlotly().then(() => {
        if (this.observer) this.observer.disconnect();
        for (const note of this.notes) note.remove();
        this.on.loaded();
      }, (err) => {
        // tried again by a figure that comes into view again
        this.loading = null;
        for (const note of this.notes) note.textContent = "Could not load the plotting library: it is tried again when this view is shown again.";
        this.on.failed(err);
        throw err;
      });
    }
    return this.loading;
  }
}
