// The generalisation lab's pure parts (static/js/network/lab-state.js, sweep-panel.js,
// neuron-maps.js, state.js): what a `start` and a `sweep` carry, how a link's values are fitted
// to the API's ranges, a preset as state, a unit map's pixels.
import assert from "node:assert/strict";
import { test } from "node:test";

import { LAB_KEYS, labFields, labNetwork, labShows, labStart, neuronGrid, presetPatch, sanitizeLab } from "../../static/js/network/lab-state.js";
import { mapImage } from "../../static/js/network/neuron-maps.js";
import { RunType, startMessage } from "../../static/js/network/state.js";
import { parseValues, sweepBase } from "../../static/js/network/sweep-panel.js";

// The shape GET /api/mlp/options serves (a subset).
const spec = (max) => ({ default: 0, min: 0, max, help: "", label: "" });
const OPTIONS = {
  datasets: [
    { id: "moons", task: "classification", inputs: 2, classes: 2 },
    { id: "sine", task: "regression", inputs: 1, classes: null },
    { id: "modular", task: "classification", inputs: 46, classes: 23, one_hot: true, class_range: [23, 97] },
  ],
  generalization: { test_fraction: spec(0.9), label_noise: spec(0.5), l1: spec(1), l2: spec(1), dropout: spec(0.9) },
  neurons: { max_grid: 31, max_values: 20000 },
};
const STATE = {
  dataset: "moons", n: 100, dseed: 3, noise: null, classes: null, points: null, hidden: [8, 8], activation: "tanh",
  runs: [{ optimizer: "adam", lr: 0.01 }], steps: 300, speed: 30, plane: "random", wts: null, seed: 5, sel: 0,
  test_fraction: 0, label_noise: 0, l1: 0, l2: 0, dropout: 0, side: "landscape",
};

test("a start carries only the lab settings in use, in the places the protocol gives them", () => {
  assert.deepEqual(labFields(STATE), {});
  assert.deepEqual(labNetwork(STATE), {});
  const m = startMessage({ ...STATE, test_fraction: 0.3, label_noise: 0.1, l2: 0.01, dropout: 0.2 });
  assert.equal(m.test_fraction, 0.3);
  assert.equal(m.label_noise, 0.1);
  assert.deepEqual(m.network, { hidden: [8, 8], activation: "tanh", l2: 0.01, dropout: 0.2 });
  assert.equal("l1" in m.network, false);
});

test("a link's lab values are clamped to the API's ranges; label noise is for classes only", () => {
  const moons = OPTIONS.datasets[0];
  const out = sanitizeLab({ ...STATE, test_fraction: 2, label_noise: -1, l1: Number.NaN, dropout: 0.5, side: "nope" }, OPTIONS, moons);
  assert.deepEqual(out, { side: "landscape", test_fraction: 0.9, label_noise: 0, l1: 0, l2: 0, dropout: 0.5 });
  assert.equal(sanitizeLab({ ...STATE, label_noise: 0.2 }, OPTIONS, OPTIONS.datasets[1]).label_noise, 0);
  assert.deepEqual(LAB_KEYS, Object.keys(OPTIONS.generalization));
});

test("unit maps: a grid within the server's value limit, none for one-hot inputs", () => {
  assert.equal(neuronGrid(STATE, OPTIONS), 15);
  const wide = { ...STATE, hidden: [64, 64, 64, 64, 64, 64] }; // 384 units: sqrt(20000 / 384) = 7.2
  assert.equal(neuronGrid(wide, OPTIONS), 7);
  assert.ok(neuronGrid(wide, OPTIONS) ** 2 * 384 <= OPTIONS.neurons.max_values);
  assert.equal(neuronGrid({ ...STATE, dataset: "modular" }, OPTIONS), 0);
  assert.deepEqual(labStart({ ...STATE, dataset: "modular", steps: 5000 }, OPTIONS), { weights_every: 100 });
});

test("a preset's start becomes state, its optimizer's extra hyperparameters in the run", () => {
  const grok = {
    type: "start", dataset: { id: "modular", n_classes: 23, seed: 0 }, test_fraction: 0.2,
    network: { hidden: [128], activation: "relu" }, seed: 0, steps: 5000,
    runs: [{ optimizer: "adamw", lr: 0.002, weight_decay: 1.0 }], speed: 0, columns: true,
  };
  const patch = presetPatch(grok);
  assert.equal(patch.dataset, "modular");
  assert.equal(patch.classes, 23);
  assert.equal(patch.test_fraction, 0.2);
  assert.deepEqual(patch.runs, [{ optimizer: "adamw", lr: 0.002, hp: { weight_decay: 1 } }]);
  // ... which a link keeps, and a start sends back as the run's hyperparameter.
  const text = RunType.format(patch.runs[0]);
  assert.equal(text, "adamw,lr=0.002,weight_decay=1");
  assert.deepEqual(RunType.parse(text), patch.runs[0]);
  assert.deepEqual(startMessage({ ...STATE, runs: patch.runs }).runs, [{ optimizer: "adamw", lr: 0.002, weight_decay: 1 }]);
});

test("a sweep's base is the page's training, with a test set even when the page has none", () => {
  const base = sweepBase({ ...STATE, l2: 0.01, runs: [{ optimizer: "sgd", lr: 0.5, batch: 16 }] }, "gd");
  assert.equal(base.test_fraction, 0.5);
  assert.deepEqual(base.dataset, { id: "moons", n: 100, seed: 3 });
  assert.deepEqual(base.run, { optimizer: "sgd", lr: 0.5, batch_size: 16 });
  assert.equal(base.l2, 0.01);
  assert.equal(sweepBase({ ...STATE, test_fraction: 0.2 }, "min_norm").test_fraction, 0.2);
  assert.deepEqual(parseValues("5, 10 20;40"), [5, 10, 20, 40]);
  assert.throws(() => parseValues("5, x"), /"x" is not a number/);
  assert.throws(() => parseValues(" "), /at least one/);
});

test("a unit map: orange below zero, white at zero, blue above, the largest y on top", () => {
  const img = mapImage([[-1, 0], [0.5, 1]], 1); // row i = y[i]: row 1 is drawn on top
  assert.equal(img.width, 2);
  assert.equal(img.height, 2);
  const px = (k) => Array.from(img.data.slice(k * 4, k * 4 + 3));
  assert.deepEqual(px(3), [255, 255, 255]); // (x1, y0) = 0: white, bottom right
  assert.deepEqual(px(2), [240, 140, 0]); // (x0, y0) = -1: full orange, bottom left
  assert.deepEqual(px(1), [25, 113, 194]); // (x1, y1) = 1: full blue, top right
});

test("labShows: the side panel shows the sweep for 'sweep', else the unit maps (a phone's Lab tab at 'landscape')", () => {
  assert.equal(labShows("sweep"), "sweep");
  assert.equal(labShows("units"), "units");
  assert.equal(labShows("landscape"), "units");
});
