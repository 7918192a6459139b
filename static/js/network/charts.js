// @ts-check
// The network view's charts: the series of the line charts (loss and accuracy per step for every
// run, gradient norms per layer for the selected run: on a log scale, vanishing and exploding
// gradients show as lines drifting apart; drawn by linechart.js on canvas), and heatmaps of the
// selected run's weights and gradients, one layer at a time (on canvas, heatmap-canvas.js: a
// redraw is a millisecond or two, and the page's first view needs no Plotly).

import { FONT, tickLabel } from "../shared/canvas-axes.js";
import { fitCanvas } from "../shared/canvas-scale.js";
import { el } from "../shared/controls.js";
import { HoverReadout } from "../shared/hover-readout.js";
import { minMaxDecimate } from "../shared/linechart.js";
import { clickWord, noHover } from "../shared/touch.js";
import {
  TOUCH_SLOP, barTicks, cellCenter, cellText, describeMatrix, fillImage, heatLayout, hitCell, moveFocus, paintHeatmaps,
  symmetricMax, unitTicks,
} from "./heatmap-canvas.js";

/** @typedef {import("./run.js").NetRun} NetRun */
/** @typedef {import("./state.js").WeightTriple} WeightTriple */
/** @typedef {{ layer: number, unit: number }} Unit a hidden unit (layer from 1, unit from 0) */
/** @typedef {import("./heatmap-canvas.js").HeatLayout} HeatLayout */
/** @typedef {import("./heatmap-canvas.js").HeatScene} HeatScene */

// Layers from the input side (light) to the output side (dark), in one hue: their order reads.
const LAYER_COLORS = ["#74c0fc", "#4dabf7", "#339af0", "#1c7ed6", "#1864ab", "#0b3d6e", "#051f3a"];

/** @param {number} l @param {number} layers */
function layerColor(l, layers) {
  const offset = Math.max(0, LAYER_COLORS.length - layers - 1);
  return LAYER_COLORS[Math.min(LAYER_COLORS.length - 1, offset + l)];
}

/** The selected run's weights and gradients of one layer, as two heatmaps side by side, painted
 * on a canvas (heatmap-canvas.js) with their own hover; a click (a tap) on a cell picks its weight
 * for the landscape while the plane is "weights". The canvas records where its cells are
 * (data-panels: [{left, top, cellW, cellH, rows, cols}], px in the box) for tests. */
export class Heatmaps {
  /**
   * @param {HTMLElement} div @param {HTMLElement} tabs @param {HTMLElement | null} note
   * @param {{ onLayer: (layer: number) => void, onPickWeight: (layer: number, row: number, col: number) => void }} options
   */
  constructor(div, tabs, note, { onLayer, onPickWeight }) {
    this.div = div;
    this.tabs = tabs;
    this.note = note;
    this.onLayer = onLayer;
    this.onPickWeight = onPickWeight;
    this.layer = 1;
    this.layers = 0;
    /** @type {number | null} the type's size, px; null: from the page's (the box's font size) */
    this.fontSize = null;
    /** @type {WeightTriple[] | null} the landscape's two weights, while a click picks one */
    this.chosen = null;
    /** @type {(Unit & { into: boolean }) | null} */
    this.unitShown = null;
    this.canvas = document.createElement("canvas");
    this.canvas.className = "heatmap-canvas";
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute("aria-label", "The selected run's weights and their gradients: none yet");
    // From the keyboard: arrows walk the weights (the readout says each), Enter picks one.
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute("aria-keyshortcuts", "ArrowUp ArrowDown ArrowLeft ArrowRight Enter");
    /** @type {[number, number] | null} the keyboard's cell of W (row, column), while focused */
    this.focusCell = null;
    this.canvas.addEventListener("keydown", (e) => this.key(e));
    this.canvas.addEventListener("focus", () => this.showFocus(this.focusCell || [0, 0]));
    this.canvas.addEventListener("blur", () => {
      this.focusCell = null;
      this.readout.at = null;
      this.readout.hide();
      this.repaint();
    });
    div.append(this.canvas);
    /** each matrix as pixels, one a cell: W, ∂L/∂W */
    this.images = [document.createElement("canvas"), document.createElement("canvas")];
    /** @type {(ImageData | null)[]} the images' pixels, kept while the shape holds */
    this.pixels = [null, null];
    /** @type {HeatLayout | null} the last drawing's layout, for the hover and the clicks */
    this.geometry = null;
    /** @type {HeatScene | null} */
    this.scene = null;
    this.readout = new HoverReadout(div, (x, y) => this.read(x, y));
    this.canvas.addEventListener("click", (e) => this.click(e));
    // a tapped cell's value stays shown until a finger lands elsewhere
    document.addEventListener("pointerdown", (e) => {
      if (e.pointerType === "touch" && this.readout.at && !(e.target instanceof Node && div.contains(e.target))) {
        this.readout.at = null;
        this.readout.hide();
      }
    });
    this.canvas.addEventListener("pointermove", (e) => {
      if (e.pointerType === "touch") return;
      const [x, y] = this.at(e);
      const cursor = this.chosen && this.geometry && hitCell(this.geometry, x, y) ? "pointer" : "";
      if (this.canvas.style.cursor !== cursor) this.canvas.style.cursor = cursor;
    });
  }

