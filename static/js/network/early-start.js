// @ts-check
// The network page's first runs, asked for before the page's ~56 other modules have loaded and
// run (about half a second on a phone's CPU). This module script runs ahead of the others
// (templates/network.html) with a small import graph: it opens the socket, reads the two
// registries (preloaded with the page) and, on a bare /network (a first visit), sends the same
// `start` the page would send, so that the server builds the problem and its first boundary
// while the page loads. The page (page.js) then takes the socket over with what arrived
// (`takeEarlyStart`) and, when its own first `start` is that one, replays it instead of sending.

import { openLivePage } from "../shared/live-page.js";
import { isFirstVisit } from "../shared/start-hint.js";
import { loadNetworkRegistries } from "./api.js";
import { labStart } from "./generalisation.js";
import { createNetworkStore, sanitize, startMessage } from "./state.js";

/** @typedef {import("../shared/socket.js").Message} Message */
/** @typedef {Awaited<ReturnType<typeof loadNetworkRegistries>>} Registries */
/**
 * @typedef {object} EarlyStart what the page takes over
 * @property {string | null} sent the `start` sent here, as sent (null: none)
 * @property {Message[]} messages what the server sent before the page took over, in order
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

/** The socket and the registries, for the page (null: the server cannot be reached, said). */
export const opened = openLivePage(loadNetworkRegistries);

const bare = isFirstVisit(); // before anything writes the URL; a link is the page's to read
opened.then((live) => {
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
});

/**
 * The page takes the socket over: from now on its handlers get every message. Returns what was
 * sent and received here (once; later calls get nothing).
 * @returns {EarlyStart}
 */
export function takeEarlyStart() {
  if (taken) return { sent: null, messages: [] };
  taken = true;
  if (stopListening) stopListening();
  return { sent, messages: received.splice(0) };
}
