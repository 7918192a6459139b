// @ts-check
// The class websocket /ws/class (docs/classroom.md) and the tokens that say who this browser is in
// a class. Tokens live in localStorage under gradscape.class.ID.teacher / .student, so a reload or
// a lost connection comes back as the same teacher or student; the teacher's token arrives once in
// the address bar (#teacher=TOKEN&class=ID) and is taken out of it at once.

import { LiveSocket } from "../shared/socket.js";

/** @typedef {"teacher" | "student"} Role */
/** @typedef {{ getItem(k: string): string | null, setItem(k: string, v: string): void, removeItem(k: string): void }} KeyStore */
/** @typedef {import("../shared/socket.js").Message} Message */

const PREFIX = "gradscape.class.";

/** @param {string} classId @param {Role | "follow"} what */
export const storageKey = (classId, what) => `${PREFIX}${classId}.${what}`;

/**
 * The teacher's link's two keys taken out of a hash: `{classId, token, hash}` where `hash` is
 * what remains (the view's own state, if any), or null when the hash carries no teacher token.
 * @param {string} hash
 * @returns {{ classId: string, token: string, hash: string } | null}
 */
export function takeTeacherLink(hash) {
  const parts = String(hash).replace(/^#/, "").split("&").filter(Boolean);
  /** @type {Record<string, string>} */
  const found = {};
  const rest = [];
  for (const part of parts) {
    const i = part.indexOf("=");
    const key = i < 0 ? part : part.slice(0, i);
    if (key === "teacher" || key === "class") found[key] = decodeURIComponent(part.slice(i + 1));
    else rest.push(part);
  }
  if (!found.teacher || !found.class) return null;
  return { classId: found.class, token: found.teacher, hash: rest.length ? `#${rest.join("&")}` : "" };
}

/** This browser's tokens and wishes for one class. */
export class ClassTokens {
  /** @param {string} classId @param {KeyStore | null} storage null: nothing is kept (private mode) */
  constructor(classId, storage) {
    this.classId = classId;
    this.storage = storage;
  }

  /** @param {Role | "follow"} what */
  get(what) {
    try {
      return this.storage ? this.storage.getItem(storageKey(this.classId, what)) : null;
    } catch {
      return null; // storage refused (privacy settings): as if nothing were kept
    }
  }

  /** @param {Role | "follow"} what @param {string | null} value null removes it */
  set(what, value) {
    try {
      if (!this.storage) return;
      if (value === null) this.storage.removeItem(storageKey(this.classId, what));
      else this.storage.setItem(storageKey(this.classId, what), value);
    } catch {
      // a full or refused storage: this page still works, a reload will ask again
    }
  }

  get teacher() { return this.get("teacher"); }
  get student() { return this.get("student"); }

  /** A student follows the teacher unless they chose to explore (kept across pages and reloads). */
  get following() { return this.get("follow") !== "0"; }
  set following(on) { this.set("follow", on ? "1" : "0"); }

  /** The first message on every connection: who this is. @returns {Message} */
  hello() {
    /** @type {Message} */
    const message = { type: "hello", class: this.classId };
    const teacher = this.teacher;
    const student = this.student;
    if (teacher) message.teacher_token = teacher;
    else if (student) message.student_token = student;
    return message;
  }
}

/** The localStorage of this page, or null where it is refused. */
export function pageStorage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/**
 * A connected class socket: it says hello (with the tokens) on every connection and reconnects
 * with backoff, as the live-run socket does.
 * @param {ClassTokens} tokens
 */
export function openClassSocket(tokens) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new LiveSocket(`${scheme}//${location.host}/ws/class`, {
    hello: () => tokens.hello(), protocol: null, minDelay: 300, maxDelay: 8000,
  });
  socket.connect();
  return socket;
}
