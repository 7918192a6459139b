// URL state (static/js/shared/state.js): every type round-trips, defaults stay out of the link, and a
// hand-edited or truncated link never throws.
import assert from "node:assert/strict";
import { test } from "node:test";

import { encodeValue, Store, Types } from "../../static/js/shared/state.js";

// The Store writes the URL through location and history: a page's worth of both.
const written = [];
globalThis.location = { origin: "http://gradscape.test", pathname: "/", search: "", hash: "" };
globalThis.history = {
  state: null,
  replaceState(_state, _title, url) {
    written.push(url);
    globalThis.location.hash = url.includes("#") ? url.slice(url.indexOf("#")) : "";
  },
};

const schema = {
  name: { type: Types.string, default: "a" },
  x: { type: Types.number, default: null },
  n: { type: Types.int, default: 3, key: "count" },
  on: { type: Types.bool, default: false },
  at: { type: Types.point, default: null },
  tags: { type: Types.list, default: [] },
  view: { type: Types.oneOf(["2d", "3d"]), default: "2d" },
  items: { type: Types.string, default: ["p"], key: "item", repeat: true },
  local: { type: Types.int, default: 0, url: false },
};

test("a state at its defaults serializes to an empty hash", () => {
  assert.equal(new Store(schema).serialize(), "");
});

test("every type round-trips through the hash", () => {
  const store = new Store(schema);
  const state = {
    name: "x**2+y", x: -0.125, n: 7, on: true, at: [1.5, -2], tags: ["grad", "state"],
    view: "3d", items: ["q", "r"], local: 0,
  };
  const hash = store.serialize(state);
  assert.equal(hash, "name=x**2+y&x=-0.125&count=7&on=1&at=1.5,-2&tags=grad,state&view=3d&item=q&item=r");
  assert.deepEqual(store.parse(`#${hash}`), {
    name: "x**2+y", x: -0.125, n: 7, on: true, at: [1.5, -2], tags: ["grad", "state"], view: "3d", items: ["q", "r"],
  });
});

test("invalid values keep the default; unknown keys and url:false properties are ignored", () => {
  const store = new Store(schema);
  assert.deepEqual(store.parse("x=abc&count=&at=1,2,3&view=4d&local=5&bogus=1&on"), { on: false });
  assert.deepEqual(store.parse("x=Infinity&x=2"), { x: 2 }, "the last value of a key wins");
  assert.deepEqual(store.parse("count=2.6"), { n: 3 });
});

test("a malformed percent escape is skipped, not thrown", () => {
  assert.deepEqual(new Store(schema).parse("name=%E0%A4%A&x=1"), { x: 1 });
});

test("an explicitly empty repeated list survives the round trip", () => {
  const store = new Store(schema);
  const hash = store.serialize({ ...store.state, items: [] });
  assert.equal(hash, "item=");
  assert.deepEqual(store.parse(hash), { items: [] });
});

test("encodeValue keeps commas, colons and operators readable but escapes & and #", () => {
  assert.equal(encodeValue("0.5,1.2"), "0.5,1.2");
  assert.equal(encodeValue("a=b+c"), "a=b+c");
  assert.equal(encodeValue("a&b#c d"), "a%26b%23c%20d");
});

test("set reports only real changes, whatever the key order of an object", () => {
  const store = new Store({ o: { type: Types.string, default: { a: 1, b: 2 }, url: false } });
  const seen = [];
  store.subscribe((changed) => seen.push([...changed]));
  assert.equal(store.set({ o: { b: 2, a: 1 } }).size, 0);
  assert.deepEqual([...store.set({ o: { a: 2, b: 2 } })], ["o"]);
  assert.deepEqual(seen, [["o"]]);
  assert.throws(() => store.set({ nope: 1 }), /no property nope/);
});

test("the state holds copies: mutating a value passed to set does not change the state", () => {
  const store = new Store(schema);
  const tags = ["a"];
  store.set({ tags });
  tags.push("b");
  assert.deepEqual(store.state.tags, ["a"]);
});

test("changes reach the URL coalesced, once per writeDelay, and link() reopens them", async () => {
  const store = new Store(schema, { writeDelay: 5 });
  const before = written.length;
  store.set({ n: 4 });
  store.set({ n: 5 });
  store.set({ on: true });
  assert.equal(written.length, before, "nothing is written synchronously");
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.deepEqual(written.slice(before), ["/#count=5&on=1"]);
  assert.equal(store.link(), "http://gradscape.test/#count=5&on=1");
  store.set({ n: 3, on: false });
  store.flush();
  assert.equal(written.at(-1), "/");
});

test("a rest property holds the keys no other property claims, each its own key in the hash", () => {
  const store = new Store({ name: { type: Types.string, default: "a" }, extra: { type: Types.number, rest: true, default: {} } });
  const parsed = store.parse("#name=b&k=2&z=-1.5&bad=x&name=c");
  assert.deepEqual(parsed, { name: "c", extra: { k: 2, z: -1.5 } });
  assert.equal(store.serialize(parsed), "name=c&k=2&z=-1.5");
  assert.equal(store.serialize({ name: "a", extra: {} }), "");
});
