// @ts-check
// The network page's first picture, painted before the page's ~50 other modules have loaded and
// run (they held it up by about half a second on a phone's CPU). This module script runs ahead of
// the others (templates/base.html) with a small import graph: it opens the socket, reads the two
// registries (preloaded with the page) and, on a bare /network (a first visit), sends the same
// `start` the page would send and paints the data and the runs' first boundaries with the page's
// own plot and scene (boundary.js, scenes.js) when they come. Then it loads the page (page.js,
// shared/entry.js), which takes over the socket, what arrived (`takeEarlyStart`) and the plot;
// when its own first `start` is the one sent here, it replays what came instead of sending.

import { loadEntryAfter } from "../shared/entry.js";
import { openLivePage } from "../shared/live-page.js";
import { isFirstVisit } from "../shared/start-hint.js";
import { loadNetworkRegistries } from "./api.js";
import { BoundaryPlot } from "./boundary.js";
import { labStart } from "./lab-state.js";
import { runOf } from "./run.js";
import { boundaryScene, optimizerNames } from "./scenes.js";
import { createNetworkStore, sanitize, startMessage } from "./state.js";

/** @typedef {import("../shared/socket.js").Message} Message */
/** @typedef {Awaited<ReturnType<typeof loadNetworkRegistries>>} Registries */
/**
 * @typedef {object} EarlyStart what the page takes over
 * @property {string | null} sent the `start` sent here, as sent (null: none)
 * @property {Message[]} messages what the server sent before the page took over, in order
 * @property {BoundaryPlot | null} plot the plot the first picture is painted on (null: none)
 */

/**
 * The `start` the page sends for its state: one rule, for this module and for the page
 * (NetworkPage.restart).
 * @param {import("../shared/state.js").State} state the page's state, sanitized
 * @param {Registries["options"]} options
 * @param {{ paused?: boolean }} playback the playback's start fields (a first visit: paused)
 */
export function pageStartMessage(state, options, playback) {
  return startMessage(state, { ...labStart(state, options), ...playback });
}

/** @type {Message[]} */
const received = [];
/** @type {string | null} */
let sent = null;
let taken = false;
/** @type {(() => boolean) | null} */
let stopListening = null;
/** @type {BoundaryPlot | null} */
let plot = null;
/** @type {() => void} stops painting (painted, or the page took over) */
let stopPainting = () => {};

/** The socket and the registries, for the page (null: the server cannot be reached, said). */
export const opened = openLivePage(loadNetworkRegistries);

const bare = isFirstVisit(); // before anything writes the URL; a link is the page's to read
const picture = opened.then((live) => {
  if (!live || taken) return;
  const { socket, registries } = live;
  stopListening = socket.on("message", (/** @type {Message} */ m) => received.push(m));
  if (!bare) return;
  const store = createNetworkStore();
  const state = sanitize(store.state, registries.options, registries.optimizers);
  const message = pageStartMessage(state, registries.options, { paused: true });
  const send = () => {
    if (taken || sent !== null || !socket.send(message)) return;
    sent = JSON.stringify(message);
  };
  send();
  if (sent === null) {
    const stop = socket.on("welcome", () => {
      stop();
      send();
    });
  }
  return paintFirst(socket, { config: null, runs: [], store: { state }, options: registries.options,
    names: optimizerNames(registries.optimizers), editBox: null });
});
loadEntryAfter(bare ? picture : Promise.resolve()); // a link: the page at once, it starts the runs

/**
 * Paint the data and the runs' first boundaries as the answer to the `start` comes: resolves
 * when they are painted, or when the server answered otherwise (the page says what).
 * @param {import("../shared/socket.js").LiveSocket} socket
 * @param {import("./scenes.js").BoundaryScenePage} view what the scene reads: the state sent
 * @returns {Promise<void>}
 */
function paintFirst(socket, view) {
  return new Promise((resolve) => {
    const stops = [
      socket.on("started", (/** @type {any} */ m) => {
        view.config = m.config;
        view.runs = m.runs.map((/** @type {any} */ info) => runOf(info, m.config));
      }),
      socket.on("frame", (/** @type {any} */ m) => {
        for (const r of m.runs) view.runs[r.id]?.absorb(r);
        const scene = boundaryScene(view);
        if (!view.config || !BoundaryPlot.complete(scene)) return;
        plot = plot || new BoundaryPlot(/** @type {HTMLElement} */ (document.getElementById("boundary")), {
          onClick: () => {}, onSelect: () => {}, // the page's, once it has loaded
        });
        if (plot.draw(scene)) done();
      }),
      socket.on("error", () => done()),
    ];
    const done = () => {
      for (const stop of stops) stop();
      resolve();
    };
    stopPainting = done;
  });
}

/**
 * The page takes the socket over: from now on its handlers get every message. Returns what was
 * sent and received here (once; later calls get nothing).
 * @returns {EarlyStart}
 */
export function takeEarlyStart() {
  if (taken) return { sent: null, messages: [], plot: null };
  taken = true;
  if (stopListening) stopListening();
  stopPainting();
  return { sent, messages: received.splice(0), plot };
}
