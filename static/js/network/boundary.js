// @ts-check
// The decision boundary of every run, as small multiples over the data points: for two classes
// P(class 1) on the boundary grid with the 0.5 contour drawn (the boundary itself); for more,
// the winning class; for regression, every run's curve over the data. One Plotly figure, laid out
// here in pixels (so a click maps to data coordinates without reading Plotly's internals) and
// redrawn with Plotly.react at most once per animation frame.

import { isNum } from "../shared/format.js";
import { CLASS_COLORS, CLASS_FILLS } from "./state.js";
import { FONT, PLOT_CONFIG } from "../shared/plots.js";
import { runStyle } from "../shared/run-style.js";
import { paintBoundary } from "./boundary-canvas.js";
import { cellTitle } from "./boundary-title.js";

/** @typedef {import("./boundary-canvas.js").Cell} Cell */
/** @typedef {import("./boundary-canvas.js").Points} Points */
/** @typedef {import("./boundary-canvas.js").Scene & { oneHot?: boolean }} Scene oneHot: the points are (a, b) of one-hot inputs */
/** @typedef {Scene["runs"][number]} SceneRun */
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

/** @param {number} k @param {string} a */
const axisName = (k, a) => `${a}axis${k ? k + 1 : ""}`;
/** @param {number} k @param {string} a */
const axisRef = (k, a) => `${a}${k ? k + 1 : ""}`;

export class BoundaryPlot {
  /**
   * @param {HTMLElement} div
   * @param {{ onClick: (x: number, y: number, how: { shift: boolean, cell: number }) => void, onSelect: (run: number) => void }} options
   */
  constructor(div, { onClick, onSelect }) {
    this.div = div;
    this.onClick = onClick;
    this.onSelect = onSelect;
    this.bound = false;
    /** @type {Cell[]} in CSS pixels, for clicks */
    this.cells = [];
    this.fontSize = 12;
    this.drawn = false; // by Plotly
    this.painted = false; // on the canvas, before Plotly came
    /** @type {HTMLCanvasElement | null} the stand-in while Plotly loads */
    this.canvas = null;
    /** @type {{ source: Points, x: number[], y: number[], labels: number[], colors: string[], test: boolean[] | null,
     *   symbols: string | string[], lineWidths: number | number[], lineColors: string | string[], kinds: string[] } | null} */
    this._pts = null;
    this._bindClicks();
  }

  /** Does the scene show the data with every run's boundary (what "the picture is up" means)?
   * @param {Scene} scene */
  static complete(scene) {
    if (!scene.points.x.length) return false;
    return !scene.grid || scene.runs.every((r) => r.boundary || r.status === "diverged");
  }

  /**
   * scene: {task, classes, points: {x: [[x1, x2]], labels}, grid: {x, y} | null, view: [[x0, x1],
   *         [y0, y1]], runs: [{label, title, color, boundary, status}], sel}
   * fast: paint on the canvas even with Plotly here (training at "max": a Plotly redraw of the
   * contours and points costs most of a frame; hover comes back with Plotly on pause)
   * @param {Scene} scene @param {{ fast?: boolean }} [options]
   * @returns {boolean} drawn (false: the plot has no size yet)
   */
  draw(scene, options) {
    const drawn = this._draw(scene, options);
    // the first complete picture's time, ms since navigation (for tests and bench/browser.py)
    if (drawn && !this.div.dataset.painted && BoundaryPlot.complete(scene)) {
      this.div.dataset.painted = String(Math.round(performance.now()));
    }
    return drawn;
  }

