// @ts-check
// The run cards of the descent view: optimizer, learning rate (log slider and number box), the
// live lr x lambda_max readout with "set lr to the edge", a divergence badge, and the details
// (hyperparameters from the API spec, schedule, gradient noise, seed). Cards report changes
// through callbacks; the page turns them into state changes. Rendering reads state + live data.

import { el, logSlider, registrySelect, setValue } from "../shared/controls.js";
import { hyperparameterField } from "../shared/hp-field.js";
import { optimizerSelect } from "../shared/optimizer-picker.js";
import { fmt } from "../shared/format.js";
import { setTip } from "../shared/tooltips.js";
import { runSwatch } from "../shared/run-style.js";

const NO_COLOR = "#888888"; // a run before the state gave it its colour
const LR_MIN = 1e-5;
const LR_MAX = 10;

const EDGE_TIP =
  "λmax is the largest curvature (Hessian eigenvalue) where the path's head is. Plain gradient " +
  "descent is stable only while lr × λmax < 2: above 2 every step overshoots the valley floor " +
  "by more than it started from, and the path zig-zags outwards.";

/** @typedef {import("./trajectory.js").Trajectory} Trajectory */
/** @typedef {import("./state.js").Run} Run */
/** @typedef {import("../shared/state.js").State} State */
/** @typedef {import("../types/api").OptimizerInfo} OptimizerInfo */
/** @typedef {import("../types/api").OptimizerParameter} OptimizerParameter */
/**
 * A change to run i, as handlers.js updateRun takes it (a null schedule: constant lr).
 * @typedef {Partial<Omit<Run, "schedule">> & { schedule?: Run["schedule"] | null }} RunPatch
 */
/** @typedef {(patch: RunPatch) => void} Change */
/** @typedef {ReturnType<RunsPanel["_build"]>} Card a run's card: its root and the parts that are refreshed */

export class RunsPanel {
  /**
   * @param {HTMLElement} container
   * @param {object} options
   * @param {import("../types/api").DescentRegistries} options.registries
   * @param {(i: number, patch: RunPatch) => void} options.onChange a card's control changed run i
   * @param {(i: number) => void} options.onRemove
   * @param {(i: number, options?: { rerender?: boolean }) => void} options.onSelect
   * @param {(i: number) => void} options.onEdge "2/λ" pressed
   * @param {(i: number) => void} [options.onTune] "Tune" pressed
   */
  constructor(container, { registries, onChange, onRemove, onSelect, onEdge, onTune }) {
    this.container = container;
    this.optimizers = new Map(registries.optimizers.map((o) => [o.id, o]));
    this.registries = registries;
    this.on = { onChange, onRemove, onSelect, onEdge, onTune };
    /** @type {Card[]} */
    this.cards = [];
    /** @type {Set<number>} the runs whose details are open */
    this.expanded = new Set();
    /** @type {State | null} the state last rendered */
    this.latest = null;
  }

  /**
   * Rebuild the cards whose structure changed; refresh every value.
   * @param {State} state @param {Trajectory[]} trajectories
   */
  render(state, trajectories) {
    /** @type {Run[]} */
    const runs = state.runs;
    while (this.cards.length > runs.length) this.cards.pop()?.root.remove();
    runs.forEach((run, i) => {
      const signature = `${run.optimizer}|${(run.schedule && run.schedule.kind) || "constant"}|${this.expanded.has(i)}`;
      let card = this.cards[i];
      if (!card || card.signature !== signature) {
        const fresh = this._build(i, run, signature);
        if (card) card.root.replaceWith(fresh.root);
        else this.container.append(fresh.root);
        this.cards[i] = fresh;
        card = fresh;
      }
      this._refresh(card, run, i, state);
    });
    this.updateLive(state, trajectories);
  }

