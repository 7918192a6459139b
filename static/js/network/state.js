// @ts-check
// The network view's state: everything a link must reproduce (data, architecture, runs, speed,
// steps, landscape plane, selection), as one typed table for state.js, plus the messages built
// from it (the websocket `start`, the landscape request body).
//
// A URL looks like:
//   /network#ds=spirals&noise=0.05&n=300&hidden=16,16,16&act=relu&run=sgd,lr=0.3&run=adam,lr=0.01
//     &steps=800&plane=pca&sel=1
// A run is "optimizer,lr=...,batch=...". Own points (when few) are "x,y,class;x,y,class;...";
// more are kept under a short id (shared/kept.js) and the link says "state=<id>".

import { listEdit } from "../shared/run-edits.js";
import { KeptIdType } from "../shared/kept.js";
import { Store, Types } from "../shared/state.js";
import { LAB_KEYS, labFields, labNetwork, sanitizeLab } from "./lab-state.js";

/** @typedef {import("../shared/state.js").State} State */
/** @template T @typedef {import("../shared/state.js").PropType<T>} PropType */
/** @typedef {import("../types/api").MlpOptions} MlpOptions */
/** @typedef {import("../types/api").OptimizerInfo} OptimizerInfo */
/** @typedef {{ optimizer: string, lr?: number, batch?: number, hp?: Record<string, number> }} NetRunSpec one run, as the URL holds it (hp: other hyperparameters, e.g. AdamW's weight_decay) */
/** @typedef {[number, number, number]} Point x1, x2, class */
/** @typedef {[number, number, number]} WeightTriple layer (from 1), row, column */

// Runs and classes get colours that cannot be confused: runs are pink-red, violet, green...;
// classes are the orange/blue pair of the TensorFlow playground, then green, purple, red, teal.
export const RUN_COLORS = ["#d6336c", "#5f3dc4", "#2b8a3e", "#e67700", "#0b7285", "#862e9c", "#495057", "#a61e4d"];
export const CLASS_COLORS = ["#f08c00", "#1971c2", "#2f9e44", "#9c36b5", "#e03131", "#0c8599"];
export const CLASS_FILLS = ["#ffe8cc", "#d0ebff", "#d3f9d8", "#f3d9fa", "#ffe3e3", "#c5f6fa"];
export const SPEEDS = [1, 3, 10, 30, 100, 300, 0]; // steps per second per run; 0: as fast as possible
export const MAX_CLASSES = 6; // labels 0..5 (the API's MAX_CLASSES; it names it in its errors)
export const URL_POINTS = 60; // own points travel in the link up to this many

export const DEFAULTS = {
  dataset: "moons",
  hidden: [8, 8],
  activation: "tanh",
  runs: [{ optimizer: "sgd", lr: 0.5 }, { optimizer: "adam", lr: 0.02 }],
  steps: 500,
  speed: 30,
  plane: "random",
};

/** @param {string | undefined} s */
const number = (s) => {
  const x = Number(s);
  return s !== "" && s !== undefined && Number.isFinite(x) ? x : undefined;
};

/** One run <-> "optimizer,lr=0.5,batch=32". @type {PropType<NetRunSpec>} */
export const RunType = {
  parse(text) {
    const [optimizer, ...pairs] = String(text).split(",");
    if (!/^[A-Za-z0-9_-]+$/.test(optimizer || "")) return undefined;
    /** @type {NetRunSpec} */
    const run = { optimizer };
    for (const pair of pairs) {
      const [key, raw] = pair.split("=");
      const v = number(raw);
      if (v === undefined) continue;
      if (key === "lr") run.lr = v;
      else if (key === "batch") run.batch = Math.round(v);
      else if (/^[a-z][a-z0-9_]*$/.test(key || "")) run.hp = { ...run.hp, [key]: v }; // sanitize() keeps the optimizer's own
    }
    return run;
  },
  format(run) {
    const parts = [run.optimizer];
    if (run.lr !== undefined && run.lr !== null) parts.push(`lr=${run.lr}`);
    if (run.batch) parts.push(`batch=${run.batch}`);
    for (const [k, v] of Object.entries(run.hp || {})) parts.push(`${k}=${v}`);
    return parts.join(",");
  },
};

/** Hidden widths <-> "16,16" ("none" for no hidden layer: logistic regression). @type {PropType<number[]>} */
const WidthsType = {
  parse(s) {
    if (s === "none") return [];
    const parts = String(s).split(",").map((p) => Number(p));
    return parts.length && parts.every((w) => Number.isInteger(w) && w > 0) ? parts : undefined;
  },
  format: (v) => (v.length ? v.join(",") : "none"),
};

