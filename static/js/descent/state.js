// @ts-check
// The descent view's state: everything a link must reproduce (surface, view, start point, runs
// with all their settings, speed, steps, toggles), as one typed table for state.js.
//
// A URL looks like:
//   /#surface=ravine&condition=50&start=-3.9,-1.1&steps=300&speed=30&show=grad,state
//     &run=sgd,lr=0.035&run=momentum,lr=0.035,momentum=0.9,color=2f9e44
// A run is "optimizer,key=value,...": lr, hyperparameters by their API names (a choice by its
// string: line_search_fn=strong_wolfe), sched=<kind> and
// sched.<param>=..., noise, seed, color (hex without #). Defaults are left out. The surface's
// parameters (condition, angle) are keys of their own, named and ranged by GET /api/surfaces.

import { listEdit } from "../shared/run-edits.js";
import { Store, Types } from "../shared/state.js";

/** @typedef {import("../types/api").DescentRegistries} DescentRegistries */
/** @typedef {import("../shared/state.js").State} State */

/**
 * A learning-rate schedule: its kind and its parameters by their API names.
 * @typedef {{ kind: string, [param: string]: number | string }} Schedule
 */

/**
 * One optimizer run of the descent page, as the URL and the state hold it.
 * @typedef {object} Run
 * @property {string} optimizer an id of GET /api/optimizers
 * @property {number} [lr]
 * @property {Record<string, number | string>} hp hyperparameters other than lr, by their API
 *   names: numbers (a bool as 0/1) and a `choice`'s string; a nullable one left out is null
 * @property {Schedule} [schedule]
 * @property {number} [noise] gradient noise (standard deviation)
 * @property {number} [seed]
 * @property {string} [color] "#rrggbb"
 */

export const PALETTE = ["#e8590c", "#1864ab", "#2f9e44", "#ae3ec9", "#c2255c", "#0b7285", "#5c940d", "#495057"];
export const ARROWS = ["grad", "update", "state"];
export const SPEEDS = [1, 3, 10, 30, 100, 300, 1000, 0]; // steps per second; 0: as fast as possible
export const GRID_N = 151; // points per side of the surface grid (the map; 3D takes every third)

/** The default view: SGD against Adam on Rosenbrock, learning rates that make a good demo. */
export const DEFAULTS = {
  surface: "rosenbrock",
  runs: [
    { optimizer: "sgd", lr: 0.001, hp: {}, color: PALETTE[0] },
    { optimizer: "adam", lr: 0.05, hp: {}, color: PALETTE[1] },
  ],
  steps: 1500,
  speed: 100,
};

/** @param {string} s */
const number = (s) => {
  const x = Number(s);
  return s !== "" && Number.isFinite(x) ? x : undefined;
};

/** One run <-> "optimizer,key=value,...". @type {import("../shared/state.js").PropType<Run>} */
export const RunType = {
  parse(text) {
    const [optimizer, ...pairs] = String(text).split(",");
    if (!/^[A-Za-z0-9_-]+$/.test(optimizer || "")) return undefined;
    /** @type {Run} */
    const run = { optimizer, hp: {} };
    /** @type {Record<string, number | string>} */
    const sched = {};
    for (const pair of pairs) {
      const i = pair.indexOf("=");
      if (i < 0) continue;
      const key = pair.slice(0, i);
      const raw = pair.slice(i + 1);
      if (key === "color") {
        if (/^#?[0-9a-fA-F]{6}$/.test(raw)) run.color = `#${raw.replace("#", "").toLowerCase()}`;
      } else if (key === "sched") {
        sched.kind = raw;
      } else if (key.startsWith("sched.")) {
        const v = number(raw);
        if (v !== undefined) sched[key.slice(6)] = v;
      } else if (number(raw) === undefined) {
        if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(raw) && !["lr", "noise", "seed"].includes(key)) run.hp[key] = raw; // a choice
      } else {
        const v = /** @type {number} */ (number(raw));
        if (key === "lr") run.lr = v;
        else if (key === "noise") run.noise = v;
        else if (key === "seed") run.seed = Math.round(v);
        else run.hp[key] = v;
      }
    }
    if (typeof sched.kind === "string" && sched.kind) run.schedule = { ...sched, kind: sched.kind };
    return run;
  },
  format(run) {
    const parts = [run.optimizer];
    if (run.lr !== undefined && run.lr !== null) parts.push(`lr=${run.lr}`);
    for (const [k, v] of Object.entries(run.hp || {})) parts.push(`${k}=${v}`);
    if (run.schedule && run.schedule.kind && run.schedule.kind !== "constant") {
      parts.push(`sched=${run.schedule.kind}`);
      for (const [k, v] of Object.entries(run.schedule)) if (k !== "kind") parts.push(`sched.${k}=${v}`);
    }
    if (run.noise) parts.push(`noise=${run.noise}`);
    if (run.seed) parts.push(`seed=${run.seed}`);
    if (run.color) parts.push(`color=${run.color.replace("#", "")}`);
    return parts.join(",");
  },
};

