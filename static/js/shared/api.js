// @ts-check
// HTTP calls to the JSON API. A 422 becomes an ApiError that names the field and carries the
// server's message (app/api/errors.py: {detail: [{loc, field, msg}], message}).

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
  const response = await fetch(url, init);
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) throw new ApiError(response.status, body, url);
  return body;
}

/**
 * GET a JSON document; throws ApiError on an HTTP error, TypeError when the server is away.
 * @param {string} url
 * @param {{ signal?: AbortSignal }} [options]
 * @returns {Promise<any>}
 */
export function getJSON(url, { signal } = {}) {
  return fetchJSON(url, { signal, headers: { Accept: "application/json" } });
}

/**
 * POST a JSON body; throws ApiError on an HTTP error (422: the message names the field).
 * @param {string} url
 * @param {unknown} body
 * @param {{ signal?: AbortSignal }} [options]
 * @returns {Promise<any>}
 */
export function postJSON(url, body, { signal } = {}) {
  return fetchJSON(url, {
    method: "POST",
    signal,
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
}

/**
 * The three registries every page lists from (never from a copy in JavaScript).
 * @returns {Promise<import("../types/api").DescentRegistries>}
 */
export function loadRegistries() {
  return Promise.all([
    getJSON("/api/surfaces"),
    getJSON("/api/optimizers"),
    getJSON("/api/schedules"),
  ]).then(([surfaces, optimizers, schedules]) => ({ surfaces, optimizers, schedules }));
}
