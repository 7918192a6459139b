// @ts-check
// The decision-boundary plot on a canvas, in the cells BoundaryPlot lays out (boundary.js), and
// what each spot of it reads as under the mouse (boundaryLines, for its HoverReadout). It is the
// only way the plot is drawn: no Plotly.js (4.8 MB, seconds of a phone's main thread) for it.
// Per run a small multiple: for two classes P(class 1) on the grid (class fills, white at 50/50)
// with the 0.5 line, for more the winning class, under the data points in their class colours
// (held-out ones hollow); for regression one plot of the data with every run's curve, told apart
// by its dash as well as its colour, and a legend naming them. The axes' ticks come from
// shared/canvas-axes.js, the run titles from boundary-title.js. Redrawn every animation frame
// while the runs train: a boundary's image and its 0.5 line are made once per boundary (one
// arrives ~10 times a second), the points' colour groups once per set of points.

import { drawAxes, linearMapping, nearestIndex } from "../shared/canvas-axes.js";
import { isolines } from "../shared/contour-lines.js";
import { fmt, isNum } from "../shared/format.js";
import { nearestPoint } from "../shared/hover-readout.js";
import { runStyle } from "../shared/run-style.js";
import { cellTitle } from "./boundary-title.js";
import { fitCanvas } from "../shared/canvas-scale.js";

/**
 * @typedef {{ left: number, top: number, width: number, height: number, view: number[][], room: number }} Cell
 *   room: px the cell's title may take (the plot's width and its tick labels')
 * @typedef {{ x: number[][], labels: number[], test?: boolean[] | null, flipped?: boolean[] | null }} Points
 *   test: held out; flipped: a training label flipped by label noise
 * @typedef {{ label: string, title: import("./boundary-title.js").RunTitle, color: string, status: string,
 *   boundary: { step: number, z: (number | null)[][] } | null }} SceneRun
 *   boundary.z: P(class 1) or the class, z[row of grid.y][column of grid.x]; for regression the
 *   curve, one prediction per grid.x
 * @typedef {{ task: string, classes: number, points: Points, grid: { x: number[], y: number[] } | null,
 *   view: number[][], sel: number, editing: boolean, oneHot?: boolean, runs: SceneRun[] }} Scene
 *   oneHot: the points are (a, b) of one-hot inputs, with no grid
 * @typedef {{ left: number, top: number, width: number, height: number }} Box
 * @typedef {{ titles: ((Box & { text: string }) | null)[], legend: string[], marks: string }} Painted
 *   what paintBoundary drew besides the grids: each cell's title (where a click selects its run),
 *   the regression legend's names, and per data point its marker (f filled, o hollow)
 */

const TEXT = "#1b1f24";
const FRAME = "#9aa5b1";
const DATA = "#868e96"; // the regression data's points
const SELECT_HINT = "click: select this run (its weights, gradients and landscape point)";
const KIND = { train: "training point", flipped: "training point, label flipped", test: "test point (never trained on)" };
const HOVER_RADIUS = 10; // px from a data point within which the readout names it

/** @param {string} hex "#rrggbb" @returns {number[]} */
const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

/**
 * One cell's grid as an image, one pixel a grid point (drawn scaled: the browser smooths it),
 * into `img` (a scratch canvas, resized when the grid's size changes).
 * @param {HTMLCanvasElement} img @param {(number | null)[][]} z @param {(v: number) => number[] | null} color
 */
