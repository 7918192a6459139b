// @ts-check
// The weight heatmaps painted on a canvas (charts.js Heatmaps draws them): the selected run's W
// and ∂L/∂W of one layer side by side, as the Plotly figure drew them before it, with no Plotly
// (4.8 MB, seconds of a phone's main thread) on the page's first view. Here: the pure parts (the
// diverging colour scale, the layout, which cell a pixel falls in, the ticks, the text) and the
// painting. Cells are whole device pixels wide once they are 4 or more, so the 1 px gaps between
// them are sharp and the same everywhere; smaller, the matrix is stretched to fill the panel.

import { FONT, niceTicks, tickLabel } from "../shared/canvas-axes.js";
import { colorTable, scaleColor } from "../shared/color-scale.js";
import { isNum } from "../shared/format.js";

/** @typedef {(number | null)[][]} Matrix rows (to units) of columns (from units) */
/**
 * One panel: the matrix's rectangle (CSS px; cells cellW x cellH, the last gapX / gapY of each
 * left empty) and its colour bar's.
 * @typedef {{ left: number, top: number, width: number, height: number, cellW: number, cellH: number,
 *   gapX: number, gapY: number, rows: number, cols: number,
 *   bar: { left: number, top: number, width: number, height: number } }} Panel
 */
/** @typedef {{ width: number, height: number, titleY: number, panels: [Panel, Panel] }} HeatLayout */
/** @typedef {{ panel: number, row: number, col: number }} Hit a cell of panel 0 (W) or 1 (∂L/∂W) */
/**
 * What to paint: per panel its matrix (null: none yet), its symmetric colour range a (-a..a) and
 * its name; the outlines: chosen cells (the landscape's weights, labelled x and y), a unit's
 * row (into: solid) or column (dashed), and the keyboard's cell (focus: a dotted ring).
 * @typedef {{ layer: number, shape: string, fontSize: number, tickSize: number,
 *   panels: { m: Matrix | null, a: number, name: string }[],
 *   chosen: [number, number][], unit: { index: number, into: boolean } | null,
 *   focus?: [number, number] | null }} HeatScene
 */

// Plotly's "RdBu" with reversescale, the colour scale the Plotly heatmaps drew with: -a red,
// 0 grey, +a blue (as the data plot: orange-red below zero, blue above).
/** @type {import("../shared/color-scale.js").ColorScale} */
export const DIVERGING = [
  [0, "#b20a1c"],
  [0.3, "#e6915a"],
  [0.4, "#dcaa84"],
  [0.5, "#bebebe"],
  [0.65, "#6a89f7"],
  [1, "#050aac"],
];

const TEXT = "#1b1f24";
const MUTED = "#5b6470";
const OUTLINE = "#212529";
const LUT_SIZE = 257; // colours of the cells: t = k / 256, so 0 is exactly the middle grey
const MIN_SHARP = 4; // device px: cells at least this wide are whole device pixels, with gaps
/** px outside a panel a finger still hits its nearest cell */
export const TOUCH_SLOP = 14;

/** The colour at t in [0, 1] of DIVERGING (the grey middle for no number). @param {number} t */
export function divergingColor(t) {
  return scaleColor(DIVERGING, t, 0.5);
}

/** The cells' colours, LUT_SIZE of them, RGB. */
const LUT = colorTable(DIVERGING, LUT_SIZE);

/** A value's entry in the cells' colours on the scale -a..a (clamped), -1 for no value.
 * @param {unknown} v @param {number} a */
function colorIndex(v, a) {
  if (!isNum(v)) return -1;
  const t = (v + a) / (2 * a);
  return Math.round(Math.min(1, Math.max(0, t)) * (LUT_SIZE - 1));
}

/** The colour a cell of value v takes on the scale -a..a, or null (no value: left empty).
 * @param {unknown} v @param {number} a @returns {[number, number, number] | null} */
export function cellColor(v, a) {
  const k = colorIndex(v, a);
  return k < 0 ? null : [LUT[3 * k], LUT[3 * k + 1], LUT[3 * k + 2]];
}

/** The colour range's half width: the largest |value| (1 when there is none, or all are 0).
 * @param {Matrix} m */
export function symmetricMax(m) {
  let a = 0;
  for (const row of m) for (const v of row) if (isNum(v) && Math.abs(v) > a) a = Math.abs(v);
  return a || 1;
}

