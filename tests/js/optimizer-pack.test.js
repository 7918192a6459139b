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
  assert.match(refusal("max_eval", maxEval, "5000"), /between 1 and 1000/);
  assert.match(refusal("lr", registries.optimizers[0].hyperparameters.lr, ""), /needs a value/);
  assert.match(refusal("lr", registries.optimizers[0].hyperparameters.lr, "1e9"), /between/);
});
