// @ts-check
// Paths drawn on <canvas> over a static Plotly map (docs/performance-browser.md: redrawing a
// Plotly figure per frame costs more and more as paths grow; canvas costs only the new segments).
// Two canvases, so that a frame commits two textures whatever the number of runs (in a trace of
// software rendering, committing one canvas per run was the main cost of a frame):
// - the paths canvas holds the ghosts and the paths. Short paths are redrawn whole every frame;
//   long ones incrementally: each animation frame adds only the new segments, skipping points
//   less than half a pixel from the last one drawn. A frame draws the white halos of all its
//   segments first, then the colours (with the last few old points again, whose colour the new
//   halo just covered). Earlier runs are drawn wider, so where runs are stacked in run order a
//   path on top of another leaves the one underneath visible as a border;
// - the heads canvas is cleared and redrawn every frame: start point, heads, arrows.
// A full redraw happens only when the mapping changes (resize) or points were removed (reset).

import { markerPath } from "../shared/run-style.js";
import { drawStateMarkers } from "./state-keys.js";
import { drawTrials } from "./trials.js";
import { canvasScale } from "../shared/canvas-scale.js";
// Page-agnostic: it draws {trajectory, color} lists through an axis mapping (plots.linearMapping).

/** @typedef {import("../shared/canvas-axes.js").Mapping} Mapping */
/** @typedef {import("./trajectory.js").Trajectory} Trajectory */
/** @typedef {{ grad?: boolean, update?: boolean, state?: boolean }} Arrows which arrows at the heads */
/**
 * One run as the plot draws it (descent/readouts.js scene).
 * @typedef {object} SceneRun
 * @property {Trajectory} traj
 * @property {string} color
 * @property {boolean} [selected]
 * @property {string} [shape] its head's marker (run-style.js)
 * @property {number[]} [dash] its line pattern, in line widths (run-style.js lineDash)
 * @property {number} [index] its place in the runs
 * @property {string} [label]
 * @property {{ label: string, x: number, y: number }[]} [markers] its state's points (state-keys.js)
 */
/**
 * A kept path (Trajectory.snapshot, a colour, the grid it was run on: page.gridKey).
 * @typedef {{ n: number, x: Float64Array, y: Float64Array, loss: Float64Array, color: string,
 *   surfaceKey?: string | null }} Ghost
 */
/**
 * What one frame draws.
 * @typedef {{ runs: SceneRun[], ghosts?: Ghost[], start: number[] | null, arrows?: Arrows,
 *   bold?: boolean }} Scene
 */
/**
 * One run's drawing so far: up to which point, where the pen is, the last points stroked.
 * @typedef {{ generation: number, color: string, upTo: number, px: number, py: number,
 *   tail: number[], dashAt?: number }} Drawn
 */

const MIN_STEP_PX = 0.5; // points closer than this to the last drawn one are skipped
const DOT_GAP_PX = 7; // steps at least this far apart get a dot each: discrete jumps stay visible
const FAR = 1e5; // clamp far-away points (a diverging run) so canvas maths stays finite
const TAIL_POINTS = 4; // drawn points whose colour is stroked again with the next batch
// Up to this many points in all, every frame redraws every path, so runs stack in run order
// (a later run over an earlier, wider one); beyond, frames add only new segments and a run
// drawn later covers an earlier one where they overlap.
const FULL_REDRAW_POINTS = 6000;

/** @param {number} v */
const clampPx = (v) => (v > FAR ? FAR : v < -FAR ? -FAR : v);

const ARROW_COLORS = { grad: "#d6336c", update: "#212529", state: "#7048e8" };

export class PathOverlay {
  /**
   * paths, heads: two canvases stacked in the same positioned parent.
   * @param {HTMLCanvasElement} paths @param {HTMLCanvasElement} heads
   */
  constructor(paths, heads) {
    this.paths = paths;
    this.heads = heads;
    /** @type {Mapping | null} */
    this.map = null;
    this.dpr = 1;
    this.size = [0, 0];
    this.full = true;
    /** @type {Map<Trajectory, Drawn>} */
    this.drawn = new Map();
    /** @type {{ run: number, at: number[] }[]} the runs outside the plot, marked at its edge */
    this.offPlot = [];
  }

