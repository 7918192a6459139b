// Readout formatting (static/js/shared/format.js): short, stable, and a dash for what is missing.
import assert from "node:assert/strict";
import { test } from "node:test";

import { clamp, fmt, isNum, roundSig } from "../../static/js/shared/format.js";

test("fmt: significant digits, exponent form when tiny or huge, a dash when missing", () => {
  const cases = [
    [0, "0"], [1.23456, "1.23"], [-0.000999999, "-0.001"], [0.0001234, "1.23e-4"],
    [123456, "1.23e5"], [100000, "1e5"], [99999, "1e5"], [12.5, "12.5"],
    [null, "—"], [undefined, "—"], [NaN, "—"], [Infinity, "—"], ["3", "—"],
  ];
  for (const [x, want] of cases) assert.equal(fmt(x), want, `fmt(${x})`);
  assert.equal(fmt(Math.PI, 5), "3.1416");
});

test("roundSig", () => {
  assert.equal(roundSig(0.123456), 0.1235);
  assert.equal(roundSig(0), 0);
  assert.equal(roundSig(null), null);
});

test("isNum and clamp", () => {
  assert.deepEqual([1, 0, -2.5].map(isNum), [true, true, true]);
  assert.deepEqual([NaN, Infinity, null, "1"].map(isNum), [false, false, false, false]);
  assert.equal(clamp(5, 0, 1), 1);
  assert.equal(clamp(-5, 0, 1), 0);
  assert.equal(clamp(0.5, 0, 1), 0.5);
});
