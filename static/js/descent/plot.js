// @ts-check
// The descent view's plot, in layers (bottom to top):
//   base canvas   the contour map painted from the grid (paintMap: bands, lines, axes, colour
//                 bar, minima), repainted only when the surface or the size changes
//   contour div   empty: the map's tooltip (data-tip) and its hover readout (x, y, f) live here
//   paths, heads  canvases: ghosts and paths (drawn incrementally), heads and arrows
//                 (redrawn per frame); see overlay.js
//   surface3d     the 3D view: one Plotly gl3d scene (one WebGL context), created on first use
//                 and updated with Plotly.react
// Only the 3D view needs Plotly.js: the map is the canvas's, hover included, so that the page
// answers a tap while a slow machine would still be parsing Plotly's 4.8 MB. Switching view
// keeps the runs: both views draw from the same trajectories. Loading Plotly is the page's
// (page.js loadPlotly): plotlyReady() says it has come.

import { isNum } from "../shared/format.js";
import { HoverReadout } from "../shared/hover-readout.js";
import { PathOverlay } from "./overlay.js";
import { runStyle } from "../shared/run-style.js";
import {
  PLOT_CONFIG, colorTransform, mapGeometry, mapHeightFor, mapPointLines, nearestMinimum, nearestNode, paintMap,
  sceneLayout, surfaceTrace,
} from "../shared/plots.js";
import { canvasScale } from "../shared/canvas-scale.js";

const MAX_3D_POINTS = 1500; // per path: WebGL lines are cheap, Plotly's per-update work is not
const MIN_3D_INTERVAL = 100; // ms between 3D updates while running, at least
// ... and at least this many times what the last update cost (Plotly re-uploads the whole scene
// on every update: ~10 ms with a GPU, ~300 ms with software WebGL), so the page stays responsive.
const COST_FACTOR_3D = 3;
// Points per side of the 3D mesh: each update redraws the whole WebGL scene, and without a GPU
// (software WebGL) a finer mesh makes the page crawl (docs/performance-browser.md).
const MAX_3D_GRID = 61;

/** @typedef {import("../shared/plots.js").ColorTransform} ColorTransform */
/** @typedef {import("../shared/plots.js").MapGeometry} MapGeometry */
/** @typedef {import("./overlay.js").Scene} Scene */
/**
 * A surface's grid as GET /api/surfaces/{id}/grid sends it: the values and the surface.
 * @typedef {import("../shared/plots.js").SurfaceGrid & { surface: import("../types/api").SurfaceInfo }} DescentGrid
 */
/** @typedef {{ x: ArrayLike<number>, y: ArrayLike<number> }} Points a path's coordinates */
/** @typedef {(x: number, y: number) => void} OnPick */

export class DescentPlot {
  /**
   * @param {{ wrap: HTMLElement, base: HTMLCanvasElement, contour: HTMLElement, surface3d: HTMLElement,
   *   paths: HTMLCanvasElement, heads: HTMLCanvasElement }} elements
   * @param {{ onPick: OnPick }} hooks onPick: a click on the map, at data (x, y)
   */
  constructor({ wrap, base, contour, surface3d, paths, heads }, { onPick }) {
    this.wrap = wrap;
    this.base = base;
    this.contourDiv = contour;
    this.surfaceDiv = surface3d;
    this.overlay = new PathOverlay(paths, heads);
    this.onPick = onPick;
    this.view = "contour";
    /** @type {DescentGrid | null} */
    this.grid = null;
    /** @type {ColorTransform | null} */
    this.tf = null;
    /** @type {ColorTransform | null} */
    this._tf3 = null;
    /** @type {MapGeometry | null} */
    this.geometry = null;
    /** @type {ColorTransform | null} the transform whose contour lines the canvas map has drawn */
    this.linesFor = null;
    /** @type {ColorTransform | null} ... and the one whose lines are on their way */
    this.linesPending = null;
    this.plotly = false; // Plotly.js loaded (for the 3D view)
    this.surfaceDrawn = false;
    this.surfaceStale = true;
    this.last3d = 0;
    this.interval3d = MIN_3D_INTERVAL;
    this.fontSize = 12;
    this.needsDraw = true;
    /** @type {Scene | null} */
    this._lastScene = null;
    /** @type {Plotly.Data | null} the 3D surface's trace, kept until the surface or the font changes */
    this.surfaceTraceObj = null;
    /** @type {Plotly.Layout} */
    this.layout3d = {};
    this.hover = new HoverReadout(wrap, (x, y) => this.readPoint(x, y));
    this._bindPick();
    new ResizeObserver(() => this.resize()).observe(wrap);
  }

