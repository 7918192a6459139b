// @ts-check
// Challenges from the pages' side (docs/classroom.md, "Challenges"): the teacher poses one from the
// current view (its fixed part is the view's surface or dataset), a student submits the run they
// are looking at, and both read the goal and the score in words. The pages' URL state is the one
// source: a view's state is its hash read by the page's own state table, and the run config is
// what the page itself would send to start that run (descent/state.js, network/state.js).

import { SCHEMA as DESCENT_SCHEMA, runSpec, surfaceSpec } from "../descent/state.js";
import { SCHEMA as NETWORK_SCHEMA, startMessage } from "../network/state.js";
import { Store } from "../shared/state.js";
import { fmt, isNum } from "../shared/format.js";

/** @typedef {"surface" | "network"} Kind */
/** @typedef {"reach" | "largest_lr" | "best"} GoalKind */
/** @typedef {{ kind: GoalKind, metric: string, target?: number, direction?: "min" | "max" }} Goal */
/** @typedef {{ id?: number | string, title: string, kind: Kind, fixed: Record<string, any>, budget: { steps: number }, goal: Goal }} Challenge */
/** @typedef {Record<string, any>} State */

const TEST_FRACTION = 0.25;

/** Which kind of challenge a page can pose and answer (the backprop page: none). */
/** @param {string} path @returns {Kind | null} */
export function pageKind(path) {
  if (path === "/") return "surface";
  if (path === "/network") return "network";
  return null;
}

/** The metrics a goal may name, by kind of run, with the direction in which they are better. */
export const METRICS = {
  surface: [{ id: "loss", name: "the loss f", direction: "min" }],
  network: [
    { id: "loss", name: "training loss", direction: "min" },
    { id: "accuracy", name: "training accuracy", direction: "max" },
    { id: "test_loss", name: "test loss", direction: "min" },
    { id: "test_accuracy", name: "test accuracy", direction: "max" },
  ],
};

/** @type {Record<GoalKind, string>} */
export const GOAL_NAMES = {
  reach: "Reach a target within the budget (fewest steps wins)",
  largest_lr: "The largest lr that still converges",
  best: "The best value at the end of the budget",
};

/**
 * A view's full state, as the page reads it from its hash (defaults filled in).
 * @param {Kind} kind
 * @param {string} hash
 * @returns {State}
 */
export function stateOfHash(kind, hash) {
  const store = new Store(kind === "surface" ? DESCENT_SCHEMA : NETWORK_SCHEMA);
  const state = { ...store.state, ...store.parse(hash) };
  if (kind === "network" && !state.points && state.pts && state.pts.length) state.points = state.pts;
  return state;
}

/** The run a student is looking at: the selected one. @param {State} state */
const selected = (state) => state.runs[Math.min(Math.max(0, state.sel || 0), state.runs.length - 1)];

/**
 * The fixed part of a challenge posed from this view: what every submission runs on.
 * @param {Kind} kind
 * @param {State} state
 * @returns {Record<string, any>}
 */
export function fixedOf(kind, state) {
  if (kind === "surface") {
    /** @type {Record<string, any>} */
    const fixed = { surface: surfaceSpec(state) };
    if (state.start) fixed.start = [...state.start];
    return fixed;
  }
  const body = runOf(kind, state);
  /** @type {Record<string, any>} */
  const fixed = { dataset: body.dataset, network: body.network, seed: body.seed };
  if (body.points) fixed.points = body.points;
  return fixed;
}

/**
 * The config of the student's current run, shaped as POST /api/trajectories (surface) or the
 * network `start` takes it, with one run: the selected one.
 * @param {Kind} kind
 * @param {State} state
 * @returns {Record<string, any>}
 */
export function runOf(kind, state) {
  const run = selected(state);
  if (!run) throw new Error("there is no run to submit: add one first");
  if (kind === "surface") {
    const spec = runSpec(run);
    delete spec.color; // the page's look, not the run
    /** @type {Record<string, any>} */
    const body = { surface: surfaceSpec(state), steps: state.steps, runs: [spec] };
    if (state.start) body.start = [...state.start];
    return body;
  }
  /** @type {Record<string, any>} */
  const body = startMessage({ ...state, runs: [run] });
  // the live page's pacing and drawing, not the run
  for (const key of ["type", "speed", "plane", "columns", "sharpness_every", "weights"]) delete body[key];
  return body;
}

