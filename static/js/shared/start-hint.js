// @ts-check
// A first visit (a page opened without a link's state) waits for the first Play: a teacher who
// opens the page in class should find step 0, not a race already at step 400. A one-line hint
// says where to start until the user does something.
//
// The hint sits in the page's flow under the bars (base.css .messages), and the page shows it
// once its controller has loaded, after the first picture. So that the picture does not move
// down then, the page templates load this module before their other scripts: on a first visit
// it marks the page (html.start-hint-room), and CSS keeps the hint's line from the start. The
// mark goes with the hint.

import { clearMessage, showMessage } from "./messages.js";

const KEY = "start-hint";
const ROOM = "start-hint-room";

/** True when the page was opened bare (nothing after '#'): no link asked for a view. */
export function isFirstVisit(hash = location.hash) {
  return hash.replace(/^#/, "") === "";
}

/** The page's root element, where one is (not under Node's test runner). */
const root = () => (typeof document === "undefined" ? null : document.documentElement);

/** @param {string} text one line: where to start */
export function showStartHint(text) {
  showMessage(text, { kind: "info", key: KEY });
  // dismissed with its ×: the room goes with it
  document.querySelector(`[data-key="${KEY}"] button`)?.addEventListener("click", clearStartHint);
}

export function clearStartHint() {
  clearMessage(KEY);
  root()?.classList.remove(ROOM);
}

const page = root();
if (page && isFirstVisit()) page.classList.add(ROOM);