/**
 * A matrix as RGBA pixels, one a cell (row 0 on top), into `data` (rows x cols x 4 bytes).
 * @param {Uint8ClampedArray} data @param {Matrix} m @param {number} a
 */
export function fillImage(data, m, a) {
  let o = 0;
  for (const row of m) {
    for (const v of row) {
      const k = colorIndex(v, a);
      if (k < 0) {
        data[o + 3] = 0; // transparent, as Plotly leaves a missing value
      } else {
        data[o] = LUT[3 * k];
        data[o + 1] = LUT[3 * k + 1];
        data[o + 2] = LUT[3 * k + 2];
        data[o + 3] = 255;
      }
      o += 4;
    }
  }
}

/** The unit numbers an axis of n units labels: 0 and every d-th after it, d = ceil(n / 6), at
 * most about six (as the Plotly axes: tick0 0, dtick d). @param {number} n */
export function unitTicks(n) {
  const d = Math.max(1, Math.ceil(n / 6));
  const ticks = [];
  for (let k = 0; k < n; k += d) ticks.push(k);
  return ticks;
}

/** The colour bar's ticks on -a..a: about four round values. @param {number} a */
export function barTicks(a) {
  return niceTicks(-a, a, 4);
}

/**
 * Where everything goes in a box of width x height CSS px: a title row, the two matrices side by
 * side (the unit numbers left of the first and under both), each with its colour bar and its
 * labels to its right. null when the box is too small to draw in.
 * @param {{ width: number, height: number, rows: number, cols: number, fontSize: number,
 *   tickSize: number, yLabelW: number, barLabelW: number, dpr: number }} size yLabelW, barLabelW:
 *   the widest unit number and colour-bar label, px
 * @returns {HeatLayout | null}
 */
export function heatLayout({ width, height, rows, cols, fontSize, tickSize, yLabelW, barLabelW, dpr }) {
  const snap = (/** @type {number} */ v) => Math.round(v * dpr) / dpr;
  const top = snap(fontSize * 1.5 + 4);
  const left = snap(yLabelW + 6);
  const barGap = 5;
  const barW = 8;
  const between = 16; // from one panel's colour-bar labels to the next panel
  const tail = barGap + barW + 3 + barLabelW;
  const availW = (width - left - 4 - between - 2 * tail) / 2;
  const availH = height - top - (tickSize + 8);
  if (availW < 8 || availH < 8 || rows < 1 || cols < 1) return null;
  /** @param {number} avail @param {number} n */
  const cell = (avail, n) => (avail / n) * dpr >= MIN_SHARP ? Math.floor((avail / n) * dpr) / dpr : avail / n;
  const cellW = cell(availW, cols);
  const cellH = cell(availH, rows);
  const gap = (/** @type {number} */ c) => (c >= MIN_SHARP ? Math.max(1, Math.round(dpr)) / dpr : 0);
  /** @param {number} x @returns {Panel} */
  const panel = (x) => ({
    left: x, top, width: cellW * cols, height: cellH * rows, cellW, cellH, gapX: gap(cellW), gapY: gap(cellH), rows, cols,
    bar: { left: snap(x + cellW * cols + barGap), top, width: barW, height: cellH * rows },
  });
  return { width, height, titleY: top - 5, panels: [panel(left), panel(snap(left + availW + tail + between))] };
}

/**
 * The cell of `p` under (x, y) (px in the box), or null. A point up to `slop` px outside the
 * matrix takes its nearest cell (a finger); a point in a gap takes the cell it follows.
 * @param {Panel} p @param {number} x @param {number} y @param {number} [slop]
 * @returns {[number, number] | null} [row, col]
 */
export function cellAt(p, x, y, slop = 0) {
  if (x < p.left - slop || x >= p.left + p.width + slop || y < p.top - slop || y >= p.top + p.height + slop) return null;
  const col = Math.min(p.cols - 1, Math.max(0, Math.floor((x - p.left) / p.cellW)));
  const row = Math.min(p.rows - 1, Math.max(0, Math.floor((y - p.top) / p.cellH)));
  return [row, col];
}

/** The cell under (x, y) in either panel, or null. @param {HeatLayout} layout @param {number} x
 * @param {number} y @param {number} [slop] @returns {Hit | null} */
