// @ts-check
// What the details panel shows at each step: the formula in symbols, the matrices it multiplies
// (highlighted: operands and result) with their numbers, and a few worked lines with the numbers
// filled in. One function per kind of step (see backprop/steps.js).

import { factor, ix, num } from "./format.js";
import { eq, matrix, worked } from "./matrix.js";
import { isOff, slopes } from "./steps.js";
import { h, OPS, op, subText, sym } from "./symbols.js";

/** @typedef {import("../types/api").BackpropTrace} Trace */
/** @typedef {import("../types/api").Num} Num */
/** @typedef {import("./steps.js").Step} Step */
/** @typedef {import("./steps.js").Names} Names */
/** @typedef {import("./state.js").WeightRef} WeightRef */
/**
 * What a step's details need: the trace, its steps and the current one (index), the registries'
 * names, the selected weight, the layer the update step shows, and the handlers of a click on a
 * weight (col null: a bias) and on a layer tab of the update.
 * @typedef {{ trace: Trace, steps: Step[], index: number, names: Names, w: WeightRef | null,
 *   updateLayer: number, onWeight: (layer: number, row: number, col: number | null) => void,
 *   onUpdateLayer: (layer: number) => void }} DetailsContext
 */
/** What the panel shows: the sentence, the formula, the matrices, the worked lines (null: none).
 * @typedef {{ words: string, head: HTMLElement, mats: HTMLElement, lines: (HTMLElement | null)[] }} Details */

const MAX_WORKED = 4; // worked lines per step: more rows get "… and N more"

/** The input of layer l: x, or the activations below. @param {Trace} t @param {number} l @returns {Num[]} */
const prevOf = (t, l) => (l === 1 ? t.x : t.forward[l - 2].a);
/** The backward pass of layer l (the trace has one per layer). @param {Trace} t @param {number} l */
const bwdOf = (t, l) => {
  const b = t.backward.find((bw) => bw.layer === l);
  if (!b) throw new Error(`the trace has no backward pass for layer ${l}`);
  return b;
};
/** @template T @param {T[][]} M @returns {T[][]} */
const transpose = (M) => M[0].map((_, j) => M.map((r) => r[j]));
/** @param {Trace} t @param {number} l */
const isOutput = (t, l) => l === t.forward.length;
/** "w₀·v₀ + w₁·v₁ ..." with the numbers. @param {Num[]} ws @param {Num[]} vs */
const dot = (ws, vs) => ws.map((w, j) => `${factor(w)}·${factor(vs[j])}`).join(" + ");
/** "W₂[1,2]"-style cell names in tooltips; j is null only in a vector. @param {number} i @param {number | null} j */
const cellIx = (i, j) => (j === null ? ix(i) : `${ix(i)},${ix(j)}`);

/** @param {number} n */
function moreLine(n) {
  return n > MAX_WORKED ? h("div", "worked more", `… and ${n - MAX_WORKED} more`) : null;
}

/**
 * The weight to work through: the selected one if it is in this layer, else the largest entry.
 * @param {Num[][]} M @param {WeightRef | null} w @param {number} layer @returns {[number, number]}
 */
function pickCell(M, w, layer) {
  if (w && w.layer === layer && w.col !== null) return [w.row, w.col];
  /** @type {[number, number]} */
  let best = [0, 0];
  let bestAbs = -1;
  M.forEach((r, i) => r.forEach((v, j) => {
    if (typeof v === "number" && Math.abs(v) > bestAbs) {
      bestAbs = Math.abs(v);
      best = [i, j];
    }
  }));
  return best;
}

/**
 * The selected cell of layer's W (bias false) or b (bias true), if the selection is there.
 * @param {WeightRef | null} w @param {number} layer @param {boolean} bias
 * @returns {[number, number | null] | null}
 */
const selectedIn = (w, layer, bias) => (w && w.layer === layer && (w.col === null) === bias ? [w.row, w.col] : null);

/** The activation's formula with z filled in. @param {DetailsContext} ctx @param {number} l @param {Num} z */
function actFormula(ctx, l, z) {
  const info = ctx.names.act[ctx.trace.layers[l - 1].activation];
  const rhs = info?.formula ? info.formula.split("=").slice(1).join("=").trim() : "f(z)";
  return rhs.replace(/\bz\b/g, factor(z));
}

