// @ts-check
// The descent view (/): optimizers walking down a 2D loss surface, live over /ws.
// One Store owns the URL (descent/state.js). Handlers only change the state; one subscriber
// turns state changes into server messages (start, set, speed) and redraws; frames from the
// server land in Trajectory objects and are drawn at most once per animation frame.

import { ApiError, getJSON, loadRegistries } from "../shared/api.js";
import { Exports } from "./export.js";
import { Actions } from "./handlers.js";
import { ServerLink } from "./live.js";
import { FlowReference } from "./flow.js";
import { DescentPlot } from "./plot.js";
import { takeFirstPaint } from "./first-paint.js";
import { ReferenceLayer } from "./reference.js";
import { Readouts } from "./readouts.js";
import {
  GRID_N, SCHEMA, createDescentStore, gridURL, runSpec, runsChange, sanitize, surfaceSpec,
} from "./state.js";
import { Toolbar } from "./toolbar.js";
import { InsideStep } from "./inside-step.js";
import { CanvasLineChart } from "../shared/linechart.js";
import { openLivePage } from "../shared/live-page.js";
import { Playback } from "../shared/playback.js";
import { showMessage } from "../shared/messages.js";
import { isFirstVisit } from "../shared/start-hint.js";
import { changeNeedsReplay, replayNote } from "../shared/replay.js";
import { loadPlotly, mapLevels } from "../shared/plots.js";
import { plotFontSize, setPresenting } from "../shared/presentation.js";
import { RunsPanel } from "./runs-panel.js";
import { initTooltips, setTip } from "../shared/tooltips.js";
import { Trajectory } from "./trajectory.js";
import { Tuner } from "./tune.js";
import { StateChart } from "./state-chart.js";

/** @param {string} id an element of templates/index.html */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
/** @param {string} id a <canvas> of templates/index.html */
const canvas = (id) => /** @type {HTMLCanvasElement} */ (document.getElementById(id));

/** @typedef {import("./plot.js").DescentGrid} DescentGrid */
/** @typedef {import("./overlay.js").Ghost} Ghost */
/** @typedef {import("../shared/state.js").State} State */
/** @typedef {import("./state.js").Run} Run */
/**
 * Times since navigation start (ms), counts, and where the main thread's time goes (ms).
 * @typedef {{ frames: number, steps: number, draws: number, pointsDrawn: number, starts: number,
 *   drawsAtDone: number, surfaceAt: number | null, firstHeadAt: number | null,
 *   firstPathAt: number | null, plotlyAt: number | null, doneAt: number | null,
 *   ms: Record<"parse" | "absorb" | "draw" | "panel" | "inside" | "charts", number> }} Stats
 */
/**
 * A link's value out of range opens with the nearest valid one, and says so (once per name).
 * @param {string} text @param {string} name
 */
const warnLink = (text, name) => showMessage(text, { kind: "warn", key: `param-${name}` });

/**
 * The descent page's controller: it owns the store, the socket, the runs' trajectories and the
 * surface, turns state changes into server messages and redraws, and is composed of parts that
 * each keep their own state: the toolbar (controls), the actions (handlers that change the
 * state), the server link (the /ws protocol, pending live changes), the readouts (text, badges,
 * charts) and the exports.
 */