  /** Layer buttons 1..L (rebuilt when the architecture changes). @param {number} layers @param {number} current */
  setLayers(layers, current) {
    if (layers !== this.layers) {
      this.layers = layers;
      this.tabs.replaceChildren(...Array.from({ length: layers }, (_, k) => el("button", {
        type: "button", text: String(k + 1), dataset: { layer: String(k + 1) },
        tip: `Layer ${k + 1}: W${k + 1} maps the ${k === 0 ? "inputs" : `${k}${k === 1 ? "st" : k === 2 ? "nd" : k === 3 ? "rd" : "th"} hidden layer`} to the ${k === layers - 1 ? "outputs" : "next layer"}.`,
        on: { click: () => this.onLayer(k + 1) },
      })));
    }
    for (const b of this.tabs.children) b.setAttribute("aria-pressed", String(Number(/** @type {HTMLElement} */ (b).dataset.layer) === current));
  }

  /** An event's point, px from the box's top left. @param {MouseEvent} e @returns {[number, number]} */
  at(e) {
    const r = this.div.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  /** The hover's lines for the cell under (x, y), as the Plotly figure wrote them, or null.
   * @param {number} x @param {number} y */
  read(x, y) {
    const hit = this.geometry && this.scene ? hitCell(this.geometry, x, y) : null;
    if (!hit || !this.scene) return null;
    const { m, name } = this.scene.panels[hit.panel];
    const row = m && m[hit.row];
    return row ? cellText(name, hit.row, hit.col, row[hit.col]) : null;
  }

  /** A click, or a tap (its nearest cell, and its value shown: a finger has no hover), on a cell:
   * while the plane is "weights", that weight becomes a landscape axis. @param {MouseEvent} e */
  click(e) {
    if (!this.geometry || !this.scene || !this.scene.panels[0].m) return;
    const [x, y] = this.at(e);
    const touch = /** @type {PointerEvent} */ (e).pointerType === "touch" || noHover();
    const hit = hitCell(this.geometry, x, y, touch ? TOUCH_SLOP : 0);
    if (!hit) return;
    if (touch) {
      this.readout.at = cellCenter(this.geometry.panels[hit.panel], hit.row, hit.col);
      this.readout.refresh();
    }
    // the page decides (the plane now, not at the last drawing: a click just after the switch
    // to "weights" came before the heatmaps knew it, and was lost)
    this.onPickWeight(this.layer, hit.row, hit.col);
  }

  /** A key on the focused heatmaps: an arrow moves the cell, Enter or Space picks its weight
   * (while the plane is "weights", as a click). @param {KeyboardEvent} e */
  key(e) {
    const m = this.scene && this.scene.panels[0].m;
    if (!m || !m.length || !this.focusCell) return;
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      this.onPickWeight(this.layer, this.focusCell[0], this.focusCell[1]);
      return;
    }
    const to = moveFocus(this.focusCell, e.key, m.length, m[0].length);
    if (!to) return;
    e.preventDefault();
    e.stopPropagation(); // not also the page's own arrow keys (a step, the learning rate)
    this.showFocus(to);
  }

