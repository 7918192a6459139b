import { test } from "node:test";
import assert from "node:assert/strict";
import { listEdit } from "../../static/js/shared/run-edits.js";

const a = { optimizer: "sgd", lr: 0.1 };
const b = { optimizer: "adam", lr: 0.01 };
const c = { optimizer: "rmsprop", lr: 0.01 };

test("a run added at the end, or one removed, is an edit; anything else is not", () => {
  assert.deepEqual(listEdit([a, b], [a, b, c]), { kind: "add", run: 2 });
  assert.deepEqual(listEdit([a, b, c], [a, c]), { kind: "remove", run: 1 });
  assert.deepEqual(listEdit([a, b, c], [b, c]), { kind: "remove", run: 0 });
  assert.deepEqual(listEdit([a, b, c], [a, b]), { kind: "remove", run: 2 });
  assert.deepEqual(listEdit([a, a], [a]), { kind: "remove", run: 1 });
  assert.equal(listEdit([a, b], [c, a, b]), null); // added in front: new ids for all
  assert.equal(listEdit([a, b], [a, { ...b, lr: 0.02 }, c]), null); // and changed one
  assert.equal(listEdit([a, b, c], [a, { ...c, lr: 1 }]), null);
  assert.equal(listEdit([a], []), null); // no runs: nothing to keep
  assert.equal(listEdit([a, b], [a, b]), null);
  assert.equal(listEdit([a], [a, b, c]), null);
});
