// @ts-check
// URL state, after tensorflow/playground's state.ts: a typed table of properties drives both
// parsing and serializing the URL hash, so a link reproduces a view. One Store owns the URL;
// rendering reads store.state, handlers call store.set(patch), subscribers react to changes.
// Page-agnostic: each page passes its own schema (see descent/state.js).

/**
 * A property's codec: parse gives undefined for an invalid value (the default is kept).
 * @template T
 * @typedef {{ parse: (s: string) => T | undefined, format: (v: T) => string }} PropType
 */

/**
 * One row of a page's state table.
 * @typedef {object} Prop
 * @property {PropType<any>} type
 * @property {any} default
 * @property {string} [key] the name in the URL, when not the property's
 * @property {boolean} [repeat] one URL entry per item of an array value
 * @property {boolean} [rest] a map of the URL's keys no other property claims, each value
 *   parsed by `type` (a page whose keys come from the API, e.g. surface parameters)
 * @property {false} [url] keep it out of the URL
 */

/** @typedef {Record<string, Prop>} Schema */
/** @typedef {Record<string, any>} State */
/** @typedef {(changed: Set<string>, prev: State, next: State) => void} Listener */

/** @param {string | null | undefined} s */
const num = (s) => {
  if (s === "" || s === null || s === undefined) return undefined;
  const x = Number(s);
  return Number.isFinite(x) ? x : undefined;
};

/** @param {unknown} v */
const str = (v) => String(v);

/** Property types: parse(string) -> value or undefined (invalid: keep the default). */
export const Types = {
  /** @type {PropType<string>} */
  string: { parse: (s) => s, format: str },
  /** @type {PropType<number>} */
  number: { parse: num, format: str },
  /** @type {PropType<number>} */
  int: {
    parse: (s) => {
      const x = num(s);
      return x === undefined ? undefined : Math.round(x);
    },
    format: str,
  },
  /** @type {PropType<boolean>} */
  bool: { parse: (s) => s === "1" || s === "true", format: (v) => (v ? "1" : "0") },
  /** "x,y" @type {PropType<number[]>} */
  point: {
    parse: (s) => {
      const parts = String(s).split(",").map(num);
      return parts.length === 2 && parts.every((x) => x !== undefined) ? /** @type {number[]} */ (parts) : undefined;
    },
    format: (v) => v.map(String).join(","),
  },
  /** "a,b,c" @type {PropType<string[]>} */
  list: {
    parse: (s) => (s ? String(s).split(",").filter(Boolean) : []),
    format: (v) => v.join(","),
  },
  /**
   * One of a fixed set of strings.
   * @param {string[]} values
   * @returns {PropType<string>}
   */
  oneOf: (values) => ({
    parse: (s) => (values.includes(s) ? s : undefined),
    format: str,
  }),
};

// Keep the characters a hash may hold unescaped, so links stay readable (x**2+y, 0.5,1.2).
/** @type {Record<string, string>} */
const SAFE = { "%2C": ",", "%3A": ":", "%2F": "/", "%40": "@", "%24": "$", "%3B": ";", "%2B": "+", "%3D": "=" };
/** @param {string} value */
export function encodeValue(value) {
  return encodeURIComponent(value).replace(/%(2C|3A|2F|40|24|3B|2B|3D)/g, (m) => SAFE[m]);
}

/** @param {string} s */
function decode(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

// JSON with sorted keys: two states are the same whatever order their keys were set in.
/** @param {unknown} v */
const canonical = (v) => JSON.stringify(v, (_, x) => (x && typeof x === "object" && !Array.isArray(x)
  ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]])) : x));
/** @param {unknown} a @param {unknown} b */
const same = (a, b) => a === b || canonical(a) === canonical(b);
/** @template T @param {T} v @returns {T} */
const copy = (v) => (v && typeof v === "object" ? JSON.parse(JSON.stringify(v)) : v);

export class Store {
  /**
   * @param {Schema} schema
   * @param {{ writeDelay?: number }} [options] writeDelay: ms between URL writes at most
   */
  constructor(schema, { writeDelay = 120 } = {}) {
    this.schema = schema;
    /** @type {State} */
    this.state = Object.fromEntries(Object.entries(schema).map(([k, p]) => [k, copy(p.default)]));
    /** @type {Set<Listener>} */
    this.listeners = new Set();
    this.writeDelay = writeDelay;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this._writeTimer = null;
  }

