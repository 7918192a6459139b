// @ts-check
// Your own data: parsing a CSV of points (x1, x2, label) with an error that names the line, and
// small helpers for points added by clicking. Pure functions: no DOM, no state.

import { MAX_CLASSES } from "./state.js";

/** @typedef {[number, number, number]} Point x1, x2, class */

export class CSVError extends Error {
  /** @param {string} message @param {number | null} [line] 1-based, when the error is one line's */
  constructor(message, line = null) {
    super(line === null ? message : `line ${line}: ${message}`);
    this.line = line;
  }
}

/** @param {string} s */
const isNumeric = (s) => s.trim() !== "" && Number.isFinite(Number(s));
const SEPARATORS = /\s*[,;\t]\s*|\s+/;

/**
 * Points [[x1, x2, label], ...] from CSV text: one point a line, "x1, x2, label" (comma,
 * semicolon, tab or spaces between), an optional header line, blank lines and # comments
 * ignored. Throws CSVError naming the first bad line and what is wrong with it.
 * @param {string} text
 * @param {{ maxPoints?: number }} [options] the server's limit
 * @returns {Point[]}
 */
export function parsePointsCSV(text, { maxPoints = 2000 } = {}) {
  const lines = String(text).replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  /** @type {Point[]} */
  const points = [];
  let header = false;
  for (const [i, raw] of lines.entries()) {
    const lineNo = i + 1;
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const cells = line.split(SEPARATORS).filter((c, k, all) => c !== "" || k < all.length - 1);
    if (!points.length && !header && !cells.some(isNumeric)) {
      header = true; // "x1,x2,label"
      continue;
    }
    if (cells.length !== 3) {
      throw new CSVError(`expected 3 values (x1, x2, label), found ${cells.length}: "${clip(line)}"`, lineNo);
    }
    const [a, b, c] = cells;
    for (const [name, v] of [["x1", a], ["x2", b], ["label", c]]) {
      if (!isNumeric(v)) throw new CSVError(`${name} "${clip(v)}" is not a number`, lineNo);
    }
    const label = Number(c);
    if (!Number.isInteger(label) || label < 0 || label >= MAX_CLASSES) {
      throw new CSVError(`the label ${c} must be a whole number from 0 to ${MAX_CLASSES - 1}`, lineNo);
    }
    if (points.length >= maxPoints) throw new CSVError(`more than ${maxPoints} points (the server's limit)`, lineNo);
    points.push([Number(a), Number(b), label]);
  }
  checkPoints(points);
  return points;
}

/** Why these points cannot be trained on (the server's rules, said before asking it), or throw nothing. */
/** @param {Point[]} points */
function checkPoints(points) {
  if (points.length < 4) throw new CSVError(`found ${points.length} point${points.length === 1 ? "" : "s"}: give at least 4`);
  if (new Set(points.map((p) => p[2])).size < 2) throw new CSVError("every point has the same label: give points of at least two classes");
}

/**
 * A sentence saying what is missing before own points can be trained on, or null when ready.
 * @param {Point[]} points
 */
export function pointsProblem(points) {
  try {
    checkPoints(points);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** @param {string} s @param {number} [n] */
function clip(s, n = 40) {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

/**
 * The index of the point nearest to (x, y) within `radius` (data units), or -1.
 * @param {Point[]} points
 * @param {number} x
 * @param {number} y
 * @param {number} radius
 */
export function nearestPoint(points, x, y, radius) {
  let best = -1;
  let bestD = radius;
  for (const [i, p] of points.entries()) {
    const d = Math.hypot(p[0] - x, p[1] - y);
    if (d <= bestD) {
      best = i;
      bestD = d;
    }
  }
  return best;
}

/**
 * The generated dataset's points as own points ([x1, x2, label], rounded for short links).
 * @param {{ x: number[][], labels: number[] }} data
 * @returns {Point[]}
 */
export function pointsFromData(data) {
  /** @param {number} v */
  const r = (v) => Math.round(v * 1000) / 1000;
  return data.x.map((p, i) => [r(p[0]), r(p[1]), data.labels[i]]);
}
