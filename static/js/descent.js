// The descent view (/): optimizers walking down a 2D loss surface, live over /ws.
// One Store owns the URL (descent-state.js). Handlers only change the state; one subscriber
// turns state changes into server messages (start, set, speed) and redraws; frames from the
// server land in Trajectory objects and are drawn at most once per animation frame.

import { ApiError, getJSON, loadRegistries } from "./api.js";
import { el } from "./controls.js";
import { DescentPlot } from "./descent-plot.js";
import {
  ARROWS, PALETTE, SCHEMA, SPEEDS, createDescentStore, gridURL, runSpec, runsChange, sanitize, surfaceSpec,
} from "./descent-state.js";
import { copyText, downloadPlotPNG, downloadText, fileName, toCSV } from "./export.js";
import { fmt, roundSig } from "./format.js";
import { InsideStep } from "./inside-step.js";
import { renderTex } from "./latex.js";
import { bindKeys } from "./keyboard.js";
import { clearMessage, showMessage } from "./messages.js";
import { CanvasLineChart, minMaxDecimate } from "./linechart.js";
import { loadPlotly } from "./plots.js";
import { PRESETS } from "./presets.js";
import { setPresenting } from "./presentation.js";
import { RunsPanel } from "./runs-panel.js";
import { LiveSocket, probeStart } from "./socket.js";
import { initTooltips, setTip } from "./tooltips.js";
import { Trajectory } from "./trajectory.js";

const $ = (id) => document.getElementById(id);
const GRID_N = 151; // points per side of the surface grid (contour and 3D)
const LR_FACTOR = 1.25; // Up/Down arrow keys
const CUSTOM_EXAMPLE = "0.5*x**2 + 2*sin(y)**2";
// Surface parameters the API reports (surface.params) and their controls. The grid and /ws take
// them as `condition` and `angle` (see the report: the API could describe these itself).
const SURFACE_PARAMS = {
  condition: { key: "condition", label: "κ", min: 1, max: 1000, log: true, tip: "Condition number: how many times steeper the valley is across than along. Also λmax, so plain gradient descent needs lr < 2/κ." },
  angle_deg: { key: "angle", label: "θ°", min: -90, max: 90, log: false, tip: "Rotation of the valley in degrees. At 0° it runs along the x axis, which hands per-coordinate methods (Adam, RMSprop) an easy time." },
};

class DescentPage {
  constructor(store, socket, registries) {
    this.store = store;
    this.socket = socket;
    this.registries = registries;
    this.surfaces = new Map(registries.surfaces.map((s) => [s.id, s]));
    this.optimizers = new Map(registries.optimizers.map((o) => [o.id, o]));
    this.limits = { max_steps: 20000, max_runs: 8 };
    this.trajectories = [];
    this.ghosts = []; // {x, y, loss, n, color, surfaceKey}
    this.play = "idle"; // idle | running | paused | done, as the server says
    this.wantPlaying = true;
    this.grid = null;
    this.gridKey = null;
    this.gridCache = new Map();
    this.surfaceError = null;
    this.pendingStart = false;
    this.dirty = true;
    this.last = { panel: 0, inside: 0, charts: 0 };
    this.chartsDirty = true;
    this.stats = { frames: 0, steps: 0, draws: 0, pointsDrawn: 0, firstHeadAt: null, firstPathAt: null, surfaceAt: null, plotlyAt: null, starts: 0, doneAt: null, drawsAtDone: 0,
      ms: { parse: 0, absorb: 0, draw: 0, panel: 0, inside: 0, charts: 0 } }; // where the time goes
    this.setTimers = new Map();
    this.customOpen = false; // "Custom f(x, y)" chosen, formula not accepted yet

    this.plot = new DescentPlot(
      { wrap: $("plot-wrap"), base: $("base"), contour: $("contour"), surface3d: $("surface3d"), paths: $("paths"), heads: $("heads") },
      { onPick: (x, y) => this.pickStart(x, y) },
    );
    this.runsPanel = new RunsPanel($("runs"), {
      registries,
      onChange: (i, patch) => this.updateRun(i, patch),
      onRemove: (i) => this.removeRun(i),
      onSelect: (i, opts = {}) => {
        if (opts.rerender || i !== this.store.state.sel) {
          this.store.set({ sel: i });
          this.runsPanel.render(this.store.state, this.trajectories);
        }
      },
      onEdge: (i) => this.setEdge(i),
    });
    this.inside = new InsideStep({ title: $("inside-title"), equation: $("inside-eq"), numbers: $("inside-numbers") }, registries);
    this.lossChart = new CanvasLineChart($("loss-chart"), { title: "Loss per step", ytitle: "f" });
    this.gnormChart = new CanvasLineChart($("gnorm-chart"), { title: "Gradient norm ‖∇f‖", ytitle: "‖∇f‖" });
    setTip($("loss-chart"), "The loss f at each step (log scale). Where the minimum value f* is known, this is f − f*: how far from the bottom, so that 'converged' looks like a steady fall.");
    setTip($("gnorm-chart"), "The size of the gradient at each step (log scale): how steep the surface is under the point. Near a minimum or a saddle it shrinks towards 0.");
  }

