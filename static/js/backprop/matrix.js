// @ts-check
// Small matrices and vectors as number grids in brackets, with a hoverable label on top and the
// row and column indices at the side (so W₂[1,0] can be found), and equations made of them.

import { isNum } from "../shared/format.js";
import { isDust, ix, num } from "./format.js";
import { h } from "./symbols.js";

/** @param {(number | null)[][] | (number | null)[]} values @returns {values is (number | null)[][]} */
const isGrid = (values) => Array.isArray(values[0]);

/**
 * values: a 2D array (a matrix), or a 1D array (a column vector; a row with `row: true`).
 * opts: name (data-name, for tests and cross-highlighting), label (a Node), role ("operand",
 * "result", "muted"), dir ("fwd", "bwd", "upd": the colour of an operand), indices (false to
 * hide), onCell(i, j) to make cells clickable, cellClass(i, j, v), cellTip(i, j, v),
 * selected [i, j] (a highlighted cell). A cell's j is null in a vector.
 * @typedef {number | null} Num
 * @typedef {{ name?: string, label?: Node | string, role?: string, dir?: string, row?: boolean,
 *   indices?: boolean, onCell?: (i: number, j: number | null) => void,
 *   cellClass?: (i: number, j: number | null, v: Num) => string | null,
 *   cellTip?: (i: number, j: number | null, v: Num) => string,
 *   selected?: [number, (number | null)?] | null }} MatrixOptions
 * @param {Num[][] | Num[]} values @param {MatrixOptions} [opts]
 */
export function matrix(values, opts = {}) {
  const rowVec = Boolean(opts.row);
  /** @type {Num[][]} */
  const grid = isGrid(values) ? values : rowVec ? [values] : values.map((v) => [v]);
  const nRows = grid.length;
  const nCols = nRows ? grid[0].length : 0;
  const showIdx = opts.indices !== false;
  const colIdx = showIdx && (nCols > 1 || Array.isArray(values[0]));
  const rowIdx = showIdx && (nRows > 1 || Array.isArray(values[0]));

  const mat = h("div", "mat");
  mat.style.gridTemplateColumns = `${rowIdx ? "auto " : ""}repeat(${nCols}, auto)`;
  if (colIdx) {
    if (rowIdx) mat.append(h("span", "idx"));
    for (let j = 0; j < nCols; j++) mat.append(h("span", "idx idx-col", ix(j)));
  }
  grid.forEach((r, i) => {
    if (rowIdx) mat.append(h("span", "idx idx-row", ix(i)));
    r.forEach((v, j) => {
      // the position in the original array (a row vector's entry j is entry j, not [0, j])
      /** @type {[number, number | null]} */
      const [ii, jj] = Array.isArray(values[0]) ? [i, j] : rowVec ? [j, null] : [i, null];
      const cell = h("span", "cell", num(v));
      cell.dataset.v = isNum(v) ? String(v) : "";
      cell.dataset.i = String(ii);
      if (jj !== null) cell.dataset.j = String(jj);
      if (v !== null && isNum(v) && v < 0 && !isDust(v)) cell.classList.add("neg");
      const extra = opts.cellClass ? opts.cellClass(ii, jj, v) : null;
      if (extra) cell.classList.add(...extra.split(" "));
      if (opts.selected && opts.selected[0] === ii && (opts.selected[1] ?? null) === jj) cell.classList.add("selected");
      let tip = opts.cellTip ? opts.cellTip(ii, jj, v) : "";
      if (v !== null && isDust(v)) tip = `${tip ? `${tip} ` : ""}Exactly ${v.toExponential(3)}: float dust, shown as 0.`;
      if (tip) cell.dataset.tip = tip;
      const onCell = opts.onCell;
      if (onCell) {
        cell.classList.add("clickable");
        cell.tabIndex = 0;
        cell.setAttribute("role", "button");
        cell.addEventListener("click", () => onCell(ii, jj));
        cell.addEventListener("keydown", (e) => {
          if (e.key === "Enter") onCell(ii, jj);
        });
      }
      mat.append(cell);
    });
  });

  const block = h("div", `mat-block role-${opts.role || "operand"} dir-${opts.dir || "none"}`, opts.label ? h("div", "mat-label", opts.label) : null, mat);
  if (opts.name) block.dataset.name = opts.name;
  return block;
}

/** @typedef {import("./symbols.js").Child} Child */

/** An equation: symbols, operators and matrices on one line (wrapping if it must). @param {...(Child | Child[])} items */
export function eq(...items) {
  return h("div", "eq", ...items);
}

/** A labelled line: a formula in symbols, then "=" and the same with its numbers. @param {...(Child | Child[])} parts */
export function worked(...parts) {
  return h("div", "worked", ...parts);
}
