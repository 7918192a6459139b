// @ts-check
// What the two big plots draw this frame, read off the page's state and live runs: the data
// plot's view box and small multiples, and the landscape's paths (live ones, or after training
// the endpoint's re-trained ones, revealed over a second and a half).

import { runTitle } from "./boundary-title.js";
import { sliceAt } from "./slices.js";
import { RUN_COLORS, livePlane } from "./state.js";

/** @typedef {import("./run.js").NetRun} NetworkRun */
/** @typedef {import("./boundary-canvas.js").Points} Points */
/** @typedef {import("../types/api").LandscapeResponse} LandscapeResponse */
/** @typedef {[number, number, number]} Point x1, x2, class (an own point) */
/** @typedef {number[][]} Box [[x0, x1], [y0, y1]] */
/**
 * @typedef {object} Config the parts of `started.config` the scenes read
 * @property {string} task
 * @property {number[]} sizes
 * @property {Points} data
 * @property {{ x: number[], y: number[] } | null} boundary the grid; null for one-hot inputs
 * @property {boolean} [custom_points]
 */
/**
 * @typedef {object} ScenePage the parts of NetworkPage the scenes read
 * @property {Config | null} config
 * @property {{ state: import("../shared/state.js").State }} store
 * @property {import("../types/api").MlpOptions} options
 * @property {Map<string, string>} names
 * @property {NetworkRun[]} runs
 * @property {Box | null} editBox the data plot's view while own points are edited
 * @property {(Points & { source: Point[], test: boolean[] | null }) | null} [ownPoints] kept by ownPoints()
 * @property {import("./slices.js").Slices} slices
 * @property {{ mode: string, labels: string[], origin: number[] } | null} plane the live plane
 * @property {boolean} liveEdited
 * @property {{ surface: LandscapeResponse | null }} landscape
 * @property {{ t0: number, ms: number } | null} reveal
 * @property {{ landscape: boolean }} dirty
 * @property {{ run: number, index: number } | null} pick
 */
/** @typedef {Pick<ScenePage, "config" | "store" | "options" | "names" | "runs" | "editBox" | "ownPoints">}
 *   BoundaryScenePage what the data plot reads (network/early-start.js paints it before the page is here) */

/** @type {Box} */
const DEFAULT_BOX = [[-1.6, 1.6], [-1.6, 1.6]]; // the data plot's view with no data yet
/** @type {Points} */
const NO_POINTS = { x: [], labels: [] };

/** @param {number[]} a */
const last = (a) => a[a.length - 1];

/** @param {BoundaryScenePage} page @param {NetworkRun} run */
const runName = (page, run) => page.names.get(run.info.optimizer) || run.info.optimizer;

/** An optimizer's name by its id, for the run titles.
 * @param {import("../types/api").OptimizerInfo[]} optimizers @returns {Map<string, string>} */
export const optimizerNames = (optimizers) => new Map(optimizers.map((o) => [o.id, o.name]));

/** The data plot's view: the boundary grid, or while own points are edited, a box around them.
 * @param {BoundaryScenePage} page @returns {Box} */
export function viewBox(page) {
  const c = page.config;
  let box = DEFAULT_BOX;
  if (c && !c.boundary) return dataBox(c.data.x); // one-hot inputs: the points are (a, b), no grid
  if (c && c.boundary && c.boundary.y.length) box = [[c.boundary.x[0], last(c.boundary.x)], [c.boundary.y[0], last(c.boundary.y)]];
  if (c && c.boundary && c.task === "regression") {
    const ys = c.data.labels;
    const lo = Math.min(...ys);
    const hi = Math.max(...ys);
    const pad = (hi - lo) * 0.25 || 1;
    box = [[c.boundary.x[0], last(c.boundary.x)], [lo - pad, hi + pad]];
  }
  const points = page.store.state.points;
  if (!points || !page.editBox) return box;
  let [[x0, x1], [y0, y1]] = page.editBox;
  for (const [x, y] of points) {
    const px = (x1 - x0) * 0.08;
    const py = (y1 - y0) * 0.08;
    x0 = Math.min(x0, x - px);
    x1 = Math.max(x1, x + px);
    y0 = Math.min(y0, y - py);
    y1 = Math.max(y1, y + py);
  }
  return [[x0, x1], [y0, y1]];
}

/** A box around points [[x, y]] with a margin (modular addition's (a, b) table).
 * @param {number[][]} xs @returns {Box} */
function dataBox(xs) {
  if (!xs.length) return DEFAULT_BOX;
  const lo = [0, 1].map((k) => Math.min(...xs.map((p) => p[k])));
  const hi = [0, 1].map((k) => Math.max(...xs.map((p) => p[k])));
  return [0, 1].map((k) => [lo[k] - 1, hi[k] + 1]);
}

/** Own points as the plot takes them, kept while the points are the same (Plotly skips work);
 *  with the runs' test split when they trained on these points.
 * @param {BoundaryScenePage} page @param {Point[]} points */
function ownPoints(page, points) {
  const c = page.config;
  const test = c && c.custom_points && c.data.test && c.data.test.length === points.length ? c.data.test : null;
  if (!page.ownPoints || page.ownPoints.source !== points || page.ownPoints.test !== test) {
    page.ownPoints = { source: points, x: points.map((p) => [p[0], p[1]]), labels: points.map((p) => p[2]), test };
  }
  return page.ownPoints;
}

