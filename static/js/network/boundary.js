// @ts-check
// The decision boundary of every run, as small multiples over the data points: for two classes
// P(class 1) on the boundary grid with the 0.5 contour drawn (the boundary itself); for more,
// the winning class; for regression, every run's curve over the data. Laid out here in pixels
// (`cells`: a click maps to data coordinates through them) and painted on one canvas by
// boundary-canvas.js, every time: no Plotly.js for this plot, so it is up, and answers a click,
// before Plotly could be parsed on a phone, and keeps up at "max". Under the mouse, a
// HoverReadout says what Plotly's hover said: the nearest data point (its coordinates, class and
// kind, or a + b ≡ c), else the network's P(class 1) or class there (each run's ŷ for
// regression), and over a run's title that a click selects the run.

import { HoverReadout } from "../shared/hover-readout.js";
import { CLASS_COLORS, CLASS_FILLS } from "./state.js";
import { FONT } from "../shared/canvas-axes.js";
import { boundaryLines, boxAt, paintBoundary } from "./boundary-canvas.js";

/** @typedef {import("./boundary-canvas.js").Cell} Cell */
/** @typedef {import("./boundary-canvas.js").Scene} Scene */
/** @typedef {import("./boundary-canvas.js").Painted} Painted */
/** @typedef {{ l: number, r: number, t: number, b: number, gap: number }} CellMargins */

// Per small multiple, room for the tick labels and the title, px at 12 px type; larger type
// (a projector) gets proportionally more.
const CELL12 = { l: 36, r: 8, t: 22, b: 24, gap: 6 };
/** @param {number} fontSize */
const cellFor = (fontSize) => /** @type {CellMargins} */ (Object.fromEntries(
  Object.entries(CELL12).map(([k, v]) => [k, Math.round((v * fontSize) / 12)])));

/**
 * Columns x rows for n plots of aspect `aspect` in W x H, the one with the largest plots.
 * @param {number} n @param {number} W @param {number} H @param {number} aspect @param {CellMargins} CELL
 */
function arrange(n, W, H, aspect, CELL) {
  /** @type {{ cols: number, rows: number, cw: number, ch: number, pw: number, ph: number } | null} */
  let best = null;
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    const cw = W / cols;
    const ch = H / rows;
    const aw = cw - CELL.l - CELL.r;
    const ah = ch - CELL.t - CELL.b;
    const pw = Math.max(20, Math.min(aw, ah * aspect));
    const ph = pw / aspect;
    if (!best || pw * ph > best.pw * best.ph) best = { cols, rows, cw, ch, pw, ph };
  }
  return /** @type {NonNullable<typeof best>} */ (best); // n >= 1: one arrangement at least
}

/**
 * The small multiples' rectangles in a W x H box: one per run (one for regression, which draws
 * every run's curve in one plot, and one with no runs yet).
 * @param {Scene} scene @param {number} W @param {number} H @param {number} fontSize
 * @returns {Cell[]}
 */
function layOut(scene, W, H, fontSize) {
  const n = scene.task === "regression" ? 1 : Math.max(1, scene.runs.length);
  const [[x0, x1], [y0, y1]] = scene.view;
  const aspect = Math.min(3, Math.max(0.5, (x1 - x0) / (y1 - y0)));
  const CELL = cellFor(fontSize);
  const fit = arrange(n, W, H, aspect, CELL);
  const cells = [];
  for (let k = 0; k < n; k++) {
    const col = k % fit.cols;
    const row = Math.floor(k / fit.cols);
    const left = col * fit.cw + CELL.l + (fit.cw - CELL.l - CELL.r - fit.pw) / 2;
    const top = row * fit.ch + CELL.t + (fit.ch - CELL.t - CELL.b - fit.ph) / 2;
    cells.push({ left, top, width: fit.pw, height: fit.ph, view: scene.view, room: fit.pw + CELL.l });
  }
  return cells;
}

export class BoundaryPlot {
  /**
   * @param {HTMLElement} div the plot's box (positioned: the canvas and the readout sit in it)
   * @param {{ onClick: (x: number, y: number, how: { shift: boolean, cell: number }) => void, onSelect: (run: number) => void }} options
   *   onClick: a click in a cell, in data coordinates; onSelect: a click on run k's title
   */
  constructor(div, { onClick, onSelect }) {
    this.div = div;
    this.onClick = onClick;
    this.onSelect = onSelect;
    /** @type {Cell[]} in CSS pixels of the box, for clicks and the readout */
    this.cells = [];
    /** @type {Painted["titles"]} each cell's title as painted (a click there selects its run) */
    this.titles = [];
    this.fontSize = 12;
    /** @type {HTMLCanvasElement | null} */
    this.canvas = null;
    /** @type {Scene | null} the scene painted last: what the readout reads */
    this.scene = null;
    this.hover = new HoverReadout(div, (x, y) => this.read(x, y));
    this._bindClicks();
  }

