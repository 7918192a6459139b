// @ts-check
// Gradient flow on the network view (issue #15; POST /api/flow/network, docs/curvature.md): the
// path the weights would take with an infinitely small learning rate, projected on the live
// landscape's plane, and for each plain or momentum SGD run the distance in weight space from
// its step k to the flow at the time that step stands for (sum of the lrs so far). On request
// (the "Gradient flow" switch): the server replays the runs and integrates the flow, seconds of
// work on the bigger networks, which the live training would share the machine with.

import { ApiError, postJSON } from "../shared/api.js";
import { fmt } from "../shared/format.js";
import { CanvasLineChart } from "../shared/linechart.js";
import { runStyle } from "../shared/run-style.js";
import { setTip } from "../shared/tooltips.js";
import { RUN_COLORS } from "./state.js";

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const FLOW_COLOR = "#343a40";

/** @typedef {import("./scenes.js").ReferencePath} ReferencePath */

/**
 * The body of POST /api/flow/network for the runs `started` described (page.body): the full-
 * batch runs only (the flow is the full-batch loss's), with their index among all the runs.
 * @param {Record<string, any>} body the landscape request's data, network and runs
 * @param {{ mode: string }} plane the live plane
 * @param {number} steps
 */
export function networkFlowBody(body, plane, steps) {
  const index = [];
  const runs = [];
  for (const [i, r] of body.runs.entries()) {
    if (r.batch_size) continue;
    index.push(i);
    runs.push({ optimizer: r.optimizer, lr: r.lr });
  }
  /** @type {Record<string, unknown>} */
  const out = { dataset: body.dataset, network: body.network, seed: body.seed, plane: plane.mode, steps, runs, samples: 300 };
  if (body.points) out.points = body.points;
  if (plane.mode === "weights" && body.planeWeights) out.weights = body.planeWeights;
  return { body: out, index };
}

/**
 * The flow's path on the landscape's plane: dashed, dark, under the runs; its hover the flow time
 * and the real loss there.
 * @param {{ plane: number[][], times: number[], loss: (number | null)[] }} flow the answer's `flow`
 * @returns {ReferencePath}
 */
export function flowPath(flow) {
  return {
    x: flow.plane.map((p) => p[0]), y: flow.plane.map((p) => p[1]),
    color: FLOW_COLOR, width: 2.5, dash: [9, 6], opacity: 0.9,
    hover: (k) => [`gradient flow at t = ${fmt(flow.times[k], 3)}`, `real loss ${fmt(flow.loss[k], 4)}`],
  };
}

export class NetworkFlow {
  /** @param {any} page the NetworkPage */
  constructor(page) {
    this.page = page;
    /** @type {any} */
    this.resp = null;
    /** @type {ReferencePath | null} the flow's path on the map, made from `pathOf` */
    this.path = null;
    /** @type {any} */
    this.pathOf = null;
    /** @type {number[]} the page's run index of each run in resp */
    this.index = [];
    this.note = $("net-flow-note");
    this.toggle = /** @type {HTMLInputElement} */ ($("show-net-flow"));
    this.toggle.addEventListener("change", () => page.store.set({ nflow: this.toggle.checked }));
    this.chartBox = $("net-flow-chart");
    this.chart = new CanvasLineChart(this.chartBox, { title: "Distance from the gradient flow", ytitle: "‖θ − φ(t)‖" });
    setTip(this.chartBox, "How far each SGD run's weights are from the gradient flow's (the path of an infinitely small learning rate) at the same time t = the sum of its learning rates so far. Euler's error: about proportional to lr while the run is stable. Adaptive optimizers follow another flow: they have no line here.");
    this.generation = 0;
    this.stale = false; // a run was added since the answer: asked again at the next `done`
    this.asking = false; // an answer is on its way (of this generation)
    page.socket.on("started", () => this.clear());
    page.socket.on("done", () => this.fetch());
    page.store.subscribe((/** @type {Set<string>} */ changed) => {
      if (changed.has("nflow")) this.fetch();
    });
  }

  clear() {
    this.generation += 1;
    this.resp = null;
    this.stale = false;
    this.asking = false;
    this.showNote("");
  }

