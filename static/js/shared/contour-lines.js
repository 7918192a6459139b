// @ts-check
// Contour lines of a grid, by marching squares, at the levels Plotly's contour trace picks for
// itself: the canvas map (plots.js paintMap) draws what Plotly would, before Plotly has loaded or
// on a phone that never loads it.

/** @typedef {{ start: number, end: number, size: number }} Levels evenly spaced, start..end */

/**
 * The first value of `set` above `v` (plotly.js Lib.roundUp: a value equal to one goes up a step).
 * @param {number} v @param {number[]} set ascending
 */
function roundUp(v, set) {
  return set.find((s) => s > v) ?? set[set.length - 1];
}

/**
 * Plotly's automatic contour levels for values in [zmin, zmax] with `n` contours wanted
 * (plotly.js contour/set_contours.js, axes.autoTicks and tickFirst): a step of 2, 5 or 10 times a
 * power of ten just above (zmax - zmin) / n, levels on its multiples inside the range, the ends
 * themselves left out.
 * @param {number} zmin @param {number} zmax @param {number} n @returns {Levels}
 */
export function autoLevels(zmin, zmax, n) {
  const rough = (zmax - zmin) / n;
  if (!(rough > 0) || !Number.isFinite(rough)) return { start: zmin, end: zmin, size: 1 };
  const base = 10 ** Math.floor(Math.log(rough) / Math.LN10);
  const size = base * roundUp(rough / base, [2, 5, 10]);
  const pad = (zmax - zmin) * 1e-4; // tickFirst widens the range a little, to keep rounded ends
  let start = Math.ceil((zmin - pad) / size) * size;
  let end = Math.floor((zmax + pad) / size) * size;
  if (start === zmin) start += size;
  if (end === zmax) end -= size;
  if (start > end) start = end = (start + end) / 2;
  return { start, end, size };
}

/** The levels' values, start to end. @param {Levels} levels @returns {number[]} */
export function levelValues({ start, end, size }) {
  const out = [];
  for (let k = 0; start + k * size <= end + size / 1e6; k++) out.push(start + k * size);
  return out;
}

/**
 * The contour lines of z (rows: z[i][j] at (x[j], y[i]), null where undefined) at each level, as
 * line segments in data coordinates: one flat array [x0, y0, x1, y1, ...] per level. A cell with
 * an undefined corner has no lines (Plotly: connectgaps false); a saddle cell is split by the
 * value at its centre.
 * @param {{ x: ArrayLike<number>, y: ArrayLike<number>, z: (number | null)[][] }} grid
 * @param {number[]} levels
 * @param {(v: number) => number} [f] applied to every value first (the map's colour transform)
 * @returns {number[][]}
 */
export function isolines({ x, y, z }, levels, f = (v) => v) {
  const nx = x.length;
  const ny = y.length;
  const v = new Float64Array(nx * ny);
  for (let i = 0; i < ny; i++) {
    for (let j = 0; j < nx; j++) {
      const value = z[i][j];
      v[i * nx + j] = value === null || !Number.isFinite(value) ? NaN : f(value);
    }
  }
  /** @type {number[][]} */
  const out = levels.map(() => []);
  const order = levels.map((_, k) => k).sort((p, q) => levels[p] - levels[q]);
  const sorted = order.map((k) => levels[k]);
  // one pass over the cells, each visiting only the levels between its lowest and highest corner
  for (let i = 0; i + 1 < ny; i++) {
    for (let j = 0; j + 1 < nx; j++) {
      // corners counter-clockwise: a (j, i), b (j+1, i), c (j+1, i+1), d (j, i+1)
      const a = v[i * nx + j];
      const b = v[i * nx + j + 1];
      const c = v[(i + 1) * nx + j + 1];
      const d = v[(i + 1) * nx + j];
      if (!(a === a && b === b && c === c && d === d)) continue; // NaN: undefined corner
      const lo = Math.min(a, b, c, d);
      const hi = Math.max(a, b, c, d);
      let k = 0;
      while (k < sorted.length && sorted[k] < lo) k++;
      for (; k < sorted.length && sorted[k] < hi; k++) {
        const level = sorted[k];
        const bits = (a > level ? 1 : 0) | (b > level ? 2 : 0) | (c > level ? 4 : 0) | (d > level ? 8 : 0);
        if (bits === 0 || bits === 15) continue;
        const to = out[order[k]];
        const x0 = x[j], x1 = x[j + 1], y0 = y[i], y1 = y[i + 1];
        if (bits === 5 || bits === 10) {
          // a saddle: the centre says whether the high corners (a, c or b, d) are joined
          const centreHigh = (a + b + c + d) / 4 > level;
          const pairs = (bits === 5) === centreHigh ? [0, 1, 2, 3] : [3, 0, 1, 2]; // cut off b, d or a, c
          for (const e of pairs) edgePoint(to, e, level, a, b, c, d, x0, x1, y0, y1);
          continue;
        }
        // the two edges whose ends are on either side of the level
        for (let e = 0; e < 4; e++) {
          if ((bits >> e & 1) !== (bits >> ((e + 1) & 3) & 1)) edgePoint(to, e, level, a, b, c, d, x0, x1, y0, y1);
        }
      }
    }
  }
  return out;
}

/**
 * Where `level` crosses edge e of the cell [x0, x1] x [y0, y1] with corner values a (x0, y0),
 * b (x1, y0), c (x1, y1), d (x0, y1): edges 0 a-b, 1 b-c, 2 c-d, 3 d-a. Appended to out.
 * @param {number[]} out @param {number} e @param {number} level
 * @param {number} a @param {number} b @param {number} c @param {number} d
 * @param {number} x0 @param {number} x1 @param {number} y0 @param {number} y1
 */
function edgePoint(out, e, level, a, b, c, d, x0, x1, y0, y1) {
  if (e === 0) out.push(x0 + ((level - a) / (b - a)) * (x1 - x0), y0);
  else if (e === 1) out.push(x1, y0 + ((level - b) / (c - b)) * (y1 - y0));
  else if (e === 2) out.push(x1 + ((level - c) / (d - c)) * (x0 - x1), y1);
  else out.push(x0, y1 + ((level - d) / (a - d)) * (y0 - y1));
}
