// Leading and following (static/js/class/follow.js): which of the teacher's events become action
// messages, how a follower applies them and a view, and which events are the student's own hand.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Throttle, actionOf, applyAction, isOwnTouch, planView, toggleStates } from "../../static/js/class/follow.js";

/** A minimal element: closest() by a tag/id rule, contains() by ancestry. */
function node({ tag = "button", id = "", type = "", value = "", checked = false, parent = null } = {}) {
  const n = {
    tagName: tag.toUpperCase(), id, type, value, checked, parent, clicks: 0, events: [], attrs: {},
    getAttribute(name) { return name in this.attrs ? this.attrs[name] : null; },
    click() { this.clicks += 1; },
    dispatchEvent(e) { this.events.push(e.type); return true; },
    closest(selector) {
      for (let x = this; x; x = x.parent) {
        for (const sel of selector.split(",").map((s) => s.trim())) {
          const m = /^([a-z]+)?(\[id\])?/.exec(sel);
          const tagOk = !m[1] || x.tagName === m[1].toUpperCase();
          const idOk = !m[2] || Boolean(x.id);
          if ((m[1] || m[2]) && tagOk && idOk) return x;
        }
      }
      return null;
    },
  };
  if (tag === "input" || tag === "select") n.value = value;
  return n;
}
const bar = { contains: (x) => { for (let y = x; y; y = y.parent) if (y.isBar) return true; return false; }, isBar: true };

test("a click on a button with an id is an action, also on the button's inner text", () => {
  const play = node({ id: "play" });
  const label = node({ tag: "span", parent: play });
  assert.deepEqual(actionOf({ type: "click", target: play }), { type: "action", target: "play", kind: "click" });
  assert.deepEqual(actionOf({ type: "click", target: label }), { type: "action", target: "play", kind: "click" });
});

test("a toggle's clicks are not repeated: its state is (toggleStates), so followers cannot invert it", () => {
  const play = node({ id: "play" });
  play.attrs["aria-pressed"] = "true";
  assert.equal(actionOf({ type: "click", target: play }), null);
  const present = node({ id: "present" });
  present.attrs["aria-pressed"] = "false";
  const inBar = node({ id: "lead", parent: bar });
  inBar.attrs["aria-pressed"] = "true";
  const doc = { querySelectorAll: () => [play, present, inBar] };
  assert.deepEqual([...toggleStates(doc, bar)], [["play", "true"]]);
});

test("exports, links, presentation and the class bar are the teacher's own: never repeated", () => {
  for (const id of ["export-png", "export-csv", "copy-link", "present", "join", "class-lead"]) {
    assert.equal(actionOf({ type: "click", target: node({ id }) }), null, id);
  }
  const inBar = node({ id: "step", parent: bar });
  assert.equal(actionOf({ type: "click", target: inBar }, bar), null);
  assert.equal(actionOf({ type: "click", target: node({ tag: "div" }) }), null);
});

test("an input or change carries the control's value (a checkbox's checked state)", () => {
  const lr = node({ tag: "input", id: "lr-range-0", type: "range", value: "-1.3" });
  assert.deepEqual(actionOf({ type: "input", target: lr }), { type: "action", target: "lr-range-0", kind: "input", value: "-1.3" });
  const box = node({ tag: "input", id: "show-grad", type: "checkbox", checked: true });
  assert.deepEqual(actionOf({ type: "change", target: box }), { type: "action", target: "show-grad", kind: "change", value: "true" });
  assert.equal(actionOf({ type: "input", target: node({ tag: "input", type: "range" }) }), null, "no id: the hash carries it");
});

test("applying an action clicks, or sets the value and dispatches the same event", () => {
  const els = { play: node({ id: "play" }), "lr-0": node({ tag: "input", id: "lr-0", type: "number" }), g: node({ tag: "input", id: "g", type: "checkbox" }) };
  const doc = { getElementById: (id) => els[id] || null };
  assert.equal(applyAction(doc, { type: "action", target: "play", kind: "click" }), true);
  assert.equal(els.play.clicks, 1);
  assert.equal(applyAction(doc, { type: "action", target: "lr-0", kind: "input", value: "0.05" }), true);
  assert.equal(els["lr-0"].value, "0.05");
  assert.deepEqual(els["lr-0"].events, ["input"]);
  applyAction(doc, { type: "action", target: "g", kind: "change", value: "true" });
  assert.equal(els.g.checked, true);
  assert.equal(applyAction(doc, { type: "action", target: "nope", kind: "click" }), false);
  assert.equal(applyAction(doc, { type: "action", target: "play", kind: "hover" }), false);
});

test("a view: navigate to another page, set the hash on the same page, nothing when equal", () => {
  const here = { path: "/", hash: "#run=sgd,lr=0.1" };
  assert.deepEqual(planView(here, { path: "/network", hash: "#ds=spirals" }), { kind: "navigate", url: "/network#ds=spirals" });
  assert.deepEqual(planView(here, { path: "/", hash: "#run=sgd,lr=0.2" }), { kind: "hash", hash: "#run=sgd,lr=0.2" });
  assert.deepEqual(planView(here, { path: "/", hash: "run=sgd,lr=0.1" }), { kind: "none" });
  assert.deepEqual(planView({ path: "/", hash: "" }, { path: "/", hash: "#" }), { kind: "none" });
  assert.deepEqual(planView(here, null), { kind: "none" });
  assert.deepEqual(planView(here, { path: "//evil.example/", hash: "" }), { kind: "none" }, "never off this site");
  assert.deepEqual(planView(here, { path: "https://evil.example/", hash: "" }), { kind: "none" });
});

test("the student's own hand: trusted events on controls outside the class bar", () => {
  const play = node({ id: "play" });
  assert.equal(isOwnTouch({ type: "click", isTrusted: true, target: play }), true);
  assert.equal(isOwnTouch({ type: "click", isTrusted: false, target: play }), false, "applied by us");
  assert.equal(isOwnTouch({ type: "click", isTrusted: true, target: node({ tag: "div" }) }), false, "not a control");
  assert.equal(isOwnTouch({ type: "input", isTrusted: true, target: node({ tag: "input", id: "x" }) }), true);
  assert.equal(isOwnTouch({ type: "keydown", key: " ", isTrusted: true, target: node({ tag: "body" }) }), true);
  assert.equal(isOwnTouch({ type: "keydown", key: "Tab", isTrusted: true, target: node({ tag: "body" }) }), false);
  assert.equal(isOwnTouch({ type: "click", isTrusted: true, target: node({ id: "class-follow", parent: bar }) }, bar), false);
});

test("the throttle sends the first message at once and always the last one", async () => {
  const sent = [];
  const t = new Throttle((m) => sent.push(m.value), 30);
  for (let i = 0; i < 10; i++) t.push("lr", { type: "action", value: i });
  t.push("other", { type: "action", value: "o" });
  assert.deepEqual(sent, [0, "o"]);
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(sent, [0, "o", 9]);
});
