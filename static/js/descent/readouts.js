// @ts-check
// What the descent view shows besides the map: the surface card, the divergence badges on the
// plot, the step counter, the loss and gradient-norm charts, and the scene the plot draws.
// A part of DescentPage (descent/page.js): `this.page` is the controller.

import { el } from "../shared/controls.js";
import { fmt } from "../shared/format.js";
import { renderTex } from "../shared/latex.js";
import { minMaxDecimate } from "../shared/linechart.js";
import { runStyle } from "../shared/run-style.js";
import { stateMarkers } from "./state-keys.js";

/** @param {string} id an element of templates/index.html */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @typedef {import("./trajectory.js").Trajectory} Trajectory */
/** @typedef {import("./state.js").Run} Run */
/**
 * One run's chart columns (step, loss or f − f*, ‖∇f‖), the first n in use, for trajectory
 * `traj` of this generation and this f*.
 * @typedef {{ traj: Trajectory, generation: number, fstar: number | null, n: number,
 *   positive: boolean, xs: Float64Array, ys: Float64Array, gs: Float64Array }} ChartColumns
 */

export class Readouts {
  /** @param {import("./page.js").DescentPage} page the controller whose state this part reads */
  constructor(page) {
    this.page = page;
    /** @type {ChartColumns[]} each run's chart columns, extended as points arrive */
    this.chartCache = [];
  }

  /** The surface's name, formula and description, and where the runs start. */
  renderSurfaceInfo() {
    const box = $("surface-info");
    if (!this.page.grid) {
      box.replaceChildren();
      box.dataset.key = "";
      return;
    }
    const d = this.page.grid.surface;
    const start = this.page.store.state.start || d.default_start;
    if (box.dataset.key !== d.formula_latex) {
      box.dataset.key = d.formula_latex;
      box.replaceChildren(
        el("h3", { text: d.name }),
        el("div", { class: "equation" }, [renderTex(d.formula_latex)]),
        el("p", { text: d.description }),
      );
    }
    $("start-info").textContent = `Start (${fmt(start[0], 3)}, ${fmt(start[1], 3)}): click the map to move it.`;
  }

  renderBadges() {
    const box = $("badges");
    const state = this.page.store.state;
    const items = [];
    for (const [i, t] of this.page.trajectories.entries()) {
      if (t.status !== "diverged" || !state.runs[i]) continue;
      const run = state.runs[i];
      const name = this.page.optimizer(run.optimizer).name;
      const badge = el("div", { class: "badge diverged" }, [
        el("span", { text: "● " }),
        `${name}, lr ${fmt(t.lrInEffect ?? run.lr, 3)}: diverged at step ${t.divergedAt ?? t.n - 1}${t.reason ? `: ${t.reason}` : ""}`,
      ]);
      /** @type {HTMLElement} */ (badge.firstChild).style.color = run.color;
      items.push(badge);
    }
    const key = items.map((b) => b.textContent).join("|");
    if (box.dataset.key !== key) {
      box.dataset.key = key;
      box.replaceChildren(...items);
    }
  }

  renderCounter() {
    const n = Math.max(0, ...this.page.trajectories.map((t) => t.n - 1));
    const text = `step ${n} / ${this.page.store.state.steps}`;
    const counter = $("counter");
    if (counter.textContent !== text) counter.textContent = text;
  }

