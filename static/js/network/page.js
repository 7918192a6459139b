// @ts-check
// The network view (/network): a small network learning a 2D dataset, live over /ws.
// One Store owns the URL (network/state.js). Handlers only change the state; one subscriber turns
// state changes into server messages (start, set, speed) and marks views dirty; frames land in
// NetRun objects; the animation loop redraws each figure on its own clock (EVERY). Every figure
// is a canvas: the page loads no Plotly.js.

import { el } from "../shared/controls.js";
import { roundSig } from "../shared/format.js";
import { CanvasLineChart } from "../shared/linechart.js";
import { Playback, bindPlayback } from "../shared/playback.js";
import { clearMessage, showMessage } from "../shared/messages.js";
import { isFirstVisit } from "../shared/start-hint.js";
import { changeNeedsReplay, replayNote } from "../shared/replay.js";
import { keepState, keptState } from "../shared/kept.js";
import { BoundaryPlot } from "./boundary.js";
import { Heatmaps, gradNormSeries, gradNormTitle, series } from "./charts.js";
import { nearestPoint, pointsFromData, pointsProblem } from "./data.js";
import { copyLink, exportCSV, exportJSON, exportPNG } from "./export.js";
import { LabPanel } from "./lab-panel.js";
import { opened as earlyOpened, pageStartMessage, takeEarlyStart } from "./early-start.js";
import { labTitles } from "./generalisation.js";
import { LandscapeView } from "./landscape.js";
import { NetworkRunsPanel } from "./runs-panel.js";
import { boundaryScene, landscapeScene, optimizerNames, shownMode, usesFinalPaths, viewBox } from "./scenes.js";
import { bindServer, withPlaneWeights } from "./server.js";
import { SettingsPanel } from "./settings.js";
import { Slices } from "./slices.js";
import { StabilityLab } from "./stability.js";
import { Lessons, lessonPatch } from "./lessons.js";
import { NetworkFlow } from "./flow.js";
import {
  RESTART_KEYS, RUN_COLORS, SCHEMA, SPEEDS, URL_POINTS, createNetworkStore, livePlane, networkShape, pointsPatch,
  runSpec, runsChange, sanitize, validWeights, weightRefs,
} from "./state.js";
import { NetworkTuner } from "./tune.js";
import { caption, planeModeLabel, planeModeTip } from "./words.js";
import { plotFontSize, setPresenting } from "../shared/presentation.js";
import { initTooltips, setTip } from "../shared/tooltips.js";
import { runStyle } from "../shared/run-style.js";
import { clickWord, noHover } from "../shared/touch.js";

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
/** @param {string} id */
const input = (id) => /** @type {HTMLInputElement} */ (document.getElementById(id));

/** @typedef {import("../shared/state.js").State} State */
/** @typedef {import("./runs-panel.js").RunsState} RunsState */
/** @typedef {import("./state.js").Point} Point */
/** @typedef {import("./state.js").NetRunSpec} NetRunSpec */
/** @typedef {import("./state.js").WeightTriple} WeightTriple */
/** @typedef {Omit<Partial<NetRunSpec>, "batch"> & { batch?: number | null }} RunPatch a run card's change; batch null: full batch */
/** @typedef {import("./server.js").NetConfig} NetConfig */
/** @typedef {import("./server.js").Plane} Plane */
/** @typedef {import("./server.js").LandscapeBody} LandscapeBody */
/** @typedef {"boundary" | "landscape" | "charts" | "heatmaps" | "panel"} View */
/** @typedef {"boundary" | "landscape" | "heatmaps"} Figure a canvas figure, redrawn on its own clock */

/** @type {Record<Figure, number>} */
const EVERY = { boundary: 50, landscape: 80, heatmaps: 250 }; // ms between two redraws
// Training fast (at "max", or FAST_SPEED steps/s and more): the landscape's paths and the weight
// heatmaps less often, so that a phone keeps 30 frames a second.
/** @type {Record<Figure, number>} */
const EVERY_FAST = { boundary: 50, landscape: 160, heatmaps: 1000 };
const FAST_SPEED = 300; // steps/s from which the page draws as at "max"
const CHARTS_EVERY = 200; // ms between two redraws of the (canvas) line charts
const PICTURE_LATEST = 2500; // ms after init: what waits for the first picture goes ahead

