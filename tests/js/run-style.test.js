// Run styles (static/js/shared/run-style.js): the first runs differ in pattern and in marker.
import assert from "node:assert/strict";
import { test } from "node:test";

import { markerPoints, runStyle } from "../../static/js/shared/run-style.js";

test("the first six runs each have their own line pattern and marker", () => {
  const styles = Array.from({ length: 6 }, (_, i) => runStyle(i));
  assert.equal(new Set(styles.map((s) => s.dash)).size, 6);
  assert.equal(new Set(styles.map((s) => s.shape)).size, 6);
  assert.equal(new Set(styles.map((s) => s.symbol3d)).size, 6);
  assert.deepEqual(styles[0].lineDash, [], "the first run is solid");
  assert.deepEqual(runStyle(6), runStyle(0), "then they repeat");
});

test("markers are centred polygons of about the given radius; the circle has no corners", () => {
  assert.equal(markerPoints("circle", 0, 0, 5), null);
  for (const [shape, corners] of [["square", 4], ["diamond", 4], ["triangle", 3], ["triangle-down", 3], ["hexagon", 6]]) {
    const points = markerPoints(shape, 10, 20, 5);
    assert.equal(points.length, corners, shape);
    const cx = points.reduce((a, p) => a + p[0], 0) / corners;
    const cy = points.reduce((a, p) => a + p[1], 0) / corners;
    assert.ok(Math.abs(cx - 10) < 1e-9 && Math.abs(cy - 20) < 1e-9, shape);
    for (const [x, y] of points) assert.ok(Math.hypot(x - 10, y - 20) <= 5 * 1.35 + 1e-9, shape);
  }
  const [apex] = markerPoints("triangle", 0, 0, 1);
  assert.ok(apex[1] < 0, "the triangle points up (canvas y grows downwards)");
});
