// @ts-check
// Plotly helpers shared by the pages: a colour transform for surfaces whose values span decades,
// contour and 3D surface traces, the pixel mapping of a 2D plot (for canvas overlays), and small
// line charts; and the contour map painted on a canvas (paintMap: the descent map, the network's
// landscape). Plotly.js is the global loaded from /vendor/plotly/plotly.min.js.

import { FONT, drawAxes, linearMapping, nearestIndex, niceTicks } from "./canvas-axes.js";
import { autoLevels, isolines, levelValues } from "./contour-lines.js";
import { fmt, isNum } from "./format.js";
import { nearestPoint } from "./hover-readout.js";
import { canvasScale } from "./canvas-scale.js";
import { colorTable, scaleColor } from "./color-scale.js";

/** @typedef {(number | null)[][]} Grid2 rows of values, null where undefined */
/** @typedef {[[number, number], [number, number]]} Bounds [[x0, x1], [y0, y1]] */
/**
 * A surface sampled on a grid (GET /api/surfaces/{name}/grid): z[i][j] at (x[j], y[i]).
 * @typedef {{ x: number[], y: number[], z: Grid2,
 *             surface: { minima?: number[][], min_value?: number | null } }} SurfaceGrid
 */
/**
 * How values map to colours: f(value) is the colour coordinate, from cmin to cmax.
 * @typedef {{ log: boolean, f: (v: number) => number, cmin: number, cmax: number,
 *             tickvals: number[] | null, ticktext: string[] | null, title: string }} ColorTransform
 */
/** @typedef {import("./canvas-axes.js").Mapping} Mapping */
/**
 * @typedef {{ width: number, height: number, margin: {l: number, r: number, t: number, b: number},
 *   left: number, top: number, plotW: number, plotH: number, xDomain: number[], yDomain: number[],
 *   colorbarX: number, mapping: Mapping }} MapGeometry
 */

// Pale, so that saturated run colours stand out on it: light where f is low (valleys), a
// muted blue-grey where it is high, in perceptually even steps.
/** @type {[number, string][]} */
const SURFACE_COLORSCALE = [
  [0.0, "#fffbe8"],
  [0.15, "#f1f2d6"],
  [0.3, "#dcead0"],
  [0.45, "#c5dfd0"],
  [0.6, "#acd0d3"],
  [0.75, "#93bcd2"],
  [0.9, "#7fa4c8"],
  [1.0, "#7292bc"],
];

const LINE_COLOR = "rgba(45, 65, 90, 0.32)"; // the contour lines, on both maps
const STAR = { color: "#ffd43b", line: "#212529" }; // a minimum's star, on both maps
const STAR_RADIUS = 7.5 * 1.4; // px: Plotly's star of size 15, as the canvas map draws it
const TEXT_COLOR = "#1b1f24";
const FRAME_COLOR = "#9aa5b1";
const N_CONTOURS = 22; // the contour map's levels: Plotly's (ncontours) and the canvas map's

export const PLOT_CONFIG = { displayModeBar: false, responsive: false, scrollZoom: false, doubleClick: false };

/** @param {ArrayLike<number>} sorted @param {number} q */
function quantile(sorted, q) {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[i];
}

/**
 * How to colour a grid of values z (rows of numbers or nulls). When the values span decades
 * (Rosenbrock: 0 to thousands, all the interest near 0), colour by c = log10(z - zmin + eps)
 * so the valley floor gets as many colours as the walls; otherwise linearly.
 * Returns {log, f (value -> colour coordinate), cmin, cmax, tickvals, ticktext, title}.
 * minValue: the surface's known minimum value, if any. floor: eps at least this fraction of the
 * range (the 3D view uses a larger one: a log plunging to -infinity at the minimum is a spike).
 * @param {Grid2} z @param {number | null} [minValue] @param {{floor?: number}} [options]
 * @returns {ColorTransform}
 */
