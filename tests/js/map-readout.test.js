// @ts-check
import { test } from "node:test";
import assert from "node:assert/strict";
import { linearMapping } from "../../static/js/shared/canvas-axes.js";
import { mapPointLines, nearestMinimum, nearestNode } from "../../static/js/shared/plots.js";

// f = x + 10 y on x in [-1, 1] (5 nodes), y in [0, 2] (3 nodes): z[i][j] at (x[j], y[i])
const xs = [-1, -0.5, 0, 0.5, 1];
const ys = [0, 1, 2];
const grid = {
  x: xs, y: ys, z: ys.map((y) => xs.map((x) => x + 10 * y)),
  surface: { minima: [[0.5, 1]], min_value: 10.5 },
};

test("nearestNode: the node nearest (x, y) as [row, column]; null off the grid", () => {
  assert.deepEqual(nearestNode(grid, 0.3, 1.4), [1, 3]);
  assert.deepEqual(nearestNode(grid, -1.2, -0.4), [0, 0]); // within half a step of the edge
  assert.equal(nearestNode(grid, 1.3, 1), null);
  assert.equal(nearestNode(grid, 0, 2.6), null);
});

test("mapPointLines: the node's x, y and f, as Plotly's hover said them", () => {
  assert.deepEqual(mapPointLines(grid, 2, 1), ["x = -0.5, y = 2", "f(x, y) = 19.5"]);
  const [, f] = mapPointLines(grid, 1, 3);
  assert.equal(f, "f(x, y) = 10.5");
});

test("nearestMinimum: the star under the pixel, within its radius", () => {
  const m = linearMapping(0, 0, 200, 200, [[-1, 1], [0, 2]]);
  const [px, py] = [m.px(0.5), m.py(1)];
  assert.match(String(nearestMinimum(grid.surface, m, px + 3, py - 4)), /^a minimum: \(0\.5, 1\), f = 10\.5/);
  assert.equal(nearestMinimum(grid.surface, m, px + 30, py), null);
  assert.equal(nearestMinimum({}, m, px, py), null);
});
