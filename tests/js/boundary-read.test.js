// What the decision-boundary plot's hover readout says (static/js/network/boundary-canvas.js
// boundaryLines and its parts): a data point within reach wins, else the spot under the pointer;
// over a run's title, the whole title and that a click selects the run.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  boundaryLines, boxAt, curveLines, pointKind, pointLines, predictionLine, spotLines,
} from "../../static/js/network/boundary-canvas.js";
import { nearestIndex } from "../../static/js/shared/canvas-axes.js";

const axis = (lo, hi, n) => Array.from({ length: n }, (_, k) => lo + ((hi - lo) * k) / (n - 1));
const title = (head) => ({ head, rest: " · loss 0.5", more: " · 90% right" });

/** Two classes on a 5 x 5 grid over [-1, 1]^2; P(class 1) = the column's index / 4. */
function classScene(overrides = {}) {
  const grid = { x: axis(-1, 1, 5), y: axis(-1, 1, 5) };
  const z = grid.y.map(() => grid.x.map((_, j) => j / 4));
  return {
    task: "classification", classes: 2, view: [[-1, 1], [-1, 1]], sel: 0, editing: false, grid,
    points: { x: [[-0.5, 0.5], [0.5, -0.5], [0.52, -0.48]], labels: [0, 1, 1], test: [false, false, true], flipped: [false, true, false] },
    runs: [{ label: "1. SGD", title: title("1. SGD"), color: "#d6336c", status: "running", boundary: { step: 7, z } }],
    ...overrides,
  };
}

/** One 200 x 200 px cell at (40, 30) showing [-1, 1]^2. */
const cells = [{ left: 40, top: 30, width: 200, height: 200, view: [[-1, 1], [-1, 1]], room: 236 }];
const px = (x) => 40 + ((x + 1) / 2) * 200;
const py = (y) => 30 + ((1 - y) / 2) * 200;

test("nearestIndex: the nearest value of an even axis, -1 beyond half a step past its ends", () => {
  const a = axis(-1, 1, 5); // step 0.5
  assert.equal(nearestIndex(a, -1), 0);
  assert.equal(nearestIndex(a, 0.2), 2);
  assert.equal(nearestIndex(a, 0.3), 3);
  assert.equal(nearestIndex(a, 1.2), 4);
  assert.equal(nearestIndex(a, 1.3), -1);
  assert.equal(nearestIndex(a, -1.3), -1);
  assert.equal(nearestIndex([2], 2), 0);
  assert.equal(nearestIndex([], 0), -1);
});

test("boxAt: the first box holding the point, edges included; null boxes skipped", () => {
  const boxes = [null, { left: 0, top: 0, width: 10, height: 10 }, { left: 5, top: 5, width: 10, height: 10 }];
  assert.equal(boxAt(boxes, 10, 10), 1);
  assert.equal(boxAt(boxes, 12, 12), 2);
  assert.equal(boxAt(boxes, 20, 0), -1);
});

test("a data point: its coordinates, class and kind, then what the cell's run predicts there", () => {
  const scene = classScene();
  assert.deepEqual(pointLines(scene, 0, scene.runs[0]), ["(-0.5, 0.5): class 0", "training point", "1. SGD: P(class 1) = 0.25"]);
  assert.deepEqual(pointLines(scene, 1, scene.runs[0]).slice(0, 2), ["(0.5, -0.5): class 1", "training point, label flipped"]);
  assert.equal(pointKind(scene.points, 2), "test point (never trained on)");
  // under the pointer: the nearest point within reach, here the held-out one 3 px off
  assert.deepEqual(boundaryLines(scene, cells, [], px(0.52) + 2, py(-0.48) + 2), ["(0.52, -0.48): class 1", "test point (never trained on)", "1. SGD: P(class 1) = 0.75"]);
});

