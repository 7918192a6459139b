// @ts-check
// The network as an SVG drawing: one column of units per layer (input x on the left, the output ŷ
// and the loss on the right), one edge per weight. Each unit shows its value a (and z above it);
// once the backward pass reaches it, an orange tag below it shows ∂L/∂z (dashed: ∂L/∂a). The
// edges of the matrix the current step multiplies are highlighted; a selected weight shows its
// chain: its edge, the edges its gradient comes back along, and the rest of the way to the loss.
// Redrawn from scratch at every change (a few dozen elements).

import { ix, num } from "./format.js";
import { isOff, slopes } from "./steps.js";
import { subText } from "./symbols.js";

/** @typedef {import("../types/api").BackpropTrace} Trace */
/** @typedef {import("./steps.js").Step} Step */
/** @typedef {import("./steps.js").Names} Names */
/** @typedef {import("./steps.js").Known} Known */
/** @typedef {import("./state.js").WeightRef} WeightRef */
/** @typedef {(layer: number, row: number, col: number | null) => void} OnWeight */
/**
 * What drawNetwork draws: the trace, its steps and the current one (index), what is known at it
 * (knownAt), the selected weight or null, the registries' names, the click handler, and whether
 * the page is presenting.
 * @typedef {{ trace: Trace, steps: Step[], index: number, known: Known, w: WeightRef | null,
 *   names: Names, onWeight: OnWeight, presenting: boolean }} DrawContext
 */
/** An edge as drawn, in drawing units: W{c}[i, j]. @typedef {{ x1: number, y1: number, x2: number, y2: number, c: number, i: number, j: number }} Segment */

const NS = "http://www.w3.org/2000/svg";

/**
 * An SVG element; null, undefined and false attributes are left out.
 * @template {keyof SVGElementTagNameMap} K
 * @param {K} tag @param {Record<string, string | number | boolean | null | undefined>} [attrs]
 * @param {...(Node | string | number)} children
 * @returns {SVGElementTagNameMap[K]}
 */
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== null && v !== undefined && v !== false) el.setAttribute(k, String(v));
  }
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/**
 * A label in a rounded box (the box sized to its text after it is in the document).
 * @param {Element} parent @param {number} x @param {number} y @param {string} text @param {string} cls
 */
function pill(parent, x, y, text, cls) {
  const g = s("g", { class: `pill ${cls}` });
  const rect = s("rect", { rx: 4, ry: 4 });
  const t = s("text", { x, y, "text-anchor": "middle", "dominant-baseline": "central" }, text);
  g.append(rect, t);
  parent.append(g);
  const box = t.getBBox();
  rect.setAttribute("x", String(box.x - 4));
  rect.setAttribute("y", String(box.y - 1));
  rect.setAttribute("width", String(box.width + 8));
  rect.setAttribute("height", String(box.height + 2));
  return g;
}

/**
 * Which edges and units the current step works with: the layer (or "all") and direction.
 * @typedef {{ edges: number | "all" | null, edgeDir: string | null, nodes: number | null,
 *   nodeDir: string | null, lossEdges: string | null }} Focus
 * @param {Step} step @returns {Focus}
 */
function focus(step) {
  /** @type {Focus} */
  const f = { edges: null, edgeDir: null, nodes: null, nodeDir: null, lossEdges: null };
  switch (step.kind) {
    case "forward": return { ...f, edges: step.layer, edgeDir: "fwd", nodes: step.layer, nodeDir: "fwd" };
    case "loss": return { ...f, nodes: step.layer, nodeDir: "fwd", lossEdges: "fwd" };
    case "delta": return { ...f, nodes: step.layer, nodeDir: "bwd", lossEdges: "bwd" };
    case "grads": return { ...f, edges: step.layer, edgeDir: "bwd", nodes: step.layer, nodeDir: "bwd" };
    case "da": return { ...f, edges: Number(step.layer) + 1, edgeDir: "bwd", nodes: step.layer, nodeDir: "bwd" };
    case "act": return { ...f, nodes: step.layer, nodeDir: "bwd" };
    default: return { ...f, edges: "all", edgeDir: "upd" };
  }
}

