// @ts-check
// The network view's downloads: every step of every run as CSV or JSON, a plot as PNG, and the
// link to this view (export.js does the files and the clipboard).

import { copyText, downloadPlotPNG, downloadText, fileName, toCSV } from "../shared/export.js";
import { showMessage } from "../shared/messages.js";

/** @typedef {import("../shared/state.js").Store} Store */
/** @typedef {import("./run.js").NetRun} NetRun */
/** The network of the latest start (the page's config), as far as the exports read it.
 * @typedef {{ sizes: number[], n_params?: number, activation?: string, loss?: string, task?: string }} Config */

/**
 * Copy the link; own points too many for a link are said to be left out.
 * @param {Store} store @param {HTMLInputElement | null} field
 */
export async function copyLink(store, field) {
  store.flush();
  const result = await copyText(store.link(), field);
  const said = {
    copied: "Link copied: it reopens this exact view.",
    "selected-copied": "Link copied (and selected below).",
    selected: "Copy the selected link with Ctrl+C.",
    failed: "Could not copy the link; copy it from the address bar.",
  }[result];
  const many = store.state.points && !store.state.pts && !store.state.kept ? " Your points are too many for a link: export them as JSON." : "";
  showMessage(said + many, { kind: result === "failed" ? "warn" : "info", key: "link", timeout: 5000 });
}

/**
 * One row per run and step: loss, accuracy, lr, plane coordinates, gradient norm per layer; with
 * a test set or a penalty (the generalisation lab), their columns and the weight norm.
 * @param {NetRun[]} runs @param {Config | null} config
 */
export function exportCSV(runs, config) {
  const layers = config ? config.sizes.length - 1 : 0;
  const lab = runs.some((r) => r.hasTest || r.hasPenalty);
  const header = ["run", "optimizer", "step", "loss", "accuracy", "lr", "plane_x", "plane_y",
    ...Array.from({ length: layers }, (_, l) => `grad_norm_layer${l + 1}`),
    ...(lab ? ["test_loss", "test_accuracy", "penalty", "weight_norm"] : [])];
  const v = (/** @type {number | undefined} */ x) => (Number.isFinite(x) ? x : null);
  const rows = [];
  for (const [i, run] of runs.entries()) {
    for (const [k, r] of run.rows().entries()) {
      rows.push([i + 1, run.info.optimizer, ...r, ...(lab ? [v(run.tloss[k]), v(run.tacc[k]), v(run.pen[k]), v(run.wnorm[k])] : [])]);
    }
  }
  downloadText(toCSV(header, rows), fileName("gradscape-network", "csv"), "text/csv");
}

/**
 * The settings (with the link), the network, the plane and every step of every run.
 * @param {Store} store @param {{ config: Config | null, plane: unknown, runs: NetRun[] }} views
 */
export function exportJSON(store, { config, plane, runs }) {
  const c = config;
  const doc = {
    link: store.link(),
    state: store.state,
    network: c ? { sizes: c.sizes, n_params: c.n_params, activation: c.activation, loss: c.loss, task: c.task } : null,
    plane,
    runs: runs.map((run, i) => ({
      settings: store.state.runs[i], status: run.status, diverged_at: run.divergedAt, reason: run.reason,
      steps: run.rows().map(([step, loss, accuracy, lr, px, py, ...gn]) => ({ step, loss, accuracy, lr, plane: [px, py], grad_norms: gn })),
    })),
  };
  downloadText(JSON.stringify(doc, null, 1), fileName("gradscape-network", "json"), "application/json");
}

/**
 * A figure as on screen: its canvases, bottom first, composed on white.
 * @param {HTMLCanvasElement[]} canvases @param {string} stem the file's name before the date
 */
export async function exportPNG(canvases, stem) {
  try {
    await downloadPlotPNG(null, canvases, fileName(stem, "png"));
  } catch (err) {
    showMessage(`Could not export the image: ${err instanceof Error ? err.message : err}`, { key: "export" });
  }
}