export function hitCell(layout, x, y, slop = 0) {
  for (const [panel, p] of layout.panels.entries()) {
    const rc = cellAt(p, x, y, slop);
    if (rc) return { panel, row: rc[0], col: rc[1] };
  }
  return null;
}

/** A cell's centre, px in the box. @param {Panel} p @param {number} row @param {number} col
 * @returns {[number, number]} */
export function cellCenter(p, row, col) {
  return [p.left + (col + 0.5) * p.cellW - p.gapX / 2, p.top + (row + 0.5) * p.cellH - p.gapY / 2];
}

/** The hover's lines for a cell, as the Plotly figure wrote them: `W1[2, 0] = 0.31` and what
 * the weight connects. @param {string} name "W1" or "∂L/∂W1" @param {number} row @param {number} col
 * @param {unknown} v */
export function cellText(name, row, col, v) {
  return [`${name}[${row}, ${col}] = ${isNum(v) ? tickLabel(v) : "no value"}`, `(to unit ${row} from unit ${col})`];
}

/**
 * The text alternative of one matrix: its shape and where its smallest and largest values are.
 * @param {string} name @param {Matrix} m
 */
export function describeMatrix(name, m) {
  let lo = Infinity;
  let hi = -Infinity;
  let i0 = 0;
  let j0 = 0;
  let i1 = 0;
  let j1 = 0;
  for (let i = 0; i < m.length; i++) {
    const row = m[i];
    for (let j = 0; j < row.length; j++) {
      const v = row[j];
      if (!isNum(v)) continue;
      if (v < lo) {
        lo = v;
        i0 = i;
        j0 = j;
      }
      if (v > hi) {
        hi = v;
        i1 = i;
        j1 = j;
      }
    }
  }
  const shape = `${m.length}×${m.length ? m[0].length : 0}`;
  if (!Number.isFinite(lo)) return `${name} ${shape}: no values`;
  return `${name} ${shape}: from ${tickLabel(lo)} at [${i0}, ${j0}] to ${tickLabel(hi)} at [${i1}, ${j1}]`;
}

/**
 * Paint the scene: titles, the two matrices (from `images`: each matrix as pixels, one a cell),
 * their gaps, unit numbers, colour bars with labels, and the outlines. `ctx` is in CSS px.
 * @param {CanvasRenderingContext2D} ctx @param {HeatLayout | null} layout @param {HeatScene} scene
 * @param {(HTMLCanvasElement | null)[]} images
 */
export function paintHeatmaps(ctx, layout, scene, images) {
  const fs = scene.fontSize;
  const font = `${scene.tickSize}px ${FONT}`;
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  if (!layout) return;
  const [p0, p1] = layout.panels;
  // the titles: W1 16×2 over the weights, ∂L/∂W1 over their gradients
  ctx.fillStyle = TEXT;
  ctx.textBaseline = "bottom";
  ctx.textAlign = "left";
  for (const [k, p] of [p0, p1].entries()) {
    const bold = `600 ${fs}px ${FONT}`;
    const name = scene.panels[k].name;
    const rest = k === 0 && scene.shape ? ` ${scene.shape}` : "";
    ctx.font = bold;
    const wb = ctx.measureText(name).width;
    ctx.font = `${fs}px ${FONT}`;
    const wr = rest ? ctx.measureText(rest).width : 0;
    const x = p.left + p.width / 2 - (wb + wr) / 2;
    ctx.font = bold;
    ctx.fillText(name, x, layout.titleY);
    if (rest) {
      ctx.font = `${fs}px ${FONT}`;
      ctx.fillText(rest, x + wb, layout.titleY);
    }
  }
  if (!scene.panels[0].m) {
    ctx.font = `${fs}px ${FONT}`;
    ctx.fillStyle = MUTED;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText("the weights arrive with the first steps", layout.width / 2, layout.height / 2);
    return;
  }
  for (const [k, p] of [p0, p1].entries()) {
    const img = images[k];
    const { m, a } = scene.panels[k];
    if (!img || !m) continue;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(img, p.left, p.top, p.width, p.height);
    // the gaps between cells (Plotly's xgap, ygap: 1 px), one fill
    if (p.gapX || p.gapY) {
      ctx.beginPath();
      for (let c = 1; c <= p.cols && p.gapX; c++) ctx.rect(p.left + c * p.cellW - p.gapX, p.top, p.gapX, p.height);
      for (let r = 1; r <= p.rows && p.gapY; r++) ctx.rect(p.left, p.top + r * p.cellH - p.gapY, p.width, p.gapY);
      ctx.fillStyle = "#ffffff";
      ctx.fill();
    }
    paintBar(ctx, p, a, font);
  }
  // the unit numbers: rows left of the weights, columns under both
  ctx.font = font;
  ctx.fillStyle = TEXT;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const r of unitTicks(p0.rows)) ctx.fillText(String(r), p0.left - 4, cellCenter(p0, r, 0)[1]);
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const p of [p0, p1]) {
    for (const c of unitTicks(p.cols)) ctx.fillText(String(c), cellCenter(p, 0, c)[0], p.top + p.height + 3);
  }
  paintOutlines(ctx, [p0, p1], scene);
}