export const SCHEMA = {
  surface: { type: Types.string, default: DEFAULTS.surface },
  expr: { type: Types.string, default: "" }, // the custom f(x, y), when surface is "custom"
  // The chosen surface's parameters by their API names (GET /api/surfaces: parameters), each its
  // own key in the link (condition=50&angle=30); one left out takes the API's default.
  params: { type: Types.number, rest: true, default: {} },
  view: { type: Types.oneOf(["contour", "3d"]), default: "contour" },
  start: { type: Types.point, default: null }, // null: the surface's default start
  steps: { type: Types.int, default: DEFAULTS.steps },
  speed: { type: Types.number, default: DEFAULTS.speed },
  show: { type: Types.list, default: [] }, // arrows at the heads: grad, update, state
  sel: { type: Types.int, default: 0 }, // the selected run (inside-the-step panel, arrow keys)
  present: { type: Types.bool, default: false },
  flow: { type: Types.bool, default: true }, // the gradient flow's path and distances (flow.js)
  quad: { type: Types.bool, default: false }, // the quadratic model at the selected head (model.js)
  runs: { type: RunType, key: "run", repeat: true, default: DEFAULTS.runs },
};

/** @typedef {{ max_steps?: number, max_runs?: number, max_speed?: number }} Limits */

export function createDescentStore() {
  return new Store(SCHEMA);
}

/** @param {number} v @param {{ min: number, max: number }} spec */
const clampTo = (v, spec) => Math.min(spec.max, Math.max(spec.min, v));

/**
 * The surface's parameters that `params` sets, each within the range the API gives it
 * (GET /api/surfaces: parameters); one the surface does not have is dropped. A value out of
 * range takes the nearest valid one, and `warn` says so (a link must not fail silently).
 * @param {Record<string, unknown>} params
 * @param {Record<string, import("../types/api").Hyperparameter>} specs
 * @param {(text: string, name: string) => void} [warn]
 * @returns {Record<string, number>}
 */
function fitSurfaceParams(params, specs, warn = () => {}) {
  /** @type {Record<string, number>} */
  const out = {};
  for (const [k, v] of Object.entries(params || {})) {
    const spec = specs[k];
    if (!spec || typeof v !== "number" || !Number.isFinite(v)) continue;
    let fit = clampTo(v, spec);
    if (spec.kind === "int") fit = Math.round(fit);
    if (fit !== v) warn(`${k} ${v} is outside ${spec.min}..${spec.max}: using ${fit}`, k);
    out[k] = fit;
  }
  return out;
}

/**
 * Make a state (from a URL or a preset) fit the registries: unknown surfaces and optimizers are
 * replaced or dropped, values clamped to their ranges (and `warn` says so: a link must not fail
 * silently). Returns a full patch for store.set.
 * @param {State} state
 * @param {DescentRegistries} registries
 * @param {Limits} [limits]
 * @param {(text: string, name: string) => void} [warn] told of a parameter out of range
 * @returns {State}
 */
export function sanitize(state, registries, limits = {}, warn = () => {}) {
  const surfaces = new Map(registries.surfaces.map((s) => [s.id, s]));
  const optimizers = new Map(registries.optimizers.map((o) => [o.id, o]));
  const schedules = new Map(registries.schedules.map((s) => [s.id, s]));
  const out = { ...state };
  if (out.surface !== "custom" && !surfaces.has(out.surface)) {
    out.surface = surfaces.has(DEFAULTS.surface) ? DEFAULTS.surface : registries.surfaces[0].id;
  }
  const surface = surfaces.get(out.surface);
  out.params = fitSurfaceParams(out.params, surface ? surface.parameters : {}, warn);
  if (out.surface !== "custom") out.expr = "";
  const maxSteps = limits.max_steps || 20000;
  out.steps = Math.min(maxSteps, Math.max(1, Math.round(out.steps || DEFAULTS.steps)));
  out.speed = Math.max(0, Math.min(limits.max_speed || 1000, Number(out.speed) || 0));
  out.show = (out.show || []).filter((/** @type {string} */ a) => ARROWS.includes(a));
  /** @type {Run[]} */
  const runs = [];
  for (const [i, r] of /** @type {[number, Run][]} */ ([...(out.runs || []).entries()])) {
    const opt = optimizers.get(r.optimizer);
    if (!opt) continue;
    if (opt.run_kinds && !opt.run_kinds.includes("surface")) { // Muon: a network's matrices only
      warn(`${opt.name} is not for a 2D surface, left out: ${opt.description}`, "optimizer");
      continue;
    }
    /** @type {Run} */
    const run = { optimizer: r.optimizer, hp: {} };
    const lrSpec = opt.hyperparameters.lr;
    run.lr = r.lr !== undefined && Number.isFinite(r.lr) ? clampTo(r.lr, lrSpec) : lrSpec.default;
    if (r.lr !== undefined && run.lr !== r.lr) warn(`lr ${r.lr} is outside ${lrSpec.min}..${lrSpec.max}: using ${run.lr}`, "lr");
    for (const [k, v] of Object.entries(r.hp || {})) {
      const spec = opt.hyperparameters[k];
      if (!spec || k === "lr") continue;
      if (spec.kind === "choice") {
        if (typeof v === "string" && (spec.choices || []).includes(v)) run.hp[k] = v;
        else warn(`${k} ${v} is not one of ${(spec.choices || []).join(", ")}: using the default`, k);
      } else if (typeof v === "number" && Number.isFinite(v)) {
        const fit = spec.kind === "int" ? Math.round(clampTo(v, spec)) : clampTo(v, spec);
        if (fit !== v) warn(`${k} ${v} is outside ${spec.min}..${spec.max}: using ${fit}`, k);
        run.hp[k] = fit;
      }
    }
    const sched = r.schedule && r.schedule.kind !== "constant" ? schedules.get(r.schedule.kind) : undefined;
    if (r.schedule && sched) {
      /** @type {Schedule} */
      const schedule = { kind: r.schedule.kind };
      for (const [k, v] of Object.entries(r.schedule)) {
        const spec = sched.parameters[k];
        if (spec && typeof v === "number" && Number.isFinite(v)) schedule[k] = clampTo(v, spec);
      }
      run.schedule = schedule;
    }
    if (r.noise !== undefined && Number.isFinite(r.noise) && r.noise > 0) run.noise = Math.min(1000, r.noise);
    if (r.seed !== undefined && Number.isInteger(r.seed) && r.seed > 0) run.seed = Math.min(2 ** 32 - 1, r.seed);
    run.color = r.color || PALETTE[i % PALETTE.length];
    runs.push(run);
  }
  out.runs = runs.slice(0, limits.max_runs || 8);
  out.sel = Math.min(Math.max(0, out.sel || 0), Math.max(0, out.runs.length - 1));
  return out;
}

