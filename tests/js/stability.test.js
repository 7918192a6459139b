// The network view's stability lab, its pure parts: the sharpness readings as they stream in
// (network/sharpness.js), the words of the readout and of the spectrum's caption, and a lesson's
// `start` turned into page state and back (network/lessons.js, network/state.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { lessonPatch } from "../../static/js/network/lessons.js";
import { NetRun } from "../../static/js/network/run.js";
import { EDGE_BAND, SharpnessLog, edgeVerdict, lineName, readoutText } from "../../static/js/network/sharpness.js";
import { spectrumCaption, spectrumHover, spectrumLayout } from "../../static/js/network/spectrum.js";
import { linearMapping } from "../../static/js/shared/canvas-axes.js";
import { sanitize, startMessage } from "../../static/js/network/state.js";

/** Columns of steps from..from+n-1, measured every `every` steps (null between). */
function frame(from, n, every, { adaptive = false, value = (k) => 10 + k } = {}) {
  const step = Array.from({ length: n }, (_, j) => from + j);
  const at = (f) => step.map((k) => (k % every === 0 ? f(k) : null));
  const cols = { step, sharpness: at(value), sharpness_threshold: at(() => 40) };
  if (adaptive) {
    cols.preconditioned_sharpness = at((k) => (k === 0 ? null : 100 * k));
    cols.preconditioned_threshold = at((k) => (k === 0 ? null : 760));
  }
  return cols;
}

test("only the measured steps are kept, and a step held already starts them over", () => {
  const log = new SharpnessLog();
  log.append(frame(0, 25, 10));
  log.append({ step: [25, 26] }); // a frame without a measured step carries no sharpness column
  assert.deepEqual(log.step, [0, 10, 20]);
  assert.deepEqual(log.sharpness, [10, 20, 30]);
  assert.deepEqual(log.last(), { step: 20, value: 30, line: 40, kind: "plain" });
  log.append(frame(10, 5, 10, { value: () => 7 })); // a reset to step 10 sends it again
  assert.deepEqual(log.step, [0, 10]);
  assert.deepEqual(log.sharpness, [10, 7]);
  log.append(frame(0, 1, 10));
  assert.deepEqual(log.step, [0]);
});

test("an Adam-family run is charted by its preconditioned sharpness against its own line", () => {
  const log = new SharpnessLog();
  log.append(frame(0, 21, 10, { adaptive: true }));
  assert.equal(log.kind, "preconditioned");
  assert.deepEqual(log.last(), { step: 20, value: 2000, line: 760, kind: "preconditioned" });
  assert.ok(Number.isNaN(log.charted().value[0]), "step 0 has no preconditioner yet");
  assert.equal(lineName(log.kind), "38/lr");
});

test("a run the server calls Adam-family is charted against 38/lr before its first preconditioned reading", () => {
  const run = new NetRun({ optimizer: "adam", lr: 0.02, preconditioned_sharpness: true }, 3);
  run.absorb({ steps: frame(0, 1, 10) }); // step 0: no preconditioner yet, so no such column
  assert.equal(run.sharpness.kind, "preconditioned");
  assert.equal(run.sharpness.last(), null, "no reading against the plain line meanwhile");
  run.absorb({ steps: frame(1, 20, 10, { adaptive: true }) });
  assert.deepEqual(run.sharpness.last(), { step: 20, value: 2000, line: 760, kind: "preconditioned" });
  run.absorb({ steps: frame(0, 1, 10) }); // a reset to step 0 starts the readings over
  assert.deepEqual(run.sharpness.step, [0]);
  assert.equal(new NetRun({ optimizer: "sgd", lr: 0.5 }, 3).sharpness.kind, "plain");
});

test("a diverged step (all null) is no reading", () => {
  const log = new SharpnessLog();
  log.append({ step: [0, 1], sharpness: [5, null], sharpness_threshold: [40, null] });
  assert.deepEqual(log.step, [0]);
});

test("the verdict: below, at (within EDGE_BAND) or past the line, said in words", () => {
  assert.equal(edgeVerdict(0.5).key, "below");
  assert.equal(edgeVerdict(1 - EDGE_BAND + 1e-9).key, "edge");
  assert.equal(edgeVerdict(1.1).key, "edge");
  assert.equal(edgeVerdict(1.3).key, "above");
  assert.equal(
    readoutText({ step: 300, value: 41.2, line: 40, kind: "plain" }),
    "sharpness 41.2 · 2/lr = 40 (lr·λmax = 2.06): at the edge of stability",
  );
  assert.match(readoutText({ step: 3, value: 500, line: 1900, kind: "preconditioned" }), /^preconditioned sharpness 500 · 38\/lr = 1900 \(0\.26 of the line\): below the edge/);
});

test("the spectrum's caption counts the negative eigenvalues and compares the largest with 2/lr", () => {
  const m = {
    run: 0, step: 40, n_params: 5, complete: true, k: null, eigenvalues: [-1, 0, 0.1, 2, 45],
    histogram: { counts: [1, 4], edges: [-2, 0, 50] }, sharpness: 45, sharpness_threshold: 50, negative: 1,
  };
  const text = spectrumCaption(m, "1. SGD");
  assert.match(text, /^1\. SGD at step 40: all 5 eigenvalues/);
  assert.match(text, /1 negative \(hatched\)/);
  assert.match(text, /the largest, 45, is 0\.9 of 2\/lr = 50/);
  assert.match(spectrumCaption({ ...m, complete: false, k: 20, n_params: 1153, negative: 0 }, "2. Adam"), /the 20 smallest and 20 largest of its 1,153 eigenvalues; none negative/);
});

