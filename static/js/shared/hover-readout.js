// @ts-check
// What is under the mouse on a canvas figure (a map, a heatmap, the boundary), in a small label
// beside the pointer: the canvases' own hover, so that no figure needs Plotly.js (4.8 MB, seconds
// of a slow machine's main thread) for it. The figure says what a point shows (`read`); this
// places and shows it. A finger has no hover: a tap acts (sets a start, picks a weight), and the
// figure's own note says what it picked.

/** Lines to show for a point of the figure, or null for nothing there.
 * @typedef {(x: number, y: number) => string[] | null} ReadPoint x, y: px from the box's top left */

const GAP = 14; // px between the pointer and the label

export class HoverReadout {
  /**
   * @param {HTMLElement} box the figure's box: the label is placed inside it (position: relative)
   * @param {ReadPoint} read
   */
  constructor(box, read) {
    this.box = box;
    this.read = read;
    /** @type {[number, number] | null} the pointer, px in the box, while it is over it */
    this.at = null;
    this.label = document.createElement("div");
    this.label.className = "hover-readout";
    this.label.hidden = true;
    this.label.setAttribute("aria-hidden", "true"); // the page says the same in text elsewhere
    box.append(this.label);
    box.addEventListener("pointermove", (e) => {
      if (e.pointerType === "touch") return;
      const r = box.getBoundingClientRect();
      this.at = [e.clientX - r.left, e.clientY - r.top];
      this.refresh();
    });
    box.addEventListener("pointerleave", () => {
      this.at = null;
      this.hide();
    });
  }

  /** Read the point under a still pointer again: the picture under it changed. */
  refresh() {
    const lines = this.at ? this.read(this.at[0], this.at[1]) : null;
    if (!lines || !lines.length || !this.at) {
      this.hide();
      return;
    }
    const text = lines.join("\n");
    if (this.label.textContent !== text) this.label.textContent = text;
    this.label.hidden = false;
    this.place(this.at[0], this.at[1]);
  }

  hide() {
    this.label.hidden = true;
  }

  /** Beside the pointer, to its right and below, flipped to stay inside the box.
   * @param {number} x @param {number} y */
  place(x, y) {
    const w = this.label.offsetWidth;
    const h = this.label.offsetHeight;
    const W = this.box.clientWidth;
    const H = this.box.clientHeight;
    const left = x + GAP + w <= W ? x + GAP : Math.max(0, x - GAP - w);
    const top = y + GAP + h <= H ? y + GAP : Math.max(0, y - GAP - h);
    this.label.style.transform = `translate(${Math.round(left)}px, ${Math.round(top)}px)`;
  }
}

/**
 * The nearest of some points to (x, y), within `radius` px: its index, or -1.
 * @param {number} x @param {number} y @param {number} n how many points
 * @param {(i: number) => [number, number] | null} at point i in px (null: not drawn)
 * @param {number} [radius]
 */
export function nearestPoint(x, y, n, at, radius = 12) {
  let best = -1;
  let bestD = radius * radius;
  for (let i = 0; i < n; i++) {
    const p = at(i);
    if (!p) continue;
    const d = (p[0] - x) ** 2 + (p[1] - y) ** 2;
    if (d <= bestD) {
      best = i;
      bestD = d;
    }
  }
  return best;
}