/**
 * The surface field of a `start` message (docs/protocol.md).
 * @param {State} state
 * @returns {string | Record<string, string | number>}
 */
export function surfaceSpec(state) {
  if (state.surface === "custom") return { expr: state.expr };
  const params = state.params || {};
  return Object.keys(params).length ? { id: state.surface, ...params } : state.surface;
}

/**
 * The query string of GET /api/surfaces/{id}/grid for this state.
 * @param {State} state
 * @param {number} n points per side
 */
export function gridURL(state, n) {
  const q = new URLSearchParams({ n: String(n) });
  if (state.surface === "custom") q.set("expr", state.expr);
  for (const [k, v] of Object.entries(state.params || {})) q.set(k, String(v));
  return `/api/surfaces/${encodeURIComponent(state.surface)}/grid?${q}`;
}

/**
 * One run as sent in `start`: hyperparameters at the top level, schedule as {kind, ...}.
 * @param {Run} run
 * @returns {Record<string, unknown>}
 */
export function runSpec(run) {
  /** @type {Record<string, unknown>} */
  const spec = { optimizer: run.optimizer, lr: run.lr, ...run.hp };
  if (run.schedule) spec.schedule = { ...run.schedule };
  if (run.noise) spec.noise = run.noise;
  if (run.seed) spec.seed = run.seed;
  if (run.color) spec.color = run.color;
  return spec;
}

/**
 * What about the runs changed: "restart" (new runs needed), "add" or "remove" (one run, the
 * others unchanged), "set" (live changes) or null.
 * In a set, a hyperparameter back to "unset" is null: the caller fills in the API's default.
 * @param {Run[]} prev
 * @param {Run[]} next
 * @returns {{ kind: "restart" } | { kind: "add", run: number } | { kind: "remove", run: number } | { kind: "set", sets: { run: number, values: Record<string, number | string | null> }[] } | null}
 */
export function runsChange(prev, next) {
  if (prev.length !== next.length) return listEdit(prev, next) || { kind: "restart" };
  const sets = [];
  for (let i = 0; i < next.length; i++) {
    const a = prev[i];
    const b = next[i];
    if (a.optimizer !== b.optimizer || JSON.stringify(a.schedule || null) !== JSON.stringify(b.schedule || null)
      || (a.noise || 0) !== (b.noise || 0) || (a.seed || 0) !== (b.seed || 0)) {
      return { kind: "restart" };
    }
    /** @type {Record<string, number | string | null>} */
    const values = {};
    if (a.lr !== b.lr && b.lr !== undefined) values.lr = b.lr;
    const keys = new Set([...Object.keys(a.hp || {}), ...Object.keys(b.hp || {})]);
    for (const k of keys) if ((a.hp || {})[k] !== (b.hp || {})[k] && (b.hp || {})[k] !== undefined) values[k] = b.hp[k];
    // A hyperparameter back to "unset" must go back to the API default: the caller fills it in.
    for (const k of keys) if ((b.hp || {})[k] === undefined && (a.hp || {})[k] !== undefined) values[k] = null;
    if (Object.keys(values).length) sets.push({ run: i, values });
  }
  return sets.length ? { kind: "set", sets } : null;
}