class NetworkPage {
  /**
   * @param {import("../shared/state.js").Store} store
   * @param {import("../shared/socket.js").LiveSocket} socket
   * @param {{ options: import("../types/api").MlpOptions, optimizers: import("../types/api").OptimizerInfo[] }} registries
   */
  constructor(store, socket, { options, optimizers }) {
    this.store = store;
    this.socket = socket;
    this.options = options;
    this.optimizers = optimizers;
    this.names = optimizerNames(optimizers);
    /** @type {import("./run.js").NetRun[]} NetRun per run of the current `started` */
    this.runs = [];
    /** @type {NetConfig | null} started.config */
    this.config = null;
    /** @type {Plane | null} the live plane {mode, labels, origin, seed} */
    this.plane = null;
    /** @type {LandscapeBody | null} the landscape request's data, network and runs for these runs */
    this.body = null;
    this.playback = new Playback(socket, { begin: () => this.begin(), onChange: (play) => this.onPlay(play) });
    this.liveEdited = false; // a learning rate changed in the middle of these runs
    /** @type {{ run: number, index: number } | null} picked on the landscape; null: the selected run's head */
    this.pick = null;
    /** @type {any} the data plot's view while own points are edited (scenes.js viewBox) */
    this.editBox = null;
    this.quietSeed = false; // the seed changes because the server drew new weights: no restart
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.restartTimer = undefined;
    this.serverRuns = 0; // runs the server has, or will have once it answers an add or a remove
    this.runEdit = false; // the runs change by the Add or Remove button: the others go on
    /** @type {Map<number, { lr: number | undefined }>} a pending `set` per run */
    this.setTimers = new Map();
    /** @type {import("./early-start.js").EarlyStart | null} the runs early-start.js started, until the first restart */
    this.early = takeEarlyStart(); // what came before these handlers; the plot it painted on
    /** @type {(() => void)[] | null} what waits for the first picture (the landscape) */
    this.waiting = [];
    /** @type {Record<View, boolean>} */
    this.dirty = { boundary: true, landscape: true, charts: true, heatmaps: true, panel: true };
    /** @type {Record<View, number>} */
    this.last = { boundary: 0, landscape: 0, charts: 0, heatmaps: 0, panel: 0 };
    /** @type {{ t0: number, ms: number } | null} the final paths drawn over time */
    this.reveal = null;
    /** @type {{ frames: number, steps: number, draws: Record<Figure | "charts", number>, ms: Record<Figure | "charts", number>, boundaries: number, starts: number, started: number, earlyStart: boolean, boundaryAt: number | null, readyAt: number | null }} */
    this.stats = { frames: 0, steps: 0, draws: { boundary: 0, landscape: 0, charts: 0, heatmaps: 0 }, ms: { boundary: 0, landscape: 0, charts: 0, heatmaps: 0 }, boundaries: 0, starts: 0, started: 0, earlyStart: false,
      // ms since navigation: the data and every run's boundary on screen, the controls answering
      boundaryAt: null, readyAt: null };

    this.settings = new SettingsPanel(options, {
      set: (patch) => this.store.set(patch),
      clearPoints: () => this.clearPoints(),
      useDataset: () => this.store.set({ points: null, pts: null }),
      loadPoints: (points, name) => this.loadPoints(points, name),
      error: (text, field) => showMessage(text, { key: `field-${field}`, timeout: 6000 }),
      picked: () => {
        $("boundary-hint").textContent = this.boundaryHint();
      },
    });
    this.runsPanel = new NetworkRunsPanel($("runs"), {
      optimizers, maxBatch: options.limits.points,
      onChange: (/** @type {number} */ i, /** @type {RunPatch} */ patch) => this.updateRun(i, patch),
      onRemove: (/** @type {number} */ i) => this.removeRun(i),
      onSelect: (/** @type {number} */ i) => this.select(i),
    });
    /** @type {{ onClick: (x: number, y: number, how: { shift: boolean, cell: number }) => void, onSelect: (run: number) => void }} */
    const onBoundary = {
      onClick: (x, y, e) => this.clickData(x, y, e),
      onSelect: (i) => this.select(i),
    };
    this.boundary = this.early.plot ? Object.assign(this.early.plot, onBoundary) : new BoundaryPlot($("boundary"), onBoundary);
    this.landscape = new LandscapeView(
      { plot: $("landscape"), readout: $("landscape-readout"), caption: $("landscape-caption") },
      { onPick: (/** @type {number} */ run, /** @type {number} */ index) => this.pickPoint(run, index) },
    );
    this.slices = new Slices({ onChange: (/** @type {string} */ what) => this.onSlice(what) });
    this.lossChart = new CanvasLineChart($("loss-chart"), { title: "Loss per step (log scale)", ytitle: "loss" });
    this.accChart = new CanvasLineChart($("acc-chart"), { title: "Accuracy per step (%)", ytitle: "accuracy %" });
    this.gnormChart = new CanvasLineChart($("gnorm-chart"), { title: "Gradient norm per layer", ytitle: "‖∂L/∂W‖" });
    this.tuner = new NetworkTuner(this); // "Tune all": a fair race
    this.heatmaps = new Heatmaps($("heatmaps"), $("layer-tabs"), $("heatmaps-note"), {
      onLayer: (/** @type {number} */ layer) => this.store.set({ layer }),
      onPickWeight: (/** @type {number} */ layer, /** @type {number} */ row, /** @type {number} */ col) => this.pickWeight(layer, row, col),
    });
    this.stability = new StabilityLab(this); // the sharpness chart and the spectrum (issue #15)
    this.netFlow = new NetworkFlow(this); // the gradient flow on the landscape, on request
    this.lessons = new Lessons({ buttons: $("lessons"), notes: /** @type {HTMLDetailsElement} */ ($("lesson-notes")), see: $("lesson-see"), ask: $("lesson-ask") }, (lesson) => this.playLesson(lesson));
    this.lab = new LabPanel(this); // the generalisation lab: its settings, unit maps, sweeps, exports
    setTip($("loss-chart"), "The loss on all the training points after each step, for every run (log scale: a steady fall is a straight-ish line; a jump up is an overshoot).");
    setTip($("acc-chart"), "The share of training points each run classifies right, after each step.");
    setTip($("gnorm-chart"), "How large the gradient ∂L/∂W is in each layer of the selected run (log scale). Layers far below the others learn slowly: vanishing gradients (try sigmoid with many layers). Lines shooting up: exploding gradients.");
  }

