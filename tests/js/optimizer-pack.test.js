// Issue #16's pure front-end parts: a choice hyperparameter in the link, sanitize's refusals,
// the picker's run-kind filter and families, the hyperparameter field's refusal rule.
import assert from "node:assert/strict";
import { test } from "node:test";

import { RunType, sanitize } from "../../static/js/descent/state.js";
import { refusal } from "../../static/js/shared/hp-field.js";
import { groupedFor, offeredFor } from "../../static/js/shared/optimizer-picker.js";

const spec = (min, max, d, extra = {}) => ({ default: d, min, max, help: "", log: false, kind: "float", label: "", ...extra });
const lbfgs = {
  id: "lbfgs", family: "Curvature and line search", run_kinds: ["surface", "network"],
  hyperparameters: {
    lr: spec(1e-6, 10, 1), max_eval: spec(1, 1000, null, { kind: "int", nullable: true }),
    line_search_fn: spec(0, 0, null, { kind: "choice", nullable: true, choices: ["strong_wolfe"] }),
  },
};
const registries = {
  surfaces: [{ id: "rosenbrock", parameters: {} }],
  optimizers: [
    { id: "sgd", family: "Gradient descent", run_kinds: ["surface", "network"], hyperparameters: { lr: spec(1e-6, 10, 1e-3) } },
    { id: "newton", family: "Curvature and line search", run_kinds: ["surface"], hyperparameters: { lr: spec(1e-6, 10, 1) } },
    { id: "muon", family: "Matrix updates (networks)", run_kinds: ["network"], hyperparameters: { lr: spec(1e-6, 10, 1e-3) } },
    { id: "asgd", family: "Gradient descent", run_kinds: ["surface", "network"], hyperparameters: { lr: spec(1e-6, 10, 1e-2) } },
    lbfgs,
  ],
  schedules: [],
  stateKeys: {},
};
const base = { surface: "rosenbrock", expr: "", params: {}, steps: 100, speed: 10, show: [], sel: 0 };

test("a choice hyperparameter round-trips through the link by its string", () => {
  const text = "lbfgs,lr=1,max_eval=25,line_search_fn=strong_wolfe";
  const run = RunType.parse(text);
  assert.deepEqual(run, { optimizer: "lbfgs", lr: 1, hp: { max_eval: 25, line_search_fn: "strong_wolfe" } });
  assert.equal(RunType.format(run), text);
  assert.equal(RunType.parse("sgd,lr=junk").lr, undefined, "lr is a number or nothing");
});

test("sanitize keeps valid choices and says what it changes", () => {
  const said = [];
  const warn = (text) => said.push(text);
  const runs = [
    { optimizer: "lbfgs", lr: 1, hp: { line_search_fn: "strong_wolfe", max_eval: 25 } },
    { optimizer: "lbfgs", lr: 50, hp: { line_search_fn: "armijo", max_eval: 5000 } },
  ];
  const out = sanitize({ ...base, runs }, registries, {}, warn);
  assert.deepEqual(out.runs[0].hp, { line_search_fn: "strong_wolfe", max_eval: 25 });
  assert.deepEqual(out.runs[1].hp, { max_eval: 1000 });
  assert.equal(out.runs[1].lr, 10);
  assert.equal(said.length, 3, said.join(" | "));
  assert.ok(said.some((t) => t.includes("armijo")));
  said.length = 0;
  const muon = sanitize({ ...base, runs: [{ optimizer: "muon", hp: {} }, { optimizer: "sgd", hp: {} }] }, registries, {}, warn);
  assert.deepEqual(muon.runs.map((r) => r.optimizer), ["sgd"], "a network-only optimizer is left out of a surface's runs");
  assert.equal(said.length, 1);
});

test("the picker offers what a run kind can serve, grouped by family in first-member order", () => {
  assert.deepEqual(offeredFor(registries.optimizers, "surface").map((o) => o.id), ["sgd", "newton", "asgd", "lbfgs"]);
  assert.deepEqual(offeredFor(registries.optimizers, "network").map((o) => o.id), ["sgd", "muon", "asgd", "lbfgs"]);
  assert.deepEqual(groupedFor(registries.optimizers, "surface").map(([f, list]) => [f, list.map((o) => o.id)]), [
    ["Gradient descent", ["sgd", "asgd"]],
    ["Curvature and line search", ["newton", "lbfgs"]],
  ]);
});

test("a hyperparameter field refuses what its spec refuses, and says why", () => {
  const maxEval = lbfgs.hyperparameters.max_eval;
  assert.equal(refusal("max_eval", maxEval, ""), "", "empty is null: auto");
  assert.equal(refusal("max_eval", maxEval, "25"), "");
  assert.match(refusal("max_eval", maxEval, "2.5"), /whole number/);
  assert.match(refusal("max_eval", maxEval, "5000"), /from 1 to 1000: 5000 is out of range/);
  assert.match(refusal("lr", registries.optimizers[0].hyperparameters.lr, ""), /needs a value/);
  assert.match(refusal("lr", registries.optimizers[0].hyperparameters.lr, "1e9"), /out of range; .* is in use/);
});

test("a trajectory keeps each step's trials and forgets them when the run goes back", async () => {
  const { Trajectory } = await import("../../static/js/descent/trajectory.js");
  const t = new Trajectory();
  t.absorb({ steps: { step: [0, 1, 2], params: [[0, 0], [1, 1], [2, 2]], grad: [[0, 0], [0, 0], [0, 0]], loss: [1, 1, 1], lr: [null, 1, 1],
    trials: [[], [[0.5, 0.5], [1, 1]], [[2, 2]]] }, state: { d: 1e-6 } });
  assert.deepEqual(t.trials.rows(), [[1, 0.5, 0.5], [1, 1, 1], [2, 2, 2]]);
  assert.deepEqual(t.trials.byStep(3), [[], [[0.5, 0.5], [1, 1]], [[2, 2]]]);
  t.absorb({ steps: { step: [2], params: [[3, 3]], grad: [[0, 0]], loss: [1], lr: [1], trials: [[[9, 9]]] }, state: { d: 2e-6 } });
  assert.deepEqual(t.trials.rows(), [[1, 0.5, 0.5], [1, 1, 1], [2, 9, 9]], "step 2 again: its old trials are gone");
  assert.deepEqual(t.stateLog.map(([i, s]) => [i, s.d]), [[2, 2e-6]]);
});

test("the state chart follows the keys the API marks for a chart, per run", async () => {
  const { Trajectory } = await import("../../static/js/descent/trajectory.js");
  const { chartSeries } = await import("../../static/js/descent/state-chart.js");
  const keys = { d: { label: "d", help: "", draw: "chart" }, m: { label: "m", help: "", draw: "" } };
  const prodigy = new Trajectory();
  const adam = new Trajectory();
  for (const [k, d] of [[0, 1e-6], [1, 1e-4], [2, null]]) {
    const cols = { step: [k], params: [[k, k]], grad: [[0, 0]], loss: [1], lr: [1] };
    prodigy.absorb({ steps: cols, state: { d, m: [0, 0] } });
    adam.absorb({ steps: cols, state: { m: [0, 0] } });
  }
  const series = chartSeries(keys, [{ optimizer: "prodigy" }, { optimizer: "adam" }], [prodigy, adam]);
  assert.deepEqual(series.map((s) => [s.run, s.key, s.x, s.y]), [[0, "d", [0, 1, 2], [1e-6, 1e-4, null]]]);
});
