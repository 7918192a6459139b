// @ts-check
// A network run's curvature readings as they stream in (docs/protocol.md, "Curvature (issue
// #15)"): the sharpness (the top Hessian eigenvalue of the training loss) and its 2/lr line every
// k-th step, and for the Adam family the preconditioned sharpness and its 38/lr line; plus the
// words that say where a reading stands against its line. Pure: no DOM, tested under node.

import { fmt } from "../shared/format.js";

/** @param {unknown} v */
const num = (v) => (typeof v === "number" && Number.isFinite(v) ? v : NaN);

/**
 * The sharpness columns of one frame entry's steps (null between two measurements).
 * @typedef {object} CurvatureColumns
 * @property {number[]} [step]
 * @property {(number | null)[]} [sharpness]
 * @property {(number | null)[]} [sharpness_threshold]
 * @property {(number | null)[]} [preconditioned_sharpness]
 * @property {(number | null)[]} [preconditioned_threshold]
 */

/**
 * One reading: which value is charted against which line. `kind` "plain" is lambda_max(H)
 * against 2/lr; "preconditioned" is lambda_max(P^-1 H) against 38/lr (Adam's own line).
 * @typedef {{ step: number, value: number, line: number, kind: "plain" | "preconditioned" }} Reading
 */

export class SharpnessLog {
  /**
   * @param {boolean} adaptive the run carries the preconditioned pair (adam, amsgrad, adamw): the
   *   server says so in `started`, since its step-0 reading has no preconditioner yet
   */
  constructor(adaptive = false) {
    /** @type {number[]} the measured steps */
    this.step = [];
    /** @type {number[]} lambda_max(H), NaN for a diverged step */
    this.sharpness = [];
    /** @type {number[]} 2/lr */
    this.threshold = [];
    /** @type {number[]} lambda_max(P^-1 H) (Adam family), NaN before step 1 or for other runs */
    this.preconditioned = [];
    /** @type {number[]} 38/lr at beta1 = 0.9 */
    this.preThreshold = [];
    this.adaptive = adaptive;
    this.version = 0;
  }

  /** Forget the readings from step `from` on (a reset sends its steps again from there). @param {number} from */
  truncate(from) {
    let k = this.step.length;
    while (k > 0 && this.step[k - 1] >= from) k -= 1;
    if (k === this.step.length) return;
    for (const a of [this.step, this.sharpness, this.threshold, this.preconditioned, this.preThreshold]) a.length = k;
    this.version += 1;
  }

  /**
   * Keep the measured steps of one frame's columns (entry j of each column is step j).
   * @param {CurvatureColumns | undefined} cols
   */
  append(cols) {
    const steps = cols && cols.step;
    if (!steps || !steps.length) return;
    this.truncate(steps[0]);
    const s = cols.sharpness;
    if (!s) return;
    const t = cols.sharpness_threshold || [];
    const p = cols.preconditioned_sharpness;
    const pt = cols.preconditioned_threshold || [];
    if (p) this.adaptive = true;
    for (let j = 0; j < steps.length; j++) {
      // null in every column: a step between two measurements (a measured diverged step has a
      // threshold but no value)
      if (s[j] === null && (t[j] === null || t[j] === undefined)) continue;
      this.step.push(steps[j]);
      this.sharpness.push(num(s[j]));
      this.threshold.push(num(t[j]));
      this.preconditioned.push(p ? num(p[j]) : NaN);
      this.preThreshold.push(num(pt[j]));
    }
    this.version += 1;
  }

  /** The kind of reading the page charts for this run: Adam's own when it has one. */
  get kind() {
    return this.adaptive ? "preconditioned" : "plain";
  }

  /** The charted values and their line, as two columns aligned with `step`. */
  charted() {
    return this.adaptive
      ? { value: this.preconditioned, line: this.preThreshold }
      : { value: this.sharpness, line: this.threshold };
  }

  /** The last reading with a finite value and line, or null. @returns {Reading | null} */
  last() {
    const { value, line } = this.charted();
    for (let k = this.step.length - 1; k >= 0; k--) {
      if (Number.isFinite(value[k]) && Number.isFinite(line[k])) {
        return { step: this.step[k], value: value[k], line: line[k], kind: this.kind };
      }
    }
    return null;
  }
}

// Within 10% of the line counts as "at" it (the test: within 10% on arrival).
export const EDGE_BAND = 0.1;

/**
 * Where a reading stands against its line, in words a student follows.
 * @param {number} ratio value / line
 * @returns {{ key: "below" | "edge" | "above", text: string }}
 */
export function edgeVerdict(ratio) {
  if (ratio < 1 - EDGE_BAND) return { key: "below", text: "below the edge: stable; the sharpness may still grow" };
  if (ratio <= 1 + EDGE_BAND) return { key: "edge", text: "at the edge of stability" };
  return { key: "above", text: "past the edge: steps overshoot along the sharpest direction" };
}

/**
 * The readout of one reading: "sharpness 41.2 · 2/lr = 40 (lr·λmax = 2.06): at the edge of
 * stability", the descent view's lr·λmax for a network; Adam's says "preconditioned sharpness"
 * and "38/lr" (its line at the page's beta1 = 0.9; the server sends the line's value) and how
 * much of the line it has reached.
 * @param {Reading} r
 */
export function readoutText(r) {
  const ratio = r.value / r.line;
  const name = r.kind === "preconditioned" ? "preconditioned sharpness" : "sharpness";
  const where = r.kind === "preconditioned" ? `${ratio.toFixed(2)} of the line` : `lr·λmax = ${(2 * ratio).toFixed(2)}`;
  return `${name} ${fmt(r.value)} · ${lineName(r.kind)} = ${fmt(r.line)} (${where}): ${edgeVerdict(ratio).text}`;
}

/** The line's name: 2/lr for gradient descent, 38/lr for Adam (Cohen et al. 2022, beta1 = 0.9).
 * @param {"plain" | "preconditioned"} kind */
export function lineName(kind) {
  return kind === "preconditioned" ? "38/lr" : "2/lr";
}
