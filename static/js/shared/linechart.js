// @ts-check
// A small line chart on <canvas> (loss per step, gradient norm): log or linear y, decade ticks,
// dashed faded series for ghosts, and a hover readout of the nearest point. About 1 ms per redraw,
// where a Plotly.react of the same chart costs 15-20 ms whatever the points
// (docs/performance-browser.md): the side charts redraw several times a second while runs play.
// Page-agnostic: new CanvasLineChart(container, {title, ytitle}); chart.update(series, {log}).

import { niceTicks } from "./canvas-axes.js";
import { fmt } from "./format.js";
import { fitCanvas } from "./canvas-scale.js";

const TITLE_X = 6; // the title's left edge, px
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
/** @type {Record<string, string>} */
const SUPERSCRIPT = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };
/** @param {number} k */
const power = (k) => (k === 0 ? "1" : k === 1 ? "10" : `10${String(k).replace(/./g, (c) => SUPERSCRIPT[c])}`);

/**
 * One line of a chart: y[i] at step x[i] (null: a gap).
 * @typedef {object} Series
 * @property {string} name
 * @property {string} color
 * @property {ArrayLike<number>} x
 * @property {ArrayLike<number | null>} y
 * @property {number[]} [lineDash] a canvas dash pattern (run-style.js)
 * @property {string} [dash] dotted, when set (ghosts)
 * @property {number} [opacity]
 * @property {number} [width]
 * @property {number} [dots] draw a dot of this radius at each point (a marker: the best step)
 */

export class CanvasLineChart {
  /**
   * @param {HTMLElement} container
   * @param {{ title: string, ytitle: string, xtitle?: string }} titles
   */
  constructor(container, { title, ytitle, xtitle = "step" }) {
    this.container = container;
    this.title = title;
    this.ytitle = ytitle;
    this.xtitle = xtitle;
    /** @type {Series[]} */
    this.series = [];
    this.log = true;
    this.logx = false;
    /** @type {[number, number] | null} the mouse, in CSS pixels */
    this.hover = null;
    /**
     * The last drawing's scales, for the hover readout.
     * @type {{ X: (x: number) => number, Y: (v: number) => number, ty: (v: number | null) => number, m: { l: number, r: number, t: number, b: number }, pw: number, ph: number, xmax: number, ylo: number, yhi: number } | null}
     */
    this.view = null;
    this.canvas = document.createElement("canvas");
    this.canvas.className = "linechart";
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute("aria-label", title); // and each line's last point, once there is data
    container.append(this.canvas);
    this.canvas.addEventListener("mousemove", (e) => {
      const r = this.canvas.getBoundingClientRect();
      this.hover = [e.clientX - r.left, e.clientY - r.top];
      this.draw();
    });
    this.canvas.addEventListener("mouseleave", () => {
      this.hover = null;
      this.draw();
    });
    /** @type {{ key: string, text: string, font: string } | null} the title as last fitted */
    this.fitted = null;
    new ResizeObserver(() => this.draw()).observe(container);
  }

  /**
   * series: [{name, color, x, y, lineDash?, dash?, opacity?}]; lineDash: a canvas dash pattern
   * (run-style.js), dash: dotted (ghosts). Missing or (on a log axis) non-positive y are gaps.
   */
  /** @param {Series[]} series @param {{ log?: boolean, logx?: boolean }} [options] a log y axis (default) or linear; a log x axis (x > 0 only) */
  update(series, { log = true, logx = false } = {}) {
    this.series = series;
    this.log = log;
    this.logx = logx;
    this.canvas.setAttribute("aria-label", this.describe());
    this.draw();
  }

  /** What the chart shows, for a screen reader: its title and each line's last point. */
  describe() {
    const last = this.series.filter((s) => s.x.length && s.name !== "ghost").map((s) => {
      const y = s.y[s.y.length - 1];
      return `${s.name} ${typeof y === "number" && Number.isFinite(y) ? fmt(y) : "no value"} at ${s.x[s.x.length - 1]}`;
    });
    return last.length ? `${this.title}: ${last.join("; ")}` : this.title;
  }

  resize() {
    this.draw();
  }

  /**
   * Set ctx's font for the title and return the text to draw within `room` px: at the chart's
   * title size, or up to 2 px smaller (a side chart at 1366 px), else cut with an ellipsis (the
   * aria-label keeps it whole). The canvas records what it drew (data-title-shown, -font).
   * @param {CanvasRenderingContext2D} ctx @param {number} fs the ticks' size, px @param {number} room
   */
  fitTitle(ctx, fs, room) {
    // measured once per size: setting ctx.font and measuring text costs more than the lines
    const key = `${fs}|${room}|${this.title}`;
    if (this.fitted && this.fitted.key === key) {
      ctx.font = this.fitted.font;
      return this.fitted.text;
    }
    let text = this.title;
    for (let size = fs + 1; size >= Math.max(9, fs - 1); size--) {
      ctx.font = `600 ${size}px ${FONT}`;
      if (ctx.measureText(text).width <= room) break;
    }
    if (ctx.measureText(text).width > room) {
      while (text.length > 1 && ctx.measureText(`${text}…`).width > room) text = text.slice(0, -1);
      text = `${text.trimEnd()}…`;
    }
    this.canvas.dataset.titleShown = text;
    this.canvas.dataset.titleFont = ctx.font;
    this.fitted = { key, text, font: ctx.font };
    return text;
  }

