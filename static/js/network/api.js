// @ts-check
// The network view's HTTP calls: its registries (GET /api/mlp/options and the optimizers' specs)
// (POST /api/mlp/landscape goes through api.js's postJSON).

import { getJSON } from "../shared/api.js";

/** What the page may offer, from the server (never from a copy in JavaScript). */
/**
 * @returns {Promise<{ options: import("../types/api").MlpOptions, optimizers: import("../types/api").OptimizerInfo[] }>}
 */
export async function loadNetworkRegistries() {
  const [options, optimizers] = await Promise.all([getJSON("/api/mlp/options"), getJSON("/api/optimizers")]);
  const offered = new Set(options.optimizers);
  return { options, optimizers: optimizers.filter((/** @type {import("../types/api").OptimizerInfo} */ o) => offered.has(o.id)) };
}
