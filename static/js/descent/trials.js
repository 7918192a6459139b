// @ts-check
// The trial points of a run's steps (docs/optimizers.md, "Trials"): every point an optimizer
// evaluated during a step besides the one it stands on (L-BFGS's line search, SAM's ascent
// point). They arrive as a `trials` column, one list of [x, y] per step, only for the optimizers
// that have them; here they are kept flat (growable typed arrays, as Trajectory keeps its steps)
// and drawn as small hollow dots, so a class sees where a line search looked.

const MAX_TRIALS = 200_000; // beyond this a run's trials are no longer kept (the path still is)

export class Trials {
  constructor() {
    this.x = new Float64Array(0);
    this.y = new Float64Array(0);
    this.owner = new Int32Array(0); // the index of the step each trial belongs to
    this.count = 0;
  }

  /** Forget the trials of step `index` and after (the run went back to it). @param {number} index */
  truncate(index) {
    let k = this.count;
    while (k > 0 && this.owner[k - 1] >= index) k -= 1;
    this.count = k;
  }

  /**
   * The trials of the step stored at `index`: a list of [x, y] (null coordinates skipped).
   * @param {number} index
   * @param {unknown} list
   */
  add(index, list) {
    if (!Array.isArray(list) || !list.length || this.count + list.length > MAX_TRIALS) return;
    if (this.count + list.length > this.x.length) {
      const capacity = Math.max(this.count + list.length, this.x.length * 2, 64);
      for (const f of /** @type {const} */ (["x", "y"])) {
        const a = new Float64Array(capacity);
        a.set(this[f].subarray(0, this.count));
        this[f] = a;
      }
      const o = new Int32Array(capacity);
      o.set(this.owner.subarray(0, this.count));
      this.owner = o;
    }
    for (const p of list) {
      if (!Array.isArray(p) || typeof p[0] !== "number" || typeof p[1] !== "number") continue;
      this.x[this.count] = p[0];
      this.y[this.count] = p[1];
      this.owner[this.count] = index;
      this.count += 1;
    }
  }

  /** Plain rows [[step index, x, y], ...] for tests and exports. */
  rows() {
    return Array.from({ length: this.count }, (_, k) => [this.owner[k], this.x[k], this.y[k]]);
  }

  /** Every step's trials, [[x, y], ...] for step index 0 to n - 1 (exports). @param {number} n */
  byStep(n) {
    /** @type {number[][][]} */
    const out = Array.from({ length: n }, () => []);
    for (let k = 0; k < this.count; k++) if (this.owner[k] < n) out[this.owner[k]].push([this.x[k], this.y[k]]);
    return out;
  }
}

/**
 * Draw the trials of steps [from, to) as small hollow dots in the run's colour, each joined by a
 * faint line to the point its step started from (the line a line search searches along).
 * @param {CanvasRenderingContext2D} ctx
 * @param {Trials} trials
 * @param {{ x: Float64Array, y: Float64Array }} path the run's points (a step k starts at k - 1)
 * @param {number} from
 * @param {number} to
 * @param {{ px: (x: number) => number, py: (y: number) => number }} map data -> pixels
 * @param {string} color
 */
export function drawTrials(ctx, trials, path, from, to, map, color) {
  if (!trials.count) return;
  let k = trials.count;
  while (k > 0 && trials.owner[k - 1] >= from) k -= 1; // the first trial of a step >= from
  if (k >= trials.count || trials.owner[k] >= to) return;
  ctx.save();
  ctx.lineWidth = 1;
  ctx.globalAlpha = 0.55;
  ctx.strokeStyle = color;
  ctx.setLineDash([2, 3]);
  ctx.beginPath();
  const start = k;
  for (; k < trials.count && trials.owner[k] < to; k++) {
    const i = trials.owner[k] - 1;
    if (i < 0 || !Number.isFinite(path.x[i])) continue;
    ctx.moveTo(map.px(path.x[i]), map.py(path.y[i]));
    ctx.lineTo(map.px(trials.x[k]), map.py(trials.y[k]));
  }
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.globalAlpha = 1;
  ctx.lineWidth = 1.5;
  ctx.fillStyle = "#fff";
  for (k = start; k < trials.count && trials.owner[k] < to; k++) {
    const px = map.px(trials.x[k]);
    const py = map.py(trials.y[k]);
    if (!Number.isFinite(px) || !Number.isFinite(py) || Math.abs(px) > 1e5 || Math.abs(py) > 1e5) continue;
    ctx.beginPath();
    ctx.arc(px, py, 2.6, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
  ctx.restore();
}