test("an empty spot: the network's P(class 1) at the nearest grid node, or the predicted class", () => {
  const scene = classScene();
  assert.deepEqual(boundaryLines(scene, cells, [], px(1), py(0)), ["x₁ = 1, x₂ = 0", "1. SGD: P(class 1) = 1"]);
  assert.deepEqual(spotLines(scene, scene.runs[0], -0.9, 0.1), ["x₁ = -0.9, x₂ = 0.1", "1. SGD: P(class 1) = 0"]);
  const three = classScene({ classes: 3 });
  three.runs[0].boundary.z = three.grid.y.map(() => [0, 0, 1, 2, 2]);
  assert.deepEqual(spotLines(three, three.runs[0], 0.6, 0.6)[1], "1. SGD: predicted class 2");
});

test("where the run says nothing: no boundary yet, diverged, beyond its grid; outside the cells, null", () => {
  const scene = classScene();
  const run = scene.runs[0];
  assert.equal(predictionLine(scene, { ...run, boundary: null }, 0, 0), "1. SGD: no prediction yet");
  const holes = { ...run, status: "diverged", boundary: { step: 3, z: scene.grid.y.map(() => scene.grid.x.map(() => null)) } };
  assert.equal(predictionLine(scene, holes, 0, 0), "1. SGD: diverged, no prediction");
  assert.equal(predictionLine(scene, run, 1.6, 0), "1. SGD: no prediction here (outside its grid)");
  assert.equal(boundaryLines(scene, cells, [], 10, 10), null); // in the tick labels' margin
});

test("a run's title: its whole text (the accuracy too, where the cell had no room) and what a click does", () => {
  const scene = classScene();
  const titles = [{ left: 80, top: 5, width: 120, height: 20, text: "1. SGD · loss 0.5" }];
  assert.deepEqual(boundaryLines(scene, cells, titles, 100, 15), ["1. SGD · loss 0.5 · 90% right", "click: select this run (its weights, gradients and landscape point)"]);
});

test("one-hot inputs: a point reads a + b ≡ c; an empty spot of the table nothing", () => {
  const scene = classScene({
    oneHot: true, grid: null, classes: 5, view: [[-1, 5], [-1, 5]],
    points: { x: [[2, 4], [3, 3]], labels: [1, 1], test: [true, false] },
  });
  scene.runs[0].boundary = null;
  const oneHotCells = [{ ...cells[0], view: scene.view }];
  const at = (v) => 40 + ((v + 1) / 6) * 200;
  const atY = (v) => 30 + ((5 - v) / 6) * 200;
  assert.deepEqual(boundaryLines(scene, oneHotCells, [], at(2), atY(4)), ["2 + 4 ≡ 1", "test point (never trained on)"]);
  assert.equal(boundaryLines(scene, oneHotCells, [], at(0), atY(0)), null);
});

test("regression: a data point and each run's ŷ at its x; a spot reads x and every ŷ", () => {
  const grid = { x: axis(-1, 1, 5), y: [] };
  const scene = {
    task: "regression", classes: 1, view: [[-1, 1], [-2, 2]], sel: 0, editing: false, grid,
    points: { x: [[0.5, 0]], labels: [1.25], test: null },
    runs: [
      { label: "1. SGD", title: title("1. SGD"), color: "#d6336c", status: "running", boundary: { step: 9, z: [[0], [0.25], [0.5], [0.75], [1]] } },
      { label: "2. Adam", title: title("2. Adam"), color: "#5f3dc4", status: "diverged", boundary: { step: 4, z: [1, 1, null, null, null] } },
      { label: "3. SGD", title: title("3. SGD"), color: "#2b8a3e", status: "running", boundary: null },
    ],
  };
  assert.deepEqual(pointLines(scene, 0, null), ["data: x = 0.5, y = 1.25", "training point", "1. SGD: ŷ = 0.75", "2. Adam: ŷ = — (diverged)"]);
  const reg = [{ ...cells[0], view: scene.view }];
  assert.deepEqual(boundaryLines(scene, reg, [], 40 + 0.5 * 200, 30 + 190), ["x = 0", "1. SGD: ŷ = 0.5", "2. Adam: ŷ = — (diverged)"]);
  assert.deepEqual(boundaryLines(scene, reg, [], 40 + 0.75 * 200 + 3, 30 + 37.5 - 3)[0], "data: x = 0.5, y = 1.25");
  assert.deepEqual(curveLines(scene, 3), []); // off the grid
  assert.equal(spotLines({ ...scene, runs: [] }, null, 0, 0), null);
});