/** @param {DetailsContext} ctx @param {number} l @returns {Details} */
function forward(ctx, l) {
  const { trace: t, w } = ctx;
  const f = t.forward[l - 1];
  const out = isOutput(t, l);
  const softmax = out && t.layers[l - 1].activation === "softmax";
  const relu = t.layers[l - 1].activation === "relu";
  const W = t.layers[l - 1].W;
  const prev = prevOf(t, l);
  const aSym = () => (out ? sym("yhat") : sym("a", l));
  const actLabel = out ? (softmax ? "softmax" : "identity") : (ctx.names.act[t.layers[l - 1].activation]?.name || "f");

  const head = eq(sym("z", l), OPS.eq(), sym("W", l), OPS.dot(), sym("a", l - 1), OPS.plus(), sym("b", l),
    h("span", "gap"), aSym(), OPS.eq(), `${actLabel}(`, sym("z", l), ")");
  const mats = eq(
    matrix(W, { name: `W${l}`, label: sym("W", l), dir: "fwd", onCell: (i, j) => ctx.onWeight(l, i, j), selected: selectedIn(w, l, false), cellTip: (i, j) => `W${l}[${cellIx(i, j)}]: click for its chain rule.` }),
    OPS.dot(),
    matrix(prev, { name: l === 1 ? "x" : `a${l - 1}`, label: sym("a", l - 1), dir: "fwd" }),
    OPS.plus(),
    matrix(t.layers[l - 1].b, { name: `b${l}`, label: sym("b", l), dir: "fwd", onCell: (i) => ctx.onWeight(l, i, null), selected: selectedIn(w, l, true) }),
    OPS.eq(),
    matrix(f.z, { name: `z${l}`, label: sym("z", l), role: "result" }),
    op("→", `${actLabel} of each entry`),
    matrix(f.a, { name: out ? "yhat" : `a${l}`, label: aSym(), role: "result", cellClass: (i) => (relu && isOff(f.z[i], f.a[i]) ? "off" : null) }),
  );

  const lines = [];
  if (softmax) {
    const denom = f.z.map((z) => h("span", null, "e", h("sup", null, num(z)))).flatMap((e, k) => (k ? [" + ", e] : [e]));
    f.z.slice(0, MAX_WORKED).forEach((z, i) => lines.push(worked(sym("yhat", l, i), ` = e`, h("sup", null, num(z)), " / (", ...denom.map((n) => (n instanceof Node ? n.cloneNode(true) : n)), `) = ${num(f.a[i])}`)));
  } else {
    f.z.slice(0, MAX_WORKED).forEach((z, i) => {
      const off = relu && isOff(z, f.a[i]);
      lines.push(worked(sym("z", l, i), ` = ${dot(W[i], prev)} + ${factor(t.layers[l - 1].b[i])} = ${num(z)}`,
        h("span", "then", " → "), out ? sym("yhat", l, i) : sym("a", l, i), ` = ${actFormula(ctx, l, z)} = ${num(f.a[i])}`,
        off ? h("span", "tag-off", "off") : null));
    });
  }
  lines.push(moreLine(f.z.length));

  const names = ctx.names.act;
  const offUnits = relu ? f.z.flatMap((z, i) => (isOff(z, f.a[i]) ? [i] : [])) : [];
  let words;
  if (softmax) {
    words = `The output layer adds up its inputs the same way (z${l}); softmax turns these scores into probabilities that add up to 1: the prediction ŷ.`;
  } else if (out) {
    words = `The output layer adds up its inputs the same way; it is linear, so the prediction ŷ is z${l} itself.`;
  } else {
    const info = names[t.layers[l - 1].activation];
    words = `Each unit of layer ${l} adds up its inputs times their weights plus its bias (z), then ${info ? info.name : "the activation"} decides what it passes on (a)`
      + (offUnits.length ? `: z is negative at unit ${offUnits.map(ix).join(", ")}, so ReLU turns it off (a = 0).` : ".");
  }
  return { words, head, mats, lines };
}

