// @ts-check
// Sweeps (docs/protocol.md, "Sweeps"): a family of trainings that differ in one setting (hidden
// width, steps, lr, label noise, training-set size), run by the server's process pool, charted as
// final train and test error against the swept value, with a progress bar and a cancel. The
// settings, fits and limits are GET /api/mlp/options' `sweeps`; the base training is the page's
// (its data, network, lab settings and selected run), or a preset's (double descent).

import { el } from "../shared/controls.js";
import { fmt } from "../shared/format.js";
import { CanvasLineChart } from "../shared/linechart.js";
import { TEST_DASH } from "./generalisation.js";

/** @typedef {import("../types/api").MlpOptions} MlpOptions */
/** @typedef {import("../shared/state.js").State} State */
/** @typedef {{ value: number, train_error: number, test_error: number, n_params: number, n_train: number, diverged?: number } | null} SweepRow */

// Each setting's first values: a range that shows its effect in well under a minute.
const STARTERS = /** @type {Record<string, string>} */ ({
  width: "2, 4, 8, 16, 32, 64", steps: "10, 30, 100, 300, 1000", lr: "0.001, 0.003, 0.01, 0.03, 0.1",
  label_noise: "0, 0.1, 0.2, 0.3, 0.4", n_train: "10, 20, 40, 80",
});
// Settings whose values span decades: a log x axis.
const LOG_X = new Set(["width", "steps", "lr", "n_train"]);

/**
 * The `sweep` message's base for the page's state: its data, network, lab settings and the
 * selected run (a test set of half the points when the page has none: a sweep measures on it).
 * @param {State} state @param {string} fit
 */
export function sweepBase(state, fit) {
  const run = state.runs[state.sel] || state.runs[0];
  /** @type {Record<string, unknown>} */
  const dataset = { id: state.dataset, n: state.n, seed: state.dseed };
  if (state.noise !== null) dataset.noise = state.noise;
  if (state.classes !== null) dataset.n_classes = state.classes;
  /** @type {Record<string, unknown>} */
  const spec = { optimizer: run.optimizer, lr: run.lr, ...run.hp };
  if (run.batch) spec.batch_size = run.batch;
  return {
    dataset, test_fraction: state.test_fraction > 0 ? state.test_fraction : 0.5, label_noise: state.label_noise,
    hidden: state.hidden.length ? [...state.hidden] : [8], activation: state.activation, fit, run: spec,
    steps: state.steps, l1: state.l1, l2: state.l2, dropout: state.dropout, seed: state.seed,
  };
}

/** "5, 10 20;40" -> [5, 10, 20, 40]; throws an Error with a sentence. @param {string} text */
export function parseValues(text) {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (!parts.length) throw new Error("give at least one value");
  return parts.map((p) => {
    const v = Number(p);
    if (!Number.isFinite(v)) throw new Error(`"${p}" is not a number`);
    return v;
  });
}

