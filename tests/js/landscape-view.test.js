// @ts-check
// The network's landscape on canvas (network/landscape.js): its colours, its view range, its
// layout, the pixels of its paths and which drawn point the mouse or a finger is on.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  landscapeGeometry, logColors, movePick, nearestOnPaths, pathPixels, strideIndices, viewRange,
} from "../../static/js/network/landscape.js";
import { sliceAt } from "../../static/js/network/slices.js";
import { linearMapping } from "../../static/js/shared/canvas-axes.js";

/** @typedef {import("../../static/js/shared/plots.js").Bounds} Bounds */

test("logColors: a colour transform on log10(loss), its ticks at round losses, titled", () => {
  const z = [[0.01, 0.1, null], [1, 10, 100]];
  const tf = logColors(z);
  assert.equal(tf.log, true);
  assert.equal(tf.title, "loss (log)");
  assert.ok(Math.abs(tf.cmin - -2) < 1e-12);
  assert.equal(tf.cmax, 1, "the top 0.5% clipped (of five values: the largest)");
  assert.equal(tf.f(1), 0);
  assert.equal(tf.f(1e-9), tf.cmin, "below the smallest loss: the smallest colour");
  assert.ok(tf.tickvals && tf.ticktext && tf.tickvals.length === tf.ticktext.length && tf.tickvals.length >= 3);
  assert.deepEqual(tf.ticktext, ["0.01", "0.03", "0.1", "0.3", "1", "3", "10"], "three decades: 1 and 3 of each");
});

test("logColors: a narrow range gets four rounded ticks; no values, no ticks", () => {
  const tf = logColors([[0.5, 0.52], [0.55, 0.6]]);
  assert.equal(tf.ticktext && tf.ticktext.length, 4);
  for (const [k, v] of (tf.tickvals || []).entries()) assert.equal(Math.log10(Number((tf.ticktext || [])[k])), v);
  const none = logColors([[null, 0]]);
  assert.deepEqual([none.cmin, none.cmax, none.tickvals], [0, 1, []]);
});

test("strideIndices: at most max points, the head always kept", () => {
  assert.deepEqual(strideIndices(0), []);
  assert.deepEqual(strideIndices(5, 10), [0, 1, 2, 3, 4]);
  const idx = strideIndices(1001, 100);
  assert.ok(idx.length <= 101);
  assert.equal(idx[0], 0);
  assert.equal(idx[idx.length - 1], 1000);
});

test("sliceAt: bilinear inside the grid, null outside or on a gap", () => {
  const surface = /** @type {any} */ ({ x: { values: [0, 1] }, y: { values: [0, 2] }, z: [[0, 1], [2, 3]] });
  assert.equal(sliceAt(surface, 0.5, 1), 1.5);
  assert.equal(sliceAt(surface, 1, 2), 3);
  assert.equal(sliceAt(surface, 1.1, 1), null);
  assert.equal(sliceAt(surface, null, 1), null);
  assert.equal(sliceAt({ ...surface, z: [[0, null], [2, 3]] }, 0.5, 1), null);
});

test("viewRange: 4% beyond what is needed; nothing needed, [-1, 1]", () => {
  assert.deepEqual(viewRange([[0, 10], [-1, 1]]), [[-0.4, 10.4], [-1.08, 1.08]]);
  assert.deepEqual(viewRange(null), [[-1, 1], [-1, 1]]);
  const point = viewRange([[2, 2], [3, 3]]); // one point: a small box around it
  assert.ok(point[0][0] < 2 && point[0][1] > 2 && point[1][0] < 3 && point[1][1] > 3);
});

test("viewRange: the last view is kept while it holds the paths, grown with slack when not", () => {
  /** @type {Bounds} */
  const need = [[0, 10], [0, 10]];
  const first = viewRange(need);
  assert.equal(viewRange([[0, 10.2], [0, 10]], first), first, "a step inside: the same view (no repaint)");
  const grown = viewRange([[0, 11], [0, 10]], first);
  assert.notEqual(grown, first);
  assert.ok(grown[0][1] > 11.44 + 1, "grown past the padded need, on the side that grew");
  assert.deepEqual(grown[1], first[1], "the other axis as it was");
  assert.equal(viewRange([[0, 11.5], [0, 10]], grown), grown, "the slack takes the next steps");
  const shrunk = viewRange([[0, 2], [0, 10]], grown);
  assert.deepEqual(shrunk[0], [-0.08, 2.08], "far too wide: back to what is needed");
});