/** Own points <-> "x,y,c;x,y,c". @type {PropType<Point[]>} */
export const PointsType = {
  parse(s) {
    if (!s) return [];
    /** @type {Point[]} */
    const out = [];
    for (const item of String(s).split(";")) {
      const p = item.split(",").map(number);
      if (p.length === 3 && p.every((v) => v !== undefined)) out.push(/** @type {Point} */ (p));
    }
    return out;
  },
  format: (v) => v.map((p) => p.join(",")).join(";"),
};

/** The two weights of the "weights" plane <-> "1.0.0,1.0.1" (layer from 1, row, column). @type {PropType<WeightTriple[]>} */
export const WeightsType = {
  parse(s) {
    const refs = String(s).split(",").map((r) => r.split(".").map(Number));
    return refs.length === 2 && refs.every((r) => r.length === 3 && r.every((v) => Number.isInteger(v) && v >= 0) && r[0] >= 1)
      ? /** @type {WeightTriple[]} */ (refs) : undefined;
  },
  format: (v) => v.map((r) => r.join(".")).join(","),
};

/** @type {import("../shared/state.js").Schema} */
export const SCHEMA = {
  dataset: { type: Types.string, key: "ds", default: DEFAULTS.dataset },
  noise: { type: Types.number, default: null }, // null: the dataset's default noise
  n: { type: Types.int, default: 200 },
  dseed: { type: Types.int, default: 0 }, // seeds the generated dataset
  classes: { type: Types.int, default: null }, // blobs and spirals only; null: the dataset's
  // Own points ([x, y, class]): in the state always, in the link only when few (see pts).
  points: { type: PointsType, default: null, url: false },
  pts: { type: PointsType, default: null },
  // The id under which own points too many for the link are kept (shared/kept.js); null: none.
  kept: { type: KeptIdType, key: "state", default: null },
  hidden: { type: WidthsType, default: DEFAULTS.hidden },
  activation: { type: Types.string, key: "act", default: DEFAULTS.activation },
  runs: { type: RunType, key: "run", repeat: true, default: DEFAULTS.runs },
  steps: { type: Types.int, default: DEFAULTS.steps },
  speed: { type: Types.number, default: DEFAULTS.speed },
  plane: { type: Types.string, default: DEFAULTS.plane }, // a direction mode of /api/mlp/options
  wts: { type: WeightsType, default: null }, // the "weights" plane's two weights; null: W1[0,0], W1[0,1]
  seed: { type: Types.int, default: 0 }, // seeds the initial weights (and the random plane)
  sel: { type: Types.int, default: 0 }, // the selected run: heatmaps, gradient norms, arrow keys
  layer: { type: Types.int, default: 1 }, // the heatmaps' layer (1 = the first weight matrix)
  present: { type: Types.bool, default: false },
  // Measure the sharpness every `curv` steps (docs/protocol.md, "Curvature"); null: the server's
  // cadence (every 10-18 steps on small networks, about 1.3x the time at full speed); 0: off.
  curv: { type: Types.int, default: null },
  // The generalisation lab (lab-state.js; ranges, defaults and help: options.generalization).
  test_fraction: { type: Types.number, key: "test", default: 0 },
  label_noise: { type: Types.number, key: "lnoise", default: 0 },
  l1: { type: Types.number, default: 0 },
  l2: { type: Types.number, default: 0 },
  dropout: { type: Types.number, default: 0 },
  side: { type: Types.string, default: "landscape" }, // the side panel: landscape, units or sweep
  nflow: { type: Types.bool, default: false }, // the gradient flow on the landscape (flow.js)
};

export function createNetworkStore() {
  return new Store(SCHEMA);
}

/**
 * The points patch for a change of own points: the link carries them only when they are few.
 * @param {Point[] | null} points
 */
export function pointsPatch(points) {
  const pts = points && points.length <= URL_POINTS ? points : null;
  return { points, pts };
}

/** @param {number} v @param {number} lo @param {number} hi */
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
/** @param {number} v */
const round3 = (v) => Math.round(v * 1000) / 1000;

/**
 * Make a state (from a link) fit what the server offers: unknown names replaced or dropped,
 * numbers clamped to the API's limits. Returns a full patch for store.set.
 * @param {State} state
 * @param {MlpOptions} options GET /api/mlp/options
 * @param {OptimizerInfo[]} optimizers GET /api/optimizers (specs of lr)
 * @returns {State}
 */
