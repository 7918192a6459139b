// @ts-check
// The reference drawings over the runs on the descent map (issue #15), on a canvas of their
// own between the paths and the heads: the gradient flow's path (flow.js), dark and dashed, on
// top of the runs that follow it; and, on request, the quadratic model at the selected run's
// head (model.js): its contour lines, its minimum (x) and where a plain gradient step with the
// run's lr lands (o), with a note in words. Redrawn only when something it shows has changed.

import { fmt } from "../shared/format.js";
import { contourSegments, gridHessian, modelLevels, quadraticModel, stepVerdict } from "./model.js";
import { canvasScale } from "../shared/canvas-scale.js";

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

const FLOW_COLOR = "#343a40";
const MODEL_COLOR = "#0b7285";

export class ReferenceLayer {
  /** @param {any} page the DescentPage */
  constructor(page) {
    this.page = page;
    this.canvas = /** @type {HTMLCanvasElement} */ ($("reference"));
    this.note = $("model-note");
    this.key = "";
    /** @type {ReturnType<typeof quadraticModel> & { hessian: [number, number, number] } | null} for tests */
    this.model = null;
    const toggle = /** @type {HTMLInputElement} */ ($("show-quad"));
    toggle.addEventListener("change", () => page.store.set({ quad: toggle.checked }));
    this.toggle = toggle;
  }