test("the spectrum's layout: its non-empty bins, negative ones marked, and the 2/lr line only near the eigenvalues", () => {
  const m = {
    run: 0, step: 40, n_params: 6, complete: true, k: null, eigenvalues: [-1.5, -0.2, 0.1, 0.3, 2, 45],
    histogram: { counts: [1, 1, 3, 0, 1], edges: [-2, -1, 0, 10, 30, 50] }, sharpness: 45, sharpness_threshold: 50, negative: 2,
  };
  const g = spectrumLayout(m);
  assert.deepEqual(g.bars.map((b) => [b.x0, b.count, b.negative]), [[-2, 1, true], [-1, 1, true], [0, 3, false], [30, 1, false]]);
  assert.equal(g.line, 50);
  assert.ok(g.x[0] < -2 && g.x[1] > 50, "the bins and the line, with a margin");
  assert.ok(g.y[0] < 0 && g.y[1] > Math.log10(3), "from under one count to above the largest");
  const far = spectrumLayout({ ...m, sharpness_threshold: 200 });
  assert.equal(far.line, null, "2/lr = 200 is more than 1.5 x the largest eigenvalue: not drawn");
  assert.ok(far.x[1] < 52);
  const flat = spectrumLayout({ ...m, histogram: { counts: [4], edges: [3, 3] }, sharpness_threshold: null });
  assert.ok(flat.x[1] > flat.x[0], "a single value still gets a range");

  // the hover: a bin under the pointer, the line near it, nothing outside the axes
  const map = linearMapping(40, 10, 520, 100, [g.x, g.y]);
  const mid = map.py(0);
  assert.deepEqual(spectrumHover(g, map, map.px(0.5), mid), ["3 eigenvalues near 5"]);
  assert.deepEqual(spectrumHover(g, map, map.px(-1.5), mid), ["1 eigenvalue near -1.5", "negative: the loss curves down"]);
  assert.equal(spectrumHover(g, map, map.px(50) + 2, mid)?.[0], "2/lr = 50");
  assert.equal(spectrumHover(g, map, map.px(20), mid), null, "an empty bin");
  assert.equal(spectrumHover(g, map, 5, mid), null, "left of the axes");
});

test("a lesson's start becomes page state whose own start is the lesson's", () => {
  const options = {
    limits: { points: 2000, runs: 8, steps: 20000, hidden_layers: 6, width: 128, speed: 1000 },
    datasets: [{ id: "moons", task: "classification", inputs: 2, classes: 2 }, { id: "sine", task: "regression", inputs: 1, classes: 1 }],
    activations: [{ id: "tanh" }, { id: "relu" }], optimizers: ["sgd", "adam"], directions: ["random", "pca"],
  };
  const optimizers = [{ id: "sgd", hyperparameters: { lr: { min: 1e-5, max: 10, default: 0.1 } } }, { id: "adam", hyperparameters: { lr: { min: 1e-5, max: 1, default: 0.001 } } }];
  const start = {
    type: "start", columns: true, seed: 0, steps: 1500, speed: 100, sharpness_every: 10,
    dataset: { id: "sine", n: 100, seed: 0 }, network: { hidden: [32, 32], activation: "tanh" },
    runs: [{ optimizer: "sgd", lr: 0.02 }, { optimizer: "sgd", lr: 0.04 }],
  };
  const before = sanitize({ dataset: "moons", hidden: [8, 8], activation: "relu", runs: [{ optimizer: "adam", lr: 0.01 }], plane: "pca", points: [[0, 0, 1]] }, options, optimizers);
  const state = sanitize({ ...before, ...lessonPatch(start) }, options, optimizers);
  assert.equal(state.sel, 1, "the largest lr is selected");
  const sent = startMessage(state);
  for (const key of ["seed", "steps", "speed", "sharpness_every", "dataset", "network", "runs"]) assert.deepEqual(sent[key], start[key], key);
  assert.equal(sent.points, undefined, "own points are gone");
  assert.equal(startMessage({ ...state, curv: null }).sharpness_every, undefined, "null: the server's cadence");
  assert.equal(startMessage({ ...state, curv: 0 }).sharpness_every, 0, "0: off");
});

test("the network's flow is asked for the full-batch runs only, on the live plane", async () => {
  const { networkFlowBody } = await import("../../static/js/network/flow.js");
  const body = {
    dataset: { id: "moons", n: 200, seed: 0 }, network: { hidden: [8], activation: "tanh" }, seed: 3,
    runs: [{ optimizer: "sgd", lr: 0.5, batch_size: 32 }, { optimizer: "sgd", lr: 0.1 }, { optimizer: "adam", lr: 0.01 }],
  };
  Object.defineProperty(body, "planeWeights", { value: [{ layer: 1, row: 0, col: 0 }, { layer: 1, row: 0, col: 1 }], enumerable: false });
  const random = networkFlowBody(body, { mode: "random" }, 400);
  assert.deepEqual(random.index, [1, 2]);
  assert.deepEqual(random.body.runs, [{ optimizer: "sgd", lr: 0.1 }, { optimizer: "adam", lr: 0.01 }]);
  assert.equal(random.body.plane, "random");
  assert.equal(random.body.weights, undefined);
  assert.equal(random.body.steps, 400);
  assert.deepEqual(networkFlowBody(body, { mode: "weights" }, 400).body.weights, body.planeWeights);
});
