// @ts-check
// One network run's steps as they stream in (docs/protocol.md, "Network runs"): loss, accuracy,
// learning rate, plane coordinates and per-layer gradient norms in growable typed arrays; the
// latest weights, gradients and decision boundary as they arrive. A null number (a diverged
// run's last step) is stored as NaN here and leaves the page as an empty cell or null.

import { SharpnessLog } from "./sharpness.js";

/** @param {unknown} v */
const num = (v) => (typeof v === "number" && Number.isFinite(v) ? v : NaN);

/** @typedef {{ W: number[][], b: number[] }} Layer one weight matrix and its biases (W[row][col]: to unit row from unit col) */
/** @typedef {"loss" | "acc" | "lr" | "px" | "py" | "tloss" | "tacc" | "pen" | "wnorm"} Series a column of numbers, NaN where missing */
/** @type {Series[]} */
const SERIES = ["loss", "acc", "lr", "px", "py", "tloss", "tacc", "pen", "wnorm"];

/**
 * The columns of one frame entry's steps (docs/protocol.md, "Network runs", `columns: true`).
 * @typedef {object} Columns
 * @property {number[]} [step]
 * @property {(number | null)[]} [loss]
 * @property {(number | null)[]} [accuracy]
 * @property {(number | null)[]} [lr]
 * @property {(number | null)[][]} [plane]
 * @property {(number | null)[][]} [grad_norms]
 * @property {(unknown[] | null)[]} [weights]
 * @property {(unknown[] | null)[]} [grads]
 * @property {(number | null)[]} [test_loss] only with a test set (the generalisation lab)
 * @property {(number | null)[]} [test_accuracy]
 * @property {(number | null)[]} [penalty] only with l1 or l2: the penalty term beside the data loss
 * @property {(number | null)[]} [weight_norm]
 * @property {(number | null)[]} [sharpness] every k-th step with curvature tracking (sharpness.js)
 * @property {(number | null)[]} [sharpness_threshold]
 * @property {(number | null)[]} [preconditioned_sharpness]
 * @property {(number | null)[]} [preconditioned_threshold]
 */

/**
 * A layer's W or b as the wire has it: numbers, or, as columns, base64 of little-endian float64s
 * (W row by row; docs/protocol.md), exact and cheaper to send and parse than decimals.
 * @param {unknown} v
 * @returns {number[]}
 */
export function unpack(v) {
  if (typeof v !== "string") return /** @type {number[]} */ (v);
  const bin = atob(v);
  const view = new DataView(new ArrayBuffer(bin.length));
  for (let k = 0; k < bin.length; k++) view.setUint8(k, bin.charCodeAt(k));
  const out = new Array(bin.length / 8);
  for (let k = 0; k < out.length; k++) out[k] = view.getFloat64(8 * k, true);
  return out;
}

/**
 * A step's weights (or gradients) as [{W: rows (out, in), b}] per layer, packed or not.
 * @param {unknown[]} layers
 * @returns {Layer[]}
 */
export function unpackLayers(layers) {
  return layers.map((layer) => {
    const { W, b } = /** @type {{ W: unknown, b: unknown }} */ (layer);
    const bias = unpack(b);
    if (typeof W !== "string") return { W: /** @type {number[][]} */ (W), b: bias };
    const flat = unpack(W);
    const cols = flat.length / Math.max(1, bias.length);
    return { W: Array.from({ length: bias.length }, (_, r) => flat.slice(r * cols, (r + 1) * cols)), b: bias };
  });
}

export class NetRun {
  /**
   * @param {{ optimizer: string, lr: number, [field: string]: unknown }} info started.runs[i]
   * @param {number} layers the number of weight matrices
   */
  constructor(info, layers) {
    this.info = info;
    this.layers = layers;
    this.capacity = 0;
    this.step = new Int32Array(0);
    this.loss = new Float64Array(0);
    this.acc = new Float64Array(0);
    this.lr = new Float64Array(0);
    this.px = new Float64Array(0); // the step's point on the landscape's plane
    this.py = new Float64Array(0);
    this.tloss = new Float64Array(0); // the test set's loss and accuracy (generalisation lab)
    this.tacc = new Float64Array(0);
    this.pen = new Float64Array(0); // the penalty term, beside the data loss
    this.wnorm = new Float64Array(0); // |θ|
    this.hasTest = false;
    this.hasPenalty = false;
    /** @type {{ step: number, loss: number | null, accuracy: number | null } | null} the lowest test loss so far */
    this.bestTest = null;
    /** @type {{ step: number, layers: number[][][][] } | null} each hidden unit's map over the input plane */
    this.neurons = null;
    /** @type {Float64Array[]} the gradient norm of each weight matrix, per step */
    this.gn = Array.from({ length: layers }, () => new Float64Array(0));
    // its curvature readings; the Adam family's carry the preconditioned pair from step 1 on
    this.sharpness = new SharpnessLog(info.preconditioned_sharpness === true);
    this.version = 0; // bumped on every change: views redraw when it moves
    this.n = 0;
    this.status = "running";
    /** @type {number | null} */
    this.divergedAt = null;
    /** @type {string | null} */
    this.reason = null;
    this.lrNext = info.lr;
    /** @type {{ step: number, layers: Layer[] } | null} every weights_every steps */
    this.weights = null;
    /** @type {{ step: number, layers: Layer[] } | null} */
    this.grads = null;
    /** @type {{ step: number, z: (number | null)[][] } | null} */
    this.boundary = null;
    this.clear();
  }

