// @ts-check
// A first visit (a page opened without a link's state) waits for the first Play: a teacher who
// opens the page in class should find step 0, not a race already at step 400. A one-line hint
// says where to start until the user does something.

import { clearMessage, showMessage } from "./messages.js";

const KEY = "start-hint";

/** True when the page was opened bare (nothing after '#'): no link asked for a view. */
export function isFirstVisit(hash = location.hash) {
  return hash.replace(/^#/, "") === "";
}

/** @param {string} text one line: where to start */
export function showStartHint(text) {
  showMessage(text, { kind: "info", key: KEY });
}

export function clearStartHint() {
  clearMessage(KEY);
}