  /**
   * Size both canvases to the plot div and take its current axis mapping.
   * @param {number} width @param {number} height @param {Mapping} mapping
   */
  resize(width, height, mapping) {
    this.dpr = canvasScale();
    this.size = [width, height];
    for (const c of this.canvases) {
      c.width = Math.round(width * this.dpr);
      c.height = Math.round(height * this.dpr);
      c.style.width = `${width}px`;
      c.style.height = `${height}px`;
    }
    this.map = mapping;
    this.full = true;
  }

  /** Canvases drawn on (for a PNG export), bottom to top. */
  get canvases() {
    return [this.paths, this.heads];
  }

  /** @param {boolean} value */
  set hidden(value) {
    for (const c of this.canvases) c.hidden = value;
  }

  invalidate() {
    this.full = true;
  }

  /** @param {CanvasRenderingContext2D} ctx @param {Mapping} m */
  _clip(ctx, m) {
    ctx.beginPath();
    ctx.rect(m.left, m.top, m.width, m.height);
    ctx.clip();
  }

  /** @param {HTMLCanvasElement} canvas */
  _context(canvas) {
    const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    return ctx;
  }

  /**
   * Draw a frame of `scene`. Returns the number of new points drawn.
   * @param {Scene} scene
   */
  draw(scene) {
    const m = this.map;
    if (!m) return 0;
    const ctx = this._context(this.paths);
    if (this.drawn.size !== scene.runs.length) this.full = true; // a run was added or removed
    if (scene.runs.reduce((sum, r) => sum + r.traj.n, 0) <= FULL_REDRAW_POINTS) this.full = true;
    for (const r of scene.runs) {
      const d = this.drawn.get(r.traj);
      if (!d || d.generation !== r.traj.generation || d.color !== r.color || d.upTo > r.traj.n) this.full = true;
    }
    if (this.full) {
      ctx.clearRect(0, 0, this.size[0], this.size[1]);
      for (const ghost of scene.ghosts || []) this._ghost(ctx, ghost, m);
      this.drawn.clear();
      this.full = false;
    }
    const base = scene.bold ? 3.5 : 2.5;
    const count = scene.runs.length;
    const from = scene.runs.map((r) => (this.drawn.get(r.traj) || { upTo: 0 }).upTo); // trials from here
    const batches = scene.runs.map((r, k) => this._collect(r, base + Math.min(4.8, 1.6 * (count - 1 - k)), m));
    ctx.save();
    this._clip(ctx, m);
    ctx.lineJoin = "round";
    ctx.lineCap = "round";
    ctx.strokeStyle = "rgba(255, 255, 255, 0.85)"; // halos first: paths read on any colour
    for (const b of batches) if (b) stroke(ctx, b.pts, b.width + 3);
    let added = 0;
    for (const b of batches) {
      if (!b) continue;
      ctx.strokeStyle = b.color;
      if (b.dash.length) {
        // the run's line pattern (run-style.js), continued from where its last batch ended
        ctx.setLineDash(b.dash.map((v) => (v * b.width) / 2));
        ctx.lineDashOffset = b.offset;
        stroke(ctx, b.pts, b.width);
        ctx.setLineDash([]);
      } else {
        stroke(ctx, b.tail, b.width);
      }
      if (b.dots.length) {
        ctx.fillStyle = b.color;
        const r = Math.min(b.width, 3.5) * 0.9 + 0.8;
        for (let k = 0; k < b.dots.length; k += 2) {
          ctx.beginPath();
          ctx.arc(b.dots[k], b.dots[k + 1], r, 0, 2 * Math.PI);
          ctx.fill();
        }
      }
      added += b.pts.length / 2 - 1;
    }
    scene.runs.forEach((r, k) => drawTrials(ctx, r.traj.trials, r.traj, from[k], r.traj.n, m, r.color));
    ctx.restore();
    this._drawHeads(scene, m);
    return added;
  }

