// @ts-check
// Gradient flow as a reference on the descent view (issue #15; POST /api/flow, docs/curvature.md
// "Gradient flow"): the path an infinitely small learning rate would take, d(x, y)/dt = -grad f,
// and a chart of how far each run's step k is from that path (reference.js draws the path).
// A part of DescentPage (descent/page.js): asked again when the runs, the start or the surface
// change; its chart is drawn at the page's charts' cadence.

import { postJSON } from "../shared/api.js";
import { CanvasLineChart } from "../shared/linechart.js";
import { runStyle } from "../shared/run-style.js";
import { showMessage } from "../shared/messages.js";
import { setTip } from "../shared/tooltips.js";
import { runSpec, surfaceSpec } from "./state.js";

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

const MAX_RUN_POINTS = 40_000; // runs x steps the server compares with the flow (schemas/flow.py)
const SAMPLES = 400; // points of the drawn path, evenly along its length

/**
 * The body of POST /api/flow for the page's state: the runs as they start, as many steps as
 * the server compares (runs x steps <= 40,000).
 * @param {import("../shared/state.js").State} state
 */
export function flowBody(state) {
  const runs = state.runs.map(runSpec);
  const steps = Math.max(1, Math.min(state.steps, Math.floor(MAX_RUN_POINTS / Math.max(1, runs.length))));
  /** @type {Record<string, unknown>} */
  const body = { surface: surfaceSpec(state), steps, runs, samples: SAMPLES };
  if (state.start) body.start = state.start;
  return body;
}

/**
 * A run's distances up to where it diverged (after that a blown-up point says nothing).
 * @param {{ steps: number[], distance: (number | null)[], diverged_at: number | null }} run
 */
export function distanceSeries(run) {
  const end = run.diverged_at === null ? run.steps.length : run.steps.findIndex((s) => s >= /** @type {number} */ (run.diverged_at));
  const n = end < 0 ? run.steps.length : end;
  return { x: run.steps.slice(0, n), y: run.distance.slice(0, n) };
}

export class FlowReference {
  /** @param {any} page the DescentPage */
  constructor(page) {
    this.page = page;
    /** @type {any} the last POST /api/flow answer for `key` */
    this.resp = null;
    this.key = "";
    this.timer = 0;
    this.requests = 0;
    this.version = 0; // bumped when `resp` changes
    /** @type {AbortController | null} */
    this.pending = null;
    this.toggle = /** @type {HTMLInputElement} */ ($("show-flow"));
    this.toggle.addEventListener("change", () => page.store.set({ flow: this.toggle.checked }));
    this.chart = new CanvasLineChart($("flow-chart"), { title: "Distance from the gradient flow", ytitle: "distance" });
    setTip($("flow-chart"), "Gradient flow (the dark dashed path on the map) is where gradient descent would go with an infinitely small learning rate: always straight downhill. This chart: how far each run's point is from that path after each step. Small learning rates follow the flow; large ones cut corners or zig-zag across it.");
    page.store.subscribe((/** @type {Set<string>} */ changed) => {
      if (changed.has("runs") || changed.has("flow")) this.request();
    });
  }

  /** Ask for the flow of the current state (soon: edits come in bursts), unless it is the one held. */
  request() {
    clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.fetch(), 400);
  }

  async fetch() {
    const state = this.page.store.state;
    if (!state.flow || !this.page.grid || !state.runs.length) return;
    const body = flowBody(state);
    const key = JSON.stringify(body);
    if (key === this.key) return;
    this.key = key;
    if (this.pending) this.pending.abort();
    const pending = new AbortController();
    this.pending = pending;
    this.requests += 1;
    try {
      const resp = await postJSON("/api/flow", body, { signal: pending.signal });
      if (this.key !== key) return;
      this.resp = resp;
      this.version += 1;
    } catch (err) {
      if (pending.signal.aborted) return;
      this.resp = null;
      this.version += 1;
      showMessage(`No gradient flow: ${/** @type {Error} */ (err).message}`, { kind: "warn", key: "flow", timeout: 6000 });
    } finally {
      if (this.pending === pending) this.pending = null;
    }
    this.page.dirty = true;
    this.page.chartsDirty = true;
  }

  /** The flow's path to draw (null when hidden or not there yet). */
  path() {
    if (!this.page.store.state.flow || !this.resp) return null;
    const pts = this.resp.flow.points;
    return { n: pts.length, x: Float64Array.from(pts, (p) => p[0]), y: Float64Array.from(pts, (p) => p[1]) };
  }

  /** The distance chart: one line per run, in the run's colour and pattern. */
  renderChart() {
    const state = this.page.store.state;
    this.toggle.checked = state.flow;
    this.chart.container.hidden = !state.flow;
    if (!state.flow) return;
    const runs = this.resp ? this.resp.runs : [];
    this.chart.update(runs.map((/** @type {any} */ r, /** @type {number} */ i) => {
      const run = state.runs[i];
      const name = run ? `${i + 1}. ${this.page.optimizer(run.optimizer).name}` : `${i + 1}`;
      return { name, color: run ? run.color : "#888", lineDash: runStyle(i).lineDash, ...distanceSeries(r) };
    }), { log: false });
  }

  /** For tests: the path and the distances held. */
  debug() {
    if (!this.resp) return { requests: this.requests, points: 0, runs: [] };
    return {
      requests: this.requests, points: this.resp.flow.points.length, complete: this.resp.flow.complete,
      end: this.resp.flow.points.at(-1),
      runs: this.resp.runs.map((/** @type {any} */ r) => ({ optimizer: r.optimizer, status: r.status, max: r.max_distance, n: r.distance.length })),
    };
  }
}
