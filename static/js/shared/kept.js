// @ts-check
// What a link cannot hold (many own points, a big edited network) is kept under a short id that
// the link carries instead (`state=<id>`): in the server's store (POST /api/states,
// app/api/routes/states.py), so "Copy link" works on another device, and in this browser's
// localStorage, so a reload works even when the server is away or refused it. Page-agnostic.

import { getJSON, postJSON } from "./api.js";

const PREFIX = "gradscape:state:";
const ID_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;

/** The `state=<id>` of a page's schema. @type {import("./state.js").PropType<string>} */
export const KeptIdType = { parse: (s) => (ID_PATTERN.test(s) ? s : undefined), format: String };

/** @param {string} id */
const isLocal = (id) => id.startsWith("local-");

/**
 * A hash of a text, for an id when the server cannot give one (cyrb53: not cryptographic; the
 * id only names a state in this browser).
 * @param {string} text
 */
function localId(text) {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return `local-${(4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36)}`;
}

/** @param {string} id @param {string} text @returns {boolean} whether the browser kept it */
function keepLocally(id, text) {
  try {
    localStorage.setItem(PREFIX + id, text);
    return true;
  } catch {
    return false; // storage full or disabled
  }
}

/**
 * Keep a state. `where` says who holds it: "server" (and this browser, usually), "browser"
 * (the server refused it or is away: `problem` says why), or "nowhere" (lost on reload).
 * @param {Record<string, unknown>} state
 * @returns {Promise<{ id: string | null, where: "server" | "browser" | "nowhere", problem?: string }>}
 */
export async function keepState(state) {
  const text = JSON.stringify(state);
  try {
    const { id } = await postJSON("/api/states", state);
    keepLocally(id, text);
    return { id, where: "server" };
  } catch (err) {
    const problem = err instanceof Error ? err.message : String(err);
    const id = localId(text);
    return keepLocally(id, text) ? { id, where: "browser", problem } : { id: null, where: "nowhere", problem };
  }
}

/**
 * The state kept under an id: from the server, else from this browser; null if neither has it.
 * @param {string} id
 * @returns {Promise<Record<string, any> | null>}
 */
export async function keptState(id) {
  if (!ID_PATTERN.test(id)) return null;
  if (!isLocal(id)) {
    try {
      const state = await getJSON(`/api/states/${id}`);
      keepLocally(id, JSON.stringify(state));
      return state;
    } catch {
      // not on this server (or the server is away): this browser may still have it
    }
  }
  try {
    const text = localStorage.getItem(PREFIX + id);
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}
