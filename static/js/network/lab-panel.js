// @ts-check
// The generalisation lab on the network view, assembled: its settings and presets (in the settings
// column), the side panel's tabs (the landscape, the unit maps with the weight norm, the sweep),
// and the exports of the trained network. The page calls render(state) when the state changes,
// draw() from its animation loop, and asks for the extras of a `start` and of its charts.

import { el } from "../shared/controls.js";
import { getJSON } from "../shared/api.js";
import { fileName } from "../shared/export.js";
import { CanvasLineChart, minMaxDecimate } from "../shared/linechart.js";
import { showMessage } from "../shared/messages.js";
import { runStyle } from "../shared/run-style.js";
import { RUN_COLORS } from "./state.js";
import { LabControls, penaltySeries, testSeries } from "./generalisation.js";
import { SIDE_IDS, labShows, labStart, neuronGrid, presetPatch } from "./lab-state.js";
import { NeuronMaps } from "./neuron-maps.js";
import { SweepPanel } from "./sweep-panel.js";

/** @typedef {import("../shared/state.js").State} State */
/** @typedef {import("./generalisation.js").ChartRun} ChartRun */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** The side panel's views: the loss landscape, or one of the lab's. */
const SIDE_WORDS = /** @type {Record<string, { text: string, tip: string }>} */ ({
  landscape: { text: "Landscape", tip: "The loss landscape: a slice through weight space with each run's path." },
  units: { text: "Units", tip: "What each hidden unit does: its activation over the input plane, live; and the weight norm |θ|." },
  sweep: { text: "Sweep", tip: "Train a family of networks that differ in one setting and chart their final train and test error (double descent)." },
});
const SIDES = SIDE_IDS.map((id) => ({ id, ...SIDE_WORDS[id] }));

/** Preset buttons' names, in the order shown (any other preset the server adds comes after). */
const PRESET_NAMES = /** @type {Record<string, string>} */ ({ overfitting: "Overfitting", grokking: "Grokking", double_descent: "Double descent" });

/**
 * The page's parts the lab reads and drives (network/page.js).
 * @typedef {object} LabHost
 * @property {import("../shared/state.js").Store} store
 * @property {import("../types/api").MlpOptions} options
 * @property {any} socket
 * @property {import("./run.js").NetRun[]} runs
 * @property {Record<string, any> | null} config
 * @property {() => void} markDirty
 */

export class LabPanel {
  /** @param {LabHost} page */
  constructor(page) {
    this.page = page;
    this.controls = new LabControls($("lab-controls"), page.options, (patch) => page.store.set(patch));
    this.side = /** @type {HTMLElement} */ (document.querySelector(".lab-side"));
    this.maps = new NeuronMaps($("unit-maps"), $("unit-maps-note"), {
      onPick: (unit) => {
        if (unit) page.store.set({ layer: unit.layer }); // the unit's incoming weights
        page.markDirty();
      },
    });
    this.wnormChart = new CanvasLineChart($("wnorm-chart"), { title: "Weight norm |θ| per step", ytitle: "|θ|" });
    this.sweep = new SweepPanel($("sweep"), page.options, page.socket, () => page.store.state);
    /** @type {Record<string, { message: Record<string, any>, description: string }>} */
    this.presets = {};
    this.mapsVersion = -1;
    for (const box of document.querySelectorAll(".side-tabs")) {
      box.replaceChildren(...SIDES.map((s) => el("button", {
        type: "button", text: s.text, tip: s.tip, dataset: { side: s.id },
        on: { click: () => page.store.set({ side: s.id }) },
      })));
    }
    $("export-torch").addEventListener("click", () => this.exportNetwork("torch"));
    $("export-npz").addEventListener("click", () => this.exportNetwork("npz"));
    this.loadPresets();
  }

  async loadPresets() {
    const box = $("lab-presets");
    try {
      this.presets = await getJSON("/api/mlp/presets");
    } catch (err) {
      box.append(el("span", { class: "note", text: `no presets (${/** @type {Error} */ (err).message})` }));
      return;
    }
    const ids = Object.keys(this.presets).sort((a, b) => (a in PRESET_NAMES ? 0 : 1) - (b in PRESET_NAMES ? 0 : 1) || Object.keys(PRESET_NAMES).indexOf(a) - Object.keys(PRESET_NAMES).indexOf(b));
    box.append(...ids.map((id) => el("button", {
      type: "button", class: "small", text: PRESET_NAMES[id] || id.replace(/_/g, " "), tip: this.presets[id].description,
      dataset: { preset: id }, on: { click: () => this.applyPreset(id) },
    })));
  }

