// @ts-check
// Penalties and dropout on the backprop page (docs/protocol.md, "Train and test, noise and
// regularisation"): L1, L2 and a dropout probability with its mask's seed, in the link, sent with
// POST /api/mlp/backprop; and what the trace then carries, shown at the step it belongs to: the
// mask m of each hidden layer (forward, and again where dL/dz is formed: it is part of the step),
// the penalty term in the loss, and the penalty's part of each dW. Ranges and hover texts come
// from GET /api/mlp/options' `generalization`.

import { el } from "../shared/controls.js";
import { fmt } from "../shared/format.js";
import { matrix } from "./matrix.js";

/** @typedef {import("../types/api").MlpOptions} MlpOptions */
/** @typedef {import("../shared/state.js").State} State */
/** @typedef {{ kind: string, layer: number | null }} Step one step of steps.js */

/** The settings this page takes, as the API names them. */
const REG_KEYS = ["l1", "l2", "dropout"];

/**
 * The request's fields for these settings: only those in use (a plain trace stays plain).
 * @param {State} state
 * @returns {Record<string, number>}
 */
export function regBody(state) {
  /** @type {Record<string, number>} */
  const out = {};
  for (const k of REG_KEYS) if (state[k] > 0) out[k] = state[k];
  if (out.dropout) out.dropout_seed = state.dseed || 0;
  return out;
}

/** The number boxes of L1, L2, dropout and the mask's seed, built from `generalization`. */
export class RegControls {
  /**
   * @param {HTMLElement} container
   * @param {MlpOptions} options
   * @param {(patch: Record<string, number>) => void} change asks for the trace of the state with patch
   */
  constructor(container, options, change) {
    /** @type {Map<string, HTMLInputElement>} */
    this.inputs = new Map();
    const specs = options.generalization || {};
    for (const key of REG_KEYS) {
      const spec = specs[key];
      if (!spec) continue;
      this.inputs.set(key, this._box(container, key, spec.label, `${spec.label}: ${spec.help} (${spec.min} to ${spec.max}; off: ${spec.default})`, spec.min, spec.max, "any", change));
    }
    this.seed = this._box(container, "dseed", "mask seed", "Seed of the dropout mask: the same seed draws the same units off, so a link shows the same step.", 0, 2 ** 31 - 1, "1", change);
  }

  /**
   * @param {HTMLElement} container @param {string} key @param {string} label @param {string} tip
   * @param {number} min @param {number} max @param {string} step
   * @param {(patch: Record<string, number>) => void} change
   */
  _box(container, key, label, tip, min, max, step, change) {
    const input = /** @type {HTMLInputElement} */ (el("input", { type: "number", min, max, step, id: `reg-${key}`, "aria-label": label }));
    input.addEventListener("change", () => {
      const v = Number(input.value || 0);
      const ok = Number.isFinite(v) && v >= min && v <= max;
      input.classList.toggle("invalid", !ok);
      if (ok) change({ [key]: v });
    });
    container.append(el("label", { class: "field reg-field", tip, dataset: { key } }, [el("span", { class: "field-label", text: label }), input]));
    return input;
  }

  /** @param {State} state */
  render(state) {
    for (const [key, input] of this.inputs) if (document.activeElement !== input) input.value = String(state[key] || 0);
    if (document.activeElement !== this.seed) this.seed.value = String(state.dseed || 0);
    const seedField = /** @type {HTMLElement} */ (this.seed.parentElement);
    seedField.hidden = !(state.dropout > 0);
  }
}

/**
 * The lines a step gains from the penalties and dropout (none without them).
 * @param {Record<string, any>} trace POST /api/mlp/backprop's answer
 * @param {Step} step
 * @returns {HTMLElement[]}
 */
export function regLines(trace, step) {
  /** @type {HTMLElement[]} */
  const out = [];
  const line = (/** @type {string} */ name, /** @type {(HTMLElement | string)[]} */ children) => el("div", { class: "reg-line", dataset: { reg: name } }, children);
  if ((step.kind === "forward" || step.kind === "act") && step.layer !== null) {
    const f = trace.forward[step.layer - 1];
    if (f && Array.isArray(f.mask)) {
      const off = f.mask.filter((/** @type {number} */ m) => m === 0).length;
      const words = step.kind === "forward"
        ? `Dropout: ${off} of ${f.mask.length} units of layer ${step.layer} are off this step (mask 0); the kept ones are scaled by 1/(1−p) = ${fmt(Math.max(...f.mask), 3)}. ${f.formula.a}`
        : `The same mask stops the gradient: dL/dz${step.layer} = dL/da${step.layer} · m${step.layer} · f′(z${step.layer}), so the slope shown here includes m${step.layer}.`;
      out.push(line(`mask${step.layer}`, [
        el("span", { class: "reg-words", text: words }),
        matrix(f.mask, { name: `mask${step.layer}`, label: el("span", { text: `m${step.layer}` }), row: true, dir: step.kind === "forward" ? "fwd" : "bwd", cellClass: (/** @type {number} */ _i, /** @type {number | null} */ _j, /** @type {number | null} */ v) => (v === 0 ? "blocked" : null) }),
      ]));
    }
  }
  if (step.kind === "loss" && trace.penalty > 0) {
    out.push(line("penalty", [el("span", {
      class: "reg-words",
      text: `Penalty ${trace.penalty_formula} = ${fmt(trace.penalty, 4)} on the weights (not the biases), part of the loss L = ${fmt(trace.loss - trace.penalty, 4)} (data) + ${fmt(trace.penalty, 4)} = ${fmt(trace.loss, 4)}.`,
    })]));
  }
  if (step.kind === "grads" && step.layer !== null) {
    const b = trace.backward.find((/** @type {{ layer: number }} */ x) => x.layer === step.layer);
    if (b && Array.isArray(b.dW_penalty)) {
      out.push(line(`dW_penalty${step.layer}`, [
        el("span", { class: "reg-words", text: `dL/dW${step.layer} includes the penalty's gradient (l1·sign(W) + l2·W): ${b.formula.dW}.` }),
        matrix(b.dW_penalty, { name: `dW_penalty${step.layer}`, label: el("span", { text: `penalty part of dL/dW${step.layer}` }), dir: "bwd" }),
      ]));
    }
  }
  return out;
}