  /** Run i's chart columns (step, loss or f - f*, |grad|), extended by the points that came in
   * since the last render: at full speed rebuilding them all cost ~20 ms a render (6 x 20,000
   * points), this a fraction of a millisecond. Rebuilt when the run starts over.
   * @param {number} i @param {Trajectory} t @param {number | null} fstar the known minimum value
   * @returns {ChartColumns}
   */
  chartColumns(i, t, fstar) {
    let c = this.chartCache[i];
    if (!c || c.traj !== t || c.generation !== t.generation || c.fstar !== fstar || t.n < c.n) {
      c = { traj: t, generation: t.generation, fstar, n: 0, positive: true,
        xs: new Float64Array(0), ys: new Float64Array(0), gs: new Float64Array(0) };
      this.chartCache[i] = c;
    }
    if (t.n > c.xs.length) {
      const size = Math.max(t.n, 2 * c.xs.length, 256);
      for (const f of /** @type {const} */ (["xs", "ys", "gs"])) {
        const a = new Float64Array(size);
        a.set(c[f].subarray(0, c.n));
        c[f] = a;
      }
    }
    for (let k = c.n; k < t.n; k++) {
      c.xs[k] = t.step[k];
      // f - f* is 0 at the minimum itself: left out (a gap) on the log axis
      c.ys[k] = fstar === null ? t.loss[k] : t.loss[k] - fstar;
      if (fstar === null && c.ys[k] <= 0) c.positive = false;
      c.gs[k] = Math.hypot(t.gx[k], t.gy[k]);
    }
    c.n = t.n;
    return c;
  }

  renderCharts() {
    const state = this.page.store.state;
    const fstar = this.page.grid && Number.isFinite(this.page.grid.surface.min_value) ? this.page.grid.surface.min_value : null;
    const loss = [];
    const gnorm = [];
    let positive = true; // without a known f*, a log axis needs f > 0 everywhere
    for (const [i, t] of this.page.trajectories.entries()) {
      const run = state.runs[i];
      if (!run || t.n === 0) continue;
      const name = `${i + 1}. ${this.page.optimizer(run.optimizer).name} (lr ${fmt(run.lr, 3)})`;
      const c = this.chartColumns(i, t, fstar);
      if (!c.positive) positive = false;
      const { lineDash } = runStyle(i); // told apart by more than colour
      loss.push({ name, color: run.color, lineDash, ...minMaxDecimate(c.xs, c.ys, t.n) });
      gnorm.push({ name, color: run.color, lineDash, ...minMaxDecimate(c.xs, c.gs, t.n) });
    }
    for (const g of this.page.ghosts.filter((h) => h.surfaceKey === this.page.gridKey)) {
      const xs = Float64Array.from({ length: g.n }, (_, k) => k);
      const ys = fstar === null ? g.loss : g.loss.map((f) => f - fstar);
      loss.unshift({ name: "ghost", color: g.color, dash: "dot", opacity: 0.55, ...minMaxDecimate(xs, ys, g.n) });
    }
    this.page.lossChart.title = fstar === null ? "Loss f per step" : "Loss per step: f − f*";
    this.page.lossChart.ytitle = fstar === null ? "f" : "f − f*";
    this.page.lossChart.update(loss, { log: positive });
    this.page.gnormChart.update(gnorm, { log: true });
    this.page.stateChart.render(/** @type {{ runs: Run[] }} */ (state), this.page.trajectories, (id) => this.page.optimizer(id).name);
  }

  /**
   * What the plot draws this frame.
   * @returns {import("./overlay.js").Scene}
   */
  scene() {
    const state = this.page.store.state;
    const desc = this.page.grid ? this.page.grid.surface : null;
    return {
      runs: this.page.trajectories.map((traj, i) => ({
        traj, color: state.runs[i] ? state.runs[i].color : "#888", selected: i === state.sel, shape: runStyle(i).shape,
        dash: runStyle(i).lineDash, index: i,
        label: state.runs[i] ? `${i + 1}. ${this.page.optimizer(state.runs[i].optimizer).name}` : "",
        markers: state.runs[i] ? stateMarkers(this.page.registries.stateKeys, state.runs[i].optimizer, traj.state) : [],
      })).filter((r, i) => state.runs[i]),
      ghosts: this.page.ghosts.filter((g) => g.surfaceKey === this.page.gridKey),
      start: state.start || (desc ? desc.default_start : null),
      arrows: { grad: state.show.includes("grad"), update: state.show.includes("update"), state: state.show.includes("state") },
      bold: state.present,
    };
  }
}
