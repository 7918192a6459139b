// @ts-check
// The network view's stability lab (issue #15): each run's sharpness against its line (2/lr for
// gradient descent, 38/lr for Adam's preconditioned sharpness), a readout of where the selected
// run stands, the "Track curvature" switch, and the spectrum on request (spectrum.js). Each run
// keeps its own readings (run.js, `sharpness`); the page calls draw() with its charts.

import { fmt } from "../shared/format.js";
import { CanvasLineChart } from "../shared/linechart.js";
import { runStyle } from "../shared/run-style.js";
import { setTip } from "../shared/tooltips.js";
import { edgeVerdict, lineName, readoutText } from "./sharpness.js";
import { SpectrumView } from "./spectrum.js";
import { RUN_COLORS } from "./state.js";

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

const CHART_TIP = "Sharpness: how sharply the training loss curves in its steepest direction " +
  "(the largest eigenvalue λmax of the Hessian, the matrix of second derivatives), measured every " +
  "few steps. Each run's dotted line is where plain gradient descent stops being stable: λmax = 2/lr. " +
  "In networks the sharpness often climbs until it meets that line and then hovers there while " +
  "the loss keeps falling, unevenly: the edge of stability. For Adam the chart shows the " +
  "preconditioned sharpness (λmax of the Hessian as Adam's per-weight step sizes see it) against " +
  "Adam's own line, 38/lr.";

/**
 * @typedef {object} LabPage the parts of NetworkPage this lab reads
 * @property {import("../shared/socket.js").LiveSocket} socket
 * @property {import("../shared/state.js").Store} store
 * @property {{ info: { optimizer: string }, status: string, n: number, loss: Float64Array, sharpness: import("./sharpness.js").SharpnessLog }[]} runs
 * @property {Map<string, string>} names
 */

/**
 * A log axis only when the values span more than a decade and a half (Adam's 38/lr beside
 * gradient descent's 2/lr); otherwise a linear one, whose ticks read better near one line.
 * @param {import("../shared/linechart.js").Series[]} series
 */