function gridImage(img, z, color) {
  const ny = z.length;
  const nx = ny ? z[0].length : 0;
  if (img.width !== nx) img.width = nx;
  if (img.height !== ny) img.height = ny;
  const ictx = img.getContext("2d");
  if (!ictx || !nx) return false;
  const data = ictx.createImageData(nx, ny);
  for (let i = 0; i < ny; i++) {
    const row = z[i];
    const r = ny - 1 - i; // image rows go down, y goes up
    for (let j = 0; j < nx; j++) {
      const v = row[j];
      const c = isNum(v) ? color(v) : null;
      const o = 4 * (r * nx + j);
      if (!c) continue; // transparent: no prediction there (a diverged run)
      data.data[o] = c[0];
      data.data[o + 1] = c[1];
      data.data[o + 2] = c[2];
      data.data[o + 3] = 255;
    }
  }
  ictx.putImageData(data, 0, 0);
  return true;
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
 * What a canvas keeps between frames: per cell the image and 0.5 line of the boundary it showed
 * last (a new one comes a few times a second, a frame 60 times), and the points' colour groups.
 * @typedef {{ z: unknown, classes: number, fills: string[], img: HTMLCanvasElement, drawn: boolean, segs: number[][] }} CellCache
 * @typedef {{ points: Points | null, test: unknown, regression: boolean, colors: string[] | null,
 *   groups: { color: string, hollow: boolean, idx: number[] }[], marks: string }} PointGroups
 * @type {WeakMap<HTMLCanvasElement, { cells: CellCache[], groups: PointGroups }>}
 */
const kept = new WeakMap();

/** @param {HTMLCanvasElement} canvas */
function cacheOf(canvas) {
  let c = kept.get(canvas);
  if (!c) {
    c = { cells: [], groups: { points: null, test: null, regression: false, colors: null, groups: [], marks: "" } };
    kept.set(canvas, c);
  }
  return c;
}

/**
 * The points by how they are drawn (colour, hollow when held out): one path each; and each
 * point's marker in a letter (f filled, o hollow).
 * @param {PointGroups} cache @param {Points} points @param {boolean} regression @param {string[]} colors
 */
function pointGroups(cache, points, regression, colors) {
  const test = points.test || null;
  if (cache.points === points && cache.test === test && cache.regression === regression && cache.colors === colors) return cache;
  /** @type {Map<string, { color: string, hollow: boolean, idx: number[] }>} */
  const byKey = new Map();
  for (let i = 0; i < points.x.length; i++) {
    const color = regression ? DATA : colors[points.labels[i] % colors.length];
    const hollow = Boolean(test && test[i]);
    const key = `${color}${hollow ? " hollow" : ""}`;
    let g = byKey.get(key);
    if (!g) byKey.set(key, (g = { color, hollow, idx: [] }));
    g.idx.push(i);
  }
  // filled points first, the hollow (held-out) ones over them
  const groups = [...byKey.values()].sort((a, b) => Number(a.hollow) - Number(b.hollow));
  const marks = new Array(points.x.length).fill("f");
  for (const g of groups) if (g.hollow) for (const i of g.idx) marks[i] = "o";
  Object.assign(cache, { points, test, regression, colors, groups, marks: marks.join("") });
  return cache;
}

/** A canvas dash pattern for a line `width` px wide (run-style.js's are for 2 px lines).
 * @param {number[]} dash @param {number} width */
const scaledDash = (dash, width) => dash.map((v) => (v * width) / 2);

/** A regression curve's look: run i's dash (run-style.js), thinner once the run diverged.
 * @param {number} i @param {SceneRun} run */
function curveStyle(i, run) {
  const width = run.status === "diverged" ? 1.5 : 3;
  return { width, dash: scaledDash(runStyle(i).lineDash, width) };
}

/** A regression curve's value at grid column j (the server sends a number, or a 1-element row).
 * @param {SceneRun} run @param {number} j @returns {number | null} */
function curveAt(run, j) {
  if (!run.boundary) return null;
  const v = /** @type {unknown} */ (run.boundary.z[j]);
  const y = Array.isArray(v) ? v[0] : v;
  return isNum(y) ? y : null;
}

/**
 * Paint the scene into `canvas` (sized to the plot's box), one cell per panel.
 * @param {HTMLCanvasElement} canvas @param {Scene} scene @param {Cell[]} cells
 * @param {{ fontSize: number, colors: string[], fills: string[], font: string }} style
 * @returns {Painted}
 */
export function paintBoundary(canvas, scene, cells, { fontSize, colors, fills, font }) {
  /** @type {Painted} */
  const painted = { titles: [], legend: [], marks: "" };
  const W = canvas.clientWidth;
  const H = canvas.clientHeight;
  const dpr = fitCanvas(canvas, W, H);
  const ctx = canvas.getContext("2d");
  if (!ctx) return painted;
  const cache = cacheOf(canvas);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, W, H);
  const regression = scene.task === "regression";
  const grid = scene.grid;
  const { groups, marks } = pointGroups(cache.groups, scene.points, regression, colors);
  painted.marks = marks;
  // Plotly's marker sizes (diameters), which the plot had: smaller for the one-hot table's many
  // points; a hollow one 1 px wider
  const size = (fontSize > 12 ? 8 : 6) + (scene.oneHot ? -1 : 0);
  cells.forEach((cell, k) => {
    const bounds = /** @type {import("../shared/plots.js").Bounds} */ (cell.view);
    const m = linearMapping(cell.left, cell.top, cell.width, cell.height, bounds);
    const run = regression ? null : scene.runs[k];
    ctx.save();
    ctx.beginPath();
    ctx.rect(cell.left, cell.top, cell.width, cell.height);
    ctx.clip();
    // While you place points the view may reach past the grid the network is evaluated on:
    // grey there means "no prediction drawn here".
    ctx.fillStyle = scene.editing ? "#eceff2" : "#ffffff";
    ctx.fillRect(cell.left, cell.top, cell.width, cell.height);
    const z = run && run.boundary && grid ? run.boundary.z : null;
    if (z && grid && grid.x.length > 1 && grid.y.length > 1) {
      let c = cache.cells[k];
      if (!c) c = cache.cells[k] = { z: null, classes: 0, fills: [], img: document.createElement("canvas"), drawn: false, segs: [] };
      if (c.z !== z || c.classes !== scene.classes || c.fills !== fills) {
        const classColor = (/** @type {number} */ v) => rgb(fills[Math.round(v) % fills.length]);
        c.drawn = gridImage(c.img, z, scene.classes === 2 ? probabilityColor(fills) : classColor);
        c.segs = scene.classes === 2 ? halfContour(z) : [];
        Object.assign(c, { z, classes: scene.classes, fills });
      }
      // grid points sit on cell centres: the image spans half a step beyond the first and last
      const gx0 = m.px(grid.x[0]);
      const gx1 = m.px(grid.x[grid.x.length - 1]);
      const gy0 = m.py(grid.y[grid.y.length - 1]);
      const gy1 = m.py(grid.y[0]);
      const sx = (gx1 - gx0) / (grid.x.length - 1);
      const sy = (gy1 - gy0) / (grid.y.length - 1);
      ctx.imageSmoothingEnabled = scene.classes === 2;
      if (c.drawn) ctx.drawImage(c.img, gx0 - sx / 2, gy0 - sy / 2, gx1 - gx0 + sx, gy1 - gy0 + sy);
      if (c.segs.length) {
        ctx.strokeStyle = "#212529";
        ctx.lineWidth = 2.2;
        ctx.beginPath();
        for (const [a, b, cc, d] of c.segs) {
          ctx.moveTo(gx0 + a * sx, gy1 - b * sy);
          ctx.lineTo(gx0 + cc * sx, gy1 - d * sy);
        }
        ctx.stroke();
      }
    }
    const { x: xs, labels } = scene.points;
    for (const g of groups) {
      const r = (g.hollow ? size + 1 : size) / 2;
      ctx.beginPath();
      for (const i of g.idx) {
        const x = m.px(xs[i][0]);
        const y = m.py(regression ? labels[i] : xs[i][1]);
        ctx.moveTo(x + r, y);
        ctx.arc(x, y, r, 0, 2 * Math.PI);
      }
      if (g.hollow) {
        ctx.strokeStyle = g.color; // held out: hollow, by shape and not colour alone
        ctx.lineWidth = 2;
        ctx.stroke();
        continue;
      }
      ctx.fillStyle = g.color;
      if (regression) ctx.globalAlpha = 0.85;
      ctx.fill();
      ctx.globalAlpha = 1;
      if (!regression) {
        ctx.strokeStyle = "#ffffff";
        ctx.lineWidth = 0.8;
        ctx.stroke();
      }
    }
    const curves = regression && grid ? paintCurves(ctx, scene, grid, m) : [];
    ctx.restore();
    if (curves.length) painted.legend = paintLegend(ctx, curves, cell, { fontSize, font });
    const selected = run && k === scene.sel && cells.length > 1;
    ctx.strokeStyle = selected ? run.color : FRAME;
    ctx.lineWidth = selected ? 3 : 1;
    ctx.strokeRect(cell.left, cell.top, cell.width, cell.height);
    // Plotly's axes, as the plot had them: ticks outside, about 6, labels 2 px smaller
    drawAxes(ctx, m, bounds, { fontSize: fontSize - 2, font, color: TEXT, count: 6 });
    painted.titles.push(run ? paintTitle(ctx, run, cell, { fontSize, font }) : null);
  });
  return painted;
}

