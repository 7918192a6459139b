// @ts-check
// The network view's charts: the series of the line charts (loss and accuracy per step for every
// run, gradient norms per layer for the selected run: on a log scale, vanishing and exploding
// gradients show as lines drifting apart; drawn by linechart.js on canvas), and heatmaps of the
// selected run's weights and gradients, one layer at a time (Plotly).

import { el } from "../shared/controls.js";
import { isNum } from "../shared/format.js";
import { minMaxDecimate } from "../shared/linechart.js";
import { FONT, PLOT_CONFIG } from "../shared/plots.js";
import { clickWord } from "../shared/touch.js";

/** @typedef {import("./run.js").NetRun} NetRun */
/** @typedef {import("./state.js").WeightTriple} WeightTriple */
/** @typedef {{ layer: number, unit: number }} Unit a hidden unit (layer from 1, unit from 0) */

// Layers from the input side (light) to the output side (dark), in one hue: their order reads.
const LAYER_COLORS = ["#74c0fc", "#4dabf7", "#339af0", "#1c7ed6", "#1864ab", "#0b3d6e", "#051f3a"];

/** @param {number} l @param {number} layers */
function layerColor(l, layers) {
  const offset = Math.max(0, LAYER_COLORS.length - layers - 1);
  return LAYER_COLORS[Math.min(LAYER_COLORS.length - 1, offset + l)];
}

/** The selected run's weights and gradients of one layer, as two heatmaps side by side. */
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
    this.bound = false;
    this.layer = 1;
    this.layers = 0;
    this.fontSize = 11;
    /** @type {WeightTriple[] | null} the landscape's two weights, while a click picks one */
    this.chosen = null;
    /** @type {(Unit & { into: boolean }) | null} */
    this.unitShown = null;
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
    if (!window.Plotly || !this.div.clientWidth || this.div.offsetParent === null) return;
    const w = run && run.weights ? run.weights.layers[layer - 1] : null;
    const g = run && run.grads ? run.grads.layers[layer - 1] : null;
    const fs = this.fontSize;
    const sym = (/** @type {(number | null)[][]} */ m) => {
      let a = 0;
      for (const row of m) for (const v of row) if (isNum(v)) a = Math.max(a, Math.abs(v));
      return a || 1;
    };
    /** @param {number[][]} m @param {string} k @param {string} name @param {number} cbx @returns {Plotly.Data} */
    const heat = (m, k, name, cbx) => {
      const a = sym(m);
      return {
        type: "heatmap", z: m, xaxis: `x${k}`, yaxis: `y${k}`, zmin: -a, zmax: a,
        colorscale: "RdBu", reversescale: true, xgap: 1, ygap: 1,
        colorbar: { thickness: 7, len: 0.9, x: cbx, xpad: 0, tickfont: { size: fs - 2 }, nticks: 4, outlinewidth: 0, exponentformat: "e" },
        hovertemplate: `${name}[%{y}, %{x}] = %{z:.3g}<br>(to unit %{y} from unit %{x})<extra></extra>`,
      };
    };
    const traces = [];
    if (w) traces.push(heat(w.W, "", `W${layer}`, 0.405));
    if (g) traces.push(heat(g.W, "2", `∂L/∂W${layer}`, 1.0));
    /** @param {number[]} domain @param {string} anchor @param {Plotly.Layout} [extra] */
    const axis = (domain, anchor, extra = {}) => ({
      domain, anchor, fixedrange: true, showgrid: false, zeroline: false, ticks: "", visible: Boolean(w),
      tickfont: { size: fs - 2 }, ...extra,
    });
    const shape = w ? `${w.W.length}×${w.W[0].length}` : "";
    // Whole-number ticks (unit indices), at most about six of them.
    const ticks = (/** @type {number} */ n) => ({ tickmode: "linear", tick0: 0, dtick: Math.max(1, Math.ceil(n / 6)) });
    const rows = w ? w.W.length : 1;
    const cols = w ? w.W[0].length : 1;
    /** @type {Plotly.Layout} */
    const layout = {
      margin: { l: 22, r: 26, t: 18, b: 16 },
      font: { family: FONT, size: fs, color: "#1b1f24" },
      paper_bgcolor: "#ffffff", plot_bgcolor: "#ffffff", showlegend: false,
      xaxis: axis([0, 0.36], "y", ticks(cols)),
      yaxis: axis([0, 1], "x", { autorange: "reversed", ...ticks(rows) }),
      xaxis2: axis([0.54, 0.9], "y2", ticks(cols)),
      yaxis2: axis([0, 1], "x2", { autorange: "reversed", showticklabels: false }),
      annotations: [
        { text: `<b>W${layer}</b> ${shape}`, x: 0.18, y: 1, xref: "paper", yref: "paper", yanchor: "bottom", showarrow: false, font: { size: fs } },
        { text: `<b>∂L/∂W${layer}</b>`, x: 0.72, y: 1, xref: "paper", yref: "paper", yanchor: "bottom", showarrow: false, font: { size: fs } },
      ],
    };
    if (!w) layout.annotations.push({ text: "the weights arrive with the first steps", x: 0.5, y: 0.5, xref: "paper", yref: "paper", showarrow: false, font: { color: "#5b6470" } });
    layout.shapes = (chosen || []).filter(([l]) => l === layer && w).map(([, row, col], k) => /** @type {Plotly.Layout} */ ({
      type: "rect", xref: "x", yref: "y", x0: col - 0.5, x1: col + 0.5, y0: row - 0.5, y1: row + 0.5,
      line: { color: "#212529", width: 2.5 }, label: { text: k ? "y" : "x", font: { size: fs, color: "#212529" } },
    }));
    this.unitShown = null;
    if (unit && w && (unit.layer === layer || unit.layer + 1 === layer)) {
      const into = unit.layer === layer; // W_layer's row u: what unit u takes in
      const box = into ? { x0: -0.5, x1: cols - 0.5, y0: unit.unit - 0.5, y1: unit.unit + 0.5 } : { x0: unit.unit - 0.5, x1: unit.unit + 0.5, y0: -0.5, y1: rows - 0.5 };
      for (const ax of ["", "2"]) {
        layout.shapes.push({ type: "rect", xref: `x${ax}`, yref: `y${ax}`, ...box, line: { color: "#212529", width: 2.5, dash: into ? "solid" : "dash" } });
      }
      this.unitShown = { ...unit, into };
    }
    window.Plotly.react(this.div, traces, layout, PLOT_CONFIG);
    if (!this.bound) {
      this.bound = true;
      /** @type {Plotly.PlotlyHTMLElement} */ (this.div).on("plotly_click", (ev) => {
        const p = ev.points && ev.points[0];
        if (p && p.curveNumber === 0 && this.chosen) this.onPickWeight(this.layer, p.y, p.x);
      });
    }
    this.chosen = chosen;
    const step = run && run.weights ? `${label}, step ${run.weights.step}` : label;
    const shown = this.unitShown ? ` · unit ${this.unitShown.unit + 1} of layer ${this.unitShown.layer}: its weights ${this.unitShown.into ? "in (a row)" : "out (a column)"}` : "";
    if (this.note) this.note.textContent = (chosen ? `${step} · ${clickWord()} a weight: a landscape axis` : step) + shown;
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
