// The weight heatmaps' canvas (static/js/network/heatmap-canvas.js): the diverging colours the
// Plotly figure drew with, the layout, which cell a pixel (a finger) falls in, and the ticks.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  DIVERGING, TOUCH_SLOP, barTicks, cellAt, cellCenter, cellColor, cellText, describeMatrix, divergingColor, fillImage,
  heatLayout, hitCell, moveFocus, symmetricMax, unitTicks,
} from "../../static/js/network/heatmap-canvas.js";

const SIZE = { width: 360, height: 150, fontSize: 11, tickSize: 10, yLabelW: 12, barLabelW: 28, dpr: 1 };

test("colours: Plotly's RdBu reversed, -a red, 0 grey, +a blue, clamped beyond", () => {
  assert.deepEqual(divergingColor(0), [178, 10, 28]);
  assert.deepEqual(divergingColor(0.5), [190, 190, 190]);
  assert.deepEqual(divergingColor(1), [5, 10, 172]);
  assert.deepEqual(divergingColor(0.35), [225, 158, 111]); // half way from 0.3 to 0.4, rounded
  assert.deepEqual(cellColor(-2, 2), [178, 10, 28]);
  assert.deepEqual(cellColor(0, 2), [190, 190, 190]);
  assert.deepEqual(cellColor(2, 2), [5, 10, 172]);
  assert.deepEqual(cellColor(9, 2), [5, 10, 172]);
  assert.deepEqual(cellColor(-9, 2), [178, 10, 28]);
  assert.equal(cellColor(null, 2), null);
  assert.equal(cellColor(NaN, 2), null);
  // the same hue family on a side: blue-ish above zero, red-ish below
  const [r, , b] = /** @type {number[]} */ (cellColor(1, 2));
  assert.ok(b > r);
  const [r2, , b2] = /** @type {number[]} */ (cellColor(-1, 2));
  assert.ok(r2 > b2);
  assert.equal(DIVERGING[0][0], 0);
  assert.equal(DIVERGING[DIVERGING.length - 1][0], 1);
});

test("symmetricMax: the largest |value|, skipping missing ones; 1 for none", () => {
  assert.equal(symmetricMax([[0.5, -2], [1, null]]), 2);
  assert.equal(symmetricMax([[0, 0]]), 1);
  assert.equal(symmetricMax([[null]]), 1);
});

test("fillImage: one RGBA pixel a cell, row by row; a missing value transparent", () => {
  const data = new Uint8ClampedArray(2 * 2 * 4).fill(7);
  fillImage(data, [[-1, 0], [1, null]], 1);
  assert.deepEqual([...data.subarray(0, 4)], [178, 10, 28, 255]);
  assert.deepEqual([...data.subarray(4, 8)], [190, 190, 190, 255]);
  assert.deepEqual([...data.subarray(8, 12)], [5, 10, 172, 255]);
  assert.equal(data[15], 0);
});