  // ---- setup -----------------------------------------------------------------------------------
  init() {
    // the runs first: the server computes their first boundary while the controls are built
    bindServer(this);
    if (this.socket.canSend) this.restart(); // else on `welcome`
    this.buildControls();
    this.lessons.load();
    this.store.subscribe((changed, prev, next) => this.onState(changed, prev, next));
    this.tuner.attach();
    window.addEventListener("hashchange", () => this.loadHash());
    // a box that comes into view (a phone's tab, the side panel) or changes size: drawn again
    for (const id of ["boundary", "landscape", "loss-chart", "acc-chart", "gnorm-chart", "heatmaps", "unit-maps"]) {
      new ResizeObserver(() => this.onResize()).observe($(id));
    }
    setPresenting(this.store.state.present, $("present"));
    this.setFontSizes(this.store.state.present);
    this.render();
    const painted = this.boundary.div.dataset.painted; // by early-start.js, before this page was here
    if (painted) {
      this.stats.boundaryAt = Number(painted);
      this.pictureDrawn();
    }
    setTimeout(() => this.pictureDrawn(), PICTURE_LATEST); // with no picture to wait for (own points)
    requestAnimationFrame(() => this.tick());
    this.stats.readyAt = performance.now();
  }

  /** Run `fn` once the first picture is on screen (at once after that). @param {() => void} fn */
  afterPicture(fn) {
    if (this.waiting) this.waiting.push(fn);
    else fn();
  }

  /** The first picture is up (or we waited long enough): what waited for it. */
  pictureDrawn() {
    /** @type {(() => void)[]} */
    const waiting = this.waiting || [];
    this.waiting = null;
    for (const fn of waiting) fn();
  }

  buildControls() {
    const speed = /** @type {HTMLSelectElement} */ ($("speed"));
    for (const v of SPEEDS) speed.append(el("option", { value: String(v), text: v === 0 ? "max" : `${v} /s` }));
    speed.addEventListener("change", () => this.store.set({ speed: Number(speed.value) }));
    const steps = input("steps");
    steps.max = String(this.options.limits.steps);
    steps.addEventListener("change", () => {
      const v = Math.round(Number(steps.value));
      if (Number.isFinite(v) && v >= 1 && v <= this.options.limits.steps) this.store.set({ steps: v });
      else {
        showMessage(`Steps: give a whole number from 1 to ${this.options.limits.steps}.`, { key: "field-steps", timeout: 5000 });
        steps.value = String(this.store.state.steps);
      }
    });
    const modes = $("plane-modes");
    for (const mode of this.options.directions) {
      modes.append(el("button", {
        type: "button", text: planeModeLabel(mode), tip: planeModeTip(mode), dataset: { mode },
        on: { click: () => this.store.set({ plane: mode }) },
      }));
    }
    bindPlayback(this.playback, { store: this.store, scaleLr: (f) => this.scaleLr(f) });
    $("new-weights").addEventListener("click", () => this.newWeights());
    $("add-run").addEventListener("click", () => this.addRun());
    $("copy-link").addEventListener("click", () => copyLink(this.store, input("link-field")));
    $("export-csv").addEventListener("click", () => exportCSV(this.runs, this.config));
    $("export-json").addEventListener("click", () => exportJSON(this.store, this)); // config, plane, runs
    $("png-boundary").addEventListener("click", () => {
      this.drawBoundary(); // as it stands now, even between two frames
      exportPNG(this.boundary.canvas ? [this.boundary.canvas] : [], "gradscape-boundary");
    });
    $("png-landscape").addEventListener("click", () => {
      this.drawLandscape();
      exportPNG(this.landscape.canvases(), "gradscape-landscape");
    });
    $("present").addEventListener("click", () => this.store.set({ present: !this.store.state.present }));
  }


  // ---- state -> effects ------------------------------------------------------------------------
  /** @type {import("../shared/state.js").Listener} */
  onState(changed, prev, next) {
    const has = (/** @type {string} */ k) => changed.has(k);
    if (RESTART_KEYS.some(has) && !(changed.size === 1 && has("seed") && this.quietSeed)) {
      this.scheduleRestart(has("points") ? 300 : 60);
    } else if (has("runs")) {
      const diff = runsChange(prev.runs, next.runs);
      if (diff && (diff.kind === "add" || diff.kind === "remove")) {
        if (!this.editRuns(diff, prev.runs.length, next.runs)) this.scheduleRestart(60);
      } else if (diff && diff.kind === "restart") this.scheduleRestart(60);
      else if (diff && diff.kind === "set" && changeNeedsReplay(this.playback.play, this.runs, diff.sets.map((d) => d.run))) this.replay(diff.sets);
      else if (diff && diff.kind === "set") for (const { run, lr } of diff.sets) this.queueSet(run, lr);
    }
    this.quietSeed = false;
    if (has("points")) this.keepPoints(next.points);
    if (has("plane")) this.onPlaneMode(next.plane);
    else if (has("wts") && next.plane === "weights") {
      if (this.runs.length && this.plane) this.fetchFinal(); // keep the runs: re-project them
      else this.scheduleRestart(60);
    }
    if (has("speed")) this.socket.send({ type: "speed", speed: next.speed });
    if (has("present")) {
      setPresenting(next.present, $("present"));
      this.setFontSizes(next.present);
    }
    if (has("sel")) this.pick = null;
    if (has("points") && !next.points) this.editBox = null;
    this.render();
    this.markDirty();
  }

  /**
   * A change to a run that takes no more steps: every run again from the start, and say so.
   * @param {{ run: number, lr: number | undefined }[]} sets
   */
  replay(sets) {
    showMessage(replayNote(this.playback.play, this.runs, sets), { kind: "info", key: "replay", timeout: 6000 });
    if (this.playback.play === "done") this.playback.playNext();
    this.scheduleRestart(60);
  }