// A click or a tap picks the edge nearest to it, within PICK_PX screen pixels: edges cross and
// run close together, and a finger covers several of them (the topmost line under the finger
// was often not the one meant).
const PICK_PX = 22;
/** @type {WeakMap<SVGSVGElement, { segments: Segment[], onWeight: OnWeight }>} of each svg's latest drawing */
const picking = new WeakMap();
/** @type {WeakSet<SVGSVGElement>} the svgs that listen for clicks already */
const pickBound = new WeakSet();

/**
 * Distance from (px, py) to the segment (x1, y1)-(x2, y2).
 * @param {number} px @param {number} py @param {Segment} seg
 */
function segmentDistance(px, py, { x1, y1, x2, y2 }) {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const len2 = dx * dx + dy * dy;
  const t = len2 ? Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / len2)) : 0;
  return Math.hypot(px - (x1 + t * dx), py - (y1 + t * dy));
}

/** @param {SVGSVGElement} svg @param {MouseEvent} ev */
function pickEdge(svg, ev) {
  const state = picking.get(svg);
  const m = svg.getScreenCTM();
  if (!state || !m) return;
  const p = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(m.inverse());
  let best = null;
  let bestD = PICK_PX / (Math.hypot(m.a, m.b) || 1); // in drawing units
  for (const seg of state.segments) {
    const d = segmentDistance(p.x, p.y, seg);
    if (d < bestD) {
      best = seg;
      bestD = d;
    }
  }
  if (best) state.onWeight(best.c, best.i, best.j);
}

