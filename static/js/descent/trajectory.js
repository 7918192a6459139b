// @ts-check
// One run's steps as they stream in (docs/protocol.md, `frame`): growable typed arrays, so a
// 20,000-step run costs a few hundred kilobytes and appending is cheap. A null number (a diverged
// run's last point) is stored as NaN here and never leaves the page as NaN: exports write it as
// an empty cell or null.

import { Trials } from "./trials.js";

/** @typedef {"x" | "y" | "gx" | "gy" | "loss" | "lr"} Field a column of numbers, NaN where missing */

/** @type {Field[]} */
const FIELDS = ["x", "y", "gx", "gy", "loss", "lr"];
/** @param {unknown} v */
const num = (v) => (typeof v === "number" && Number.isFinite(v) ? v : NaN);

/**
 * The columns of one frame entry's steps (docs/protocol.md, `columns: true`).
 * `trials` (oracle optimizers only): the points each step evaluated (trials.js).
 * @typedef {{ step?: number[], params?: (number | null)[][], grad?: (number | null)[][], loss?: (number | null)[], lr?: (number | null)[], trials?: number[][][] }} Columns
 */

export class Trajectory {
  constructor() {
    this.capacity = 0;
    // One column per field, index k = step k; `capacity` long, the first `n` in use.
    this.x = new Float64Array(0);
    this.y = new Float64Array(0);
    this.gx = new Float64Array(0);
    this.gy = new Float64Array(0);
    this.loss = new Float64Array(0);
    this.lr = new Float64Array(0);
    this.step = new Int32Array(0);
    this.n = 0;
    this.status = "running";
    /** @type {number | null} */
    this.divergedAt = null;
    /** @type {string | null} */
    this.reason = null;
    /** @type {Record<string, unknown> | null} */
    this.state = null;
    /** @type {number | null} */
    this.lrNext = null;
    /** @type {number | null} */
    this.lambdaMax = null;
    /** @type {number | null} */
    this.lambda0 = null;
    this.generation = 0; // bumped whenever points are removed (reset, restart): redraw from scratch
    this.trials = new Trials();
    /** @type {[number, Record<string, unknown>][]} every frame's state, at the index of its last step */
    this.stateLog = [];
    this.clear();
  }

  /** Forget every point; the run starts over. */
  clear() {
    this.n = 0;
    this.generation += 1;
    this.trials.truncate(0);
    this.status = "running";
    this.divergedAt = null;
    this.reason = null;
    this.state = null; // optimizer state after the last step (frame.state)
    /** @type {[number, Record<string, unknown>][]} every frame's state, at the index of its last step */
    this.stateLog = [];
    this.lrNext = null; // the learning rate the next step will use (frame.runs[i].lr)
    this.lambdaMax = null; // largest Hessian eigenvalue at the head
    this.lambda0 = null; // ... at the start point (step 0)
  }

  /** @param {number} min the capacity needed */
  _grow(min) {
    const capacity = Math.max(min, this.capacity * 2, 256);
    for (const f of FIELDS) {
      const a = new Float64Array(capacity);
      a.set(this[f].subarray(0, this.n));
      this[f] = a;
    }
    const s = new Int32Array(capacity);
    s.set(this.step.subarray(0, this.n));
    this.step = s;
    this.capacity = capacity;
  }

  /** Add the steps of one frame, as columns ({step: [...], params: [[x, y], ...], grad, loss,
   * lr}: entry j of every column is step j of the frame); step k lands at index k.
   * @param {Columns | undefined} cols */
  append(cols) {
    const steps = cols && cols.step;
    if (!steps || !steps.length) return;
    const first = steps[0];
    if (Number.isInteger(first) && first < this.n) {
      this.n = Math.max(0, first); // a step we already hold: the run went back (reset)
      this.generation += 1;
      this.trials.truncate(this.n);
      const keep = this.n;
      this.stateLog = this.stateLog.filter(([i]) => i < keep);
    }
    const m = steps.length;
    if (this.n + m > this.capacity) this._grow(this.n + m);
    const { params = [], grad = [], loss = [], lr = [], trials } = cols;
    for (let j = 0; j < m; j++) {
      const i = this.n;
      const p = params[j] || [];
      const g = grad[j] || [];
      this.x[i] = num(p[0]);
      this.y[i] = num(p[1]);
      this.gx[i] = num(g[0]);
      this.gy[i] = num(g[1]);
      this.loss[i] = num(loss[j]);
      this.lr[i] = num(lr[j]);
      this.step[i] = Number.isInteger(steps[j]) ? steps[j] : i;
      if (trials) this.trials.add(i, trials[j]);
      this.n = i + 1;
    }
  }

  /**
   * Update run-level fields of a frame entry: status, lr, lambda_max, state.
   * @param {{ status?: string, lr?: number | null, lambda_max?: number | null, state?: Record<string, unknown>, steps?: Columns }} entry
   */
  absorb(entry) {
    if (entry.status) this.status = entry.status;
    if ("lr" in entry) this.lrNext = typeof entry.lr === "number" && Number.isFinite(entry.lr) ? entry.lr : null;
    if ("lambda_max" in entry) {
      this.lambdaMax = typeof entry.lambda_max === "number" && Number.isFinite(entry.lambda_max) ? entry.lambda_max : null;
    }
    this.append(entry.steps);
    if (entry.state) {
      this.state = entry.state;
      if (this.n > 0) this.stateLog.push([this.n - 1, entry.state]);
      // a chart needs no more: past 4,000 frames keep every other one (the newest stays)
      if (this.stateLog.length > 4000) this.stateLog = this.stateLog.filter((_, k, a) => k % 2 === (a.length - 1) % 2);
    }
    if (this.n === 1 && this.lambdaMax !== null) this.lambda0 = this.lambdaMax;
  }

  /** Index of the last point with finite coordinates (-1 when none). */
  lastFinite() {
    for (let i = this.n - 1; i >= 0; i--) if (Number.isFinite(this.x[i]) && Number.isFinite(this.y[i])) return i;
    return -1;
  }

  /** The learning rate in effect: the one that produced the last step (null at the start). */
  get lrInEffect() {
    for (let i = this.n - 1; i >= 1; i--) if (Number.isFinite(this.lr[i])) return this.lr[i];
    return null;
  }

  /** @param {Field} field @param {number} i @returns {number | null} */
  value(field, i) {
    const v = this[field][i];
    return Number.isFinite(v) ? v : null;
  }

  /** Plain rows for export: [step, x, y, loss, grad_x, grad_y, lr] with null for missing. */
  rows() {
    /** @type {(number | null)[][]} */
    const out = [];
    for (let i = 0; i < this.n; i++) {
      out.push([this.step[i], this.value("x", i), this.value("y", i), this.value("loss", i),
        this.value("gx", i), this.value("gy", i), this.value("lr", i)]);
    }
    return out;
  }

  /** A frozen copy of the path, for a ghost. */
  snapshot() {
    return { n: this.n, x: this.x.slice(0, this.n), y: this.y.slice(0, this.n), loss: this.loss.slice(0, this.n) };
  }
}
