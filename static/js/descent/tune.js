// @ts-check
// Fair races (issue #16): "Tune lr" on a run card and "Tune all" in the runs panel ask
// POST /api/tune for the lr with the lowest loss after the run's step budget from the same start
// (app/core/tuning.py), set it, start the race over, and show the curve of final loss against lr:
// too small crawls, too large diverges, the best sits just below the edge.
// A part of DescentPage (descent/page.js): `this.page` is the controller.

import { ApiError, postJSON } from "../shared/api.js";
import { el } from "../shared/controls.js";
import { fmt } from "../shared/format.js";
import { runStyle } from "../shared/run-style.js";
import { showMessage } from "../shared/messages.js";
import { runSpec, surfaceSpec } from "./state.js";

/**
 * One run's answer from POST /api/tune (app/api/routes/tune.py, tuning_json).
 * @typedef {{ optimizer: string, lr_given: number, lr: number, loss: number | null,
 *   diverged_above: number | null, run_steps: number,
 *   curve: { lr: number[], loss: (number | null)[], status: string[] } }} Tuning
 */

/**
 * A tuned run as the panel shows it.
 * @typedef {{ run: number, name: string, color: string, steps: number, tuning: Tuning }} Tuned
 */

/** What a tuning was asked for: the same surface, start and steps give the same curve. */
const KEY_FIELDS = ["surface", "expr", "params", "start", "steps"];

export class Tuner {
  /** @param {any} page the controller (descent/page.js DescentPage) */
  constructor(page) {
    this.page = page;
    /** @type {Map<number, Tuned>} by run index */
    this.tuned = new Map();
    this.key = "";
    this.busy = false;
    this.panel = el("section", { id: "tune-panel", class: "tune-panel", hidden: true, "aria-label": "Tuning" });
    this.canvas = el("canvas", { class: "tune-chart", role: "img" });
    this.list = el("ul", { class: "tune-list" });
    this.allButton = el("button", {
      type: "button", id: "tune-all", text: "Tune all",
      tip: "Tune every run's learning rate: for each, the lr with the lowest loss after the run's steps from this start (a log grid from 1e-5 to 10, then refined). Then the race starts over, every optimizer at its best.",
    });
  }

  /** Put the "Tune all" button by "Add run" and the panel above the loss chart. */
  attach() {
    const add = document.getElementById("add-run");
    const chart = document.getElementById("loss-chart");
    if (add) add.before(this.allButton);
    if (chart) chart.before(this.panel);
    this.allButton.addEventListener("click", () => this.tune(this.page.store.state.runs.map((/** @type {unknown} */ _, /** @type {number} */ i) => i)));
    const close = el("button", { type: "button", class: "icon", text: "×", "aria-label": "Close the tuning curves", tip: "Hide the tuning curves." });
    close.addEventListener("click", () => {
      this.panel.hidden = true;
    });
    this.panel.append(
      el("header", { class: "tune-head" }, [
        el("h2", { class: "tune-title", text: "Final loss against lr", tip: "Each curve: the loss after the run's steps, from the same start, at each learning rate tried. A cross on the top edge: that lr diverged. The ring: the best lr, now set." }),
        close,
      ]),
      el("div", { class: "tune-chart-wrap" }, [this.canvas]),
      this.list,
    );
    new ResizeObserver(() => this.draw()).observe(this.panel);
    // Another surface, start or budget: the curves were for another race.
    this.page.store.subscribe((/** @type {Set<string>} */ changed) => {
      if (KEY_FIELDS.some((k) => changed.has(k)) || changed.has("runs")) {
        if (this._key() !== this.key) this.tuned.clear();
        this.show();
      }
    });
  }

  /** The state fields a tuning depends on (changing them makes the curves stale). */
  _key() {
    const s = this.page.store.state;
    return JSON.stringify(KEY_FIELDS.map((k) => s[k]));
  }

  /**
   * Tune these runs (indices into state.runs), set their best lrs and start the race over.
   * @param {number[]} indices
   */
  async tune(indices) {
    const state = this.page.store.state;
    if (this.busy || !indices.length) return;
    const runs = indices.map((i) => {
      const spec = runSpec(state.runs[i]);
      delete spec.color; // the search tries its own lrs; the run's comes back as lr_given
      return spec;
    });
    /** @type {Record<string, unknown>} */
    const body = { surface: surfaceSpec(state), steps: state.steps, runs };
    if (state.start) body.start = state.start;
    this._setBusy(true, indices);
    const key = this._key();
    try {
      const answer = await postJSON("/api/tune", body);
      if (this._key() !== key) return; // the view changed meanwhile: this answer is for another race
      if (key !== this.key) this.tuned.clear();
      this.key = key;
      const now = this.page.store.state;
      const next = now.runs.map((/** @type {any} */ r) => ({ ...r }));
      indices.forEach((i, k) => {
        const tuning = /** @type {Tuning} */ (answer.runs[k]);
        const run = next[i];
        if (!run || run.optimizer !== tuning.optimizer) return;
        const name = this.page.optimizers.get(run.optimizer).name;
        this.tuned.set(i, { run: i, name, color: run.color, steps: answer.steps, tuning });
        if (tuning.loss !== null) run.lr = tuning.lr; // all diverged: nothing better to set
      });
      this.page.store.set({ runs: next });
      this.page.restart(); // the race from the start, every tuned run at its best lr
      this.show();
    } catch (err) {
      const e = /** @type {Error} */ (err);
      const text = e instanceof ApiError ? e.message : `Could not tune: ${e.message}`;
      showMessage(`Tuning refused: ${text}`, { kind: "error", key: "tune" });
    } finally {
      this._setBusy(false, indices);
    }
  }

