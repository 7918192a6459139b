// @ts-check
// The page's controller, loaded by the page's first module script once the main picture is up
// (descent/first-paint.js, network/early-start.js). The controller's ~50 modules, compiled and
// run while that picture was on its way, held it up by 200-300 ms on a phone's CPU; meanwhile
// they are only fetched (templates/base.html prefetches them). The template names the entry
// once, on the first module's script element (data-entry).

import { showMessage } from "./messages.js";

// ms after the first module ran: the controller loads by then, picture or not (a server slow
// to answer, a picture that cannot be painted yet)
const ENTRY_LATEST = 2000;

/** @type {Promise<unknown> | null} */
let loading = null;

/** Load the page's controller (once; later calls get the same promise). */
function loadEntry() {
  if (!loading) {
    const script = document.querySelector("script[data-entry]");
    const url = script ? script.getAttribute("data-entry") : null;
    loading = url
      ? import(url).catch((/** @type {Error} */ err) => {
          showMessage(`Could not load the page's code (${err.message}). Reload the page to try again.`, { key: "entry" });
        })
      : Promise.resolve();
  }
  return loading;
}

/**
 * Load the controller once `picture` settles (painted, or not to be), or after ENTRY_LATEST ms.
 * @param {Promise<unknown>} picture
 */
export function loadEntryAfter(picture) {
  const latest = new Promise((resolve) => setTimeout(resolve, ENTRY_LATEST));
  return Promise.race([picture.catch(() => {}), latest]).then(loadEntry);
}
