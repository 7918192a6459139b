// @ts-check
import { test } from "node:test";
import assert from "node:assert/strict";
import { colorTable, scaleColor } from "../../static/js/shared/color-scale.js";

/** @type {import("../../static/js/shared/color-scale.js").ColorScale} */
const SCALE = [[0, "#000000"], [0.5, "#ff0000"], [1, "#ffffff"]];

test("scaleColor: linear in RGB between two stops, clamped to the ends", () => {
  assert.deepEqual(scaleColor(SCALE, 0), [0, 0, 0]);
  assert.deepEqual(scaleColor(SCALE, 0.25), [128, 0, 0]);
  assert.deepEqual(scaleColor(SCALE, 0.75), [255, 128, 128]);
  assert.deepEqual(scaleColor(SCALE, 2), [255, 255, 255]);
  assert.deepEqual(scaleColor(SCALE, -1), [0, 0, 0]);
});

test("scaleColor: a t that is not a number takes the colour at `missing`", () => {
  assert.deepEqual(scaleColor(SCALE, NaN), [0, 0, 0]);
  assert.deepEqual(scaleColor(SCALE, NaN, 0.5), [255, 0, 0]);
});

test("colorTable: n samples from 0 to 1, RGB in a row", () => {
  const t = colorTable(SCALE, 3);
  assert.deepEqual([...t], [0, 0, 0, 255, 0, 0, 255, 255, 255]);
});
