// @ts-check
// When to slice the loss (POST /api/mlp/landscape) and with what:
//   live   while training, the plane the server reports in `started.config.plane` (directions =
//          its mode, centre "initial", its seed): the surface under the live paths. The endpoint
//          trains the runs only to fit the grid's span, so it gets as many steps as its budget
//          allows; when a live path walks off the grid, the slice is refitted around it.
//   final  after training, the finished runs in the chosen mode (PCA needs them): the response's
//          paths carry the real loss, the slice's loss and the distance from the plane.
// A newer request aborts an older one; a 422 (a cost limit, say) is reported with its message.

import { postJSON } from "../shared/api.js";
import { isNum } from "../shared/format.js";

/** @typedef {import("../types/api").LandscapeResponse} LandscapeResponse */
/** @typedef {ReturnType<typeof import("./state.js").networkShape>} Shape the network's sizes, weights and samples */
/** @typedef {import("./state.js").WeightRef} WeightRef */
/**
 * The landscape request's data, network and runs (the page's `body`); planeWeights: the two
 * weights of the "weights" plane.
 * @typedef {{ runs: { batch_size?: number | null }[], planeWeights?: WeightRef[] | null, [field: string]: unknown }} Body
 */
/** @typedef {{ mode: string, seed: number | null, [field: string]: unknown }} Plane the live plane (started.config.plane) */
/** @typedef {Body & { seed: number | null, steps: number, directions: string, centre: string, grid: number, span?: number[], weights?: WeightRef[] }} SliceRequest */
/** @typedef {"live" | "final" | "error" | "busy"} Change */

const GRID_WORK = 4e10; // grid^2 x samples x weights, under the server's 5e10
const TRAIN_WORK = 4e9; // runs x steps x batch x weights, under the server's 5e9
const RUN_STEPS = 20000; // runs x steps
const REFIT_EVERY = 2000; // ms between two refits of the live slice

/** The largest odd grid (at most `max` per side) the server will slice for this network.
 * @param {Shape} shape */
function gridSize(shape, max = 51) {
  const g = Math.floor(Math.sqrt(GRID_WORK / Math.max(1, shape.samples * shape.params)));
  const odd = Math.min(max, g) - (Math.min(max, g) % 2 === 0 ? 1 : 0);
  return Math.max(5, odd);
}

/** The slice's loss at axis values (x, y), bilinear between grid nodes; null outside the grid.
 * @param {LandscapeResponse | null} surface @param {number | null} x @param {number | null} y
 * @returns {number | null} */
export function sliceAt(surface, x, y) {
  if (!surface || !isNum(x) || !isNum(y)) return null;
  const xs = surface.x.values;
  const ys = surface.y.values;
  const fx = ((x - xs[0]) / (xs[xs.length - 1] - xs[0])) * (xs.length - 1);
  const fy = ((y - ys[0]) / (ys[ys.length - 1] - ys[0])) * (ys.length - 1);
  if (!(fx >= 0 && fy >= 0 && fx <= xs.length - 1 && fy <= ys.length - 1)) return null;
  const i = Math.min(Math.floor(fx), xs.length - 2);
  const j = Math.min(Math.floor(fy), ys.length - 2);
  const u = fx - i;
  const w = fy - j;
  const z = surface.z;
  const c = [z[j][i], z[j][i + 1], z[j + 1][i], z[j + 1][i + 1]];
  if (!c.every(isNum)) return null;
  return (1 - w) * ((1 - u) * c[0] + u * c[1]) + w * ((1 - u) * c[2] + u * c[3]);
}

/** Steps the endpoint may train these runs for, within its budget.
 * @param {Body} body @param {Shape} shape @param {number} steps */
function affordableSteps(body, shape, steps) {
  const perStep = body.runs.reduce((s, r) => s + Math.min(r.batch_size || shape.samples, shape.samples), 0) * shape.params;
  return Math.max(1, Math.min(steps, Math.floor(TRAIN_WORK / Math.max(1, perStep)), Math.floor(RUN_STEPS / body.runs.length)));
}

export class Slices {
  /** @param {{ onChange: (what: Change) => void }} options */
  constructor({ onChange }) {
    this.onChange = onChange;
    /** @type {{ key: string, request: SliceRequest, surface: LandscapeResponse | null, at: number, plane: Plane } | null} */
    this.live = null;
    /** @type {{ key: string, request: SliceRequest, resp: LandscapeResponse | null, mode: string, include: number[] } | null} */
    this.final = null;
    /** @type {"live" | "final"} */
    this.phase = "live";
    /** @type {string | null} the message of the last failed request */
    this.error = null;
    /** @type {"live" | "final" | null} while a request is out */
    this.busy = null;
    /** @type {AbortController | null} */
    this.controller = null;
    this.fetches = 0;
  }

