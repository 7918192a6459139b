// @ts-check
// "Inside the step": the selected run's update rule (the API's `equation`, typeset by latex.js)
// with the numbers of the step it just took: the gradient it used, the optimizer's state after
// the step (frame.state: momentum buffer, Adam's m, v, bias corrections...), the step taken.
// So Adam is not a black box: m̂ / (√v̂ + ε) is there, coordinate by coordinate.

import { el } from "../shared/controls.js";
import { fmt, isNum } from "../shared/format.js";
import { renderTex } from "../shared/latex.js";
import { stateKeyInfo } from "./state-keys.js";

/** @typedef {import("./trajectory.js").Trajectory} Trajectory */
/** @typedef {import("./state.js").Run} Run */
/** @typedef {import("../types/api").OptimizerInfo} OptimizerInfo */
/** @typedef {(number | null)[]} Vec2 an (x, y) pair, null where undefined */

export class InsideStep {
  /**
   * @param {{ title: HTMLElement, equation: HTMLElement, numbers: HTMLElement }} elements
   * @param {import("../types/api").DescentRegistries} registries
   */
  constructor({ title, equation, numbers }, registries) {
    this.title = title;
    this.equation = equation;
    this.numbers = numbers;
    this.optimizers = new Map(registries.optimizers.map((o) => [o.id, o]));
    this.stateKeys = registries.stateKeys; // labels and hover texts of the state's keys (the API's)
    /** @type {string | null} the optimizer whose update rule is typeset */
    this.shownOptimizer = null;
  }

  /** @param {import("../shared/state.js").State} state @param {Trajectory[]} trajectories */
  render(state, trajectories) {
    const i = state.sel;
    const run = state.runs[i];
    const t = trajectories[i];
    if (!run || !t) {
      this.title.replaceChildren("Inside the step");
      this.equation.replaceChildren();
      this.numbers.replaceChildren(el("p", { class: "note", text: "Add a run to see its update rule here." }));
      this.shownOptimizer = null;
      return;
    }
    const opt = this.optimizers.get(run.optimizer);
    if (!opt) return; // sanitize keeps only the registry's optimizers
    const head = t.n - 1;
    this.title.replaceChildren(
      "Inside the step ",
      el("span", { class: "sub", text: `· run ${i + 1}, ${opt.name}, step ${Math.max(0, head)}` }),
    );
    this.title.style.borderLeft = `5px solid ${run.color}`;
    this.title.style.paddingLeft = "6px";
    if (this.shownOptimizer !== run.optimizer) {
      this.equation.replaceChildren(renderTex(opt.equation));
      this.equation.dataset.tip = `${opt.name}'s update rule. θ is the point (x, y), g the gradient ∇f there (what the step uses), η the learning rate. ${opt.description}`;
      this.shownOptimizer = run.optimizer;
    }
    this.numbers.replaceChildren(this._table(run, opt, t, head));
  }