  // ---- setup -----------------------------------------------------------------------------------
  init() {
    this.buildStaticControls();
    this.bindControls();
    this.bindSocket();
    this.store.subscribe((changed, prev, next) => this.onState(changed, prev, next));
    window.addEventListener("hashchange", () => this.loadHash());
    this.renderControls();
    this.runsPanel.render(this.store.state, this.trajectories);
    setPresenting(this.store.state.present, $("present"));
    this.plot.setFontSize(this.store.state.present ? 16 : 12);
    this.plot.setView(this.store.state.view);
    this.loadSurface();
    requestAnimationFrame(() => this.tick());
    // Plotly (axes, contour lines, charts, 3D) once the first path is on screen, or soon anyway
    this.plotlyTimer = setTimeout(() => this.loadPlotly(), 600);
  }

  loadPlotly() {
    clearTimeout(this.plotlyTimer);
    if (this.plotlyRequested) return;
    this.plotlyRequested = true;
    loadPlotly().then(() => {
      this.stats.plotlyAt = performance.now();
      this.plot.plotlyReady();
      this.chartsDirty = true;
      this.dirty = true;
    }, (err) => showMessage(`Could not load the plotting library: ${err.message}`, { key: "plotly" }));
  }

  buildStaticControls() {
    const surface = $("surface");
    for (const s of this.registries.surfaces) {
      surface.append(el("option", { value: s.id, text: s.name, title: s.description }));
    }
    surface.append(el("option", { value: "custom", text: "Custom f(x, y)…", title: "Type your own formula." }));
    const speed = $("speed");
    for (const v of SPEEDS) speed.append(el("option", { value: String(v), text: v === 0 ? "max" : `${v} /s` }));
    const presets = $("presets");
    const hasAll = (p) => (p.state.surface === "custom" || this.surfaces.has(p.state.surface))
      && p.state.runs.every((r) => this.optimizers.has(r.optimizer));
    for (const p of PRESETS.filter(hasAll)) {
      presets.append(el("button", {
        type: "button", text: p.label, tip: `${p.title}: ${p.tip}`, dataset: { preset: p.id },
        on: { click: () => this.applyPreset(p) },
      }));
    }
  }

  bindControls() {
    $("surface").addEventListener("change", (e) => this.chooseSurface(e.target.value));
    $("custom-form").addEventListener("submit", (e) => {
      e.preventDefault();
      this.tryCustom($("expr").value);
    });
    $("expr").addEventListener("input", () => this.showExprError(null));
    for (const b of document.querySelectorAll("[data-view]")) {
      b.addEventListener("click", () => this.store.set({ view: b.dataset.view }));
    }
    $("play").addEventListener("click", () => this.togglePlay());
    $("step").addEventListener("click", () => this.stepOnce());
    $("reset").addEventListener("click", () => this.reset());
    $("speed").addEventListener("change", (e) => this.store.set({ speed: Number(e.target.value) }));
    $("steps").addEventListener("change", (e) => {
      const v = Math.round(Number(e.target.value));
      if (Number.isFinite(v) && v >= 1 && v <= this.limits.max_steps) this.store.set({ steps: v });
      else e.target.value = String(this.store.state.steps);
    });
    for (const a of ARROWS) {
      $(`show-${a}`).addEventListener("change", () => {
        const show = ARROWS.filter((k) => $(`show-${k}`).checked);
        this.store.set({ show });
      });
    }
    $("ghost").addEventListener("click", () => this.keepGhost());
    $("clear-ghosts").addEventListener("click", () => this.clearGhosts());
    $("copy-link").addEventListener("click", () => this.copyLink());
    $("export-png").addEventListener("click", () => this.exportPNG());
    $("export-csv").addEventListener("click", () => this.exportCSV());
    $("export-json").addEventListener("click", () => this.exportJSON());
    $("present").addEventListener("click", () => this.store.set({ present: !this.store.state.present }));
    $("add-run").addEventListener("click", () => this.addRun());
    bindKeys({
      " ": () => this.togglePlay(),
      ArrowRight: () => this.stepOnce(),
      r: () => this.reset(),
      ArrowUp: () => this.scaleLr(LR_FACTOR),
      ArrowDown: () => this.scaleLr(1 / LR_FACTOR),
      p: () => this.store.set({ present: !this.store.state.present }),
      Escape: () => this.store.set({ present: false }),
    });
  }