/** @param {DetailsContext} ctx @returns {Details} */
function lossStep(ctx) {
  const t = ctx.trace;
  const yhat = t.y_pred;
  const loss = ctx.names.loss[ctx.names.lossId];
  const head = eq(h("span", "formula-text", (loss?.formula || "L").replace(/-/g, "−")));
  const mats = eq(
    matrix(yhat, { name: "yhat", label: sym("yhat"), dir: "fwd" }),
    matrix(t.y, { name: "y", label: sym("y"), dir: "fwd" }),
    op("→"),
    h("div", "big-value", sym("L"), " = ", h("span", "value", num(t.loss))),
  );
  const lines = [];
  let words;
  if (ctx.names.lossId === "cross_entropy") {
    const terms = t.y.flatMap((yk, k) => (yk !== 0 ? [`${num(yk)} · log ${factor(yhat[k])}`] : []));
    lines.push(worked(sym("L"), ` = −(${terms.join(" + ")}) = ${num(t.loss)}`));
    const k = t.y.indexOf(1);
    words = k >= 0
      ? `Cross-entropy is minus the log of the probability given to the right answer (class ${k}): −log ${num(yhat[k])} = ${num(t.loss)}; a sure, right prediction would cost 0.`
      : "Cross-entropy compares the predicted probabilities with the target probabilities: the more probability on the target, the smaller the loss.";
  } else {
    const sq = yhat.map((p, k) => `(${num(p)} − ${num(t.y[k])})²`).join(" + ");
    lines.push(worked(sym("L"), ` = (1/${yhat.length})·(${sq}) = ${num(t.loss)}`));
    words = "The mean squared error averages the squared differences between the prediction and the target.";
  }
  return { words, head, mats, lines };
}

/** @param {DetailsContext} ctx @param {number} l @returns {Details} */
function delta(ctx, l) {
  const t = ctx.trace;
  const b = bwdOf(t, l);
  const ce = ctx.names.lossId === "cross_entropy";
  const rhs = b.formula.dz.split("=").slice(1).join("=").replace(/\s+\(ŷ = .*\)$/, "").trim().replace(/-/g, "−");
  const head = eq(sym("dz", l), OPS.eq(), h("span", "formula-text", rhs));
  const mats = eq(
    matrix(t.y_pred, { name: "yhat", label: sym("yhat"), dir: "bwd" }),
    ce ? OPS.minus() : h("span", "op", ","),
    matrix(t.y, { name: "y", label: sym("y"), dir: "bwd" }),
    ce ? OPS.eq() : op("→", rhs),
    matrix(b.dz, { name: `dz${l}`, label: sym("dz", l), role: "result" }),
  );
  const lines = [];
  if (ce) {
    const diffs = t.y_pred.map((p, k) => `${num(p)} − ${num(t.y[k])}`);
    lines.push(worked(sym("dz", l), ` = [${diffs.join(", ")}] = [${b.dz.map((v) => num(v)).join(", ")}]`));
  } else {
    lines.push(worked(sym("dz", l), ` = [${b.dz.map((v) => num(v)).join(", ")}]`));
  }
  return { words: b.words.dz, head, mats, lines };
}