test("unit ticks: 0 and every ceil(n / 6)-th unit, never past the last", () => {
  assert.deepEqual(unitTicks(1), [0]);
  assert.deepEqual(unitTicks(2), [0, 1]);
  assert.deepEqual(unitTicks(6), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(unitTicks(7), [0, 2, 4, 6]);
  assert.deepEqual(unitTicks(16), [0, 3, 6, 9, 12, 15]);
  assert.deepEqual(unitTicks(128), [0, 22, 44, 66, 88, 110]);
  for (const n of [1, 5, 13, 64, 100]) assert.ok(unitTicks(n).length <= 7 && unitTicks(n).every((t) => t < n));
});

test("colour-bar ticks: round values on -a..a, symmetric, 0 among them", () => {
  assert.deepEqual(barTicks(0.83), [-0.5, 0, 0.5]);
  const small = barTicks(3.2e-5);
  assert.ok(small.includes(0) && small.length >= 3);
  assert.ok(small.every((v) => Math.abs(v) <= 3.2e-5));
});

test("layout: two panels side by side, same cells, inside the box", () => {
  const l = /** @type {import("../../static/js/network/heatmap-canvas.js").HeatLayout} */ (heatLayout({ ...SIZE, rows: 16, cols: 2 }));
  assert.ok(l);
  const [a, b] = l.panels;
  assert.equal(a.cellW, b.cellW);
  assert.equal(a.width, b.width);
  assert.ok(a.left >= SIZE.yLabelW && a.bar.left > a.left + a.width - 1e-9);
  assert.ok(b.left > a.bar.left + a.bar.width + SIZE.barLabelW);
  assert.ok(b.bar.left + b.bar.width + 3 + SIZE.barLabelW <= SIZE.width);
  assert.ok(a.top > SIZE.fontSize && a.top + a.height + SIZE.tickSize <= SIZE.height);
  // cells of 4 px and more are whole device pixels, with a gap; smaller ones fill the panel
  assert.equal(a.cellW, Math.floor(a.cellW));
  assert.equal(a.gapX, 1);
  const hi = /** @type {any} */ (heatLayout({ ...SIZE, dpr: 2, rows: 16, cols: 2 })).panels[0];
  assert.equal(hi.cellW * 2, Math.floor(hi.cellW * 2));
  assert.equal(hi.gapX, 1);
  const fine = /** @type {any} */ (heatLayout({ ...SIZE, rows: 128, cols: 128 })).panels[0];
  assert.equal(fine.gapX, 0);
  assert.equal(fine.gapY, 0);
  assert.equal(heatLayout({ ...SIZE, width: 60, rows: 4, cols: 4 }), null);
});

test("which cell a pixel falls in: its own, a gap's left neighbour, outside none (a finger: the nearest)", () => {
  const p = { left: 10, top: 20, width: 40, height: 30, cellW: 10, cellH: 10, gapX: 1, gapY: 1, rows: 3, cols: 4,
    bar: { left: 55, top: 20, width: 8, height: 30 } };
  assert.deepEqual(cellAt(p, 10, 20), [0, 0]);
  assert.deepEqual(cellAt(p, 34.5, 41), [2, 2]);
  assert.deepEqual(cellAt(p, 19.5, 25), [0, 0]); // in the gap after column 0
  assert.deepEqual(cellAt(p, 49.9, 49.9), [2, 3]);
  assert.equal(cellAt(p, 50, 25), null);
  assert.equal(cellAt(p, 9, 25), null);
  assert.equal(cellAt(p, 20, 19), null);
  assert.deepEqual(cellAt(p, 50 + TOUCH_SLOP - 1, 25, TOUCH_SLOP), [0, 3]);
  assert.deepEqual(cellAt(p, 0, 60, TOUCH_SLOP), [2, 0]);
  assert.equal(cellAt(p, 50 + TOUCH_SLOP + 1, 25, TOUCH_SLOP), null);
  // every cell's centre is in that cell
  for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) assert.deepEqual(cellAt(p, ...cellCenter(p, r, c)), [r, c]);
});

test("hitCell: either panel, the gradients' too", () => {
  const l = /** @type {import("../../static/js/network/heatmap-canvas.js").HeatLayout} */ (heatLayout({ ...SIZE, rows: 3, cols: 4 }));
  for (const [k, p] of l.panels.entries()) {
    assert.deepEqual(hitCell(l, ...cellCenter(p, 2, 1)), { panel: k, row: 2, col: 1 });
  }
  const [a, b] = l.panels;
  assert.equal(hitCell(l, (a.left + a.width + b.left) / 2, a.top + 2), null); // between the panels
  assert.equal(hitCell(l, a.left + 2, a.top - 3), null);
  assert.deepEqual(hitCell(l, a.left + 2, a.top - 3, TOUCH_SLOP), { panel: 0, row: 0, col: 0 });
});

test("text: the hover as Plotly wrote it, and the matrix in words", () => {
  assert.deepEqual(cellText("W1", 2, 0, 0.31234), ["W1[2, 0] = 0.312", "(to unit 2 from unit 0)"]);
  assert.deepEqual(cellText("∂L/∂W2", 0, 1, -0.0000123), ["∂L/∂W2[0, 1] = \u22121.23e-5", "(to unit 0 from unit 1)"]);
  assert.equal(cellText("W1", 0, 0, null)[0], "W1[0, 0] = no value");
  assert.equal(describeMatrix("W1", [[0.5, -1], [2, null]]), "W1 2×2: from \u22121 at [0, 1] to 2 at [1, 0]");
  assert.equal(describeMatrix("W1", [[null]]), "W1 1×1: no values");
});

test("moveFocus: arrows walk the matrix and stop at its edges; Home and End go to the row's ends", () => {
  assert.deepEqual(moveFocus([0, 0], "ArrowDown", 3, 2), [1, 0]);
  assert.deepEqual(moveFocus([1, 0], "ArrowRight", 3, 2), [1, 1]);
  assert.deepEqual(moveFocus([1, 1], "ArrowRight", 3, 2), [1, 1]);
  assert.deepEqual(moveFocus([0, 1], "ArrowUp", 3, 2), [0, 1]);
  assert.deepEqual(moveFocus([2, 0], "End", 3, 2), [2, 1]);
  assert.deepEqual(moveFocus([2, 1], "Home", 3, 2), [2, 0]);
  assert.equal(moveFocus([2, 1], "Enter", 3, 2), null);
});
