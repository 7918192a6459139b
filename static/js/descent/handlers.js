// @ts-check
// The descent view's handlers: each changes the state (the store, hence the URL) or asks the
// server (play, pause, step, reset), and nothing else; descent/page.js turns state changes into
// server messages and redraws.
// A part of DescentPage (descent/page.js): `this.page` is the controller.

import { ApiError, getJSON } from "../shared/api.js";
import { GRID_N, PALETTE, SCHEMA, gridURL, sanitize } from "./state.js";
import { roundSig } from "../shared/format.js";
import { showMessage } from "../shared/messages.js";
import { probeStart } from "../shared/socket.js";
/** @typedef {(typeof import("./presets.js").PRESETS)[number]} Preset */

/** @param {string} id an element of templates/index.html */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const exprInput = () => /** @type {HTMLInputElement} */ ($("expr"));
/** @typedef {import("./state.js").Run} Run */
/** @typedef {{ msg: string, field?: string | null }} Refusal why the server refuses a formula */
/** @param {Record<string, number>} a @param {Record<string, number>} b */
const sameParams = (a, b) => Object.keys(a).length === Object.keys(b).length && Object.keys(a).every((k) => a[k] === b[k]);
const CUSTOM_EXAMPLE = "0.5*x**2 + 2*sin(y)**2"; // what the formula box starts with

export class Actions {
  /** @param {import("./page.js").DescentPage} page the controller whose state this part reads */
  constructor(page) {
    this.page = page;
  }

  /** @param {string} id a surface's, or "custom" */
  chooseSurface(id) {
    this.page.customOpen = id === "custom";
    if (id === "custom") {
      const expr = this.page.store.state.expr || exprInput().value || CUSTOM_EXAMPLE;
      $("custom-form").hidden = false;
      exprInput().value = expr;
      this.tryCustom(expr);
      return;
    }
    this.page.store.set({ surface: id, expr: "", start: null, params: {} });
  }

  /**
   * Draw a custom f(x, y) only if the server accepts it; otherwise show why, at the spot.
   * @param {string} expr
   */
  async tryCustom(expr) {
    const url = gridURL({ ...this.page.store.state, surface: "custom", expr }, GRID_N);
    const refusal = this.page.gridCache.has(url) ? null : await this.checkFormula(expr);
    if (refusal) {
      this.page.toolbar.showExprError(refusal, expr);
      this.page.toolbar.renderControls();
      return;
    }
    this.page.toolbar.showExprError(null);
    this.page.store.set({ surface: "custom", expr, start: null, params: {} });
  }

  /**
   * Why the server refuses a formula ({msg}), or null when it accepts it. Asked over a probe
   * websocket (socket.js probeStart); without one, the grid request's 422 says it.
   * @param {string} expr
   * @returns {Promise<Refusal | null>}
   */
  async checkFormula(expr) {
    const run = { optimizer: this.page.registries.optimizers[0].id };
    try {
      const error = await probeStart({ type: "start", surface: { expr }, steps: 1, speed: 0, runs: [run] });
      if (!error) return null;
      return { msg: String(error.message).replace(/^([\w.]+: )+/, ""), field: error.field };
    } catch {
      try {
        await getJSON(gridURL({ ...this.page.store.state, surface: "custom", expr }, 2));
        return null;
      } catch (err) {
        return err instanceof ApiError ? err : { msg: err instanceof Error ? err.message : String(err) };
      }
    }
  }

  /** @param {number} x @param {number} y a point of the map */
  pickStart(x, y) {
    this.page.store.set({ start: [roundSig(x, 4), roundSig(y, 4)] });
  }

  /**
   * @param {number} i a run's index
   * @param {Partial<Omit<Run, "schedule">> & { schedule?: Run["schedule"] | null }} patch a null
   *   schedule: back to a constant learning rate
   */
  updateRun(i, patch) {
    const runs = this.page.store.state.runs.map((/** @type {Run} */ r, /** @type {number} */ k) => (k === i ? { ...r, ...patch } : r));
    if (patch.schedule === null) delete runs[i].schedule;
    this.page.store.set({ runs, sel: i });
  }

