// @ts-check
// The run cards of the network view: optimizer, learning rate (log slider and number box, as on
// the descent view), mini-batch size, and live readouts (the lr in effect, loss, accuracy, a
// diverged badge). Cards report changes through callbacks; the page turns them into state.

import { el, logSlider, setValue } from "../shared/controls.js";
import { optimizerSelect } from "../shared/optimizer-picker.js";
import { fieldNote, refusal } from "../shared/field-note.js";
import { fmt } from "../shared/format.js";
import { RUN_COLORS } from "./state.js";
import { setTip } from "../shared/tooltips.js";
import { runSwatch } from "../shared/run-style.js";

/** @typedef {import("../types/api").OptimizerInfo} OptimizerInfo */
/** @typedef {import("./state.js").NetRunSpec} NetRunSpec */
/** @typedef {import("./run.js").NetRun} NetRun */
/** @typedef {NetRunSpec & { lr: number }} CardRun a run of the normalised state (network/state.js): its lr is set */
/** @typedef {{ runs: CardRun[], sel: number }} RunsState the parts of the page's normalised state the cards show */
/** @typedef {{ optimizer?: string, lr?: number, batch?: number | null }} RunPatch batch null: full batch */
/** @typedef {ReturnType<NetworkRunsPanel["_build"]>} Card a run's card: its root and the parts that are refreshed */

const LR_MIN = 1e-4;

export class NetworkRunsPanel {
  /**
   * @param {HTMLElement} container
   * @param {{ optimizers: OptimizerInfo[], maxBatch: number, onChange: (i: number, patch: RunPatch) => void,
   *   onRemove: (i: number) => void, onSelect: (i: number) => void }} options
   */
  constructor(container, { optimizers, maxBatch, onChange, onRemove, onSelect }) {
    this.container = container;
    this.optimizers = optimizers;
    this.specs = new Map(optimizers.map((o) => [o.id, o]));
    this.maxBatch = maxBatch;
    this.on = { onChange, onRemove, onSelect };
    /** @type {Card[]} */
    this.cards = [];
    /** @type {RunsState | null} */
    this.latest = null;
  }

  /** Rebuild the cards whose optimizer changed; refresh every value.
   * @param {RunsState} state @param {NetRun[]} runs */
  render(state, runs) {
    this.latest = state; // what a refused batch size goes back to
    while (this.cards.length > state.runs.length) /** @type {Card} */ (this.cards.pop()).root.remove();
    state.runs.forEach((run, i) => {
      let card = this.cards[i];
      if (!card || card.optimizer !== run.optimizer) {
        const fresh = this._build(i, run);
        if (card) card.root.replaceWith(fresh.root);
        else this.container.append(fresh.root);
        this.cards[i] = fresh;
        card = fresh;
      }
      card.root.classList.toggle("selected", i === state.sel);
      card.root.setAttribute("aria-current", i === state.sel ? "true" : "false");
      card.lr.set(run.lr);
      setValue(card.batch, run.batch ? String(run.batch) : "");
      card.remove.disabled = state.runs.length < 2;
    });
    this.updateLive(state, runs);
  }

  /** The live parts only (cheap; a few times a second while training).
   * @param {RunsState} state @param {NetRun[]} runs */
  updateLive(state, runs) {
    state.runs.forEach((run, i) => {
      const card = this.cards[i];
      const r = runs[i];
      if (!card) return;
      const inEffect = r ? r.lrInEffect : null;
      card.lrEffect.textContent = inEffect === null ? "—" : fmt(inEffect, 3);
      card.loss.textContent = r ? fmt(r.last("loss"), 3) : "—";
      const acc = r ? r.last("acc") : null;
      card.acc.textContent = acc === null ? "—" : `${Math.round(acc * 100)}%`;
      card.accWrap.hidden = r ? r.n > 0 && acc === null : false;
      const badge = card.badge;
      if (r && r.status === "diverged") {
        badge.hidden = false;
        badge.className = "badge diverged";
        badge.textContent = `Diverged at step ${r.divergedAt ?? r.n - 1}: ${r.reason || "the values blew up"}`;
      } else {
        badge.hidden = true;
      }
    });
  }

