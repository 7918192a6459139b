// @ts-check
// The title over a run's small multiple of the decision boundary: "1. SGD · loss 0.723 · 36%
// right", the accuracy left out where the line would not fit (boundary-canvas.js paints it; its
// hover readout gives the whole line).

import { fmt } from "../shared/format.js";

/**
 * A run's title in parts: head (bold), rest (loss, or how it diverged) and more (the accuracy,
 * shown when there is room).
 * @typedef {{ head: string, rest: string, more: string }} RunTitle
 */

/** @param {number} index @param {string} name @param {import("./run.js").NetRun | null | undefined} run
 * @returns {RunTitle} */
export function runTitle(index, name, run) {
  const head = `${index + 1}. ${name}`;
  if (!run || !run.n) return { head, rest: "", more: "" };
  if (run.status === "diverged") return { head, rest: ` · diverged at step ${run.divergedAt ?? run.n - 1}`, more: "" };
  const acc = run.last("acc");
  return { head, rest: ` · loss ${fmt(run.last("loss"), 3)}`, more: acc === null ? "" : ` · ${Math.round(acc * 100)}% right` };
}

/**
 * The line over a cell `room` px wide at `fontSize` px type: the whole title if it fits (about
 * 0.58 em a character: an estimate, no text measured), else without `more`.
 * @param {RunTitle} title @param {number} fontSize @param {number} room
 * @returns {{ head: string, rest: string }}
 */
export function cellTitle(title, fontSize, room) {
  const whole = title.head.length + title.rest.length + title.more.length;
  return { head: title.head, rest: whole * fontSize * 0.58 <= room ? title.rest + title.more : title.rest };
}