  clear() {
    this.n = 0;
    this.status = "running";
    this.divergedAt = null;
    this.reason = null;
    this.lrNext = this.info.lr; // what the next step will use (frame.runs[i].lr)
    this.weights = null; // {step, layers: [{W, b}]}, every weights_every steps
    this.grads = null;
    this.boundary = null; // {step, z}
    this.bestTest = null;
    this.neurons = null;
    this.version += 1;
  }

  /** @param {number} min the capacity needed */
  _grow(min) {
    const capacity = Math.max(min, this.capacity * 2, 256);
    /** @param {Float64Array} a */
    const grow = (a) => {
      const b = new Float64Array(capacity);
      b.set(a.subarray(0, this.n));
      return b;
    };
    const step = new Int32Array(capacity);
    step.set(this.step.subarray(0, this.n));
    this.step = step;
    for (const f of SERIES) this[f] = grow(this[f]);
    this.gn = this.gn.map((a) => grow(a));
    this.capacity = capacity;
  }

  /** Add the steps of one frame, as columns (entry j of every column is step j of the frame;
   * weights and grads are null at the steps that do not carry them); step k lands at index k
   * (a step we hold already: a reset).
   * @param {Columns | undefined} cols */
  append(cols) {
    const steps = cols && cols.step;
    if (!steps || !steps.length) return;
    const first = steps[0];
    if (Number.isInteger(first) && first < this.n) this.n = Math.max(0, first);
    const m = steps.length;
    if (this.n + m > this.capacity) this._grow(this.n + m);
    const { loss = [], accuracy = [], lr = [], plane = [], grad_norms: norms = [], weights = [], grads = [] } = cols;
    const { test_loss: tloss = [], test_accuracy: tacc = [], penalty = [], weight_norm: wnorm = [] } = cols;
    if (cols.test_loss) this.hasTest = true;
    if (cols.penalty && cols.penalty.some((v) => typeof v === "number" && v > 0)) this.hasPenalty = true;
    let lastW = -1;
    let lastG = -1;
    for (let j = 0; j < m; j++) {
      const i = this.n;
      this.step[i] = steps[j];
      this.loss[i] = num(loss[j]);
      this.acc[i] = num(accuracy[j]);
      this.lr[i] = num(lr[j]);
      const p = plane[j] || [];
      this.px[i] = num(p[0]);
      this.py[i] = num(p[1]);
      this.tloss[i] = num(tloss[j]);
      this.tacc[i] = num(tacc[j]);
      this.pen[i] = num(penalty[j]);
      this.wnorm[i] = num(wnorm[j]);
      const g = norms[j] || [];
      for (let l = 0; l < this.layers; l++) this.gn[l][i] = num(g[l]);
      if (weights[j]) lastW = j;
      if (grads[j]) lastG = j;
      this.n += 1;
    }
    // Only the frame's latest weights and gradients are kept, so only they are unpacked.
    if (lastW >= 0) this.weights = { step: steps[lastW], layers: unpackLayers(/** @type {unknown[]} */ (weights[lastW])) };
    if (lastG >= 0) this.grads = { step: steps[lastG], layers: unpackLayers(/** @type {unknown[]} */ (grads[lastG])) };
    this.sharpness.append(cols);
    this.version += 1;
  }

  /**
   * A `frame` (or `reset`) entry for this run: {status, lr, steps, boundary?}.
   * @param {{ status?: string, lr?: number | null, steps?: Columns, boundary?: { step: number, z: (number | null)[][] }, best_test?: { step: number, loss: number | null, accuracy: number | null }, neurons?: { step: number, layers: number[][][][] } }} r
   */
  absorb(r) {
    if (r.steps && r.steps.step && r.steps.step[0] === 0) this.clear();
    this.append(r.steps);
    if (r.best_test) this.bestTest = r.best_test;
    if (r.neurons && r.status !== "diverged") this.neurons = r.neurons;
    if (r.status) this.status = r.status;
    if (typeof r.lr === "number") this.lrNext = r.lr;
    // A diverged run's last boundary is of blown-up weights: keep the one before it.
    if (r.boundary && r.status !== "diverged") this.boundary = r.boundary;
    this.version += 1;
  }

  /** The learning rate of the last step taken (schedules and live changes included), or null. */
  get lrInEffect() {
    for (let k = this.n - 1; k >= 1; k--) if (Number.isFinite(this.lr[k])) return this.lr[k];
    return null;
  }

  /** The last finite value of a series, or null. @param {Series} field */
  last(field) {
    for (let k = this.n - 1; k >= 0; k--) if (Number.isFinite(this[field][k])) return this[field][k];
    return null;
  }

  /** Rows for export: [step, loss, accuracy, lr, plane1, plane2, gradnorm per layer...]. */
  rows() {
    /** @param {number} x */
    const v = (x) => (Number.isFinite(x) ? x : null);
    /** @type {(number | null)[][]} */
    const out = [];
    for (let k = 0; k < this.n; k++) {
      out.push([this.step[k], v(this.loss[k]), v(this.acc[k]), v(this.lr[k]), v(this.px[k]), v(this.py[k]),
        ...this.gn.map((a) => v(a[k]))]);
    }
    return out;
  }
}

/**
 * A run of a network `started.config` describes (its sizes: one weight matrix per layer after
 * the inputs), empty: its steps come with the frames.
 * @param {ConstructorParameters<typeof NetRun>[0]} info started.runs[i], added.run
 * @param {{ sizes: number[] }} config started.config
 */
export function runOf(info, config) {
  return new NetRun(info, config.sizes.length - 1);
}
