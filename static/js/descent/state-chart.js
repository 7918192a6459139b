// @ts-check
// A chart of the optimizer state's scalars worth following over a run (GET /api/optimizers/
// state-keys: draw "chart"; Prodigy's step-size estimate d), one line per run that reports
// them, sampled at every frame (Trajectory.stateLog). It appears under the gradient-norm chart
// only while some run has such a key, sampled often enough to draw.

import { CanvasLineChart } from "../shared/linechart.js";
import { runStyle } from "../shared/run-style.js";
import { stateKeyInfo } from "./state-keys.js";

/** @typedef {import("./trajectory.js").Trajectory} Trajectory */
/** @typedef {import("./state-keys.js").StateKeys} StateKeys */

/**
 * Per run, the chart keys its state has and their samples: [{run, key, x: steps, y: values}].
 * @param {StateKeys} keys
 * @param {{ optimizer: string }[]} runs
 * @param {Trajectory[]} trajectories
 */
export function chartSeries(keys, runs, trajectories) {
  /** @type {{ run: number, key: string, label: string, help: string, x: number[], y: (number | null)[] }[]} */
  const out = [];
  trajectories.forEach((t, i) => {
    const run = runs[i];
    if (!run || !t.state) return;
    for (const key of Object.keys(t.state)) {
      const info = stateKeyInfo(keys, run.optimizer, key);
      if (!info || info.draw !== "chart") continue;
      /** @type {number[]} */
      const x = [];
      /** @type {(number | null)[]} */
      const y = [];
      for (const [index, state] of t.stateLog) {
        const v = state[key];
        x.push(t.step[index]);
        y.push(typeof v === "number" && Number.isFinite(v) ? v : null);
      }
      out.push({ run: i, key, label: info.label, help: info.help, x, y });
    }
  });
  return out;
}

const MIN_SAMPLES = 3;

export class StateChart {
  /** @param {HTMLElement} after the element the chart goes after @param {StateKeys} keys */
  constructor(after, keys) {
    this.keys = keys;
    this.box = document.createElement("div");
    this.box.className = "chart state-chart";
    this.box.id = "state-chart";
    this.box.hidden = true;
    after.after(this.box);
    this.chart = new CanvasLineChart(this.box, { title: "State", ytitle: "" });
  }

  /**
   * @param {{ runs: { optimizer: string, color?: string }[] }} state
   * @param {Trajectory[]} trajectories
   * @param {(id: string) => string} nameOf an optimizer's display name
   */
  render(state, trajectories, nameOf) {
    // A frame carries the state after its last step only: at full speed a whole run may come in
    // one or two frames, too few points for a line (the inside-the-step panel still says d).
    const series = chartSeries(this.keys, state.runs, trajectories).filter((s) => s.x.length >= MIN_SAMPLES);
    this.box.hidden = series.length === 0;
    if (!series.length) return;
    const labels = [...new Set(series.map((s) => s.label))];
    this.chart.title = `${labels.join(", ")} per step`;
    this.chart.ytitle = labels.join(", ");
    this.box.dataset.tip = [...new Set(series.map((s) => `${s.label}: ${s.help}`))].join(" ");
    const log = series.every((s) => s.y.every((v) => v === null || v > 0));
    this.chart.update(series.map((s) => ({
      name: `${s.run + 1}. ${nameOf(state.runs[s.run].optimizer)} ${s.label}`,
      color: state.runs[s.run].color || "#888", lineDash: runStyle(s.run).lineDash, x: s.x, y: s.y,
    })), { log });
  }
}