  /**
   * Merge `patch` into the state; subscribers get the changed names and the previous state.
   * @param {State} patch
   * @returns {Set<string>} the names that changed
   */
  set(patch) {
    /** @type {Set<string>} */
    const changed = new Set();
    const prev = this.state;
    const next = { ...prev };
    for (const [k, v] of Object.entries(patch)) {
      if (!(k in this.schema)) throw new Error(`state has no property ${k}`);
      if (!same(prev[k], v)) {
        next[k] = copy(v);
        changed.add(k);
      }
    }
    if (!changed.size) return changed;
    this.state = next;
    this._scheduleWrite();
    for (const fn of this.listeners) fn(changed, prev, next);
    return changed;
  }

  /** @param {Listener} fn @returns {() => boolean} unsubscribe */
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * The hash for a state (without "#"); values equal to their default are left out.
   * @param {State} [state]
   */
  serialize(state = this.state) {
    const parts = [];
    for (const [name, prop] of Object.entries(this.schema)) {
      if (prop.url === false) continue;
      const value = state[name];
      if (value === undefined || value === null || same(value, prop.default)) continue;
      if (prop.rest) {
        for (const [k, v] of Object.entries(value)) {
          if (v !== undefined && v !== null) parts.push(`${encodeValue(k)}=${encodeValue(prop.type.format(v))}`);
        }
        continue;
      }
      const key = prop.key || name;
      /** @type {unknown[]} */
      const items = prop.repeat ? value : [value];
      for (const item of items) parts.push(`${key}=${encodeValue(prop.type.format(item))}`);
      if (prop.repeat && !items.length) parts.push(`${key}=`); // an explicit empty list
    }
    return parts.join("&");
  }

  /**
   * The properties a hash sets (unknown keys and invalid values are ignored).
   * @param {string} hash
   * @returns {State}
   */
  parse(hash) {
    /** @type {Map<string, string[]>} */
    const raw = new Map();
    for (const part of String(hash).replace(/^#/, "").split("&")) {
      if (!part) continue;
      const i = part.indexOf("=");
      const key = decode(i < 0 ? part : part.slice(0, i));
      const value = decode(i < 0 ? "" : part.slice(i + 1));
      if (key === undefined || value === undefined) continue;
      const values = raw.get(key);
      if (values) values.push(value);
      else raw.set(key, [value]);
    }
    /** @type {State} */
    const out = {};
    const claimed = new Set(Object.entries(this.schema).map(([name, prop]) => prop.key || name));
    for (const [name, prop] of Object.entries(this.schema)) {
      if (prop.rest && prop.url !== false) {
        /** @type {Record<string, unknown>} */
        const map = {};
        for (const [k, values] of raw) {
          const v = claimed.has(k) ? undefined : prop.type.parse(values[values.length - 1]);
          if (v !== undefined) map[k] = v;
        }
        out[name] = map;
        continue;
      }
      const values = raw.get(prop.key || name);
      if (!values || prop.url === false) continue;
      if (prop.repeat) {
        out[name] = values.filter((s) => s !== "").map((s) => prop.type.parse(s)).filter((v) => v !== undefined);
      } else {
        const v = prop.type.parse(values[values.length - 1]);
        if (v !== undefined) out[name] = v;
      }
    }
    return out;
  }

  /** A link that reopens this state. */
  link() {
    const hash = this.serialize();
    return `${location.origin}${location.pathname}${hash ? `#${hash}` : ""}`;
  }

  /** Write the URL now (also done automatically, coalesced, after every change). */
  flush() {
    if (this._writeTimer !== null) clearTimeout(this._writeTimer);
    this._writeTimer = null;
    const hash = this.serialize();
    const url = `${location.pathname}${location.search}${hash ? `#${hash}` : ""}`;
    if (url !== `${location.pathname}${location.search}${location.hash}`) {
      history.replaceState(history.state, "", url);
    }
  }

  // A slider sends dozens of changes a second; the URL is written at most every writeDelay ms.
  _scheduleWrite() {
    if (this._writeTimer !== null) return;
    this._writeTimer = setTimeout(() => this.flush(), this.writeDelay);
  }
}