  bindSocket() {
    const s = this.socket;
    s.on("status", (st) => this.onSocketStatus(st));
    s.on("welcome", (m) => {
      this.limits = m.limits || this.limits;
      $("steps").max = String(this.limits.max_steps);
      this.play = "idle";
      if (this.grid) this.restart();
      else this.pendingStart = true;
    });
    s.on("started", () => {
      this.stats.starts += 1;
      this.play = "running";
      this.renderPlay();
    });
    s.on("frame", (m) => {
      const t0 = performance.now();
      this.stats.frames += 1;
      for (const r of m.runs) {
        const t = this.trajectories[r.id];
        if (!t) continue;
        t.absorb(r);
        this.stats.steps += r.steps ? r.steps.length : 0;
      }
      this.dirty = true;
      this.chartsDirty = true;
      this.stats.ms.absorb += performance.now() - t0;
    });
    s.on("state", (m) => {
      this.play = m.state;
      this.renderPlay();
    });
    s.on("diverged", (m) => {
      const t = this.trajectories[m.run];
      if (!t) return;
      t.status = "diverged";
      t.divergedAt = m.step;
      t.reason = m.reason;
      this.dirty = true;
    });
    s.on("done", (m) => {
      for (const r of m.runs) {
        const t = this.trajectories[r.id];
        if (!t) continue;
        t.status = r.status;
        if (r.diverged_at !== null && r.diverged_at !== undefined) t.divergedAt = r.diverged_at;
      }
      this.play = "done";
      this.stats.doneAt = performance.now();
      this.stats.drawsAtDone = this.stats.draws;
      this.renderPlay();
      this.dirty = true;
      this.chartsDirty = true;
      this.last.charts = 0; // the final charts now, not after the throttle
    });
    s.on("reset", (m) => {
      for (const r of m.runs) {
        const t = this.trajectories[r.id];
        if (!t) continue;
        t.clear();
        t.absorb(r);
      }
      this.dirty = true;
      this.chartsDirty = true;
    });
    s.on("error", (m) => this.onServerError(m));
    s.on("close", () => {
      this.play = "idle";
      this.renderPlay();
    });
  }

  // ---- state -> effects ------------------------------------------------------------------------
  onState(changed, prev, next) {
    const has = (k) => changed.has(k);
    if (has("surface") || has("expr") || has("condition") || has("angle")) {
      this.loadSurface();
    } else if (has("start") || has("steps")) {
      this.restart();
      this.renderSurfaceInfo();
    } else if (has("runs")) {
      const diff = runsChange(prev.runs, next.runs);
      if (diff && diff.kind === "restart") this.restart();
      else if (diff) for (const { run, values } of diff.sets) this.queueSet(run, values);
      if (next.runs.some((r, i) => prev.runs[i] && prev.runs[i].color !== r.color)) this.plot.invalidate();
    }
    if (has("speed")) this.socket.send({ type: "speed", speed: next.speed });
    if (has("view")) this.plot.setView(next.view);
    if (has("present")) {
      setPresenting(next.present, $("present"));
      this.plot.setFontSize(next.present ? 16 : 12);
    }
    if (has("runs") || has("sel")) this.runsPanel.render(next, this.trajectories);
    this.renderControls();
    this.dirty = true;
    this.chartsDirty = true;
    this.last.inside = 0;
  }

  /** `set` for a run's live-changeable values, at most one message per run every 50 ms. */
  queueSet(run, values) {
    const spec = this.optimizers.get(this.store.state.runs[run].optimizer).hyperparameters;
    const filled = {};
    for (const [k, v] of Object.entries(values)) filled[k] = v === null ? spec[k].default : v;
    const pending = this.setTimers.get(run);
    if (pending) {
      Object.assign(pending.values, filled);
      return;
    }
    const entry = { values: filled };
    this.setTimers.set(run, entry);
    setTimeout(() => {
      this.setTimers.delete(run);
      if (this.trajectories[run]) this.socket.send({ type: "set", run, ...entry.values });
    }, 50);
  }