/**
 * Every run's regression curve over the data, in its colour and dash: the runs drawn, with their
 * index.
 * @param {CanvasRenderingContext2D} ctx @param {Scene} scene @param {{ x: number[] }} grid
 * @param {import("../shared/canvas-axes.js").Mapping} m
 * @returns {{ run: SceneRun, i: number }[]}
 */
function paintCurves(ctx, scene, grid, m) {
  const drawn = [];
  for (const [i, run] of scene.runs.entries()) {
    if (!run.boundary) continue;
    const { width, dash } = curveStyle(i, run);
    ctx.strokeStyle = run.color;
    ctx.lineWidth = width;
    ctx.setLineDash(dash);
    ctx.beginPath();
    let pen = false;
    for (let j = 0; j < grid.x.length; j++) {
      const y = curveAt(run, j);
      if (y === null) {
        pen = false;
        continue;
      }
      if (pen) ctx.lineTo(m.px(grid.x[j]), m.py(y));
      else ctx.moveTo(m.px(grid.x[j]), m.py(y));
      pen = true;
    }
    ctx.stroke();
    ctx.setLineDash([]);
    drawn.push({ run, i });
  }
  return drawn;
}

/**
 * The regression legend in the plot's top left corner, as Plotly's was: each run's line sample
 * (its colour and dash) and its name, "(diverged)" after a diverged run's. Returns the names.
 * @param {CanvasRenderingContext2D} ctx @param {{ run: SceneRun, i: number }[]} curves @param {Cell} cell
 * @param {{ fontSize: number, font: string }} style
 */
