// @ts-check
// Numbers on the backprop page: 4 significant digits, a true minus sign (reads better on a
// projector), and "0" for float dust: the classic example's softmax gives e^-40 / 2 ≈ 2e-18 where
// the walk-through has an exact 0, and showing "2.12e-18" would hide the point of the step.

import { isNum } from "../shared/format.js";

/** Below this, a nonzero value is float dust and is shown as 0 (its cell's tooltip says so). */
const DUST = 1e-12;

/** @param {unknown} x */
export const isDust = (x) => isNum(x) && x !== 0 && Math.abs(x) < DUST;

/** x with `digits` significant digits; exponent form when tiny or huge; "—" when missing. */
/** @param {unknown} x @param {number} [digits] */
export function num(x, digits = 4) {
  if (!isNum(x)) return "—";
  if (x === 0 || Math.abs(x) < DUST) return "0";
  const a = Math.abs(x);
  const s = a < 1e-4 || a >= 1e6
    ? x.toExponential(digits - 1).replace(/\.?0+e/, "e").replace("e+", "e")
    : String(Number(x.toPrecision(digits)));
  return s.replace("-", "−");
}

/**
 * An index as the page shows it: units, rows and columns are numbered from 1 (unit 1 is the
 * first), in the drawing and the text alike; the arrays, the API and the link count from 0.
 * Numbers in "i,j" shift too; letters ("k") stay.
 * @param {number | string} i
 */
export const ix = (i) => (typeof i === "number" ? String(i + 1) : String(i).replace(/\d+/g, (d) => String(Number(d) + 1)));

/** As a factor of a product: negative numbers in parentheses, "(−0.5)". */
/** @param {unknown} x @param {number} [digits] */
export function factor(x, digits = 4) {
  const s = num(x, digits);
  return s.startsWith("−") ? `(${s})` : s;
}