  /**
   * `set` for a run's learning rate, at most one message per run every 50 ms.
   * @param {number} run @param {number | undefined} lr
   */
  queueSet(run, lr) {
    const pending = this.setTimers.get(run);
    if (pending) {
      pending.lr = lr;
      return;
    }
    const entry = { lr };
    this.setTimers.set(run, entry);
    setTimeout(() => {
      this.setTimers.delete(run);
      if (this.runs[run] && this.playback.play !== "idle") this.socket.send({ type: "set", run, lr: entry.lr });
    }, 50);
  }

  /**
   * One run added or removed while the runs train: the others keep their steps (`add_run`,
   * `remove_run`; the server catches a new run up at once). False: new runs are needed instead.
   * @param {{ kind: "add" | "remove", run: number }} diff
   * @param {number} before the number of runs before
   * @param {NetRunSpec[]} runs the runs now
   */
  editRuns(diff, before, runs) {
    if (!this.runEdit || this.playback.play === "idle" || this.serverRuns !== before) return false;
    this.playback.release(); // what came before the edit first: its reply follows it
    const message = diff.kind === "add" ? { type: "add_run", run: runSpec(runs[diff.run]) } : { type: "remove_run", run: diff.run };
    if (!this.socket.send(message)) return false;
    this.serverRuns = runs.length;
    return true;
  }