/** @param {DetailsContext} ctx @param {number} l @returns {Details} */
function grads(ctx, l) {
  const t = ctx.trace;
  const b = bwdOf(t, l);
  const prev = prevOf(t, l);
  const w = ctx.w;
  const head = eq(sym("dW", l), OPS.eq(), sym("dz", l), OPS.dot(), sym("aT", l - 1), h("span", "gap"), sym("db", l), OPS.eq(), sym("dz", l));
  const mats = eq(
    matrix(b.dz, { name: `dz${l}`, label: sym("dz", l), dir: "bwd" }),
    OPS.dot(),
    matrix(prev, { name: l === 1 ? "xT" : `a${l - 1}T`, label: sym("aT", l - 1), dir: "bwd", row: true }),
    OPS.eq(),
    matrix(b.dW, { name: `dW${l}`, label: sym("dW", l), role: "result", onCell: (i, j) => ctx.onWeight(l, i, j), selected: selectedIn(w, l, false), cellTip: (i, j) => `∂L/∂W${l}[${cellIx(i, j)}]: click for its chain rule.` }),
    h("span", "gap"),
    matrix(b.db, { name: `db${l}`, label: sym("db", l), role: "result", onCell: (i) => ctx.onWeight(l, i, null), selected: selectedIn(w, l, true) }),
  );
  const [i, j] = pickCell(b.dW, w, l);
  const lines = [worked(sym("dW", l, `${i},${j}`), " = ", sym("dz", l, i), " · ", sym("a", l - 1, j), ` = ${factor(b.dz[i])} · ${factor(prev[j])} = ${num(b.dW[i][j])}`)];
  const dead = b.dz.flatMap((v, k) => (v === 0 ? [k] : []));
  if (dead.length) {
    lines.push(h("div", "worked blocked-note", `Row ${dead.join(", ")} is all 0: ∂L/∂z${subText(l)} is 0 there, so those weights do not learn from this example.`));
  }
  lines.push(h("div", "hint", "Click an entry of ∂L/∂W (or an edge of the drawing) to follow its chain rule."));
  return { words: b.words.dW, head, mats, lines };
}

/** @param {DetailsContext} ctx @param {number} l @returns {Details} */
function da(ctx, l) {
  const t = ctx.trace;
  const up = bwdOf(t, l + 1);
  const WT = transpose(t.layers[l].W);
  const head = eq(sym("da", l), OPS.eq(), sym("WT", l + 1), OPS.dot(), sym("dz", l + 1));
  const mats = eq(
    matrix(WT, { name: `W${l + 1}T`, label: sym("WT", l + 1), dir: "bwd", onCell: (i, j) => j !== null && ctx.onWeight(l + 1, j, i), cellTip: (i, j) => `W${l + 1}[${cellIx(Number(j), i)}]: click for its chain rule.` }),
    OPS.dot(),
    matrix(up.dz, { name: `dz${l + 1}`, label: sym("dz", l + 1), dir: "bwd" }),
    OPS.eq(),
    matrix(up.da_prev, { name: `da${l}`, label: sym("da", l), role: "result" }),
  );
  /** @type {(HTMLElement | null)[]} */
  const lines = up.da_prev.slice(0, MAX_WORKED).map((v, i) => worked(sym("da", l, i), ` = ${dot(WT[i], up.dz)} = ${num(v)}`));
  lines.push(moreLine(up.da_prev.length));
  return { words: up.words.da_prev, head, mats, lines };
}

/** @param {DetailsContext} ctx @param {number} l @returns {Details} */
function act(ctx, l) {
  const t = ctx.trace;
  const b = bwdOf(t, l);
  const f = t.forward[l - 1];
  const id = t.layers[l - 1].activation;
  const relu = id === "relu";
  const extra = { relu, derivative: ctx.names.act[id]?.derivative };
  const s = slopes(t, l);
  const bda = b.da;
  if (!bda) throw new Error(`layer ${l} is the output: it has no activation step`);
  /** Its ∂L/∂a reaches unit i, and the slope 0 stops it. @param {number} i */
  const blocked = (i) => s[i] === 0 && bda[i] !== 0;
  const head = eq(sym("dz", l), OPS.eq(), sym("da", l), OPS.odot(), sym("mask", l, null, extra));
  const mats = eq(
    matrix(f.z, { name: `z${l}`, label: sym("z", l), role: "muted", cellClass: (i) => (relu && isOff(f.z[i], f.a[i]) ? "off" : null) }),
    h("span", "gap"),
    matrix(bda, { name: `da${l}`, label: sym("da", l), dir: "bwd", cellClass: (i) => (blocked(i) ? "blocked" : null) }),
    OPS.odot(),
    matrix(s, { name: `mask${l}`, label: sym("mask", l, null, extra), dir: "bwd", cellClass: (i) => (s[i] === 0 ? "blocked" : null) }),
    OPS.eq(),
    matrix(b.dz, { name: `dz${l}`, label: sym("dz", l), role: "result", cellClass: (i) => (blocked(i) ? "blocked" : null) }),
  );
  /** @type {(HTMLElement | null)[]} */
  const lines = b.dz.slice(0, MAX_WORKED).map((v, i) => {
    const mask = relu ? `1[${num(f.z[i])} > 0]` : `f′(${num(f.z[i])})`;
    return worked(sym("dz", l, i), ` = ${factor(bda[i])} · ${mask} = ${factor(bda[i])} · ${num(s[i])} = ${num(v)}`,
      blocked(i) ? h("span", "tag-blocked", "✕ blocked") : null);
  });
  lines.push(moreLine(b.dz.length));
  return { words: b.words.dz, head, mats, lines };
}

