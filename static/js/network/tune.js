// @ts-check
// "Tune all" on the network page (issue #16): POST /api/tune with this race's data, network,
// initial weights, steps and runs finds each run's lr with the lowest training loss after the
// steps; the lrs are set, training starts over from the same weights, and the curves of final
// loss against lr show under the runs (shared/tune-panel.js). A few seconds for the default
// network; the server refuses a race past its budget, and the message says why.

import { ApiError, postJSON } from "../shared/api.js";
import { el } from "../shared/controls.js";
import { showMessage } from "../shared/messages.js";
import { TunePanel } from "../shared/tune-panel.js";
import { RESTART_KEYS, tuneBody } from "./state.js";

/** @typedef {import("../shared/tune-panel.js").Tuned} Tuned */

export class NetworkTuner {
  /**
   * @param {{ store: import("../shared/state.js").Store, names: Map<string, string>, restart: () => unknown }} page
   *   the network page's store, optimizer names, and how it starts its runs over
   */
  constructor(page) {
    this.page = page;
    /** @type {Tuned[]} */
    this.tuned = [];
    this.key = "";
    this.busy = false;
    this.panel = new TunePanel("from the same initial weights");
    this.button = el("button", {
      type: "button", id: "tune-all", text: "Tune all",
      tip: "Tune every run's learning rate: for each, the lr with the lowest training loss after the run's steps from the same initial weights (a log grid from 1e-5 to 10, then refined: a few seconds). Then training starts over, every optimizer at its best.",
    });
  }

  /** The button by "Add run", the curves under the runs. */
  attach() {
    const add = document.getElementById("add-run");
    const runs = document.getElementById("runs");
    if (add) add.before(this.button);
    if (runs) runs.after(this.panel.element);
    this.button.addEventListener("click", () => this.tune());
    this.page.store.subscribe((/** @type {Set<string>} */ changed) => {
      if (RESTART_KEYS.some((k) => changed.has(k)) || changed.has("runs")) this.show();
    });
  }

  /** What a tuning depends on: the race (the lrs aside). */
  _key() {
    const s = this.page.store.state;
    return JSON.stringify([...RESTART_KEYS.map((k) => s[k]), s.runs.map((/** @type {any} */ r) => [r.optimizer, r.batch || 0])]);
  }

  async tune() {
    if (this.busy) return;
    const state = this.page.store.state;
    const key = this._key();
    this.busy = true;
    this.button.disabled = true;
    this.button.textContent = "Tuning…";
    this.panel.element.setAttribute("aria-busy", "true");
    try {
      const answer = await postJSON("/api/tune", tuneBody(state));
      if (this._key() !== key) return; // another race meanwhile
      const runs = this.page.store.state.runs.map((/** @type {any} */ r, /** @type {number} */ i) => {
        const tuning = answer.runs[i];
        return tuning && tuning.loss !== null ? { ...r, lr: tuning.lr } : r;
      });
      this.key = key;
      this.tuned = runs.map((/** @type {any} */ r, /** @type {number} */ i) => ({
        run: i, name: this.page.names.get(r.optimizer) || r.optimizer, color: "", steps: answer.steps, tuning: answer.runs[i],
      }));
      this.page.store.set({ runs });
      this.page.restart(); // from the same initial weights, every run at its best lr
      this.show(true);
    } catch (err) {
      const e = /** @type {Error} */ (err);
      showMessage(`${e instanceof ApiError ? "Tuning refused" : "Could not tune"}: ${e.message}`, { kind: "error", key: "tune" });
    } finally {
      this.busy = false;
      this.button.disabled = false;
      this.button.textContent = "Tune all";
      this.panel.element.setAttribute("aria-busy", "false");
    }
  }

  /** @param {boolean} [fresh] */
  show(fresh = false) {
    if (this._key() !== this.key) this.tuned = [];
    // each run's colour as its card shows it
    for (const t of this.tuned) {
      const card = document.querySelector(`#runs .run-card[data-run="${t.run}"]`);
      t.color = card instanceof HTMLElement ? card.style.getPropertyValue("--run-color") || "#888" : "#888";
    }
    this.panel.render(this.tuned, fresh);
  }
}
