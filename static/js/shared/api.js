// @ts-check
// HTTP calls to the JSON API. A 422 becomes an ApiError that names the field and carries the
// server's message (app/api/errors.py: {detail: [{loc, field, msg}], message}). A 503 (the server
// is busy with a class's requests: app/api/admission.py) is retried after its Retry-After, and
// the page says so meanwhile.

import { showMessage } from "./messages.js";

const BUSY_TRIES = 10; // then the 503 is an error like any other

/**
 * The error body the API sends (app/api/errors.py).
 * @typedef {{ message?: string, detail?: { loc?: (string | number)[], field?: string, msg: string }[] | string }} ErrorBody
 */

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {ErrorBody | null} body
   * @param {string} url
   */
  constructor(status, body, url) {
    const first = body && Array.isArray(body.detail) ? body.detail[0] : null;
    super((body && body.message) || (first && first.msg) || `HTTP ${status} from ${url}`);
    this.status = status;
    this.field = first ? first.field : null;
    this.msg = first ? first.msg : this.message; // the message without the field prefix
    this.detail = body ? body.detail : null;
  }
}

/** @param {string} url @param {RequestInit} init @returns {Promise<any>} the parsed JSON */
async function fetchJSON(url, init) {
  for (let attempt = 1; ; attempt += 1) {
    const response = await fetch(url, init);
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (response.ok) return body;
    if (response.status !== 503 || attempt >= BUSY_TRIES) throw new ApiError(response.status, body, url);
    const seconds = Math.max(1, Number(response.headers.get("Retry-After")) || 3);
    showMessage(`The server is busy with the class's requests: retrying in ${seconds} s.`, {
      kind: "warn", key: "busy", timeout: seconds * 1000,
    });
    await sleep(seconds * 1000, init.signal);
  }
}

/**
 * Wait, or reject with the signal's AbortError when the request is superseded meanwhile.
 * @param {number} ms @param {AbortSignal | null | undefined} signal @returns {Promise<void>}
 */
function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

/**
 * GET a JSON document; throws ApiError on an HTTP error, TypeError when the server is away.
 * @param {string} url
 * @param {{ signal?: AbortSignal, headers?: Record<string, string> }} [options] headers: e.g. a
 *   class's token (X-Teacher-Token)
 * @returns {Promise<any>}
 */
export function getJSON(url, { signal, headers = {} } = {}) {
  return fetchJSON(url, { signal, headers: { Accept: "application/json", ...headers } });
}

/**
 * POST a JSON body; throws ApiError on an HTTP error (422: the message names the field).
 * @param {string} url
 * @param {unknown} body
 * @param {{ signal?: AbortSignal, headers?: Record<string, string> }} [options]
 * @returns {Promise<any>}
 */
export function postJSON(url, body, { signal, headers = {} } = {}) {
  return fetchJSON(url, {
    method: "POST",
    signal,
    headers: { "Content-Type": "application/json", Accept: "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/**
 * The registries every page lists from (never from a copy in JavaScript).
 * @returns {Promise<import("../types/api").DescentRegistries>}
 */
export function loadRegistries() {
  return Promise.all([
    getJSON("/api/surfaces"),
    getJSON("/api/optimizers"),
    getJSON("/api/schedules"),
    getJSON("/api/optimizers/state-keys"),
  ]).then(([surfaces, optimizers, schedules, stateKeys]) => ({ surfaces, optimizers, schedules, stateKeys }));
}
