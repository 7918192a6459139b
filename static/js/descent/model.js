// @ts-check
// The local quadratic model at a point of a surface (issue #15: "lr x lambda_max < 2" with a
// picture): q(d) = f + g.d + 1/2 d'Hd, its contour lines, its minimum, and where plain gradient
// descent's next step lands against it. f and g are the run's own (exact, from the server); H is
// estimated from the surface grid the map draws, by central differences at the four grid nodes
// around the point, interpolated (error O(h^2): under 1% on the built-in surfaces at 151 points
// a side). Pure: no DOM, tested under node.

/**
 * @typedef {{ x: number[], y: number[], z: (number | null)[][] }} Grid z[i][j] = f(x[j], y[i])
 * @typedef {[number, number, number]} Sym2 a symmetric 2x2 matrix [h11, h12, h22]
 */

/**
 * The index of the grid cell holding v (clamped so that the cell has neighbours on both sides).
 * @param {number[]} a ascending @param {number} v
 */
function cell(a, v) {
  let lo = 1;
  let hi = a.length - 3;
  if (hi < lo) return -1;
  if (v <= a[lo]) return lo;
  if (v >= a[hi + 1]) return hi;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (a[mid] <= v) lo = mid;
    else hi = mid;
  }
  return a[hi] <= v ? hi : lo;
}

/**
 * Central-difference Hessian at grid node (i, j), or null where a neighbour has no value.
 * @param {Grid} g @param {number} i @param {number} j @returns {Sym2 | null}
 */
function nodeHessian(g, i, j) {
  const z = g.z;
  const hx = (g.x[j + 1] - g.x[j - 1]) / 2;
  const hy = (g.y[i + 1] - g.y[i - 1]) / 2;
  const v = [z[i - 1][j - 1], z[i - 1][j], z[i - 1][j + 1], z[i][j - 1], z[i][j], z[i][j + 1], z[i + 1][j - 1], z[i + 1][j], z[i + 1][j + 1]];
  if (v.some((w) => typeof w !== "number" || !Number.isFinite(w))) return null;
  const [a, b, c, d, e, f, p, q, r] = /** @type {number[]} */ (v);
  return [(f - 2 * e + d) / (hx * hx), (r - p - c + a) / (4 * hx * hy), (q - 2 * e + b) / (hy * hy)];
}

/**
 * The Hessian at (x, y) from the grid's values, or null (off the grid, or values missing).
 * @param {Grid} grid @param {number} x @param {number} y @returns {Sym2 | null}
 */
export function gridHessian(grid, x, y) {
  const j = cell(grid.x, x);
  const i = cell(grid.y, y);
  if (i < 0 || j < 0) return null;
  const tx = Math.min(1, Math.max(0, (x - grid.x[j]) / (grid.x[j + 1] - grid.x[j])));
  const ty = Math.min(1, Math.max(0, (y - grid.y[i]) / (grid.y[i + 1] - grid.y[i])));
  const corners = [nodeHessian(grid, i, j), nodeHessian(grid, i, j + 1), nodeHessian(grid, i + 1, j), nodeHessian(grid, i + 1, j + 1)];
  if (corners.some((h) => h === null)) return null;
  const [h00, h01, h10, h11] = /** @type {Sym2[]} */ (corners);
  /** @type {Sym2} */
  const out = [0, 0, 0];
  for (let k = 0; k < 3; k++) out[k] = (1 - ty) * ((1 - tx) * h00[k] + tx * h01[k]) + ty * ((1 - tx) * h10[k] + tx * h11[k]);
  return out;
}

/**
 * Eigenvalues (descending) and the unit eigenvector of the larger one.
 * @param {Sym2} h
 */
export function eigen2([a, b, c]) {
  const mean = (a + c) / 2;
  const rad = Math.hypot((a - c) / 2, b);
  const l1 = mean + rad;
  const l2 = mean - rad;
  // (b, l1 - a) solves (H - l1 I)v = 0 unless b = 0; then the axis of the larger diagonal entry
  let v = Math.abs(b) > 1e-300 ? [b, l1 - a] : a >= c ? [1, 0] : [0, 1];
  const n = Math.hypot(v[0], v[1]);
  v = [v[0] / n, v[1] / n];
  return { values: [l1, l2], top: /** @type {[number, number]} */ (v) };
}

/**
 * The quadratic model at p: its value at any point, its minimum (when H is positive definite),
 * and plain gradient descent's next step p - lr g, with lr x lambda_max.
 * @param {[number, number]} p @param {number} f @param {[number, number]} g @param {Sym2} h
 * @param {number} lr
 */