  /**
   * The live parts only (cheap; called a few times a second while running).
   * @param {State} state @param {Trajectory[]} trajectories
   */
  updateLive(state, trajectories) {
    state.runs.forEach((/** @type {Run} */ run, /** @type {number} */ i) => {
      const card = this.cards[i];
      const t = trajectories[i];
      if (!card || !t) return;
      const p = card.parts;
      const inEffect = t.lrInEffect;
      p.lrEffect.textContent = inEffect === null ? "—" : fmt(inEffect, 3);
      const lr = t.lrNext ?? run.lr ?? null;
      const product = t.lambdaMax === null || lr === null ? null : lr * t.lambdaMax;
      p.edgeValue.textContent = product === null ? "—" : fmt(product, 3);
      const over = product !== null && product > 2;
      // The lr < 2/λmax rule is plain gradient descent's: an optimizer with no state of its own
      // (only the step counter) is plain GD; for the others (momentum, Adam...) it is a hint.
      // Before the first step no optimizer has state yet, so nobody is flagged (Adam at step 0
      // is not plain gradient descent).
      const known = t.n > 1 && Boolean(t.state);
      const plain = known && Object.keys(t.state || {}).every((k) => k === "step");
      p.edgeValue.classList.toggle("over", over && plain);
      p.overFlag.hidden = !over || !known;
      p.overFlag.classList.toggle("hint", !plain);
      p.overFlag.textContent = plain ? "overshoot" : "> 2";
      setTip(p.overFlag, plain
        ? "lr × λmax > 2: overshoot territory. Each step jumps past the valley floor by more than it started from, so plain gradient descent zig-zags outwards."
        : "lr × λmax > 2 would make plain gradient descent overshoot; this optimizer rescales or accumulates its steps, so the rule does not apply to it directly.");
      const edge = t.lambda0 !== null && t.lambda0 > 0 ? 2 / t.lambda0 : null;
      p.edgeButton.disabled = edge === null;
      setTip(p.edgeButton, edge === null
        ? "Set lr to 2/λmax at the start point: available once the run has started (and where the surface curves upwards)."
        : `Set lr to 2/λmax at the start point = ${fmt(edge, 4)}: the largest stable step there for plain gradient descent. Then nudge it just under or over (↑/↓ keys: ×1.25).`);
      const badge = p.badge;
      if (t.status === "diverged") {
        badge.hidden = false;
        badge.className = "badge diverged";
        // the reason comes with the `diverged` message, a moment after the frame that says so
        badge.textContent = `Diverged at step ${t.divergedAt ?? t.n - 1}${t.reason ? `: ${t.reason}` : ""}`;
      } else if (t.status === "done") {
        badge.hidden = false;
        badge.className = "badge done secondary-control";
        badge.textContent = `Finished ${t.n - 1} steps, f = ${fmt(t.value("loss", t.n - 1), 4)}`;
      } else {
        badge.hidden = true;
      }
    });
  }