  /** @param {Scene} scene @param {{ fast?: boolean }} [options] */
  _draw(scene, { fast = false } = {}) {
    const W = this.div.clientWidth;
    const H = this.div.clientHeight;
    if (!W || !H) return false;
    const paint = fast || !window.Plotly;
    const regression = scene.task === "regression";
    /** @type {(SceneRun | null)[]} */
    const panels = regression ? [null] : scene.runs.length ? scene.runs : [null];
    const [[x0, x1], [y0, y1]] = scene.view;
    const aspect = Math.min(3, Math.max(0.5, (x1 - x0) / (y1 - y0)));
    const CELL = cellFor(this.fontSize);
    const fit = arrange(panels.length, W, H, aspect, CELL);
    /** @type {Plotly.Layout} */
    const layout = {
      width: W, height: H, autosize: false,
      margin: { l: 0, r: 0, t: 0, b: 0, pad: 0 },
      font: { family: FONT, size: this.fontSize, color: "#1b1f24" },
      // While you place points the view may reach past the grid the network is evaluated on:
      // grey there means "no prediction drawn here".
      paper_bgcolor: "#ffffff", plot_bgcolor: scene.editing ? "#eceff2" : "#ffffff",
      showlegend: regression && scene.runs.length > 0,
      legend: { x: 0.01, y: 0.99, xanchor: "left", yanchor: "top", bgcolor: "rgba(255,255,255,0.8)", font: { size: this.fontSize } },
      dragmode: false, hovermode: "closest",
      annotations: [], shapes: [],
      uirevision: "boundary",
    };
    /** @type {Plotly.Data[]} */
    const traces = [];
    this.cells = [];
    panels.forEach((run, k) => {
      const col = k % fit.cols;
      const row = Math.floor(k / fit.cols);
      const left = col * fit.cw + CELL.l + (fit.cw - CELL.l - CELL.r - fit.pw) / 2;
      const top = row * fit.ch + CELL.t + (fit.ch - CELL.t - CELL.b - fit.ph) / 2;
      this.cells.push({ left, top, width: fit.pw, height: fit.ph, view: scene.view, room: fit.pw + CELL.l });
      /** @param {string} a @param {number[]} range @param {number} lo @param {number} len @param {number} total */
      const axis = (a, range, lo, len, total) => ({
        range, domain: a === "x" ? [lo / total, (lo + len) / total] : [1 - (lo + len) / total, 1 - lo / total],
        anchor: axisRef(k, a === "x" ? "y" : "x"), fixedrange: true, zeroline: false, showgrid: false,
        ticks: "outside", ticklen: 3, mirror: true, showline: true, linecolor: "#9aa5b1", nticks: 6,
        tickfont: { size: this.fontSize - 2 },
      });
      layout[axisName(k, "x")] = axis("x", [x0, x1], left, fit.pw, W);
      layout[axisName(k, "y")] = axis("y", [y0, y1], top, fit.ph, H);
      const xa = axisRef(k, "x");
      const ya = axisRef(k, "y");
      if (paint) return; // the cells are all the canvas needs
      if (regression) traces.push(...this._regression(scene, xa, ya));
      else traces.push(...this._classification(scene, run, xa, ya));
      if (run) {
        const { head, rest } = cellTitle(run.title, this.fontSize, fit.pw + CELL.l);
        layout.annotations.push({
          text: `<b>${head}</b>${rest}`, showarrow: false, xref: "paper", yref: "paper", captureevents: true,
          hovertext: "click: select this run (its weights, gradients and landscape point)", name: String(k),
          x: (left + fit.pw / 2) / W, y: 1 - (top - 3) / H, xanchor: "center", yanchor: "bottom",
          font: { size: this.fontSize, color: run.status === "diverged" ? "#c92a2a" : run.color },
        });
        if (k === scene.sel && panels.length > 1) {
          layout.shapes.push({
            type: "rect", xref: "paper", yref: "paper", line: { color: run.color, width: 3 },
            x0: (left - 2) / W, x1: (left + fit.pw + 2) / W, y0: 1 - (top + fit.ph + 2) / H, y1: 1 - (top - 2) / H,
          });
        }
      }
    });
    if (paint) return this._paint(scene);
    window.Plotly.react(this.div, traces, layout, PLOT_CONFIG);
    if (this.canvas) {
      this.canvas.remove();
      this.canvas = null;
    }
    if (!this.bound) {
      this.bound = true;
      /** @type {Plotly.PlotlyHTMLElement} */ (this.div).on("plotly_clickannotation", (ev) => this.onSelect(Number(ev.annotation.name)));
    }
    this.drawn = true;
    return true;
  }

  /** Plotly is not here yet: the same cells on a canvas (clicks map through this.cells).
   * @param {Scene} scene */
  _paint(scene) {
    let canvas = this.canvas;
    if (!canvas) {
      canvas = document.createElement("canvas");
      this.canvas = canvas;
      canvas.className = "boundary-canvas";
      canvas.setAttribute("aria-hidden", "true");
      // over Plotly's figure when both are there; clicks go through to the plot's cells
      Object.assign(canvas.style, { position: "absolute", left: "0", top: "0", width: "100%", height: "100%", pointerEvents: "none", zIndex: "1" });
      this.div.prepend(canvas);
    }
    paintBoundary(canvas, scene, this.cells, { fontSize: this.fontSize, colors: CLASS_COLORS, fills: CLASS_FILLS, font: FONT });
    this.painted = true;
    return true;
  }