  /** @param {number} i @param {CardRun} run */
  _build(i, run) {
    const color = RUN_COLORS[i % RUN_COLORS.length];
    const opt = /** @type {OptimizerInfo} */ (this.specs.get(run.optimizer)); // the normalised state names registered ones only
    const change = (/** @type {RunPatch} */ patch) => this.on.onChange(i, patch);
    const optimizer = optimizerSelect(this.optimizers, "network", run.optimizer, {
      label: `Run ${i + 1} optimizer`,
      onChange: (id) => change({ optimizer: id, lr: /** @type {OptimizerInfo} */ (this.specs.get(id)).hyperparameters.lr.default }),
    });
    optimizer.classList.add("optimizer");
    optimizer.dataset.tip = `${opt.name}: ${opt.description} Changing it starts training again from the same initial weights.`;
    const batch = el("input", {
      type: "number", class: "batch", min: 1, max: this.maxBatch, step: 1, placeholder: "all",
      "aria-label": `Run ${i + 1} batch size`,
      tip: "Mini-batch size: how many points each step's gradient is averaged over. Empty: all of them (full batch, smooth). Small batches make the steps noisy, like real training.",
    });
    batch.addEventListener("change", () => {
      const v = Number(batch.value);
      const ok = batch.value === "" || (Number.isInteger(v) && v >= 1 && v <= this.maxBatch);
      if (!ok) {
        const inUse = this.latest && this.latest.runs[i] ? this.latest.runs[i].batch : null;
        fieldNote(batch, `${refusal("batch size", batch.value, { min: 1, max: this.maxBatch, int: true }, inUse || "all points (full batch)")} Empty: all points.`);
        batch.value = inUse ? String(inUse) : "";
        return;
      }
      fieldNote(batch, null);
      change({ batch: batch.value === "" ? null : v });
    });
    const remove = el("button", { type: "button", class: "icon", text: "×", tip: "Remove this run.", "aria-label": `Remove run ${i + 1}` });
    remove.addEventListener("click", (e) => {
      e.stopPropagation();
      this.on.onRemove(i);
    });
    const spec = opt.hyperparameters.lr;
    const lrTip = `${spec.help} Drag it while the network trains: the change applies from the next step (↑/↓ keys: ×1.25).`;
    const lr = logSlider({
      min: Math.max(LR_MIN, spec.min), max: spec.max, boxMin: spec.min, boxMax: spec.max,
      value: run.lr, tip: lrTip, label: `Run ${i + 1} learning rate`, name: "lr", onInput: (v) => change({ lr: v }),
    });
    lr.range.classList.add("lr-range");
    lr.box.classList.add("lr-box");
    // Ids by run: a class follows the teacher's lr by them (static/js/class/follow.js).
    lr.range.id = `lr-range-${i}`;
    lr.box.id = `lr-${i}`;
    const lrEffect = el("b", { class: "lr-effect", text: "—" });
    const loss = el("b", { class: "run-loss", text: "—" });
    const acc = el("b", { class: "run-acc", text: "—" });
    const accWrap = el("span", { tip: "Accuracy: the share of the training points the network classifies right." }, ["acc ", acc]);
    const badge = el("div", { class: "badge", hidden: true, role: "status" });
    const root = el("div", { class: "run-card", dataset: { run: String(i) } }, [
      el("div", { class: "run-row" }, [
        el("span", { class: "run-index", text: `${i + 1}`, tip: "This run's colour, line and marker on every plot." }),
        runSwatch(i, color),
        optimizer,
        el("label", { class: "batch-label secondary", tip: batch.dataset.tip }, ["batch ", batch]),
        remove,
      ]),
      el("div", { class: "run-row lr-row" }, [el("span", { class: "lr-label", text: "lr", tip: lrTip }), lr.range, lr.box]),
      el("div", { class: "run-row readout" }, [
        el("span", { tip: "The learning rate the last step used: it follows your slider from the next step." }, ["in effect ", lrEffect]),
        el("span", { tip: "The loss on all the training points, now." }, ["loss ", loss]),
        accWrap,
      ]),
      badge,
    ]);
    root.style.setProperty("--run-color", color);
    root.addEventListener("click", () => this.on.onSelect(i));
    setTip(root, `Run ${i + 1}: click to select it (its weights, gradients and landscape point are shown).`);
    return { optimizer: run.optimizer, root, lr, batch, remove, lrEffect, loss, acc, accWrap, badge };
  }
}