  /** The keyboard's cell: outlined, and its value in the readout. @param {[number, number]} cell */
  showFocus(cell) {
    const m = this.scene && this.scene.panels[0].m;
    if (!m || !m.length || !this.geometry) return;
    this.focusCell = [Math.min(cell[0], m.length - 1), Math.min(cell[1], m[0].length - 1)];
    this.readout.at = cellCenter(this.geometry.panels[0], this.focusCell[0], this.focusCell[1]);
    this.readout.refresh();
    this.repaint();
  }

  /** The last drawing again (the keyboard's cell moved), from what it drew. */
  repaint() {
    const ctx = this.canvas.getContext("2d");
    if (!ctx || !this.geometry || !this.scene) return;
    this.scene.focus = this.focusCell;
    paintHeatmaps(ctx, this.geometry, this.scene, this.images);
  }

  /**
   * run: a NetRun (or null); layer: 1-based; label: which run, for the note; chosen: the
   * landscape's two weights [[layer, row, col], ...] to outline, or null when not in that mode;
   * unit: a hidden unit picked on the unit maps ({layer, unit}): its weights in (a row of its
   * layer's W) and out (a column of the next W) are outlined.
   * @param {NetRun | null} run @param {number} layer @param {string} label
   * @param {WeightTriple[] | null} [chosen] @param {Unit | null} [unit]
   */
  draw(run, layer, label, chosen = null, unit = null) {
    this.layer = layer;
    const width = this.div.clientWidth;
    const height = this.div.clientHeight;
    if (!width || !height || this.div.offsetParent === null) return;
    const w = run && run.weights ? run.weights.layers[layer - 1] : null;
    const g = run && run.grads ? run.grads.layers[layer - 1] : null;
    const c = this.canvas;
    const dpr = fitCanvas(c, width, height, { style: true });
    const ctx = c.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const fs = this.fontSize ?? Math.max(10, Math.round(parseFloat(getComputedStyle(this.div).fontSize) * 0.85));
    const tickSize = Math.max(9, fs - 1);
    const rows = w ? w.W.length : 1;
    const cols = w && w.W[0] ? w.W[0].length : 1;
    const mats = [w ? w.W : null, g ? g.W : null];
    const a = mats.map((m) => (m ? symmetricMax(m) : 1));
    ctx.font = `${tickSize}px ${FONT}`;
    const yLabelW = ctx.measureText(String(unitTicks(rows).pop())).width;
    // at least a two-digit label's room: the matrices keep still while the values change
    let barLabelW = ctx.measureText("\u22120.55").width;
    for (const [k, m] of mats.entries()) if (m) for (const v of barTicks(a[k])) barLabelW = Math.max(barLabelW, ctx.measureText(tickLabel(v)).width);
    const geometry = heatLayout({ width, height, rows, cols, fontSize: fs, tickSize, yLabelW, barLabelW, dpr });

    this.unitShown = null;
    if (unit && w && (unit.layer === layer || unit.layer + 1 === layer)) {
      this.unitShown = { ...unit, into: unit.layer === layer }; // into: W_layer's row u, what unit u takes in
    }
    /** @type {HeatScene} */
    const scene = {
      layer, shape: w ? `${rows}×${cols}` : "", fontSize: fs, tickSize,
      panels: [{ m: mats[0], a: a[0], name: `W${layer}` }, { m: mats[1], a: a[1], name: `∂L/∂W${layer}` }],
      chosen: w ? (chosen || []).filter(([l]) => l === layer).map(([, row, col]) => /** @type {[number, number]} */ ([row, col])) : [],
      unit: this.unitShown ? { index: this.unitShown.unit, into: this.unitShown.into } : null,
      focus: this.focusCell,
    };
    for (const [k, m] of mats.entries()) if (m && w) this.paintImage(k, m, a[k]);
    paintHeatmaps(ctx, geometry, scene, this.images);
    this.geometry = geometry;
    this.scene = scene;
    this.chosen = chosen;
    const panels = geometry ? JSON.stringify(geometry.panels.map(({ left, top, cellW, cellH, rows: r, cols: n }) => ({ left, top, cellW, cellH, rows: r, cols: n }))) : "";
    if (c.dataset.panels !== panels) c.dataset.panels = panels;
    const step = run && run.weights ? `${label}, step ${run.weights.step}` : label;
    const alt = this.describe(scene, step, chosen);
    if (c.getAttribute("aria-label") !== alt) c.setAttribute("aria-label", alt);
    this.readout.refresh();
    const shown = this.unitShown ? ` · unit ${this.unitShown.unit + 1} of layer ${this.unitShown.layer}: its weights ${this.unitShown.into ? "in (a row)" : "out (a column)"}` : "";
    if (this.note) this.note.textContent = (chosen ? `${step} · ${clickWord()} a weight: a landscape axis` : step) + shown;
  }

