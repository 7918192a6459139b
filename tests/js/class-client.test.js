// The class's tokens (static/js/class/client.js): the teacher's link taken out of the address, the
// keys in localStorage, and the hello that says who this browser is.
import assert from "node:assert/strict";
import { test } from "node:test";

import { ClassTokens, storageKey, takeTeacherLink } from "../../static/js/class/client.js";

class MemoryStorage {
  constructor() { this.map = new Map(); }
  getItem(k) { return this.map.has(k) ? this.map.get(k) : null; }
  setItem(k, v) { this.map.set(k, String(v)); }
  removeItem(k) { this.map.delete(k); }
}

test("the teacher's link gives the token and the class, and keeps the view's own state", () => {
  assert.deepEqual(takeTeacherLink("#teacher=abc-_1&class=k3x9pq2m"), { classId: "k3x9pq2m", token: "abc-_1", hash: "" });
  assert.deepEqual(takeTeacherLink("#surface=himmelblau&teacher=T&class=C&run=sgd"), { classId: "C", token: "T", hash: "#surface=himmelblau&run=sgd" });
  assert.equal(takeTeacherLink("#surface=himmelblau"), null);
  assert.equal(takeTeacherLink("#teacher=T"), null, "no class: not a teacher's link");
  assert.equal(takeTeacherLink(""), null);
});

test("tokens are kept by class and role; the hello carries the teacher's, else the student's", () => {
  const storage = new MemoryStorage();
  const tokens = new ClassTokens("c1", storage);
  assert.deepEqual(tokens.hello(), { type: "hello", class: "c1" });
  tokens.set("student", "S");
  assert.equal(storage.getItem(storageKey("c1", "student")), "S");
  assert.equal(storage.getItem("gradscape.class.c1.student"), "S", "the key docs/classroom.md names");
  assert.deepEqual(tokens.hello(), { type: "hello", class: "c1", student_token: "S" });
  tokens.set("teacher", "T");
  assert.deepEqual(tokens.hello(), { type: "hello", class: "c1", teacher_token: "T" });
  assert.equal(new ClassTokens("c2", storage).student, null, "another class: nothing");
  tokens.set("teacher", null);
  assert.equal(tokens.teacher, null);
});

test("a student follows unless they chose to explore; no storage or a refusing one still works", () => {
  const tokens = new ClassTokens("c1", new MemoryStorage());
  assert.equal(tokens.following, true);
  tokens.following = false;
  assert.equal(tokens.following, false);
  const none = new ClassTokens("c1", null);
  none.set("student", "S");
  assert.equal(none.student, null);
  const refusing = new ClassTokens("c1", { getItem() { throw new Error("denied"); }, setItem() { throw new Error("full"); }, removeItem() {} });
  refusing.set("student", "S");
  assert.equal(refusing.student, null);
});