export function colorTransform(z, minValue = null, { floor = 1e-7 } = {}) {
  // a typed array sorts numerically without a comparator call per pair: several times faster on
  // a 151 x 151 grid, which matters on a phone's first paint
  const all = new Float64Array(z.length * (z[0] ? z[0].length : 0));
  let count = 0;
  for (const row of z) for (const v of row) if (v !== null && isNum(v)) all[count++] = v;
  if (!count) return linear(0, 1);
  const values = all.subarray(0, count).sort();
  // the true minimum when known (the grid rarely hits it exactly): the colourbar then starts at it
  const zmin = minValue != null && isNum(minValue) && minValue <= values[0] ? minValue : values[0];
  const zmax = values[values.length - 1];
  const range = zmax - zmin;
  if (!(range > 0)) return linear(zmin, zmin + 1);
  // Most of the plot at a small fraction of the range: the range is dominated by the walls.
  const median = quantile(values, 0.5) - zmin;
  if (median > range / 5) return linear(zmin, zmax);
  // eps: the valley floor still gets a few colours, the exact minimum is not -infinity.
  const eps = Math.max(quantile(values, 0.005) - zmin, range * floor, 1e-12);
  const f = (/** @type {number} */ v) => Math.log10(Math.max(v - zmin, 0) + eps);
  const cmin = f(zmin);
  const cmax = f(zmax);
  const tickvals = [];
  const ticktext = [];
  const k0 = Math.ceil(Math.log10(eps * 3));
  const k1 = Math.floor(Math.log10(range));
  const every = k1 - k0 > 6 ? 2 : 1;
  tickvals.push(cmin);
  ticktext.push(fmt(zmin, 3));
  for (let k = k1; k >= k0; k -= every) {
    tickvals.push(f(zmin + 10 ** k));
    ticktext.push(fmt(zmin + 10 ** k, 3));
  }
  return { log: true, f, cmin, cmax, tickvals, ticktext, title: "f (log)" };
}

/** @param {number} zmin @param {number} zmax @returns {ColorTransform} */
function linear(zmin, zmax) {
  return { log: false, f: (v) => v, cmin: zmin, cmax: zmax, tickvals: null, ticktext: null, title: "f" };
}

/** z transformed for colour (nulls stay null). @param {Grid2} z @param {ColorTransform} tf */
function transformGrid(z, tf) {
  return z.map((row) => row.map((v) => (v !== null && isNum(v) ? tf.f(v) : null)));
}

/** Plotly's hover text of every grid node (the 3D view, the class gallery). @param {SurfaceGrid} grid */
function hoverText(grid) {
  return grid.z.map((row, i) => row.map((_, j) => mapPointLines(grid, i, j).join("<br>")));
}

/**
 * What a map says of its grid node (row i, column j): the same on the canvas map's readout and
 * in Plotly's hover.
 * @param {SurfaceGrid} grid @param {number} i @param {number} j @returns {string[]}
 */
export function mapPointLines(grid, i, j) {
  return [`x = ${fmt(grid.x[j], 3)}, y = ${fmt(grid.y[i], 3)}`, `f(x, y) = ${fmt(grid.z[i][j], 4)}`];
}

/** @param {number[]} minimum @param {number | null | undefined} minValue */
function minimumLine([x, y], minValue) {
  return `a minimum: (${fmt(x, 3)}, ${fmt(y, 3)}), f = ${fmt(minValue, 4)}`;
}

/**
 * The grid node nearest (x, y) as [row, column], or null outside the grid (half a step around
 * its edge counts as inside). The grid's x and y are evenly spaced.
 * @param {SurfaceGrid} grid @param {number} x @param {number} y @returns {[number, number] | null}
 */
export function nearestNode(grid, x, y) {
  const i = nearestIndex(grid.y, y);
  const j = nearestIndex(grid.x, x);
  return i < 0 || j < 0 ? null : [i, j];
}