/** A colour bar from -a (bottom) to +a (top) right of its panel, with round labels.
 * @param {CanvasRenderingContext2D} ctx @param {Panel} p @param {number} a @param {string} font */
function paintBar(ctx, p, a, font) {
  const { left, top, width, height } = p.bar;
  const grad = ctx.createLinearGradient(0, top + height, 0, top);
  for (const [t, color] of DIVERGING) grad.addColorStop(t, color);
  ctx.fillStyle = grad;
  ctx.fillRect(left, top, width, height);
  ctx.font = font;
  ctx.fillStyle = TEXT;
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  for (const v of barTicks(a)) ctx.fillText(tickLabel(v), left + width + 3, top + ((a - v) / (2 * a)) * height);
}

/** The landscape's weights (x, y) and a picked unit's row or column, in both panels.
 * @param {CanvasRenderingContext2D} ctx @param {Panel[]} panels @param {HeatScene} scene */
function paintOutlines(ctx, panels, scene) {
  ctx.strokeStyle = OUTLINE;
  ctx.lineWidth = 2.5;
  for (const p of panels) {
    if (scene.unit) {
      const u = scene.unit;
      ctx.setLineDash(u.into ? [] : [5, 3]);
      if (u.into) ctx.strokeRect(p.left, p.top + u.index * p.cellH, p.width, p.cellH);
      else ctx.strokeRect(p.left + u.index * p.cellW, p.top, p.cellW, p.height);
      ctx.setLineDash([]);
    }
    for (const [k, [row, col]] of scene.chosen.entries()) {
      if (row >= p.rows || col >= p.cols) continue;
      ctx.strokeRect(p.left + col * p.cellW, p.top + row * p.cellH, p.cellW, p.cellH);
      const [x, y] = cellCenter(p, row, col);
      ctx.font = `600 ${scene.fontSize}px ${FONT}`;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.lineWidth = 3;
      ctx.strokeStyle = "#ffffff"; // a halo: the letter reads on a dark cell too
      ctx.strokeText(k ? "y" : "x", x, y);
      ctx.fillStyle = OUTLINE;
      ctx.fillText(k ? "y" : "x", x, y);
      ctx.strokeStyle = OUTLINE;
      ctx.lineWidth = 2.5;
    }
  }
  const [p] = panels;
  if (scene.focus && scene.focus[0] < p.rows && scene.focus[1] < p.cols) {
    const [row, col] = scene.focus;
    ctx.setLineDash([3, 2]);
    ctx.strokeRect(p.left + col * p.cellW - 1.5, p.top + row * p.cellH - 1.5, p.cellW + 3, p.cellH + 3);
    ctx.setLineDash([]);
  }
}

/**
 * The keyboard's cell after a key: arrows move it over a rows x cols matrix (and stop at its
 * edges), Home and End go to the row's ends; null for a key that does not move it.
 * @param {[number, number]} at @param {string} key @param {number} rows @param {number} cols
 * @returns {[number, number] | null}
 */
export function moveFocus([row, col], key, rows, cols) {
  const clamp = (/** @type {number} */ v, /** @type {number} */ n) => Math.min(n - 1, Math.max(0, v));
  const moves = /** @type {Record<string, [number, number]>} */ ({
    ArrowUp: [row - 1, col], ArrowDown: [row + 1, col], ArrowLeft: [row, col - 1], ArrowRight: [row, col + 1],
    Home: [row, 0], End: [row, cols - 1],
  });
  const to = moves[key];
  return to ? [clamp(to[0], rows), clamp(to[1], cols)] : null;
}
