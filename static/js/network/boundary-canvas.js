// @ts-check
// The decision-boundary plot painted on a canvas, in the cells BoundaryPlot lays out: what the
// page shows while Plotly.js (4.8 MB, seconds to parse on a phone) loads, and at "max", where a
// Plotly redraw per boundary would cost most of a frame, and on a phone until a view needs Plotly.
// As informative as the Plotly figure and laid out alike, so nothing jumps when it arrives: the
// same colours (class fills, white at 50/50, the class colours of the points), the 0.5 line, the
// axes' ticks (shared/canvas-axes.js) and the titles (boundary-title.js).

import { drawAxes } from "../shared/canvas-axes.js";
import { isolines } from "../shared/contour-lines.js";
import { linearMapping } from "../shared/plots.js";
import { cellTitle } from "./boundary-title.js";
import { canvasScale } from "../shared/canvas-scale.js";

/**
 * @typedef {{ left: number, top: number, width: number, height: number, view: number[][], room: number }} Cell
 *   room: px the cell's title may take (the plot's width and its tick labels')
 * @typedef {{ x: number[][], labels: number[], test?: boolean[] | null, flipped?: boolean[] | null }} Points
 *   test: held out; flipped: a training label flipped by label noise
 * @typedef {{ task: string, classes: number, points: Points, grid: { x: number[], y: number[] } | null,
 *   view: number[][], sel: number, editing: boolean,
 *   runs: { label: string, title: import("./boundary-title.js").RunTitle, color: string, status: string,
 *     boundary: { step: number, z: (number | null)[][] } | null }[] }} Scene
 */

/** @param {string} hex "#rrggbb" @returns {number[]} */
const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

/**
 * One cell's grid as an image, one pixel a grid point (drawn scaled: the browser smooths it).
 * @param {(number | null)[][]} z @param {(v: number) => number[] | null} color
 */
function gridImage(z, color) {
  const ny = z.length;
  const nx = ny ? z[0].length : 0;
  const img = document.createElement("canvas");
  img.width = nx;
  img.height = ny;
  const ictx = img.getContext("2d");
  if (!ictx || !nx) return null;
  const data = ictx.createImageData(nx, ny);
  for (let i = 0; i < ny; i++) {
    const row = z[i];
    const r = ny - 1 - i; // image rows go down, y goes up
    for (let j = 0; j < nx; j++) {
      const v = row[j];
      const c = typeof v === "number" && Number.isFinite(v) ? color(v) : null;
      const o = 4 * (r * nx + j);
      if (!c) continue; // transparent: no prediction there (a diverged run)
      data.data[o] = c[0];
      data.data[o + 1] = c[1];
      data.data[o + 2] = c[2];
      data.data[o + 3] = 255;
    }
  }
  ictx.putImageData(data, 0, 0);
  return img;
}

/** P(class 1) -> fill of class 0, white at 0.5, fill of class 1. @param {string[]} fills */
function probabilityColor(fills) {
  const a = rgb(fills[0]);
  const b = rgb(fills[1]);
  return (/** @type {number} */ p) => {
    const t = Math.min(1, Math.max(0, p));
    const [end, f] = t < 0.5 ? [a, 1 - 2 * t] : [b, 2 * t - 1];
    return end.map((v) => Math.round(255 + (v - 255) * f));
  };
}

/**
 * Line segments where P crosses 0.5 (shared/contour-lines.js's marching squares, over the grid's
 * indices).
 * @param {(number | null)[][]} z @returns {number[][]} [x0, y0, x1, y1] in (column, row) units
 */
export function halfContour(z) {
  const index = (/** @type {number} */ n) => Array.from({ length: n }, (_, k) => k);
  const flat = isolines({ x: index(z.length ? z[0].length : 0), y: index(z.length), z }, [0.5])[0];
  const out = [];
  for (let k = 0; k < flat.length; k += 4) out.push(flat.slice(k, k + 4));
  return out;
}

/**
 * Paint the scene into `canvas` (sized to the plot's box), one cell per panel.
 * @param {HTMLCanvasElement} canvas @param {Scene} scene @param {Cell[]} cells
 * @param {{ fontSize: number, colors: string[], fills: string[], font: string }} style
 */