/**
 * The readout of a minimum's star under the pixel (px, py) (mapping m), or null.
 * @param {SurfaceGrid["surface"]} surface @param {Mapping} m @param {number} px @param {number} py
 * @returns {string[] | null}
 */
export function nearestMinimum(surface, m, px, py) {
  const minima = surface.minima || [];
  const k = nearestPoint(px, py, minima.length, (i) => [m.px(minima[i][0]), m.py(minima[i][1])], STAR_RADIUS);
  return k < 0 ? null : [minimumLine(minima[k], surface.min_value)];
}

/** @param {ColorTransform} tf @param {Record<string, unknown>} extra @param {number} fontSize */
function colorbar(tf, extra = {}, fontSize = 12) {
  return {
    thickness: 12,
    len: 0.9,
    outlinewidth: 0,
    tickfont: { size: fontSize - 1 },
    title: { text: tf.title, side: "right", font: { size: fontSize } },
    ...(tf.tickvals ? { tickmode: "array", tickvals: tf.tickvals, ticktext: tf.ticktext } : {}),
    ...extra,
  };
}

/**
 * A filled contour map of grid = {x, y, z, surface} with its minima as stars.
 * @param {SurfaceGrid} grid @param {ColorTransform} tf @param {MapGeometry | null} [geometry]
 * @param {number} [fontSize]
 */
export function contourTraces(grid, tf, geometry = null, fontSize = 12) {
  const contour = {
    type: "contour",
    x: grid.x,
    y: grid.y,
    z: transformGrid(grid.z, tf),
    zmin: tf.cmin,
    zmax: tf.cmax,
    ncontours: N_CONTOURS,
    colorscale: SURFACE_COLORSCALE,
    contours: { coloring: "fill", showlines: true },
    line: { color: LINE_COLOR, width: 0.8, smoothing: 0.6 },
    colorbar: colorbar(tf, geometry ? { x: geometry.colorbarX, xanchor: "left", y: geometry.yDomain[0], yanchor: "bottom", len: geometry.yDomain[1] - geometry.yDomain[0], lenmode: "fraction" } : {}, fontSize),
    text: hoverText(grid),
    hovertemplate: "%{text}<extra></extra>",
    connectgaps: false,
  };
  const minima = grid.surface.minima || [];
  const stars = {
    type: "scatter",
    mode: "markers",
    x: minima.map((m) => m[0]),
    y: minima.map((m) => m[1]),
    marker: { symbol: "star", size: 15, color: STAR.color, line: { color: STAR.line, width: 1.3 } },
    text: minima.map((m) => minimumLine(m, grid.surface.min_value)),
    hovertemplate: "%{text}<extra></extra>",
    showlegend: false,
  };
  return [contour, stars];
}

const MAP_MARGIN = { l: 50, r: 92, t: 10, b: 40 }; // room for ticks, titles, colourbar

/** The map's margins at a font size (larger type, more room). @param {number} fontSize */
function mapMargin(fontSize) {
  const k = fontSize / 12;
  return { l: Math.round(MAP_MARGIN.l * k), r: Math.round(MAP_MARGIN.r * k), t: MAP_MARGIN.t, b: Math.round(MAP_MARGIN.b * k) };
}

/**
 * The height a map of `bounds` fills at `width` with no room left over above and below it (a
 * phone's map box is as tall as its map: descent.css, --map-h).
 * @param {number} width @param {Bounds} bounds @param {number} [fontSize]
 */
export function mapHeightFor(width, bounds, fontSize = 12) {
  const margin = mapMargin(fontSize);
  const [[x0, x1], [y0, y1]] = bounds;
  return Math.ceil(margin.t + margin.b + Math.max(10, width - margin.l - margin.r) * ((y1 - y0) / (x1 - x0)));
}

/**
 * Where a map of `bounds` goes in a width x height div, one unit as long on both axes, centred:
 * the axes' rectangle in CSS pixels, Plotly's domains for it, and a data <-> pixel mapping.
 * Computed here (not read back from Plotly) so paths can be drawn before Plotly has loaded.
 * @param {number} width @param {number} height @param {Bounds} bounds @param {number} [fontSize]
 * @returns {MapGeometry}
 */