  /** A `start` preset becomes the page's state (a link reproduces it); a `sweep` runs in the sweep tab. @param {string} id */
  applyPreset(id) {
    const p = this.presets[id];
    if (!p) return;
    const m = p.message;
    if (m.type === "sweep") {
      this.page.store.set({ side: "sweep" });
      this.sweep.runPreset(m);
    } else {
      const ds = this.page.options.datasets.find((d) => d.id === (m.dataset || {}).id);
      const side = ds && ds.one_hot ? "units" : this.page.store.state.side; // grokking: the weight norm
      this.page.store.set(/** @type {State} */ ({ ...presetPatch(m), side }));
    }
    showMessage(`Preset ${PRESET_NAMES[id] || id}: ${p.description}`, { kind: "info", key: "preset", timeout: 9000 });
  }

  /** The extras of a `start` for this state (unit maps; fewer weights for wide one-hot nets). @param {State} state */
  startExtras(state) {
    return labStart(state, this.page.options);
  }

  /** Does this state ask for one-hot inputs (modular addition: a log-step axis, no boundary)? @param {State} state */
  oneHot(state) {
    const ds = this.page.options.datasets.find((d) => d.id === state.dataset);
    return Boolean(ds && ds.one_hot);
  }

  /** @param {State} state */
  render(state) {
    this.controls.render(state);
    const shows = labShows(state.side);
    this.side.dataset.shows = shows;
    for (const b of document.querySelectorAll(".side-tabs button")) {
      // the side panel's own tabs say what it shows (on a phone: the unit maps for "landscape")
      const side = /** @type {HTMLElement} */ (b).dataset.side;
      b.setAttribute("aria-pressed", String(this.side.contains(b) ? side === shows : side === state.side));
    }
    const body = document.body;
    for (const s of SIDES) body.classList.toggle(`side-${s.id}`, s.id === state.side);
  }

  /**
   * The loss and accuracy charts' extra lines (test dashed, best-test dots, the penalty dotted).
   * @param {ChartRun[]} runs
   */
  chartSeries(runs) {
    return {
      loss: [...testSeries(runs, "tloss", { best: true }), ...penaltySeries(runs)],
      accuracy: testSeries(runs, "tacc", { scale: 100, best: true }),
    };
  }

  /** The unit maps and the weight norm of the selected run (cheap: canvases). */
  draw() {
    const page = this.page;
    const state = page.store.state;
    const run = page.runs[state.sel];
    const c = page.config;
    const hidden = c ? c.sizes.slice(1, -1) : state.hidden;
    const available = c ? Boolean(c.neurons) : neuronGrid(state, page.options) > 0;
    // the unit maps when they are on screen (a wide screen's side panel, or a phone's Lab tab)
    const units = labShows(state.side) === "units" && this.side.getClientRects().length > 0;
    if (units) this.maps.draw(run, hidden, run ? `run ${state.sel + 1}` : "", available);
    const series = page.runs.map((r, i) => {
      const d = minMaxDecimate(r.step, r.wnorm, r.n);
      return { name: `run ${i + 1}`, color: RUN_COLORS[i % RUN_COLORS.length], x: d.x, y: d.y, lineDash: runStyle(i).lineDash };
    });
    if (units) this.wnormChart.update(series.filter((s) => s.y.some((v) => v !== null)), { log: false, logx: this.oneHot(state) });
  }

  /** The unit picked on the maps, for the heatmaps to outline, or null. */
  get picked() {
    return this.maps.picked;
  }

  /** The selected run's latest weights as a PyTorch script or a NumPy .npz (POST /api/mlp/export). @param {"torch" | "npz"} format */
  async exportNetwork(format) {
    const page = this.page;
    const run = page.runs[page.store.state.sel];
    const c = page.config;
    if (!run || !run.weights || !c) {
      showMessage("Nothing to export yet: train the network first.", { kind: "info", key: "export", timeout: 4000 });
      return;
    }
    const layers = run.weights.layers;
    const body = {
      layers: layers.map((l, k) => (k < layers.length - 1 ? { W: l.W, b: l.b, activation: c.activation } : { W: l.W, b: l.b })),
      loss: c.loss, format,
    };
    try {
      const res = await fetch("/api/mlp/export", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`${res.status}: ${(await res.text()).slice(0, 200)}`);
      const blob = await res.blob();
      const a = /** @type {HTMLAnchorElement} */ (el("a", { href: URL.createObjectURL(blob), download: fileName(`gradscape-network-step${run.weights.step}`, format === "torch" ? "py" : "npz") }));
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } catch (err) {
      showMessage(`Could not export the network: ${/** @type {Error} */ (err).message}`, { key: "export" });
    }
  }
}
