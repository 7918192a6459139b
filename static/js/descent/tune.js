// @ts-check
// Fair races (issue #16): "Tune lr" on a run card and "Tune all" in the runs panel ask
// POST /api/tune for the lr with the lowest loss after the run's step budget from the same start
// (app/core/tuning.py), set it, start the race over, and show the curve of final loss against lr:
// too small crawls, too large diverges, the best sits just below the edge.
// A part of DescentPage (descent/page.js): `this.page` is the controller.

import { ApiError, postJSON } from "../shared/api.js";
import { el } from "../shared/controls.js";
import { showMessage } from "../shared/messages.js";
import { TunePanel } from "../shared/tune-panel.js";
import { runSpec, surfaceSpec } from "./state.js";

/** @typedef {import("../shared/tune-panel.js").Tuning} Tuning */
/** @typedef {import("../shared/tune-panel.js").Tuned} Tuned */

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
    this.panel = new TunePanel("from the same start");
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
    if (chart) chart.before(this.panel.element);
    this.allButton.addEventListener("click", () => this.tune(this.page.store.state.runs.map((/** @type {unknown} */ _, /** @type {number} */ i) => i)));
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
        const name = this.page.optimizer(run.optimizer).name;
        this.tuned.set(i, { run: i, name, color: run.color, steps: answer.steps, tuning });
        if (tuning.loss !== null) run.lr = tuning.lr; // all diverged: nothing better to set
      });
      this.page.store.set({ runs: next });
      this.page.restart(); // the race from the start, every tuned run at its best lr
      this.show(true);
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
    this.panel.element.setAttribute("aria-busy", busy ? "true" : "false");
  }

  /**
   * Show the panel with the curves of the runs tuned for this view (and still the same optimizer).
   * @param {boolean} [fresh] after a new tuning
   */
  show(fresh = false) {
    const runs = this.page.store.state.runs;
    for (const [i, t] of this.tuned) {
      if (!runs[i] || runs[i].optimizer !== t.tuning.optimizer) this.tuned.delete(i);
      else t.color = runs[i].color;
    }
    this.panel.render([...this.tuned.values()], fresh);
  }
}
