// @ts-check
// The Hessian's spectrum at one run's current weights, on request (the `spectrum` message,
// docs/protocol.md "Curvature (issue #15)"): a histogram of its eigenvalues on a log count axis,
// negative ones hatched (directions in which the loss curves down: a saddle), the 2/lr line
// marked, and a caption in words. Drawn on a canvas (spectrumLayout, paintSpectrum) with its own
// hover: no Plotly.js on the network page, whose parse would hold a phone for seconds.

import { fmt } from "../shared/format.js";
import { FONT, linearMapping, niceTicks, tickLabel } from "../shared/canvas-axes.js";
import { canvasScale, fitCanvas } from "../shared/canvas-scale.js";
import { HoverReadout } from "../shared/hover-readout.js";

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

/**
 * What the histogram shows, in data units: its non-empty bins, the axes' ranges (y in log10 of
 * the count) and the 2/lr line when it falls near the eigenvalues.
 * @typedef {{ bars: { x0: number, x1: number, count: number, negative: boolean }[],
 *   x: [number, number], y: [number, number], line: number | null }} SpectrumLayout
 */

const POSITIVE = "#1c7ed6";
const NEGATIVE = "#e03131";
const INK = "#1b1f24";
const LINE_REACH = 1.5; // the 2/lr line is drawn when it is at most 1.5 x the largest eigenvalue
const FLOOR = Math.log10(0.5); // the bars stand on half a count: a bin of one still shows

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

/**
 * The histogram's layout: its non-empty bins (a bin is negative when its middle is), the x range
 * of the bins and the 2/lr line with a 2% margin, and the y range from half a count to a bit
 * above the largest.
 * @param {SpectrumMessage} m @returns {SpectrumLayout}
 */
export function spectrumLayout(m) {
  const { counts, edges } = m.histogram;
  const bars = [];
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] > 0) bars.push({ x0: edges[i], x1: edges[i + 1], count: counts[i], negative: edges[i] + edges[i + 1] < 0 });
  }
  let lo = edges[0];
  let hi = edges[edges.length - 1];
  const t = m.sharpness_threshold;
  const line = t && t <= Math.max(hi, 0) * LINE_REACH ? t : null;
  if (line !== null) {
    lo = Math.min(lo, line);
    hi = Math.max(hi, line);
  }
  if (!(hi > lo)) {
    lo -= 0.5;
    hi += 0.5;
  }
  const pad = (hi - lo) * 0.02;
  const top = Math.log10(Math.max(1, ...counts));
  return { bars, x: [lo - pad, hi + pad], y: [FLOOR, top + Math.max(0.15, (top - FLOOR) * 0.06)], line };
}

/**
 * Paint the histogram into a width x height CSS px canvas context (already scaled): frame,
 * ticks, bars (negative ones hatched), the zero line and the dotted 2/lr line. Returns the
 * mapping from data (x, log10 count) to pixels, for the hover.
 * @param {CanvasRenderingContext2D} ctx @param {SpectrumLayout} g
 * @param {number} width @param {number} height @param {number} fs font size, px
 */
function paintSpectrum(ctx, g, width, height, fs) {
  const tick = 4;
  const left = Math.round(tick + 6 + fs * 3.2);
  const bottom = Math.round(tick + 6 + fs * 2.3);
  const m = linearMapping(left, 8, Math.max(10, width - left - 8), Math.max(10, height - 8 - bottom), [g.x, g.y]);
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, width, height);
  ctx.font = `${fs}px ${FONT}`;
  ctx.lineWidth = 1;
  const base = m.py(g.y[0]);
  for (const b of g.bars) {
    const x0 = m.px(b.x0);
    const w = Math.max(1, m.px(b.x1) - x0);
    const y = m.py(Math.log10(b.count));
    ctx.fillStyle = b.negative ? NEGATIVE : POSITIVE;
    ctx.fillRect(x0, y, w, base - y);
    if (b.negative) hatch(ctx, x0, y, w, base - y);
  }
  ctx.strokeStyle = "#868e96";
  ctx.beginPath();
  if (g.x[0] < 0 && g.x[1] > 0) { // the zero line: left of it, the loss curves down
    ctx.moveTo(Math.round(m.px(0)) + 0.5, m.top);
    ctx.lineTo(Math.round(m.px(0)) + 0.5, m.top + m.height);
  }
  ctx.stroke();
  ctx.strokeStyle = "#9aa5b1";
  ctx.strokeRect(m.left + 0.5, m.top + 0.5, m.width - 1, m.height - 1);
  // ticks: round eigenvalues below, powers of ten up the count axis
  ctx.fillStyle = INK;
  ctx.strokeStyle = INK;
  ctx.beginPath();
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const v of niceTicks(g.x[0], g.x[1], Math.max(2, Math.floor(m.width / (fs * 6))))) {
    const x = Math.round(m.px(v)) + 0.5;
    ctx.moveTo(x, m.top + m.height);
    ctx.lineTo(x, m.top + m.height + tick);
    ctx.fillText(tickLabel(v), x, m.top + m.height + tick + 2);
  }
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (let k = Math.ceil(g.y[0]); k <= g.y[1]; k++) {
    const y = Math.round(m.py(k)) + 0.5;
    ctx.moveTo(m.left, y);
    ctx.lineTo(m.left - tick, y);
    ctx.fillText(fmt(10 ** k), m.left - tick - 2, y);
  }
  ctx.stroke();
  ctx.textAlign = "center";
  ctx.textBaseline = "bottom";
  ctx.fillText("eigenvalue", m.left + m.width / 2, height - 2);
  ctx.save();
  ctx.translate(fs + 1, m.top + m.height / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText("count", 0, 0);
  ctx.restore();
  if (g.line !== null) {
    const x = Math.round(m.px(g.line)) + 0.5;
    ctx.strokeStyle = "#212529";
    ctx.lineWidth = 1.5;
    ctx.setLineDash([2, 3]);
    ctx.beginPath();
    ctx.moveTo(x, m.top);
    ctx.lineTo(x, m.top + m.height);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.textAlign = "right";
    ctx.textBaseline = "top";
    ctx.fillText("2/lr", x - 3, m.top + 2);
  }
  return m;
}

