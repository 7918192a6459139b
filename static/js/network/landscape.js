// @ts-check
// The network's loss landscape: a slice of the loss on a plane through the starting weights
// (POST /api/mlp/landscape), coloured on a log scale so that an overshooting run does not wash
// the map out, with every run's path projected onto the plane. Below it, the selected point's
// real loss beside the slice's value there, and a plain caption of what the plane is.

import { fmt, isNum } from "../shared/format.js";
import { FONT, PLOT_CONFIG, SURFACE_COLORSCALE } from "../shared/plots.js";
import { runStyle } from "../shared/run-style.js";

/** @typedef {import("../types/api").LandscapeResponse} LandscapeResponse */
/** @typedef {import("./scenes.js").LandscapeScene} LandscapeScene */
/** @typedef {Required<import("./scenes.js").ScenePath>} Path a path with points (n > 0): its readers are there */
/** @typedef {{ f: (v: number) => number, cmin: number, cmax: number, tickvals: number[], ticktext: string[] }} LogColors */

const MAX_PATH_POINTS = 1200; // per path and redraw: a stride keeps long runs cheap to draw
const AGREE = 0.05; // the slice "agrees" with the real loss within 5% (or 0.005)

/** Colours by log10(loss): decades get equal room, the top 0.5% (blow-ups) are clipped.
 * @param {(number | null)[][]} z @returns {LogColors} */
function logColors(z) {
  /** @type {number[]} */
  const vals = [];
  for (const row of z) for (const v of row) if (isNum(v) && v > 0) vals.push(v);
  vals.sort((a, b) => a - b);
  if (!vals.length) return { f: () => 0, cmin: 0, cmax: 1, tickvals: [], ticktext: [] };
  const lo = Math.max(vals[0], 1e-8);
  const hi = Math.max(vals[Math.floor(0.995 * (vals.length - 1))], lo * 1.001);
  const f = (/** @type {number} */ v) => Math.log10(Math.max(v, lo));
  const cmin = f(lo);
  const cmax = Math.log10(hi);
  /** @type {number[]} */
  const tickvals = [];
  /** @type {string[]} */
  const ticktext = [];
  const span = cmax - cmin;
  const mults = span < 0.6 ? [1, 1.5, 2, 3, 4, 5, 6, 8] : span < 1.5 ? [1, 2, 5] : span < 4 ? [1, 3] : [1];
  for (let k = Math.floor(cmin) - 1; k <= Math.ceil(cmax); k++) {
    for (const m of mults) {
      const t = Math.log10(m) + k;
      if (t >= cmin - 1e-9 && t <= cmax + 1e-9) {
        tickvals.push(t);
        ticktext.push(fmt(m * 10 ** k, 2));
      }
    }
  }
  if (tickvals.length < 3) {
    // A narrow range: four evenly spaced values, rounded.
    tickvals.length = 0;
    ticktext.length = 0;
    for (let k = 0; k < 4; k++) {
      const v = Number((10 ** (cmin + ((cmax - cmin) * (k + 0.5)) / 4)).toPrecision(2));
      tickvals.push(Math.log10(v));
      ticktext.push(fmt(v, 2));
    }
  }
  return { f, cmin, cmax, tickvals, ticktext };
}

/** The slice's loss at axis values (x, y), bilinear between grid nodes; null outside the grid.
 * @param {LandscapeResponse | null} surface @param {number | null} x @param {number | null} y
 * @returns {number | null} */
export function sliceAt(surface, x, y) {
  if (!surface || !isNum(x) || !isNum(y)) return null;
  const xs = surface.x.values;
  const ys = surface.y.values;
  const fx = ((x - xs[0]) / (xs[xs.length - 1] - xs[0])) * (xs.length - 1);
  const fy = ((y - ys[0]) / (ys[ys.length - 1] - ys[0])) * (ys.length - 1);
  if (!(fx >= 0 && fy >= 0 && fx <= xs.length - 1 && fy <= ys.length - 1)) return null;
  const i = Math.min(Math.floor(fx), xs.length - 2);
  const j = Math.min(Math.floor(fy), ys.length - 2);
  const u = fx - i;
  const w = fy - j;
  const z = surface.z;
  const c = [z[j][i], z[j][i + 1], z[j + 1][i], z[j + 1][i + 1]];
  if (!c.every(isNum)) return null;
  return (1 - w) * ((1 - u) * c[0] + u * c[1]) + w * ((1 - u) * c[2] + u * c[3]);
}

/** Indices 0..n-1 thinned to at most `max`, always keeping the last (the head).
 * @param {number} n @param {number} [max] */
function strideIndices(n, max = MAX_PATH_POINTS) {
  const step = Math.max(1, Math.ceil(n / max));
  const out = [];
  for (let k = 0; k < n; k += step) out.push(k);
  if (n && out[out.length - 1] !== n - 1) out.push(n - 1);
  return out;
}

