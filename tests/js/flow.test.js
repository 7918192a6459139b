// The descent view's gradient-flow reference (descent/flow.js): the request it makes and the
// distances it charts.
import assert from "node:assert/strict";
import { test } from "node:test";

import { distanceSeries, flowBody } from "../../static/js/descent/flow.js";

const state = {
  surface: "ravine", params: { condition: 10 }, expr: "", start: [-2, 1], steps: 30000,
  runs: [{ optimizer: "sgd", lr: 0.01, hp: {}, color: "#000000" }, { optimizer: "adam", lr: 0.1, hp: { beta1: 0.8 } }],
};

test("the flow is asked for the runs as they start, within the server's runs x steps budget", () => {
  const body = flowBody(state);
  assert.deepEqual(body.surface, { id: "ravine", condition: 10 });
  assert.deepEqual(body.start, [-2, 1]);
  assert.equal(body.steps, 20000, "2 runs x 20,000 steps: the most the server compares");
  assert.deepEqual(body.runs[1], { optimizer: "adam", lr: 0.1, beta1: 0.8 });
  assert.equal(flowBody({ ...state, start: null, steps: 300 }).start, undefined, "the surface's default start");
  assert.equal(flowBody({ ...state, steps: 300 }).steps, 300);
});

test("a diverged run's distances stop where it diverged", () => {
  const run = { steps: [0, 1, 2, 3], distance: [0, 0.1, 5, null], diverged_at: 2 };
  assert.deepEqual(distanceSeries(run), { x: [0, 1], y: [0, 0.1] });
  assert.deepEqual(distanceSeries({ ...run, diverged_at: null }), { x: [0, 1, 2, 3], y: [0, 0.1, 5, null] });
});

test("the quadratic model from a grid of a quadratic is the quadratic itself", async () => {
  const { contourSegments, eigen2, gridHessian, modelLevels, quadraticModel, stepVerdict } = await import("../../static/js/descent/model.js");
  // f = 3x^2 + xy + y^2 on a grid with steps 0.1: central differences are exact for it
  const xs = Array.from({ length: 41 }, (_, k) => -2 + k * 0.1);
  const f = (x, y) => 3 * x * x + x * y + y * y;
  const grid = { x: xs, y: xs, z: xs.map((y) => xs.map((x) => f(x, y))) };
  const h = gridHessian(grid, 0.537, -1.21);
  for (const [got, want] of h.map((v, k) => [v, [6, 1, 2][k]])) assert.ok(Math.abs(got - want) < 1e-6, `${got} vs ${want}`);
  assert.equal(gridHessian(grid, 5, 0) !== null, true, "clamped to the last cell with neighbours");
  assert.equal(gridHessian({ ...grid, z: grid.z.map((row) => row.map(() => null)) }, 0, 0), null);
  const { values, top } = eigen2([6, 1, 2]);
  assert.ok(Math.abs(values[0] + values[1] - 8) < 1e-12 && Math.abs(values[0] * values[1] - 11) < 1e-12);
  assert.ok(Math.abs(6 * top[0] + top[1] - values[0] * top[0]) < 1e-12, "an eigenvector of the larger");
  const p = [1, 1];
  const model = quadraticModel(p, f(1, 1), [7, 3], [6, 1, 2], 0.1);
  assert.ok(Math.hypot(...model.minimum) < 1e-12, "the model's minimum is the quadratic's");
  assert.ok(Math.abs(model.value(0.3, -0.4) - f(0.3, -0.4)) < 1e-12);
  assert.ok(Math.abs(model.step[0] - 0.3) + Math.abs(model.step[1] - 0.7) < 1e-12, "p - lr g");
  const levels = modelLevels(model, f(1, 1), 1);
  assert.equal(levels[3], f(1, 1), "one level passes through the point");
  const segs = contourSegments(model.value, [[-2, 2], [-2, 2]], [levels[3]]);
  for (const [x0, y0] of segs[0]) assert.ok(Math.abs(f(x0, y0) - f(1, 1)) < 0.05 * f(1, 1));
  assert.ok(segs[0].length > 20);
  assert.match(stepVerdict(0.5, false), /stops short/);
  assert.match(stepVerdict(1.5, false), /overshoots .* lands closer/);
  assert.match(stepVerdict(2.5, false), /diverges/);
  assert.match(stepVerdict(2.5, true), /saddle/);
  assert.equal(quadraticModel(p, 0, [1, 0], [1, 0, -1], 0.1).minimum, null, "a saddle has none");
});