  /** A run joined the others (no `started`): its distance comes with the flow asked again when
   * it has trained to the end (the others' answer stays shown meanwhile). */
  added() {
    this.stale = true;
    this.drop(); // an answer on its way is without the new run
  }

  /** Run `id` left (the runs after it move down one id): its distance goes, the others keep
   * theirs. An answer on its way is of the runs before: dropped, and the flow asked again.
   * @param {number} id */
  removed(id) {
    if (this.resp) {
      const keep = this.index.map((i) => i !== id);
      this.resp = { ...this.resp, runs: this.resp.runs.filter((/** @type {unknown} */ _, /** @type {number} */ k) => keep[k]) };
      this.index = this.index.filter((i) => i !== id).map((i) => (i > id ? i - 1 : i));
      this.page.dirty.charts = true;
    }
    if (!this.asking) return;
    // the answer on its way is of the runs before: asked again (an older answer stays shown
    // meanwhile, which fetch would otherwise take as current)
    this.drop();
    this.stale = true;
    this.fetch();
  }

  /** Forget an answer on its way (it is of runs that changed). */
  drop() {
    if (!this.asking) return;
    this.generation += 1;
    this.asking = false;
  }

  /** Ask for the flow of the page's runs, as `started`, `added` and `removed` left them (when the
   * switch is on). */
  async fetch() {
    const page = this.page;
    if (!page.store.state.nflow || !page.body || !page.plane || !page.config || (this.resp && !this.stale)) return;
    if (this.asking) return; // its answer is on its way
    const { body, index } = networkFlowBody(page.body, page.plane, page.config.steps);
    if (!index.length) {
      this.showNote("The gradient flow is the full-batch loss's: give a run a full batch to compare.");
      return;
    }
    const generation = this.generation;
    this.stale = false;
    this.asking = true;
    this.showNote("Following the gradient flow…");
    try {
      const resp = await postJSON("/api/flow/network", body);
      if (generation !== this.generation) return;
      this.asking = false;
      this.resp = resp;
      this.index = index;
      this.showNote(resp.flow.complete ? "" : `The flow was followed to t = ${resp.flow.reached.toPrecision(3)} of ${resp.flow.t_end.toPrecision(3)} (the integrator's step limit).`);
    } catch (err) {
      if (generation !== this.generation) return;
      this.asking = false;
      this.showNote(`No gradient flow: ${err instanceof ApiError ? err.message : /** @type {Error} */ (err).message}`);
    }
    page.dirty.landscape = true;
    page.dirty.charts = true;
  }

  /** @param {string} text */
  showNote(text) {
    this.note.textContent = text;
    this.note.hidden = !text;
  }

  /**
   * The flow's path on the landscape (a reference path under the runs), when the map shows the
   * live plane (PCA is another); made once per answer.
   * @param {string} mode the plane the landscape shows
   * @returns {ReferencePath[]}
   */
  paths(mode) {
    if (!this.page.store.state.nflow || !this.resp || mode !== this.resp.plane.mode) return [];
    if (!this.path || this.pathOf !== this.resp) {
      this.path = flowPath(this.resp.flow);
      this.pathOf = this.resp;
    }
    return [this.path];
  }

  draw() {
    const on = this.page.store.state.nflow;
    this.toggle.checked = on;
    this.chartBox.hidden = !on || !this.resp;
    if (this.chartBox.hidden) return;
    /** @type {import("../shared/linechart.js").Series[]} */
    const series = [];
    for (const [k, r] of this.resp.runs.entries()) {
      if (!r.distance_at_time) continue;
      const i = this.index[k];
      const run = this.page.runs[i];
      const name = `${i + 1}. ${run ? this.page.names.get(run.info.optimizer) : r.optimizer}`;
      series.push({ name, color: RUN_COLORS[i % RUN_COLORS.length], lineDash: runStyle(i).lineDash, x: r.steps, y: r.distance_at_time });
    }
    this.chart.update(series, { log: false });
  }

  /** For tests. */
  debug() {
    if (!this.resp) return null;
    return {
      points: this.resp.flow.plane.length, mode: this.resp.plane.mode, index: this.index,
      runs: this.resp.runs.map((/** @type {any} */ r) => ({ optimizer: r.optimizer, max: r.max_distance, n: r.steps.length })),
    };
  }
}