  /**
   * The 3D view's colour transform: a larger floor, so that the minimum is not a spike.
   * @returns {ColorTransform | null}
   */
  get tf3() {
    if (!this._tf3 && this.grid) this._tf3 = colorTransform(this.grid.z, this.grid.surface.min_value, { floor: 2e-3 });
    return this._tf3;
  }

  get mapping() {
    return this.overlay.map;
  }

  /** The canvases over the contour map, bottom to top (for the PNG export). */
  get canvases() {
    return [this.base, ...this.overlay.canvases].filter((c) => !c.hidden);
  }

  /** Plotly has loaded: draw the 3D view if it waited for it. */
  plotlyReady() {
    this.plotly = true;
    if (this.view === "3d") this.update3d(this._lastScene, true);
  }

  /**
   * What the map shows at (px, py), px in the plot's box: the nearest grid node's x, y and f, or
   * a minimum's star under the pointer; null off the map or in the 3D view (Plotly's own hover).
   * @param {number} px @param {number} py @returns {string[] | null}
   */
  readPoint(px, py) {
    const map = this.mapping;
    if (this.view !== "contour" || !this.grid || !map || !map.inside(px, py)) return null;
    const star = nearestMinimum(this.grid.surface, map, px, py);
    if (star) return star;
    const node = nearestNode(this.grid, map.toX(px), map.toY(py));
    return node ? mapPointLines(this.grid, node[0], node[1]) : null;
  }

  /** A new surface (grid = GET /api/surfaces/{id}/grid): paint it now, contour it when possible. */
  /** @param {DescentGrid} grid */
  setSurface(grid) {
    if (grid === this.grid && this.geometry) return; // painted already (first-paint.js)
    this.grid = grid;
    this.tf = colorTransform(grid.z, grid.surface.min_value);
    this._tf3 = null; // the 3D view's, computed when first drawn (not on the first paint)
    this.surfaceStale = true;
    this._layout();
    if (this.view === "3d") this.update3d(this._lastScene, true);
  }

  /** @param {number} size */
  setFontSize(size) {
    if (size === this.fontSize) return;
    this.fontSize = size;
    this.surfaceStale = true;
    this._layout();
  }

  /** @param {"contour" | "3d"} view */
  setView(view) {
    this.view = view;
    const three = view === "3d";
    this.contourDiv.hidden = three;
    this.overlay.hidden = three;
    this.base.hidden = three;
    this.surfaceDiv.hidden = !three;
    this.hover.hide();
    if (three) {
      this.wrap.style.removeProperty("--map-h"); // the 3D view takes a square
      this.update3d(this._lastScene, true); // once Plotly is in (plotlyReady), if not yet
    } else {
      this._layout();
    }
  }

  resize() {
    if (this.view === "3d") {
      if (this.surfaceDrawn && window.Plotly) window.Plotly.Plots.resize(this.surfaceDiv);
      return;
    }
    const g = this.geometry;
    // laid out at this size already (the box took the map's height, --map-h: no second paint)
    if (g && g.width === Math.floor(this.wrap.clientWidth) && g.height === Math.floor(this.wrap.clientHeight)) return;
    this._layout();
  }

  /** Place the map for the current size: its canvases, and paint it. */
  _layout() {
    const tf = this.tf;
    if (!this.grid || !tf || this.view !== "contour") return;
    const width = Math.floor(this.wrap.clientWidth);
    // where the box's height follows its width (a phone: descent.css), no more than the map needs
    this.wrap.style.setProperty("--map-h", `${mapHeightFor(width, this.grid.surface.bounds, this.fontSize)}px`);
    const height = Math.floor(this.wrap.clientHeight);
    if (width < 50 || height < 50) return;
    const g = mapGeometry(width, height, this.grid.surface.bounds, this.fontSize);
    this.geometry = g;
    const dpr = canvasScale();
    this.base.width = Math.round(width * dpr);
    this.base.height = Math.round(height * dpr);
    this.base.style.width = `${width}px`;
    this.base.style.height = `${height}px`;
    this.overlay.resize(width, height, g.mapping);
    this.needsDraw = true;
    this._paintMap(dpr);
    this.base.hidden = false;
    this.hover.refresh();
  }

