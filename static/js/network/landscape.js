// @ts-check
// The network's loss landscape: a slice of the loss on a plane through the starting weights
// (POST /api/mlp/landscape), coloured on a log scale so that an overshooting run does not wash
// the map out, with every run's path projected onto the plane. Two canvases, no Plotly.js:
//   the map    bands, contour lines, frame, axes and colour bar (shared/plots.js paintMap, the
//              descent map's painter), repainted only for a new surface, size or view range
//   the paths  reference paths (the gradient flow), each run's path and head, the start point and
//              the ring on the picked point, redrawn per frame (every 80-160 ms while training)
// Its own hover (shared/hover-readout.js): a path point within 12 px, else the slice's value; a
// click (a tap: 22 px) on a path point picks it (onPick), and so do the keys on the focused paths
// canvas (movePick). Below it, the page writes readout(): the picked point's real loss beside the
// slice's value there.

import { fmt, isNum } from "../shared/format.js";
import { FONT, linearMapping } from "../shared/canvas-axes.js";
import { paintFrame, paintMap } from "../shared/plots.js";
import { canvasScale, fitCanvas } from "../shared/canvas-scale.js";
import { HoverReadout, nearestPoint } from "../shared/hover-readout.js";
import { markerPath, runStyle } from "../shared/run-style.js";
import { noHover } from "../shared/touch.js";
import { sliceAt } from "./slices.js";

/** @typedef {import("../types/api").LandscapeResponse} LandscapeResponse */
/** @typedef {import("../shared/plots.js").ColorTransform} ColorTransform */
/** @typedef {import("../shared/plots.js").Bounds} Bounds */
/** @typedef {import("../shared/plots.js").MapGeometry} MapGeometry */
/** @typedef {import("../shared/canvas-axes.js").Mapping} Mapping */
/** @typedef {import("../shared/plots.js").SurfaceGrid} SurfaceGrid */
/** @typedef {import("./scenes.js").LandscapeScene} LandscapeScene */
/** @typedef {import("./scenes.js").ReferencePath} ReferencePath */
/** @typedef {Required<import("./scenes.js").ScenePath>} Path a path with points (n > 0): its readers are there */
/**
 * What the last frame drew, in CSS px of the box: what the hover and a click read.
 * @typedef {object} Drawn
 * @property {Mapping} mapping the axes
 * @property {{ run: Path, idx: number[], xy: Float64Array }[]} runs per run (scene.runs' order):
 *   its drawn points' indices and their pixels [x0, y0, x1, y1, ...], NaN where not drawn
 * @property {{ path: ReferencePath, xy: Float64Array }[]} extra
 * @property {Float64Array} origin the start point's pixel (empty: none)
 */

const MAX_PATH_POINTS = 1200; // per path and redraw: a stride keeps long runs cheap to draw
const AGREE = 0.05; // the slice "agrees" with the real loss within 5% (or 0.005)
const HOVER_RADIUS = 12; // px: a path point this near the mouse is what the hover reads
const TAP_RADIUS = 22; // px: a finger's
const PAD = 0.04; // the view reaches 4% beyond the sliced area and the paths
const SLACK = 0.1; // a view that must grow grows by 10% more on that side...
const LOOSE = 1.3; // ...and is kept while it is at most 30% wider than it needs: fewer map repaints
const FAR = 1e6; // px: a blown-up path's pixels are clamped here (the canvas clips them)
const INK = "#212529";
const DOTTED = [2, 3]; // a diverged run's path (run-style.js's "dot", in line widths of 2 px)
const START_HOVER = ["the starting weights: every run begins here,", "and the plane passes through them"];

/** Colours by log10(loss): decades get equal room, the top 0.5% (blow-ups) are clipped; the
 * colour bar's ticks at round losses.
 * @param {(number | null)[][]} z @returns {ColorTransform} */
