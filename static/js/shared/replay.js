// @ts-check
// A live change (a new lr, say) to a run that takes no more steps, because it diverged or every
// run is done, would change nothing on screen and say nothing. Such a change replays the runs
// from the start with the new values instead, and says so.

import { fmt } from "./format.js";

/**
 * @param {string} play the page's play state ("idle", "running", "paused", "done")
 * @param {{ status: string }[]} runs the runs as the page has them
 * @param {number[]} changed the indices of the runs whose values changed
 */
export function changeNeedsReplay(play, runs, changed) {
  if (play === "idle" || !changed.length) return false;
  if (play === "done") return true;
  return changed.some((i) => runs[i] !== undefined && runs[i].status === "diverged");
}

/**
 * What the page says as it replays: "Run 2 had diverged: every run starts again, run 2 with lr = 2."
 * @param {string} play
 * @param {{ status: string }[]} runs
 * @param {{ run: number, lr?: number | null }[]} sets the changes, per run
 */
export function replayNote(play, runs, sets) {
  const diverged = sets.find((s) => runs[s.run] !== undefined && runs[s.run].status === "diverged");
  const why = diverged ? `run ${diverged.run + 1} had diverged` : play === "done" ? "the runs had finished" : "the run had stopped";
  const what = sets.map((s) => (s.lr === undefined || s.lr === null ? `run ${s.run + 1}'s new settings` : `run ${s.run + 1} with lr = ${fmt(s.lr, 4)}`));
  return `${why[0].toUpperCase()}${why.slice(1)}: every run starts again from the beginning, ${what.join(", ")}.`;
}