  /**
   * The canvas map for the current surface and geometry. A new surface's contour lines come a
   * task after its picture has reached the screen: computing them the first time takes ~0.1 s
   * on a phone.
   * @param {number} dpr
   */
  _paintMap(dpr) {
    const tf = this.tf;
    if (!this.grid || !tf || !this.geometry) return;
    const lines = this.linesFor === tf;
    paintMap(this.base, this.grid, tf, this.geometry, { fontSize: this.fontSize, dpr, lines });
    if (lines || this.linesPending === tf) return;
    this.linesPending = tf;
    requestAnimationFrame(() => setTimeout(() => {
      this.linesFor = tf;
      if (this.tf === tf && this.view === "contour") this._paintMap(dpr);
    }));
  }

  invalidate() {
    this.overlay.invalidate();
    this.needsDraw = true;
  }

  /**
   * Draw one animation frame of `scene` (see PathOverlay.draw); returns points drawn.
   * @param {Scene} scene @param {number} [now]
   */
  frame(scene, now = performance.now()) {
    this._lastScene = scene;
    this.needsDraw = false;
    if (this.view === "3d") {
      if (!this.plotly) return 0;
      if (now - this.last3d >= this.interval3d) {
        const t0 = performance.now();
        this.update3d(scene);
        this.last3d = now;
        // the cost: from the update to the frame after it was drawn (WebGL draws in its own rAF)
        requestAnimationFrame(() => requestAnimationFrame(() => {
          this.interval3d = Math.min(2000, Math.max(MIN_3D_INTERVAL, COST_FACTOR_3D * (performance.now() - t0)));
        }));
        return 1;
      }
      this.needsDraw = true; // not yet: come back next frame
      return 0;
    }
    const drawn = this.overlay.draw(scene);
    // the surface and the start point are on screen: when, in ms since navigation (for
    // bench/browser.py and the tests; first-paint.js usually gets here first)
    if (this.grid && this.overlay.map && !this.wrap.dataset.painted) {
      this.wrap.dataset.painted = String(Math.round(performance.now()));
    }
    return drawn;
  }

  /**
   * The 3D view: the surface and the paths, through Plotly.react on one div.
   * @param {Scene | null} scene @param {boolean} [force]
   */
  update3d(scene, force = false) {
    const Plotly = window.Plotly;
    const tf = this.tf3;
    if (!this.plotly || !Plotly || !this.grid || !tf || this.surfaceDiv.hidden) return;
    if (!this.surfaceTraceObj || this.surfaceStale) {
      this.surfaceTraceObj = surfaceTrace(coarse(this.grid, MAX_3D_GRID), tf);
      this.layout3d = sceneLayout(this.grid.surface.bounds, tf, { fontSize: this.fontSize });
      this.surfaceStale = false;
    }
    // Lift the lines above the surface: its mesh interpolates between grid points, which lies
    // above the true f in a curved valley and would hide a path running along the floor.
    const lift = 0.03 * (tf.cmax - tf.cmin);
    /** @param {number | null} loss @returns {number | null} */
    const z = (loss) => (isNum(loss) ? tf.f(/** @type {number} */ (loss)) + lift : null);
    /** @type {Plotly.Data[]} */
    const traces = [this.surfaceTraceObj];
    const minima = this.grid.surface.minima || [];
    if (minima.length) {
      const zmin = isNum(this.grid.surface.min_value) ? z(this.grid.surface.min_value) : tf.cmin + lift;
      traces.push({
        type: "scatter3d", mode: "markers", x: minima.map((m) => m[0]), y: minima.map((m) => m[1]),
        z: minima.map(() => zmin),
        marker: { symbol: "diamond", size: 6, color: "#ffd43b", line: { color: "#212529", width: 1 } },
        hovertemplate: "a minimum<extra></extra>",
      });
    }
    /** @type {{ x: number[], y: number[], z: (number | null)[], color: string[], symbol: string[] }} */
    const heads = { x: [], y: [], z: [], color: [], symbol: [] };
    for (const g of (scene && scene.ghosts) || []) traces.push(path3d(g, g.n, z, g.color, 0.4, "ghost", g.loss));
    for (const [k, r] of ((scene && scene.runs) || []).entries()) {
      const t = r.traj;
      traces.push(path3d(t, t.n, z, r.color, 1, r.label || "", t.loss));
      const i = t.lastFinite();
      if (i >= 0) {
        heads.x.push(t.x[i]);
        heads.y.push(t.y[i]);
        heads.z.push(z(t.loss[i]));
        heads.color.push(r.color);
        heads.symbol.push(t.status === "diverged" ? "x" : runStyle(k).symbol3d);
      }
    }
    traces.push({
      type: "scatter3d", mode: "markers", x: heads.x, y: heads.y, z: heads.z,
      marker: { size: 7, color: heads.color, symbol: heads.symbol, line: { color: "#ffffff", width: 2 } },
      hoverinfo: "skip",
    });
    Plotly.react(this.surfaceDiv, traces, this.layout3d, PLOT_CONFIG);
    this.surfaceDrawn = true;
    if (force) this.last3d = performance.now();
  }