export function sanitize(state, options, optimizers) {
  const limits = options.limits;
  const datasets = new Map(options.datasets.map((d) => [d.id, d]));
  const specs = new Map(optimizers.map((o) => [o.id, o]));
  const out = { ...state };
  if (!datasets.has(out.dataset)) out.dataset = datasets.has(DEFAULTS.dataset) ? DEFAULTS.dataset : options.datasets[0].id;
  const ds = /** @type {import("../types/api").DatasetInfo} */ (datasets.get(out.dataset));
  out.noise = Number.isFinite(out.noise) ? clamp(out.noise, 0, 2) : null;
  out.n = clamp(Math.round(out.n || 200), 4, limits.points);
  out.dseed = clamp(Math.round(out.dseed || 0), 0, 2 ** 32 - 1);
  const [cmin, cmax] = ds.class_range || [2, MAX_CLASSES];
  out.classes = ds.variable_classes && Number.isFinite(out.classes) ? clamp(Math.round(out.classes), cmin, cmax) : null;
  if (out.pts && out.pts.length && !(out.points && out.points.length)) out.points = out.pts;
  out.points = ds.task === "classification" && Array.isArray(out.points)
    ? out.points.filter((/** @type {Point} */ p) => Number.isInteger(p[2]) && p[2] >= 0 && p[2] < MAX_CLASSES)
      .slice(0, limits.points).map((/** @type {Point} */ [x, y, c]) => [round3(x), round3(y), c])
    : null;
  Object.assign(out, pointsPatch(out.points));
  out.hidden = (Array.isArray(out.hidden) ? out.hidden : DEFAULTS.hidden)
    .slice(0, limits.hidden_layers).map((/** @type {number} */ w) => clamp(Math.round(w), 1, limits.width));
  if (!options.activations.some((a) => a.id === out.activation)) out.activation = DEFAULTS.activation;
  const allowed = new Set(options.optimizers);
  /** @type {NetRunSpec[]} */
  const runs = [];
  for (const r of /** @type {NetRunSpec[]} */ (out.runs || [])) {
    const spec = allowed.has(r.optimizer) ? specs.get(r.optimizer) : undefined;
    if (!spec) continue;
    const lr = spec.hyperparameters.lr;
    /** @type {NetRunSpec} */
    const run = { optimizer: r.optimizer, lr: r.lr !== undefined && Number.isFinite(r.lr) ? clamp(r.lr, lr.min, lr.max) : lr.default };
    if (r.batch !== undefined && Number.isFinite(r.batch) && r.batch >= 1) run.batch = clamp(Math.round(r.batch), 1, limits.points);
    const hp = Object.entries(r.hp || {}).flatMap(([k, v]) => {
      const h = k === "lr" ? undefined : spec.hyperparameters[k];
      return h && Number.isFinite(v) ? [[k, clamp(v, h.min, h.max)]] : [];
    });
    if (hp.length) run.hp = Object.fromEntries(hp);
    runs.push(run);
  }
  out.runs = runs.slice(0, limits.runs);
  if (!out.runs.length) out.runs = DEFAULTS.runs.filter((r) => allowed.has(r.optimizer)).map((r) => ({ ...r }));
  out.steps = clamp(Math.round(out.steps || DEFAULTS.steps), 1, limits.steps);
  out.speed = clamp(Number(out.speed) || 0, 0, limits.speed || 1000); // the server's max_speed
  if (!options.directions.includes(out.plane)) out.plane = options.directions.includes(DEFAULTS.plane) ? DEFAULTS.plane : options.directions[0];
  out.wts = validWeights(out.wts, networkShape(out, options).sizes);
  out.seed = clamp(Math.round(out.seed || 0), 0, 2 ** 32 - 1);
  out.sel = clamp(Math.round(out.sel || 0), 0, Math.max(0, out.runs.length - 1));
  out.layer = clamp(Math.round(out.layer || 1), 1, out.hidden.length + 1);
  out.curv = Number.isFinite(out.curv) ? clamp(Math.round(out.curv), 0, 10000) : null;
  Object.assign(out, sanitizeLab(out, options, ds));
  return out;
}

/**
 * The two plane weights if the network has them (and they differ), else null.
 * @param {WeightTriple[] | null | undefined} wts
 * @param {number[]} sizes
 */
export function validWeights(wts, sizes) {
  if (!Array.isArray(wts) || wts.length !== 2) return null;
  const ok = wts.every(([layer, row, col]) => layer >= 1 && layer < sizes.length && row < sizes[layer] && col < sizes[layer - 1]);
  return ok && wts[0].join(".") !== wts[1].join(".") ? wts : null;
}

/** @typedef {{ layer: number, row: number, col: number }} WeightRef one weight as the API names it: W_layer[row, col] */
/** The weights of the "weights" plane as the API takes them, or null. */
/** @param {WeightTriple[] | null} wts @returns {WeightRef[] | null} */
export const weightRefs = (wts) => (wts ? wts.map(([layer, row, col]) => ({ layer, row, col })) : null);