export function logColors(z) {
  const title = "loss (log)";
  /** @type {number[]} */
  const vals = [];
  for (const row of z) for (const v of row) if (isNum(v) && v > 0) vals.push(v);
  vals.sort((a, b) => a - b);
  if (!vals.length) return { log: true, f: () => 0, cmin: 0, cmax: 1, tickvals: [], ticktext: [], title };
  const lo = Math.max(vals[0], 1e-8);
  const hi = Math.max(vals[Math.floor(0.995 * (vals.length - 1))], lo * 1.001);
  const f = (/** @type {number} */ v) => Math.log10(Math.max(v, lo));
  const cmin = f(lo);
  const cmax = Math.log10(hi);
  /** @type {number[]} */
  const tickvals = [];
  /** @type {string[]} */
  const ticktext = [];
  const span = cmax - cmin;
  const mults = span < 0.6 ? [1, 1.5, 2, 3, 4, 5, 6, 8] : span < 1.5 ? [1, 2, 5] : span < 4 ? [1, 3] : [1];
  for (let k = Math.floor(cmin) - 1; k <= Math.ceil(cmax); k++) {
    for (const m of mults) {
      const t = Math.log10(m) + k;
      if (t >= cmin - 1e-9 && t <= cmax + 1e-9) {
        tickvals.push(t);
        ticktext.push(fmt(m * 10 ** k, 2));
      }
    }
  }
  if (tickvals.length < 3) {
    // A narrow range: four evenly spaced values, rounded.
    tickvals.length = 0;
    ticktext.length = 0;
    for (let k = 0; k < 4; k++) {
      const v = Number((10 ** (cmin + ((cmax - cmin) * (k + 0.5)) / 4)).toPrecision(2));
      tickvals.push(Math.log10(v));
      ticktext.push(fmt(v, 2));
    }
  }
  return { log: true, f, cmin, cmax, tickvals, ticktext, title };
}

/**
 * Where a key moves the keyboard's point on the paths: along its run's steps (the arrows one,
 * with Shift ten; Page Up / Page Down a tenth of the path; Home / End the first and the latest),
 * or to the same step of the run above or below (Up / Down, skipping runs with no points).
 * null: not a key of the map's, or nowhere to go.
 * @param {{ run: number, index: number }} at the point now @param {string} key KeyboardEvent.key
 * @param {boolean} shift @param {number[]} lengths each run's number of points
 * @returns {{ run: number, index: number } | null}
 */
export function movePick(at, key, shift, lengths) {
  const n = lengths[at.run] || 0;
  /** @param {number} index */
  const along = (index) => ({ run: at.run, index: Math.max(0, Math.min(n - 1, index)) });
  const tenth = Math.max(1, Math.round(n / 10));
  /** @param {number} dir */
  const across = (dir) => {
    for (let r = at.run + dir; r >= 0 && r < lengths.length; r += dir) {
      if (lengths[r] > 0) return { run: r, index: Math.min(at.index, lengths[r] - 1) };
    }
    return null;
  };
  /** @type {Record<string, () => { run: number, index: number } | null>} */
  const moves = {
    ArrowLeft: () => along(at.index - (shift ? 10 : 1)),
    ArrowRight: () => along(at.index + (shift ? 10 : 1)),
    PageUp: () => along(at.index - tenth),
    PageDown: () => along(at.index + tenth),
    Home: () => along(0),
    End: () => along(n - 1),
    ArrowUp: () => across(-1),
    ArrowDown: () => across(1),
  };
  if (!n || !Object.hasOwn(moves, key)) return null;
  return moves[key]();
}

/** Indices 0..n-1 thinned to at most `max`, always keeping the last (the head).
 * @param {number} n @param {number} [max] */
export function strideIndices(n, max = MAX_PATH_POINTS) {
  const step = Math.max(1, Math.ceil(n / max));
  const out = [];
  for (let k = 0; k < n; k += step) out.push(k);
  if (n && out[out.length - 1] !== n - 1) out.push(n - 1);
  return out;
}

/**
 * The axes' ranges: `need` (the sliced area, the healthy paths, the start) padded by 4%. The
 * last view is kept while it holds `need` (1% off the frame) and is at most 30% wider on each
 * axis (the map is repainted when the view changes); one that must grow grows 10% more on that
 * side (a path walking off the map moves it once in a while, not every frame).
 * @param {Bounds | null} need null: nothing to show @param {Bounds | null} [last] @returns {Bounds}
 */