  /** @param {CanvasRenderingContext2D} ctx @param {Ghost} g @param {Mapping} m */
  _ghost(ctx, g, m) {
    ctx.save();
    this._clip(ctx, m);
    ctx.globalAlpha = 0.45;
    ctx.strokeStyle = g.color;
    ctx.lineWidth = 2;
    ctx.setLineDash([6, 4]);
    ctx.lineJoin = "round";
    ctx.beginPath();
    let started = false;
    let lx = 0;
    let ly = 0;
    const on = onPlot(m);
    for (let i = 0; i < g.n; i++) {
      if (!Number.isFinite(g.x[i]) || !Number.isFinite(g.y[i])) break;
      const px = clampPx(m.px(g.x[i]));
      const py = clampPx(m.py(g.y[i]));
      if (!started) {
        ctx.moveTo(px, py);
        started = true;
      } else if ((px - lx) ** 2 + (py - ly) ** 2 >= MIN_STEP_PX ** 2 || i === g.n - 1) {
        if (on(lx, ly) || on(px, py)) ctx.lineTo(px, py);
        else ctx.moveTo(px, py); // a step outside the plot: not drawn (onPlot)
      } else continue;
      lx = px;
      ly = py;
    }
    ctx.stroke();
    ctx.restore();
  }

  /**
   * The pixels of one run's points not drawn yet: {pts, tail, dots, color, width} or null.
   * @param {SceneRun} run @param {number} width @param {Mapping} m
   */
  _collect(run, width, m) {
    const t = run.traj;
    let d = this.drawn.get(t);
    if (!d) {
      d = { generation: t.generation, color: run.color, upTo: 0, px: 0, py: 0, tail: [] };
      this.drawn.set(t, d);
    }
    if (d.upTo >= t.n) return null;
    /** @type {number[]} */
    const pts = [];
    /** @type {number[]} */
    const dots = [];
    let { px: lx, py: ly } = d;
    let i = d.upTo;
    if (i === 0) {
      if (!Number.isFinite(t.x[0])) return null;
      lx = clampPx(m.px(t.x[0]));
      ly = clampPx(m.py(t.y[0]));
      i = 1;
    }
    pts.push(lx, ly);
    const on = onPlot(m);
    for (; i < t.n; i++) {
      const x = t.x[i];
      const y = t.y[i];
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        i = t.n; // a diverged run's last point: nothing more to draw
        break;
      }
      const px = clampPx(m.px(x));
      const py = clampPx(m.py(y));
      const d2 = (px - lx) ** 2 + (py - ly) ** 2;
      if (d2 < MIN_STEP_PX ** 2) continue;
      if (!on(lx, ly) && !on(px, py)) pts.push(NaN, NaN); // lift the pen (onPlot)
      pts.push(px, py);
      if (d2 >= DOT_GAP_PX ** 2) dots.push(px, py);
      lx = px;
      ly = py;
    }
    d.upTo = i;
    d.px = lx;
    d.py = ly;
    if (pts.length < 4) return null;
    const tail = d.tail.length ? d.tail.concat(pts.slice(2)) : pts;
    d.tail = tail.slice(-TAIL_POINTS * 2);
    const offset = d.dashAt || 0;
    for (let k = 2; k < pts.length; k += 2) {
      const step = Math.hypot(pts[k] - pts[k - 2], pts[k + 1] - pts[k - 1]);
      if (Number.isFinite(step)) d.dashAt = (d.dashAt || 0) + step;
    }
    return { pts, tail, dots, color: run.color, width, dash: run.dash || [], offset };
  }

  /** @param {Scene} scene @param {Mapping} m */
  _drawHeads(scene, m) {
    const ctx = this._context(this.heads);
    ctx.clearRect(0, 0, this.heads.width / this.dpr, this.heads.height / this.dpr);
    ctx.save();
    this._clip(ctx, m);
    if (scene.start) {
      const sx = m.px(scene.start[0]);
      const sy = m.py(scene.start[1]);
      ctx.strokeStyle = "#212529";
      ctx.fillStyle = "#fff";
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(sx, sy, 7, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
      ctx.beginPath();
      ctx.arc(sx, sy, 2.2, 0, 2 * Math.PI);
      ctx.fillStyle = "#212529";
      ctx.fill();
    }
    this.offPlot = [];
    for (const r of scene.runs) {
      const t = r.traj;
      const i = t.lastFinite();
      if (i < 0) continue;
      const hx = clampPx(m.px(t.x[i]));
      const hy = clampPx(m.py(t.y[i]));
      const edge = this._edgeArrow(ctx, r, hx, hy, Boolean(scene.bold), m);
      if (edge) this.offPlot.push({ run: r.index ?? 0, at: edge });
      if (t.status !== "diverged") this._arrows(ctx, t, i, hx, hy, scene.arrows || {}, m);
      if (t.status !== "diverged" && r.markers) drawStateMarkers(ctx, r.markers, [hx, hy], m, r.color);
      const radius = (scene.bold ? 8 : 6.5) + (r.selected ? 1.5 : 0);
      if (t.status === "diverged") {
        ctx.strokeStyle = "#fff";
        ctx.lineWidth = 6;
        this._cross(ctx, hx, hy, radius);
        ctx.strokeStyle = r.color;
        ctx.lineWidth = 3;
        this._cross(ctx, hx, hy, radius);
        continue;
      }
      markerPath(ctx, r.shape || "circle", hx, hy, radius); // each run its shape (run-style.js)
      ctx.fillStyle = r.color;
      ctx.fill();
      ctx.lineWidth = 2.5;
      ctx.strokeStyle = "#fff";
      ctx.stroke();
      if (r.selected) {
        ctx.beginPath();
        ctx.arc(hx, hy, radius + 3, 0, 2 * Math.PI);
        ctx.lineWidth = 1.5;
        ctx.strokeStyle = "#212529";
        ctx.stroke();
      }
    }
    ctx.restore();
  }

  /**
   * A head outside the plot (a run that left it) gets an arrow at the plot's edge, pointing
   * the way it went, with the run's marker at its tail: it stays visible until it is back, or
   * until its divergence badge says what happened. Returns the arrow's tip, or null.
   * @param {CanvasRenderingContext2D} ctx @param {SceneRun} r @param {number} hx @param {number} hy
   * @param {boolean} bold @param {Mapping} m
   * @returns {number[] | null}
   */
  _edgeArrow(ctx, r, hx, hy, bold, m) {
    const inset = 8;
    const [x0, x1, y0, y1] = [m.left + inset, m.left + m.width - inset, m.top + inset, m.top + m.height - inset];
    if (hx >= x0 && hx <= x1 && hy >= y0 && hy <= y1) return null;
    const cx = m.left + m.width / 2;
    const cy = m.top + m.height / 2;
    const dx = hx - cx;
    const dy = hy - cy;
    // where the line from the centre to the head crosses the inset border
    const k = Math.min(dx ? (dx > 0 ? x1 - cx : x0 - cx) / dx : Infinity, dy ? (dy > 0 ? y1 - cy : y0 - cy) / dy : Infinity);
    if (!Number.isFinite(k)) return null;
    const ex = cx + dx * k;
    const ey = cy + dy * k;
    const n = Math.hypot(dx, dy);
    const len = bold ? 46 : 36;
    const tx = ex - (dx / n) * len;
    const ty = ey - (dy / n) * len;
    arrow(ctx, tx, ty, ex, ey, r.color);
    markerPath(ctx, r.shape || "circle", tx, ty, bold ? 7 : 5.5);
    ctx.fillStyle = r.color;
    ctx.fill();
    ctx.lineWidth = 2;
    ctx.strokeStyle = "#fff";
    ctx.stroke();
    return [ex, ey];
  }

  /** @param {CanvasRenderingContext2D} ctx @param {number} x @param {number} y @param {number} r */
  _cross(ctx, x, y, r) {
    ctx.beginPath();
    ctx.moveTo(x - r, y - r);
    ctx.lineTo(x + r, y + r);
    ctx.moveTo(x + r, y - r);
    ctx.lineTo(x - r, y + r);
    ctx.stroke();
  }

  /**
   * Arrows at a head. The downhill gradient and the optimizer's memory (momentum buffer, Adam's
   * m) share one scale, the longer at 70 px, so their directions and relative sizes compare.
   * The last step is drawn to scale (at least 24 px, so its direction shows).
   * @param {CanvasRenderingContext2D} ctx @param {Trajectory} t @param {number} i the head's index
   * @param {number} hx @param {number} hy @param {Arrows} show @param {Mapping} m
   */
  _arrows(ctx, t, i, hx, hy, show, m) {
    const g = [t.gx[i], t.gy[i]];
    const mem = memoryVector(t.state);
    const norm = (/** @type {number[] | null} */ v) => (v ? Math.hypot(v[0], v[1]) : 0);
    const ref = Math.max(show.grad ? norm(g) : 0, show.state ? norm(mem) : 0);
    /** @param {number} vx @param {number} vy @param {number} lengthPx @param {string} color */
    const draw = (vx, vy, lengthPx, color) => {
      // data direction -> pixel direction (y grows downwards on screen; axes have equal scale)
      const n = Math.hypot(vx, vy);
      if (!(n > 0) || !Number.isFinite(lengthPx)) return;
      arrow(ctx, hx, hy, hx + (vx / n) * lengthPx, hy - (vy / n) * lengthPx, color);
    };
    if (show.grad && Number.isFinite(g[0]) && Number.isFinite(g[1]) && ref > 0) {
      draw(-g[0], -g[1], (70 * norm(g)) / ref, ARROW_COLORS.grad);
    }
    if (show.state && mem && ref > 0) draw(-mem[0], -mem[1], (70 * norm(mem)) / ref, ARROW_COLORS.state);
    if (show.update && i >= 1) {
      const ux = t.x[i] - t.x[i - 1];
      const uy = t.y[i] - t.y[i - 1];
      const len = Math.hypot(ux, uy) * m.scale;
      // to scale, but never shorter than 24 px: a short step would hide under the head marker
      if (Number.isFinite(len) && len > 0) draw(ux, uy, Math.min(Math.max(len, 24), 4000), ARROW_COLORS.update);
    }
  }
}