/**
 * A challenge from the pose form and the teacher's view.
 * @param {object} o
 * @param {Kind} o.kind
 * @param {State} o.state the teacher's view
 * @param {GoalKind} o.goal
 * @param {string} [o.metric]
 * @param {number} [o.target]
 * @param {number} o.steps the budget
 * @param {string} [o.title] empty: one is written from the goal
 * @returns {Challenge}
 */
export function buildChallenge({ kind, state, goal, metric, target, steps, title }) {
  const metrics = METRICS[kind];
  const m = metrics.find((x) => x.id === metric) || metrics[0];
  /** @type {Goal} */
  const g = { kind: goal, metric: m.id };
  if (goal === "best") g.direction = /** @type {"min" | "max"} */ (m.direction);
  else if (isNum(target)) g.target = target;
  /** @type {Challenge} */
  const challenge = { title: "", kind, fixed: fixedOf(kind, state), budget: { steps: Math.round(steps) }, goal: g };
  // Test metrics need held-out points: a quarter of the dataset, the same for every submission.
  if (m.id.startsWith("test_")) challenge.fixed.test_fraction = TEST_FRACTION;
  challenge.title = (title || "").trim() || describeGoal(challenge);
  return challenge;
}

/** Where the challenge runs, in words. @param {Challenge} c */
export function placeOf(c) {
  if (c.kind === "network") {
    const ds = c.fixed.dataset || {};
    return `on ${ds.id || "the dataset"}`;
  }
  const s = c.fixed.surface;
  if (typeof s === "string") return `on ${s}`;
  if (s && s.expr) return `on f(x, y) = ${s.expr}`;
  return `on ${s && s.id ? s.id : "this surface"}`;
}

/** @param {string} kind @param {string} metric */
const metricName = (kind, metric) => {
  const list = METRICS[/** @type {Kind} */ (kind)] || [];
  const found = list.find((x) => x.id === metric);
  return found ? found.name : metric;
};

/** The goal in one sentence. @param {Challenge} c */
export function describeGoal(c) {
  const g = c.goal;
  const name = metricName(c.kind, g.metric);
  const steps = `${c.budget.steps} steps`;
  const place = placeOf(c);
  const sign = g.metric === "test_accuracy" ? "≥" : "≤";
  const target = isNum(g.target) ? fmt(g.target, 3) : "the target";
  if (g.kind === "reach") return `Reach ${name} ${sign} ${target} ${place} within ${steps}`;
  if (g.kind === "largest_lr") return `The largest lr that still converges (${name} ${sign} ${target}) ${place} in ${steps}`;
  return `The ${g.direction === "max" ? "highest" : "lowest"} ${name} ${place} after ${steps}`;
}

/**
 * A scored submission in words: its score, or why it did not count.
 * @param {{ ok: boolean, score?: number | null, reason?: string | null, final?: number | null, lr?: number | null, steps?: number | null }} s
 * @param {Challenge | null} c
 */
export function describeResult(s, c) {
  if (!s.ok) return `Not scored: ${s.reason || "the run did not meet the goal"}`;
  const kind = c ? c.goal.kind : null;
  if (kind === "reach") return `Reached the target in ${fmt(s.score, 4)} steps`;
  if (kind === "largest_lr") return `Converged with lr = ${fmt(s.score, 3)}`;
  if (kind === "best") return `${metricName(c ? c.kind : "surface", c ? c.goal.metric : "loss")} = ${fmt(s.score, 4)}`;
  return `Score ${fmt(s.score, 4)}`;
}

/**
 * A submission's result in a leaderboard cell: ✓ and the score in the goal's unit, or ✗ and why.
 * @param {{ ok: boolean, score?: number | null, reason?: string | null }} s
 * @param {Challenge | null} c
 */
export function scoreText(s, c) {
  if (!s.ok) return `✗ ${s.reason || "not scored"}`;
  const kind = c ? c.goal.kind : null;
  if (kind === "reach") return `✓ ${fmt(s.score, 4)} steps`;
  if (kind === "largest_lr") return `✓ lr ${fmt(s.score, 3)}`;
  return `✓ ${fmt(s.score, 4)}`;
}