export function viewRange(need, last = null) {
  /** @param {number} pad @returns {Bounds} */
  const padded = (pad) => /** @type {Bounds} */ ([0, 1].map((a) => {
    const r = need ? need[a] : null;
    if (!r || !(r[1] >= r[0])) return [-1, 1];
    const d = Math.max(r[1] - r[0], 1e-3) * pad;
    return [r[0] - d, r[1] + d];
  }));
  const view = padded(PAD);
  if (!last) return view;
  const inner = padded(PAD / 4);
  const holds = view.every(([lo, hi], a) => last[a][0] <= inner[a][0] && last[a][1] >= inner[a][1] && last[a][1] - last[a][0] <= LOOSE * (hi - lo));
  if (holds) return last;
  return /** @type {Bounds} */ (view.map(([lo, hi], a) => {
    const s = (hi - lo) * SLACK;
    return [lo < last[a][0] ? lo - s : lo, hi > last[a][1] ? hi + s : hi];
  }));
}

/**
 * Where the map goes in a width x height box: room for the ticks and titles left and below, for
 * the colour bar right (its labels `barText` px wide; none without a surface), the axes filling
 * the rest. Font size: the axes' labels.
 * @param {number} width @param {number} height @param {Bounds} view @param {number} fontSize
 * @param {number | null} barText @returns {MapGeometry}
 */
export function landscapeGeometry(width, height, view, fontSize, barText) {
  // (canvas-axes.js drawAxes: the y title 2.4 font sizes left of its ticks, the x title 1.2 below)
  const margin = {
    l: Math.round(13 + 3.4 * fontSize), t: Math.round(3 + fontSize / 2), b: Math.round(10 + 2.5 * fontSize),
    // plots.js drawColorbar: 24 px off the axes, 12 wide, its labels, its title (rotated)
    r: barText === null ? 8 : Math.round(45 + barText + fontSize),
  };
  const plotW = Math.max(10, width - margin.l - margin.r);
  const plotH = Math.max(10, height - margin.t - margin.b);
  return {
    width, height, margin, left: margin.l, top: margin.t, plotW, plotH, xDomain: [0, 1], yDomain: [0, 1],
    colorbarX: 1, mapping: linearMapping(margin.l, margin.t, plotW, plotH, view),
  };
}

/**
 * The pixels of a path's points idx (data -> px through m), as [x0, y0, x1, y1, ...]: NaN for a
 * point not drawn (no value), clamped far outside for a blown-up one.
 * @param {number[]} idx @param {(k: number) => number | null} x @param {(k: number) => number | null} y
 * @param {Mapping} m @returns {Float64Array}
 */
export function pathPixels(idx, x, y, m) {
  const out = new Float64Array(2 * idx.length);
  const clamp = (/** @type {number} */ v) => Math.max(-FAR, Math.min(FAR, v));
  idx.forEach((k, i) => {
    const vx = x(k);
    const vy = y(k);
    const ok = isNum(vx) && isNum(vy);
    out[2 * i] = ok ? clamp(m.px(vx)) : NaN;
    out[2 * i + 1] = ok ? clamp(m.py(vy)) : NaN;
  });
  return out;
}

/**
 * The nearest point to (x, y) within `radius` px over several paths' pixels (pathPixels), only
 * points `inside` counting: {path, point}, a later path winning a tie (drawn over); or null.
 * @param {number} x @param {number} y @param {Float64Array[]} paths @param {number} radius
 * @param {(px: number, py: number) => boolean} [inside]
 * @returns {{ path: number, point: number } | null}
 */
export function nearestOnPaths(x, y, paths, radius, inside = () => true) {
  /** @type {{ path: number, point: number } | null} */
  let best = null;
  let bestD = Infinity;
  paths.forEach((xy, path) => {
    const at = (/** @type {number} */ i) => {
      const px = xy[2 * i];
      const py = xy[2 * i + 1];
      return px === px && py === py && inside(px, py) ? /** @type {[number, number]} */ ([px, py]) : null; // NaN: not drawn
    };
    const point = nearestPoint(x, y, xy.length / 2, at, radius);
    if (point < 0) return;
    const d = (xy[2 * point] - x) ** 2 + (xy[2 * point + 1] - y) ** 2;
    if (d <= bestD) {
      best = { path, point };
      bestD = d;
    }
  });
  return best;
}

