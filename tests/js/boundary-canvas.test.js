// The 0.5 line the canvas stand-in draws over a boundary grid (static/js/network/boundary-canvas.js):
// marching squares, checked against grids whose crossing is known in closed form.
import assert from "node:assert/strict";
import { test } from "node:test";

import { halfContour } from "../../static/js/network/boundary-canvas.js";

/** P(class 1) = f(column, row) on an n x n grid, z[row][column]. */
const grid = (n, f) => Array.from({ length: n }, (_r, i) => Array.from({ length: n }, (_c, j) => f(j, i)));

test("a vertical boundary: every segment lies on the column where P crosses 0.5", () => {
  // P rises linearly along x and is 0.5 at x = 2.25
  const segs = halfContour(grid(6, (x) => 0.5 + (x - 2.25) * 0.1));
  assert.equal(segs.length, 5); // one per row of cells
  for (const [x0, , x1] of segs) {
    assert.ok(Math.abs(x0 - 2.25) < 1e-12 && Math.abs(x1 - 2.25) < 1e-12, `segment at x = ${x0}, ${x1}`);
  }
});

test("a diagonal boundary x + y = 4 is traced through the cells it crosses, and only those", () => {
  const segs = halfContour(grid(6, (x, y) => 1 / (1 + Math.exp(-(x + y - 4)))));
  assert.ok(segs.length >= 5);
  for (const [x0, y0, x1, y1] of segs) {
    assert.ok(Math.abs(x0 + y0 - 4) < 1e-9 && Math.abs(x1 + y1 - 4) < 1e-9);
  }
});

test("no crossing, or a cell with a missing value (a diverged run): no segment", () => {
  assert.deepEqual(halfContour(grid(4, () => 0.2)), []);
  const z = grid(2, (x) => x); // crosses between the columns...
  z[0][0] = null; // ...but the only cell has a hole
  assert.deepEqual(halfContour(z), []);
});