/** Draw the network of ctx into svg, replacing what was there. @param {SVGSVGElement} svg @param {DrawContext} ctx */
export function drawNetwork(svg, ctx) {
  const { trace: t, known, w } = ctx;
  const step = ctx.steps[ctx.index];
  const Wd = Math.max(320, svg.clientWidth || 700);
  const Hd = Math.max(240, svg.clientHeight || 420);
  svg.setAttribute("viewBox", `0 0 ${Wd} ${Hd}`);
  svg.replaceChildren();

  const L = t.forward.length;
  const sizes = [t.x.length, ...t.forward.map((f) => f.z.length)];
  // The headings' rows follow the drawing's type size (CSS --net-fs: 14 px, 24 on a projector).
  const fs = parseFloat(getComputedStyle(svg).fontSize) || 14;
  const top = Math.round(fs * 3.6);
  const bottom = 8;
  const left = ctx.presenting ? 60 : 44; // room for the input units, larger when presenting
  const xOut = Wd - (ctx.presenting ? 240 : 190); // room for the targets and the loss box
  /** @param {number} c a column: 0 the input, L the output */
  const colX = (c) => left + (c * (xOut - left)) / L;
  // Presenting, the drawing grows into the free height (a projector has room to spare).
  const spacing = Math.min(ctx.presenting ? 220 : 120, (Hd - top - bottom) / Math.max(...sizes));
  // On a narrow screen the columns, not the rows, limit the units' size.
  const r = Math.max(7, Math.min(ctx.presenting ? 44 : 24, spacing * 0.27, ((xOut - left) / L) * 0.32));
  const midY = top + (Hd - top - bottom) / 2;
  /** @param {number} c @param {number} i */
  const rowY = (c, i) => midY + (i - (sizes[c] - 1) / 2) * spacing;
  const small = r < 14; // too crowded for labels: values stay in the tooltips
  const fc = focus(step);
  /** @param {number} c */
  const relu = (c) => c >= 1 && c < L && t.layers[c - 1].activation === "relu";
  /** The backward pass of layer c (1..L): the trace has one per layer. @param {number} c */
  const bwd = (c) => {
    const b = t.backward.find((bw) => bw.layer === c);
    if (!b) throw new Error(`the trace has no backward pass for layer ${c}`);
    return b;
  };

  // --- column headings -----------------------------------------------------------------------
  const heads = s("g", { class: "heads" });
  // A phone's columns are ~50 px apart: short headings there, or they run into each other.
  const narrow = (xOut - left) / L < 100;
  for (let c = 0; c <= L; c++) {
    const full = c === 0 ? "input x" : c === L ? "output ŷ" : `layer ${c}`;
    const name = !narrow ? full : c === 0 ? "x" : c === L ? "ŷ" : `layer ${c}`.replace("layer ", "L");
    const actName = c === 0 ? "" : ctx.names.act[t.layers[c - 1].activation]?.name || t.layers[c - 1].activation;
    const act = c === L && !narrow ? `layer ${c} · ${actName}` : actName;
    const g = s("g", { class: `head${fc.nodes === c ? ` hl-${fc.nodeDir}` : ""}` },
      s("title", {}, c === L ? `${full}, layer ${c} · ${actName}` : `${full} ${actName}`.trim()),
      s("text", { x: colX(c), y: fs * 1.15, "text-anchor": "middle", class: "head-name" }, name),
      s("text", { x: colX(c), y: fs * 2.45, "text-anchor": "middle", class: "head-act" }, act));
    heads.append(g);
  }
  heads.append(s("text", { x: Wd - 50, y: fs * 1.15, "text-anchor": "middle", class: "head-name" }, "loss"));
  svg.append(heads);

  // --- edges -----------------------------------------------------------------------------------
  /** @type {{ c: number, i: number, j: number, wv: number, cls: string[], rank: number, width: number }[]} */
  const edges = [];
  for (let c = 1; c <= L; c++) {
    const Wc = t.layers[c - 1].W;
    const maxAbs = Math.max(1e-12, ...Wc.flat().map(Math.abs));
    const dW = known.dW.has(c) ? bwd(c).dW : null;
    Wc.forEach((row, i) => row.forEach((wv, j) => {
      const cls = ["edge"];
      let rank = 0;
      if (wv === 0) cls.push("zero");
      if (fc.edges === c || fc.edges === "all") {
        cls.push(`act-${fc.edgeDir}`);
        rank = 1;
        if (step.kind === "grads" && dW && dW[i][j] === 0) cls.push("nograd");
      }
      if (w) {
        if (w.col !== null && c === w.layer && i === w.row && j === w.col) {
          cls.push("chain-sel");
          rank = 4;
        } else if (c === w.layer + 1 && j === w.row) {
          cls.push("chain-next");
          rank = 3;
        } else if (c > w.layer + 1) {
          cls.push("chain-far");
          rank = Math.max(rank, 2);
        }
      }
      edges.push({ c, i, j, wv, cls, rank, width: 1 + (2.5 * Math.abs(wv)) / maxAbs });
    }));
  }
  edges.sort((a, b) => a.rank - b.rank);
  const edgeLayer = s("g", { class: "edges" });
  /** @type {Segment[]} */
  const segments = [];
  for (const e of edges) {
    const x1 = colX(e.c - 1) + r;
    const y1 = rowY(e.c - 1, e.j);
    const x2 = colX(e.c) - r;
    const y2 = rowY(e.c, e.i);
    const g = s("g", { class: "edge-g" });
    g.append(s("line", { x1, y1, x2, y2, class: e.cls.join(" "), "stroke-width": e.width.toFixed(2) }));
    const from = e.c === 1 ? `x[${ix(e.j)}]` : `a${subText(e.c - 1)}[${ix(e.j)}]`;
    let tip = `W${subText(e.c)}[${ix(e.i)},${ix(e.j)}] = ${num(e.wv)}: the weight from ${from} into unit ${ix(e.i)} of layer ${e.c}.`;
    if (known.dW.has(e.c)) tip += ` Its gradient ∂L/∂W = ${num(bwd(e.c).dW[e.i][e.j])}.`;
    const hit = s("line", { x1, y1, x2, y2, class: "hit", "data-w": `${e.c},${e.i},${e.j}` });
    hit.dataset.tip = `${tip} Click: how the chain rule gets its gradient.`;
    segments.push({ x1, y1, x2, y2, c: e.c, i: e.i, j: e.j });
    g.append(hit);
    edgeLayer.append(g);
  }
  picking.set(svg, { segments, onWeight: ctx.onWeight });
  if (!pickBound.has(svg)) {
    pickBound.add(svg);
    svg.addEventListener("click", (ev) => pickEdge(svg, ev));
  }
  svg.append(edgeLayer);

  // --- output -> target -> loss ----------------------------------------------------------------
  const lossX = Wd - (ctx.presenting ? 120 : 98);
  const lossLayer = s("g", { class: "loss-part" });
  const lossCls = ["loss-edge"];
  if (fc.lossEdges) lossCls.push(`act-${fc.lossEdges}`);
  if (w) lossCls.push("chain-far");
  t.y.forEach((yv, i) => {
    const y = rowY(L, i);
    lossLayer.append(s("line", { x1: colX(L) + r, y1: y, x2: lossX, y2: midY, class: lossCls.join(" ") }));
  });
  svg.append(lossLayer);
  t.y.forEach((yv, i) => {
    const g = pill(lossLayer, colX(L) + r + (ctx.presenting ? 40 : 34), rowY(L, i), `y=${num(yv, 3)}`, `target${fc.lossEdges ? " hl" : ""}`);
    g.dataset.tip = `The target for output ${ix(i)}: ${num(yv)}.`;
  });
  const lossBox = s("g", { class: `loss-box${known.loss ? " known" : ""}${fc.lossEdges ? ` hl-${fc.lossEdges}` : ""}${w ? " chain" : ""}` });
  const lossRect = s("rect", { x: lossX, y: midY - 34, width: 92, height: known.update ? 86 : 68, rx: 8 });
  const lossTexts = [
    s("text", { x: lossX + 46, y: midY - 12, "text-anchor": "middle", class: "loss-sym" }, "L"),
    s("text", { x: lossX + 46, y: midY + 14, "text-anchor": "middle", class: "val", id: "net-loss" }, known.loss ? num(t.loss, 3) : "?"),
  ];
  if (known.update) {
    lossTexts.push(s("text", { x: lossX + 46, y: midY + 38, "text-anchor": "middle", class: "val after" }, `→ ${num(t.loss_after, 3)}`));
  }
  lossBox.append(lossRect, ...lossTexts);
  svg.append(lossBox);
  // widen the box to its text (larger in presentation mode), keeping it inside the drawing
  const textW = Math.max(...lossTexts.map((el) => el.getBBox().width));
  const boxW = Math.max(80, textW + 16);
  const boxX = Math.min(lossX + 46 - boxW / 2, Wd - 4 - boxW);
  lossRect.setAttribute("x", String(boxX));
  lossRect.setAttribute("width", String(boxW));
  for (const el of lossTexts) el.setAttribute("x", String(boxX + boxW / 2));
  lossBox.dataset.tip = known.loss
    ? `The loss L = ${num(t.loss)}${known.update ? `; after the update ${num(t.loss_after)}` : ""}.`
    : "The loss: computed once the forward pass reaches it.";

  // --- units -----------------------------------------------------------------------------------
  const nodeLayer = s("g", { class: "nodes" });
  svg.append(nodeLayer); // before the pills: they measure their text, which needs the document
  /** Is unit i of column c on the selected weight's own edge (or, for a bias, its unit)? @param {number} c @param {number} i */
  const chainNode = (c, i) => w !== null && ((c === w.layer && i === w.row) || (w.col !== null && c === w.layer - 1 && i === w.col));
  for (let c = 0; c <= L; c++) {
    const f = c ? t.forward[c - 1] : null; // null: the input column
    const b = c ? bwd(c) : null;
    const slope = c > 0 && c < L ? slopes(t, c) : null;
    for (let i = 0; i < sizes[c]; i++) {
      const cx = colX(c);
      const cy = rowY(c, i);
      const hasA = known.a.has(c);
      const z = f ? f.z[i] : null;
      const off = hasA && relu(c) && isOff(z, f ? f.a[i] : null);
      const cls = ["node"];
      if (!hasA) cls.push("unknown");
      if (off) cls.push("off");
      if (fc.nodes === c) cls.push(`hl-${fc.nodeDir}`);
      if (chainNode(c, i)) cls.push("chain");
      else if (w && c === w.layer + 1) cls.push("chain-next");
      const g = s("g", { class: cls.join(" "), "data-layer": c, "data-unit": i });
      nodeLayer.append(g);
      g.append(s("circle", { cx, cy, r }));
      const value = !f ? t.x[i] : hasA ? f.a[i] : null;
      const shownValue = value === null ? "" : num(value, 3);
      if (!small || c === 0) {
        const valCls = shownValue.length > 6 ? "val longer" : shownValue.length > 4 ? "val long" : "val";
        g.append(s("text", { x: cx, y: cy, class: valCls, "text-anchor": "middle", "dominant-baseline": "central" }, shownValue));
      }
      if (f && hasA && !small) {
        g.append(s("text", { x: cx, y: cy - r - 7, class: "zlabel", "text-anchor": "middle" }, `z=${num(z, 3)}`));
      }

      // the tooltip: everything known about this unit
      let tip;
      if (!f) tip = `Input x[${ix(i)}] = ${num(t.x[i])}.`;
      else if (!hasA) tip = `Unit ${ix(i)} of layer ${c}: not computed yet (the forward pass reaches it at step ${c}).`;
      else {
        tip = `${c === L ? `Output ${ix(i)}` : `Unit ${ix(i)} of layer ${c}`}: z = ${num(z)}, ${c === L ? "ŷ" : "a"} = ${num(f.a[i])}`;
        if (off) tip += " (off: z ≤ 0, so ReLU gives 0)";
        tip += ".";
      }

      // the gradient tag below the unit
      const forced = w !== null && ((chainNode(c, i) && c === w.layer) || c === w.layer + 1);
      const da = b?.da ? b.da[i] : null; // the output layer has no ∂L/∂a of its own
      let tag = null;
      if (b && (known.dz.has(c) || forced)) {
        const blocked = slope !== null && slope[i] === 0 && da !== 0;
        tag = { v: b.dz[i], cls: blocked ? "dz blocked" : "dz", what: "∂L/∂z" };
        tip += ` ∂L/∂z = ${num(b.dz[i])}${blocked ? ` (its ∂L/∂a = ${num(da)} is blocked by ReLU)` : ""}.`;
      } else if (b && known.da.has(c)) {
        tag = { v: da, cls: "da", what: "∂L/∂a" };
        tip += ` ∂L/∂a = ${num(da)}.`;
      }
      g.dataset.tip = tip;
      if (tag && !small) {
        const p = pill(g, cx, cy + r + 12, num(tag.v, 3), `gtag ${tag.cls}`);
        p.dataset.what = tag.what;
      }
      if (tag && tag.cls.includes("blocked") && !small) {
        g.append(s("text", { x: cx + r * 0.72, y: cy - r * 0.72, class: "block-mark", "text-anchor": "middle", "dominant-baseline": "central" }, "✕"));
      }
    }
  }

  // --- labels of the chain: the selected weight's gradient, and the weights it comes back along
  if (w && !small) {
    const labels = s("g", { class: "chain-labels" });
    svg.append(labels);
    const b = bwd(w.layer);
    if (w.col !== null) {
      const x1 = colX(w.layer - 1);
      const y1 = rowY(w.layer - 1, w.col);
      const x2 = colX(w.layer);
      const y2 = rowY(w.layer, w.row);
      pill(labels, (x1 + x2) / 2, (y1 + y2) / 2 - 12, `∂L/∂W = ${num(b.dW[w.row][w.col], 3)}`, "chain-sel");
    } else {
      pill(labels, colX(w.layer), rowY(w.layer, w.row) - r - 24, `∂L/∂b = ${num(b.db[w.row], 3)}`, "chain-sel");
    }
    if (w.layer < L) {
      const Wn = t.layers[w.layer].W;
      Wn.forEach((row, k) => {
        const x1 = colX(w.layer);
        const y1 = rowY(w.layer, w.row);
        const x2 = colX(w.layer + 1);
        const y2 = rowY(w.layer + 1, k);
        pill(labels, x1 + (x2 - x1) * 0.6, y1 + (y2 - y1) * 0.6, `×${num(row[w.row], 3)}`, "chain-next");
      });
    }
  }
}