/** A canvas layer filling the box. @param {string} className */
function layer(className) {
  const canvas = document.createElement("canvas");
  canvas.className = className;
  canvas.setAttribute("aria-hidden", "true"); // the readout under the map says it in words
  return canvas;
}

/** A polyline through pixels xy, broken where a point is NaN.
 * @param {CanvasRenderingContext2D} ctx @param {Float64Array} xy */
function tracePath(ctx, xy) {
  ctx.beginPath();
  let pen = false;
  for (let k = 0; k < xy.length; k += 2) {
    const x = xy[k];
    const y = xy[k + 1];
    if (x !== x || y !== y) {
      pen = false;
      continue;
    }
    if (pen) ctx.lineTo(x, y);
    else ctx.moveTo(x, y);
    pen = true;
  }
}

export class LandscapeView {
  /**
   * @param {{ plot: HTMLElement, readout: HTMLElement | null, caption: HTMLElement | null }} elements
   * @param {{ onPick: (run: number, index: number) => void }} options
   */
  constructor({ plot, readout, caption }, { onPick }) {
    this.div = plot;
    this.readoutEl = readout;
    this.captionEl = caption;
    this.onPick = onPick;
    this.fontSize = 12;
    /** @type {LandscapeResponse | null} */
    this.surface = null;
    /** @type {ColorTransform | null} */
    this.colors = null;
    /** @type {SurfaceGrid | null} the surface as paintMap takes it */
    this.grid = null;
    /** @type {Bounds | null} the axes' ranges (viewRange) */
    this.view = null;
    /** @type {number | null} px of the colour bar's widest label, at this font size */
    this.barText = null;
    this.mapKey = ""; // what the map canvas shows: surface, size, view
    /** @type {Drawn | null} */
    this.drawn = null;
    this.map = layer("landscape-map");
    this.paths = layer("landscape-paths");
    // From the keyboard: the paths' canvas takes the focus, and the keys walk the picked point
    // along the paths (movePick); the readout under the map says each point.
    this.paths.removeAttribute("aria-hidden");
    this.paths.setAttribute("role", "img");
    this.paths.setAttribute("aria-label", "The runs' paths on the loss landscape. Left and Right walk the selected " +
      "run's steps (Shift: ten at a time; Home and End: its first and latest), Up and Down go to another run; " +
      "the line under the map says the point's loss.");
    this.paths.setAttribute("aria-keyshortcuts", "ArrowLeft ArrowRight ArrowUp ArrowDown Home End PageUp PageDown");
    this.paths.tabIndex = 0;
    this.paths.addEventListener("keydown", (e) => this.key(e));
    plot.prepend(this.map, this.paths); // under a note the page shows in the box
    /** @type {LandscapeScene | null} the last scene drawn, which the keys move along */
    this.scene = null;
    this.hover = new HoverReadout(plot, (x, y) => this.read(x, y));
    plot.addEventListener("click", (e) => this.click(e));
  }

  /** @param {LandscapeResponse | null} surface */
  setSurface(surface) {
    this.surface = surface;
    this.colors = surface ? logColors(surface.z) : null;
    this.grid = surface ? { x: surface.x.values, y: surface.y.values, z: surface.z, surface: {} } : null;
    this.view = null;
    this.barText = null;
    this.mapKey = "";
  }

  /** The map's canvases, bottom first (a PNG export composes them). */
  canvases() {
    return [this.map, this.paths];
  }

