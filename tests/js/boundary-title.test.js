// The title over a run's boundary plot (static/js/network/boundary-title.js): the same words on
// the canvas stand-in and in Plotly, the accuracy only where it fits.
import assert from "node:assert/strict";
import { test } from "node:test";

import { cellTitle, runTitle } from "../../static/js/network/boundary-title.js";

/** A NetRun as far as the title reads it. */
const run = (n, status, loss, acc) => ({ n, status, divergedAt: null, last: (k) => ({ loss, acc })[k] });

test("a trained run's title: name, loss and accuracy", () => {
  const t = runTitle(0, "SGD", run(37, "running", 0.72345, 0.364));
  assert.deepEqual(t, { head: "1. SGD", rest: " · loss 0.723", more: " · 36% right" });
  assert.deepEqual(cellTitle(t, 12, 1000), { head: "1. SGD", rest: " · loss 0.723 · 36% right" });
});

test("the accuracy is left out where the line would not fit", () => {
  const t = runTitle(1, "Adam", run(10, "running", 0.5, 0.9));
  const chars = (t.head + t.rest + t.more).length;
  assert.equal(cellTitle(t, 12, chars * 12 * 0.58).rest, " · loss 0.5 · 90% right");
  assert.equal(cellTitle(t, 12, chars * 12 * 0.58 - 1).rest, " · loss 0.5");
});

test("before a step, after divergence, and for regression (no accuracy)", () => {
  assert.deepEqual(runTitle(2, "SGD", null), { head: "3. SGD", rest: "", more: "" });
  assert.deepEqual(runTitle(0, "SGD", { ...run(12, "diverged", NaN, null), divergedAt: 11 }).rest, " · diverged at step 11");
  assert.equal(runTitle(0, "SGD", run(5, "running", 0.1, null)).more, "");
});
