// @ts-check
// What the server says over /ws (docs/protocol.md, "Network runs") and what the page does about
// it: new runs, frames, resets (new weights: a new plane), divergence, the end of training, and
// errors, shown near the controls with the offending field marked.

import { clearMessage, showMessage } from "../shared/messages.js";
import { runOf } from "./run.js";
import { weightRefs } from "./state.js";

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @typedef {import("./state.js").WeightTriple} WeightTriple */
/** @typedef {import("./state.js").NetRunSpec} NetRunSpec */
/** @typedef {import("./run.js").NetRun} NetRun */
/** @typedef {Parameters<NetRun["absorb"]>[0] & { id: number }} RunEntry a frame's (or reset's, or added's path) run */
/** @typedef {ConstructorParameters<typeof import("./run.js").NetRun>[0] & { id: number, batch_size?: number | null }} RunInfo started.runs[i], added.run */
/** @typedef {{ mode: string, labels: string[], origin: number[], seed: number }} Plane started.config.plane */
/**
 * started.config for a network (docs/protocol.md, "Network runs"); the rest is read elsewhere.
 * @typedef {object} NetConfig
 * @property {Record<string, unknown>} dataset
 * @property {string} task "classification" or "regression"
 * @property {number[]} sizes
 * @property {number} n_params
 * @property {{ x: number[], y: number[] } | null} boundary the grid the boundary is evaluated on; null for one-hot inputs
 * @property {unknown} [neurons] the unit maps' settings (the generalisation lab)
 * @property {string} activation
 * @property {number} seed
 * @property {number} steps
 * @property {Plane} plane
 * @property {number} [test_fraction]
 * @property {number} [label_noise]
 * @property {Record<string, number>} [regularization]
 * @property {boolean} [custom_points]
 * @property {{ x: number[][], labels: number[], test?: boolean[] | null, flipped?: boolean[] | null }} data every point, test and flipped marked (the lab)
 */
/** @typedef {{ runs: RunInfo[], config: NetConfig }} StartedMessage */
/** @typedef {{ optimizer: string, lr: number, batch_size?: number, [hp: string]: unknown }} BodyRun */
/**
 * The landscape request (POST /api/mlp/landscape) for the runs on screen.
 * @typedef {object} LandscapeBody
 * @property {Record<string, unknown>} dataset
 * @property {{ hidden: number[], activation: string, [penalty: string]: unknown }} network
 * @property {number} seed
 * @property {BodyRun[]} runs
 * @property {number} [test_fraction]
 * @property {number} [label_noise]
 * @property {number[][]} [points]
 * @property {import("./state.js").WeightRef[] | null} [planeWeights] not enumerable: sent as `weights`
 */
/**
 * The parts of NetworkPage (page.js) that the server's messages change.
 * @typedef {object} ServerPage
 * @property {import("../shared/socket.js").LiveSocket} socket
 * @property {import("../shared/state.js").Store} store
 * @property {import("../shared/playback.js").Playback} playback
 * @property {{ frames: number, steps: number, boundaries: number, started: number }} stats
 * @property {NetRun[]} runs
 * @property {NetConfig | null} config
 * @property {Plane | null} plane
 * @property {LandscapeBody | null} body
 * @property {number} serverRuns
 * @property {boolean} liveEdited
 * @property {boolean} quietSeed
 * @property {unknown} pick
 * @property {unknown} reveal
 * @property {{ phase: string, clear(): void, fetchLive(body: LandscapeBody, plane: Plane, shape: any, steps: number): void }} slices
 * @property {{ setSurface(surface: null): void }} landscape
 * @property {{ added(): void, removed(id: number): void }} netFlow the gradient flow's distances per run
 * @property {{ removed(id: number): void }} stability the sharpness chart and the spectrum
 * @property {{ showError(text: string | null, source?: "page" | "server"): void, clearServerError(): void }} settings
 * @property {{ cards: { batch: HTMLElement, lr: { box: HTMLElement } }[] }} runsPanel
 * @property {() => void} restart
 * @property {() => void} render
 * @property {() => void} markDirty
 * @property {() => void} fetchFinal
 * @property {() => boolean} planeOutdated
 * @property {() => unknown} shape
 * @property {(fn: () => void) => void} afterPicture
 */

/**
 * The landscape request's data, network and runs for the runs `started` describes: what the
 * server trains, read back from it (so a start that was refused, or overtaken, cannot mix in).
 */
/** @param {StartedMessage} m @param {WeightTriple[] | null} wts @param {NetRunSpec[]} stateRuns */
function bodyFromStarted(m, wts, stateRuns) {
  const c = m.config;
  /** @type {LandscapeBody} */
  const body = {
    dataset: { ...c.dataset },
    network: { hidden: c.sizes.slice(1, -1), activation: c.activation },
    seed: c.seed,
    runs: m.runs.map((r, i) => bodyRun(r, stateRuns[i])),
  };
  // The generalisation lab's split, noise and penalties, and a run's own hyperparameters (AdamW's
  // weight decay): the final slice re-trains these runs, on the same training points.
  if (c.test_fraction) body.test_fraction = c.test_fraction;
  if (c.label_noise) body.label_noise = c.label_noise;
  for (const [k, v] of Object.entries(c.regularization || {})) if (v) body.network[k] = v;
  const data = c.data;
  if (c.custom_points && data) body.points = data.x.map((p, i) => [p[0], p[1], data.labels[i]]);
  return withPlaneWeights(body, wts);
}