  /**
   * scene: {origin: [x, y] | null, labels: [x, y], runs: [{label, color, status, n, x(k), y(k),
   *         step(k), loss(k), slice(k) | null, distance(k) | null}], pick: {run, index} | null,
   *         sliced: a surface is there, extra: reference paths under the runs (the gradient flow)}
   * Returns whether it drew (not in a box with no size).
   * @param {LandscapeScene} scene
   */
  draw(scene) {
    const W = this.div.clientWidth;
    const H = this.div.clientHeight;
    const ctx = this.paths.getContext("2d");
    if (!W || !H || !ctx) return false;
    const dpr = canvasScale();
    const s = this.surface;
    // A blown-up path would shrink the map to a dot: the axes follow the healthy runs only.
    const healthy = scene.runs.some((r) => r.status !== "diverged" && r.n);
    const runs = scene.runs.map((r) => ({ run: /** @type {Path} */ (r), idx: strideIndices(r.n) }));
    const need = s ? [s.x.values[0], s.x.values[s.x.values.length - 1], s.y.values[0], s.y.values[s.y.values.length - 1]] : [Infinity, -Infinity, Infinity, -Infinity];
    /** @param {number | null} x @param {number | null} y */
    const grow = (x, y) => {
      if (!isNum(x) || !isNum(y)) return;
      need[0] = Math.min(need[0], x);
      need[1] = Math.max(need[1], x);
      need[2] = Math.min(need[2], y);
      need[3] = Math.max(need[3], y);
    };
    for (const { run, idx } of runs) if (!(healthy && run.status === "diverged")) for (const k of idx) grow(run.x(k), run.y(k));
    if (scene.origin) grow(scene.origin[0], scene.origin[1]);
    this.view = viewRange(need[1] >= need[0] ? [[need[0], need[1]], [need[2], need[3]]] : null, this.view);
    const fs = this.fontSize - 1; // the axes' labels and titles (the colour bar's ticks: one less)
    const g = landscapeGeometry(W, H, this.view, fs, this._barText(fs));
    const m = g.mapping;
    this._paintMap(g, W, H, dpr, fs, scene.labels);

    fitCanvas(this.paths, W, H);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    ctx.save();
    ctx.beginPath();
    ctx.rect(m.left, m.top, m.width, m.height);
    ctx.clip(); // the paths and heads (a diverged run's leave the axes)
    ctx.lineJoin = "round";
    const extra = (scene.extra || []).map((path) => {
      const xy = pathPixels(strideIndices(path.x.length), (k) => path.x[k], (k) => path.y[k], m);
      ctx.globalAlpha = path.opacity ?? 1;
      ctx.strokeStyle = path.color;
      ctx.lineWidth = path.width;
      ctx.setLineDash(path.dash);
      tracePath(ctx, xy);
      ctx.stroke();
      return { path, xy };
    });
    ctx.globalAlpha = 1;
    const drawnRuns = runs.map(({ run, idx }, i) => {
      const xy = pathPixels(idx, run.x, run.y, m);
      const style = runStyle(i);
      const width = scene.sel === i ? 3.2 : 2.2;
      const dash = run.status === "diverged" ? DOTTED : style.lineDash;
      ctx.strokeStyle = run.color;
      ctx.lineWidth = width;
      ctx.setLineDash(dash.map((v) => (v * width) / 2));
      tracePath(ctx, xy);
      ctx.stroke();
      const hx = xy[xy.length - 2];
      const hy = xy[xy.length - 1];
      if (idx.length && hx === hx && hy === hy) {
        ctx.setLineDash([]);
        markerPath(ctx, style.shape, hx, hy, 5.5);
        ctx.fillStyle = run.color;
        ctx.fill();
        ctx.strokeStyle = "#ffffff";
        ctx.lineWidth = 1.5;
        ctx.stroke();
      }
      return { run, idx, xy, width, dash };
    });
    ctx.restore();
    const origin = new Float64Array(scene.origin && isNum(scene.origin[0]) && isNum(scene.origin[1]) ? [m.px(scene.origin[0]), m.py(scene.origin[1])] : []);
    if (origin.length) {
      ctx.beginPath();
      ctx.arc(origin[0], origin[1], 5, 0, 2 * Math.PI);
      ctx.fillStyle = "#ffffff";
      ctx.fill();
      ctx.strokeStyle = INK;
      ctx.lineWidth = 2;
      ctx.stroke();
      ctx.font = `${fs}px ${FONT}`;
      ctx.fillStyle = "#343a40";
      ctx.textAlign = "center";
      ctx.textBaseline = "top";
      ctx.fillText("start", origin[0], origin[1] + 7);
    }
    const pick = this.pickPoint(scene);
    if (pick && isNum(pick.x) && isNum(pick.y) && m.inside(m.px(pick.x), m.py(pick.y))) {
      ctx.beginPath();
      ctx.arc(m.px(pick.x), m.py(pick.y), 9, 0, 2 * Math.PI);
      ctx.strokeStyle = INK;
      ctx.lineWidth = 2.5;
      ctx.stroke();
    }
    this.drawn = { mapping: m, runs: drawnRuns, extra, origin };
    this.scene = scene;
    // For tests and the console, as Plotly's figures carry their `data`: what is on the map.
    /** @type {HTMLElement & { drawn?: object }} */ (this.div).drawn = {
      grid: s ? s.x.values.length : 0, mode: s ? s.directions : null, view: this.view, revealing: scene.revealing,
      plot: { left: m.left, top: m.top, width: m.width, height: m.height },
      runs: drawnRuns.map(({ run, idx, xy, width, dash }) => ({ label: run.label, n: idx.length, xy, width, dash })),
      extra: extra.map(({ path, xy }) => ({ n: path.x.length, xy, dash: path.dash })),
      origin: origin.length ? [origin[0], origin[1]] : null,
    };
    this.hover.refresh(); // what is under a still mouse may have moved
    return true;
  }