/** @param {DetailsContext} ctx @returns {Details} */
function update(ctx) {
  const t = ctx.trace;
  const l = ctx.updateLayer;
  const b = bwdOf(t, l);
  const u = t.updated[l - 1];
  const lr = num(t.lr);
  const head = eq(sym("W", l), OPS.gets(), sym("W", l), OPS.minus(), sym("lr"), OPS.times(), sym("dW", l),
    h("span", "gap"), sym("b", l), OPS.gets(), sym("b", l), OPS.minus(), sym("lr"), OPS.times(), sym("db", l));
  const tabs = h("div", "layer-tabs", h("span", "field-label", "Layer"),
    t.updated.map((up) => {
      const btn = h("button", "tab", String(up.layer));
      btn.type = "button";
      btn.setAttribute("aria-pressed", up.layer === l ? "true" : "false");
      btn.dataset.layer = String(up.layer);
      btn.dataset.tip = `Show the update of layer ${up.layer}'s weights and biases.`;
      btn.addEventListener("click", () => ctx.onUpdateLayer(up.layer));
      return btn;
    }));
  const mats = eq(
    matrix(t.layers[l - 1].W, { name: `W${l}`, label: sym("W", l), dir: "upd", onCell: (i, j) => ctx.onWeight(l, i, j), selected: selectedIn(ctx.w, l, false) }),
    OPS.minus(), h("span", "op", `${lr} ·`),
    matrix(b.dW, { name: `dW${l}`, label: sym("dW", l), dir: "upd", onCell: (i, j) => ctx.onWeight(l, i, j), selected: selectedIn(ctx.w, l, false) }),
    OPS.eq(),
    matrix(u.W, { name: `W${l}new`, label: h("span", null, "new ", sym("W", l)), role: "result" }),
    h("span", "gap"),
    matrix(u.b, { name: `b${l}new`, label: h("span", null, "new ", sym("b", l)), role: "result" }),
  );
  const [i, j] = pickCell(b.dW, ctx.w, l);
  const before = h("span", "value", num(t.loss));
  before.id = "loss-before";
  const after = h("span", "value loss-after", num(t.loss_after));
  after.id = "loss-after";
  const change = h("div", "loss-change", sym("L"), " before ", before, h("span", "then", " → "), "after one step ", after);
  /** @type {(HTMLElement | null)[]} */
  const lines = [
    worked(sym("W", l, `${i},${j}`), ` ← ${factor(t.layers[l - 1].W[i][j])} − ${lr} · ${factor(b.dW[i][j])} = ${num(u.W[i][j])}`),
  ];
  const falls = typeof t.loss === "number" && typeof t.loss_after === "number" && t.loss_after < t.loss;
  const words = `Gradient descent moves every weight a small step against its gradient (lr = ${lr}): the loss on this example ${falls ? "falls" : "goes"} from ${num(t.loss)} to ${num(t.loss_after)}${falls ? "." : " (it did not fall: try a smaller lr)."}`;
  return { words, head, mats: h("div", null, change, tabs, mats), lines };
}

/** {words, head, mats, lines} for the step at ctx.index. @param {DetailsContext} ctx @returns {Details} */
export function stepDetails(ctx) {
  const st = ctx.steps[ctx.index];
  const l = st.layer;
  if (l === null) return update(ctx); // the update is the one step without a layer
  switch (st.kind) {
    case "forward": return forward(ctx, l);
    case "loss": return lossStep(ctx);
    case "delta": return delta(ctx, l);
    case "grads": return grads(ctx, l);
    case "da": return da(ctx, l);
    case "act": return act(ctx, l);
    default: return update(ctx);
  }
}
