// @ts-check
// Axes on a <canvas>: the data <-> pixel mapping of an axes rectangle, round tick values, and the
// ticks, labels and titles of its left and bottom edges, in the figures' font. Shared by every
// canvas figure (the line charts, the descent map, the boundary, the landscape, the heatmaps);
// small, so that a page's first picture imports none of plots.js.

import { fmt } from "./format.js";

export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

/**
 * The data <-> pixel mapping of an axes rectangle, CSS pixels.
 * @typedef {{ left: number, top: number, width: number, height: number, scale: number,
 *   px: (x: number) => number, py: (y: number) => number, toX: (px: number) => number,
 *   toY: (py: number) => number, inside: (px: number, py: number) => boolean }} Mapping
 */

/**
 * Data <-> pixel mapping of an axes rectangle showing `bounds`.
 * @param {number} left @param {number} top @param {number} width @param {number} height
 * @param {[[number, number], [number, number]]} bounds [[x0, x1], [y0, y1]] @returns {Mapping}
 */
export function linearMapping(left, top, width, height, bounds) {
  const [[x0, x1], [y0, y1]] = bounds;
  const sx = width / (x1 - x0);
  const sy = height / (y1 - y0);
  return {
    left, top, width, height, scale: sx,
    px: (x) => left + (x - x0) * sx,
    py: (y) => top + (y1 - y) * sy,
    toX: (px) => x0 + (px - left) / sx,
    toY: (py) => y1 - (py - top) / sy,
    inside: (px, py) => px >= left && px <= left + width && py >= top && py <= top + height,
  };
}


/**
 * The index of an evenly spaced axis's value nearest v; -1 more than half a step beyond its ends
 * (a grid's node under the pointer, on the maps and the boundary).
 * @param {number[]} axis @param {number} v
 */
export function nearestIndex(axis, v) {
  const n = axis.length;
  if (n < 2) return n === 1 && v === axis[0] ? 0 : -1;
  const k = Math.floor(((v - axis[0]) / (axis[n - 1] - axis[0])) * (n - 1) + 0.5); // no -0
  return k >= 0 && k < n ? k : -1;
}

/**
 * About `count` round tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of 10.
 * @param {number} lo @param {number} hi @param {number} [count]
 * @returns {number[]}
 */
export function niceTicks(lo, hi, count = 4) {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const steps = [1, 2, 5, 10].map((m) => m * mag);
  // the first round step at least `raw`, or a smaller one when that would leave a single tick
  for (let k = steps.findIndex((s) => s >= raw); k >= 0; k--) {
    const ticks = ticksEvery(lo, hi, steps[k]);
    if (ticks.length >= 2 || k === 0) return ticks;
  }
  return [lo];
}

/**
 * A tick's label as Plotly writes it: 3 significant digits, negatives with a minus sign (U+2212,
 * as wide as the plus; a hyphen reads as a dash), so the canvas maps and Plotly's agree.
 * @param {number} v
 */
export function tickLabel(v) {
  return fmt(v, 3).replace(/^-/, "\u2212");
}

/** @param {number} lo @param {number} hi @param {number} step */
function ticksEvery(lo, hi, step) {
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

/**
 * Ticks, labels and (optional) titles on the left and bottom edges of a map drawn through
 * `mapping` (shared/plots.js), outside its rectangle, in CSS pixels of `ctx`. About `count` ticks
 * on each axis, or `ycount` on the y axis when given (Plotly wants more on a map's y axis).
 * @param {CanvasRenderingContext2D} ctx
 * @param {Mapping} mapping
 * @param {import("./plots.js").Bounds} bounds
 * @param {{ fontSize?: number, font?: string, color?: string, xtitle?: string, ytitle?: string, count?: number, ycount?: number }} [options]
 */
export function drawAxes(ctx, mapping, bounds, { fontSize = 12, font = "sans-serif", color = "#212529", xtitle = "", ytitle = "", count = 4, ycount = count } = {}) {
  const [[x0, x1], [y0, y1]] = bounds;
  const { left, top, width, height } = mapping;
  const tick = Math.max(4, Math.round(fontSize / 3));
  ctx.save();
  ctx.font = `${fontSize}px ${font}`;
  ctx.fillStyle = color;
  ctx.strokeStyle = color;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const v of niceTicks(x0, x1, count)) {
    const x = Math.round(mapping.px(v)) + 0.5;
    ctx.moveTo(x, top + height);
    ctx.lineTo(x, top + height + tick);
    ctx.fillText(tickLabel(v), x, top + height + tick + 2);
  }
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const v of niceTicks(y0, y1, ycount)) {
    const y = Math.round(mapping.py(v)) + 0.5;
    ctx.moveTo(left, y);
    ctx.lineTo(left - tick, y);
    ctx.fillText(tickLabel(v), left - tick - 2, y);
  }
  ctx.stroke();
  if (xtitle) {
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.fillText(xtitle, left + width / 2, top + height + tick + 4 + fontSize * 1.2);
  }
  if (ytitle) {
    ctx.translate(left - tick - 6 - fontSize * 2.4, top + height / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.fillText(ytitle, 0, 0);
  }
  ctx.restore();
}
