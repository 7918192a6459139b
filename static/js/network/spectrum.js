// @ts-check
// The Hessian's spectrum at one run's current weights, on request (the `spectrum` message,
// docs/protocol.md "Curvature (issue #15)"): a histogram of its eigenvalues on a log count axis,
// negative ones hatched (directions in which the loss curves down: a saddle), the 2/lr line
// marked, and a caption in words.

import { fmt } from "../shared/format.js";
import { FONT } from "../shared/canvas-axes.js";
import { PLOT_CONFIG } from "../shared/plots.js";

/**
 * The parts of a `spectrum` answer drawn here.
 * @typedef {object} SpectrumMessage
 * @property {number} run
 * @property {number} step
 * @property {number} n_params
 * @property {boolean} complete every eigenvalue (else the k smallest and k largest)
 * @property {number | null} k
 * @property {number[]} eigenvalues ascending
 * @property {{ counts: number[], edges: number[] }} histogram
 * @property {number} sharpness
 * @property {number | null} sharpness_threshold 2/lr
 * @property {number} negative
 */

const POSITIVE = "#1c7ed6";
const NEGATIVE = "#e03131";

/**
 * The caption: how many eigenvalues, how many negative, the largest against 2/lr.
 * @param {SpectrumMessage} m
 * @param {string} name the run, as "2. Adam"
 */
export function spectrumCaption(m, name) {
  const which = m.complete
    ? `all ${m.eigenvalues.length} eigenvalues of the Hessian (one per weight)`
    : `the ${m.k} smallest and ${m.k} largest of its ${m.n_params.toLocaleString("en")} eigenvalues`;
  const neg = m.negative
    ? `${m.negative} negative (hatched): directions in which the loss curves down, so the weights sit near a saddle, not in a bowl`
    : "none negative: the loss curves up in every direction here";
  const line = m.sharpness_threshold ? `; the largest, ${fmt(m.sharpness)}, is ${fmt(m.sharpness / m.sharpness_threshold, 2)} of 2/lr = ${fmt(m.sharpness_threshold)}` : "";
  return `${name} at step ${m.step}: ${which}; ${neg}${line}. Most sit near 0 (flat directions); a long tail to the right is sharpness.`;
}

export class SpectrumView {
  /**
   * @param {{ plot: HTMLElement, caption: HTMLElement, button: HTMLButtonElement }} nodes
   * @param {{ ask: () => boolean | undefined, plotly: () => Promise<void> }} actions plotly: loads it
   */
  constructor(nodes, { ask, plotly }) {
    this.nodes = nodes;
    this.plotly = plotly;
    this.busy = false;
    /** @type {{ run: number, step: number, complete: boolean, negative: number, count: number, sharpness: number } | null} for tests */
    this.last = null;
    nodes.button.addEventListener("click", () => {
      if (this.busy) return;
      if (ask()) {
        this.busy = true;
        nodes.button.disabled = true;
        nodes.caption.textContent = "Computing the eigenvalues…";
      }
    });
  }

  /** @param {boolean} enabled there is a run to ask about */
  setEnabled(enabled) {
    this.nodes.button.disabled = this.busy || !enabled;
  }

  /** New runs: the old spectrum is of weights that are gone. */
  clear() {
    this.last = null;
    this.nodes.plot.hidden = true;
    if (!this.busy) this.nodes.caption.textContent = "";
  }

  /** The server refused something (perhaps this request): ready to ask again. */
  failed() {
    if (!this.busy) return;
    this.busy = false;
    this.nodes.button.disabled = false;
    this.nodes.caption.textContent = "";
  }

  /** @param {SpectrumMessage} m @param {string} name */
  show(m, name) {
    this.busy = false;
    this.nodes.button.disabled = false;
    this.last = { run: m.run, step: m.step, complete: m.complete, negative: m.negative, count: m.eigenvalues.length, sharpness: m.sharpness };
    this.nodes.caption.textContent = spectrumCaption(m, name);
    const plot = this.nodes.plot;
    plot.hidden = false;
    if (!window.Plotly) {
      // asked for: Plotly now (on a phone it waits for such a figure), then this spectrum unless
      // a newer one or new runs came meanwhile
      const shown = this.last;
      this.plotly().then(() => {
        if (this.last === shown) this.show(m, name);
      }, () => {}); // the page says Plotly did not come
      return;
    }
    const { counts, edges } = m.histogram;
    const mids = counts.map((_, i) => (edges[i] + edges[i + 1]) / 2);
    const widths = counts.map((_, i) => edges[i + 1] - edges[i]);
    const negative = mids.map((x) => x < 0);
    /** @type {Plotly.Data[]} */
    const traces = [{
      type: "bar", x: mids, y: counts.map((c) => (c > 0 ? c : null)), width: widths,
      marker: {
        color: negative.map((n) => (n ? NEGATIVE : POSITIVE)),
        pattern: { shape: negative.map((n) => (n ? "/" : "")), fgcolor: "#ffffff", size: 5 },
        line: { width: 0 },
      },
      hovertemplate: "%{y} eigenvalue(s) near %{x:.3g}<extra></extra>",
    }];
    /** @type {Plotly.Layout} */
    const layout = {
      margin: { l: 34, r: 8, t: 8, b: 30 }, height: plot.clientHeight || 150,
      font: { family: FONT, size: 11, color: "#1b1f24" }, paper_bgcolor: "#ffffff", plot_bgcolor: "#ffffff",
      bargap: 0, showlegend: false,
      xaxis: { title: { text: "eigenvalue", standoff: 2 }, zeroline: true, zerolinecolor: "#868e96", fixedrange: true, exponentformat: "e" },
      yaxis: { type: "log", title: { text: "count", standoff: 2 }, fixedrange: true, dtick: 1 },
      shapes: [], annotations: [],
    };
    const line = m.sharpness_threshold;
    const hi = edges[edges.length - 1];
    if (line && line <= hi * 1.5) {
      layout.shapes.push({ type: "line", xref: "x", yref: "paper", x0: line, x1: line, y0: 0, y1: 1, line: { color: "#212529", width: 1.5, dash: "dot" } });
      layout.annotations.push({ x: line, y: 1, xref: "x", yref: "paper", text: "2/lr", showarrow: false, xanchor: "right", yanchor: "top", font: { size: 11 } });
    }
    window.Plotly.react(plot, traces, layout, PLOT_CONFIG);
  }
}
