// @ts-check
// The descent view's side of the /ws protocol (docs/protocol.md): server messages land in the
// page's Trajectory objects and play state; live changes (`set`) are sent coalesced; errors and
// the connection's state are shown near the controls.
// A part of DescentPage (descent/page.js): `this.page` is the controller.

import { clearMessage, showMessage } from "../shared/messages.js";
import { runSpec } from "./state.js";
import { Trajectory } from "./trajectory.js";

/**
 * One run's part of a `frame` or `reset` (docs/protocol.md): its new steps and run-level values.
 * @typedef {Parameters<import("./trajectory.js").Trajectory["absorb"]>[0] & { id: number }} RunEntry
 */
/** @typedef {{ runs: RunEntry[] }} FrameMessage a `frame` or a `reset` */
/** @typedef {{ run: number, step: number, reason: string }} DivergedMessage */
/** @typedef {{ runs: { id: number, status: string, diverged_at?: number | null }[] }} DoneMessage */
/** @typedef {{ code: string, message: string, field?: string }} ErrorMessage */
/** @typedef {{ state: string, attempt: number }} SocketStatus the connection's (shared/socket.js) */
/** @typedef {Record<string, number | string | null>} SetValues a run's live-changeable values (null: the optimizer's own choice) */

export class ServerLink {
  /** @param {import("./page.js").DescentPage} page the controller whose state this part reads */
  constructor(page) {
    this.page = page;
    /** @type {Map<number, { values: SetValues }>} per run, the `set` waiting to be sent */
    this.setTimers = new Map();
    /** @type {string | null} the server's word on why it is full */
    this.busyReason = null;
    this.serverRuns = 0; // runs the server has, or will have once it answers an add or a remove
  }

  bindSocket() {
    const s = this.page.socket;
    s.on("status", (st) => this.onSocketStatus(st));
    s.on("welcome", (m) => {
      this.page.limits = m.limits || this.page.limits;
      /** @type {HTMLInputElement} */ (document.getElementById("steps")).max = String(this.page.limits.max_steps);
      if (s.startSent) return; // the page was ready first: its runs are starting
      this.page.playback.setState("idle");
      if (this.page.grid) this.page.restart();
      else this.page.pendingStart = true;
    });
    s.on("started", (m) => {
      this.serverRuns = m.runs.length;
      this.page.stats.starts += 1;
      this.page.playback.started();
    });
    s.on("frame", (m) => this.page.playback.hold(() => this.onFrame(m)));
    s.on("state", (m) => {
      this.page.playback.setState(m.state);
    });
    s.on("added", (m) => this.page.playback.hold(() => this.onRunsEdited(m.run.id, m.path)));
    s.on("removed", (m) => this.page.playback.hold(() => this.onRunsEdited(m.run, null)));
    s.on("diverged", (m) => this.page.playback.hold(() => this.onDiverged(m)));
    s.on("done", (m) => this.page.playback.hold(() => this.onDone(m)));
    s.on("reset", (m) => {
      this.page.playback.drop();
      for (const r of m.runs) {
        const t = this.page.trajectories[r.id];
        if (!t) continue;
        t.clear();
        t.absorb(r);
      }
      this.page.dirty = true;
      this.page.chartsDirty = true;
    });
    s.on("error", (m) => this.onServerError(m));
    s.on("close", () => {
      this.page.playback.drop();
      this.page.playback.setState("idle");
    });
  }

  /** @param {FrameMessage} m */
  onFrame(m) {
    const t0 = performance.now();
    this.page.stats.frames += 1;
    for (const r of m.runs) {
      const t = this.page.trajectories[r.id];
      if (!t) continue;
      t.absorb(r);
      this.page.stats.steps += r.steps && r.steps.step ? r.steps.step.length : 0;
    }
    this.page.dirty = true;
    this.page.chartsDirty = true;
    this.page.stats.ms.absorb += performance.now() - t0;
  }

  /**
   * One run added or removed while the runs go on: the others keep their steps (`add_run`,
   * `remove_run`). False: new runs are needed instead.
   * @param {{ kind: "add" | "remove", run: number }} diff what runsChange (state.js) found
   * @param {number} before how many runs there were
   * @param {import("./state.js").Run[]} runs the runs now
   */
  editRuns(diff, before, runs) {
    if (!this.page.runEdit || this.page.playback.play === "idle" || this.serverRuns !== before) return false;
    this.page.playback.release(); // what came before the edit first: its reply follows it
    const message = diff.kind === "add" ? { type: "add_run", run: runSpec(runs[diff.run]) } : { type: "remove_run", run: diff.run };
    if (!this.page.socket.send(message)) return false;
    this.serverRuns = runs.length;
    return true;
  }

  /**
   * `added` (its path so far, from step 0) or `removed` (path null).
   * @param {number} id @param {RunEntry | null} path
   */
  onRunsEdited(id, path) {
    if (path) {
      const t = new Trajectory();
      t.absorb(path);
      this.page.trajectories[id] = t;
    } else this.page.trajectories.splice(id, 1);
    this.page.plot.invalidate();
    this.page.runsPanel.render(this.page.store.state, this.page.trajectories);
    this.page.dirty = true;
    this.page.chartsDirty = true;
  }

  /** @param {DivergedMessage} m */
  onDiverged(m) {
    const t = this.page.trajectories[m.run];
    if (!t) return;
    t.status = "diverged";
    t.divergedAt = m.step;
    t.reason = m.reason;
    this.page.dirty = true;
  }

  /** @param {DoneMessage} m */
  onDone(m) {
    for (const r of m.runs) {
      const t = this.page.trajectories[r.id];
      if (!t) continue;
      t.status = r.status;
      if (r.diverged_at !== null && r.diverged_at !== undefined) t.divergedAt = r.diverged_at;
    }
    this.page.stats.doneAt = performance.now();
    this.page.stats.drawsAtDone = this.page.stats.draws;
    this.page.playback.setState("done");
    this.page.dirty = true;
    this.page.chartsDirty = true;
    this.page.last.charts = 0; // the final charts now, not after the throttle
  }

  /**
   * `set` for a run's live-changeable values, at most one message per run every 50 ms. A value
   * back to "unset" (null) is sent as the API's default.
   * @param {number} run @param {Record<string, number | string | null>} values
   */
  queueSet(run, values) {
    const spec = this.page.optimizer(this.page.store.state.runs[run].optimizer).hyperparameters;
    /** @type {SetValues} */
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
      // a restart in the meantime cleared the timers: the new runs start with these values
      if (this.setTimers.get(run) !== entry) return;
      this.setTimers.delete(run);
      this.page.socket.send({ type: "set", run, ...entry.values });
    }, 50);
  }

  /** @param {SocketStatus} st */
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

  /** @param {ErrorMessage} m */
  onServerError(m) {
    if (m.code === "too_many_sessions") {
      this.busyReason = m.message; // shown when the socket reports "busy", right after this
      return;
    }
    if (m.code === "finished") return; // a step/resume raced with `done`: the page re-syncs on `done`
    const field = m.field ? ` (${m.field})` : "";
    showMessage(`The server refused that: ${m.message}${field}`, { kind: "error", key: `error-${m.code}` });
  }
}