export function quadraticModel(p, f, g, h, lr) {
  const [a, b, c] = h;
  const { values, top } = eigen2(h);
  const det = a * c - b * b;
  /** @param {number} x @param {number} y */
  const value = (x, y) => {
    const dx = x - p[0];
    const dy = y - p[1];
    return f + g[0] * dx + g[1] * dy + 0.5 * (a * dx * dx + 2 * b * dx * dy + c * dy * dy);
  };
  /** @type {[number, number] | null} */
  let minimum = null;
  if (values[1] > 0 && det > 0) minimum = [p[0] - (c * g[0] - b * g[1]) / det, p[1] - (a * g[1] - b * g[0]) / det];
  /** @type {[number, number]} */
  const step = [p[0] - lr * g[0], p[1] - lr * g[1]];
  return { value, minimum, step, values, top, lrLambda: lr * values[0] };
}

/**
 * Contour lines of fn over a box, by marching squares on an n x n lattice: for each level, line
 * segments [x0, y0, x1, y1] (data units).
 * @param {(x: number, y: number) => number} fn
 * @param {[[number, number], [number, number]]} box [[x0, x1], [y0, y1]]
 * @param {number[]} levels
 * @param {number} [n]
 * @returns {number[][][]} per level, its segments
 */
export function contourSegments(fn, [[x0, x1], [y0, y1]], levels, n = 48) {
  const xs = Array.from({ length: n }, (_, k) => x0 + ((x1 - x0) * k) / (n - 1));
  const ys = Array.from({ length: n }, (_, k) => y0 + ((y1 - y0) * k) / (n - 1));
  const v = ys.map((y) => xs.map((x) => fn(x, y)));
  return levels.map((level) => {
    /** @type {number[][]} */
    const segs = [];
    for (let i = 0; i < n - 1; i++) {
      for (let j = 0; j < n - 1; j++) {
        // corners counter-clockwise from bottom-left, and the points where edges cross the level
        const c = [[xs[j], ys[i], v[i][j]], [xs[j + 1], ys[i], v[i][j + 1]], [xs[j + 1], ys[i + 1], v[i + 1][j + 1]], [xs[j], ys[i + 1], v[i + 1][j]]];
        /** @type {number[]} */
        const cross = [];
        for (let k = 0; k < 4; k++) {
          const [ax, ay, av] = c[k];
          const [bx, by, bv] = c[(k + 1) % 4];
          if ((av < level) !== (bv < level)) {
            const t = (level - av) / (bv - av);
            cross.push(ax + t * (bx - ax), ay + t * (by - ay));
          }
        }
        for (let k = 0; k + 3 < cross.length; k += 4) segs.push(cross.slice(k, k + 4));
      }
    }
    return segs;
  });
}

/**
 * Levels for the model's contour lines: through the point itself and nested around the minimum
 * (the ellipses at 0.25, 0.5, ..., 1.5 times the point's one); for a saddle, evenly around f.
 * @param {{ value: (x: number, y: number) => number, minimum: [number, number] | null }} model
 * @param {number} f the value at the point
 * @param {number} spread for a saddle: a typical change of the model over the drawn box
 */
export function modelLevels(model, f, spread) {
  if (model.minimum) {
    const q = model.value(model.minimum[0], model.minimum[1]);
    return [0.25, 0.5, 0.75, 1, 1.25, 1.5].map((s) => q + (f - q) * s * s);
  }
  return [-2, -1, 0, 1, 2].map((k) => f + (k * spread) / 2);
}

/**
 * Plain gradient descent's step against the model, along its sharpest direction, in words.
 * @param {number} lrLambda lr x lambda_max
 * @param {boolean} saddle the model has no minimum
 */
export function stepVerdict(lrLambda, saddle) {
  const x = lrLambda.toFixed(2);
  if (saddle) return `The model is a saddle: no minimum, it curves down in one direction. lr·λmax = ${x}.`;
  if (lrLambda < 1) return `lr·λmax = ${x} < 1: along the sharpest direction the step stops short of the model's minimum.`;
  if (lrLambda < 2) return `lr·λmax = ${x}, between 1 and 2: the step overshoots the model's minimum along the sharpest direction but lands closer to it; it zig-zags in.`;
  return `lr·λmax = ${x} > 2: the step overshoots the model's minimum so far that it lands farther from it than it started: along the sharpest direction the run diverges.`;
}
