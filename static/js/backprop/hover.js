// @ts-check
// Hovering a weight lights it up everywhere it appears: its edge in the drawing and its entries
// in the matrices of the step (W, ∂L/∂W, the new W, Wᵀ transposed), so a number can be found on
// the drawing and an edge in the matrices.

/** @typedef {{ layer: number, i: number, j: number }} Weight */

/**
 * The weight {layer, i, j} a matrix cell stands for (W2, dW2, W2new, W3T ...), or null.
 * @param {HTMLElement} cell @returns {Weight | null}
 */
function weightOfCell(cell) {
  const name = /** @type {HTMLElement | null} */ (cell.closest(".mat-block"))?.dataset.name || "";
  const m = /^d?W(\d+)(T|new)?$/.exec(name);
  if (!m || cell.dataset.j === undefined) return null;
  const [i, j] = [Number(cell.dataset.i), Number(cell.dataset.j)];
  return m[2] === "T" ? { layer: Number(m[1]), i: j, j: i } : { layer: Number(m[1]), i, j };
}

/** @param {Weight | null} wt */
function lightWeight(wt) {
  for (const el of document.querySelectorAll(".lit")) el.classList.remove("lit");
  if (!wt) return;
  const { layer: l, i, j } = wt;
  document.querySelector(`.net .hit[data-w="${l},${i},${j}"]`)?.previousElementSibling?.classList.add("lit");
  const names = [`W${l}`, `dW${l}`, `W${l}new`];
  for (const n of names) document.querySelector(`.step-mats [data-name="${n}"] .cell[data-i="${i}"][data-j="${j}"]`)?.classList.add("lit");
  document.querySelector(`.step-mats [data-name="W${l}T"] .cell[data-i="${j}"][data-j="${i}"]`)?.classList.add("lit");
}

/** The element an event happened on, as an HTMLElement or SVGElement, or null. @param {Event} e */
const at = (e) => (e.target instanceof Element ? e.target : null);

/** @param {HTMLElement} mats the step's matrices @param {SVGSVGElement} net the drawing */
export function bindHover(mats, net) {
  mats.addEventListener("mouseover", (e) => {
    const cell = /** @type {HTMLElement | null} */ (at(e)?.closest(".cell") ?? null);
    lightWeight(cell ? weightOfCell(cell) : null);
  });
  mats.addEventListener("mouseleave", () => lightWeight(null));
  net.addEventListener("mouseover", (e) => {
    const hit = /** @type {SVGElement | null} */ (at(e)?.closest(".hit") ?? null);
    if (!hit || !hit.dataset.w) return lightWeight(null);
    const [layer, i, j] = hit.dataset.w.split(",").map(Number);
    return lightWeight({ layer, i, j });
  });
  net.addEventListener("mouseleave", () => lightWeight(null));
}