export class LandscapeView {
  /**
   * @param {{ plot: HTMLElement, readout: HTMLElement | null, caption: HTMLElement | null }} elements
   * @param {{ onPick: (run: number, index: number) => void }} options
   */
  constructor({ plot, readout, caption }, { onPick }) {
    this.div = plot;
    this.readoutEl = readout;
    this.captionEl = caption;
    this.onPick = onPick;
    this.fontSize = 12;
    /** @type {LandscapeResponse | null} */
    this.surface = null;
    /** @type {LogColors | null} */
    this.colors = null;
    /** @type {Plotly.Data | null} the contour trace, rebuilt only with a new surface */
    this.contour = null;
    this.bound = false;
    /** @type {number[][]} what was drawn: per run, the indices of its points */
    this.paths = [];
  }

  /** @param {LandscapeResponse | null} surface */
  setSurface(surface) {
    this.surface = surface;
    this.colors = surface ? logColors(surface.z) : null;
    this.contour = surface ? this._contour(surface, /** @type {LogColors} */ (this.colors)) : null;
  }

  /** @param {LandscapeResponse} s @param {LogColors} c @returns {Plotly.Data} */
  _contour(s, c) {
    const z = s.z.map((row) => row.map((v) => (isNum(v) && v > 0 ? c.f(v) : null)));
    const text = s.z.map((row) => row.map((v) => fmt(v, 4)));
    return {
      type: "contour", x: s.x.values, y: s.y.values, z, text, zmin: c.cmin, zmax: c.cmax,
      ncontours: 24, colorscale: SURFACE_COLORSCALE, connectgaps: false,
      contours: { coloring: "fill", showlines: true },
      line: { color: "rgba(45, 65, 90, 0.3)", width: 0.7, smoothing: 0.6 },
      colorbar: {
        thickness: 10, len: 0.92, outlinewidth: 0, tickfont: { size: this.fontSize - 2 },
        tickmode: "array", tickvals: c.tickvals, ticktext: c.ticktext,
        title: { text: "loss (log)", side: "right", font: { size: this.fontSize - 1 } },
      },
      hovertemplate: "(%{x:.3g}, %{y:.3g})<br>loss on the slice: %{text}<extra></extra>",
    };
  }

  /**
   * scene: {origin: [x, y] | null, labels: [x, y], runs: [{label, color, status, n, x(k), y(k),
   *         step(k), loss(k), slice(k) | null, distance(k) | null}], pick: {run, index} | null,
   *         sliced: a surface is there, fast: training at "max" (no hover along the paths)}
   * @param {LandscapeScene} scene
   */
  draw(scene) {
    const W = this.div.clientWidth;
    const H = this.div.clientHeight;
    if (!W || !H || !window.Plotly) return false;
    const traces = this.contour ? [this.contour] : [];
    traces.push(...(scene.extra || [])); // reference paths under the runs (the gradient flow)
    const s = this.surface;
    let xr = s ? [s.x.values[0], s.x.values[s.x.values.length - 1]] : [Infinity, -Infinity];
    let yr = s ? [s.y.values[0], s.y.values[s.y.values.length - 1]] : [Infinity, -Infinity];
    /** @param {number | null} x @param {number | null} y */
    const grow = (x, y) => {
      if (!isNum(x) || !isNum(y)) return;
      xr = [Math.min(xr[0], x), Math.max(xr[1], x)];
      yr = [Math.min(yr[0], y), Math.max(yr[1], y)];
    };
    this.paths = [];
    // A blown-up path would shrink the map to a dot: the axes follow the healthy runs only.
    const healthy = scene.runs.some((r) => r.status !== "diverged" && r.n);
    for (const [i, r] of scene.runs.entries()) {
      const run = /** @type {Path} */ (r); // its readers are called for k < n only
      const idx = strideIndices(run.n);
      this.paths.push(idx);
      const xs = idx.map((k) => (isNum(run.x(k)) ? run.x(k) : null));
      const ys = idx.map((k) => (isNum(run.y(k)) ? run.y(k) : null));
      if (!(healthy && run.status === "diverged")) idx.forEach((k, m) => grow(xs[m], ys[m]));
      const readout = (/** @type {number} */ k) => [run.step(k), fmt(run.loss(k), 4), fmt(run.slice(k), 4)];
      // Training at "max": no hover text along the paths (formatting every point of them each
      // redraw costs more than drawing them); the heads keep theirs, the paths get it on pause.
      const custom = scene.fast ? null : idx.map(readout);
      const dim = run.status === "diverged";
      traces.push({
        type: "scatter", mode: "lines", x: xs, y: ys, meta: i,
        line: { color: run.color, width: scene.sel === i ? 3.2 : 2.2, dash: dim ? "dot" : runStyle(i).dash },
        ...(custom ? { customdata: custom, hovertemplate: `${run.label}, step %{customdata[0]}<br>real loss %{customdata[1]}<br>slice here %{customdata[2]}<extra></extra>` } : { hoverinfo: "skip" }),
      });
      const last = idx.length - 1;
      if (last >= 0) {
        traces.push({
          type: "scatter", mode: "markers", x: [xs[last]], y: [ys[last]], customdata: [readout(idx[last])], meta: i,
          marker: { size: 11, color: run.color, symbol: runStyle(i).symbol, line: { color: "#ffffff", width: 1.5 } },
          hovertemplate: `${run.label}, step %{customdata[0]}<br>real loss %{customdata[1]}<br>slice here %{customdata[2]}<extra></extra>`,
        });
      }
    }
    if (scene.origin) {
      grow(scene.origin[0], scene.origin[1]);
      traces.push({
        type: "scatter", mode: "markers+text", x: [scene.origin[0]], y: [scene.origin[1]], text: ["start"], textposition: "bottom center",
        textfont: { size: this.fontSize - 1, color: "#343a40" }, cliponaxis: false,
        marker: { size: 10, color: "#ffffff", line: { color: "#212529", width: 2 } },
        hovertemplate: "the starting weights: every run begins here, and the plane passes through them<extra></extra>",
      });
    }
    const pick = this.pickPoint(scene);
    if (pick) {
      traces.push({
        type: "scatter", mode: "markers", x: [pick.x], y: [pick.y], hoverinfo: "skip",
        marker: { size: 18, color: "rgba(0,0,0,0)", line: { color: "#212529", width: 2.5 } },
      });
    }
    const pad = (/** @type {number[]} */ r) => {
      if (!(r[1] >= r[0])) return [-1, 1];
      const d = Math.max(r[1] - r[0], 1e-3) * 0.04;
      return [r[0] - d, r[1] + d];
    };
    const axis = (/** @type {string} */ label, /** @type {number[]} */ range) => ({
      title: { text: label, standoff: 2, font: { size: this.fontSize - 1 } }, range: pad(range),
      fixedrange: true, zeroline: false, showgrid: false, ticks: "outside", ticklen: 3,
      showline: true, mirror: true, linecolor: "#9aa5b1", tickfont: { size: this.fontSize - 2 }, nticks: 7,
    });
    const layout = {
      width: W, height: H, autosize: false,
      margin: { l: Math.round(4 * this.fontSize), r: 6, t: 6, b: Math.round(3.2 * this.fontSize) }, // ticks and titles
      font: { family: FONT, size: this.fontSize, color: "#1b1f24" },
      paper_bgcolor: "#ffffff", plot_bgcolor: "#ffffff", showlegend: false,
      dragmode: false, hovermode: "closest",
      xaxis: axis(scene.labels[0], xr), yaxis: axis(scene.labels[1], yr),
      uirevision: "landscape",
    };
    window.Plotly.react(this.div, traces, layout, PLOT_CONFIG);
    if (!this.bound) {
      this.bound = true;
      /** @type {Plotly.PlotlyHTMLElement} */ (this.div).on("plotly_click", (ev) => {
        const p = ev.points && ev.points[0];
        if (!p || typeof p.data.meta !== "number") return;
        const idx = this.paths[p.data.meta] || [];
        const index = p.data.mode === "markers" ? idx[idx.length - 1] : idx[p.pointNumber];
        if (index !== undefined) this.onPick(p.data.meta, index);
      });
    }
    return true;
  }