/** @param {BoundaryScenePage} page @returns {import("./boundary-canvas.js").Scene & { oneHot: boolean }} */
export function boundaryScene(page) {
  const state = page.store.state;
  const c = page.config;
  const points = state.points ? ownPoints(page, state.points) : c ? c.data : NO_POINTS;
  return {
    task: c ? c.task : /** @type {import("../types/api").DatasetInfo} */ (page.options.datasets.find((d) => d.id === state.dataset)).task,
    classes: c ? last(c.sizes) : 2,
    points, view: viewBox(page), sel: state.sel, editing: Boolean(state.points && page.editBox),
    grid: c ? c.boundary : null, oneHot: Boolean(c && !c.boundary),
    runs: page.runs.map((run, i) => ({
      label: `${i + 1}. ${runName(page, run)}`, title: runTitle(i, runName(page, run), run),
      color: RUN_COLORS[i % RUN_COLORS.length], boundary: run.boundary, status: run.status,
    })),
  };
}

/** Are the paths on the map the endpoint's (re-trained) ones, rather than the live ones?
 * @param {ScenePage} page */
export function usesFinalPaths(page) {
  const f = page.slices.final;
  if (page.slices.phase !== "final" || !f || !f.resp) return false;
  // Live paths stay exact on the final slice if it is the live plane (same mode and axes).
  const p = page.plane;
  const samePlane = p && f.resp.directions === p.mode && f.resp.x.label === p.labels[0] && f.resp.y.label === p.labels[1];
  return !(page.liveEdited && samePlane);
}

/** The plane mode of what the landscape shows now. @param {ScenePage} page @returns {string} */
export function shownMode(page) {
  const f = page.slices.final;
  if (page.slices.phase === "final" && f && f.resp) return f.resp.directions;
  return page.plane ? page.plane.mode : livePlane(page.store.state.plane);
}

/**
 * A path on the landscape: its points k < n, read off the live run or the endpoint's run.
 * @typedef {{ label: string, color: string, status: string, n: number, note?: string,
 *   x?: (k: number) => number | null, y?: (k: number) => number | null, step?: (k: number) => number,
 *   loss?: (k: number) => number | null, slice?: (k: number) => number | null,
 *   distance?: (k: number) => number | null }} ScenePath
 */
/**
 * A reference path on the landscape, drawn under the runs (the gradient flow, flow.js): its
 * points in axis values, its line (a canvas dash pattern in px), and what the hover says at
 * point k.
 * @typedef {{ x: ArrayLike<number | null>, y: ArrayLike<number | null>, color: string, width: number,
 *   dash: number[], opacity?: number, hover?: (k: number) => string[] }} ReferencePath
 */
/**
 * What the landscape draws (landscape.js); the page adds `extra` (reference paths under the
 * runs, the gradient flow).
 * @typedef {{ runs: ScenePath[], sel: number, pick: { run: number, index: number } | null,
 *   origin: number[] | null, labels: string[], sliced: boolean, revealing: boolean,
 *   extra?: ReferencePath[] }} LandscapeScene
 */

/** @param {ScenePage} page @returns {LandscapeScene} */
export function landscapeScene(page) {
  const finalSlice = usesFinalPaths(page) ? page.slices.final : null;
  const final = finalSlice ? finalSlice.resp : null;
  const surface = page.landscape.surface;
  const runs = page.runs.map(/** @returns {ScenePath} */ (run, i) => {
    const label = `${i + 1}. ${runName(page, run)}`;
    const color = RUN_COLORS[i % RUN_COLORS.length];
    const f = final && finalSlice ? final.runs[finalSlice.include.indexOf(i)] : null;
    if (final && !f) return { label, color, status: run.status, n: 0, note: `${label} diverged: it is left out of this slice (its blow-up would be all the plane shows).` };
    if (f) {
      return {
        label, color, status: f.status, n: f.steps.length,
        x: (k) => f.path.x[k], y: (k) => f.path.y[k], step: (k) => f.steps[k],
        loss: (k) => f.loss[k], slice: (k) => f.slice_loss[k], distance: (k) => f.distance[k],
      };
    }
    return {
      label, color, status: run.status, n: run.n,
      x: (k) => run.px[k], y: (k) => run.py[k], step: (k) => run.step[k], loss: (k) => run.loss[k],
      slice: (k) => sliceAt(surface, run.px[k], run.py[k]), distance: () => null,
    };
  });
  // The finished paths are drawn over page.reveal.ms: each run shows its first steps only.
  let revealing = false;
  if (page.reveal && final) {
    const share = Math.min(1, (performance.now() - page.reveal.t0) / page.reveal.ms);
    revealing = share < 1;
    if (revealing) page.dirty.landscape = true; // keep animating
    else page.reveal = null;
    for (const r of runs) if (r.n) r.n = Math.max(1, Math.ceil(r.n * share));
  }
  const origin = surface ? [surface.centre.x, surface.centre.y] : page.plane ? page.plane.origin : null;
  const labels = surface ? [surface.x.label, surface.y.label] : page.plane ? page.plane.labels : ["", ""];
  return { runs, sel: page.store.state.sel, pick: page.pick, origin, labels, sliced: Boolean(surface), revealing };
}
