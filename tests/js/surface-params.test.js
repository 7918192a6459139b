// Surface parameters are generic: a link carries the chosen surface's parameters under their
// API names, and the ranges come from GET /api/surfaces. A made-up second parametrised surface
// travels, clamps and reaches the server with no code for it in static/js.
import assert from "node:assert/strict";
import { test } from "node:test";

import { SCHEMA, createDescentStore, gridURL, sanitize, surfaceSpec } from "../../static/js/descent/state.js";

const spec = (min, max, d, kind = "float") => ({ default: d, min, max, help: "", log: false, kind, label: "" });
const registries = {
  surfaces: [
    { id: "rosenbrock", parameters: {} },
    { id: "ravine", parameters: { condition: spec(1, 1e4, 10), angle: spec(-90, 90, 30) } },
    // Not a surface of the API: one the page has never heard of.
    { id: "wobble", parameters: { amplitude: spec(0, 5, 1), waves: spec(1, 12, 3, "int") } },
  ],
  optimizers: ["sgd", "adam"].map((id) => ({ id, hyperparameters: { lr: spec(1e-5, 10, 0.01) } })),
  schedules: [],
};
const defaults = Object.fromEntries(Object.entries(SCHEMA).map(([k, p]) => [k, p.default]));

/** Open a hash as the page does (parse, then fit to the registries); the link it then shows. */
function open(hash) {
  const store = createDescentStore();
  const warnings = [];
  const state = sanitize({ ...defaults, ...store.parse(hash) }, registries, {}, (text) => warnings.push(text));
  return { link: store.serialize(state), state, warnings };
}

test("today's ravine link parses into the surface's parameters and serializes back the same", () => {
  const { link, state, warnings } = open("#surface=ravine&condition=50&angle=30");
  assert.deepEqual(state.params, { condition: 50, angle: 30 });
  assert.deepEqual(warnings, []);
  assert.equal(link, "surface=ravine&condition=50&angle=30");
  assert.deepEqual(surfaceSpec(state), { id: "ravine", condition: 50, angle: 30 });
});

test("a made-up parametrised surface travels in the link with no code for it", () => {
  const { link, state, warnings } = open("#surface=wobble&waves=5&amplitude=2.5&steps=300");
  assert.deepEqual(state.params, { waves: 5, amplitude: 2.5 });
  assert.deepEqual(warnings, []);
  assert.equal(link, "surface=wobble&waves=5&amplitude=2.5&steps=300");
  assert.deepEqual(surfaceSpec(state), { id: "wobble", waves: 5, amplitude: 2.5 });
  const q = new URL(gridURL(state, 51), "http://x").searchParams;
  assert.deepEqual([q.get("n"), q.get("waves"), q.get("amplitude")], ["51", "5", "2.5"]);
});

test("an out-of-range value takes the nearest valid one and says so", () => {
  const { state, warnings } = open("#surface=ravine&angle=120&condition=0.5");
  assert.deepEqual(state.params, { angle: 90, condition: 1 });
  assert.deepEqual(warnings, ["angle 120 is outside -90..90: using 90", "condition 0.5 is outside 1..10000: using 1"]);
  const wobble = open("#surface=wobble&waves=40&amplitude=-1");
  assert.deepEqual(wobble.state.params, { waves: 12, amplitude: 0 });
  assert.equal(wobble.warnings.length, 2);
  // An int parameter is an integer: 2.6 rounds, with a word that it changed.
  const rounded = open("#surface=wobble&waves=2.6");
  assert.deepEqual(rounded.state.params, { waves: 3 });
  assert.deepEqual(rounded.warnings, ["waves 2.6 is outside 1..12: using 3"]);
});

test("keys the surface does not have, and values that are not numbers, are dropped quietly", () => {
  const { link, state, warnings } = open("#surface=wobble&angle=30&amplitude=abc&foo=bar");
  assert.deepEqual(state.params, {});
  assert.deepEqual(warnings, []);
  assert.equal(link, "surface=wobble");
  assert.equal(surfaceSpec(state), "wobble");
  // Another page's keys stay the state's own: run= and steps= are never surface parameters.
  assert.deepEqual(createDescentStore().parse("#steps=5&run=sgd&x=1").params, { x: 1 });
});
