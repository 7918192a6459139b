// @ts-check
// "How is the chain rule applied to this weight?": the card that answers it for one selected
// weight, from the response's `chain` (POST /api/mlp/backprop with chain: {layer, row, col}).
// One line per link of the chain, from the weight back towards the loss, then the whole gradient
// as one product of the factors along its path:
//   ∂L/∂W₂[1,0] = ∂L/∂z₂[1] · a₁[0]
//   ∂L/∂z₂[1]   = ∂L/∂a₂[1] · 1[z₂[1] > 0]
//   ∂L/∂a₂[1]   = Σₖ W₃[k,1] · ∂L/∂z₃[k]
//   so ∂L/∂W₂[1,0] = (Σₖ W₃[k,1] · ∂L/∂z₃[k]) · 1[z₂[1] > 0] · a₁[0] = (−2) · 1 · 5 = −10

import { factor, ix, num } from "./format.js";
import { gradsStepIndex, slopes } from "./steps.js";
import { h, subText, sym } from "./symbols.js";
import { clickWord } from "../shared/touch.js";

const NUDGE = 0.01; // the small change the chain card's sentence speaks of

/** @typedef {import("./steps.js").Step} Step */
/** @typedef {import("./steps.js").Names} Names */

/** A factor of the product, its value kept for the tests. @param {number | null} v */
const f = (v) => {
  const el = h("span", "factor", factor(v));
  el.dataset.v = String(v);
  return el;
};

/**
 * @param {HTMLElement} root the card
 * @param {{ trace: import("../types/api").BackpropTrace, chain: import("../types/api").Chain,
 *           names: Names, steps: Step[], index: number,
 *           onClose: () => void, onGoto: (index: number) => void }} ctx
 */
export function renderChain(root, ctx) {
  const { trace: t, chain: c } = ctx;
  const l = c.layer;
  const i = c.row;
  const j = c.col;
  const L = t.forward.length;
  const bias = j === null;
  const hidden = l < L;
  const prev = l === 1 ? t.x : t.forward[l - 2].a;
  const id = t.layers[l - 1].activation;
  const extra = { relu: id === "relu", derivative: ctx.names.act[id]?.derivative };
  const dz = c.links[1].value;
  const weightSym = () => (bias ? sym("db", l, i) : sym("dW", l, `${i},${j}`));
  const input = () => (bias ? "1" : sym("a", l - 1, j));

  const close = h("button", "close", "✕");
  close.type = "button";
  close.setAttribute("aria-label", "Close the chain rule");
  close.dataset.tip = "Close (key: Esc).";
  close.addEventListener("click", ctx.onClose);
  const where = bias
    ? `the bias of unit ${ix(i)} in layer ${l}`
    : `the edge from ${l === 1 ? "x" : `a${subText(l - 1)}`}[${ix(j)}] into unit ${ix(i)} of layer ${l}`;
  const head = h("div", "chain-head",
    h("h2", null, "Chain rule for ", bias ? sym("b", l, i) : sym("W", l, `${i},${j}`)),
    h("span", "chain-where", `: ${where}`), close);

  const rows = [];
  // 1) the weight's own link: the error at the unit it feeds times what it carries
  rows.push(h("div", "chain-line", weightSym(), " = ", sym("dz", l, i), " · ", input(),
    h("span", "nums", ` = ${factor(dz)} · ${bias ? "1" : factor(prev[j])} = ${num(c.value)}`)));
  // 2) the unit's error: through the activation, or straight from the loss at the output
  /** @type {[Node | string, number | null][]} each factor of the product: its symbol, its value */
  let factors;
  if (hidden) {
    const da = c.links[2].value;
    const slope = slopes(t, l)[i];
    const z = t.forward[l - 1].z[i];
    const state = extra.relu ? (z !== null && z > 0 ? "on" : "off: the gradient is blocked") : "";
    rows.push(h("div", "chain-line", sym("dz", l, i), " = ", sym("da", l, i), " · ", sym("mask", l, i, extra),
      h("span", "nums", ` = ${factor(da)} · ${num(slope)} = ${num(dz)}`),
      h("span", "note", ` (z${subText(l)}[${ix(i)}] = ${num(z)}${state ? `: ${state}` : ""})`)));
    // 3) the unit's output error: collected from every unit it feeds, along their weights
    const terms = c.links[2].terms || [];
    rows.push(h("div", "chain-line", sym("da", l, i), " = Σ", h("sub", null, "k"), " ", sym("W", l + 1, `k,${i}`), " · ", sym("dz", l + 1, "k"),
      h("span", "nums", ` = ${terms.map((tm) => `${factor(tm.W)}·${factor(tm.dz)}`).join(" + ")} = ${num(da)}`)));
    factors = [
      [h("span", null, "(Σ", h("sub", null, "k"), " ", sym("W", l + 1, `k,${i}`), " · ", sym("dz", l + 1, "k"), ")"), da],
      [sym("mask", l, i, extra), slope],
      [input(), bias ? 1 : prev[j]],
    ];
  } else {
    const yhat = t.y_pred[i];
    const ce = ctx.names.lossId === "cross_entropy";
    rows.push(ce
      ? h("div", "chain-line", sym("dz", l, i), " = ", sym("yhat", l, i), " − ", sym("y", l, i),
        h("span", "nums", ` = ${num(yhat)} − ${num(t.y[i])} = ${num(dz)}`))
      : h("div", "chain-line", sym("dz", l, i), h("span", "nums", ` = ${num(dz)}`),
        h("span", "note", ` (${c.links[1].formula.replace(/dL\/d/g, "∂L/∂")})`)));
    factors = [[ce ? h("span", null, "(", sym("yhat", l, i), " − ", sym("y", l, i), ")") : sym("dz", l, i), dz], [input(), bias ? 1 : prev[j]]];
  }

  const product = h("div", "chain-product", "so ", weightSym(), " = ",
    factors.flatMap(([s], k) => (k ? [" · ", s] : [s])), " = ",
    factors.flatMap(([, v], k) => (k ? [" · ", f(v)] : [f(v)])), " = ",
    h("strong", "chain-value", num(c.value)));
  product.dataset.value = String(c.value);
  // What the gradient means, in one sentence: the slope times a small nudge (first order).
  const change = NUDGE * (c.value ?? 0);
  const way = change > 0 ? "up" : change < 0 ? "down" : "not at all";
  const nudge = h("p", "chain-nudge",
    `Nudging this ${bias ? "bias" : "weight"} up by ${NUDGE} changes the loss by about ${NUDGE} × ${factor(c.value)} = ${num(change)} (${way}: the gradient is the slope of the loss along this ${bias ? "bias" : "weight"}).`);
  nudge.dataset.change = String(change);

  const notes = [];
  if (hidden && l + 1 < L) {
    notes.push(h("div", "note", `Each ∂L/∂z${subText(l + 1)}[k] came one layer up by the same rule: ${clickWord()} a weight of layer ${l + 1} to follow it further.`));
  }
  const at = gradsStepIndex(ctx.steps, l);
  if (at >= 0 && at !== ctx.index) {
    const go = h("button", "link-button", `Go to step ${at + 1}`);
    go.type = "button";
    go.addEventListener("click", () => ctx.onGoto(at));
    notes.push(h("div", "note", `Backprop computes this gradient at step ${at + 1}. `, go));
  }
  root.replaceChildren(head, h("div", "chain-lines", rows), product, nudge, ...notes);
}
