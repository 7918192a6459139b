// @ts-check
import { test } from "node:test";
import assert from "node:assert/strict";
import { autoLevels, isolines, levelValues } from "../../static/js/shared/contour-lines.js";

/** f on an n x n grid over [-2, 2]^2, null where `defined` says no. */
function sample(/** @type {(x: number, y: number) => number} */ f, n = 81, defined = (/** @type {number} */ _x) => true) {
  const axis = Array.from({ length: n }, (_, k) => -2 + (4 * k) / (n - 1));
  return { x: axis, y: axis, z: axis.map((y) => axis.map((x) => (defined(x) ? f(x, y) : null))) };
}

test("autoLevels: Plotly's round step just above range / n, the range's ends left out", () => {
  assert.deepEqual(autoLevels(0, 8, 22), { start: 0.5, end: 7.5, size: 0.5 });
  // a step of exactly 1 times a power of ten goes up to 2 (plotly's roundUp)
  assert.deepEqual(autoLevels(0, 22, 22), { start: 2, end: 20, size: 2 });
  const lv = autoLevels(-7.3, 3.41, 22);
  assert.equal(lv.size, 0.5);
  assert.ok(Math.abs(lv.start + 7) < 1e-12 && Math.abs(lv.end - 3) < 1e-12, JSON.stringify(lv));
  assert.equal(levelValues(lv).length, 21);
  assert.deepEqual(levelValues({ start: 1, end: 1, size: 1 }), [1]);
  // an empty range: one level, no division by zero
  assert.deepEqual(levelValues(autoLevels(3, 3, 22)), [3]);
});

test("isolines of x^2 + y^2 are circles of radius sqrt(level)", () => {
  const grid = sample((x, y) => x * x + y * y);
  const levels = [0.25, 1, 2, 3.5];
  const lines = isolines(grid, levels);
  assert.equal(lines.length, levels.length);
  for (const [k, level] of levels.entries()) {
    const s = lines[k];
    assert.ok(s.length > 0 && s.length % 4 === 0);
    let length = 0;
    for (let i = 0; i < s.length; i += 4) {
      for (const o of [0, 2]) {
        const r2 = s[i + o] ** 2 + s[i + o + 1] ** 2;
        assert.ok(Math.abs(r2 - level) < 0.005, `level ${level}: a point at r^2 = ${r2}`);
      }
      length += Math.hypot(s[i + 2] - s[i], s[i + 3] - s[i + 1]);
    }
    const circle = 2 * Math.PI * Math.sqrt(level);
    assert.ok(Math.abs(length - circle) / circle < 0.01, `level ${level}: length ${length} vs ${circle}`);
  }
  // a level above every value, or below: no line
  assert.deepEqual(isolines(grid, [9, -1]), [[], []]);
});

test("isolines: the values go through f first; no line in cells with an undefined corner", () => {
  const grid = sample((x, y) => x * x + y * y, 81, (x) => x >= 0);
  const [s] = isolines(grid, [Math.log10(1)], (v) => Math.log10(v));
  assert.ok(s.length > 0);
  for (let i = 0; i < s.length; i += 2) {
    assert.ok(s[i] >= 0, `a point at x = ${s[i]}`);
    assert.ok(Math.abs(Math.hypot(s[i], s[i + 1]) - 1) < 0.01);
  }
});

test("isolines: a saddle cell gets two segments, split by its centre", () => {
  // one cell, corners a, c high and b, d low: the centre (mean 0.5) decides the pairing
  const grid = { x: [0, 1], y: [0, 1], z: [[1, 0], [0, 1]] };
  const [above] = isolines(grid, [0.4]); // centre 0.5 > 0.4: a and c joined, b and d cut off
  const [below] = isolines(grid, [0.6]); // centre < 0.6: a and c cut off
  assert.equal(above.length, 8);
  assert.equal(below.length, 8);
  const near = (/** @type {number[]} */ s, /** @type {number} */ px, /** @type {number} */ py) => {
    for (let i = 0; i < s.length; i += 4) {
      const mx = (s[i] + s[i + 2]) / 2;
      const my = (s[i + 1] + s[i + 3]) / 2;
      if (Math.hypot(mx - px, my - py) < 0.5) return true;
    }
    return false;
  };
  assert.ok(near(above, 1, 0) && near(above, 0, 1), "segments around the low corners b and d");
  assert.ok(near(below, 0, 0) && near(below, 1, 1), "segments around the high corners a and c");
});