  /**
   * Slice the live plane (after `started`, or `reset` with new weights).
   * @param {Body} body @param {Plane} plane @param {Shape} shape @param {number} steps
   * @param {number[] | null} [span] the half-widths to slice (a refit), null: the server's
   */
  fetchLive(body, plane, shape, steps, span = null) {
    this.phase = "live";
    this.final = null;
    /** @type {SliceRequest} */
    const request = {
      ...body, seed: plane.seed, steps: affordableSteps(body, shape, steps), directions: plane.mode,
      centre: "initial", grid: gridSize(shape, 41),
    };
    if (span) request.span = span;
    if (plane.mode === "weights" && body.planeWeights) request.weights = body.planeWeights;
    const key = JSON.stringify(request);
    if (this.live && this.live.key === key && this.live.surface) {
      this.onChange("live");
      return;
    }
    const live = { key, request, surface: span && this.live ? this.live.surface : null, at: performance.now(), plane };
    this.live = live;
    this._post("live", request, (resp) => {
      live.surface = resp;
    });
  }

  /**
   * Slice the finished runs in `mode` (after `done`, or when the mode changes after it).
   * include: the indices of the runs to re-train and draw (PCA leaves diverged runs out: their
   * blow-up would be all the plane shows); final.include maps the response's runs back.
   * @param {Body} body @param {Plane} plane @param {Shape} shape @param {number} steps
   * @param {string} mode @param {number[] | null} [include]
   */
  fetchFinal(body, plane, shape, steps, mode, include = null) {
    this.phase = "final";
    const keep = include || body.runs.map((_, i) => i);
    const runs = keep.map((i) => body.runs[i]);
    /** @type {SliceRequest} */
    const request = { ...body, runs, seed: plane.seed, steps: Math.max(1, steps), directions: mode, centre: "initial", grid: gridSize(shape) };
    if (mode === "weights" && body.planeWeights) request.weights = body.planeWeights;
    const key = JSON.stringify(request);
    if (this.final && this.final.key === key && this.final.resp) {
      this.onChange("final");
      return;
    }
    const final = { key, request, resp: /** @type {LandscapeResponse | null} */ (null), mode, include: keep };
    this.final = final;
    this._post("final", request, (resp) => {
      final.resp = resp;
    });
  }

  /**
   * While training: if a live path has walked well off the sliced area, slice a wider area
   * around the start (at most every REFIT_EVERY ms).
   * @param {Body} body @param {Shape} shape @param {number} steps
   * @param {number[][]} heads [[x, y], ...] the paths' heads in axis values
   */
  maybeRefit(body, shape, steps, heads) {
    const live = this.live;
    if (!live || !live.surface || this.busy || performance.now() - live.at < REFIT_EVERY) return;
    const s = live.surface;
    const [ox, oy] = [s.centre.x, s.centre.y];
    const half = [(s.x.values[s.x.values.length - 1] - s.x.values[0]) / 2, (s.y.values[s.y.values.length - 1] - s.y.values[0]) / 2];
    let need = [0, 0];
    for (const [x, y] of heads) {
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      need = [Math.max(need[0], Math.abs(x - ox)), Math.max(need[1], Math.abs(y - oy))];
    }
    if (need[0] <= half[0] * 1.1 && need[1] <= half[1] * 1.1) return;
    // Wider, never more than 4x at once: one blown-up run must not shrink the others to a dot.
    const span = [0, 1].map((a) => Math.min(Math.max(half[a], need[a] * 1.4), half[a] * 4));
    this.fetchLive(body, live.plane, shape, steps, span);
  }

  /**
   * @param {"live" | "final"} kind @param {SliceRequest} request
   * @param {(resp: LandscapeResponse) => void} keep
   */
  _post(kind, request, keep) {
    if (this.controller) this.controller.abort();
    const controller = new AbortController();
    this.controller = controller;
    this.busy = kind;
    this.error = null;
    this.fetches += 1;
    this.onChange("busy");
    postJSON("/api/mlp/landscape", request, { signal: controller.signal }).then((/** @type {LandscapeResponse} */ resp) => {
      if (this.controller !== controller) return;
      keep(resp);
      this.busy = null;
      this.onChange(kind);
    }).catch((err) => {
      if (this.controller !== controller || err.name === "AbortError") return;
      this.busy = null;
      this.error = err.status === 422 ? err.msg || err.message : `the server could not slice the landscape (${err.message})`;
      this.onChange("error");
    });
  }

  /** Forget everything (new runs on the way). */
  clear() {
    if (this.controller) this.controller.abort();
    this.controller = null;
    this.live = null;
    this.final = null;
    this.phase = "live";
    this.busy = null;
    this.error = null;
  }
}