export class SweepPanel {
  /**
   * @param {HTMLElement} root the panel's container
   * @param {MlpOptions} options
   * @param {{ send: (m: Record<string, unknown>) => boolean, on: (type: string, fn: (m: any) => void) => unknown }} socket
   * @param {() => State} getState
   */
  constructor(root, options, socket, getState) {
    this.root = root;
    this.options = options;
    this.socket = socket;
    this.getState = getState;
    const sweeps = options.sweeps || { settings: {}, fits: [], limits: {} };
    /** @type {"idle" | "asked" | "running" | "done" | "cancelled" | "error"} */
    this.phase = "idle";
    /** @type {Record<string, unknown> | null} a preset's base, used instead of the page's once */
    this.presetBase = null;
    /** @type {{ setting: string, values: number[], total: number, done: number, workers: number, rows: SweepRow[], outcomes: { value: number, train_error: number, test_error: number }[] } | null} */
    this.sweep = null;

    this.setting = /** @type {HTMLSelectElement} */ (el("select", { "aria-label": "Swept setting", id: "sweep-setting" }));
    for (const [id, words] of Object.entries(sweeps.settings)) this.setting.append(el("option", { value: id, text: id.replace("_", " "), title: words }));
    this.values = /** @type {HTMLInputElement} */ (el("input", {
      type: "text", id: "sweep-values", spellcheck: false, autocomplete: "off", "aria-label": "Values to sweep",
      tip: `The values of the swept setting, e.g. "2, 4, 8, 16": one training each (times the repeats; at most ${sweeps.limits.trainings} trainings, ${sweeps.limits.values} values).`,
    }));
    this.fit = /** @type {HTMLSelectElement} */ (el("select", { "aria-label": "How each network is fitted", id: "sweep-fit" }));
    const fitWords = /** @type {Record<string, string>} */ ({
      gd: "gd: the selected run's optimizer trains every layer, as a live run",
      min_norm: "min_norm: random hidden features, the output layer solved by min-norm least squares (double descent; width and label noise only)",
    });
    for (const f of sweeps.fits) this.fit.append(el("option", { value: f, text: f.replace("_", "-"), title: fitWords[f] || f }));
    this.repeats = /** @type {HTMLInputElement} */ (el("input", {
      type: "number", id: "sweep-repeats", min: 1, max: sweeps.limits.repeats || 5, step: 1, value: "1", "aria-label": "Repeats",
      tip: "Trainings per value, with seeds seed, seed + 1, ...: the chart shows their median.",
    }));
    this.run = /** @type {HTMLButtonElement} */ (el("button", { type: "button", class: "primary", id: "sweep-run", text: "Run sweep", tip: "Train once per value (on the server's worker processes) and chart the final train and test error against the value.", on: { click: () => this.start() } }));
    this.cancel = /** @type {HTMLButtonElement} */ (el("button", { type: "button", id: "sweep-cancel", text: "Cancel", disabled: true, tip: "Stop the sweep: the values not trained yet stay empty.", on: { click: () => this.stop() } }));
    this.progress = /** @type {HTMLProgressElement} */ (el("progress", { id: "sweep-progress", max: 1, value: 0, "aria-label": "Sweep progress" }));
    this.status = el("span", { class: "sweep-status", id: "sweep-status", role: "status" });
    const chartBox = el("div", { class: "chart sweep-chart", id: "sweep-chart" });
    this.setting.addEventListener("change", () => {
      this.presetBase = null;
      this.values.value = STARTERS[this.setting.value] || "";
    });
    this.fit.addEventListener("change", () => {
      this.presetBase = null;
    });
    this.values.value = STARTERS[this.setting.value] || "";
    root.append(
      el("div", { class: "row sweep-row" }, [el("span", { class: "field-label", text: "sweep" }), this.setting, this.values]),
      el("div", { class: "row sweep-row" }, [
        el("label", { class: "field", tip: "How each network of the sweep is fitted." }, [el("span", { class: "field-label", text: "fit" }), this.fit]),
        el("label", { class: "field" }, [el("span", { class: "field-label", text: "repeats" }), this.repeats]),
        this.run, this.cancel,
      ]),
      el("div", { class: "row sweep-row" }, [this.progress, this.status]),
      chartBox,
    );
    this.chart = new CanvasLineChart(chartBox, { title: "Final error per value: train solid, test dashed", ytitle: "error", xtitle: this.setting.value });

    socket.on("sweep_started", (m) => this.onStarted(m));
    socket.on("sweep_progress", (m) => this.onProgress(m));
    socket.on("sweep_done", (m) => this.onDone(m));
    socket.on("error", (m) => this.onError(m));
    socket.on("close", () => {
      if (this.phase === "asked" || this.phase === "running") this.finish("error", "the connection closed during the sweep");
    });
    this.render();
  }

  /** A preset's sweep (GET /api/mlp/presets): its setting, values and base, then run it. @param {Record<string, any>} m */
  runPreset(m) {
    this.setting.value = m.setting;
    this.values.value = m.values.join(", ");
    this.repeats.value = String(m.repeats || 1);
    if (m.base && m.base.fit) this.fit.value = m.base.fit;
    this.presetBase = m.base || null;
    this.start();
  }