export function paintBoundary(canvas, scene, cells, { fontSize, colors, fills, font }) {
  const dpr = canvasScale();
  const W = canvas.clientWidth;
  const H = canvas.clientHeight;
  if (canvas.width !== Math.round(W * dpr) || canvas.height !== Math.round(H * dpr)) {
    canvas.width = Math.round(W * dpr);
    canvas.height = Math.round(H * dpr);
  }
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, W, H);
  const regression = scene.task === "regression";
  const grid = scene.grid;
  cells.forEach((cell, k) => {
    const [[x0, x1], [y0, y1]] = cell.view;
    const px = (/** @type {number} */ x) => cell.left + ((x - x0) / (x1 - x0)) * cell.width;
    const py = (/** @type {number} */ y) => cell.top + ((y1 - y) / (y1 - y0)) * cell.height;
    const run = regression ? null : scene.runs[k];
    ctx.save();
    ctx.beginPath();
    ctx.rect(cell.left, cell.top, cell.width, cell.height);
    ctx.clip();
    ctx.fillStyle = scene.editing ? "#eceff2" : "#ffffff";
    ctx.fillRect(cell.left, cell.top, cell.width, cell.height);
    const z = run && run.boundary && grid ? run.boundary.z : null;
    if (z && grid && grid.x.length > 1 && grid.y.length > 1) {
      const classColor = (/** @type {number} */ v) => rgb(fills[Math.round(v) % fills.length]);
      const img = gridImage(z, scene.classes === 2 ? probabilityColor(fills) : classColor);
      // grid points sit on cell centres: the image spans half a step beyond the first and last
      const gx0 = px(grid.x[0]);
      const gx1 = px(grid.x[grid.x.length - 1]);
      const gy0 = py(grid.y[grid.y.length - 1]);
      const gy1 = py(grid.y[0]);
      const sx = (gx1 - gx0) / (grid.x.length - 1);
      const sy = (gy1 - gy0) / (grid.y.length - 1);
      ctx.imageSmoothingEnabled = scene.classes === 2;
      if (img) ctx.drawImage(img, gx0 - sx / 2, gy0 - sy / 2, gx1 - gx0 + sx, gy1 - gy0 + sy);
      if (scene.classes === 2) {
        ctx.strokeStyle = "#212529";
        ctx.lineWidth = 2.2;
        ctx.beginPath();
        for (const [a, b, c, d] of halfContour(z)) {
          ctx.moveTo(gx0 + a * sx, gy1 - b * sy);
          ctx.lineTo(gx0 + c * sx, gy1 - d * sy);
        }
        ctx.stroke();
      }
    }
    const { x: xs, labels, test } = scene.points;
    const r = (fontSize > 12 ? 8 : 6) / 2;
    // one path per colour (a few hundred arcs): filled points, then hollow (held-out) ones
    /** @type {Map<string, number[]>} */
    const byColor = new Map();
    for (let i = 0; i < xs.length; i++) {
      const key = `${regression ? "#868e96" : colors[labels[i] % colors.length]}${test && test[i] ? " hollow" : ""}`;
      if (!byColor.has(key)) byColor.set(key, []);
      /** @type {number[]} */ (byColor.get(key)).push(i);
    }
    for (const [key, idx] of byColor) {
      const [color, hollow] = key.split(" ");
      ctx.beginPath();
      for (const i of idx) {
        const x = px(xs[i][0]);
        const y = py(regression ? labels[i] : xs[i][1]);
        ctx.moveTo(x + r, y);
        ctx.arc(x, y, r, 0, 2 * Math.PI);
      }
      if (hollow) {
        ctx.strokeStyle = color; // held out: hollow, by shape and not colour alone
        ctx.lineWidth = 2;
        ctx.stroke();
        continue;
      }
      ctx.fillStyle = color;
      ctx.fill();
      if (!regression) {
        ctx.strokeStyle = "#ffffff";
        ctx.lineWidth = 0.8;
        ctx.stroke();
      }
    }
    if (regression && grid) {
      scene.runs.forEach((rr) => {
        if (!rr.boundary) return;
        ctx.strokeStyle = rr.color;
        ctx.lineWidth = rr.status === "diverged" ? 1.5 : 3;
        ctx.beginPath();
        let pen = false;
        rr.boundary.z.forEach((v, j) => {
          const yv = Array.isArray(v) ? v[0] : v;
          if (typeof yv !== "number" || !Number.isFinite(yv)) {
            pen = false;
            return;
          }
          if (pen) ctx.lineTo(px(grid.x[j]), py(yv));
          else ctx.moveTo(px(grid.x[j]), py(yv));
          pen = true;
        });
        ctx.stroke();
      });
    }
    ctx.restore();
    ctx.strokeStyle = run && k === scene.sel && cells.length > 1 ? run.color : "#9aa5b1";
    ctx.lineWidth = run && k === scene.sel && cells.length > 1 ? 3 : 1;
    ctx.strokeRect(cell.left, cell.top, cell.width, cell.height);
    // Plotly's axes: ticks outside, about 6 of them (its nticks), labels 2 px smaller
    const bounds = /** @type {import("../shared/plots.js").Bounds} */ (cell.view);
    drawAxes(ctx, linearMapping(cell.left, cell.top, cell.width, cell.height, bounds), bounds, { fontSize: fontSize - 2, font, color: "#1b1f24", count: 6 });
    if (run) {
      // the head in bold, as Plotly's <b>, the two parts centred together
      const { head, rest } = cellTitle(run.title, fontSize, cell.room);
      ctx.textAlign = "left";
      ctx.textBaseline = "bottom";
      ctx.fillStyle = run.status === "diverged" ? "#c92a2a" : run.color;
      ctx.font = `bold ${fontSize}px ${font}`;
      const wHead = ctx.measureText(head).width;
      ctx.font = `${fontSize}px ${font}`;
      const x = cell.left + cell.width / 2 - (wHead + ctx.measureText(rest).width) / 2;
      ctx.fillText(rest, x + wHead, cell.top - 3);
      ctx.font = `bold ${fontSize}px ${font}`;
      ctx.fillText(head, x, cell.top - 3);
    }
  });
}