  /** @param {boolean} busy @param {number[]} indices */
  _setBusy(busy, indices) {
    this.busy = busy;
    this.allButton.disabled = busy;
    this.allButton.textContent = busy && indices.length > 1 ? "Tuning…" : "Tune all";
    for (const button of document.querySelectorAll(".run-card .tune-button")) {
      const b = /** @type {HTMLButtonElement} */ (button);
      b.disabled = busy;
      const i = Number(b.closest(".run-card")?.getAttribute("data-run"));
      b.textContent = busy && indices.includes(i) ? "…" : "Tune";
    }
    this.panel.setAttribute("aria-busy", busy ? "true" : "false");
  }

  /** Show the panel with the curves of the runs tuned for this view (and still the same optimizer). */
  show() {
    const runs = this.page.store.state.runs;
    for (const [i, t] of this.tuned) {
      if (!runs[i] || runs[i].optimizer !== t.tuning.optimizer) this.tuned.delete(i);
      else t.color = runs[i].color;
    }
    this.panel.hidden = this.tuned.size === 0;
    this.list.replaceChildren(...[...this.tuned.values()].map((t) => {
      const { tuning } = t;
      const best = tuning.loss === null
        ? "every lr tried diverged"
        : `best lr ${fmt(tuning.lr, 3)} (was ${fmt(tuning.lr_given, 3)}): f = ${fmt(tuning.loss, 4)} after ${t.steps} steps`;
      const edge = tuning.diverged_above === null ? "" : `; diverges from lr ${fmt(tuning.diverged_above, 3)}`;
      return el("li", { dataset: { run: String(t.run) } }, [
        el("span", { class: "tune-swatch", style: `background:${t.color}` }),
        el("b", { text: `${t.run + 1}. ${t.name}` }), `: ${best}${edge}`,
      ]);
    }));
    this.canvas.setAttribute("aria-label", `Final loss against learning rate. ${this.list.textContent}`);
    this.draw();
  }

  /** The curves on a log-lr axis; the loss on a log axis when every loss is positive. */
  draw() {
    const wrap = this.canvas.parentElement;
    if (!wrap || this.panel.hidden) return;
    const width = wrap.clientWidth;
    const height = wrap.clientHeight;
    if (width < 40 || height < 40) return;
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(height * dpr);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    const ctx = this.canvas.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const curves = [...this.tuned.values()];
    const losses = curves.flatMap((t) => t.tuning.curve.loss).filter((v) => v !== null && Number.isFinite(v));
    const lrs = curves.flatMap((t) => t.tuning.curve.lr);
    if (!losses.length || !lrs.length) return;
    const log = losses.every((v) => /** @type {number} */ (v) > 0);
    const ty = (/** @type {number} */ v) => (log ? Math.log10(v) : v);
    let [ylo, yhi] = [Math.min(...losses.map((v) => ty(/** @type {number} */ (v)))), Math.max(...losses.map((v) => ty(/** @type {number} */ (v))))];
    if (yhi - ylo < 1e-9) [ylo, yhi] = [ylo - 1, yhi + 1];
    const [xlo, xhi] = [Math.log10(Math.min(...lrs)), Math.log10(Math.max(...lrs))];
    const m = { l: 52, r: 10, t: 10, b: 28 };
    const X = (/** @type {number} */ lr) => m.l + ((Math.log10(lr) - xlo) / (xhi - xlo || 1)) * (width - m.l - m.r);
    const Y = (/** @type {number} */ v) => m.t + (1 - (ty(v) - ylo) / (yhi - ylo)) * (height - m.t - m.b);
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = "#5b6470";
    ctx.strokeStyle = "#dee2e6";
    ctx.lineWidth = 1;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (let k = Math.ceil(xlo); k <= Math.floor(xhi); k++) {
      const x = X(10 ** k);
      ctx.beginPath();
      ctx.moveTo(x, m.t);
      ctx.lineTo(x, height - m.b);
      ctx.stroke();
      ctx.fillText(k === 0 ? "1" : `1e${k}`, x, height - m.b + 3);
    }
    ctx.fillText("lr", width - m.r - 6, height - 12);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    ctx.fillText(fmt(log ? 10 ** yhi : yhi, 2), m.l - 4, m.t);
    ctx.fillText(fmt(log ? 10 ** ylo : ylo, 2), m.l - 4, height - m.b);
    curves.forEach((t) => {
      const style = runStyle(t.run);
      const { lr, loss } = t.tuning.curve;
      const order = lr.map((_, k) => k).sort((a, b) => lr[a] - lr[b]); // refinement points come last
      ctx.strokeStyle = t.color;
      ctx.lineWidth = 2;
      ctx.setLineDash(style.lineDash);
      ctx.beginPath();
      let drawing = false;
      for (const k of order) {
        const v = loss[k];
        if (v === null || !Number.isFinite(v)) {
          drawing = false;
          continue;
        }
        if (drawing) ctx.lineTo(X(lr[k]), Y(v));
        else ctx.moveTo(X(lr[k]), Y(v));
        drawing = true;
      }
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.lineWidth = 1.5;
      for (const k of order) {
        const x = X(lr[k]);
        if (loss[k] === null) { // diverged: a cross on the top edge
          ctx.beginPath();
          ctx.moveTo(x - 3, m.t - 3);
          ctx.lineTo(x + 3, m.t + 3);
          ctx.moveTo(x + 3, m.t - 3);
          ctx.lineTo(x - 3, m.t + 3);
          ctx.stroke();
        }
      }
      if (t.tuning.loss !== null) {
        ctx.beginPath();
        ctx.arc(X(t.tuning.lr), Y(t.tuning.loss), 5, 0, 2 * Math.PI);
        ctx.lineWidth = 2.5;
        ctx.stroke();
      }
    });
  }
}
