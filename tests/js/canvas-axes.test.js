// @ts-check
import { test } from "node:test";
import assert from "node:assert/strict";
import { niceTicks, tickLabel } from "../../static/js/shared/canvas-axes.js";

test("niceTicks: round steps of 1, 2 or 5 times a power of ten, inside the range", () => {
  assert.deepEqual(niceTicks(-2, 2), [-2, -1, 0, 1, 2]);
  assert.deepEqual(niceTicks(0, 1, 4), [0, 0.5, 1]);
  assert.deepEqual(niceTicks(-1.3, 1.7, 4), [-1, 0, 1]);
  for (const [lo, hi] of [[-3.7, 12.1], [0.001, 0.0093], [-1e5, 3e5]]) {
    const t = niceTicks(lo, hi);
    assert.ok(t.length >= 2 && t.length <= 9, `${lo}..${hi}: ${t}`);
    assert.ok(t.every((v) => v >= lo - 1e-12 && v <= hi + 1e-12), `${lo}..${hi}: ${t}`);
    const step = t[1] - t[0];
    const m = step / 10 ** Math.floor(Math.log10(step));
    assert.ok([1, 2, 5].some((k) => Math.abs(m - k) < 1e-9), `step ${step}`);
  }
});

test("niceTicks: an empty range is its one value", () => {
  assert.deepEqual(niceTicks(3, 3), [3]);
});

test("tickLabel: 3 significant digits, a minus sign for negatives (as Plotly's ticks)", () => {
  assert.equal(tickLabel(-1), "\u22121");
  assert.equal(tickLabel(-0.25), "\u22120.25");
  assert.equal(tickLabel(0), "0");
  assert.equal(tickLabel(1.5), "1.5");
  assert.ok(!tickLabel(-2.5).includes("-"), "no hyphen");
});