  start() {
    if (this.phase === "asked" || this.phase === "running") return;
    let values;
    try {
      values = parseValues(this.values.value);
      this.values.classList.remove("invalid");
    } catch (err) {
      this.values.classList.add("invalid");
      this.finish("error", `values: ${/** @type {Error} */ (err).message}`);
      return;
    }
    const base = this.presetBase || sweepBase(this.getState(), this.fit.value);
    const repeats = Math.max(1, Math.round(Number(this.repeats.value) || 1));
    const message = { type: "sweep", setting: this.setting.value, values, repeats, base };
    this.sweep = null;
    this.phase = "asked";
    this.status.textContent = "asking the server…";
    if (!this.socket.send(message)) this.finish("error", "not connected: try again when the page is online");
    this.render();
  }

  stop() {
    if (this.phase === "running" || this.phase === "asked") this.socket.send({ type: "sweep_cancel" });
  }

  /** @param {{ setting: string, values: number[], total: number, workers: number }} m */
  onStarted(m) {
    this.phase = "running";
    this.sweep = { setting: m.setting, values: m.values, total: m.total, done: 0, workers: m.workers, rows: [], outcomes: [] };
    this.chart.xtitle = m.setting.replace("_", " ");
    this.render();
  }

  /** @param {{ done: number, total: number, value: number, outcome: { train_error: number, test_error: number } }} m */
  onProgress(m) {
    if (!this.sweep) return;
    this.sweep.done = m.done;
    this.sweep.outcomes.push({ value: m.value, train_error: m.outcome.train_error, test_error: m.outcome.test_error });
    this.render();
  }

  /** @param {{ cancelled: boolean, seconds: number, rows: SweepRow[] }} m */
  onDone(m) {
    if (!this.sweep) return;
    this.sweep.rows = m.rows;
    this.finish(m.cancelled ? "cancelled" : "done", `${m.cancelled ? "cancelled" : "done"} in ${fmt(m.seconds, 2)} s`);
  }

  /** An error frame while our sweep was asked for is about it (the page shows the message too). @param {{ code: string, message: string, field?: string }} m */
  onError(m) {
    const ours = this.phase === "asked" || (m.field && /^(values|setting|repeats|base)/.test(m.field));
    if (ours) this.finish("error", m.code === "busy" ? `the server is running another sweep: ${m.message}` : m.message);
  }

  /** @param {"done" | "cancelled" | "error"} phase @param {string} text */
  finish(phase, text) {
    this.phase = phase;
    this.status.textContent = text;
    this.render();
  }

  /** The chart's points: the finished rows (medians), or while running each training's outcome. */
  points() {
    const s = this.sweep;
    if (!s) return [];
    if (s.rows.length) return s.rows.filter((r) => r !== null).map((r) => /** @type {NonNullable<SweepRow>} */ (r));
    return [...s.outcomes].sort((a, b) => a.value - b.value);
  }

  render() {
    const busy = this.phase === "asked" || this.phase === "running";
    this.run.disabled = busy;
    this.cancel.disabled = !busy;
    const s = this.sweep;
    this.progress.max = s ? s.total : 1;
    this.progress.value = s ? s.done : 0;
    if (s && this.phase === "running") this.status.textContent = `${s.done} of ${s.total} trainings on ${s.workers} worker${s.workers === 1 ? "" : "s"}`;
    const pts = this.points();
    const x = pts.map((p) => p.value);
    const logx = Boolean(s && LOG_X.has(s.setting) && x.every((v) => v > 0));
    // No sweep yet: the empty chart draws itself when shown (a drawing forces a layout: costly
    // while the page is still being built).
    if (!s && !this.chart.series.length) return;
    this.chart.update([
      { name: "train error", color: "#1971c2", x, y: pts.map((p) => p.train_error), dots: 3 },
      { name: "test error", color: "#d6336c", x, y: pts.map((p) => p.test_error), lineDash: TEST_DASH, dots: 3 },
    ], { log: false, logx });
  }

  /** For tests and the console: what the panel holds. */
  snapshot() {
    const s = this.sweep;
    return {
      phase: this.phase, setting: s ? s.setting : this.setting.value, done: s ? s.done : 0, total: s ? s.total : 0,
      rows: s ? s.rows : [], points: this.points().length, status: this.status.textContent,
    };
  }
}