function paintLegend(ctx, curves, cell, { fontSize, font }) {
  const names = curves.map(({ run }) => `${run.label}${run.status === "diverged" ? " (diverged)" : ""}`);
  const pad = Math.round(fontSize / 3);
  const sample = fontSize * 2.5;
  const row = Math.round(fontSize * 1.4);
  ctx.save();
  ctx.font = `${fontSize}px ${font}`;
  const text = Math.max(...names.map((n) => ctx.measureText(n).width));
  const left = cell.left + 4;
  const top = cell.top + 4;
  ctx.fillStyle = "rgba(255, 255, 255, 0.8)";
  ctx.fillRect(left, top, pad * 3 + sample + text, pad * 2 + row * names.length);
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  curves.forEach(({ run, i }, n) => {
    const y = top + pad + row * n + row / 2;
    const { width, dash } = curveStyle(i, run);
    ctx.strokeStyle = run.color;
    ctx.lineWidth = width;
    ctx.setLineDash(dash);
    ctx.beginPath();
    ctx.moveTo(left + pad, y);
    ctx.lineTo(left + pad + sample, y);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = TEXT;
    ctx.fillText(names[n], left + pad * 2 + sample, y);
  });
  ctx.restore();
  return names;
}

/**
 * A run's title over its cell, the head in bold, the two parts centred together; returns the
 * box it takes (a click there selects the run) and its whole text.
 * @param {CanvasRenderingContext2D} ctx @param {SceneRun} run @param {Cell} cell
 * @param {{ fontSize: number, font: string }} style
 */
function paintTitle(ctx, run, cell, { fontSize, font }) {
  const { head, rest } = cellTitle(run.title, fontSize, cell.room);
  ctx.textAlign = "left";
  ctx.textBaseline = "bottom";
  ctx.fillStyle = run.status === "diverged" ? "#c92a2a" : run.color;
  ctx.font = `bold ${fontSize}px ${font}`;
  const wHead = ctx.measureText(head).width;
  ctx.font = `${fontSize}px ${font}`;
  const wRest = ctx.measureText(rest).width;
  const x = cell.left + cell.width / 2 - (wHead + wRest) / 2;
  const base = cell.top - 3;
  ctx.fillText(rest, x + wHead, base);
  ctx.font = `bold ${fontSize}px ${font}`;
  ctx.fillText(head, x, base);
  const height = Math.round(fontSize * 1.3);
  return { left: x, top: base - height, width: wHead + wRest, height: height + 3, text: head + rest };
}

// ---- what a spot of the plot reads as (the hover readout) --------------------------------------

/**
 * The first box holding (x, y) (a cell, a title; null: none there): its index, or -1.
 * @param {(Box | null)[]} boxes @param {number} x @param {number} y
 */
export function boxAt(boxes, x, y) {
  for (let k = 0; k < boxes.length; k++) {
    const b = boxes[k];
    if (b && x >= b.left && x <= b.left + b.width && y >= b.top && y <= b.top + b.height) return k;
  }
  return -1;
}

/** What data point i is: trained on, trained on with its label flipped, or held out.
 * @param {Points} points @param {number} i */
export function pointKind(points, i) {
  if (points.test && points.test[i]) return KIND.test;
  if (points.flipped && points.flipped[i]) return KIND.flipped;
  return KIND.train;
}

/**
 * What a run's network says at (x, y) of a classification: "1. SGD: P(class 1) = 0.83" (two
 * classes), "1. SGD: predicted class 2" (more), or why it says nothing there; null without a grid
 * (one-hot inputs).
 * @param {Scene} scene @param {SceneRun} run @param {number} x @param {number} y @returns {string | null}
 */