/**
 * The optimizer's first-moment-like state as a 2-vector, if it keeps one.
 * @param {Record<string, unknown> | null} state @returns {number[] | null}
 */
function memoryVector(state) {
  if (!state) return null;
  for (const key of ["momentum_buffer", "m", "grad_avg"]) {
    const v = state[key];
    if (Array.isArray(v) && v.length === 2 && Number.isFinite(v[0]) && Number.isFinite(v[1])) return v;
  }
  return null;
}

/**
 * @param {CanvasRenderingContext2D} ctx @param {number} x0 @param {number} y0 @param {number} x1
 * @param {number} y1 @param {string} color
 */
function arrow(ctx, x0, y0, x1, y1, color) {
  const angle = Math.atan2(y1 - y0, x1 - x0);
  const len = Math.hypot(x1 - x0, y1 - y0);
  const head = Math.min(10, len * 0.45);
  const path = () => {
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.lineTo(x1 - Math.cos(angle) * head * 0.6, y1 - Math.sin(angle) * head * 0.6);
  };
  const tip = () => {
    ctx.beginPath();
    ctx.moveTo(x1, y1);
    ctx.lineTo(x1 - head * Math.cos(angle - 0.45), y1 - head * Math.sin(angle - 0.45));
    ctx.lineTo(x1 - head * Math.cos(angle + 0.45), y1 - head * Math.sin(angle + 0.45));
    ctx.closePath();
  };
  ctx.lineCap = "round";
  path();
  ctx.strokeStyle = "rgba(255,255,255,0.9)";
  ctx.lineWidth = 5;
  ctx.stroke();
  tip();
  ctx.lineWidth = 3;
  ctx.stroke();
  path();
  ctx.strokeStyle = color;
  ctx.lineWidth = 2.5;
  ctx.stroke();
  tip();
  ctx.fillStyle = color;
  ctx.fill();
}

/**
 * Is a pixel on the plot? A step between two points that are not is not drawn: a diverging
 * run's jumps from above the plot to below it would cross it as straight lines, a thick band
 * over the map where the run never was (the overshoot lesson). Its leaving and any return are
 * drawn, and an arrow at the edge marks where it is (_edgeArrow).
 * @param {Mapping} m
 */
function onPlot(m) {
  return (/** @type {number} */ px, /** @type {number} */ py) =>
    px >= m.left && px <= m.left + m.width && py >= m.top && py <= m.top + m.height;
}

/** @param {CanvasRenderingContext2D} ctx @param {number[]} pts x, y, x, y... (NaN, NaN: a gap) @param {number} width */
function stroke(ctx, pts, width) {
  ctx.lineWidth = width;
  ctx.beginPath();
  let pen = false; // NaN, NaN lifts it (a step not drawn: _collect)
  for (let k = 0; k < pts.length; k += 2) {
    if (!Number.isFinite(pts[k])) pen = false;
    else if (pen) ctx.lineTo(pts[k], pts[k + 1]);
    else {
      ctx.moveTo(pts[k], pts[k + 1]);
      pen = true;
    }
  }
  ctx.stroke();
}