export function mapGeometry(width, height, bounds, fontSize = 12) {
  const margin = mapMargin(fontSize);
  const [[x0, x1], [y0, y1]] = bounds;
  const w = Math.max(10, width - margin.l - margin.r);
  const h = Math.max(10, height - margin.t - margin.b);
  const aspect = (x1 - x0) / (y1 - y0);
  const plotW = Math.floor(Math.min(w, h * aspect));
  const plotH = Math.floor(Math.min(h, w / aspect));
  const offX = Math.floor((w - plotW) / 2);
  const offY = Math.floor((h - plotH) / 2);
  const left = margin.l + offX;
  const top = margin.t + (h - offY - plotH);
  return {
    width, height, margin, left, top, plotW, plotH,
    xDomain: [offX / w, (offX + plotW) / w],
    yDomain: [offY / h, (offY + plotH) / h],
    colorbarX: (offX + plotW + 14) / w,
    mapping: linearMapping(left, top, plotW, plotH, bounds),
  };
}

/**
 * The layout of a 2D map placed by mapGeometry (explicit domains: what we drew is what it draws).
 * @param {Bounds} bounds @param {MapGeometry} geometry @param {{fontSize?: number}} [options]
 */
export function mapLayout(bounds, geometry, { fontSize = 12 } = {}) {
  const m = geometry.margin;
  return {
    width: geometry.width,
    height: geometry.height,
    autosize: false,
    margin: { l: m.l, r: m.r, t: m.t, b: m.b, pad: 0 },
    font: { family: FONT, size: fontSize, color: TEXT_COLOR },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    showlegend: false,
    dragmode: false,
    hovermode: "closest",
    hoverlabel: { font: { family: FONT } },
    xaxis: { range: bounds[0], domain: geometry.xDomain, fixedrange: true, title: { text: "x", standoff: 4 }, zeroline: false, showgrid: false, ticks: "outside", mirror: true, showline: true, linecolor: FRAME_COLOR },
    yaxis: { range: bounds[1], domain: geometry.yDomain, fixedrange: true, title: { text: "y", standoff: 4 }, zeroline: false, showgrid: false, ticks: "outside", mirror: true, showline: true, linecolor: FRAME_COLOR },
  };
}

/** @type {Promise<typeof Plotly> | null} */
let plotlyPromise = null;

/**
 * Plotly.js, loaded on demand: parsing its 4.8 MB takes a second on a slow machine, so a page
 * draws its first paths on canvas before asking for it.
 * @returns {Promise<typeof Plotly>}
 */
export function loadPlotly(src = "/vendor/plotly/plotly.min.js") {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!plotlyPromise) {
    plotlyPromise = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.async = true;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => {
        plotlyPromise = null;
        reject(new Error(`could not load ${src}`));
      };
      document.head.append(script);
    });
  }
  return plotlyPromise;
}

const LUT_SIZE = 256; // colours of the canvas map: as many as an 8-bit channel tells apart

/**
 * The contour map, painted on a canvas as Plotly draws it (contourTraces, mapLayout): filled
 * bands between the same levels, their lines, the frame, the axes with their titles, the colour
 * bar with its labels and title, and the minima's stars: the descent map on every screen (the
 * class gallery draws the same map with Plotly, contourTraces). The network's landscape paints
 * its map with it too (its own axes' titles, axes that may reach beyond its grid: they follow
 * the runs' paths).
 * @param {HTMLCanvasElement} canvas @param {SurfaceGrid} grid @param {ColorTransform} tf
 * @param {MapGeometry} geometry
 * @param {{ fontSize?: number, dpr?: number, lines?: boolean, titles?: string[] }} [options] lines:
 *   false leaves the contour lines out (their first computation takes ~0.1 s on a phone); titles:
 *   the axes' titles, x and y
 */