  /** A click (not a drag) inside the map's axes reports the data point under it. */
  _bindPick() {
    /** @type {{ x: number, y: number, t: number } | null} where and when a press began */
    let down = null;
    this.wrap.addEventListener("pointerdown", (e) => {
      down = e.isPrimary && e.button === 0 && this.view === "contour" ? { x: e.clientX, y: e.clientY, t: performance.now() } : null;
    });
    window.addEventListener("pointerup", (e) => {
      if (!down) return;
      const moved = Math.hypot(e.clientX - down.x, e.clientY - down.y);
      const quick = performance.now() - down.t < 800;
      down = null;
      const map = this.mapping;
      if (!map || moved > 5 || !quick || this.view !== "contour") return;
      const rect = this.wrap.getBoundingClientRect();
      const px = e.clientX - rect.left;
      const py = e.clientY - rect.top;
      if (!map.inside(px, py)) return;
      this.onPick(map.toX(px), map.toY(py));
    });
  }

  /** One sentence on the colour scale, for the map's tooltip. */
  describeColors() {
    if (!this.tf) return "";
    return this.tf.log
      ? "Colours follow log(f − min f + ε): f spans several decades here, and the interesting part is near the minimum."
      : "Colours follow f linearly.";
  }
}

/**
 * A path as a 3D line (decimated by stride for drawing; the data keeps every point).
 * @param {Points} t @param {number} n points in use @param {(loss: number | null) => number | null} z
 *   a loss's height @param {string} color @param {number} opacity @param {string} name
 * @param {ArrayLike<number> | null} loss
 */
function path3d(t, n, z, color, opacity, name, loss) {
  const stride = Math.max(1, Math.ceil(n / MAX_3D_POINTS));
  /** @type {number[]} */
  const x = [];
  /** @type {number[]} */
  const y = [];
  /** @type {(number | null)[]} */
  const zs = [];
  /** @param {number} i */
  const push = (i) => {
    if (!isNum(t.x[i]) || !isNum(t.y[i])) return;
    x.push(t.x[i]);
    y.push(t.y[i]);
    zs.push(loss ? z(loss[i]) : null);
  };
  for (let i = 0; i < n; i += stride) push(i);
  if (n > 0 && (n - 1) % stride !== 0) push(n - 1);
  return {
    type: "scatter3d", mode: "lines", x, y, z: zs, name, opacity,
    line: { color, width: 6 }, hovertemplate: `${name}<br>(%{x:.3f}, %{y:.3f})<extra></extra>`,
  };
}

/**
 * Every k-th grid point (first and last kept), so the mesh has at most ~n points per side.
 * @template {import("../shared/plots.js").SurfaceGrid} G @param {G} grid @param {number} n @returns {G}
 */
function coarse(grid, n) {
  const k = Math.ceil((grid.x.length - 1) / (n - 1));
  if (k <= 1) return grid;
  /** @param {number} len */
  const pick = (len) => {
    const idx = [];
    for (let i = 0; i < len; i += k) idx.push(i);
    if (idx[idx.length - 1] !== len - 1) idx.push(len - 1);
    return idx;
  };
  const ix = pick(grid.x.length);
  const iy = pick(grid.y.length);
  return {
    ...grid,
    x: ix.map((j) => grid.x[j]),
    y: iy.map((i) => grid.y[i]),
    z: iy.map((i) => ix.map((j) => grid.z[i][j])),
  };
}
