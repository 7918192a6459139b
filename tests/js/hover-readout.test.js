// @ts-check
import { test } from "node:test";
import assert from "node:assert/strict";
import { nearestPoint } from "../../static/js/shared/hover-readout.js";

test("nearestPoint: the closest point within the radius, -1 when none is", () => {
  const pts = [[0, 0], [10, 0], [30, 0]];
  const at = (/** @type {number} */ i) => /** @type {[number, number]} */ (pts[i]);
  assert.equal(nearestPoint(8, 1, 3, at), 1);
  assert.equal(nearestPoint(2, 0, 3, at), 0);
  assert.equal(nearestPoint(20.5, 0, 3, at, 5), -1);
  assert.equal(nearestPoint(26, 0, 3, at, 5), 2);
});

test("nearestPoint: points not drawn (null) are skipped", () => {
  assert.equal(nearestPoint(0, 0, 2, (i) => (i === 0 ? null : [3, 4])), 1);
  assert.equal(nearestPoint(0, 0, 0, () => [0, 0]), -1);
});
