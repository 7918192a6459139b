// @ts-check
// A colour scale as Plotly takes one (stops [t, "#rrggbb"], t from 0 to 1), read on a canvas as
// Plotly reads it: linear in RGB between two stops. The canvas figures (the descent map, the
// landscape, the weight heatmaps) look their colours up in a table of it: no parsing per pixel.

/** @typedef {[number, string][]} ColorScale */

/** @param {string} hex "#rrggbb" @returns {number[]} */
const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

/**
 * The scale's colour at t, as [r, g, b] (t clamped to [0, 1]; `missing` stands for a t that is
 * not a number).
 * @param {ColorScale} scale @param {number} t @param {number} [missing]
 * @returns {[number, number, number]}
 */
export function scaleColor(scale, t, missing = 0) {
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : missing));
  let k = 1;
  while (k < scale.length - 1 && scale[k][0] < u) k++;
  const [t0, c0] = scale[k - 1];
  const [t1, c1] = scale[k];
  const f = t1 > t0 ? (u - t0) / (t1 - t0) : 0;
  const a = rgb(c0);
  const b = rgb(c1);
  return /** @type {[number, number, number]} */ (a.map((v, i) => Math.round(v + (b[i] - v) * f)));
}

/**
 * The scale sampled at n evenly spaced points from 0 to 1, as n RGB triples in a row.
 * @param {ColorScale} scale @param {number} n
 */
export function colorTable(scale, n) {
  const table = new Uint8ClampedArray(3 * n);
  for (let k = 0; k < n; k++) table.set(scaleColor(scale, k / (n - 1)), 3 * k);
  return table;
}