  /**
   * @param {number} i @param {Run} run @param {string} signature what the card's structure
   *   depends on: rebuilt when it changes
   */
  _build(i, run, signature) {
    const opt = this.optimizer(run.optimizer);
    /** @type {Change} */
    const change = (patch) => this.on.onChange(i, patch);
    const color = el("input", { type: "color", class: "secondary-control", tip: "This run's colour.", "aria-label": `Run ${i + 1} colour` });
    color.addEventListener("input", () => change({ color: color.value }));
    const optimizer = optimizerSelect(this.registries.optimizers, "surface", run.optimizer, {
      label: `Run ${i + 1} optimizer`,
      onChange: (id) => change({ optimizer: id, hp: {}, lr: this.optimizer(id).hyperparameters.lr.default }),
    });
    optimizer.classList.add("optimizer");
    optimizer.dataset.tip = `${opt.name}: ${opt.description}`;
    const details = el("button", {
      type: "button", class: "icon secondary-control", text: this.expanded.has(i) ? "▴" : "⚙",
      tip: "Hyperparameters, learning-rate schedule, gradient noise and seed of this run.",
      "aria-label": `Run ${i + 1} settings`, "aria-expanded": this.expanded.has(i) ? "true" : "false",
    });
    details.addEventListener("click", (e) => {
      e.stopPropagation();
      if (this.expanded.has(i)) this.expanded.delete(i);
      else this.expanded.add(i);
      this.on.onSelect(i, { rerender: true });
    });
    const remove = el("button", { type: "button", class: "icon secondary-control", text: "×", tip: "Remove this run.", "aria-label": `Remove run ${i + 1}` });
    remove.addEventListener("click", (e) => {
      e.stopPropagation();
      this.on.onRemove(i);
    });

    const lrSpec = opt.hyperparameters.lr;
    const lrTip = `${lrSpec.help} Each step moves the point by lr × (the optimizer's direction). Drag while it runs: the change applies from the next step.`;
    const lr = logSlider({
      min: Math.max(LR_MIN, lrSpec.min), max: Math.min(LR_MAX, lrSpec.max), boxMin: lrSpec.min, boxMax: lrSpec.max,
      value: run.lr ?? lrSpec.default, tip: lrTip, label: `Run ${i + 1} learning rate`, name: "lr", onInput: (v) => change({ lr: v }),
    });
    lr.range.classList.add("lr-range");
    lr.box.classList.add("lr-box");
    // Ids by run: a class follows the teacher's lr by them (static/js/class/follow.js).
    lr.range.id = `lr-range-${i}`;
    lr.box.id = `lr-${i}`;

    const lrEffect = el("b", { class: "lr-effect" }, ["—"]);
    const edgeValue = el("b", { class: "edge-value" }, ["—"]);
    const overFlag = el("span", { class: "over-flag", hidden: true, text: "overshoot" });
    const edgeButton = el("button", { type: "button", class: "edge-button", text: "2/λ", "aria-label": `2/λ: set run ${i + 1}'s lr to the edge of stability, 2/λmax` });
    edgeButton.addEventListener("click", (e) => {
      e.stopPropagation();
      this.on.onEdge(i);
    });
    const tune = el("button", {
      type: "button", class: "tune-button", text: "Tune", "aria-label": `Tune run ${i + 1}'s lr`,
      tip: "Tune lr: the learning rate with the lowest loss after this run's steps from this start (tried from 1e-5 to 10). Sets it, starts the race over and shows the curve of final loss against lr.",
    });
    tune.addEventListener("click", (e) => {
      e.stopPropagation();
      if (this.on.onTune) this.on.onTune(i);
    });
    const badge = el("div", { class: "badge", hidden: true, role: "status" });

    const detailsBox = el("div", { class: "details", hidden: !this.expanded.has(i) });
    /** @type {Map<string, (value: number | string | null | undefined) => void>} a hyperparameter's field's set(value) */
    const fields = new Map();
    if (this.expanded.has(i)) this._buildDetails(detailsBox, i, run, opt, change, fields);

    const root = el("div", { class: "run-card", dataset: { run: String(i) } }, [
      el("div", { class: "run-row" }, [runSwatch(i, run.color || NO_COLOR), color, optimizer, details, remove]),
      el("div", { class: "run-row lr-row" }, [el("span", { class: "lr-label", text: "lr", tip: lrTip }), lr.range, lr.box, edgeButton, tune]),
      el("div", { class: "run-row readout" }, [
        el("span", { tip: "The learning rate the last step used (schedules and live changes included)." }, ["in effect ", lrEffect]),
        el("span", { tip: EDGE_TIP }, ["lr·λmax ", edgeValue]),
        overFlag,
      ]),
      badge,
      detailsBox,
    ]);
    root.addEventListener("click", () => this.on.onSelect(i));
    return { signature, root, parts: { color, optimizer, lr, lrEffect, edgeValue, overFlag, edgeButton, badge, details: detailsBox, fields } };
  }

  /** @param {string} id an optimizer the state names (sanitize keeps only the registry's) */
  optimizer(id) {
    const opt = this.optimizers.get(id);
    if (!opt) throw new Error(`no optimizer "${id}" in the registry`);
    return opt;
  }