  draw() {
    const width = this.container.clientWidth;
    const height = this.container.clientHeight;
    if (width < 20 || height < 20) return;
    const c = this.canvas;
    const dpr = fitCanvas(c, width, height, { style: true });
    const ctx = c.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const fs = Math.max(10, Math.round(parseFloat(getComputedStyle(this.container).fontSize) * 0.85));
    const m = { l: 4 + 3.4 * fs, r: 10, t: 6 + 1.4 * fs, b: 6 + 2.2 * fs };
    const title = this.fitTitle(ctx, fs, width - 6 - TITLE_X);
    ctx.fillStyle = "#1b1f24";
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    ctx.fillText(title, TITLE_X, 4);

    /** @param {number | null} v the value on the axis: its log10 on a log axis; NaN if none */
    const ty = (v) => (v === null ? NaN : this.log ? (v > 0 ? Math.log10(v) : NaN) : v);
    // A log x axis (steps over decades: grokking; widths) draws x > 0 only.
    /** @param {number} x */
    const tx = (x) => (this.logx ? (x > 0 ? Math.log10(x) : NaN) : x);
    let xmin = this.logx ? Infinity : 0;
    let xmax = 1;
    let ylo = Infinity;
    let yhi = -Infinity;
    for (const s of this.series) {
      for (let i = 0; i < s.y.length; i++) {
        const v = ty(s.y[i]);
        if (!Number.isFinite(v)) continue;
        if (v < ylo) ylo = v;
        if (v > yhi) yhi = v;
        if (s.x[i] > xmax) xmax = s.x[i];
        if (this.logx && s.x[i] > 0 && s.x[i] < xmin) xmin = s.x[i];
      }
    }
    const lx0 = this.logx ? Math.log10(Number.isFinite(xmin) ? xmin : 1) : 0;
    const lx1 = this.logx ? Math.max(lx0 + 1e-9, Math.log10(xmax)) : xmax;
    const pw = width - m.l - m.r;
    const ph = height - m.t - m.b;
    ctx.font = `${fs}px ${FONT}`;
    ctx.fillStyle = "#5b6470";
    ctx.strokeStyle = "#9aa5b1";
    if (!Number.isFinite(ylo)) {
      ctx.textBaseline = "middle";
      ctx.fillText("no data yet", m.l + 4, m.t + ph / 2);
      this.view = null;
      return;
    }
    if (yhi - ylo < 1e-12) {
      ylo -= this.log ? 0.5 : Math.abs(ylo) * 0.1 + 1;
      yhi += this.log ? 0.5 : Math.abs(yhi) * 0.1 + 1;
    }
    const pad = (yhi - ylo) * 0.06;
    ylo -= pad;
    yhi += pad;
    /** @param {number} x */
    const X = (x) => m.l + ((tx(x) - lx0) / (lx1 - lx0)) * pw;
    /** @param {number} v */
    const Y = (v) => m.t + (1 - (v - ylo) / (yhi - ylo)) * ph;
    this.view = { X, Y, ty, m, pw, ph, xmax, ylo, yhi };

    // axes, grid, ticks
    ctx.strokeStyle = "#eef0f3";
    ctx.lineWidth = 1;
    ctx.textBaseline = "middle";
    ctx.textAlign = "right";
    const yticks = this.log
      ? (() => {
        const k0 = Math.ceil(ylo);
        const k1 = Math.floor(yhi);
        const every = Math.max(1, Math.ceil((k1 - k0 + 1) / 4));
        const t = [];
        for (let k = k1; k >= k0; k -= every) t.push(k);
        return t.length ? t : niceTicks(ylo, yhi, 3);
      })()
      : niceTicks(ylo, yhi, 3);
    for (const v of yticks) {
      const y = Y(v);
      ctx.beginPath();
      ctx.moveTo(m.l, y);
      ctx.lineTo(m.l + pw, y);
      ctx.stroke();
      const label = this.log && Number.isInteger(v) ? power(v) : this.log ? fmt(10 ** v, 2) : fmt(v, 3);
      ctx.fillText(label, m.l - 4, y);
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const xticks = this.logx
      ? Array.from({ length: Math.floor(lx1) - Math.ceil(lx0) + 1 }, (_, k) => 10 ** (Math.ceil(lx0) + k))
      : niceTicks(0, xmax, 4);
    for (const v of xticks) {
      const x = X(v);
      ctx.beginPath();
      ctx.moveTo(x, m.t);
      ctx.lineTo(x, m.t + ph);
      ctx.stroke();
      const label = this.logx ? power(Math.round(Math.log10(v))) : fmt(v, 3);
      const half = ctx.measureText(label).width / 2;
      ctx.fillText(label, Math.min(x, width - half - 2), m.t + ph + 3); // the last one stays inside
    }
    ctx.fillText(this.logx ? `${this.xtitle} (log)` : this.xtitle, m.l + pw / 2, m.t + ph + 3 + fs * 1.1);
    ctx.strokeStyle = "#9aa5b1";
    ctx.strokeRect(m.l, m.t, pw, ph);

    // the series
    ctx.save();
    ctx.beginPath();
    ctx.rect(m.l, m.t, pw, ph);
    ctx.clip();
    ctx.lineJoin = "round";
    for (const s of this.series) {
      ctx.strokeStyle = s.color;
      ctx.globalAlpha = s.opacity ?? 1;
      ctx.lineWidth = s.width ?? 2;
      ctx.setLineDash(s.lineDash ?? (s.dash ? [2, 3] : []));
      ctx.beginPath();
      let pen = false;
      for (let i = 0; i < s.y.length; i++) {
        const v = ty(s.y[i]);
        const x = X(s.x[i]);
        if (!Number.isFinite(v) || !Number.isFinite(x)) {
          pen = false;
          continue;
        }
        const y = Y(v);
        if (pen) ctx.lineTo(x, y);
        else ctx.moveTo(x, y);
        pen = true;
      }
      ctx.stroke();
      if (s.dots) {
        ctx.fillStyle = s.color;
        ctx.setLineDash([]);
        for (let i = 0; i < s.y.length; i++) {
          const v = ty(s.y[i]);
          const x = X(s.x[i]);
          if (!Number.isFinite(v) || !Number.isFinite(x)) continue;
          ctx.beginPath();
          ctx.arc(x, Y(v), s.dots, 0, 2 * Math.PI);
          ctx.fill();
        }
      }
    }
    ctx.restore();
    this._drawHover(ctx, fs);
  }

  /**
   * The nearest point to the mouse: a dot and "name, step k: value".
   * @param {CanvasRenderingContext2D} ctx @param {number} fs font size, px
   */
  _drawHover(ctx, fs) {
    const v = this.view;
    if (!this.hover || !v) return;
    const [hx, hy] = this.hover;
    /** @type {{ d: number, s: Series, i: number, t: number } | null} */
    let best = null;
    for (const s of this.series) {
      for (let i = 0; i < s.y.length; i++) {
        const t = v.ty(s.y[i]);
        if (!Number.isFinite(t) || !Number.isFinite(v.X(s.x[i]))) continue;
        const d = (v.X(s.x[i]) - hx) ** 2 + (v.Y(t) - hy) ** 2;
        if (!best || d < best.d) best = { d, s, i, t };
      }
    }
    if (!best || best.d > 40 ** 2) return;
    const x = v.X(best.s.x[best.i]);
    const y = v.Y(best.t);
    ctx.fillStyle = best.s.color;
    ctx.beginPath();
    ctx.arc(x, y, 4, 0, 2 * Math.PI);
    ctx.fill();
    const text = `${best.s.name}, ${this.xtitle} ${best.s.x[best.i]}: ${this.ytitle} = ${fmt(best.s.y[best.i], 4)}`;
    ctx.font = `${fs}px ${FONT}`;
    const w = ctx.measureText(text).width + 10;
    const bx = Math.min(Math.max(4, x - w / 2), this.canvas.clientWidth - w - 4);
    const by = y - fs * 2.2 < v.m.t ? y + 8 : y - fs * 2.2;
    ctx.fillStyle = "rgba(27, 31, 36, 0.92)";
    ctx.fillRect(bx, by, w, fs * 1.6);
    ctx.fillStyle = "#fff";
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    ctx.fillText(text, bx + 5, by + fs * 0.8);
  }
}

/**
 * Reduce a series to at most ~2*buckets points keeping each bucket's extremes, so a spike or an
 * oscillation survives (a plain stride would alias a zig-zag away).
 * @param {Float64Array | Int32Array} xs
 * @param {Float64Array} ys NaN where missing
 * @param {number} n the points in use
 * @param {number} [buckets]
 * @returns {{ x: number[], y: (number | null)[] }}
 */
export function minMaxDecimate(xs, ys, n, buckets = 300) {
  if (n <= buckets * 2) return { x: Array.from(xs.subarray(0, n)), y: Array.from(ys.subarray(0, n), (v) => (Number.isFinite(v) ? v : null)) };
  /** @type {number[]} */
  const x = [];
  /** @type {number[]} */
  const y = [];
  const size = n / buckets;
  for (let b = 0; b < buckets; b++) {
    const i0 = Math.floor(b * size);
    const i1 = Math.min(n, Math.floor((b + 1) * size));
    let lo = -1;
    let hi = -1;
    for (let i = i0; i < i1; i++) {
      const v = ys[i];
      if (!Number.isFinite(v)) continue;
      if (lo < 0 || v < ys[lo]) lo = i;
      if (hi < 0 || v > ys[hi]) hi = i;
    }
    if (lo < 0) continue;
    const [a, c] = lo <= hi ? [lo, hi] : [hi, lo];
    x.push(xs[a], xs[c]);
    y.push(ys[a], ys[c]);
  }
  const last = n - 1;
  if (Number.isFinite(ys[last])) {
    x.push(xs[last]);
    y.push(ys[last]);
  }
  return { x, y };
}