export class DescentPage {
  /**
   * @param {import("../shared/state.js").Store} store the page's state, which owns the URL
   * @param {import("../shared/socket.js").LiveSocket} socket /ws
   * @param {import("../types/api").DescentRegistries} registries
   */
  constructor(store, socket, registries) {
    this.store = store;
    this.socket = socket;
    this.registries = registries;
    this.surfaces = new Map(registries.surfaces.map((s) => [s.id, s]));
    this.optimizers = new Map(registries.optimizers.map((o) => [o.id, o]));
    this.limits = { max_steps: 20000, max_runs: 8, max_speed: 1000 }; // until `welcome` says
    /** @type {Trajectory[]} one per run of the state, in its order */
    this.trajectories = [];
    /** @type {Ghost[]} kept paths, each with the grid it was run on (gridKey) */
    this.ghosts = [];
    this.toolbar = new Toolbar(this);
    this.actions = new Actions(this);
    this.server = new ServerLink(this);
    this.readouts = new Readouts(this);
    this.exports = new Exports(this);
    this.playback = new Playback(socket, { begin: () => this.restart(), onChange: () => this.toolbar.renderPlay() });
    /** @type {DescentGrid | null} the surface drawn */
    this.grid = null;
    /** @type {string | null} its URL (gridURL) */
    this.gridKey = null;
    /** @type {Map<string, DescentGrid>} */
    this.gridCache = new Map();
    this.runEdit = false; // the runs change by the Add or Remove button: the others go on
    this.pendingStart = false;
    this.dirty = true;
    this.last = { panel: 0, inside: 0, charts: 0 };
    this.chartsDirty = true;
    // For tests and bench/browser.py (window.gradscape.stats): counts, times since navigation
    // start (ms), and where the main thread's time goes.
    /** @type {Stats} */
    this.stats = {
      frames: 0, steps: 0, draws: 0, pointsDrawn: 0, starts: 0, drawsAtDone: 0,
      surfaceAt: null, firstHeadAt: null, firstPathAt: null, plotlyAt: null, doneAt: null,
      ms: { parse: 0, absorb: 0, draw: 0, panel: 0, inside: 0, charts: 0 },
    };
    this.customOpen = false; // "Custom f(x, y)" chosen, formula not accepted yet
    /** @type {Promise<boolean> | null} Plotly.js (the 3D view) asked for: true once in, false if it failed */
    this.plotlyLoad = null;

    // The surface and the start point may be on screen already (first-paint.js): take over its
    // plot, and its grid request if this state asks for the same grid.
    const first = takeFirstPaint();
    this.firstGrid = first && { url: first.url, grid: first.grid };
    /** @type {import("./plot.js").OnPick} */
    const onPick = (x, y) => this.actions.pickStart(x, y);
    this.plot = first ? first.plot : new DescentPlot(
      {
        wrap: $("plot-wrap"), base: canvas("base"), contour: $("contour"), surface3d: $("surface3d"),
        paths: canvas("paths"), heads: canvas("heads"),
      },
      { onPick },
    );
    this.plot.onPick = onPick;
    this.runsPanel = new RunsPanel($("runs"), {
      registries,
      onChange: (i, patch) => this.actions.updateRun(i, patch),
      onRemove: (i) => this.actions.removeRun(i),
      onSelect: (i, opts = {}) => {
        if (opts.rerender || i !== this.store.state.sel) {
          this.store.set({ sel: i });
          this.runsPanel.render(this.store.state, this.trajectories);
        }
      },
      onEdge: (i) => this.actions.setEdge(i),
      onTune: (i) => this.tuner.tune([i]),
    });
    this.tuner = new Tuner(this);
    this.inside = new InsideStep(
      { title: $("inside-title"), equation: $("inside-eq"), numbers: $("inside-numbers") }, registries);
    this.flow = new FlowReference(this); // the gradient flow and the distances to it (issue #15)
    this.reference = new ReferenceLayer(this); // ... its path and the quadratic model, drawn
    this.lossChart = new CanvasLineChart($("loss-chart"), { title: "Loss per step", ytitle: "f" });
    this.gnormChart = new CanvasLineChart($("gnorm-chart"), { title: "Gradient norm ‖∇f‖", ytitle: "‖∇f‖" });
    this.stateChart = new StateChart($("gnorm-chart"), registries.stateKeys); // Prodigy's d
    setTip($("loss-chart"), "The loss f at each step (log scale). Where the minimum value f* is known, this is f − f*: how far from the bottom, so that 'converged' looks like a steady fall.");
    setTip($("gnorm-chart"), "The size of the gradient at each step (log scale): how steep the surface is under the point. Near a minimum or a saddle it shrinks towards 0.");
  }

