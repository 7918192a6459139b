// The network view's HTTP calls: its registries (GET /api/mlp/options and the optimizers' specs)
// and POST /api/mlp/landscape. api.js only GETs, so the POST lives here (same ApiError on a 422).

import { ApiError, getJSON } from "./api.js";

/** What the page may offer, from the server (never from a copy in JavaScript). */
export async function loadNetworkRegistries() {
  const [options, optimizers] = await Promise.all([getJSON("/api/mlp/options"), getJSON("/api/optimizers")]);
  const offered = new Set(options.optimizers);
  return { options, optimizers: optimizers.filter((o) => offered.has(o.id)) };
}

/** POST a JSON body; throws ApiError on an HTTP error (422: the message names the field). */
export async function postJSON(url, body, { signal } = {}) {
  const response = await fetch(url, {
    method: "POST",
    signal,
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(response.status, data, url);
  return data;
}