  /** The widest colour bar label in px (null: no colour bar), measured once per surface and size.
   * @param {number} fs */
  _barText(fs) {
    const ctx = this.map.getContext("2d");
    if (!this.colors || !ctx) return null;
    if (this.barText === null) {
      ctx.font = `${fs - 1}px ${FONT}`;
      this.barText = Math.max(0, ...(this.colors.ticktext || []).map((t) => ctx.measureText(t).width));
    }
    return this.barText;
  }

  /** The map canvas, when what it shows changed (surface, size, view, font).
   * @param {MapGeometry} g @param {number} W @param {number} H @param {number} dpr @param {number} fs
   * @param {string[]} titles */
  _paintMap(g, W, H, dpr, fs, titles) {
    const key = [W, H, dpr, fs, ...(this.view || []).flat(), ...titles].join(" ");
    if (key === this.mapKey) return;
    this.mapKey = key;
    fitCanvas(this.map, W, H);
    if (this.grid && this.colors) {
      paintMap(this.map, this.grid, this.colors, g, { fontSize: fs, dpr, titles });
      return;
    }
    const ctx = this.map.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    paintFrame(ctx, g.mapping, { fontSize: fs, titles });
  }

  /** What the hover label says at (x, y), px in the box: a path point, the start, the slice.
   * @param {number} x @param {number} y @returns {string[] | null} */
  read(x, y) {
    const d = this.drawn;
    const hit = d ? this._hit(x, y, HOVER_RADIUS, true) : null;
    const cursor = hit && hit.run !== null ? "pointer" : ""; // a click picks that point
    if (this.div.style.cursor !== cursor) this.div.style.cursor = cursor;
    if (!d) return null;
    if (hit) return hit.lines;
    const m = d.mapping;
    if (!m.inside(x, y)) return null;
    const v = sliceAt(this.surface, m.toX(x), m.toY(y));
    if (!isNum(v)) return null;
    return [`(${fmt(m.toX(x), 3)}, ${fmt(m.toY(y), 3)})`, `loss on the slice: ${fmt(v, 4)}`];
  }

  /**
   * The drawn point nearest (x, y) within `radius`: a run's ({run, index, lines}), or with `all`
   * a reference path's or the start's (run null).
   * @param {number} x @param {number} y @param {number} radius @param {boolean} all
   * @returns {{ run: number | null, index: number, lines: string[] } | null}
   */
  _hit(x, y, radius, all) {
    const d = this.drawn;
    if (!d) return null;
    const extra = all ? d.extra.map((e) => e.xy) : [];
    const origin = all && d.origin.length ? [d.origin] : [];
    // under the runs: the reference paths; over them: the start (the order they are drawn in)
    const hit = nearestOnPaths(x, y, [...extra, ...d.runs.map((r) => r.xy), ...origin], radius, d.mapping.inside);
    if (!hit) return null;
    if (hit.path < extra.length) {
      const ref = d.extra[hit.path].path;
      const k = strideIndices(ref.x.length)[hit.point];
      return ref.hover ? { run: null, index: k, lines: ref.hover(k) } : null;
    }
    const i = hit.path - extra.length;
    if (i >= d.runs.length) return { run: null, index: 0, lines: START_HOVER };
    const { run, idx } = d.runs[i];
    const k = idx[hit.point];
    return { run: i, index: k, lines: [`${run.label}, step ${run.step(k)}`, `real loss ${fmt(run.loss(k), 4)}`, `slice here ${fmt(run.slice(k), 4)}`] };
  }