  /**
   * The registry's entry of an optimizer the state names (sanitize keeps only known ones).
   * @param {string} id @returns {import("../types/api").OptimizerInfo}
   */
  optimizer(id) {
    const opt = this.optimizers.get(id);
    if (!opt) throw new Error(`no optimizer "${id}" in the registry`);
    return opt;
  }

  // ---- setup -----------------------------------------------------------------------------------
  init() {
    this.toolbar.buildStaticControls();
    this.toolbar.bindControls();
    this.tuner.attach();
    this.server.bindSocket();
    this.store.subscribe((changed, prev, next) => this.onState(changed, prev, next));
    window.addEventListener("hashchange", () => this.loadHash());
    this.toolbar.renderControls();
    this.runsPanel.render(this.store.state, this.trajectories);
    setPresenting(this.store.state.present, $("present"));
    this.plot.setFontSize(plotFontSize(this.store.state.present));
    this.setView(this.store.state.view);
    this.loadSurface();
    requestAnimationFrame(() => this.tick());
  }

  /** @param {"contour" | "3d"} view */
  setView(view) {
    this.plot.setView(view);
    if (view === "3d") this.load3d();
  }

  /** Plotly.js for the 3D view (or its PNG), saying so over the plot while it loads. */
  load3d() {
    return this.loadPlotly("Loading the 3D view…");
  }

  /**
   * Plotly.js, now (once): the plot draws what waited for it.
   * @param {string} [waiting] said over the plot while it loads, for a view the student asked for
   * @returns {Promise<boolean>} whether it loaded (if not, the page said why)
   */
  loadPlotly(waiting = "") {
    if (!this.plotlyLoad) {
      this.plotlyLoad = loadPlotly().then(() => {
        this.stats.plotlyAt = performance.now();
        this.plot.plotlyReady();
        this.chartsDirty = true;
        this.dirty = true;
        return true;
      }, (err) => {
        this.plotlyLoad = null; // a later view may ask again
        showMessage(`Could not load the plotting library: ${err.message}`, { key: "plotly" });
        return false;
      });
    }
    if (waiting && this.stats.plotlyAt === null) {
      this.toolbar.showPlotStatus(waiting);
      const said = () => {
        if ($("plot-status").textContent === waiting) this.toolbar.showPlotStatus(null);
      };
      this.plotlyLoad.then(said);
    }
    return this.plotlyLoad;
  }

  // ---- state -> effects ------------------------------------------------------------------------
  /** @type {import("../shared/state.js").Listener} */
  onState(changed, prev, next) {
    const has = (/** @type {string} */ k) => changed.has(k);
    if (has("surface") || has("expr") || has("params")) {
      this.loadSurface();
    } else if (has("start") || has("steps")) {
      this.restart();
      this.readouts.renderSurfaceInfo();
    } else if (has("runs")) {
      const diff = runsChange(prev.runs, next.runs);
      if (!diff) { /* nothing the runs need */ } else if (diff.kind === "add" || diff.kind === "remove") {
        if (!this.server.editRuns(diff, prev.runs.length, next.runs)) this.restart();
      } else if (diff.kind === "restart") this.restart();
      else if (changeNeedsReplay(this.playback.play, this.trajectories, diff.sets.map((d) => d.run))) {
        this.replay(diff.sets.map(({ run, values }) => ({ run, lr: typeof values.lr === "number" ? values.lr : null })));
      } else for (const { run, values } of diff.sets) this.server.queueSet(run, values);
      if (next.runs.some((/** @type {Run} */ r, /** @type {number} */ i) => prev.runs[i] && prev.runs[i].color !== r.color)) this.plot.invalidate();
    }
    if (has("speed")) this.socket.send({ type: "speed", speed: next.speed });
    if (has("view")) this.setView(next.view);
    if (has("present")) {
      setPresenting(next.present, $("present"));
      this.plot.setFontSize(plotFontSize(next.present));
    }
    if (has("runs") || has("sel")) this.runsPanel.render(next, this.trajectories);
    this.toolbar.renderControls();
    this.dirty = true;
    this.chartsDirty = true;
    this.last.inside = 0;
  }

