// @ts-check
// URL state of the backprop page (a link reproduces the view): the step, the learning rate, the
// weight whose chain rule is open, and an edited network when it is small enough for a link.
//   #step=6&lr=0.05&w=2,1,0
//   &net=1,0;0,1/0,0/relu~1,-1/0&x=2,1&y=0,1&loss=cross_entropy   (only for an edited network)
// A layer is "W rows joined by ;" / "b" / "activation", layers joined by "~"; no net: classic.
// A network too big for the link is kept under a short id (shared/kept.js): "state=<id>".

import { KeptIdType } from "../shared/kept.js";
import { Store, Types } from "../shared/state.js";
import { regBody } from "./regularization.js";

/** Longest edited network in the link; a bigger one is kept under `state=<id>` instead. */
const MAX_NET_CHARS = 1500;

/** @typedef {import("../shared/state.js").State} State */
/** @typedef {{ layer: number, row: number, col: number | null }} WeightRef a weight, or a bias (col null) */
/** @typedef {{ W: number[][], b: number[], activation: string | null }} Layer */

/** @param {string} s */
const finite = (s) => {
  const v = s === "" ? NaN : Number(s);
  return Number.isFinite(v) ? v : undefined;
};

/** "2,1,3" <-> [2, 1, 3] (undefined if any entry is not a number). @type {import("../shared/state.js").PropType<number[]>} */
const vec = {
  parse: (s) => {
    const v = String(s).split(",").map(finite);
    return v.length && v.every((x) => x !== undefined) ? /** @type {number[]} */ (v) : undefined;
  },
  format: (v) => v.join(","),
};

/** One weight: "2,1,0" is W2[1,0]; "2,1,b" is the bias b2[1]. @type {import("../shared/state.js").PropType<WeightRef>} */
const weightRef = {
  parse: (s) => {
    const m = /^(\d+),(\d+),(\d+|b)$/.exec(String(s));
    if (!m) return undefined;
    return { layer: Number(m[1]), row: Number(m[2]), col: m[3] === "b" ? null : Number(m[3]) };
  },
  format: (w) => `${w.layer},${w.row},${w.col === null ? "b" : w.col}`,
};

/** The layers of an edited network: [{W, b, activation}]. @type {import("../shared/state.js").PropType<Layer[]>} */
const layers = {
  parse: (s) => {
    /** @type {Layer[]} */
    const out = [];
    for (const part of String(s).split("~")) {
      const [W, b, activation] = part.split("/");
      const rows = (W || "").split(";").map(vec.parse);
      const bias = vec.parse(b || "");
      if (!rows.length || !bias) return undefined;
      /** @type {number[][]} */
      const matrix = [];
      for (const r of rows) {
        if (!r) return undefined;
        matrix.push(r);
      }
      out.push({ W: matrix, b: bias, activation: activation || null });
    }
    return out.length ? out : undefined;
  },
  format: (ls) => ls
    .map((l) => [l.W.map(vec.format).join(";"), vec.format(l.b), l.activation || ""].join("/").replace(/\/$/, ""))
    .join("~"),
};

export const SCHEMA = {
  step: { type: Types.int, default: 1 }, // 1-based, as the counter shows it
  lr: { type: Types.number, default: null }, // null: the example's own (classic 0.01, else 0.1)
  w: { type: weightRef, default: null }, // the weight whose chain rule is shown
  net: { type: layers, default: null }, // null: the classic example
  x: { type: vec, default: null },
  y: { type: vec, default: null },
  loss: { type: Types.string, default: null },
  kept: { type: KeptIdType, key: "state", default: null }, // the id of a network too big for the link
  // Penalties and dropout (regularization.js; ranges: GET /api/mlp/options' generalization).
  l1: { type: Types.number, default: 0 },
  l2: { type: Types.number, default: 0 },
  dropout: { type: Types.number, default: 0 },
  dseed: { type: Types.int, default: 0 }, // the dropout mask's seed
};

export const NETWORK_KEYS = ["net", "x", "y", "loss"];

/** A Store whose link leaves out an edited network that is too big to share that way. */
export class BackpropStore extends Store {
  constructor() {
    super(SCHEMA);
  }

  /** @param {State} [state] */
  serialize(state = this.state) {
    const net = state.net ? layers.format(state.net) : "";
    if (net.length > MAX_NET_CHARS) {
      state = { ...state, ...Object.fromEntries(NETWORK_KEYS.map((k) => [k, null])) };
    }
    return super.serialize(state);
  }

  /** True when the current edited network is too big for the link. */
  netTooBig() {
    return Boolean(this.state.net) && layers.format(this.state.net).length > MAX_NET_CHARS;
  }

  /**
   * The request body for POST /api/mlp/backprop from a state.
   * @param {State} state
   * @returns {Record<string, unknown>}
   */
  static requestBody(state) {
    /** @type {Record<string, unknown>} */
    const body = state.net
      ? { layers: state.net, loss: state.loss || "cross_entropy", x: state.x, y: state.y }
      : { example: "classic" };
    if (state.lr !== null && state.lr !== undefined) body.lr = state.lr;
    if (state.w) body.chain = state.w;
    return Object.assign(body, regBody(state));
  }
}
