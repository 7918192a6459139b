// What people type or upload, parsed in the page before the server sees it: CSV points
// (network/data.js), hidden widths (network/settings.js), backprop's matrices (backprop/editor.js),
// and the guard that keeps non-finite numbers off the socket (shared/socket.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { parseMatrix, parseVector } from "../../static/js/backprop/editor.js";
import { CSVError, nearestPoint, parsePointsCSV, pointsProblem } from "../../static/js/network/data.js";
import { parseWidths } from "../../static/js/network/settings.js";
import { encodeMessage } from "../../static/js/shared/socket.js";

test("CSV points: a header, comments, any separator; labels are classes", () => {
  const text = "\uFEFFx1,x2,label\n# a comment\n0.5, 1, 0\n\n-1;2;1\n3\t4\t1\r\n5 6 0\n";
  assert.deepEqual(parsePointsCSV(text), [[0.5, 1, 0], [-1, 2, 1], [3, 4, 1], [5, 6, 0]]);
});

test("CSV points: the error names the line and what is wrong", () => {
  const bad = (text, pattern) => assert.throws(() => parsePointsCSV(text), (err) => err instanceof CSVError && pattern.test(err.message));
  bad("0,0,0\n1,1\n", /^line 2: expected 3 values/);
  bad("0,0,0\n1,x,1\n", /^line 2: x2 "x" is not a number/);
  bad("0,0,0\n1,1,1.5\n", /^line 2: the label 1.5 must be a whole number from 0 to \d/);
  bad("0,0,0\n1,1,1\n2,2,1\n", /found 3 points: give at least 4/);
  bad("0,0,1\n1,1,1\n2,2,1\n3,3,1\n", /at least two classes/);
  assert.throws(() => parsePointsCSV("0,0,0\n1,1,1\n2,2,1\n3,3,1\n4,4,0\n", { maxPoints: 4 }), { message: /^line 5: more than 4 points/ });
});

test("pointsProblem says what is missing, or null when the points can be trained on", () => {
  assert.match(pointsProblem([[0, 0, 0]]), /found 1 point: give at least 4/);
  assert.equal(pointsProblem([[0, 0, 0], [1, 1, 1], [2, 2, 0], [3, 3, 1]]), null);
});

test("nearestPoint: the closest within the radius, else -1", () => {
  const points = [[0, 0, 0], [1, 0, 1], [0.4, 0, 1]];
  assert.equal(nearestPoint(points, 0.3, 0, 0.5), 2);
  assert.equal(nearestPoint(points, 5, 5, 0.5), -1);
});

test("hidden widths: commas, spaces or x between; limits said in a sentence", () => {
  const limits = { hidden_layers: 3, width: 64 };
  assert.deepEqual(parseWidths("16, 16", limits), [16, 16]);
  assert.deepEqual(parseWidths("8x8 x 4", limits), [8, 8, 4]);
  assert.deepEqual(parseWidths(" none ", limits), []);
  assert.throws(() => parseWidths("1,2,3,4", limits), /at most 3 hidden layers/);
  assert.throws(() => parseWidths("65", limits), /"65" is not a width from 1 to 64/);
  assert.throws(() => parseWidths("2.5", limits), /not a width/);
});

test("backprop's matrices: a row a line or per ';', the typographic minus, bad tokens kept for the server", () => {
  assert.deepEqual(parseVector("1, −2 3.5e-1"), [1, -2, 0.35]);
  assert.deepEqual(parseVector("1, two"), [1, "two"]);
  assert.deepEqual(parseMatrix("1 2\n3 4; 5 6\n\n"), [[1, 2], [3, 4], [5, 6]]);
});

test("encodeMessage refuses NaN and infinities, naming the field", () => {
  assert.equal(encodeMessage({ type: "set", run: 0, lr: 0.1 }), '{"type":"set","run":0,"lr":0.1}');
  assert.throws(() => encodeMessage({ type: "set", lr: NaN }), /refusing to send NaN in 'lr'/);
  assert.throws(() => encodeMessage({ type: "start", start: [1, Infinity] }), RangeError);
});