export function paintMap(canvas, grid, tf, geometry, { fontSize = 12, dpr = canvasScale(), lines = true, titles = ["x", "y"] } = {}) {
  const ctx = canvas.getContext("2d");
  if (!ctx) return; // no 2D canvas: the contour comes with Plotly
  const levels = mapLevels(tf);
  const band = bandColor(levels);
  const m = geometry.mapping;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, canvas.width / dpr, canvas.height / dpr);
  paintGrid(ctx, grid, tf, m, band);
  ctx.save();
  ctx.beginPath();
  ctx.rect(m.left, m.top, m.width, m.height);
  ctx.clip();
  if (lines) drawLines(ctx, contourLines(grid, tf, levels), m);
  drawStars(ctx, grid, m);
  ctx.restore();
  paintFrame(ctx, m, { fontSize, titles });
  drawColorbar(ctx, tf, band, geometry, fontSize);
}

/**
 * A map's frame and axes (ticks, labels, titles) around the rectangle of mapping `m`, as
 * paintMap draws them: also the landscape's, before it has a surface.
 * @param {CanvasRenderingContext2D} ctx @param {Mapping} m
 * @param {{ fontSize?: number, titles?: string[] }} [options]
 */
export function paintFrame(ctx, m, { fontSize = 12, titles = ["x", "y"] } = {}) {
  ctx.strokeStyle = FRAME_COLOR;
  ctx.lineWidth = 1;
  ctx.strokeRect(m.left, m.top, m.width, m.height);
  // Plotly's tick density (axes.autoTicks): one per 80 px across, per 40 px up, 4 to 9 of them
  const ticks = (/** @type {number} */ len, /** @type {number} */ px) => Math.min(9, Math.max(4, len / px)) + 1;
  drawAxes(ctx, m, /** @type {Bounds} */ ([[m.toX(m.left), m.toX(m.left + m.width)], [m.toY(m.top + m.height), m.toY(m.top)]]), {
    fontSize, font: FONT, color: TEXT_COLOR, xtitle: titles[0], ytitle: titles[1],
    count: ticks(m.width, 80), ycount: ticks(m.height, 40),
  });
}

/**
 * The contour map's levels, in colour coordinates: those Plotly picks for contourTraces' map.
 * @param {ColorTransform} tf
 */
export function mapLevels(tf) {
  return autoLevels(tf.cmin, tf.cmax, N_CONTOURS);
}

/**
 * A colour value's band colour, a coordinate in [0, 1] of the colour scale, as Plotly fills
 * contours (contour/make_color_map.js): the band above level k takes the scale at (k + 1) / n,
 * the one below the first level its start.
 * @param {import("./contour-lines.js").Levels} levels @returns {(c: number) => number}
 */
function bandColor({ start, end, size }) {
  const n = Math.floor((end - start) / size + 1e-6) + 1;
  return (c) => {
    const k = Math.floor((c - start) / size);
    return (Math.min(n - 1, Math.max(-1, k)) + 1) / n;
  };
}

/** Contour lines per colour transform (a transform is made once per surface), kept for resizes. */
/** @type {WeakMap<ColorTransform, number[][]>} */
const linesOf = new WeakMap();

/**
 * @param {SurfaceGrid} grid @param {ColorTransform} tf
 * @param {import("./contour-lines.js").Levels} levels
 */
function contourLines(grid, tf, levels) {
  let lines = linesOf.get(tf);
  if (!lines) {
    lines = isolines(grid, levelValues(levels), tf.f);
    linesOf.set(tf, lines);
  }
  return lines;
}

/** @param {CanvasRenderingContext2D} ctx @param {number[][]} lines @param {Mapping} m */
function drawLines(ctx, lines, m) {
  ctx.beginPath();
  for (const s of lines) {
    for (let i = 0; i < s.length; i += 4) {
      ctx.moveTo(m.px(s[i]), m.py(s[i + 1]));
      ctx.lineTo(m.px(s[i + 2]), m.py(s[i + 3]));
    }
  }
  ctx.strokeStyle = LINE_COLOR;
  ctx.lineWidth = 0.8;
  ctx.stroke();
}