  /** A click or a tap on a run's path point picks it: with a mouse, the point its hover names
   * (read at the pointer's own position: a click's is rounded to whole px, and points of a slow
   * path lie closer than that). @param {MouseEvent} e */
  click(e) {
    const r = this.div.getBoundingClientRect();
    const touch = /** @type {PointerEvent} */ (e).pointerType === "touch" || noHover();
    const [x, y] = !touch && this.hover.at ? this.hover.at : [e.clientX - r.left, e.clientY - r.top];
    const hit = this._hit(x, y, touch ? TAP_RADIUS : HOVER_RADIUS, false);
    if (hit && hit.run !== null) this.onPick(hit.run, hit.index);
  }

  /** A key on the focused paths picks the point it moves to (movePick), as a click would; the
   * page's own arrow keys (a step, the learning rate) are left alone. @param {KeyboardEvent} e */
  key(e) {
    const scene = this.scene;
    const at = scene ? this.pickPoint(scene) : null;
    if (!scene || !at || e.altKey || e.ctrlKey || e.metaKey) return;
    const to = movePick(at, e.key, e.shiftKey, scene.runs.map((r) => r.n));
    if (!to) return;
    e.preventDefault();
    e.stopPropagation();
    // the next key (a held one repeats) moves on from here, before the page redraws the map
    scene.pick = to;
    scene.sel = to.run;
    this.onPick(to.run, to.index);
  }

  /** The selected point: {run, index, x, y} (the picked step, else the selected run's head).
   * @param {LandscapeScene} scene */
  pickPoint(scene) {
    const pick = scene.pick || { run: scene.sel, index: null };
    const run = /** @type {Path | undefined} */ (scene.runs[pick.run]);
    if (!run || !run.n) return null;
    const index = pick.index === null || pick.index >= run.n ? run.n - 1 : pick.index;
    return { run: pick.run, index, x: run.x(index), y: run.y(index), head: index === run.n - 1 };
  }

  /** "This point is off the plane: the slice shows 0.21 but the real loss is 0.35".
   * @param {LandscapeScene} scene */
  readout(scene) {
    const p = this.pickPoint(scene);
    if (!p) {
      const run = scene.runs[scene.pick ? scene.pick.run : scene.sel];
      return run && run.note ? run.note : "";
    }
    const run = /** @type {Path} */ (scene.runs[p.run]); // pickPoint found points on it
    const real = run.loss(p.index);
    const slice = run.slice(p.index);
    const dist = run.distance(p.index);
    const where = `${run.label}, step ${run.step(p.index)}${p.head && !scene.revealing ? " (its latest)" : ""}: `;
    if (!isNum(real)) return `${where}the loss blew up here.`;
    if (!scene.sliced) return `${where}the real loss is ${fmt(real, 3)} (no slice to compare with).`;
    if (!isNum(slice)) return `${where}outside the sliced area; the real loss is ${fmt(real, 3)}.`;
    const off = isNum(dist) ? ` It lies ${fmt(dist, 2)} away from the plane (in weight units).` : "";
    if (Math.abs(slice - real) <= Math.max(AGREE * real, 0.005)) {
      return `${where}the slice and the real loss agree: ${fmt(real, 3)}.${isNum(dist) && dist > 1e-6 ? off : " The point is on (or very near) the plane."}`;
    }
    return `${where}this point is off the plane: the slice shows ${fmt(slice, 3)} but the real loss is ${fmt(real, 3)}.${off}`;
  }
}