/**
 * One run as a `start` (or an `add_run`) gives it to the server.
 * @param {NetRunSpec} r
 */
export function runSpec(r) {
  /** @type {Record<string, unknown>} */
  const run = { optimizer: r.optimizer, lr: r.lr, ...r.hp };
  if (r.batch) run.batch_size = r.batch;
  return run;
}

/**
 * The data, network and runs of a `start` (the fields POST /api/mlp/landscape shares).
 * @param {State} state
 * @returns {Record<string, any>}
 */
function trainingBody(state) {
  /** @type {Record<string, unknown>} */
  const dataset = { id: state.dataset, n: state.n, seed: state.dseed };
  if (state.noise !== null) dataset.noise = state.noise;
  if (state.classes !== null) dataset.n_classes = state.classes;
  /** @type {Record<string, unknown>} */
  const body = {
    dataset,
    network: { hidden: [...state.hidden], activation: state.activation },
    seed: state.seed,
    runs: state.runs.map(runSpec),
  };
  Object.assign(body, labFields(state));
  Object.assign(/** @type {Record<string, unknown>} */ (body.network), labNetwork(state));
  if (state.points) {
    body.points = state.points;
    delete dataset.n_classes; // the classes are the points' labels
  }
  return body;
}

/**
 * The body of POST /api/tune for these runs: the same data, network, initial weights and steps
 * as a `start`, so each tuned lr is the best for exactly this race.
 * @param {State} state
 */
export function tuneBody(state) {
  return { kind: "network", ...trainingBody(state), steps: state.steps };
}

/** The live plane for a direction mode: PCA needs the finished paths, so it trains on random. */
/** @param {string} mode */
export const livePlane = (mode) => (mode === "weights" ? "weights" : "random");

/**
 * The websocket `start` of a network (docs/protocol.md, "Network runs").
 * @param {State} state
 * @param {Record<string, unknown>} [extra] fields the state does not hold (unit maps: lab-state.js)
 */
export function startMessage(state, extra = {}) {
  /** @type {import("../shared/socket.js").Message} */
  const message = { type: "start", ...trainingBody(state), steps: state.steps, speed: state.speed, plane: livePlane(state.plane), columns: true, ...extra };
  if (state.curv !== null) message.sharpness_every = state.curv; // omitted: the server's cadence
  if (message.plane === "weights" && state.wts) message.weights = weightRefs(state.wts);
  return message;
}

/**
 * What about the runs changed: "restart" (new runs needed), "add" or "remove" (one run, the
 * others unchanged), "set" (learning rates) or null.
 * @param {NetRunSpec[]} prev
 * @param {NetRunSpec[]} next
 * @returns {{ kind: "restart" } | { kind: "add" | "remove", run: number } | { kind: "set", sets: { run: number, lr: number | undefined }[] } | null}
 */
export function runsChange(prev, next) {
  if (prev.length !== next.length) return listEdit(prev, next) || { kind: "restart" };
  const sets = [];
  for (let i = 0; i < next.length; i++) {
    if (prev[i].optimizer !== next[i].optimizer || (prev[i].batch || 0) !== (next[i].batch || 0)) return { kind: "restart" };
    if (JSON.stringify(prev[i].hp || {}) !== JSON.stringify(next[i].hp || {})) return { kind: "restart" };
    if (prev[i].lr !== next[i].lr) sets.push({ run: i, lr: next[i].lr });
  }
  return sets.length ? { kind: "set", sets } : null;
}

/** The state properties whose change needs new runs (a new `start`). */
export const RESTART_KEYS = ["dataset", "noise", "n", "dseed", "classes", "points", "hidden", "activation", "steps", "seed", "curv", ...LAB_KEYS];

/**
 * The layer sizes the server will build, [inputs, ...hidden, outputs], and its weight count.
 * @param {State} state
 * @param {MlpOptions} options
 */
export function networkShape(state, options) {
  const ds = options.datasets.find((d) => d.id === state.dataset) || options.datasets[0];
  let outputs = ds.task === "regression" ? 1 : state.classes || ds.classes || 2;
  if (state.points && state.points.length) outputs = Math.max(...state.points.map((/** @type {Point} */ p) => p[2])) + 1;
  // One-hot inputs (modular addition): 2p of them, p the classes.
  const sizes = [ds.one_hot ? 2 * outputs : ds.inputs, ...state.hidden, outputs];
  let params = 0;
  for (let l = 1; l < sizes.length; l++) params += (sizes[l - 1] + 1) * sizes[l];
  return { sizes, params, samples: state.points ? state.points.length : state.n };
}
