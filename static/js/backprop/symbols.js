// @ts-check
// The symbols of backprop (x, z, a, W, b, ŷ, y, L, ∂L/∂z ...) as small DOM pieces that explain
// themselves on hover (data-tip, see tooltips.js), and a tiny element builder. Every formula on
// the page is built from these, so the same symbol always says the same thing.

import { ix } from "./format.js";

const SUB = "₀₁₂₃₄₅₆₇₈₉";
/** 12 -> "₁₂" (for tooltips, which are plain text). @param {number | string} n */
export const subText = (n) => String(n).replace(/\d/g, (d) => SUB[Number(d)]);

/** @typedef {Node | string | number | null | undefined | false} Child */

/**
 * h("span", "cls", child, "text", ...): an element; null/false children are skipped.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag @param {string | null} cls @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, cls, ...children) {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

/** @typedef {{relu?: boolean, derivative?: string, index?: string}} Extra what a symbol kind needs */

const s = subText;
/** @param {number} l */
const below = (l) => (l <= 1 ? "x" : `a${s(l - 1)}`);

// Hover help, one sentence per symbol; `l` is the layer (1-based), `extra` what a kind needs.
/** @type {Record<string, (l: number, extra: Extra) => string>} */
const TIPS = {
  x: () => "x (also a₀): the input, the one example the network sees.",
  a: (l) => (l === 0 ? TIPS.x(0, {}) : `a${s(l)} = f(z${s(l)}): what the units of layer ${l} pass on to the next layer (their activations).`),
  aT: (l) => `${l === 0 ? "x" : `a${s(l)}`}ᵀ: the same values laid out as a row, so that a column times this row gives a whole matrix.`,
  z: (l) => `z${s(l)} = W${s(l)} ${below(l)} + b${s(l)}: each unit's weighted sum of its inputs plus its bias, before the activation.`,
  W: (l) => `W${s(l)}: layer ${l}'s weights. Row i feeds unit i of layer ${l}; column j comes from ${below(l)}[j]. Each is one edge of the drawing.`,
  WT: (l) => `W${s(l)}ᵀ: layer ${l}'s weights transposed (rows become columns): the error goes back down the same edges it came up.`,
  b: (l) => `b${s(l)}: layer ${l}'s biases, one per unit, added whatever the inputs are.`,
  yhat: () => "ŷ: the prediction, the output layer's activation (softmax: probabilities that add up to 1).",
  y: () => "y: the target, the right answer for this example.",
  L: () => "L: the loss, one number for how wrong the prediction is. Backprop finds how it changes with every weight.",
  dz: (l) => `∂L/∂z${s(l)}: how fast the loss changes when a unit's z in layer ${l} is nudged up: that unit's error signal.`,
  da: (l) => (l === 0
    ? "∂L/∂x: how the loss changes with the input itself (not needed to train the weights)."
    : `∂L/∂a${s(l)}: how fast the loss changes when a unit's output in layer ${l} is nudged up; it collects the errors of every unit it feeds.`),
  dW: (l) => `∂L/∂W${s(l)}: every weight's gradient: how fast the loss changes per unit change of that weight. Gradient descent moves the weight the other way.`,
  db: (l) => `∂L/∂b${s(l)}: every bias's gradient. A bias is a weight on a constant input 1, so it equals ∂L/∂z${s(l)}.`,
  mask: (l, extra) => (extra.relu
    ? `1[z${s(l)} > 0]: ReLU's derivative: 1 where the unit was on (z > 0), 0 where it was off. A 0 blocks the gradient.`
    : `f′(z${s(l)}) = ${extra.derivative || "f′"}: the slope of the activation at z; the gradient is multiplied by it.`),
  lr: () => "lr: the learning rate, how big a step gradient descent takes against the gradient.",
};

/** Tooltip text of a symbol kind at layer l. @param {string} kind @param {number} l @param {Extra} extra */
const tipFor = (kind, l = 0, extra = {}) => TIPS[kind](l, extra);

/** @param {string} kind @param {number} l @param {Extra} extra @returns {Child[]} */
function base(kind, l, extra) {
  const sub = (/** @type {number} */ n) => h("sub", null, String(n));
  switch (kind) {
    case "x": return ["x"];
    case "a": return l === 0 ? ["x"] : ["a", sub(l)];
    case "aT": return l === 0 ? ["xᵀ"] : ["a", sub(l), "ᵀ"];
    case "z": return ["z", sub(l)];
    case "W": return ["W", sub(l)];
    case "WT": return ["W", sub(l), "ᵀ"];
    case "b": return ["b", sub(l)];
    case "yhat": return ["ŷ"];
    case "y": return ["y"];
    case "L": return ["L"];
    case "dz": return ["∂L/∂z", sub(l)];
    case "da": return l === 0 ? ["∂L/∂x"] : ["∂L/∂a", sub(l)];
    case "dW": return ["∂L/∂W", sub(l)];
    case "db": return ["∂L/∂b", sub(l)];
    case "mask": return extra.relu ? ["1[z", sub(l), extra.index ?? "", " > 0]"] : ["f′(z", sub(l), extra.index ?? "", ")"];
    case "lr": return ["lr"];
    default: return [kind];
  }
}

/**
 * A symbol as a hoverable span: sym("dz", 2) is ∂L/∂z₂; with idx it is one entry: idx 1 (or
 * "1,0", counted from 0 like the arrays) shows as ∂L/∂z₂[2] (or [2,1]): the page numbers units
 * from 1 (format.js ix).
 * @param {string} kind @param {number} [l] @param {string | number | null} [idx] @param {Extra} [extra]
 */
export function sym(kind, l = 0, idx = null, extra = {}) {
  const withIdx = idx !== null && idx !== undefined;
  const shown = withIdx ? ix(idx) : "";
  const parts = kind === "mask" && withIdx ? base(kind, l, { ...extra, index: `[${shown}]` }) : base(kind, l, extra);
  const el = h("span", `sym sym-${kind}`, parts, withIdx && kind !== "mask" ? `[${shown}]` : null);
  el.dataset.tip = tipFor(kind, l, extra);
  return el;
}

/** An operator with its own help ("·" matrix product, "⊙" element-wise, "=" ...). @param {string} text @param {string | null} [tip] */
export function op(text, tip = null) {
  const el = h("span", "op", text);
  if (tip) el.dataset.tip = tip;
  return el;
}

export const OPS = {
  dot: () => op("·", "·: matrix product: each entry is a row times a column, multiplied entry by entry and added up."),
  times: () => op("·", "·: times."),
  odot: () => op("⊙", "⊙: multiply entry by entry (same position times same position)."),
  plus: () => op("+"),
  minus: () => op("−"),
  eq: () => op("="),
  gets: () => op("←", "←: becomes: the weight is replaced by the value on the right."),
};
