// @ts-check
// The generalisation lab's settings on the network view (docs/protocol.md, "Train and test, noise
// and regularisation"): a test fraction, label noise, L1, L2 and dropout. Their ranges, defaults
// and hover texts are GET /api/mlp/options' `generalization`; this module builds the controls from
// it, fits a link's values into it, puts the values in a `start`, turns a preset's `start` into
// state, and gives the charts their test, penalty and best-test series.

import { el } from "../shared/controls.js";
import { fmt } from "../shared/format.js";
import { minMaxDecimate } from "../shared/linechart.js";

/** @typedef {import("../shared/state.js").State} State */
/** @typedef {import("../types/api").MlpOptions} MlpOptions */
/** @typedef {import("../types/api").DatasetInfo} DatasetInfo */
/** @typedef {import("../types/api").LabSetting} LabSetting */
/** @typedef {import("../shared/linechart.js").Series} Series */

/** The lab's state keys, in the order the controls show them (the API's names). */
export const LAB_KEYS = ["test_fraction", "label_noise", "l1", "l2", "dropout"];
/** Those that go in `network` rather than at the top of a `start`. */
const NETWORK_KEYS = ["l1", "l2", "dropout"];
/** The side panel's views (state `side`): the loss landscape, the unit maps, the sweep. */
export const SIDE_IDS = ["landscape", "units", "sweep"];

// The test lines: the run's colour, thinner and in short dashes (the runs' own patterns are
// longer), so train and test differ by more than colour.
export const TEST_DASH = [3, 3];
const PENALTY_DASH = [1, 3];

/** @param {number} v @param {number} lo @param {number} hi */
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/** A `start`'s top-level lab fields: only those in use, so a plain start stays plain. @param {State} state */
export function labFields(state) {
  /** @type {Record<string, number>} */
  const out = {};
  if (state.test_fraction > 0) out.test_fraction = state.test_fraction;
  if (state.label_noise > 0) out.label_noise = state.label_noise;
  return out;
}

/** The lab's fields of a `start`'s `network`. @param {State} state */
export function labNetwork(state) {
  /** @type {Record<string, number>} */
  const out = {};
  for (const k of NETWORK_KEYS) if (state[k] > 0) out[k] = state[k];
  return out;
}

/**
 * A link's lab values fitted to the API's ranges (label noise: classification only).
 * @param {State} state @param {MlpOptions} options @param {DatasetInfo} ds
 */
export function sanitizeLab(state, options, ds) {
  const specs = options.generalization || {};
  /** @type {Record<string, unknown>} */
  const out = { side: SIDE_IDS.includes(state.side) ? state.side : SIDE_IDS[0] };
  for (const k of LAB_KEYS) {
    const spec = specs[k];
    const v = Number(state[k]);
    out[k] = spec && Number.isFinite(v) ? clamp(v, spec.min, spec.max) : spec ? spec.default : 0;
  }
  if (ds.task === "regression") out.label_noise = 0;
  return out;
}

/**
 * The unit maps' grid for a start: as fine as `neurons.max_values` allows for these hidden units
 * (at most 15 a side: a map is small), none for one-hot inputs (no input plane to draw over).
 * @param {State} state @param {MlpOptions} options
 */
export function neuronGrid(state, options) {
  const ds = options.datasets.find((d) => d.id === state.dataset);
  const units = state.hidden.reduce((/** @type {number} */ a, /** @type {number} */ w) => a + w, 0);
  if (!ds || ds.one_hot || !options.neurons || !units) return 0;
  const side = ds.inputs === 1 ? Math.min(options.neurons.max_grid, Math.floor(options.neurons.max_values / units))
    : Math.floor(Math.sqrt(options.neurons.max_values / units));
  const n = Math.min(15, options.neurons.max_grid, side);
  return n >= 3 ? n : 0;
}

/**
 * What a `start` needs beside the state: the unit maps' grid, and for wide one-hot networks
 * weights less often (modular addition's 2p x width matrices every step would swamp the socket).
 * @param {State} state @param {MlpOptions} options
 */
export function labStart(state, options) {
  /** @type {Record<string, number>} */
  const extra = {};
  const n = neuronGrid(state, options);
  if (n) extra.neurons = n;
  const ds = options.datasets.find((d) => d.id === state.dataset);
  if (ds && ds.one_hot) extra.weights_every = Math.max(1, Math.round(state.steps / 50));
  return extra;
}

/**
 * The state a preset's `start` message (GET /api/mlp/presets) describes.
 * @param {Record<string, any>} m the message
 * @returns {Record<string, unknown>} a patch for store.set (to sanitize)
 */
export function presetPatch(m) {
  const ds = m.dataset || {};
  const net = m.network || {};
  return {
    dataset: ds.id, n: ds.n ?? 200, noise: ds.noise ?? null, dseed: ds.seed ?? 0, classes: ds.n_classes ?? null,
    points: null, pts: null, kept: null, wts: null, sel: 0, layer: 1,
    hidden: net.hidden || [], activation: net.activation,
    test_fraction: m.test_fraction || 0, label_noise: m.label_noise || 0,
    l1: net.l1 || 0, l2: net.l2 || 0, dropout: net.dropout || 0,
    seed: m.seed || 0, steps: m.steps, speed: m.speed ?? 0,
    runs: (m.runs || []).map((/** @type {Record<string, any>} */ r) => {
      const { optimizer, lr, batch_size: batch, ...rest } = r;
      /** @type {import("./state.js").NetRunSpec} */
      const run = { optimizer, lr };
      if (batch) run.batch = batch;
      const hp = Object.entries(rest).filter(([, v]) => typeof v === "number");
      if (hp.length) run.hp = Object.fromEntries(hp);
      return run;
    }),
  };
}

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
