// A network run's streamed steps (static/js/network/run.js): columns land at their step, a reset
// (a step we hold already) starts over, missing numbers are NaN inside and null in exports.
import assert from "node:assert/strict";
import { test } from "node:test";

import { NetRun, unpack, unpackLayers } from "../../static/js/network/run.js";

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

test("packed weights (columns: base64 of little-endian float64s) unpack to the exact numbers", () => {
  // Strings made by the server's serializer (app/api/live/kinds.py `packed`) from
  // W = [[0.1, -2.5, 1e-300], [3, 1/3, -0]] and b = [7.25, -1e10].
  const W = "mpmZmZmZuT8AAAAAAAAEwFnz+MIfbqUBAAAAAAAACEBVVVVVVVXVPwAAAAAAAACA";
  const b = "AAAAAAAAHUAAAAAgX6ACwg==";
  assert.deepEqual(unpack(b), [7.25, -1e10]);
  assert.deepEqual(unpackLayers([{ W, b }]), [{ W: [[0.1, -2.5, 1e-300], [3, 1 / 3, -0]], b: [7.25, -1e10] }]);
  assert.ok(Object.is(unpackLayers([{ W, b }])[0].W[1][2], -0));
  // Numbers (rows, or weights that are not finite) pass as they are.
  assert.deepEqual(unpackLayers([{ W: [[1, null]], b: [2] }]), [{ W: [[1, null]], b: [2] }]);
});

test("only a frame's latest weights and gradients are kept, unpacked", () => {
  const run = new NetRun({ optimizer: "sgd", lr: 0.1 }, 1);
  const w = (x) => [{ W: Buffer.from(new Float64Array([x, x + 1]).buffer).toString("base64"), b: Buffer.from(new Float64Array([x]).buffer).toString("base64") }];
  run.absorb({ steps: { ...frame(0, 3), weights: [w(1), null, w(5)], grads: [w(-1), null, w(-5)] } });
  assert.deepEqual(run.weights, { step: 2, layers: [{ W: [[5, 6]], b: [5] }] });
  assert.deepEqual(run.grads, { step: 2, layers: [{ W: [[-5, -4]], b: [-5] }] });
});
