// @ts-check
// The generalisation lab's controls and charts on the network view (docs/protocol.md, "Train and
// test, noise and regularisation"): one slider per setting of GET /api/mlp/options'
// `generalization` (ranges, defaults, hover texts), and the charts' test, penalty and best-test
// series. The lab's state rules are lab-state.js's.

import { el } from "../shared/controls.js";
import { fmt } from "../shared/format.js";
import { minMaxDecimate } from "../shared/linechart.js";
import { LAB_KEYS } from "./lab-state.js";

/** @typedef {import("../shared/state.js").State} State */
/** @typedef {import("../types/api").MlpOptions} MlpOptions */
/** @typedef {import("../types/api").DatasetInfo} DatasetInfo */
/** @typedef {import("../types/api").LabSetting} LabSetting */
/** @typedef {import("../shared/linechart.js").Series} Series */

// The test lines: the run's colour, thinner and in short dashes (the runs' own patterns are
// longer), so train and test differ by more than colour.
export const TEST_DASH = [3, 3];
const PENALTY_DASH = [1, 3];

/** The lab's controls: one slider per setting of `options.generalization`. */
export class LabControls {
  /**
   * @param {HTMLElement} container
   * @param {MlpOptions} options
   * @param {(patch: Record<string, number>) => void} set
   */
  constructor(container, options, set) {
    this.container = container;
    this.options = options;
    /** @type {Map<string, { input: HTMLInputElement, out: HTMLOutputElement, row: HTMLElement }>} */
    this.inputs = new Map();
    const specs = options.generalization || {};
    for (const key of LAB_KEYS) {
      const spec = specs[key];
      if (!spec) continue;
      // Fine steps for the penalties (useful values are 0.001 to 0.1), coarser for fractions.
      const step = key === "l1" || key === "l2" ? 0.001 : 0.01;
      const input = /** @type {HTMLInputElement} */ (el("input", {
        type: "range", min: spec.min, max: spec.max, step, "aria-label": spec.label, id: `lab-${key}`,
      }));
      const out = /** @type {HTMLOutputElement} */ (el("output", { for: `lab-${key}` }));
      /** @type {ReturnType<typeof setTimeout> | undefined} */
      let timer;
      input.addEventListener("input", () => {
        out.textContent = fmt(Number(input.value), 3);
        clearTimeout(timer);
        timer = setTimeout(() => set({ [key]: Number(input.value) }), 200); // one restart per drag pause
      });
      const row = el("label", { class: "field lab-field", tip: `${spec.label}: ${spec.help} (${spec.min} to ${spec.max}; off: ${spec.default})`, dataset: { key } }, [
        el("span", { class: "field-label", text: spec.label }), input, out,
      ]);
      this.inputs.set(key, { input, out, row });
      container.append(row);
    }
  }

  /** @param {State} state */
  render(state) {
    const ds = this.options.datasets.find((d) => d.id === state.dataset);
    for (const [key, { input, out, row }] of this.inputs) {
      if (document.activeElement !== input) input.value = String(state[key]);
      out.textContent = fmt(state[key], 3);
      // Label noise flips classes: a regression set has none.
      const off = key === "label_noise" && ds !== undefined && ds.task === "regression";
      input.disabled = off;
      row.classList.toggle("disabled", off);
    }
  }
}

/**
 * @typedef {object} ChartRun the charts' view of a NetRun (run.js)
 * @property {string} name
 * @property {string} color
 * @property {number[]} lineDash
 * @property {import("./run.js").NetRun} run
 */

/**
 * The test loss (or accuracy, scaled by `scale`) of every run with a test set, dashed; with
 * `best`, each run's best-test step as a dot (where early stopping would stop).
 * @param {ChartRun[]} runs @param {"tloss" | "tacc"} field @param {{ scale?: number, best?: boolean }} [o]
 * @returns {Series[]}
 */
export function testSeries(runs, field, { scale = 1, best = false } = {}) {
  /** @type {Series[]} */
  const out = [];
  for (const { run, name, color } of runs) {
    if (!run.hasTest) continue;
    const d = minMaxDecimate(run.step, run[field], run.n);
    out.push({ name: `${name} test`, color, x: d.x, y: d.y.map((v) => (v === null ? null : v * scale)), lineDash: TEST_DASH, width: 1.5 });
    const b = run.bestTest;
    if (best && b) {
      const v = field === "tloss" ? b.loss : b.accuracy;
      if (v !== null && v !== undefined) out.push({ name: `${name} best test`, color, x: [b.step], y: [v * scale], dots: 4.5 });
    }
  }
  return out;
}

/**
 * The penalty term (l1·Σ|W| + (l2/2)·ΣW²) of every run that has one, dotted under the data loss.
 * @param {ChartRun[]} runs @returns {Series[]}
 */
export function penaltySeries(runs) {
  /** @type {Series[]} */
  const out = [];
  for (const { run, name, color } of runs) {
    if (!run.hasPenalty) continue;
    const d = minMaxDecimate(run.step, run.pen, run.n);
    out.push({ name: `${name} penalty`, color, x: d.x, y: d.y, lineDash: PENALTY_DASH, width: 1.25, opacity: 0.8 });
  }
  return out;
}

/**
 * The charts' titles for these runs: they say which line is which, in words.
 * @param {ChartRun[]} runs @param {boolean} regression
 */
export function labTitles(runs, regression) {
  const test = runs.some((r) => r.run.hasTest);
  const penalty = runs.some((r) => r.run.hasPenalty);
  const parts = [test ? "test dashed, ● best" : "", penalty ? "penalty dotted" : ""].filter(Boolean);
  return {
    loss: parts.length ? `Loss: ${parts.join(", ")}` : "Loss per step (log scale)",
    accuracy: regression ? "Accuracy (classification only)" : test ? "Accuracy %: test dashed, ● best" : "Accuracy per step (%)",
  };
}