function spansDecades(series) {
  let lo = Infinity;
  let hi = 0;
  for (const s of series) {
    for (let i = 0; i < s.y.length; i++) {
      const v = s.y[i];
      if (typeof v === "number" && v > 0) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  return hi / lo > 30;
}

export class StabilityLab {
  /** @param {LabPage} page */
  constructor(page) {
    this.page = page;
    /** @type {number | null} when the last spectrum arrived (ms since navigation) */
    this.spectrumAnsweredAt = null;
    /** @type {number | null} the server's cadence for these runs (started.config), null: off */
    this.every = null;
    this.chart = new CanvasLineChart($("sharpness-chart"), { title: "Sharpness λmax vs 2/lr", ytitle: "λmax" });
    setTip($("sharpness-chart"), CHART_TIP);
    this.readout = $("sharpness-readout");
    this.toggle = /** @type {HTMLInputElement} */ ($("track-curvature"));
    this.toggle.addEventListener("change", () => page.store.set({ curv: this.toggle.checked ? null : 0 }));
    this.spectrum = new SpectrumView({ plot: $("spectrum"), caption: $("spectrum-caption"), button: /** @type {HTMLButtonElement} */ ($("spectrum-button")) }, {
      ask: () => this.askSpectrum(),
    });
    this.bind();
  }

  bind() {
    const s = this.page.socket;
    s.on("started", (/** @type {any} */ m) => {
      this.every = m.config.sharpness_every ?? null;
      this.spectrum.clear();
    });
    s.on("spectrum", (/** @type {any} */ m) => {
      this.spectrumAnsweredAt = performance.now(); // for bench/browser.py
      this.spectrum.show(m, this.runName(m.run));
    });
    s.on("error", () => this.spectrum.failed());
  }

  /** Run `id` left: a spectrum of its weights goes with it. @param {number} id */
  removed(id) {
    if (this.spectrum.last && this.spectrum.last.run === id) this.spectrum.clear();
  }

  /** "2. Adam" for run i. @param {number} i */
  runName(i) {
    const run = this.page.runs[i];
    return run ? `${i + 1}. ${this.page.names.get(run.info.optimizer) || run.info.optimizer}` : `run ${i + 1}`;
  }

  askSpectrum() {
    const sel = this.page.store.state.sel;
    const run = this.page.runs[sel];
    if (!run) return false;
    return this.page.socket.send({ type: "spectrum", run: sel, bins: 40 });
  }

  /** Whether this run's readings may be read against their line: GD's 2/lr, or Adam's own. @param {number} i */
  hasLine(i) {
    const run = this.page.runs[i];
    return Boolean(run && (run.info.optimizer === "sgd" || run.sharpness.adaptive));
  }

  /** The chart's lines: per run its sharpness (its own pattern) and its line (dotted, faded). */
  series() {
    /** @type {import("../shared/linechart.js").Series[]} */
    const out = [];
    for (const [i, { sharpness: log }] of this.page.runs.entries()) {
      if (!log.step.length) continue;
      const { value, line } = log.charted();
      const color = RUN_COLORS[i % RUN_COLORS.length];
      const name = this.runName(i) + (log.adaptive ? " (preconditioned)" : "");
      out.push({ name: `${this.runName(i)}: ${lineName(log.kind)}`, color, x: log.step, y: line, dash: "dot", opacity: 0.7, width: 1.5 });
      out.push({ name, color, x: log.step, y: value, lineDash: runStyle(i).lineDash });
    }
    return out;
  }

  draw() {
    const state = this.page.store.state;
    this.toggle.checked = state.curv !== 0;
    const logs = this.page.runs.map((r) => r.sharpness);
    const adaptive = logs.some((l) => l.adaptive);
    const plain = logs.some((l) => !l.adaptive);
    this.chart.title = adaptive && plain ? "Sharpness vs 2/lr · Adam: vs 38/lr"
      : adaptive ? "Preconditioned sharpness vs 38/lr" : "Sharpness vs 2/lr (dotted)";
    const series = this.series();
    this.chart.update(series, { log: spansDecades(series) });
    this.spectrum.setEnabled(this.page.runs.length > 0);
    this.renderReadout(state.sel);
  }

  /** @param {number} sel the selected run */
  renderReadout(sel) {
    /** @type {string} */
    let text;
    let verdict = "";
    const log = this.page.runs[sel]?.sharpness;
    const last = log ? log.last() : null;
    if (this.page.store.state.curv === 0) {
      text = "Curvature tracking is off: tick 'Track curvature' to measure the sharpness while the runs learn.";
    } else if (!log) {
      text = "";
    } else if (!last) {
      text = `${this.runName(sel)}: no sharpness yet${this.every ? ` (measured every ${this.every} steps)` : ""}.`;
    } else if (!this.hasLine(sel)) {
      text = `${this.runName(sel)}, step ${last.step}: sharpness ${fmt(last.value)} · 2/lr = ${fmt(last.line)}. ` +
        "2/lr is plain gradient descent's line; this optimizer scales its steps its own way, so its line is elsewhere.";
    } else {
      text = `${this.runName(sel)}, step ${last.step}: ${readoutText(last)}.`;
      verdict = edgeVerdict(last.value / last.line).key;
    }
    if (this.readout.textContent !== text) this.readout.textContent = text;
    this.readout.dataset.verdict = verdict;
  }

  /** For tests: each run's readings (value and line as charted) and its loss per step. */
  debug() {
    /** @param {ArrayLike<number>} a */
    const plain = (a) => Array.from(a, (v) => (Number.isFinite(v) ? v : null));
    return {
      every: this.every,
      runs: this.page.runs.map((run) => {
        const log = run.sharpness;
        const { value, line } = log.charted();
        return {
          kind: log.kind, steps: [...log.step], value: plain(value), line: plain(line), sharpness: plain(log.sharpness),
          status: run.status, loss: plain(run.loss.subarray(0, run.n)),
        };
      }),
      readout: this.readout.textContent,
      title: this.chart.title,
      spectrum: this.spectrum.last,
      spectrumAnsweredAt: this.spectrumAnsweredAt,
      spectrumDrawMs: this.spectrum.drawMs,
    };
  }
}
