// @ts-check
// The page's controller, loaded by the page's first module script once the main picture is up
// (descent/first-paint.js, network/early-start.js). Fetching and compiling the controller's ~50
// modules while that picture was on its way held it up (by 200-300 ms on a phone's CPU). The
// template names the entry once, on the first module's script element (data-entry), with the
// entry's imports the page has not preloaded (data-entry-imports): preloaded here, at once,
// rather than found one import level after the other.

import { showMessage } from "./messages.js";

// ms after the first module ran: the controller loads by then, picture or not (a server slow
// to answer, a picture that cannot be painted yet)
const ENTRY_LATEST = 2000;

/** @type {Promise<unknown> | null} */
let loading = null;

/** Load the page's controller (once; later calls get the same promise). */
function loadEntry() {
  if (loading) return loading;
  const script = document.querySelector("script[data-entry]");
  const url = script ? script.getAttribute("data-entry") : null;
  if (!script || !url) return (loading = Promise.resolve());
  for (const href of (script.getAttribute("data-entry-imports") || "").split(" ").filter(Boolean)) {
    document.head.append(Object.assign(document.createElement("link"), { rel: "modulepreload", href }));
  }
  loading = import(url).catch((/** @type {Error} */ err) => {
    showMessage(`Could not load the page's code (${err.message}). Reload the page to try again.`, { key: "entry" });
  });
  return loading;
}

/** Resolves once the next frame has been painted: what is drawn now is on the screen by then. */
function afterNextPaint() {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

/**
 * Load the controller once `picture` settles (painted, or not to be) and has reached the screen,
 * or after ENTRY_LATEST ms. (Loaded at once, the controller's compile and first run, 150-300 ms
 * on a phone's CPU, came before the frame that shows the picture.)
 * @param {Promise<unknown>} picture
 */
export function loadEntryAfter(picture) {
  const latest = new Promise((resolve) => setTimeout(resolve, ENTRY_LATEST));
  return Promise.race([picture.catch(() => {}).then(afterNextPaint), latest]).then(loadEntry);
}