/**
 * A run of the landscape request, as the server describes it (started.runs[i], added.run).
 * @param {RunInfo} r
 * @param {NetRunSpec | undefined} stateRun
 * @returns {BodyRun}
 */
function bodyRun(r, stateRun) {
  const run = r.batch_size ? { optimizer: r.optimizer, lr: r.lr, batch_size: r.batch_size } : { optimizer: r.optimizer, lr: r.lr };
  return Object.assign(run, stateRun?.hp); // its own hyperparameters (AdamW's weight decay)
}

/**
 * The body with the "weights" plane's weights beside it (not a field: sent as `weights`).
 * @template {object} B
 * @param {B} body
 * @param {WeightTriple[] | null} wts
 * @returns {B}
 */
export function withPlaneWeights(body, wts) {
  Object.defineProperty(body, "planeWeights", { value: weightRefs(wts), enumerable: false, configurable: true });
  return body;
}

/** @param {ServerPage} page */
export function bindServer(page) {
  const s = page.socket;
  s.on("status", onSocketStatus);
  s.on("welcome", () => {
    if (s.startSent) return; // the page was ready first: its runs are starting
    page.playback.setState("idle");
    page.restart();
  });
  s.on("started", (m) => onStarted(page, m));
  s.on("frame", (m) => page.playback.hold(() => onFrame(page, m)));
  s.on("state", (m) => {
    page.playback.setState(m.state);
  });
  s.on("updated", (m) => {
    // A change from step 1 on covers the whole run; a later one splits it (for the landscape).
    for (const [id, from] of Object.entries(m.from_step || {})) if (from > 1 && page.runs[Number(id)]) page.liveEdited = true;
  });
  s.on("added", (m) => page.playback.hold(() => onAdded(page, m)));
  s.on("removed", (m) => page.playback.hold(() => onRemoved(page, m)));
  s.on("diverged", (m) => page.playback.hold(() => onDiverged(page, m)));
  s.on("done", (m) => page.playback.hold(() => onDone(page, m)));
  s.on("reset", (m) => {
    page.playback.drop();
    onReset(page, m);
  });
  s.on("error", (m) => onServerError(page, m));
  s.on("close", () => {
    page.playback.drop();
    page.playback.setState("idle");
  });
}

/** @param {ServerPage} page @param {{ runs: RunEntry[] }} m */
function onFrame(page, m) {
  page.stats.frames += 1;
  for (const r of m.runs) {
    const run = page.runs[r.id];
    if (!run) continue;
    run.absorb(r);
    page.stats.steps += r.steps && r.steps.step ? r.steps.step.length : 0;
    if (r.boundary) page.stats.boundaries += 1;
  }
  page.markDirty();
}

/**
 * A run added while the others train: its whole path so far, then it steps with them.
 * @param {ServerPage} page
 * @param {{ run: RunInfo, path: RunEntry }} m
 */
function onAdded(page, m) {
  if (!page.config) return;
  const run = runOf(m.run, page.config);
  run.absorb(m.path);
  page.runs[m.run.id] = run;
  if (page.body) page.body.runs[m.run.id] = bodyRun(m.run, page.store.state.runs[m.run.id]);
  page.netFlow.added();
  if (page.slices.phase === "final") page.fetchFinal(); // a re-projected slice: with this run too
  page.render();
  page.markDirty();
}

/** @param {ServerPage} page @param {{ run: number }} m */
function onRemoved(page, m) {
  page.runs.splice(m.run, 1);
  if (page.body) page.body.runs.splice(m.run, 1);
  page.netFlow.removed(m.run);
  page.stability.removed(m.run);
  page.pick = null;
  if (page.slices.phase === "final") page.fetchFinal();
  page.render();
  page.markDirty();
}

/** @param {ServerPage} page @param {{ run: number, step: number, reason: string }} m */
function onDiverged(page, m) {
  const run = page.runs[m.run];
  if (!run) return;
  run.status = "diverged";
  run.divergedAt = m.step;
  run.reason = m.reason;
  page.markDirty();
}

