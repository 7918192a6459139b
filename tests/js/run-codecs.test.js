// The run codecs of the URL (descent-state.js, network-state.js): a link reproduces the runs,
// and what a person may type into a link never throws.
import assert from "node:assert/strict";
import { test } from "node:test";

import { RunType as DescentRun, runsChange, runSpec, sanitize, surfaceSpec } from "../../static/js/descent/state.js";
import { PointsType, RunType as NetRun, WeightsType, runsChange as netRunsChange, runSpec as netRunSpec } from "../../static/js/network/state.js";

test("a descent run round-trips with its schedule, noise, seed and colour", () => {
  const text = "momentum,lr=0.035,momentum=0.9,sched=step,sched.every=100,sched.gamma=0.5,noise=0.2,seed=7,color=2f9e44";
  const run = DescentRun.parse(text);
  assert.deepEqual(run, {
    optimizer: "momentum", lr: 0.035, hp: { momentum: 0.9 }, noise: 0.2, seed: 7, color: "#2f9e44",
    schedule: { kind: "step", every: 100, gamma: 0.5 },
  });
  assert.equal(DescentRun.format(run), text);
});

test("a descent run: a constant schedule and missing values stay out of the link", () => {
  assert.equal(DescentRun.format({ optimizer: "sgd", hp: {}, schedule: { kind: "constant" } }), "sgd");
  assert.deepEqual(DescentRun.parse("sgd,sched.gamma=0.5"), { optimizer: "sgd", hp: {} }, "parameters without a kind");
});

test("a descent run: bad names and values are refused or skipped", () => {
  assert.equal(DescentRun.parse(""), undefined);
  assert.equal(DescentRun.parse("a b,lr=1"), undefined);
  assert.deepEqual(DescentRun.parse("adam,lr=abc,beta1,color=red,beta2=0.99"), { optimizer: "adam", hp: { beta2: 0.99 } });
});

test("runSpec puts hyperparameters at the top level, as `start` takes them", () => {
  assert.deepEqual(
    runSpec({ optimizer: "adam", lr: 0.1, hp: { beta1: 0.8 }, schedule: { kind: "cosine" }, color: "#000000" }),
    { optimizer: "adam", lr: 0.1, beta1: 0.8, schedule: { kind: "cosine" }, color: "#000000" },
  );
});

test("runsChange: a new learning rate is a live set, a new optimizer a restart, unset goes back to null", () => {
  const a = [{ optimizer: "sgd", lr: 0.1, hp: { momentum: 0.9 } }];
  assert.equal(runsChange(a, a), null);
  assert.deepEqual(runsChange(a, [{ ...a[0], lr: 0.2 }]), { kind: "set", sets: [{ run: 0, values: { lr: 0.2 } }] });
  assert.deepEqual(runsChange(a, [{ ...a[0], hp: {} }]), { kind: "set", sets: [{ run: 0, values: { momentum: null } }] });
  assert.deepEqual(runsChange(a, [{ ...a[0], optimizer: "adam" }]), { kind: "restart" });
  assert.deepEqual(runsChange(a, []), { kind: "restart" });
  // One run added at the end or one removed: the others go on (add_run, remove_run).
  const b = { optimizer: "adam", lr: 0.01 };
  assert.deepEqual(runsChange(a, [...a, b]), { kind: "add", run: 1 });
  assert.deepEqual(runsChange([b, ...a], a), { kind: "remove", run: 0 });
  assert.deepEqual(runsChange(a, [b, ...a]), { kind: "restart" });
});

test("surfaceSpec: a plain id, a ravine with parameters, or a custom formula", () => {
  assert.equal(surfaceSpec({ surface: "bowl", params: {} }), "bowl");
  assert.deepEqual(surfaceSpec({ surface: "ravine", params: { condition: 50 } }), { id: "ravine", condition: 50 });
  assert.deepEqual(surfaceSpec({ surface: "custom", expr: "x**2" }), { expr: "x**2" });
});

test("a network run, own points and plane weights round-trip", () => {
  assert.deepEqual(NetRun.parse("adam,lr=0.01,batch=32"), { optimizer: "adam", lr: 0.01, batch: 32 });
  assert.equal(NetRun.format({ optimizer: "adam", lr: 0.01, batch: 32 }), "adam,lr=0.01,batch=32");
  assert.equal(NetRun.parse("?"), undefined);
  const points = [[0.5, -1, 0], [1, 2, 1]];
  assert.equal(PointsType.format(points), "0.5,-1,0;1,2,1");
  assert.deepEqual(PointsType.parse("0.5,-1,0;1,2,1;bad;1,2"), points);
  assert.deepEqual(WeightsType.parse("1.0.0,1.0.1"), [[1, 0, 0], [1, 0, 1]]);
  assert.equal(WeightsType.parse("0.0.0,1.0.1"), undefined, "layers count from 1");
  assert.equal(WeightsType.parse("1.0.0"), undefined, "two weights make a plane");
});

test("sanitize keeps a surface's parameters within the API's ranges and drops the ones it lacks", () => {
  const spec = (min, max, d) => ({ default: d, min, max, help: "", log: false, kind: "float", label: "" });
  const registries = {
    surfaces: [
      { id: "rosenbrock", parameters: {} },
      { id: "ravine", parameters: { condition: spec(1, 1e4, 10), angle: spec(-90, 90, 30) } },
    ],
    optimizers: [{ id: "sgd", hyperparameters: { lr: spec(1e-5, 10, 0.01) } }],
    schedules: [],
  };
  const base = { surface: "ravine", expr: "", steps: 100, speed: 10, show: [], sel: 0, runs: [{ optimizer: "sgd", hp: {} }] };
  const out = sanitize({ ...base, params: { condition: 1e6, angle: -400 } }, registries);
  assert.deepEqual(out.params, { condition: 1e4, angle: -90 });
  assert.deepEqual(surfaceSpec(out), { id: "ravine", condition: 1e4, angle: -90 });
  const elsewhere = sanitize({ ...base, surface: "rosenbrock", params: { condition: 50, angle: 10 } }, registries);
  assert.deepEqual(elsewhere.params, {});
  assert.equal(surfaceSpec(elsewhere), "rosenbrock");
  assert.deepEqual(sanitize({ ...base, params: { condition: NaN, angle: null } }, registries).params, {});
  assert.deepEqual(out.runs, [{ optimizer: "sgd", hp: {}, lr: 0.01, color: "#e8590c" }]);
});

test("network runs: an added run is sent as a start sends it; adding or removing one is an edit", () => {
  const a = { optimizer: "sgd", lr: 0.1 };
  const b = { optimizer: "adam", lr: 0.01, batch: 16, hp: { beta1: 0.8 } };
  assert.deepEqual(netRunSpec(b), { optimizer: "adam", lr: 0.01, beta1: 0.8, batch_size: 16 });
  assert.deepEqual(netRunsChange([a], [a, b]), { kind: "add", run: 1 });
  assert.deepEqual(netRunsChange([a, b], [b]), { kind: "remove", run: 0 });
  assert.deepEqual(netRunsChange([a, b], [{ ...a, lr: 0.2 }]), { kind: "restart" });
});
