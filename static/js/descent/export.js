// @ts-check
// The descent view's exports: a link to the view, the plot as PNG (map and paths together), and
// every step of every run as CSV and JSON (the full data, not the decimated drawing).
// A part of DescentPage (descent/page.js): `this.page` is the controller.

import { copyText, downloadPlotPNG, downloadText, fileName, toCSV } from "../shared/export.js";
import { showMessage } from "../shared/messages.js";

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id)); // the page's own ids

export class Exports {
  /** @param {import("./page.js").DescentPage} page the controller whose state this part reads */
  constructor(page) {
    this.page = page;
  }

  async copyLink() {
    this.page.store.flush();
    const result = await copyText(this.page.store.link(), /** @type {HTMLInputElement} */ ($("link-field")));
    const said = {
      copied: "Link copied: it reopens this exact view.",
      "selected-copied": "Link copied (and selected below).",
      selected: "Copy the selected link with Ctrl+C.",
      failed: "Could not copy the link; copy it from the address bar.",
    }[result];
    showMessage(said, { kind: result === "failed" ? "warn" : "info", key: "link", timeout: 4000 });
  }

  /** Do any of the runs carry trial points (GET /api/optimizers: trials)? Then exports say them. */
  hasTrials() {
    return this.page.store.state.runs.some((/** @type {{ optimizer: string }} */ run) => this.page.optimizer(run.optimizer).trials);
  }

  exportRows() {
    const withTrials = this.hasTrials();
    const rows = [];
    for (const [i, t] of this.page.trajectories.entries()) {
      const run = this.page.store.state.runs[i];
      if (!run) continue;
      // a step's trials in one cell: "x y; x y" (the points the step evaluated, trials.js)
      const trials = withTrials ? t.trials.byStep(t.n).map((/** @type {number[][]} */ ps) => ps.map((p) => p.join(" ")).join("; ")) : [];
      for (const [k, r] of t.rows().entries()) rows.push(withTrials ? [i + 1, run.optimizer, ...r, trials[k]] : [i + 1, run.optimizer, ...r]);
    }
    return rows;
  }

  exportCSV() {
    const header = ["run", "optimizer", "step", "x", "y", "loss", "grad_x", "grad_y", "lr"];
    if (this.hasTrials()) header.push("trials");
    downloadText(toCSV(header, this.exportRows()), fileName("gradscape-trajectories", "csv"), "text/csv");
  }

  exportJSON() {
    const state = this.page.store.state;
    const doc = {
      link: this.page.store.link(),
      surface: this.page.grid ? this.page.grid.surface : null,
      state,
      runs: this.page.trajectories.map((t, i) => {
        const trials = state.runs[i] && this.page.optimizer(state.runs[i].optimizer).trials ? t.trials.byStep(t.n) : null;
        return {
          settings: state.runs[i], status: t.status, diverged_at: t.divergedAt, reason: t.reason,
          state: t.state, // the optimizer's state after the last step (its keys: GET /api/optimizers/state-keys)
          steps: t.rows().map((/** @type {(number | null)[]} */ [step, x, y, loss, gx, gy, lr], /** @type {number} */ k) => ({
            step, x, y, loss, grad: [gx, gy], lr, ...(trials ? { trials: trials[k] } : {}),
          })),
        };
      }),
    };
    downloadText(JSON.stringify(doc, null, 1), fileName("gradscape-trajectories", "json"), "application/json");
  }

  async exportPNG() {
    try {
      if (this.page.store.state.view === "3d") {
        if (!(await this.page.load3d())) return; // the page said why
        await window.Plotly.downloadImage($("surface3d"), { format: "png", filename: fileName("gradscape-descent-3d", "png").replace(/\.png$/, ""), scale: 2 });
      } else {
        // the map as on screen: its canvases (the map, the paths, the heads)
        await downloadPlotPNG(null, this.page.plot.canvases, fileName("gradscape-descent", "png"));
      }
    } catch (err) {
      showMessage(`Could not export the image: ${err instanceof Error ? err.message : err}`, { key: "export" });
    }
  }
}