/** @param {ServerPage} page @param {StartedMessage} m */
function onStarted(page, m) {
  page.playback.drop();
  page.stats.started += 1;
  clearMessage("error-invalid"); // whatever was refused before, these runs were not
  page.config = m.config;
  page.plane = m.config.plane;
  page.body = bodyFromStarted(m, page.store.state.wts, page.store.state.runs);
  page.runs = m.runs.map((info) => runOf(info, m.config));
  page.serverRuns = page.runs.length;
  page.playback.started();
  page.liveEdited = false;
  page.pick = null;
  page.reveal = null;
  clearFieldErrors(page);
  page.slices.clear();
  page.landscape.setSurface(null);
  // The landscape after the first picture: its grid costs the server more than the runs' first
  // frames, which would wait for it (the first runs of a page; later ones ask at once).
  const started = page.stats.started;
  page.afterPicture(() => {
    // (read then: a reset meanwhile may have brought a new plane; runs that finished before
    // the picture have their final slice on its way already, which a live one would replace)
    if (page.stats.started === started && page.slices.phase !== "final") page.slices.fetchLive(/** @type {LandscapeBody} */ (page.body), /** @type {Plane} */ (page.plane), page.shape(), m.config.steps);
  });
  page.render();
  page.markDirty();
}

/** @param {ServerPage} page @param {{ runs: RunEntry[], plane?: Plane | null }} m */
function onReset(page, m) {
  if (page.planeOutdated()) {
    page.restart(); // back at step 0 anyway: new runs on the plane chosen meanwhile
    return;
  }
  for (const r of m.runs) if (page.runs[r.id]) page.runs[r.id].absorb(r);
  page.liveEdited = false;
  page.pick = null;
  page.reveal = null;
  const planeChanged = m.plane && page.plane && m.plane.seed !== page.plane.seed;
  if (m.plane) page.plane = m.plane;
  if (planeChanged && m.plane) {
    page.quietSeed = true;
    page.store.set({ seed: m.plane.seed }); // the link reproduces the new weights
    page.quietSeed = false;
  }
  if (planeChanged || page.slices.phase === "final") {
    page.landscape.setSurface(null);
    // a reset follows a `started`: its body, plane and config are there
    page.slices.fetchLive(/** @type {LandscapeBody} */ (page.body), /** @type {Plane} */ (page.plane), page.shape(), /** @type {NetConfig} */ (page.config).steps);
  }
  page.markDirty();
}

/**
 * @param {ServerPage} page
 * @param {{ runs: { id: number, status: string, diverged_at?: number | null }[] }} m
 */
function onDone(page, m) {
  for (const r of m.runs) {
    const run = page.runs[r.id];
    if (!run) continue;
    run.status = r.status;
    if (r.diverged_at !== null && r.diverged_at !== undefined) run.divergedAt = r.diverged_at;
  }
  page.playback.setState(page.runs.length ? "done" : "idle"); // no runs: we stopped them (own points)
  if (m.runs.some((r) => r.status !== "stopped")) page.fetchFinal();
  page.markDirty();
}

/** @param {{ state: string, attempt: number }} st the connection's (shared/socket.js) */
function onSocketStatus(st) {
  if (st.state === "open") {
    clearMessage("connection");
  } else if (st.state === "reconnecting") {
    showMessage(`Connection to the server lost: reconnecting… (attempt ${st.attempt})`, { kind: "warn", key: "connection", dismissible: false });
  } else if (st.state === "busy") {
    showMessage("The server is already running as many live sessions as it allows. Trying again in a few seconds…", { kind: "warn", key: "connection", dismissible: false });
  }
}

/** @param {ServerPage} page @param {{ code: string, message: string, field?: string | null }} m */
function onServerError(page, m) {
  if (m.code === "too_many_sessions") {
    showMessage(`Too many people are connected to this server right now (${m.message}). This page retries by itself.`, { kind: "error", key: "connection", dismissible: false });
    return;
  }
  if (m.code === "finished") return; // a step raced with `done`: `done` re-syncs the page
  const input = fieldInput(page, m.field);
  if (input) input.classList.add("invalid");
  const where = m.field ? ` (${m.field})` : "";
  showMessage(`The server refused that: ${m.message}${where}`, { kind: "error", key: `error-${m.code}` });
  if (m.field && m.field.startsWith("points")) page.settings.showError(m.message, "server");
}

/**
 * The control a server error's `field` names (dataset.n -> the n box, runs.1.lr -> run 2's lr).
 * @param {ServerPage} page
 * @param {string | null | undefined} field
 * @returns {HTMLElement | null}
 */
function fieldInput(page, field) {
  if (!field) return null;
  /** @type {Record<string, string>} */
  const ids = { "dataset.n": "n", "dataset.noise": "noise", "dataset.n_classes": "classes", "dataset.seed": "dseed", steps: "steps", speed: "speed" };
  if (ids[field]) return $(ids[field]);
  if (field.startsWith("network.hidden")) return $("hidden");
  if (field.startsWith("network.activation")) return $("activation");
  const run = /^runs\.(\d+)\.(\w+)/.exec(field);
  const card = run ? page.runsPanel.cards[Number(run[1])] : field === "lr" ? page.runsPanel.cards[page.store.state.sel] : null;
  if (!card) return null;
  return run && run[2] === "batch_size" ? card.batch : card.lr.box;
}

/** @param {ServerPage} page */
function clearFieldErrors(page) {
  for (const node of document.querySelectorAll(".settings .invalid, .bar-top .invalid")) node.classList.remove("invalid");
  page.settings.clearServerError();
}
