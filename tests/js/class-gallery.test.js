// The gallery's data (static/js/class/gallery-data.js): a challenge's surface as the descent page's
// state, paths and boundaries from submissions, the scatter by optimizer, the leaderboard's rows.
import assert from "node:assert/strict";
import { test } from "node:test";

import { boardRows, boundaryOf, logFinal, logFloor, pathOf, scatterOf, surfaceStateOf } from "../../static/js/class/gallery-data.js";
import { gridURL } from "../../static/js/descent/state.js";

test("a challenge's surface, in every form a fixed part may give it, makes the page's grid URL", () => {
  assert.deepEqual(surfaceStateOf({ surface: "rosenbrock" }), { surface: "rosenbrock", expr: "", params: {} });
  assert.deepEqual(surfaceStateOf({ surface: { id: "quadratic", condition: 20 } }), { surface: "quadratic", expr: "", params: { condition: 20 } });
  assert.deepEqual(surfaceStateOf({ surface: "quadratic", params: { condition: 5 } }), { surface: "quadratic", expr: "", params: { condition: 5 } });
  assert.deepEqual(surfaceStateOf({ surface: { expr: "x**2 + y**2" } }), { surface: "custom", expr: "x**2 + y**2", params: {} });
  assert.equal(gridURL(surfaceStateOf({ surface: { id: "quadratic", condition: 20 } }), 101), "/api/surfaces/quadratic/grid?n=101&condition=20");
});

test("paths as columns (a missing coordinate is a gap), boundaries only when the server sent a grid", () => {
  assert.deepEqual(pathOf({ path: [[1, 2], [0.5, null], [0, 0]] }), { x: [1, 0.5, 0], y: [2, null, 0] });
  assert.equal(pathOf({ path: [] }), null);
  assert.equal(pathOf({}), null);
  assert.deepEqual(pathOf({ result: { path: [[3, 4]] } }), { x: [3], y: [4] });
  const b = { x: [0, 1], y: [0, 1], z: [[0.1, 0.9], [0.2, 0.8]] };
  assert.equal(boundaryOf({ boundary: b }), b);
  assert.equal(boundaryOf({ boundary: null }), null);
});

test("the scatter: one series per optimizer, with who and whether it counted; no final, no point", () => {
  const subs = [
    { id: 1, nickname: "ada", optimizer: "sgd", lr: 0.1, final: 1e-4, ok: true },
    { id: 2, nickname: "bo", optimizer: "adam", lr: 0.01, final: 0.5, ok: false },
    { id: 3, nickname: "cy", optimizer: "sgd", lr: 0.6, final: null, ok: false },
    { id: 4, nickname: "di", optimizer: "sgd", lr: 0.3, final: 2e-3, ok: true },
  ];
  const { groups, missing } = scatterOf(subs);
  assert.equal(missing, 1);
  assert.deepEqual(groups.map((g) => [g.optimizer, g.lr, g.final, g.ok]), [["sgd", [0.1, 0.3], [1e-4, 2e-3], [true, true]], ["adam", [0.01], [0.5], [false]]]);
  assert.deepEqual(groups.map((g) => g.index), [[0, 3], [1]], "each point knows its leaderboard row");
  assert.match(groups[1].text[0], /^bo: adam, lr 0\.01 → 0\.5 \(not scored\)$/);
  assert.equal(logFinal(subs), true);
  assert.equal(logFinal([{ final: -1 }, { final: 2 }]), false);
  assert.equal(logFinal([{ final: null }]), false);
  assert.equal(logFinal([{ final: 0 }, { final: 3 }]), true, "a loss of 0: drawn at the floor");
  assert.equal(logFinal([{ final: 0 }]), false);
  assert.equal(logFinal([{ final: 0.9 }], "test_accuracy"), false, "an accuracy: linear");
  assert.ok(Math.abs(logFloor([{ final: 0 }, { final: 2e-120 }, { final: 3 }]) / 2e-122 - 1) < 1e-12, "0 sits just below the smallest");
  assert.equal(logFloor([{ final: 0 }]), 1e-12);
});

test("the leaderboard keeps the server's order; ranks count the scored runs only", () => {
  const challenge = { title: "t", kind: "surface", fixed: {}, budget: { steps: 100 }, goal: { kind: "largest_lr", metric: "loss", target: 1e-3 } };
  const rows = boardRows([
    { id: 5, nickname: "ada", optimizer: "sgd", lr: 0.5, final: 1e-4, score: 0.5, ok: true },
    { id: 6, nickname: "<b>bo</b>", optimizer: "sgd", lr: 0.2, final: 1e-5, score: 0.2, ok: true },
    { id: 7, nickname: "cy", optimizer: "sgd", lr: 2, final: null, ok: false, reason: "diverged at step 3" },
  ], challenge);
  assert.deepEqual(rows.map((r) => [r.rank, r.nickname, r.ok]), [["1", "ada", true], ["2", "<b>bo</b>", true], ["—", "cy", false]]);
  assert.equal(rows[0].result, "✓ lr 0.5");
  assert.equal(rows[2].result, "✗ diverged at step 3");
});