  /** A link opened in this tab (the hash changed): its view, from the start, playing. */
  loadHash() {
    const hashState = this.store.parse(location.hash);
    const defaults = Object.fromEntries(Object.entries(SCHEMA).map(([k, p]) => [k, p.default]));
    this.wantPlaying = true;
    this.customOpen = false;
    this.ghosts = [];
    const before = this.store.state.runs;
    const changed = this.store.set(sanitize({ ...defaults, ...hashState }, this.registries, this.limits));
    // onState restarts (or reloads the surface) for these changes; otherwise start over here
    const restarted = ["surface", "expr", "condition", "angle", "start", "steps"].some((k) => changed.has(k))
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
    this.showPlotStatus("Drawing the surface…");
    try {
      let grid = this.gridCache.get(url);
      if (!grid && state.surface === "custom") {
        const refusal = await this.checkFormula(state.expr); // e.g. a link with a broken formula
        if (refusal) throw new ApiError(422, { message: refusal.msg, detail: [{ field: "expr", msg: refusal.msg }] }, url);
      }
      if (!grid) {
        grid = await getJSON(url);
        this.gridCache.set(url, grid);
        if (this.gridCache.size > 8) this.gridCache.delete(this.gridCache.keys().next().value);
      }
      if (this.gridKey !== url) return; // a newer surface was asked for meanwhile
      this.grid = grid;
      this.surfaceError = null;
      this.showExprError(null);
      this.plot.setSurface(grid);
      this.stats.surfaceAt = this.stats.surfaceAt ?? performance.now();
      setTip($("contour"), `${grid.surface.name}: ${grid.surface.description} ${this.plot.describeColors()} Click anywhere to start the runs there.`);
      this.showPlotStatus(null);
      this.renderSurfaceInfo();
      this.ghosts = this.ghosts.filter((g) => g.surfaceKey === url);
      this.restart();
    } catch (err) {
      if (this.gridKey !== url) return;
      this.grid = null;
      this.surfaceError = err;
      if (state.surface === "custom" && err instanceof ApiError) {
        this.showExprError(err, state.expr);
        this.showPlotStatus("Fix the formula above to draw it.");
      } else {
        this.showPlotStatus(`Could not load the surface: ${err.message}`);
      }
    }
  }

  /** New runs on the server from the current state (start, then pause if the user paused). */
  restart() {
    const state = this.store.state;
    this.trajectories = state.runs.map(() => new Trajectory());
    this.setTimers.clear();
    this.dirty = true;
    this.chartsDirty = true;
    this.plot.invalidate();
    this.runsPanel.render(state, this.trajectories);
    if (!this.grid) return;
    if (!state.runs.length) {
      this.socket.send({ type: "stop" });
      this.play = "idle";
      this.renderPlay();
      return;
    }
    const message = {
      type: "start",
      surface: surfaceSpec(state),
      steps: state.steps,
      speed: state.speed,
      runs: state.runs.map(runSpec),
    };
    if (state.start) message.start = state.start;
    if (!this.socket.send(message)) {
      this.pendingStart = true;
      return;
    }
    this.pendingStart = false;
    if (!this.wantPlaying) {
      this.socket.send({ type: "pause" });
      this.socket.send({ type: "reset" });
    }
  }

  // ---- handlers: each changes the state (or asks the server), nothing else ------------------
  chooseSurface(id) {
    this.customOpen = id === "custom";
    if (id === "custom") {
      const expr = this.store.state.expr || $("expr").value || CUSTOM_EXAMPLE;
      $("custom-form").hidden = false;
      $("expr").value = expr;
      this.tryCustom(expr);
      return;
    }
    this.store.set({ surface: id, expr: "", start: null, condition: null, angle: null });
  }

  /** Draw a custom f(x, y) only if the server accepts it; otherwise show why, at the spot. */
  async tryCustom(expr) {
    const url = gridURL({ ...this.store.state, surface: "custom", expr }, GRID_N);
    const refusal = this.gridCache.has(url) ? null : await this.checkFormula(expr);
    if (refusal) {
      this.showExprError(refusal, expr);
      this.renderControls();
      return;
    }
    this.showExprError(null);
    this.store.set({ surface: "custom", expr, start: null, condition: null, angle: null });
  }

  /**
   * Why the server refuses a formula ({msg}), or null when it accepts it. Asked over a probe
   * websocket (socket.js probeStart); without one, the grid request's 422 says it.
   */
  async checkFormula(expr) {
    const run = { optimizer: this.registries.optimizers[0].id };
    try {
      const error = await probeStart({ type: "start", surface: { expr }, steps: 1, speed: 0, runs: [run] });
      if (!error) return null;
      return { msg: String(error.message).replace(/^([\w.]+: )+/, ""), field: error.field };
    } catch {
      try {
        await getJSON(gridURL({ ...this.store.state, surface: "custom", expr }, 2));
        return null;
      } catch (err) {
        return err instanceof ApiError ? err : { msg: err.message };
      }
    }
  }

  pickStart(x, y) {
    this.store.set({ start: [roundSig(x, 4), roundSig(y, 4)] });
  }

  updateRun(i, patch) {
    const runs = this.store.state.runs.map((r, k) => (k === i ? { ...r, ...patch } : r));
    if (patch.schedule === null) delete runs[i].schedule;
    this.store.set({ runs, sel: i });
  }