  /** A link opened in this tab (the hash changed): its view, from the start, playing. */
  loadHash() {
    const hashState = this.store.parse(location.hash);
    const defaults = Object.fromEntries(Object.entries(SCHEMA).map(([k, p]) => [k, p.default]));
    this.playback.playNext();
    this.customOpen = false;
    this.ghosts = [];
    this.runsPanel.expanded.clear(); // a new view: run settings folded
    const before = this.store.state.runs;
    const changed = this.store.set(sanitize({ ...defaults, ...hashState }, this.registries, this.limits, warnLink));
    // onState restarts (or reloads the surface) for these changes; otherwise start over here
    const restarted = ["surface", "expr", "params", "start", "steps"].some((k) => changed.has(k))
      || (changed.has("runs") && (runsChange(before, this.store.state.runs) || {}).kind === "restart");
    if (!restarted) this.restart();
  }

  async loadSurface() {
    const state = this.store.state;
    const url = gridURL(state, GRID_N);
    if (url === this.gridKey && this.grid) {
      this.restart();
      return;
    }
    this.gridKey = url;
    this.toolbar.showPlotStatus("Drawing the surface…");
    try {
      let grid = this.gridCache.get(url) || null;
      if (!grid && state.surface === "custom") {
        const refusal = await this.actions.checkFormula(state.expr); // e.g. a link with a broken formula
        if (refusal) throw new ApiError(422, { message: refusal.msg, detail: [{ field: "expr", msg: refusal.msg }] }, url);
      }
      const prefetched = this.firstGrid && this.firstGrid.url === url ? this.firstGrid.grid : null;
      this.firstGrid = null;
      if (!grid && prefetched) grid = await prefetched; // null if it failed: ask again below
      if (!grid) grid = /** @type {DescentGrid} */ (await getJSON(url));
      if (!this.gridCache.has(url)) {
        this.gridCache.set(url, grid);
        const oldest = this.gridCache.keys().next().value;
        if (this.gridCache.size > 8 && oldest !== undefined) this.gridCache.delete(oldest);
      }
      if (this.gridKey !== url) return; // a newer surface was asked for meanwhile
      this.grid = grid;
      this.toolbar.showExprError(null);
      this.plot.setSurface(grid);
      if (this.stats.surfaceAt === null) this.stats.surfaceAt = performance.now();
      setTip($("contour"), `${grid.surface.name}: ${grid.surface.description} ${this.plot.describeColors()} Click anywhere to start the runs there.`);
      this.toolbar.showPlotStatus(null);
      this.readouts.renderSurfaceInfo();
      this.ghosts = this.ghosts.filter((g) => g.surfaceKey === url);
      this.restart();
    } catch (err) {
      if (this.gridKey !== url) return;
      this.grid = null;
      if (state.surface === "custom" && err instanceof ApiError) {
        this.toolbar.showExprError(err, state.expr);
        this.toolbar.showPlotStatus("Fix the formula above to draw it.");
      } else {
        this.toolbar.showPlotStatus(`Could not load the surface: ${err instanceof Error ? err.message : err}`);
      }
    }
  }

  /**
   * A change to a run that takes no more steps: every run again from the start, and say so.
   * @param {{ run: number, lr?: number | null }[]} sets the changes, per run
   */
  replay(sets) {
    showMessage(replayNote(this.playback.play, this.trajectories, sets), { kind: "info", key: "replay", timeout: 6000 });
    if (this.playback.play === "done") this.playback.playNext();
    this.restart();
  }