  /** @param {Run} run @param {OptimizerInfo} opt @param {Trajectory} t @param {number} head */
  _table(run, opt, t, head) {
    const box = el("div");
    if (head < 1) {
      box.append(el("p", { class: "note", text: "Press Play or Step (→) to take a step." }));
      return box;
    }
    const prev = head - 1;
    /** @param {number | null} x @param {number | null} y @returns {Vec2} */
    const vec = (x, y) => [x, y];
    const g = vec(t.value("gx", prev), t.value("gy", prev));
    const step = vec(sub(t.value("x", head), t.value("x", prev)), sub(t.value("y", head), t.value("y", prev)));
    const lr = t.value("lr", head);
    /** @type {[string, string, Vec2][]} label, hover text, value */
    const rows = [["g", `the gradient at the point before the step, (${fmt(t.value("x", prev), 4)}, ${fmt(t.value("y", prev), 4)}), noise included: what this step used`, g]];
    /** @type {[string, string, number | null][]} */
    const scalars = [];
    const state = t.state || {};
    for (const [key, value] of Object.entries(state)) {
      const info = stateKeyInfo(this.stateKeys, run.optimizer, key);
      if (info && info.draw === "hide") continue; // shown elsewhere or derived from what is shown
      const [label, tip] = info ? [info.label, info.help] : [key, key];
      if (Array.isArray(value) && value.length === 2) rows.push([label, tip, /** @type {Vec2} */ (value)]);
      else if (typeof value === "number" || value === null) scalars.push([label, tip, value]);
    }
    rows.push(["Δθ", `the step taken, θₜ − θₜ₋₁, to (${fmt(t.value("x", head), 4)}, ${fmt(t.value("y", head), 4)})`, step]);
    rows.push(["Δθ / −g", "the effective learning rate of each coordinate: how far it moved per unit of gradient", [ratio(step[0], g[0]), ratio(step[1], g[1])]]);

    const table = el("table");
    table.append(el("thead", {}, [el("tr", {}, [el("th", {}, [el("span", { class: "visually-hidden", text: "Quantity" })]), el("th", { text: "x" }), el("th", { text: "y" })])]));
    const body = el("tbody");
    for (const [label, tip, v] of rows) {
      body.append(el("tr", { tip }, [el("th", { text: label }), el("td", { text: fmt(v[0], 4) }), el("td", { text: fmt(v[1], 4) })]));
    }
    table.append(body);
    box.append(table);

    const info = [`η = ${fmt(lr, 4)}`, ...scalars.map(([label, , v]) => `${label} = ${fmt(v, 3)}`)];
    box.append(el("div", { class: "subst", text: info.join(", ") }));
    const subst = substitution(run, opt, state, g, lr, step);
    if (subst) box.append(el("div", { class: "subst", text: subst }));
    return box;
  }
}

/** @param {number | null} a @param {number | null} b */
const sub = (a, b) => (isNum(a) && isNum(b) ? a - b : null);
/** @param {number | null} d @param {number | null} g */
const ratio = (d, g) => (isNum(d) && isNum(g) && g !== 0 ? -d / g : null);

// Close enough to be the same number (the page recomputes what the server computed).
/** @param {number | null} a @param {number | null} b */
const near = (a, b) => isNum(a) && isNum(b) && Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b), 1e-300) + 1e-300;

/**
 * The update rule with this step's numbers in it. Only shown when it reproduces the step the
 * server took (so weight decay, Nesterov's look-ahead and the like never show a wrong sum).
 * @param {Run} run @param {OptimizerInfo} opt @param {Record<string, unknown>} state the
 *   optimizer's, after the step @param {Vec2} g @param {number | null} lr @param {Vec2} step
 * @returns {string | null}
 */
function substitution(run, opt, state, g, lr, step) {
  const f = (/** @type {unknown} */ v) => fmt(v, 3);
  const pair = (/** @type {unknown} */ a, /** @type {unknown} */ b) => `(${f(a)}, ${f(b)})`;
  if (lr === null || !isNum(lr)) return null;
  const eta = lr;
  /** @type {[Vec2, string][]} the step each rule predicts, and the rule with its numbers */
  const candidates = [];
  const { m_hat: mHat, v_hat: vHat, momentum_buffer: buffer } = state;
  if (Array.isArray(mHat) && Array.isArray(vHat)) {
    const epsSpec = opt.hyperparameters.eps;
    const eps = Number(run.hp && run.hp.eps !== undefined ? run.hp.eps : epsSpec ? epsSpec.default : 0);
    const d = mHat.map((m, k) => (isNum(m) && isNum(vHat[k]) ? (-eta * m) / (Math.sqrt(vHat[k]) + eps) : null));
    candidates.push([d, `Δθ = −η m̂ / (√v̂ + ε) = −${f(lr)} × ${pair(mHat[0], mHat[1])} / ${pair(Math.sqrt(vHat[0]), Math.sqrt(vHat[1]))}`]);
  }
  if (Array.isArray(buffer)) {
    const d = buffer.map((b) => (isNum(b) ? -eta * b : null));
    candidates.push([d, `Δθ = −η b = −${f(lr)} × ${pair(buffer[0], buffer[1])} = ${pair(d[0], d[1])}`]);
  }
  const d = g.map((v) => (v !== null && isNum(v) ? -eta * v : null));
  candidates.push([d, `Δθ = −η g = −${f(lr)} × ${pair(g[0], g[1])} = ${pair(d[0], d[1])}`]);
  for (const [value, text] of candidates) if (near(value[0], step[0]) && near(value[1], step[1])) return text;
  return null;
}