  /** Draw if anything shown changed: the map's size, the flow, the selected head, the switches. */
  draw() {
    const page = this.page;
    const state = page.store.state;
    this.toggle.checked = state.quad;
    const map = page.plot.mapping;
    const three = state.view === "3d";
    this.canvas.hidden = three;
    const head = this.headOf(state.sel);
    const key = JSON.stringify([map && [map.left, map.top, map.width, map.height], three, state.flow, page.flow.version,
      state.quad && head, page.gridKey]);
    if (key === this.key) return;
    this.key = key;
    const paths = page.plot.overlay.paths;
    const c = this.canvas;
    if (c.width !== paths.width || c.height !== paths.height) {
      c.width = paths.width;
      c.height = paths.height;
      c.style.width = paths.style.width;
      c.style.height = paths.style.height;
    }
    const ctx = c.getContext("2d");
    if (!ctx) return;
    const dpr = canvasScale();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, c.width / dpr, c.height / dpr);
    this.model = null;
    if (!map || three) {
      this.showNote("");
      return;
    }
    ctx.save();
    ctx.beginPath();
    ctx.rect(map.left, map.top, map.width, map.height);
    ctx.clip();
    const path = page.flow.path();
    if (path) this.drawFlow(ctx, map, path);
    if (state.quad && head) this.drawModel(ctx, map, head);
    ctx.restore();
    if (!state.quad) this.showNote("");
    else if (!head) this.showNote("The quadratic model is drawn at the selected run's head (not once it has diverged).");
  }

  /** The selected run's head: point, value, gradient, the lr of its next step; or null. @param {number} sel */
  headOf(sel) {
    const t = this.page.trajectories[sel];
    if (!t || t.status === "diverged") return null;
    const i = t.lastFinite();
    if (i < 0) return null;
    const g = [t.gx[i], t.gy[i]];
    const lr = t.lrNext ?? this.page.store.state.runs[sel]?.lr;
    if (!g.every(Number.isFinite) || !Number.isFinite(t.loss[i]) || !Number.isFinite(lr)) return null;
    return { p: /** @type {[number, number]} */ ([t.x[i], t.y[i]]), f: t.loss[i], g: /** @type {[number, number]} */ (g), lr };
  }

  /**
   * @param {CanvasRenderingContext2D} ctx @param {any} map
   * @param {{ n: number, x: Float64Array, y: Float64Array }} ghost
   */
  drawFlow(ctx, map, ghost) {
    ctx.lineJoin = "round";
    const trace = () => {
      ctx.beginPath();
      for (let k = 0; k < ghost.n; k++) {
        const px = map.px(ghost.x[k]);
        const py = map.py(ghost.y[k]);
        if (k) ctx.lineTo(px, py);
        else ctx.moveTo(px, py);
      }
    };
    ctx.setLineDash([]);
    ctx.strokeStyle = "rgba(255, 255, 255, 0.8)"; // a halo: the dashes read on any path
    ctx.lineWidth = 4.5;
    trace();
    ctx.stroke();
    ctx.setLineDash([9, 5]);
    ctx.strokeStyle = FLOW_COLOR;
    ctx.lineWidth = 2.2;
    trace();
    ctx.stroke();
    ctx.setLineDash([]);
  }

  /**
   * @param {CanvasRenderingContext2D} ctx @param {any} map
   * @param {{ p: [number, number], f: number, g: [number, number], lr: number }} head
   */
  drawModel(ctx, map, head) {
    const h = gridHessian(this.page.grid, head.p[0], head.p[1]);
    if (!h) {
      this.showNote("No quadratic model here: the head is off the drawn surface.");
      return;
    }
    const model = quadraticModel(head.p, head.f, head.g, h, head.lr);
    this.model = { ...model, hessian: h };
    // The box: around the head, wide enough for the model's minimum and the next step.
    const span = (Math.abs(map.toX(map.left + map.width) - map.toX(map.left))) / 5;
    let r = span;
    for (const q of [model.minimum, model.step]) if (q) r = Math.max(r, 1.3 * Math.hypot(q[0] - head.p[0], q[1] - head.p[1]));
    r = Math.min(r, span * 3);
    /** @type {[[number, number], [number, number]]} */
    const box = [[head.p[0] - r, head.p[0] + r], [head.p[1] - r, head.p[1] + r]];
    const spread = Math.hypot(head.g[0], head.g[1]) * r + Math.abs(model.values[0]) * r * r / 2;
    const levels = modelLevels(model, head.f, spread);
    const lines = contourSegments(model.value, box, levels);
    ctx.lineCap = "round";
    for (const [width, color, dash] of [[3.5, "rgba(255, 255, 255, 0.75)", []], [1.6, MODEL_COLOR, [2, 3]]]) {
      ctx.strokeStyle = /** @type {string} */ (color);
      ctx.lineWidth = /** @type {number} */ (width);
      ctx.setLineDash(/** @type {number[]} */ (dash));
      ctx.beginPath();
      for (const segs of lines) {
        for (const [x0, y0, x1, y1] of segs) {
          ctx.moveTo(map.px(x0), map.py(y0));
          ctx.lineTo(map.px(x1), map.py(y1));
        }
      }
      ctx.stroke();
    }
    ctx.setLineDash([]);
    const hx = map.px(head.p[0]);
    const hy = map.py(head.p[1]);
    const sx = map.px(model.step[0]);
    const sy = map.py(model.step[1]);
    // The next plain gradient step: a line from the head to a ring where it lands.
    ctx.strokeStyle = MODEL_COLOR;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(hx, hy);
    ctx.lineTo(sx, sy);
    ctx.stroke();
    ctx.fillStyle = "#fff";
    ctx.beginPath();
    ctx.arc(sx, sy, 5.5, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
    if (model.minimum) {
      const mx = map.px(model.minimum[0]);
      const my = map.py(model.minimum[1]);
      ctx.lineWidth = 3;
      ctx.beginPath();
      ctx.moveTo(mx - 6, my - 6);
      ctx.lineTo(mx + 6, my + 6);
      ctx.moveTo(mx + 6, my - 6);
      ctx.lineTo(mx - 6, my + 6);
      ctx.stroke();
    }
    const name = this.runName();
    const curv = `curvatures ${fmt(model.values[0])} and ${fmt(model.values[1])}`;
    this.showNote(`Quadratic model at ${name}'s head (${curv}): × its minimum, ○ where a plain gradient step with lr ${fmt(head.lr)} lands. ${stepVerdict(model.lrLambda, !model.minimum)}`);
  }

  runName() {
    const state = this.page.store.state;
    const run = state.runs[state.sel];
    return run ? `run ${state.sel + 1} (${this.page.optimizer(run.optimizer).name})` : "the run";
  }

  /** @param {string} text */
  showNote(text) {
    if (this.note.textContent !== text) this.note.textContent = text;
    this.note.hidden = !text;
  }
}