  /** New runs on the server from the current state (start, then pause if the user paused). */
  restart() {
    const state = this.store.state;
    this.trajectories = state.runs.map(() => new Trajectory());
    this.server.setTimers.clear();
    this.dirty = true;
    this.chartsDirty = true;
    this.plot.invalidate();
    this.runsPanel.render(state, this.trajectories);
    if (!this.grid) return;
    this.flow.request();
    if (!state.runs.length) {
      this.socket.send({ type: "stop" });
      this.playback.setState("idle");
      showMessage("No runs to play: add one with “+ Add run”.", { kind: "warn", key: "no-runs", timeout: 6000 });
      return;
    }
    /** @type {import("../shared/socket.js").Message} */
    const message = {
      type: "start",
      surface: surfaceSpec(state),
      steps: state.steps,
      speed: state.speed,
      runs: state.runs.map(runSpec),
      columns: true, // each frame's steps as one list per field (docs/protocol.md)
      ...this.playback.startFields(),
    };
    if (state.start) message.start = state.start;
    if (!this.socket.send(message)) {
      this.pendingStart = true;
      return;
    }
    this.pendingStart = false;
  }

  // ---- the animation loop ----------------------------------------------------------------------

  /** Whether every view shows the latest data: the next frame would draw nothing (for tests,
   * which wait for this rather than sleep through a few redraws). */
  settled() {
    const inside = this.insideDirty && !this.store.state.present; // hidden while presenting
    return !this.dirty && !this.plot.needsDraw && !this.panelDirty && !inside && !this.chartsDirty;
  }

  /** The animation loop: at most one redraw per display frame, only when something changed. */
  tick() {
    requestAnimationFrame(() => this.tick());
    const now = performance.now();
    const ms = this.stats.ms;
    /** @param {keyof Stats["ms"]} key @param {() => void} fn */
    const timed = (key, fn) => {
      const t0 = performance.now();
      fn();
      ms[key] += performance.now() - t0;
    };
    if (this.dirty || this.plot.needsDraw) {
      this.dirty = false;
      timed("draw", () => {
        this.stats.pointsDrawn += this.plot.frame(this.readouts.scene(), now);
        this.reference.draw();
        this.readouts.renderCounter();
        this.readouts.renderBadges();
      });
      this.stats.draws += 1;
      if (this.stats.firstHeadAt === null && this.trajectories.some((t) => t.n >= 1)) this.stats.firstHeadAt = now;
      if (this.stats.firstPathAt === null && this.trajectories.some((t) => t.n >= 2)) this.stats.firstPathAt = now;
      this.panelDirty = true;
      this.insideDirty = true;
    }
    // The rest is text and small charts: a few times a second is plenty, and keeps frames short.
    if (this.panelDirty && now - this.last.panel > 100) {
      this.panelDirty = false;
      this.last.panel = now;
      timed("panel", () => this.runsPanel.updateLive(this.store.state, this.trajectories));
    }
    if (this.insideDirty && now - this.last.inside > 150 && !this.store.state.present) {
      this.insideDirty = false;
      this.last.inside = now;
      timed("inside", () => this.inside.render(this.store.state, this.trajectories));
    }
    if (this.chartsDirty && now - this.last.charts > 150) { // presenting keeps the loss chart
      this.chartsDirty = false;
      this.last.charts = now;
      timed("charts", () => {
        this.readouts.renderCharts();
        this.flow.renderChart();
      });
    }
  }
}