  addRun() {
    const runs = this.page.store.state.runs;
    if (runs.length >= this.page.limits.max_runs) {
      showMessage(`At most ${this.page.limits.max_runs} runs at once.`, { kind: "warn", key: "runs", timeout: 4000 });
      return;
    }
    const used = new Set(runs.map((/** @type {Run} */ r) => r.color));
    const color = PALETTE.find((c) => !used.has(c)) || PALETTE[runs.length % PALETTE.length];
    const base = runs[this.page.store.state.sel] || { optimizer: this.page.registries.optimizers[0].id };
    const opt = this.page.optimizer(base.optimizer);
    const run = { optimizer: base.optimizer, lr: base.lr ?? opt.hyperparameters.lr.default, hp: { ...(base.hp || {}) }, color };
    this.page.runEdit = true; // the others go on (ServerLink.editRuns)
    this.page.store.set({ runs: [...runs, run], sel: runs.length });
    this.page.runEdit = false;
  }

  /** @param {number} i */
  removeRun(i) {
    const runs = this.page.store.state.runs.filter((/** @type {Run} */ _, /** @type {number} */ k) => k !== i);
    this.page.runEdit = true;
    this.page.store.set({ runs, sel: Math.min(this.page.store.state.sel, Math.max(0, runs.length - 1)) });
    this.page.runEdit = false;
  }

  /** Run i's lr to the edge of stability at its start, 2/λ (capped to the lr's range). @param {number} i */
  setEdge(i) {
    const t = this.page.trajectories[i];
    if (!t || t.lambda0 === null || !(t.lambda0 > 0)) return;
    const spec = this.page.optimizer(this.page.store.state.runs[i].optimizer).hyperparameters.lr;
    this.updateRun(i, { lr: Math.min(spec.max, Math.max(spec.min, roundSig(2 / t.lambda0, 4))) });
  }

  /** @param {number} factor the selected run's lr times this */
  scaleLr(factor) {
    const state = this.page.store.state;
    const run = state.runs[state.sel];
    if (!run) return;
    const spec = this.page.optimizer(run.optimizer).hyperparameters.lr;
    this.updateRun(state.sel, { lr: Math.min(spec.max, Math.max(spec.min, roundSig(run.lr * factor, 4))) });
  }

  /** @param {Preset} preset a lesson */
  applyPreset(preset) {
    const defaults = Object.fromEntries(Object.entries(SCHEMA).map(([k, p]) => [k, p.default]));
    const keep = { view: this.page.store.state.view, show: this.page.store.state.show, present: this.page.store.state.present };
    this.page.ghosts = [];
    this.page.playback.playNext();
    this.page.customOpen = false;
    this.page.runsPanel.expanded.clear();
    const patch = sanitize({ ...defaults, ...keep, ...preset.state, sel: 0 }, this.page.registries, this.page.limits);
    if (patch.surface === this.page.store.state.surface && patch.expr === this.page.store.state.expr
      && sameParams(patch.params, this.page.store.state.params)) {
      const changed = this.page.store.set(patch);
      if (!changed.has("start") && !changed.has("steps") && !changed.has("runs")) this.page.restart(); // same lesson again: replay it
    } else {
      this.page.store.set(patch);
    }
  }

  keepGhost() {
    for (const [i, t] of this.page.trajectories.entries()) {
      if (t.n < 2) continue;
      this.page.ghosts.push({ ...t.snapshot(), color: this.page.store.state.runs[i].color, surfaceKey: this.page.gridKey });
    }
    this.page.ghosts = this.page.ghosts.slice(-16);
    this.page.plot.invalidate();
    this.page.chartsDirty = true;
  }

  clearGhosts() {
    this.page.ghosts = [];
    this.page.plot.invalidate();
    this.page.chartsDirty = true;
  }
}