  addRun() {
    const runs = this.store.state.runs;
    if (runs.length >= this.limits.max_runs) {
      showMessage(`At most ${this.limits.max_runs} runs at once.`, { kind: "warn", key: "runs", timeout: 4000 });
      return;
    }
    const used = new Set(runs.map((r) => r.color));
    const color = PALETTE.find((c) => !used.has(c)) || PALETTE[runs.length % PALETTE.length];
    const base = runs[this.store.state.sel] || { optimizer: this.registries.optimizers[0].id };
    const opt = this.optimizers.get(base.optimizer);
    const run = { optimizer: base.optimizer, lr: base.lr ?? opt.hyperparameters.lr.default, hp: { ...(base.hp || {}) }, color };
    this.store.set({ runs: [...runs, run], sel: runs.length });
  }

  removeRun(i) {
    const runs = this.store.state.runs.filter((_, k) => k !== i);
    this.store.set({ runs, sel: Math.min(this.store.state.sel, Math.max(0, runs.length - 1)) });
  }

  setEdge(i) {
    const t = this.trajectories[i];
    if (!t || !(t.lambda0 > 0)) return;
    const spec = this.optimizers.get(this.store.state.runs[i].optimizer).hyperparameters.lr;
    this.updateRun(i, { lr: Math.min(spec.max, Math.max(spec.min, roundSig(2 / t.lambda0, 4))) });
  }

  scaleLr(factor) {
    const state = this.store.state;
    const run = state.runs[state.sel];
    if (!run) return;
    const spec = this.optimizers.get(run.optimizer).hyperparameters.lr;
    this.updateRun(state.sel, { lr: Math.min(spec.max, Math.max(spec.min, roundSig(run.lr * factor, 4))) });
  }

  applyPreset(preset) {
    const defaults = Object.fromEntries(Object.entries(SCHEMA).map(([k, p]) => [k, p.default]));
    const keep = { view: this.store.state.view, show: this.store.state.show, present: this.store.state.present };
    this.ghosts = [];
    this.wantPlaying = true;
    this.customOpen = false;
    const patch = sanitize({ ...defaults, ...keep, ...preset.state, sel: 0 }, this.registries, this.limits);
    if (patch.surface === this.store.state.surface && patch.expr === this.store.state.expr
      && patch.condition === this.store.state.condition && patch.angle === this.store.state.angle) {
      const changed = this.store.set(patch);
      if (!changed.has("start") && !changed.has("steps") && !changed.has("runs")) this.restart(); // same lesson again: replay it
    } else {
      this.store.set(patch);
    }
  }

  togglePlay() {
    if (this.play === "running") {
      this.wantPlaying = false;
      this.socket.send({ type: "pause" });
    } else if (this.play === "paused") {
      this.wantPlaying = true;
      this.socket.send({ type: "resume" });
    } else if (this.play === "done") {
      this.wantPlaying = true;
      this.socket.send({ type: "reset" });
      this.socket.send({ type: "resume" });
    } else {
      this.wantPlaying = true;
      this.restart();
    }
  }

  stepOnce() {
    this.wantPlaying = false;
    if (this.play === "idle") {
      this.restart();
      return;
    }
    if (this.play === "done") this.socket.send({ type: "reset" });
    this.socket.send({ type: "step", n: 1 });
  }

  reset() {
    this.wantPlaying = false;
    if (this.play === "idle") this.restart();
    else this.socket.send({ type: "reset" });
  }

  keepGhost() {
    for (const [i, t] of this.trajectories.entries()) {
      if (t.n < 2) continue;
      this.ghosts.push({ ...t.snapshot(), color: this.store.state.runs[i].color, surfaceKey: this.gridKey });
    }
    this.ghosts = this.ghosts.slice(-16);
    this.plot.invalidate();
    this.chartsDirty = true;
  }

  clearGhosts() {
    this.ghosts = [];
    this.plot.invalidate();
    this.chartsDirty = true;
  }

  async copyLink() {
    this.store.flush();
    const result = await copyText(this.store.link(), $("link-field"));
    const said = {
      copied: "Link copied: it reopens this exact view.",
      "selected-copied": "Link copied (and selected below).",
      selected: "Copy the selected link with Ctrl+C.",
      failed: "Could not copy the link; copy it from the address bar.",
    }[result];
    showMessage(said, { kind: result === "failed" ? "warn" : "info", key: "link", timeout: 4000 });
  }

  // ---- server events ---------------------------------------------------------------------------
  onSocketStatus(st) {
    if (st.state === "open") {
      clearMessage("connection");
      return;
    }
    if (st.state === "reconnecting") {
      showMessage(`Connection to the server lost: reconnecting… (attempt ${st.attempt})`, { kind: "warn", key: "connection", dismissible: false });
    } else if (st.state === "busy") {
      showMessage(`Too many people are connected to this server right now${this.busyReason ? ` (${this.busyReason})` : ""}. This page tries again by itself every few seconds.`, { kind: "error", key: "connection", dismissible: false });
    }
  }