  /** Matrix k's pixels, one a cell, into its image (sized again when the shape changes).
   * @param {number} k @param {(number | null)[][]} m @param {number} a */
  paintImage(k, m, a) {
    const rows = m.length;
    const cols = rows ? m[0].length : 0;
    if (!rows || !cols) return;
    const img = this.images[k];
    let px = this.pixels[k];
    if (!px || px.width !== cols || px.height !== rows) {
      px = new ImageData(cols, rows);
      this.pixels[k] = px;
      img.width = cols;
      img.height = rows;
    }
    fillImage(px.data, m, a);
    const ictx = img.getContext("2d");
    if (ictx) ictx.putImageData(px, 0, 0);
  }

  /** The figure in words, for a screen reader: each matrix's range and where its extremes are,
   * and what is outlined. @param {HeatScene} scene @param {string} step which run, which step
   * @param {WeightTriple[] | null} chosen */
  describe(scene, step, chosen) {
    const [wp, gp] = scene.panels;
    if (!wp.m) return `Layer ${scene.layer}'s weights and their gradients: they arrive with the first steps`;
    const parts = [`Layer ${scene.layer}, ${step}. Weights ${describeMatrix(wp.name, wp.m)}`];
    if (gp.m) parts.push(`gradients ${describeMatrix(gp.name, gp.m)}`);
    const u = this.unitShown;
    if (u) parts.push(`outlined: ${u.into ? `row ${u.unit}, the weights into` : `column ${u.unit}, the weights out of`} unit ${u.unit + 1} of layer ${u.layer}`);
    if (chosen) parts.push(`the landscape's axes: ${chosen.map(([l, r, col], k) => `${k ? "y" : "x"} = W${l}[${r}, ${col}]`).join(", ")}`);
    return `${parts.join("; ")}.`;
  }
}

/** The gradient-norm chart's title: which line is which layer (the run is the selected one).
 * @param {NetRun | null | undefined} run */
export function gradNormTitle(run) {
  if (!run) return "Gradient norm per layer";
  return run.layers > 1 ? "‖∂L/∂W‖ per layer, dark = deep" : "‖∂L/∂W‖ of the one layer";
}

/**
 * One decimated series {name, color, x, y} of a NetRun's typed array.
 * @param {string} name @param {string} color @param {Float64Array | Int32Array} xs
 * @param {Float64Array} ys @param {number} n the points in use @param {number} [scale]
 * @returns {import("../shared/linechart.js").Series}
 */
export function series(name, color, xs, ys, n, scale = 1) {
  const d = minMaxDecimate(xs, ys, n);
  return { name, color, x: d.x, y: scale === 1 ? d.y : d.y.map((v) => (v === null ? null : v * scale)) };
}

/** The series of the gradient-norm chart: one line per layer of `run`.
 * @param {NetRun | null | undefined} run */
export function gradNormSeries(run) {
  if (!run) return [];
  return run.gn.map((ys, l) => series(`layer ${l + 1}`, layerColor(l, run.layers), run.step, ys, run.n));
}