/**
 * The minima as Plotly's stars (marker size 15: a star 1.4 times the marker's radius).
 * @param {CanvasRenderingContext2D} ctx @param {SurfaceGrid} grid @param {Mapping} m
 */
function drawStars(ctx, grid, m) {
  const r = STAR_RADIUS;
  for (const [x, y] of grid.surface.minima || []) {
    const cx = m.px(x);
    const cy = m.py(y);
    ctx.beginPath();
    for (let k = 0; k < 10; k++) {
      const a = -Math.PI / 2 + (k * Math.PI) / 5;
      const rk = k % 2 ? r * 0.382 : r;
      ctx.lineTo(cx + rk * Math.cos(a), cy + rk * Math.sin(a));
    }
    ctx.closePath();
    ctx.fillStyle = STAR.color;
    ctx.fill();
    ctx.strokeStyle = STAR.line;
    ctx.lineWidth = 1.3;
    ctx.stroke();
  }
}

/**
 * The colour bar right of the map, where Plotly puts it (colorbar(): x = geometry.colorbarX,
 * thickness 12, Plotly's default 10 px padding), with the same labels and title.
 * @param {CanvasRenderingContext2D} ctx @param {ColorTransform} tf @param {(c: number) => number} band
 * @param {MapGeometry} geometry @param {number} fontSize
 */
function drawColorbar(ctx, tf, band, geometry, fontSize) {
  const pad = 10;
  const x = geometry.left + geometry.plotW + 14 + pad;
  const top = geometry.top + pad;
  const h = geometry.plotH - 2 * pad;
  if (h < 10) return;
  const span = tf.cmax - tf.cmin || 1;
  for (let py = 0; py < h; py++) {
    const c = tf.cmax - ((py + 0.5) / h) * span;
    const [r, g, b] = scaleColor(SURFACE_COLORSCALE, band(c));
    ctx.fillStyle = `rgb(${r}, ${g}, ${b})`;
    ctx.fillRect(x, top + py, 12, 1.5); // 1.5: no seams between rows on a fractional scale
  }
  const size = fontSize - 1;
  ctx.font = `${size}px ${FONT}`;
  ctx.fillStyle = TEXT_COLOR;
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  const vals = tf.tickvals || niceTicks(tf.cmin, tf.cmax, Math.min(9, Math.max(4, h / 40)) + 1);
  const text = tf.ticktext || vals.map((v) => fmt(v, 3));
  let widest = 0;
  for (const [k, v] of vals.entries()) {
    const py = top + ((tf.cmax - v) / span) * h;
    if (py < top - 1 || py > top + h + 1) continue;
    ctx.fillText(text[k], x + 12 + 3, py);
    widest = Math.max(widest, ctx.measureText(text[k]).width);
  }
  ctx.save();
  ctx.font = `${fontSize}px ${FONT}`;
  ctx.translate(x + 12 + 3 + widest + 4, top + h / 2);
  ctx.rotate(-Math.PI / 2); // reading upwards, as Plotly sets a colour bar's title
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  ctx.fillText(tf.title, 0, 0);
  ctx.restore();
}

/**
 * The grid's values as an image of the colour bands, into the axes rectangle of `mapping`.
 * @param {CanvasRenderingContext2D} ctx @param {SurfaceGrid} grid @param {ColorTransform} tf
 * @param {Mapping} mapping @param {(c: number) => number} band
 */