  /** @param {Scene} scene @param {SceneRun | null} run @param {string} xa @param {string} ya @returns {Plotly.Data[]} */
  _classification(scene, run, xa, ya) {
    const out = [];
    const grid = scene.grid;
    const z = run && run.boundary ? run.boundary.z : null;
    if (z && grid) {
      if (scene.classes === 2) {
        out.push({
          type: "contour", x: grid.x, y: grid.y, z, xaxis: xa, yaxis: ya, zmin: 0, zmax: 1,
          colorscale: [[0, CLASS_FILLS[0]], [0.5, "#ffffff"], [1, CLASS_FILLS[1]]],
          contours: { coloring: "heatmap", start: 0.5, end: 0.5, size: 1, showlines: true },
          line: { color: "#212529", width: 2.2, smoothing: 0.8 },
          showscale: false, connectgaps: false,
          hovertemplate: "x₁ = %{x:.2f}, x₂ = %{y:.2f}<br>P(class 1) = %{z:.2f}<extra>the network's belief</extra>",
        });
      } else {
        const C = scene.classes;
        /** @type {[number, string][]} */
        const colorscale = [];
        for (let c = 0; c < C; c++) colorscale.push([c / C, CLASS_FILLS[c % CLASS_FILLS.length]], [(c + 1) / C, CLASS_FILLS[c % CLASS_FILLS.length]]);
        out.push({
          type: "heatmap", x: grid.x, y: grid.y, z, xaxis: xa, yaxis: ya, zmin: -0.5, zmax: C - 0.5,
          colorscale, zsmooth: false, showscale: false,
          hovertemplate: "x₁ = %{x:.2f}, x₂ = %{y:.2f}<br>predicted class %{z}<extra></extra>",
        });
      }
    }
    const p = this._points(scene.points);
    const size = (this.fontSize > 12 ? 8 : 6) + (scene.oneHot ? -1 : 0);
    out.push({
      type: "scatter", mode: "markers", xaxis: xa, yaxis: ya, x: p.x, y: p.y, customdata: p.labels, text: p.kinds,
      // Test points hollow, training points filled: held out shows by shape, not colour alone.
      marker: { size: p.test ? p.test.map((t) => (t ? size + 1 : size)) : size, color: p.colors, symbol: p.symbols, line: { color: p.test ? p.lineColors : "#ffffff", width: p.lineWidths } },
      hovertemplate: scene.oneHot ? "%{x} + %{y} ≡ %{customdata}: %{text}<extra></extra>" : "(%{x:.2f}, %{y:.2f}): class %{customdata}, %{text}<extra></extra>",
    });
    return out;
  }

  /** The points as Plotly arrays, kept while the points are the same: Plotly skips the work.
   * @param {Points} points */
  _points(points) {
    if (!this._pts || this._pts.source !== points || this._pts.test !== (points.test || null)) {
      const test = points.test || null; // the generalisation lab's held-out points
      const flipped = points.flipped || null;
      const colors = points.labels.map((c) => CLASS_COLORS[c % CLASS_COLORS.length]);
      this._pts = {
        source: points, x: points.x.map((v) => v[0]), y: points.x.map((v) => v[1]), labels: points.labels, colors, test,
        symbols: test ? test.map((t) => (t ? "circle-open" : "circle")) : "circle",
        lineWidths: test ? test.map((t) => (t ? 2 : 0.8)) : 0.8,
        lineColors: test ? test.map((t, i) => (t ? colors[i] : "#ffffff")) : "#ffffff",
        kinds: points.labels.map((_, i) => (test && test[i] ? "test point (never trained on)" : flipped && flipped[i] ? "training point, label flipped" : "training point")),
      };
    }
    return this._pts;
  }

  /** @param {Scene} scene @param {string} xa @param {string} ya @returns {Plotly.Data[]} */
  _regression(scene, xa, ya) {
    const p = this._points(scene.points);
    /** @type {Plotly.Data[]} */
    const out = [{
      type: "scatter", mode: "markers", xaxis: xa, yaxis: ya, name: "data", showlegend: false,
      x: p.x, y: p.labels, text: p.kinds,
      marker: { size: p.test ? 6 : 5, color: "#868e96", opacity: 0.85, symbol: p.symbols, line: { color: "#868e96", width: p.test ? p.lineWidths : 0 } },
      hovertemplate: "x = %{x:.2f}, y = %{y:.2f}: %{text}<extra>data</extra>",
    }];
    for (const [i, run] of scene.runs.entries()) {
      if (!run.boundary || !scene.grid) continue;
      // Regression: the boundary is the curve, one prediction per grid x (not a grid of rows).
      const curve = /** @type {(number | null)[]} */ (/** @type {unknown} */ (run.boundary.z));
      out.push({
        type: "scatter", mode: "lines", xaxis: xa, yaxis: ya, name: run.label,
        x: scene.grid.x, y: curve.map((v) => (isNum(v) ? v : null)),
        line: { color: run.color, width: run.status === "diverged" ? 1.5 : 3, dash: run.status === "diverged" ? "dot" : runStyle(i).dash },
        hovertemplate: `${run.label}<br>x = %{x:.2f}: ŷ = %{y:.3f}<extra></extra>`,
      });
    }
    return out;
  }

  /** A click inside a plot: onClick(x, y, {shift, cell}). Plotly covers the plot with its drag
   *  layer (and the page with a "dragcover" while the button is down), but the click reaches us. */
  _bindClicks() {
    this.div.addEventListener("click", (e) => {
      if (e.button !== 0) return;
      const rect = this.div.getBoundingClientRect();
      const px = e.clientX - rect.left;
      const py = e.clientY - rect.top;
      const k = this.cells.findIndex((c) => px >= c.left && px <= c.left + c.width && py >= c.top && py <= c.top + c.height);
      if (k < 0) return;
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