  /** The selected point: {run, index, x, y} (the picked step, else the selected run's head).
   * @param {LandscapeScene} scene */
  pickPoint(scene) {
    const pick = scene.pick || { run: scene.sel, index: null };
    const run = /** @type {Path | undefined} */ (scene.runs[pick.run]);
    if (!run || !run.n) return null;
    const index = pick.index === null || pick.index >= run.n ? run.n - 1 : pick.index;
    return { run: pick.run, index, x: run.x(index), y: run.y(index), head: index === run.n - 1 };
  }

  /** "This point is off the plane: the slice shows 0.21 but the real loss is 0.35".
   * @param {LandscapeScene} scene */
  readout(scene) {
    const p = this.pickPoint(scene);
    if (!p) {
      const run = scene.runs[scene.pick ? scene.pick.run : scene.sel];
      return run && run.note ? run.note : "";
    }
    const run = /** @type {Path} */ (scene.runs[p.run]); // pickPoint found points on it
    const real = run.loss(p.index);
    const slice = run.slice(p.index);
    const dist = run.distance(p.index);
    const where = `${run.label}, step ${run.step(p.index)}${p.head && !scene.revealing ? " (its latest)" : ""}: `;
    if (!isNum(real)) return `${where}the loss blew up here.`;
    if (!scene.sliced) return `${where}the real loss is ${fmt(real, 3)} (no slice to compare with).`;
    if (!isNum(slice)) return `${where}outside the sliced area; the real loss is ${fmt(real, 3)}.`;
    const off = isNum(dist) ? ` It lies ${fmt(dist, 2)} away from the plane (in weight units).` : "";
    if (Math.abs(slice - real) <= Math.max(AGREE * real, 0.005)) {
      return `${where}the slice and the real loss agree: ${fmt(real, 3)}.${isNum(dist) && dist > 1e-6 ? off : " The point is on (or very near) the plane."}`;
    }
    return `${where}this point is off the plane: the slice shows ${fmt(slice, 3)} but the real loss is ${fmt(real, 3)}.${off}`;
  }
}
