// Challenges from the pages' side (static/js/class/challenge.js): a view's hash becomes the fixed
// part of a challenge and a student's run config (the bodies the pages themselves send), and goals
// and scores read as sentences.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  buildChallenge, describeGoal, describeResult, fixedOf, pageKind, runOf, stateOfHash,
} from "../../static/js/class/challenge.js";
import { SCHEMA, runSpec, surfaceSpec } from "../../static/js/descent/state.js";
import { startMessage } from "../../static/js/network/state.js";
import { Store } from "../../static/js/shared/state.js";

const SURFACE_HASH = "#surface=quadratic&condition=20&start=-1.5,2&run=sgd,lr=0.05,color=e8590c&run=adam,lr=0.1&sel=1&steps=300";

test("pages that pose challenges: descent (surface) and network; backprop none", () => {
  assert.equal(pageKind("/"), "surface");
  assert.equal(pageKind("/network"), "network");
  assert.equal(pageKind("/backprop"), null);
});

test("a surface view: fixed = surface with its parameters and start; the run = the selected one", () => {
  const state = stateOfHash("surface", SURFACE_HASH);
  assert.deepEqual(fixedOf("surface", state), { surface: { id: "quadratic", condition: 20 }, start: [-1.5, 2] });
  const run = runOf("surface", state);
  assert.deepEqual(run, { surface: { id: "quadratic", condition: 20 }, start: [-1.5, 2], steps: 300, runs: [{ optimizer: "adam", lr: 0.1 }] });
  // the oracle: what the descent page itself sends for that run (less its colour)
  const page = new Store(SCHEMA);
  const s = { ...page.state, ...page.parse(SURFACE_HASH) };
  const spec = runSpec(s.runs[1]);
  delete spec.color;
  assert.deepEqual(run.runs[0], spec);
  assert.deepEqual(run.surface, surfaceSpec(s));
});

test("the defaults of a page with no hash make a valid config too", () => {
  const state = stateOfHash("surface", "");
  assert.deepEqual(runOf("surface", state), { surface: "rosenbrock", steps: 1500, runs: [{ optimizer: "sgd", lr: 0.001 }] });
  assert.deepEqual(fixedOf("surface", state), { surface: "rosenbrock" });
});

test("a network view: fixed = dataset, network and seed; the run = the network start, one run", () => {
  const hash = "#ds=spirals&n=300&hidden=16,16&act=relu&run=sgd,lr=0.3&run=adam,lr=0.01,batch=32&sel=1&seed=4&steps=500";
  const state = stateOfHash("network", hash);
  const run = runOf("network", state);
  const expected = startMessage({ ...state, runs: [state.runs[1]] });
  for (const key of ["type", "speed", "plane", "columns", "sharpness_every"]) delete expected[key];
  assert.deepEqual(run, expected);
  assert.deepEqual(run.runs, [{ optimizer: "adam", lr: 0.01, batch_size: 32 }]);
  assert.equal(run.steps, 500);
  const fixed = fixedOf("network", state);
  assert.deepEqual(Object.keys(fixed).sort(), ["dataset", "network", "seed"]);
  assert.equal(fixed.dataset.id, "spirals");
  assert.deepEqual(fixed.network, { hidden: [16, 16], activation: "relu" });
});

test("a challenge from the form: goal, budget, fixed part, and a title written when none given", () => {
  const state = stateOfHash("surface", SURFACE_HASH);
  const c = buildChallenge({ kind: "surface", state, goal: "largest_lr", target: 1e-3, steps: 200.4 });
  assert.deepEqual(c.goal, { kind: "largest_lr", metric: "loss", target: 1e-3 });
  assert.deepEqual(c.budget, { steps: 200 });
  assert.equal(c.title, "The largest lr that still converges (the loss f ≤ 0.001) on quadratic in 200 steps");
  assert.equal(buildChallenge({ kind: "surface", state, goal: "reach", target: 0.01, steps: 300, title: "  Race!  " }).title, "Race!");
  const best = buildChallenge({ kind: "network", state: stateOfHash("network", "#ds=spirals"), goal: "best", metric: "test_accuracy", steps: 500 });
  assert.deepEqual(best.goal, { kind: "best", metric: "test_accuracy", direction: "max" });
  assert.equal(best.fixed.test_fraction, 0.25, "a test metric needs held-out points");
  assert.equal(describeGoal(best), "The highest test accuracy on spirals after 500 steps");
});

test("results in words: the score by goal, or why it did not count", () => {
  const c = buildChallenge({ kind: "surface", state: stateOfHash("surface", ""), goal: "reach", target: 1e-3, steps: 300 });
  assert.equal(describeResult({ ok: true, score: 57 }, c), "Reached the target in 57 steps");
  assert.equal(describeResult({ ok: false, reason: "diverged at step 12" }, c), "Not scored: diverged at step 12");
  const lr = { ...c, goal: { kind: "largest_lr", metric: "loss", target: 1e-3 } };
  assert.equal(describeResult({ ok: true, score: 0.0123 }, lr), "Converged with lr = 0.0123");
});
