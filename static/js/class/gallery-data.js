// @ts-check
// What the gallery draws, from GET /api/classes/ID/gallery (the server ranks the submissions best
// first): the paths on the challenge's surface, the scatter of lr against the final value (one
// series per optimizer: its own marker, so colour is not the only cue), the leaderboard's rows.
// Pure functions: tested under node (tests/js/class-gallery.test.js).

import { fmt, isNum } from "../shared/format.js";
import { scoreText } from "./challenge.js";

/** @typedef {Record<string, any>} Submission */

/**
 * The surface of a challenge's fixed part as the descent page's state has it (for gridURL).
 * @param {Record<string, any>} fixed
 * @returns {{ surface: string, expr: string, params: Record<string, number> }}
 */
export function surfaceStateOf(fixed) {
  const s = fixed.surface;
  const params = { ...(fixed.params || {}) };
  if (typeof s === "string") return { surface: s, expr: "", params };
  if (s && typeof s.expr === "string") return { surface: "custom", expr: s.expr, params: {} };
  const { id, ...rest } = s || {};
  return { surface: id || "rosenbrock", expr: "", params: { ...rest, ...params } };
}

/** A submission's path as two columns, or null (a network's, or none kept). @param {Submission} s */
export function pathOf(s) {
  const path = s.path || (s.result && s.result.path);
  if (!Array.isArray(path) || !path.length) return null;
  /** @type {(number | null)[]} */
  const x = [];
  /** @type {(number | null)[]} */
  const y = [];
  for (const p of path) {
    x.push(Array.isArray(p) && isNum(p[0]) ? p[0] : null);
    y.push(Array.isArray(p) && isNum(p[1]) ? p[1] : null);
  }
  return { x, y };
}

/** A submission's final decision boundary grid {x, y, z}, or null. @param {Submission} s */
export function boundaryOf(s) {
  const b = s.boundary || (s.result && s.result.boundary);
  return b && Array.isArray(b.x) && Array.isArray(b.z) ? b : null;
}

/**
 * The scatter: per optimizer, the submissions' lr (x) against their final value (y), with who.
 * A run with no finite final value (diverged early) is left out of the points but counted.
 * @param {Submission[]} submissions
 */
export function scatterOf(submissions) {
  /** @type {Map<string, { optimizer: string, lr: number[], final: number[], ok: boolean[], text: string[], ids: number[], index: number[] }>} */
  const groups = new Map();
  let missing = 0;
  for (const [i, s] of submissions.entries()) {
    if (!isNum(s.lr) || !isNum(s.final)) {
      missing += 1;
      continue;
    }
    const key = String(s.optimizer || "?");
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { optimizer: key, lr: [], final: [], ok: [], text: [], ids: [], index: [] }));
    g.index.push(i); // its place in the leaderboard: its colour and line there and on the map
    g.lr.push(s.lr);
    g.final.push(s.final);
    g.ok.push(Boolean(s.ok));
    g.ids.push(s.id);
    g.text.push(`${s.nickname}: ${key}, lr ${fmt(s.lr, 3)} → ${fmt(s.final, 3)}${s.ok ? "" : " (not scored)"}`);
  }
  return { groups: [...groups.values()], missing };
}

/**
 * Whether the y axis should be logarithmic: a loss (not an accuracy, between 0 and 1), every final
 * value at least 0 (0 is drawn at a floor) and some above it.
 * @param {Submission[]} submissions
 * @param {string} [metric]
 */
export const logFinal = (submissions, metric = "loss") => metric.endsWith("loss")
  && submissions.some((s) => isNum(s.final) && s.final > 0)
  && submissions.every((s) => !isNum(s.final) || s.final >= 0);

/**
 * Where a final value of 0 goes on the log scatter: a hundred times below the smallest positive
 * one (a bowl's best runs reach 1e-120, one may reach exactly 0).
 * @param {Submission[]} submissions
 */
export function logFloor(submissions) {
  const positive = submissions.map((s) => s.final).filter((v) => isNum(v) && v > 0);
  return positive.length ? Math.min(...positive) / 100 : 1e-12;
}

/**
 * The leaderboard rows, in the server's order (best first, the unscored last).
 * @param {Submission[]} submissions
 * @param {import("./challenge.js").Challenge | null} challenge
 */
export function boardRows(submissions, challenge) {
  let rank = 0;
  return submissions.map((s) => {
    if (s.ok) rank += 1;
    return {
      id: s.id,
      rank: s.ok ? String(rank) : "—",
      nickname: String(s.nickname ?? ""),
      optimizer: String(s.optimizer ?? ""),
      lr: fmt(s.lr, 3),
      final: fmt(s.final, 3),
      result: scoreText(/** @type {any} */ (s), challenge),
      ok: Boolean(s.ok),
    };
  });
}