/** White diagonal stripes over a bar: a negative bin reads as such without its colour.
 * @param {CanvasRenderingContext2D} ctx @param {number} x @param {number} y @param {number} w @param {number} h */
function hatch(ctx, x, y, w, h) {
  ctx.save();
  ctx.beginPath();
  ctx.rect(x, y, w, h);
  ctx.clip();
  ctx.strokeStyle = "#ffffff";
  ctx.lineWidth = 1.2;
  ctx.beginPath();
  for (let d = -h; d < w; d += 5) {
    ctx.moveTo(x + d, y + h);
    ctx.lineTo(x + d + h, y);
  }
  ctx.stroke();
  ctx.restore();
}

/**
 * What the hover says at (x, y) px: the bin under the pointer, or the 2/lr line near it.
 * @param {SpectrumLayout} g @param {import("../shared/canvas-axes.js").Mapping} m
 * @param {number} x @param {number} y @returns {string[] | null}
 */
export function spectrumHover(g, m, x, y) {
  if (!m.inside(x, y)) return null;
  if (g.line !== null && Math.abs(m.px(g.line) - x) <= 4) return [`2/lr = ${fmt(g.line)}`, "gradient descent is stable below it"];
  const v = m.toX(x);
  const bar = g.bars.find((b) => v >= b.x0 && v <= b.x1);
  if (!bar) return null;
  const lines = [`${bar.count} eigenvalue${bar.count === 1 ? "" : "s"} near ${fmt((bar.x0 + bar.x1) / 2, 3)}`];
  if (bar.negative) lines.push("negative: the loss curves down");
  return lines;
}

export class SpectrumView {
  /**
   * @param {{ plot: HTMLElement, caption: HTMLElement, button: HTMLButtonElement }} nodes
   * @param {{ ask: () => boolean | undefined }} actions ask: send the request (false: no run)
   */
  constructor(nodes, { ask }) {
    this.nodes = nodes;
    this.busy = false;
    /** @type {{ run: number, step: number, complete: boolean, negative: number, count: number, sharpness: number } | null} for tests */
    this.last = null;
    /** @type {SpectrumLayout | null} what is drawn */
    this.layout = null;
    /** @type {import("../shared/canvas-axes.js").Mapping | null} */
    this.mapping = null;
    this.drawMs = 0; // the last drawing's cost
    this.canvas = document.createElement("canvas");
    this.canvas.setAttribute("aria-hidden", "true"); // the box is the image; the caption says it
    nodes.plot.append(this.canvas);
    this.hover = new HoverReadout(nodes.plot, (x, y) => (this.layout && this.mapping ? spectrumHover(this.layout, this.mapping, x, y) : null));
    this.size = ""; // the box's size at the last drawing
    // shown, or its column resized (a phone turned, Present): drawn again at the new size
    new ResizeObserver(() => {
      if (`${nodes.plot.clientWidth}x${nodes.plot.clientHeight}` !== this.size) this.draw();
    }).observe(nodes.plot);
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
    this.layout = null;
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
    this.layout = spectrumLayout(m);
    this.nodes.plot.hidden = false;
    this.draw();
  }

  /** The histogram at the box's size (nothing while hidden). */
  draw() {
    const box = this.nodes.plot;
    const width = box.clientWidth;
    const height = box.clientHeight;
    const ctx = this.canvas.getContext("2d");
    if (!this.layout || width < 20 || height < 20 || !ctx) return;
    const t0 = performance.now();
    this.size = `${width}x${height}`;
    const dpr = fitCanvas(this.canvas, width, height, { style: true });
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const fs = Math.max(10, Math.round(parseFloat(getComputedStyle(box).fontSize) * 0.8));
    this.mapping = paintSpectrum(ctx, this.layout, width, height, fs);
    const g = this.layout;
    // For tests and the console, as the landscape's: what the canvas shows.
    /** @type {HTMLElement & { drawn?: object }} */ (box).drawn = {
      bars: g.bars.length, hatched: g.bars.filter((b) => b.negative).length, x: g.x,
      line: g.line === null ? null : this.mapping.px(g.line), scale: canvasScale(),
    };
    this.hover.refresh();
    this.drawMs = performance.now() - t0;
  }
}