async function main() {
  const firstVisit = isFirstVisit(); // before anything writes the URL
  initTooltips();
  const store = createDescentStore();
  const fromURL = store.parse(location.hash);
  const opened = await openLivePage(loadRegistries);
  if (!opened) return;
  const { socket, registries } = opened;
  store.set(sanitize({ ...store.state, ...fromURL }, registries, {}, warnLink));
  const page = new DescentPage(store, socket, registries);
  if (firstVisit) page.playback.waitForPlay("Start here: press Play to run the optimizers, or pick one of the Lessons above.");
  page.init();
  // A read-only window for tests, benchmarks and the curious (the console).
  /** @type {Window & { gradscape?: object }} */ (window).gradscape = Object.freeze({
    get state() {
      return JSON.parse(JSON.stringify(store.state));
    },
    get play() {
      return page.playback.play;
    },
    get stats() {
      return { ...page.stats, ms: { ...page.stats.ms, parse: socket.parseMs } };
    },
    runs: () => page.trajectories.map((t) => ({
      n: t.n, status: t.status, divergedAt: t.divergedAt, reason: t.reason, lrInEffect: t.lrInEffect,
      lrNext: t.lrNext, lambdaMax: t.lambdaMax, lambda0: t.lambda0,
      lastLrs: Array.from(t.lr.subarray(Math.max(1, t.n - 5), t.n), (v) => (Number.isFinite(v) ? v : null)),
      head: t.n ? [t.value("x", t.n - 1), t.value("y", t.n - 1)] : null,
    })),
    path: (/** @type {number} */ i) => {
      const t = page.trajectories[i];
      return t ? t.rows() : null;
    },
    /** A run's trial points (descent/trials.js): [[step index, x, y], ...]. */
    trials: (/** @type {number} */ i) => (page.trajectories[i] ? page.trajectories[i].trials.rows() : null),
    link: () => store.link(),
    settled: () => page.settled(),
    ghosts: () => page.ghosts.length,
    flow: () => page.flow.debug(),
    model: () => (page.reference.model ? { ...page.reference.model, value: undefined, note: $("model-note").textContent } : null),
    /** The runs outside the plot, marked by an arrow at its edge: [{run, at: [px, py]}]. */
    offPlot: () => page.plot.overlay.offPlot.map((o) => ({ run: o.run, at: [...o.at] })),
    /** What the loss and gradient-norm charts show: per series its point count and last point. */
    charts: () => Object.fromEntries(/** @type {[string, CanvasLineChart][]} */ ([["loss", page.lossChart], ["gnorm", page.gnormChart]]).map(
      ([key, chart]) => [key, chart.series.map((s) => ({ name: s.name, n: s.x.length, last: [s.x[s.x.length - 1], s.y[s.y.length - 1]], dash: s.lineDash || [] }))])),
    /**
     * The contour map (the canvas's): its axes' rectangle (CSS pixels in the plot), and its
     * levels (colour coordinates).
     */
    map: () => {
      const m = page.plot.mapping;
      return {
        rect: m ? [m.left, m.top, m.width, m.height] : null,
        levels: page.plot.tf ? mapLevels(page.plot.tf) : null,
      };
    },
    /** Where a data point is on screen (client pixels), for tests that click the map. */
    pixelOf: (/** @type {number} */ x, /** @type {number} */ y) => {
      const m = page.plot.mapping;
      const r = $("plot-wrap").getBoundingClientRect();
      return m ? [r.left + m.px(x), r.top + m.py(y)] : null;
    },
    /** Pixels of each run's colour on the paths canvas (proof that its path was really drawn). */
    inked: () => {
      const c = page.plot.overlay.paths;
      const ctx = c.getContext("2d");
      if (!ctx) return [];
      const data = ctx.getImageData(0, 0, c.width, c.height).data;
      return store.state.runs.map((/** @type {Run} */ run) => {
        const color = run.color || "#000000";
        const [r, g, b] = [1, 3, 5].map((k) => parseInt(color.slice(k, k + 2), 16));
        let n = 0;
        for (let k = 0; k < data.length; k += 4) {
          if (data[k + 3] > 200 && Math.abs(data[k] - r) + Math.abs(data[k + 1] - g) + Math.abs(data[k + 2] - b) < 40) n++;
        }
        return n;
      });
    },
  });
}

main();