  /** @param {number} delay ms */
  scheduleRestart(delay) {
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => this.restart(), delay);
  }

  /**
   * New runs for the current state: a `start` (or, with unusable own points, none).
   * @returns {false | undefined} false: nothing to train on
   */
  restart() {
    clearTimeout(this.restartTimer);
    const state = this.store.state;
    const problem = state.points ? pointsProblem(state.points) : null;
    if (problem) {
      // Own points that cannot be trained on yet: no runs until they can.
      if (this.playback.play !== "idle") this.socket.send({ type: "stop" });
      this.runs = [];
      this.config = null;
      this.plane = null;
      this.playback.setState("idle");
      this.slices.clear();
      this.landscape.setSurface(null);
      this.showLandscapeStatus(`Nothing to slice yet: ${problem}.`);
      this.markDirty();
      this.render();
      return false;
    }
    if (state.wts && !validWeights(state.wts, this.shape().sizes)) {
      this.store.set({ wts: null }); // the network has no such weight now: the default pair
      return this.restart();
    }
    const message = pageStartMessage(state, this.options, this.playback.startFields());
    if (!this.sendStart(message)) return; // sent again on `welcome`
    this.stats.starts += 1;
  }

  /**
   * Send a `start`, or, for the page's first, take the one early-start.js sent when it is the
   * same: what the server answered is replayed to the handlers, in order, once this task is done.
   * @param {import("../shared/socket.js").Message} message
   */
  sendStart(message) {
    const early = this.early;
    this.early = null;
    if (early && early.sent === JSON.stringify(message)) {
      this.stats.earlyStart = true;
      queueMicrotask(() => {
        for (const m of early.messages) this.socket.emit(m.type, m);
      });
      return true;
    }
    return this.socket.send(message);
  }

  /** @param {string} mode */
  onPlaneMode(mode) {
    // After training, any mode is sliced from the finished runs. During it the runs go on: a
    // plane other than the live one shows their paths so far re-projected (the endpoint
    // re-trains them to this step), brought up to date on pause and at the end; a reset starts
    // them on the chosen plane (planeOutdated). PCA trains on a random plane.
    if (this.playback.play === "done") {
      this.fetchFinal();
    } else if (this.plane && livePlane(mode) !== this.plane.mode) {
      if (this.runs.length) this.fetchFinal();
      else this.scheduleRestart(60);
    } else if (this.plane && this.slices.phase === "final" && !this.planeOutdated()) {
      // back on the live plane (a plane comes with a `started`: its body and config too)
      this.slices.fetchLive(/** @type {LandscapeBody} */ (this.body), this.plane, this.shape(), /** @type {NetConfig} */ (this.config).steps);
    }
  }

  /** The runs' live plane is not the one the state asks for (it changed while they ran). */
  planeOutdated() {
    const s = this.store.state;
    if (!this.plane || !this.body) return false;
    if (livePlane(s.plane) !== this.plane.mode) return true;
    return s.plane === "weights" && JSON.stringify(weightRefs(s.wts)) !== JSON.stringify(this.body.planeWeights);
  }

  /** @param {import("../shared/playback.js").PlayState} play */
  onPlay(play) {
    this.dirty.boundary = true; // both redrawn at once when playing starts or stops
    this.dirty.landscape = true;
    this.renderPlay();
    this.renderCaption();
    // paused on a re-projected slice: bring its paths up to this step
    if (play === "paused" && this.slices.phase === "final" && this.runs.length) this.fetchFinal();
  }

  /**
   * Own points too many for the link: kept under an id the link carries (shared/kept.js), and
   * a warning when only this browser, or nothing, keeps them.
   * @param {import("./state.js").Point[] | null} points
   */
  async keepPoints(points) {
    if (!points || points.length <= URL_POINTS) {
      if (this.store.state.kept) this.store.set({ kept: null });
      return;
    }
    const kept = await keepState({ page: "network", points });
    if (this.store.state.points !== points && JSON.stringify(this.store.state.points) !== JSON.stringify(points)) return; // superseded
    const n = points.length.toLocaleString("en");
    if (kept.where === "server") clearMessage("kept");
    else if (kept.where === "browser") {
      showMessage(`Your ${n} points are kept in this browser only (the server did not keep them: ${kept.problem}): a copied link will not bring them to another device.`, { kind: "warn", key: "kept" });
    } else {
      showMessage(`Your ${n} points could not be kept (${kept.problem}) and are too many for the link: export them as JSON before you reload.`, { kind: "warn", key: "kept" });
    }
    this.store.set({ kept: kept.id });
  }

  /** A link opened in this tab (the hash changed): its state, training from the start. */
  async loadHash() {
    if (location.hash.replace(/^#/, "") === this.store.serialize()) return;
    const hashState = await withKeptPoints(this.store.parse(location.hash));
    this.playback.playNext();
    this.editBox = null;
    const defaults = Object.fromEntries(Object.entries(SCHEMA).map(([k, p]) => [k, p.default]));
    this.store.set(sanitize({ ...defaults, ...hashState }, this.options, this.optimizers));
  }

  // ---- server events ---------------------------------------------------------------------------



  /** The runs' body for the final slice: their learning rates now (a reset keeps live changes,
   *  so after one the whole run used them), the plane weights chosen now. */
  finalBody() {
    const body = /** @type {LandscapeBody} */ (this.body); // there are runs
    const runs = body.runs.map((r, i) => ({ ...r, lr: (this.store.state.runs[i] || r).lr }));
    return withPlaneWeights({ ...body, runs }, this.store.state.wts);
  }

  fetchFinal() {
    if (!this.plane || !this.runs.length) return;
    const steps = Math.max(1, ...this.runs.map((r) => r.n - 1));
    const mode = this.store.state.plane;
    const healthy = this.runs.map((r, i) => (r.status === "diverged" ? -1 : i)).filter((i) => i >= 0);
    const include = mode === "pca" && healthy.length ? healthy : null;
    // (`any` until slices.js is typed: its `include = null` reads as null only)
    this.slices.fetchFinal(this.finalBody(), this.plane, this.shape(), steps, mode, include);
  }

  /** @param {string | null} text @param {"info" | "error"} [kind] */
  showLandscapeStatus(text, kind = "info") {
    const status = $("landscape-status");
    status.classList.toggle("error", kind === "error");
    status.hidden = !text;
    status.textContent = text || "";
  }

  /** @param {string} what "live", "final", "error" or "busy" (slices.js) */
  onSlice(what) {
    if (what === "busy") {
      this.showLandscapeStatus(this.landscape.surface ? null : "Slicing the loss landscape…");
    } else if (what === "error") {
      this.showLandscapeStatus(`No landscape: ${this.slices.error}`, "error");
    } else {
      this.showLandscapeStatus(null);
      // a slice is there when Slices calls back with "final" or "live"
      const s = what === "final" ? /** @type {NonNullable<Slices["final"]>} */ (this.slices.final).resp
        : /** @type {NonNullable<Slices["live"]>} */ (this.slices.live).surface;
      this.landscape.setSurface(s);
      if (what === "final") this.reveal = { t0: performance.now(), ms: 1500 };
    }
    this.dirty.landscape = true;
    this.renderCaption();
  }





  // ---- handlers: each changes the state (or asks the server), nothing else ------------------
  /** @param {number} i @param {RunPatch} patch */
  updateRun(i, patch) {
    const runs = this.store.state.runs.map((/** @type {NetRunSpec} */ r, /** @type {number} */ k) => (k === i ? { ...r, ...patch } : r));
    if (patch.batch === null) delete runs[i].batch;
    this.store.set({ runs, sel: i });
  }

  addRun() {
    const runs = this.store.state.runs;
    if (runs.length >= this.options.limits.runs) return;
    // While the runs train, the server catches the new run up to them (editRuns).
    const base = runs[this.store.state.sel] || runs[0];
    this.runEdit = true;
    this.store.set({ runs: [...runs, { ...base }], sel: runs.length });
    this.runEdit = false;
  }

  /** @param {number} i */
  removeRun(i) {
    const runs = this.store.state.runs.filter((/** @type {NetRunSpec} */ _, /** @type {number} */ k) => k !== i);
    if (!runs.length) return;
    this.runEdit = true;
    this.store.set({ runs, sel: Math.min(this.store.state.sel, runs.length - 1) });
    this.runEdit = false;
  }

  /** @param {number} i */
  select(i) {
    if (i !== this.store.state.sel) this.store.set({ sel: i });
  }

  /** @param {number} factor */
  scaleLr(factor) {
    const state = this.store.state;
    const run = state.runs[state.sel];
    if (!run) return;
    const spec = /** @type {import("../types/api").OptimizerInfo} */ (this.optimizers.find((o) => o.id === run.optimizer)).hyperparameters.lr;
    this.updateRun(state.sel, { lr: Math.min(spec.max, Math.max(spec.min, roundSig(run.lr * factor, 4))) });
  }

  /** @param {number} run @param {number} index */
  pickPoint(run, index) {
    if (run !== this.store.state.sel) this.store.set({ sel: run }); // (forgets any pick)
    this.pick = { run, index };
    this.dirty.landscape = true;
  }

  /** The "weights" plane's two weights: the chosen ones, or the server's default pair. @returns {WeightTriple[]} */
  planeWeights() {
    if (this.store.state.wts) return this.store.state.wts;
    const sizes = this.config ? this.config.sizes : this.shape().sizes;
    return /** @type {WeightTriple[]} */ ([[1, 0, 0], [1, 0, sizes[0] > 1 ? 1 : 0]]).filter((r, k) => k === 0 || sizes[0] > 1);
  }

  /**
   * A weight clicked in the heatmap becomes the second axis; the second becomes the first.
   * @param {number} layer @param {number} row @param {number} col
   */
  pickWeight(layer, row, col) {
    if (this.store.state.plane !== "weights") return; // the landscape's axes are not weights
    const pair = this.planeWeights();
    const keep = pair[1] || pair[0];
    const ref = [layer, row, col];
    if (keep.join(".") === ref.join(".")) return;
    this.store.set({ wts: [keep, ref] });
    showMessage(`The landscape's axes are now W${keep[0]}[${keep[1]},${keep[2]}] and W${layer}[${row},${col}].`, { kind: "info", key: "weights", timeout: 4000 });
  }

  /** New runs from the current settings (play, step and reset when nothing runs), or say why
   * there is nothing to train. */
  begin() {
    if (this.restart() === false) {
      showMessage(`Nothing to train on yet: ${pointsProblem(this.store.state.points)}. Click the data plot to add points.`, { kind: "warn", key: "points", timeout: 5000 });
    }
  }

  /** A lesson's runs, playing: its state (a new `start`), or the same runs again. */
  /** @param {{ start: Parameters<typeof lessonPatch>[0] }} lesson */
  playLesson(lesson) {
    this.playback.playNext();
    this.editBox = null;
    const changed = this.store.set(sanitize({ ...this.store.state, ...lessonPatch(lesson.start) }, this.options, this.optimizers));
    if (!RESTART_KEYS.some((k) => changed.has(k)) && !changed.has("runs")) this.restart();
  }

  newWeights() {
    this.playback.playNext();
    if (this.playback.play === "idle") {
      this.store.set({ seed: this.store.state.seed + 1 });
      return;
    }
    this.socket.send({ type: "reset", new_weights: true });
    this.socket.send({ type: "resume" });
  }

  /**
   * A click on the data plot: add a point of the chosen class (shift: remove the nearest).
   * @param {number} x @param {number} y @param {{ shift: boolean }} e
   */
  clickData(x, y, { shift }) {
    const state = this.store.state;
    const ds = /** @type {import("../types/api").DatasetInfo} */ (this.options.datasets.find((d) => d.id === state.dataset));
    if (ds.task !== "classification") {
      showMessage("Your own points are for the classification datasets: pick another dataset to draw points.", { kind: "info", key: "points", timeout: 4000 });
      return;
    }
    this.editBox = this.editBox || viewBox(this);
    /** @type {Point[]} */
    let points = state.points ? state.points.map((/** @type {Point} */ p) => [...p]) : this.config && !this.config.custom_points ? pointsFromData(this.config.data) : [];
    const [[x0, x1]] = this.editBox;
    if (shift || this.settings.erasing) {
      const k = nearestPoint(points, x, y, (x1 - x0) * 0.04);
      if (k < 0) return;
      points.splice(k, 1);
    } else {
      if (points.length >= this.options.limits.points) return;
      points = [...points, [roundSig(x, 3), roundSig(y, 3), this.settings.clickClass]];
    }
    this.settings.showError(null);
    this.store.set(pointsPatch(points));
  }

  clearPoints() {
    this.editBox = this.editBox || viewBox(this);
    this.settings.showError(null);
    this.store.set(pointsPatch([]));
  }

  /** @param {Point[]} points @param {string} name */
  loadPoints(points, name) {
    this.editBox = null;
    this.store.set(pointsPatch(points));
    showMessage(`Loaded ${points.length} points from ${name}.`, { kind: "info", key: "points", timeout: 4000 });
  }

  // ---- rendering -------------------------------------------------------------------------------
  shape() {
    return networkShape(this.store.state, this.options);
  }

  /** @param {boolean} presenting */
  setFontSizes(presenting) {
    this.boundary.fontSize = plotFontSize(presenting);
    this.landscape.fontSize = plotFontSize(presenting);
    this.landscape.setSurface(this.landscape.surface);
    this.markDirty();
  }

  markDirty() {
    for (const k of /** @type {View[]} */ (Object.keys(this.dirty))) this.dirty[k] = true;
  }

  onResize() {
    this.markDirty();
  }

  render() {
    const state = this.store.state;
    this.settings.render(state);
    this.lab.render(state);
    this.runsPanel.render(/** @type {RunsState} */ (state), this.runs); // normalised (state.js)
    const speed = /** @type {HTMLSelectElement} */ ($("speed"));
    if (![...speed.options].some((o) => Number(o.value) === state.speed)) speed.append(el("option", { value: String(state.speed), text: `${state.speed} /s` }));
    speed.value = String(state.speed);
    if (document.activeElement !== $("steps")) input("steps").value = String(state.steps);
    /** @type {HTMLButtonElement} */ ($("add-run")).disabled = state.runs.length >= this.options.limits.runs;
    for (const b of /** @type {HTMLCollectionOf<HTMLElement>} */ ($("plane-modes").children)) b.setAttribute("aria-pressed", String(b.dataset.mode === state.plane));
    const problem = state.points ? pointsProblem(state.points) : null;
    const own = state.points ? `Your ${state.points.length} points${problem ? `: ${problem.replace(/^found \d+ points?: /, "")}` : ""}.` : "";
    $("data-note").textContent = own;
    $("boundary-hint").textContent = this.boundaryHint();
    this.renderPlay();
    this.renderCaption();
  }

  boundaryHint() {
    const ds = /** @type {import("../types/api").DatasetInfo} */ (this.options.datasets.find((d) => d.id === this.store.state.dataset));
    if (ds.task === "regression") return "the curve each run has learned, over the data";
    if (this.settings.erasing) return `${clickWord()}: remove the nearest point`;
    const remove = noHover() ? "Erase (under Data): remove" : "shift-click: remove";
    return `${clickWord()}: add a class-${this.settings.clickClass} point · ${remove}`;
  }

  renderPlay() {
    const button = $("play");
    const play = this.playback.play;
    const running = play === "running";
    button.textContent = running ? "Pause" : play === "done" ? "Replay" : "Train";
    button.setAttribute("aria-pressed", String(running));
  }

  renderCaption() {
    const mode = shownMode(this);
    const surface = this.landscape.surface;
    $("landscape-caption").textContent = caption({
      mode, wanted: this.store.state.plane, params: this.config ? this.config.n_params : this.shape().params,
      labels: surface ? [surface.x.label, surface.y.label] : this.plane ? this.plane.labels : null,
      explained: surface ? surface.explained_variance : null,
      live: this.slices.phase === "live", edited: this.liveEdited && usesFinalPaths(this),
      upTo: this.slices.phase === "final" && this.slices.final && this.playback.play === "running" ? this.slices.final.request.steps : null,
    });
  }






  /** Training at "max" or at FAST_SPEED steps a second and more: the landscape and the heatmaps
   * are redrawn less often (EVERY_FAST). */
  trainingFast() {
    const speed = this.store.state.speed;
    return (speed === 0 || speed >= FAST_SPEED) && this.playback.play === "running";
  }

  drawBoundary() {
    const scene = boundaryScene(this);
    const first = this.stats.boundaryAt === null;
    const complete = BoundaryPlot.complete(scene);
    // Before the first picture, while its runs or their boundaries are on their way: a plot
    // without them (50-70 ms each on a phone's CPU) would only hold up the frame that brings them.
    if (first && !complete && (this.stats.starts > this.stats.started || this.runs.length)) return;
    if (!this.boundary.draw(scene) || !first || !complete) return;
    this.stats.boundaryAt = performance.now();
    this.pictureDrawn();
  }

  drawLandscape() {
    const scene = landscapeScene(this);
    scene.extra = this.netFlow.paths(shownMode(this));
    if (!this.landscape.draw(scene)) return;
    $("landscape-readout").textContent = this.landscape.readout(scene);
    if (this.playback.play === "running" && this.slices.phase === "live") {
      const heads = this.runs.filter((r) => r.status === "running" && r.n).map((r) => [r.px[r.n - 1], r.py[r.n - 1]]);
      this.slices.maybeRefit(/** @type {LandscapeBody} */ (this.body), this.shape(), /** @type {NetConfig} */ (this.config).steps, heads);
    }
  }

  drawCharts() {
    const runs = this.runs.map((run, i) => ({ run, name: `${i + 1}. ${this.names.get(run.info.optimizer)}`, color: RUN_COLORS[i % RUN_COLORS.length], lineDash: runStyle(i).lineDash }));
    const regression = Boolean(this.config && this.config.task === "regression");
    const lab = this.lab.chartSeries(runs); // test lines, best-test dots, penalty terms
    const titles = labTitles(runs, regression);
    const logx = this.lab.oneHot(this.store.state); // grokking: steps over decades
    this.lossChart.title = titles.loss;
    this.lossChart.update([...runs.map(({ run, name, color, lineDash }) => ({ ...series(name, color, run.step, run.loss, run.n), lineDash })), ...lab.loss], { log: true, logx });
    this.accChart.title = titles.accuracy;
    this.accChart.update(regression ? [] : [...runs.map(({ run, name, color, lineDash }) => ({ ...series(name, color, run.step, run.acc, run.n, 100), lineDash })), ...lab.accuracy], { log: false, logx });
    const sel = this.runs[this.store.state.sel];
    this.gnormChart.title = gradNormTitle(sel);
    this.gnormChart.update(gradNormSeries(sel), { log: true });
    this.stability.draw();
    this.netFlow.draw();
  }

  drawHeatmaps() {
    const state = this.store.state;
    const run = this.runs[state.sel];
    const layers = this.config ? this.config.sizes.length - 1 : state.hidden.length + 1;
    const layer = Math.min(state.layer, layers);
    this.heatmaps.setLayers(layers, layer);
    const chosen = state.plane === "weights" ? this.planeWeights() : null;
    this.heatmaps.draw(run, layer, run ? `run ${state.sel + 1}` : "", chosen, this.lab.picked);
  }

  renderCounter() {
    const n = Math.max(0, ...this.runs.map((r) => r.n - 1));
    const text = `step ${n} / ${this.config ? this.config.steps : this.store.state.steps}`;
    if ($("counter").textContent !== text) $("counter").textContent = text;
  }

  /**
   * The animation loop: the cheap views (run cards, counter, canvas charts) a few times a
   * second, and each figure (all canvases) on its own clock: the boundary first, the landscape
   * and the heatmaps once the first picture is up.
   */
  tick() {
    requestAnimationFrame(() => this.tick());
    const now = performance.now();
    if (document.hidden) return;
    // the charts (a layout each, empty at first) after the first picture
    if (this.dirty.charts && !this.waiting && now - this.last.charts > CHARTS_EVERY) {
      this.dirty.charts = false;
      this.last.charts = now;
      this.stats.draws.charts += 1;
      this.drawCharts();
      this.stats.ms.charts += performance.now() - now;
    }
    // The picture first (the run cards and the counter lay the page out again).
    const every = this.trainingFast() ? EVERY_FAST : EVERY;
    this.drawIfDue("boundary", now, every);
    if (this.dirty.panel && now - this.last.panel > 120) {
      this.dirty.panel = false;
      this.last.panel = now;
      this.runsPanel.updateLive(/** @type {RunsState} */ (this.store.state), this.runs);
      this.renderCounter();
      this.lab.draw();
    }
    if (this.waiting) return;
    this.drawIfDue("landscape", now, every);
    if (this.heatmapsShown()) this.drawIfDue("heatmaps", now, every);
  }

  /** Whether every view shows the latest data: the next frames would draw nothing (for tests,
   * which wait for this rather than sleep through a few redraws). */
  settled() {
    const { dirty } = this;
    const heatmaps = dirty.heatmaps && this.heatmapsShown();
    return !this.waiting && !dirty.charts && !dirty.panel && !dirty.boundary && !dirty.landscape && !heatmaps;
  }

  /** Present mode hides the heatmaps: they are not drawn, and nothing waits for them. */
  heatmapsShown() {
    return !this.store.state.present;
  }

  /** @param {Figure} figure @param {number} now @param {Record<Figure, number>} every */
  drawIfDue(figure, now, every) {
    if (!this.dirty[figure] || now - this.last[figure] < every[figure]) return;
    const t0 = performance.now();
    this.dirty[figure] = false;
    this.last[figure] = now;
    this.stats.draws[figure] += 1;
    if (figure === "boundary") this.drawBoundary();
    else if (figure === "landscape") this.drawLandscape();
    else this.drawHeatmaps();
    this.stats.ms[figure] += performance.now() - t0;
  }
}


/**
 * A link's state with the own points it names by id (`state=<id>`), or a message when neither
 * the server nor this browser has them.
 * @param {import("../shared/state.js").State} fromURL
 */
async function withKeptPoints(fromURL) {
  if (!fromURL.kept) return fromURL;
  const kept = await keptState(fromURL.kept);
  if (kept && Array.isArray(kept.points)) return { ...fromURL, points: kept.points };
  showMessage(`This link's own points (state=${fromURL.kept}) are neither on this server nor in this browser: they were kept on another server, or longer ago than the server keeps them. Showing the dataset instead.`, { kind: "warn", key: "kept" });
  return { ...fromURL, kept: null };
}

async function main() {
  const firstVisit = isFirstVisit(); // before anything writes the URL
  initTooltips();
  const store = createNetworkStore();
  const fromURLNoPoints = store.parse(location.hash);
  const opened = await earlyOpened; // the socket and registries, asked for by early-start.js
  if (!opened) return;
  const { socket, registries } = opened;
  const fromURL = await withKeptPoints(fromURLNoPoints);
  store.set(sanitize({ ...store.state, ...fromURL }, registries.options, registries.optimizers));
  const page = new NetworkPage(store, socket, registries);
  if (firstVisit) page.playback.waitForPlay("Start here: press Train to watch the network learn; change the data and the network under Data.");
  page.init();
  // A read-only window for tests and the curious (the console).
  /** @type {Window & { gradscape?: object }} */ (window).gradscape = Object.freeze({
    get state() {
      return JSON.parse(JSON.stringify(store.state));
    },
    get play() {
      return page.playback.play;
    },
    get stats() {
      return JSON.parse(JSON.stringify(page.stats));
    },
    runs: () => page.runs.map((r) => ({
      n: r.n, status: r.status, divergedAt: r.divergedAt, reason: r.reason, lrInEffect: r.lrInEffect,
      lrNext: r.lrNext, loss: r.last("loss"), accuracy: r.last("acc"),
      lastLrs: Array.from(r.lr.subarray(Math.max(1, r.n - 5), r.n), (v) => (Number.isFinite(v) ? v : null)),
      boundaryStep: r.boundary ? r.boundary.step : null, weightsStep: r.weights ? r.weights.step : null,
      head: r.n ? [r.px[r.n - 1], r.py[r.n - 1]] : null,
    })),
    config: () => (page.config ? { task: page.config.task, sizes: page.config.sizes, plane: page.plane, points: page.config.data.x.length, custom: page.config.custom_points } : null),
    landscape: () => ({
      phase: page.slices.phase, busy: page.slices.busy, error: page.slices.error, fetches: page.slices.fetches,
      mode: page.landscape.surface ? page.landscape.surface.directions : null,
      grid: page.landscape.surface ? page.landscape.surface.x.values.length : 0,
      readout: $("landscape-readout").textContent, caption: $("landscape-caption").textContent,
    }),
    charts: () => Object.fromEntries(/** @type {[string, CanvasLineChart][]} */ ([["loss", page.lossChart], ["accuracy", page.accChart], ["gradNorms", page.gnormChart]])
      .map(([k, c]) => [k, { title: c.title, names: c.series.map((s) => s.name), lengths: c.series.map((s) => s.x.length), dashes: c.series.map((s) => s.lineDash || []), logx: c.logx }])),
    stability: () => page.stability.debug(),
    netFlow: () => page.netFlow.debug(),
    boundaryPoint: (/** @type {number} */ k, /** @type {number} */ x, /** @type {number} */ y) => page.boundary.toClient(k, x, y),
    boundaryCells: () => page.boundary.cells.map(({ left, top, width, height }) => ({ left, top, width, height })),
    lab: () => ({
      sweep: page.lab.sweep.snapshot(), picked: page.lab.picked, mapsDrawn: page.lab.maps.drawn,
      presets: Object.keys(page.lab.presets), neurons: page.config ? page.config.neurons : null,
      runs: page.runs.map((r) => ({ hasTest: r.hasTest, hasPenalty: r.hasPenalty, bestTest: r.bestTest, testLoss: r.last("tloss"), testAccuracy: r.last("tacc"), penalty: r.last("pen"), weightNorm: r.last("wnorm"), neuronsStep: r.neurons ? r.neurons.step : null })),
      data: page.config ? { test: page.config.data.test || null, flipped: page.config.data.flipped || null, regularization: page.config.regularization || null } : null,
    }),
    link: () => store.link(),
    settled: () => page.settled(),
  });
}

main();
