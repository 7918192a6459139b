// The network view's HTTP calls: its registries (GET /api/mlp/options and the optimizers' specs)
// (POST /api/mlp/landscape goes through api.js's postJSON).

import { getJSON } from "../shared/api.js";

/** What the page may offer, from the server (never from a copy in JavaScript). */
export async function loadNetworkRegistries() {
  const [options, optimizers] = await Promise.all([getJSON("/api/mlp/options"), getJSON("/api/optimizers")]);
  const offered = new Set(options.optimizers);
  return { options, optimizers: optimizers.filter((o) => offered.has(o.id)) };
}
