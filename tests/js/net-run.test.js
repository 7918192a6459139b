// A network run's streamed steps (static/js/network/run.js): columns land at their step, a reset
// (a step we hold already) starts over, missing numbers are NaN inside and null in exports.
import assert from "node:assert/strict";
import { test } from "node:test";

import { NetRun } from "../../static/js/network/run.js";

const frame = (from, n) => ({
  step: Array.from({ length: n }, (_, k) => from + k),
  loss: Array.from({ length: n }, (_, k) => 1 / (from + k + 1)),
  accuracy: Array.from({ length: n }, () => 0.5),
  lr: Array.from({ length: n }, () => 0.1),
  plane: Array.from({ length: n }, (_, k) => [from + k, -(from + k)]),
  grad_norms: Array.from({ length: n }, () => [1, 2]),
});

test("steps land at their index and grow past the first capacity", () => {
  const run = new NetRun({ optimizer: "sgd", lr: 0.1 }, 2);
  run.absorb({ status: "running", steps: frame(0, 200) });
  run.absorb({ steps: frame(200, 200) });
  assert.equal(run.n, 400);
  assert.equal(run.step[399], 399);
  assert.equal(run.last("loss"), 1 / 400);
  assert.deepEqual(run.rows()[3], [3, 0.25, 0.5, 0.1, 3, -3, 1, 2]);
});

test("a step held already is a reset: the run starts over from there", () => {
  const run = new NetRun({ optimizer: "sgd", lr: 0.1 }, 2);
  run.absorb({ steps: frame(0, 10) });
  run.absorb({ steps: frame(0, 3) });
  assert.equal(run.n, 3);
  assert.equal(run.status, "running");
});

test("a diverged step is null in exports and its boundary is not kept", () => {
  const run = new NetRun({ optimizer: "sgd", lr: 0.1 }, 1);
  run.absorb({ steps: frame(0, 2), boundary: { step: 1, z: [[0]] } });
  run.absorb({ status: "diverged", lr: 5, boundary: { step: 2, z: [[1e30]] },
    steps: { step: [2], loss: [null], accuracy: [null], lr: [5], plane: [[null, null]], grad_norms: [[null]] } });
  assert.deepEqual(run.rows()[2], [2, null, null, 5, null, null, null]);
  assert.deepEqual(run.boundary, { step: 1, z: [[0]] });
  assert.equal(run.lrNext, 5);
  assert.equal(run.lrInEffect, 5);
  assert.equal(run.last("loss"), 0.5, "the last finite loss");
});