  /**
   * @param {HTMLElement} box @param {number} i @param {Run} run @param {OptimizerInfo} opt
   * @param {Change} change @param {Map<string, (value: number | string | null | undefined) => void>} fields
   */
  _buildDetails(box, i, run, opt, change, fields) {
    box.append(el("div", { class: "section", text: `${opt.name} hyperparameters` }));
    for (const [name, spec] of Object.entries(opt.hyperparameters)) {
      if (name === "lr") continue;
      // null is the default of every nullable hyperparameter: the key leaves the run (and the link)
      const field = hyperparameterField(name, spec, run.hp ? run.hp[name] : undefined, (v) => {
        const hp = { ...(run.hp || {}), ...this._hpOf(i) };
        if (v === null) delete hp[name];
        else hp[name] = v;
        change({ hp });
      });
      field.control.id = `run-${i}-${name}`; // stable, for links to a field and for tests
      field.control.dataset.name = name;
      field.label.htmlFor = field.control.id;
      fields.set(name, field.set);
      box.append(field.label, field.control, field.message);
    }
    box.append(el("div", { class: "section", text: "Learning-rate schedule" }));
    const kind = (run.schedule && run.schedule.kind) || "constant";
    const schedules = this.registries.schedules;
    const sched = registrySelect(schedules, kind, {
      label: "Schedule",
      onChange: (id) => change({ schedule: id === "constant" ? null : { kind: id } }),
    });
    const current = schedules.find((s) => s.id === kind);
    sched.dataset.tip = current ? `${current.name}: ${current.description}` : "";
    box.append(el("label", { class: "field-label", text: "schedule", tip: "How the learning rate changes with the step number." }), sched);
    if (current) {
      for (const [name, spec] of Object.entries(current.parameters)) {
        const value = run.schedule && run.schedule[name] !== undefined ? run.schedule[name] : spec.default;
        const field = hyperparameterField(name, spec, value, (v) => {
          if (v !== null) change({ schedule: { ...(this._scheduleOf(i) || { kind }), [name]: v } });
        });
        box.append(field.label, field.control, field.message);
      }
    }
    box.append(el("div", { class: "section", text: "Gradient noise" }));
    /** @type {OptimizerParameter} */
    const noiseSpec = { default: 0, min: 0, max: 1000, help: "Standard deviation of Gaussian noise added to each gradient component, like the noise of a mini-batch gradient.", kind: "float", label: "noise std", log: false };
    const noise = hyperparameterField("noise std", noiseSpec, run.noise || 0, (v) => change({ noise: Number(v) }));
    /** @type {OptimizerParameter} */
    const seedSpec = { default: 0, min: 0, max: 2 ** 32 - 1, help: "Seed of the noise: the same seed gives the same noisy run.", kind: "int", label: "seed", log: false };
    const seed = hyperparameterField("seed", seedSpec, run.seed || 0, (v) => change({ seed: Number(v) }));
    for (const f of [noise, seed]) box.append(f.label, f.control, f.message);
  }

  // The latest run settings (a details input may fire after other changes re-rendered the card).
  /** @param {number} i @returns {Record<string, number | string>} */
  _hpOf(i) {
    return (this.latest && this.latest.runs[i] && this.latest.runs[i].hp) || {};
  }

  /** @param {number} i @returns {Run["schedule"] | null} */
  _scheduleOf(i) {
    return this.latest && this.latest.runs[i] ? this.latest.runs[i].schedule : null;
  }

  /** @param {Card} card @param {Run} run @param {number} i @param {State} state */
  _refresh(card, run, i, state) {
    this.latest = state;
    const p = card.parts;
    card.root.style.setProperty("--run-color", run.color || NO_COLOR);
    card.root.classList.toggle("selected", i === state.sel);
    setValue(p.color, run.color);
    if (p.optimizer.value !== run.optimizer) p.optimizer.value = run.optimizer;
    if (run.lr !== undefined) p.lr.set(run.lr);
    for (const [name, set] of p.fields) set(run.hp ? run.hp[name] : undefined);
  }
}
