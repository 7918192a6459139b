// @ts-check
// What each hidden unit does: a small map of its activation over the input plane, one per unit,
// layer by layer, as tensorflow/playground draws them in its neurons (docs/protocol.md, "Unit
// maps": the selected run's `neurons`, twice a second). Orange below zero, white at zero, blue
// above, scaled per layer. A click (or Enter) on a map picks its unit: the heatmaps outline its
// weights, in (a row of the unit's layer) and out (a column of the next).

import { el } from "../shared/controls.js";
import { clickWord } from "../shared/touch.js";

/** @typedef {{ layer: number, unit: number }} UnitRef layer: 1-based hidden layer; unit: 0-based */

// The data plot's class pair: orange (class 0) for negative, blue (class 1) for positive.
const NEG = [240, 140, 0];
const POS = [25, 113, 194];

/**
 * A unit's map as RGBA pixels (row 0 of the image is the top: the largest y).
 * @param {number[][]} map [i][j]: the activation at (x[j], y[i])
 * @param {number} scale the layer's largest |activation|
 * @returns {{ width: number, height: number, data: Uint8ClampedArray<ArrayBuffer> }}
 */
export function mapImage(map, scale) {
  const rows = map.length;
  const cols = rows ? map[0].length : 0;
  const img = { width: Math.max(1, cols), height: Math.max(1, rows), data: new Uint8ClampedArray(Math.max(1, cols) * Math.max(1, rows) * 4) };
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = map[i][j];
      const t = Number.isFinite(v) ? Math.max(-1, Math.min(1, v / scale)) : 0;
      const c = t < 0 ? NEG : POS;
      const a = Math.abs(t);
      const k = ((rows - 1 - i) * cols + j) * 4;
      img.data[k] = Math.round(255 + (c[0] - 255) * a);
      img.data[k + 1] = Math.round(255 + (c[1] - 255) * a);
      img.data[k + 2] = Math.round(255 + (c[2] - 255) * a);
      img.data[k + 3] = 255;
    }
  }
  return img;
}

/** A map of a 1-D input (a regression along a line) is one row. @param {unknown} m @returns {number[][]} */
const asGrid = (m) => (Array.isArray(m) && Array.isArray(m[0]) ? /** @type {number[][]} */ (m) : [/** @type {number[]} */ (m)]);

export class NeuronMaps {
  /**
   * @param {HTMLElement} container
   * @param {HTMLElement} note
   * @param {{ onPick: (unit: UnitRef | null) => void }} on
   */
  constructor(container, note, { onPick }) {
    this.container = container;
    this.note = note;
    this.onPick = onPick;
    /** @type {UnitRef | null} */
    this.picked = null;
    this.shape = ""; // the hidden widths the maps are built for
    /** @type {HTMLCanvasElement[][]} per layer, per unit */
    this.canvases = [];
    this.step = -1;
    this.drawn = 0; // maps drawn (tests and stats)
    /** @type {number[]} the widths the maps are built for */
    this.hidden = [];
    // Shown again (a tab, a phone's panel) or resized: sized again, with no new frame needed.
    new ResizeObserver(() => {
      if (this.hidden.length) this.fit(this.hidden);
    }).observe(container);
  }

  /** Build one small canvas per hidden unit (again when the widths change). @param {number[]} hidden */
  build(hidden) {
    const shape = hidden.join(",");
    if (shape === this.shape) return;
    this.shape = shape;
    this.hidden = [...hidden];
    this.picked = null;
    this.canvases = hidden.map((width, l) => Array.from({ length: width }, (_, u) => /** @type {HTMLCanvasElement} */ (el("canvas", {
      class: "unit-map", width: 1, height: 1, tabIndex: 0, role: "button",
      "aria-label": `Layer ${l + 1}, unit ${u + 1}: its activation over the input plane; click to outline its weights`,
      "aria-pressed": "false", dataset: { layer: String(l + 1), unit: String(u) },
      on: {
        click: () => this.pick(l + 1, u),
        keydown: (/** @type {KeyboardEvent} */ e) => {
          if (e.key === "Enter" || e.key === " ") {
            e.preventDefault();
            this.pick(l + 1, u);
          }
        },
      },
    }))));
    this.container.replaceChildren(...this.canvases.map((units, l) => el("div", { class: "unit-layer" }, [
      el("span", { class: "unit-layer-name", text: `layer ${l + 1}` }), el("div", { class: "unit-row" }, units),
    ])));
    this.step = -1;
  }

  /** Maps as large as the panel allows: the widest layer on one line and (where the panel has a
   *  height of its own, not on a phone's scrolling column) every layer in view. @param {number[]} hidden */
  fit(hidden) {
    if (!this.container.clientWidth) return; // hidden: fitted when shown
    const widest = Math.max(1, ...hidden);
    const gap = 4;
    let size = Math.floor((this.container.clientWidth - gap * widest) / widest);
    if (getComputedStyle(this.container).overflowY === "auto" && this.container.clientHeight > 0) {
      size = Math.min(size, Math.floor(this.container.clientHeight / Math.max(1, hidden.length)) - 26);
    }
    const px = `${Math.max(28, Math.min(110, size))}px`;
    if (this.container.style.getPropertyValue("--unit-size") !== px) this.container.style.setProperty("--unit-size", px);
  }

  /** @param {number} layer @param {number} unit */
  pick(layer, unit) {
    const same = this.picked && this.picked.layer === layer && this.picked.unit === unit;
    this.picked = same ? null : { layer, unit };
    for (const [l, units] of this.canvases.entries()) {
      for (const [u, c] of units.entries()) c.setAttribute("aria-pressed", String(Boolean(this.picked && this.picked.layer === l + 1 && this.picked.unit === u)));
    }
    this.onPick(this.picked);
  }

  /**
   * The selected run's latest maps.
   * @param {{ neurons: { step: number, layers: number[][][][] } | null } | undefined} run
   * @param {number[]} hidden the widths of the runs' network
   * @param {string} label which run, for the note
   * @param {boolean} available whether this start asked for maps (none for one-hot inputs)
   */
  draw(run, hidden, label, available) {
    this.build(available ? hidden : []);
    if (!available) {
      this.note.textContent = hidden.length ? "No unit maps for this dataset: its inputs are not a plane." : "No hidden units: the network is one layer.";
      return;
    }
    const maps = run && run.neurons;
    if (!maps) {
      this.note.textContent = "The maps arrive with the first steps.";
      return;
    }
    this.fit(hidden);
    if (maps.step === this.step) return;
    this.step = maps.step;
    maps.layers.forEach((units, l) => {
      let scale = 0;
      for (const m of units) for (const row of asGrid(m)) for (const v of row) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
      units.forEach((m, u) => {
        const canvas = this.canvases[l] && this.canvases[l][u];
        if (!canvas) return;
        const img = mapImage(asGrid(m), scale || 1);
        if (canvas.width !== img.width || canvas.height !== img.height) {
          canvas.width = img.width;
          canvas.height = img.height;
        }
        const ctx = canvas.getContext("2d");
        if (ctx) ctx.putImageData(new ImageData(img.data, img.width, img.height), 0, 0);
        this.drawn += 1;
      });
    });
    const pick = this.picked ? ` · unit ${this.picked.unit + 1} of layer ${this.picked.layer} picked: its weights are outlined in the heatmaps` : ` · ${clickWord()} a map: its weights in the heatmaps`;
    this.note.textContent = `${label}, step ${maps.step}${pick}`;
  }
}
