// static/js/backprop/steps.js: the pure pieces of the walk-through.
import assert from "node:assert/strict";
import { test } from "node:test";

import { isOff } from "../../static/js/backprop/steps.js";

test("a ReLU unit is off where z <= 0", () => {
  assert.equal(isOff(-0.5, 0), true);
  assert.equal(isOff(0, 0), true);
  assert.equal(isOff(0.5, 0.5), false);
});

test("an overflowed z (null) is judged by its a: +inf is on, -inf is off", () => {
  // POST /api/mlp/backprop with W1 = [[1e200, 1e200], [-1e200, 1]], x = [1e200, 1e200]:
  // z1 = [null, null] (+inf, -inf), a1 = [null, 0]
  assert.equal(isOff(null, null), false);
  assert.equal(isOff(null, 0), true);
});
