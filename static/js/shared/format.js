// @ts-check
// Number formatting for readouts: short, stable widths, and a dash for a missing value
// (a diverged run's last point arrives with nulls).

/** True for a finite number (false for null, NaN, ±Infinity, strings). */
/** @param {unknown} x @returns {x is number} */
export const isNum = (x) => typeof x === "number" && Number.isFinite(x);

/** x with `digits` significant digits; exponent form when tiny or huge; "—" when missing. */
/** @param {unknown} x @param {number} [digits] */
export function fmt(x, digits = 3) {
  if (!isNum(x)) return "—";
  if (x === 0) return "0";
  const a = Math.abs(Number(x.toPrecision(digits))); // 9.9999e-4 shows as 0.001, not 1e-3
  if (a < 1e-3 || a >= 1e5) {
    return x.toExponential(Math.max(0, digits - 1)).replace("e+", "e").replace(/\.?0+e/, "e");
  }
  return String(Number(x.toPrecision(digits)));
}

/** Round to `digits` significant digits, as a number (keeps URLs and number boxes short). */
/** @template T @param {T} x @param {number} [digits] @returns {T} */
export function roundSig(x, digits = 4) {
  if (!isNum(x) || x === 0) return x;
  return /** @type {T} */ (Number(x.toPrecision(digits)));
}

/** @param {number} x @param {number} lo @param {number} hi */
export function clamp(x, lo, hi) {
  return Math.min(hi, Math.max(lo, x));
}