export function predictionLine(scene, run, x, y) {
  const grid = scene.grid;
  if (!grid) return null;
  const i = nearestIndex(grid.y, y);
  const j = nearestIndex(grid.x, x);
  const v = run.boundary && i >= 0 && j >= 0 ? run.boundary.z[i][j] : null;
  if (isNum(v)) return scene.classes === 2 ? `${run.label}: P(class 1) = ${fmt(v, 2)}` : `${run.label}: predicted class ${Math.round(v)}`;
  if (run.status === "diverged") return `${run.label}: diverged, no prediction`;
  if (!run.boundary) return `${run.label}: no prediction yet`;
  return `${run.label}: no prediction here (outside its grid)`;
}

/**
 * Every run's regression curve at x: "1. SGD: ŷ = 0.412" (at the grid's x nearest x); none off
 * the grid.
 * @param {Scene} scene @param {number} x @returns {string[]}
 */
export function curveLines(scene, x) {
  const grid = scene.grid;
  const j = grid ? nearestIndex(grid.x, x) : -1;
  if (j < 0) return [];
  const out = [];
  for (const run of scene.runs) {
    if (!run.boundary) continue;
    out.push(`${run.label}: ŷ = ${fmt(curveAt(run, j), 3)}${run.status === "diverged" ? " (diverged)" : ""}`);
  }
  return out;
}

/**
 * A data point's readout: where it is, its class (or a + b ≡ c for one-hot inputs) and what
 * kind of point it is; then what the cell's run predicts there (each run's ŷ for regression).
 * @param {Scene} scene @param {number} i @param {SceneRun | null} run the cell's run
 * @returns {string[]}
 */
export function pointLines(scene, i, run) {
  const { x, labels } = scene.points;
  const kind = pointKind(scene.points, i);
  const [a, b] = x[i];
  if (scene.task === "regression") return [`data: x = ${fmt(a)}, y = ${fmt(labels[i])}`, kind, ...curveLines(scene, a)];
  if (scene.oneHot) return [`${fmt(a)} + ${fmt(b)} ≡ ${labels[i]}`, kind];
  const lines = [`(${fmt(a)}, ${fmt(b)}): class ${labels[i]}`, kind];
  const said = run ? predictionLine(scene, run, a, b) : null;
  if (said) lines.push(said);
  return lines;
}

/**
 * An empty spot's readout: its coordinates and the cell's run's prediction there (for
 * regression, x and each run's ŷ); null where there is nothing to read (no grid, off the curves).
 * @param {Scene} scene @param {SceneRun | null} run @param {number} x @param {number} y
 * @returns {string[] | null}
 */
export function spotLines(scene, run, x, y) {
  if (scene.task === "regression") {
    const curves = curveLines(scene, x);
    return curves.length ? [`x = ${fmt(x)}`, ...curves] : null;
  }
  if (!scene.grid) return null; // one-hot inputs: only the points say something
  const said = run ? predictionLine(scene, run, x, y) : null;
  return said ? [`x₁ = ${fmt(x)}, x₂ = ${fmt(y)}`, said] : [`x₁ = ${fmt(x)}, x₂ = ${fmt(y)}`];
}

/** @type {[number, number]} one pair for every point a pointer move looks at (no allocation) */
const XY = [0, 0];

/**
 * What the plot shows at (px, py), px in its box: a run's title (its whole text, and that a
 * click selects it); else, in a cell, the nearest data point within HOVER_RADIUS px
 * (pointLines); else the spot under the pointer (spotLines). Null outside the cells.
 * @param {Scene} scene @param {Cell[]} cells @param {(Box | null)[]} titles @param {number} px @param {number} py
 * @returns {string[] | null}
 */
export function boundaryLines(scene, cells, titles, px, py) {
  const t = boxAt(titles, px, py);
  if (t >= 0 && scene.runs[t]) {
    const { head, rest, more } = scene.runs[t].title;
    return [head + rest + more, SELECT_HINT];
  }
  const k = boxAt(cells, px, py);
  if (k < 0) return null;
  const cell = cells[k];
  const regression = scene.task === "regression";
  const run = regression ? null : scene.runs[k] || null;
  const m = linearMapping(cell.left, cell.top, cell.width, cell.height, /** @type {import("../shared/plots.js").Bounds} */ (cell.view));
  const { x: xs, labels } = scene.points;
  const i = nearestPoint(px, py, xs.length, (n) => {
    XY[0] = m.px(xs[n][0]);
    XY[1] = m.py(regression ? labels[n] : xs[n][1]);
    return m.inside(XY[0], XY[1]) ? XY : null; // clipped to its cell: not drawn
  }, HOVER_RADIUS);
  if (i >= 0) return pointLines(scene, i, run);
  return spotLines(scene, run, m.toX(px), m.toY(py));
}
