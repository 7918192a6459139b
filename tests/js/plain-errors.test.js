import { test } from "node:test";
import assert from "node:assert/strict";
import { plainMessage } from "../../static/js/backprop/plain-errors.js";

test("pydantic's wording becomes plain words; ours passes through", () => {
  assert.equal(plainMessage("Input should be a valid number, unable to parse string as a number"), "must be a number (like 0.5 or -2)");
  assert.equal(plainMessage("Input should be greater than 0"), "must be more than 0");
  assert.equal(plainMessage("Input should be less than or equal to 10"), "must be at most 10");
  assert.equal(plainMessage("Input should be greater than or equal to 4"), "must be at least 4");
  assert.equal(plainMessage("List should have at least 1 item after validation, not 0"), "needs at least 1 value");
  assert.equal(plainMessage("layer 1's W must have 1..64 rows of 2 values (its input width)"),
    "layer 1's W must have 1..64 rows of 2 values (its input width)");
});