function paintGrid(ctx, grid, tf, mapping, band) {
  const nx = grid.x.length;
  const ny = grid.y.length;
  const img = document.createElement("canvas");
  img.width = nx;
  img.height = ny;
  const ictx = img.getContext("2d");
  if (!ictx) return;
  const data = ictx.createImageData(nx, ny);
  // the colour scale sampled at LUT_SIZE points: one lookup per grid point, no parsing per pixel
  const lut = colorTable(SURFACE_COLORSCALE, LUT_SIZE);
  for (let i = 0; i < ny; i++) {
    const row = grid.z[i];
    const r = ny - 1 - i; // image rows go down, y goes up
    for (let j = 0; j < nx; j++) {
      const v = row[j];
      const o = 4 * (r * nx + j);
      if (v === null || !Number.isFinite(v)) {
        data.data[o + 3] = 0;
        continue;
      }
      const c = 3 * Math.round((LUT_SIZE - 1) * band(tf.f(v)));
      data.data[o] = lut[c];
      data.data[o + 1] = lut[c + 1];
      data.data[o + 2] = lut[c + 2];
      data.data[o + 3] = 255;
    }
  }
  ictx.putImageData(data, 0, 0);
  // grid points sit on cell centres: the image spans half a cell beyond the first and last point;
  // placed by the grid's own ends (the landscape's axes may reach beyond its grid)
  ctx.imageSmoothingEnabled = true;
  const m = mapping;
  const x0 = m.px(grid.x[0]);
  const y0 = m.py(grid.y[ny - 1]);
  const width = m.px(grid.x[nx - 1]) - x0;
  const height = m.py(grid.y[0]) - y0;
  const cellW = width / (nx - 1);
  const cellH = height / (ny - 1);
  ctx.save();
  ctx.beginPath();
  ctx.rect(m.left, m.top, m.width, m.height);
  ctx.clip();
  ctx.drawImage(img, x0 - cellW / 2, y0 - cellH / 2, width + cellW, height + cellH);
  ctx.restore();
}

/**
 * A 3D surface of the same grid, coloured like the contour map; z is the colour coordinate.
 * @param {SurfaceGrid} grid @param {ColorTransform} tf
 */
export function surfaceTrace(grid, tf) {
  return {
    type: "surface",
    x: grid.x,
    y: grid.y,
    z: transformGrid(grid.z, tf),
    cmin: tf.cmin,
    cmax: tf.cmax,
    colorscale: SURFACE_COLORSCALE,
    showscale: false,
    opacity: 0.92,
    contours: { z: { show: true, usecolormap: false, color: "rgba(45, 65, 90, 0.35)", width: 1, start: tf.cmin, end: tf.cmax, size: (tf.cmax - tf.cmin) / 22 } },
    text: hoverText(grid),
    hovertemplate: "%{text}<extra></extra>",
    lighting: { ambient: 0.75, diffuse: 0.5, specular: 0.05, roughness: 0.9 },
  };
}

/** @param {Bounds} bounds @param {ColorTransform} tf @param {{fontSize?: number}} [options] */
export function sceneLayout(bounds, tf, { fontSize = 12 } = {}) {
  const [[x0, x1], [y0, y1]] = bounds;
  const zaxis = { title: { text: tf.title }, range: [tf.cmin, tf.cmax + 0.02 * (tf.cmax - tf.cmin)] };
  if (tf.tickvals) Object.assign(zaxis, { tickmode: "array", tickvals: tf.tickvals, ticktext: tf.ticktext });
  return {
    margin: { l: 0, r: 0, t: 0, b: 0 },
    font: { family: FONT, size: fontSize, color: "#1b1f24" },
    paper_bgcolor: "#ffffff",
    showlegend: false,
    uirevision: "keep-camera", // the camera stays where the user turned it across updates
    scene: {
      aspectmode: "manual",
      aspectratio: { x: 1, y: (y1 - y0) / (x1 - x0), z: 0.55 },
      xaxis: { title: { text: "x" }, range: [x0, x1] },
      yaxis: { title: { text: "y" }, range: [y0, y1] },
      zaxis,
      camera: { eye: { x: -1.1, y: -1.45, z: 0.95 } },
    },
  };
}