  onServerError(m) {
    if (m.code === "too_many_sessions") {
      this.busyReason = m.message; // shown when the socket reports "busy", right after this
      return;
    }
    if (m.code === "finished") return; // a step/resume raced with `done`: the page re-syncs on `done`
    const field = m.field ? ` (${m.field})` : "";
    showMessage(`The server refused that: ${m.message}${field}`, { kind: "error", key: `error-${m.code}` });
  }

  // ---- rendering -------------------------------------------------------------------------------
  showPlotStatus(text) {
    const box = $("plot-status");
    box.hidden = !text;
    box.textContent = text || "";
  }

  /** Show a 422 from the custom-surface grid inline, under the box, with the position marked. */
  showExprError(err, expr = "") {
    const box = $("expr-error");
    const input = $("expr");
    if (!err) {
      box.hidden = true;
      input.classList.remove("invalid");
      input.removeAttribute("aria-invalid");
      return;
    }
    const msg = (err.msg || err.message || "invalid formula").replace(/^expr: /, "");
    const m = /position (\d+)/.exec(msg);
    const echo = box.querySelector(".expr-echo");
    echo.replaceChildren();
    if (m) {
      const pos = Math.min(Number(m[1]), expr.length);
      const bad = expr.slice(pos).match(/^[A-Za-z_][A-Za-z0-9_]*|^./);
      const len = bad ? bad[0].length : 1;
      const mark = el("mark", { text: expr.slice(pos, pos + len) || " " });
      echo.append(expr.slice(0, pos), mark, expr.slice(pos + len), "\n", el("span", { class: "caret", text: `${" ".repeat(pos)}^` }));
      input.focus();
      input.setSelectionRange(pos, pos + len);
    } else {
      echo.textContent = expr;
    }
    box.querySelector(".expr-msg").textContent = msg;
    box.hidden = false;
    input.classList.add("invalid");
    input.setAttribute("aria-invalid", "true");
  }

  /** The surface's name, formula and description, and where the runs start. */
  renderSurfaceInfo() {
    const box = $("surface-info");
    if (!this.grid) {
      box.replaceChildren();
      return;
    }
    const d = this.grid.surface;
    const start = this.store.state.start || d.default_start;
    box.replaceChildren(
      el("h3", { text: d.name }),
      el("div", { class: "equation" }, [renderTex(d.formula_latex)]),
      el("p", { text: d.description }),
      el("p", { class: "start-info", text: `Start (${fmt(start[0], 3)}, ${fmt(start[1], 3)}): click the map to move it.` }),
    );
  }

  renderControls() {
    const s = this.store.state;
    const surface = $("surface");
    if (surface.value !== s.surface) surface.value = s.surface;
    const custom = s.surface === "custom" || this.customOpen;
    if (custom && surface.value !== "custom") surface.value = "custom";
    $("custom-form").hidden = !custom;
    if (custom && document.activeElement !== $("expr") && s.expr && $("expr-error").hidden) $("expr").value = s.expr;
    this.renderSurfaceParams();
    for (const b of document.querySelectorAll("[data-view]")) b.setAttribute("aria-pressed", String(b.dataset.view === s.view));
    const speed = $("speed");
    if (![...speed.options].some((o) => Number(o.value) === s.speed)) {
      speed.append(el("option", { value: String(s.speed), text: `${s.speed} /s` }));
    }
    speed.value = String(s.speed);
    if (document.activeElement !== $("steps")) $("steps").value = String(s.steps);
    for (const a of ARROWS) $(`show-${a}`).checked = s.show.includes(a);
    $("add-run").disabled = s.runs.length >= this.limits.max_runs;
    this.renderPlay();
  }

  renderSurfaceParams() {
    const s = this.store.state;
    const box = $("surface-params");
    const desc = s.surface === "custom" ? null : this.surfaces.get(s.surface);
    const params = desc ? Object.keys(desc.params || {}).filter((k) => SURFACE_PARAMS[k]) : [];
    const signature = `${s.surface}|${params.join(",")}`;
    if (box.dataset.signature !== signature) {
      box.dataset.signature = signature;
      box.replaceChildren();
      for (const name of params) {
        const p = SURFACE_PARAMS[name];
        const toSlider = (v) => (p.log ? Math.log10(v) : v);
        const fromSlider = (v) => (p.log ? roundSig(10 ** v, 3) : Math.round(v));
        const range = el("input", {
          type: "range", min: toSlider(p.min), max: toSlider(p.max), step: p.log ? 0.01 : 1,
          tip: p.tip, "aria-label": p.label, dataset: { param: p.key },
        });
        const out = el("output");
        let timer = null;
        range.addEventListener("input", () => {
          const v = fromSlider(Number(range.value));
          out.textContent = fmt(v, 3);
          clearTimeout(timer);
          timer = setTimeout(() => this.store.set({ [p.key]: v, start: null }), 250);
        });
        box.append(el("label", { class: "field", tip: p.tip }, [el("span", { class: "field-label", text: p.label }), range, out]));
      }
    }
    for (const range of box.querySelectorAll("input[data-param]")) {
      const key = range.dataset.param;
      const name = Object.keys(SURFACE_PARAMS).find((k) => SURFACE_PARAMS[k].key === key);
      const p = SURFACE_PARAMS[name];
      const value = s[key] ?? desc.params[name];
      if (document.activeElement !== range) range.value = String(p.log ? Math.log10(value) : value);
      range.nextElementSibling.textContent = fmt(value, 3);
    }
  }