test("landscapeGeometry: the axes fill the box but for the ticks, titles and colour bar", () => {
  /** @type {Bounds} */
  const view = [[-1, 1], [-2, 2]];
  const g = landscapeGeometry(400, 300, view, 11, 30);
  assert.equal(g.left, g.margin.l);
  assert.equal(g.left + g.plotW + g.margin.r, 400);
  assert.equal(g.top + g.plotH + g.margin.b, 300);
  assert.ok(g.margin.r > 24 + 12 + 30, "room for the colour bar and its labels");
  assert.ok(g.margin.l > 2.4 * 11 && g.margin.b > 2.2 * 11, "room for the ticks and titles");
  assert.equal(g.mapping.px(-1), g.left);
  assert.equal(g.mapping.py(-2), g.top + g.plotH);
  const bare = landscapeGeometry(400, 300, view, 11, null);
  assert.ok(bare.plotW > g.plotW, "no surface, no colour bar: wider axes");
  const bigger = landscapeGeometry(400, 300, view, 23, 30);
  assert.ok(bigger.margin.l > g.margin.l && bigger.margin.b > g.margin.b, "larger type, more room");
});

test("pathPixels: data to px, NaN where there is no value, far points clamped", () => {
  const m = linearMapping(10, 20, 100, 50, [[0, 1], [0, 1]]);
  const xs = [0, 1, null, 1e300];
  const ys = [0, 1, 0.5, 0.5];
  const xy = pathPixels([0, 1, 2, 3], (k) => xs[k], (k) => ys[k], m);
  assert.deepEqual(Array.from(xy.slice(0, 4)), [10, 70, 110, 20]);
  assert.ok(Number.isNaN(xy[4]) && Number.isNaN(xy[5]));
  assert.ok(xy[6] === 1e6 && xy[7] === 45);
  assert.deepEqual(Array.from(pathPixels([1], (k) => xs[k], (k) => ys[k], m)), [110, 20], "only the indices asked for");
});

test("nearestOnPaths: the nearest drawn point within the radius, over every path", () => {
  const a = new Float64Array([0, 0, 10, 0, 20, 0]);
  const b = new Float64Array([10, 5, NaN, NaN, 30, 30]);
  assert.deepEqual(nearestOnPaths(11, 1, [a, b], 12), { path: 0, point: 1 });
  assert.deepEqual(nearestOnPaths(11, 4, [a, b], 12), { path: 1, point: 0 });
  assert.equal(nearestOnPaths(60, 60, [a, b], 12), null);
  assert.deepEqual(nearestOnPaths(40, 40, [a, b], 22), { path: 1, point: 2 }, "a finger's radius reaches further");
  assert.deepEqual(nearestOnPaths(10, 2.5, [a, b], 12), { path: 1, point: 0 }, "a tie: the path drawn last");
  const inside = (/** @type {number} */ x) => x < 25;
  assert.equal(nearestOnPaths(30, 28, [a, b], 12, inside), null, "a point outside the axes is not there");
  assert.equal(nearestOnPaths(0, 0, [], 12), null);
});

test("movePick: the keys walk a run's steps, clamped at its ends, and Up / Down go to the next run with points", () => {
  const lengths = [101, 0, 40];
  const at = { run: 0, index: 50 };
  assert.deepEqual(movePick(at, "ArrowLeft", false, lengths), { run: 0, index: 49 });
  assert.deepEqual(movePick(at, "ArrowRight", true, lengths), { run: 0, index: 60 });
  assert.deepEqual(movePick(at, "PageDown", false, lengths), { run: 0, index: 60 }, "a tenth of 101 points");
  assert.deepEqual(movePick(at, "Home", false, lengths), { run: 0, index: 0 });
  assert.deepEqual(movePick(at, "End", false, lengths), { run: 0, index: 100 });
  assert.deepEqual(movePick({ run: 0, index: 0 }, "ArrowLeft", false, lengths), { run: 0, index: 0 });
  assert.deepEqual(movePick({ run: 0, index: 98 }, "PageDown", false, lengths), { run: 0, index: 100 });
  assert.deepEqual(movePick(at, "ArrowDown", false, lengths), { run: 2, index: 39 }, "run 2 has no points: skipped, step clamped");
  assert.deepEqual(movePick({ run: 2, index: 5 }, "ArrowUp", false, lengths), { run: 0, index: 5 });
  assert.equal(movePick(at, "ArrowUp", false, lengths), null, "no run above");
  assert.equal(movePick(at, "Enter", false, lengths), null, "not a key of the map's");
  assert.equal(movePick({ run: 1, index: 0 }, "ArrowRight", false, lengths), null, "a run with no points");
});