  /** Does the scene show the data with every run's boundary (what "the picture is up" means)?
   * @param {Scene} scene */
  static complete(scene) {
    if (!scene.points.x.length) return false;
    return !scene.grid || scene.runs.every((r) => r.boundary || r.status === "diverged");
  }

  /**
   * scene: {task, classes, points: {x: [[x1, x2]], labels, test?, flipped?}, grid: {x, y} | null,
   *         view: [[x0, x1], [y0, y1]], runs: [{label, title, color, boundary, status}], sel,
   *         editing, oneHot?}
   * Cheap enough for every animation frame (a few ms).
   * @param {Scene} scene
   * @returns {boolean} drawn (false: the plot has no size yet)
   */
  draw(scene) {
    const W = this.div.clientWidth;
    const H = this.div.clientHeight;
    if (!W || !H) return false;
    this.cells = layOut(scene, W, H, this.fontSize);
    const canvas = this.canvas || this._makeCanvas();
    const painted = paintBoundary(canvas, scene, this.cells, { fontSize: this.fontSize, colors: CLASS_COLORS, fills: CLASS_FILLS, font: FONT });
    this.titles = painted.titles;
    this.scene = scene;
    this._describe(canvas, scene, painted);
    if (this.hover.at) this.hover.refresh(); // the picture under a still pointer changed
    // the first complete picture's time, ms since navigation (for tests and bench/browser.py)
    if (!this.div.dataset.painted && BoundaryPlot.complete(scene)) {
      this.div.dataset.painted = String(Math.round(performance.now()));
    }
    return true;
  }

  _makeCanvas() {
    const canvas = document.createElement("canvas");
    canvas.className = "boundary-canvas"; // placed over the whole box (network.css)
    canvas.setAttribute("aria-hidden", "true"); // the titles and hint say what it shows in text
    this.div.prepend(canvas); // under the readout
    this.canvas = canvas;
    return canvas;
  }

  /**
   * What the readout says at (x, y), px in the box (null: nothing); over a title the pointer
   * becomes a hand (a click selects the run).
   * @param {number} x @param {number} y @returns {string[] | null}
   */
  read(x, y) {
    const cursor = boxAt(this.titles, x, y) >= 0 ? "pointer" : "";
    if (this.div.style.cursor !== cursor) this.div.style.cursor = cursor;
    return this.scene ? boundaryLines(this.scene, this.cells, this.titles, x, y) : null;
  }

  /**
   * What the canvas shows, in its data- attributes, for tests and the curious (a canvas has no
   * `data` to read back as Plotly's figure had), written only when it changes: `shows`
   * (probability, classes, curves or points), `grid` (columns x rows), `steps` (each cell's
   * boundary step, "-" for none), `titles` and `legend` (lines as painted), `marks` (per data
   * point f filled or o hollow).
   * @param {HTMLCanvasElement} canvas @param {Scene} scene @param {Painted} painted
   */
  _describe(canvas, scene, painted) {
    const regression = scene.task === "regression";
    const grid = scene.grid;
    const steps = regression ? scene.runs : this.cells.map((_, k) => scene.runs[k]);
    const described = {
      shows: regression ? "curves" : !grid ? "points" : scene.classes === 2 ? "probability" : "classes",
      grid: grid ? `${grid.x.length}x${grid.y.length}` : "",
      steps: steps.map((r) => (r && r.boundary ? r.boundary.step : "-")).join(","),
      titles: painted.titles.map((t) => (t ? t.text : "")).join("\n"),
      legend: painted.legend.join("\n"),
      marks: painted.marks,
    };
    for (const [k, v] of Object.entries(described)) if (canvas.dataset[k] !== v) canvas.dataset[k] = v;
  }

  /** A click inside a plot: onClick(x, y, {shift, cell}); on a run's title: onSelect(run). */
  _bindClicks() {
    this.div.addEventListener("click", (e) => {
      if (e.button !== 0) return;
      const rect = this.div.getBoundingClientRect();
      const px = e.clientX - rect.left;
      const py = e.clientY - rect.top;
      const k = boxAt(this.cells, px, py);
      if (k < 0) {
        const t = boxAt(this.titles, px, py);
        if (t >= 0) this.onSelect(t);
        return;
      }
      const c = this.cells[k];
      const [[x0, x1], [y0, y1]] = c.view;
      this.onClick(x0 + ((px - c.left) / c.width) * (x1 - x0), y1 - ((py - c.top) / c.height) * (y1 - y0), { shift: e.shiftKey, cell: k });
    });
  }

  /** Data -> client pixel of a plot's cell (tests click there; the page never needs it).
   * @param {number} k @param {number} x @param {number} y */
  toClient(k, x, y) {
    const c = this.cells[k];
    if (!c) return null;
    const rect = this.div.getBoundingClientRect();
    const [[x0, x1], [y0, y1]] = c.view;
    return [rect.left + c.left + ((x - x0) / (x1 - x0)) * c.width, rect.top + c.top + ((y1 - y) / (y1 - y0)) * c.height];
  }
}