  renderPlay() {
    const button = $("play");
    const running = this.play === "running";
    button.textContent = running ? "Pause" : this.play === "done" ? "Replay" : "Play";
    button.setAttribute("aria-pressed", String(running));
  }

  renderBadges() {
    const box = $("badges");
    const state = this.store.state;
    const items = [];
    for (const [i, t] of this.trajectories.entries()) {
      if (t.status !== "diverged" || !state.runs[i]) continue;
      const run = state.runs[i];
      const name = this.optimizers.get(run.optimizer).name;
      const badge = el("div", { class: "badge diverged" }, [
        el("span", { text: "● " }),
        `${name}, lr ${fmt(t.lrInEffect ?? run.lr, 3)}: diverged at step ${t.divergedAt ?? t.n - 1}${t.reason ? `: ${t.reason}` : ""}`,
      ]);
      badge.firstChild.style.color = run.color;
      items.push(badge);
    }
    const key = items.map((b) => b.textContent).join("|");
    if (box.dataset.key !== key) {
      box.dataset.key = key;
      box.replaceChildren(...items);
    }
  }

  renderCounter() {
    const n = Math.max(0, ...this.trajectories.map((t) => t.n - 1));
    const text = `step ${n} / ${this.store.state.steps}`;
    const counter = $("counter");
    if (counter.textContent !== text) counter.textContent = text;
  }

  renderCharts() {
    const state = this.store.state;
    const fstar = this.grid && Number.isFinite(this.grid.surface.min_value) ? this.grid.surface.min_value : null;
    const loss = [];
    const gnorm = [];
    let positive = true; // without a known f*, a log axis needs f > 0 everywhere
    for (const [i, t] of this.trajectories.entries()) {
      const run = state.runs[i];
      if (!run || t.n === 0) continue;
      const name = `${i + 1}. ${this.optimizers.get(run.optimizer).name} (lr ${fmt(run.lr, 3)})`;
      const xs = new Float64Array(t.n);
      const ys = new Float64Array(t.n);
      const gs = new Float64Array(t.n);
      for (let k = 0; k < t.n; k++) {
        xs[k] = t.step[k];
        // f - f* is 0 at the minimum itself: left out (a gap) on the log axis
        ys[k] = fstar === null ? t.loss[k] : t.loss[k] - fstar;
        if (fstar === null && ys[k] <= 0) positive = false;
        gs[k] = Math.hypot(t.gx[k], t.gy[k]);
      }
      loss.push({ name, color: run.color, ...minMaxDecimate(xs, ys, t.n) });
      gnorm.push({ name, color: run.color, ...minMaxDecimate(xs, gs, t.n) });
    }
    for (const g of this.ghosts.filter((h) => h.surfaceKey === this.gridKey)) {
      const xs = Float64Array.from({ length: g.n }, (_, k) => k);
      const ys = fstar === null ? g.loss : g.loss.map((f) => f - fstar);
      loss.unshift({ name: "ghost", color: g.color, dash: "dot", opacity: 0.55, ...minMaxDecimate(xs, ys, g.n) });
    }
    this.lossChart.title = fstar === null ? "Loss f per step" : "Loss per step: f − f*";
    this.lossChart.ytitle = fstar === null ? "f" : "f − f*";
    this.lossChart.update(loss, { log: positive });
    this.gnormChart.update(gnorm, { log: true });
  }

  /** What the plot draws this frame. */
  scene() {
    const state = this.store.state;
    const desc = this.grid ? this.grid.surface : null;
    return {
      runs: this.trajectories.map((traj, i) => ({
        traj, color: state.runs[i] ? state.runs[i].color : "#888", selected: i === state.sel,
        label: state.runs[i] ? `${i + 1}. ${this.optimizers.get(state.runs[i].optimizer).name}` : "",
      })).filter((r, i) => state.runs[i]),
      ghosts: this.ghosts.filter((g) => g.surfaceKey === this.gridKey),
      start: state.start || (desc ? desc.default_start : null),
      arrows: { grad: state.show.includes("grad"), update: state.show.includes("update"), state: state.show.includes("state") },
      bold: state.present,
    };
  }

