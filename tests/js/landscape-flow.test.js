// @ts-check
// The gradient flow on the network's landscape (network/flow.js flowPath): plain data for the
// canvas, a dashed reference path with its own hover.
import { test } from "node:test";
import assert from "node:assert/strict";
import { flowPath } from "../../static/js/network/flow.js";

test("flowPath: the flow's points on the plane, dashed, and its hover at each point", () => {
  const flow = { plane: [[0, 0], [0.5, -0.25], [1, -1]], times: [0, 0.01234, 0.5], loss: [0.69, 0.512345, null] };
  const path = flowPath(flow);
  assert.deepEqual(Array.from(path.x), [0, 0.5, 1]);
  assert.deepEqual(Array.from(path.y), [0, -0.25, -1]);
  assert.ok(path.dash.length >= 2 && path.width > 0 && path.color.startsWith("#"));
  assert.ok(path.hover);
  assert.deepEqual(path.hover(1), ["gradient flow at t = 0.0123", "real loss 0.5123"]);
  assert.deepEqual(path.hover(2), ["gradient flow at t = 0.5", "real loss —"]);
});