  /** The animation loop: at most one redraw per display frame, only when something changed. */
  tick() {
    requestAnimationFrame(() => this.tick());
    const now = performance.now();
    const ms = this.stats.ms;
    const timed = (key, fn) => {
      const t0 = performance.now();
      fn();
      ms[key] += performance.now() - t0;
    };
    if (this.dirty || this.plot.needsDraw) {
      this.dirty = false;
      timed("draw", () => {
        this.stats.pointsDrawn += this.plot.frame(this.scene(), now);
        this.renderCounter();
        this.renderBadges();
      });
      this.stats.draws += 1;
      if (this.stats.firstHeadAt === null && this.trajectories.some((t) => t.n >= 1)) this.stats.firstHeadAt = now;
      if (this.stats.firstPathAt === null && this.trajectories.some((t) => t.n >= 2)) {
        this.stats.firstPathAt = now;
        // let this frame reach the screen before Plotly's parse blocks the page for a moment
        setTimeout(() => this.loadPlotly(), 50);
      }
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
    if (this.chartsDirty && now - this.last.charts > 150 && !this.store.state.present) {
      this.chartsDirty = false;
      this.last.charts = now;
      timed("charts", () => this.renderCharts());
    }
  }

  // ---- export ----------------------------------------------------------------------------------
  exportRows() {
    const rows = [];
    for (const [i, t] of this.trajectories.entries()) {
      const run = this.store.state.runs[i];
      if (!run) continue;
      for (const r of t.rows()) rows.push([i + 1, run.optimizer, ...r]);
    }
    return rows;
  }

  exportCSV() {
    const header = ["run", "optimizer", "step", "x", "y", "loss", "grad_x", "grad_y", "lr"];
    downloadText(toCSV(header, this.exportRows()), fileName("gradscape-trajectories", "csv"), "text/csv");
  }

  exportJSON() {
    const state = this.store.state;
    const doc = {
      link: this.store.link(),
      surface: this.grid ? this.grid.surface : null,
      state,
      runs: this.trajectories.map((t, i) => ({
        settings: state.runs[i], status: t.status, diverged_at: t.divergedAt, reason: t.reason,
        steps: t.rows().map(([step, x, y, loss, gx, gy, lr]) => ({ step, x, y, loss, grad: [gx, gy], lr })),
      })),
    };
    downloadText(JSON.stringify(doc, null, 1), fileName("gradscape-trajectories", "json"), "application/json");
  }

  async exportPNG() {
    try {
      await loadPlotly();
      if (this.store.state.view === "3d") {
        await window.Plotly.downloadImage($("surface3d"), { format: "png", filename: fileName("gradscape-descent-3d", "png").replace(/\.png$/, ""), scale: 2 });
      } else {
        await downloadPlotPNG($("contour"), this.plot.canvases, fileName("gradscape-descent", "png"));
      }
    } catch (err) {
      showMessage(`Could not export the image: ${err.message}`, { key: "export" });
    }
  }
}

async function main() {
  initTooltips();
  const store = createDescentStore();
  const fromURL = store.parse(location.hash);
  const socket = new LiveSocket();
  socket.connect(); // in parallel with loading the registries
  let registries;
  try {
    registries = await loadRegistries();
  } catch (err) {
    showMessage(`Could not reach the Gradscape server (${err.message}). Is it running? Reload the page to try again.`, { dismissible: false });
    return;
  }
  store.set(sanitize({ ...store.state, ...fromURL }, registries));
  const page = new DescentPage(store, socket, registries);
  page.init();
  // A read-only window for tests, benchmarks and the curious (the console).
  window.gradscape = Object.freeze({
    get state() {
      return JSON.parse(JSON.stringify(store.state));
    },
    get play() {
      return page.play;
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
    path: (i) => {
      const t = page.trajectories[i];
      return t ? t.rows() : null;
    },
    link: () => store.link(),
    ghosts: () => page.ghosts.length,
    /** Where a data point is on screen (client pixels), for tests that click the map. */
    pixelOf: (x, y) => {
      const m = page.plot.mapping;
      const r = $("plot-wrap").getBoundingClientRect();
      return m ? [r.left + m.px(x), r.top + m.py(y)] : null;
    },
    /** Pixels of each run's colour on the paths canvas (proof that its path was really drawn). */
    inked: () => {
      const c = page.plot.overlay.paths;
      const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      return store.state.runs.map((run) => {
        const [r, g, b] = [1, 3, 5].map((k) => parseInt(run.color.slice(k, k + 2), 16));
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
