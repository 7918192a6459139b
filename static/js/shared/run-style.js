// @ts-check
// How runs differ by more than colour, for colour-blind students: run i has a line pattern (the
// charts, the landscape's paths) and a marker shape (the heads on the maps), the same on every
// page, and its swatch in the runs panel shows both, as a legend.

/** Plotly's dash names, in order; the canvas charts draw the same patterns. */
const DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"];

/** @type {Record<string, number[]>} canvas setLineDash patterns, in line widths of 2 px */
const CANVAS_DASH = {
  solid: [], dash: [8, 4], dot: [2, 3], dashdot: [8, 3, 2, 3], longdash: [14, 4], longdashdot: [14, 3, 2, 3],
};

/** Marker shapes, in order, with the name Plotly's 2D and 3D scatter give each. */
const MARKERS = [
  { shape: "circle", plotly: "circle", plotly3d: "circle" },
  { shape: "square", plotly: "square", plotly3d: "square" },
  { shape: "diamond", plotly: "diamond", plotly3d: "diamond" },
  { shape: "triangle", plotly: "triangle-up", plotly3d: "cross" },
  { shape: "triangle-down", plotly: "triangle-down", plotly3d: "circle-open" },
  { shape: "hexagon", plotly: "hexagon", plotly3d: "square-open" },
];

/**
 * @typedef {object} RunStyle
 * @property {string} dash Plotly's name of the line pattern
 * @property {number[]} lineDash the pattern for a canvas's setLineDash
 * @property {string} shape the marker, for markerPath
 * @property {string} symbol Plotly's 2D marker symbol
 * @property {string} symbol3d Plotly's 3D marker symbol
 */

/**
 * The style of the i-th run (0-based), the same wherever run i is drawn.
 * @param {number} i
 * @returns {RunStyle}
 */
export function runStyle(i) {
  const k = Math.max(0, Math.floor(i));
  const dash = DASHES[k % DASHES.length];
  const marker = MARKERS[k % MARKERS.length];
  return { dash, lineDash: CANVAS_DASH[dash], shape: marker.shape, symbol: marker.plotly, symbol3d: marker.plotly3d };
}

/**
 * The corners of a marker of radius r (about a circle's of the same weight) at (x, y); null for
 * the circle.
 * @param {string} shape
 * @param {number} x
 * @param {number} y
 * @param {number} r
 * @returns {[number, number][] | null}
 */
export function markerPoints(shape, x, y, r) {
  /** @param {number} n @param {number} radius @param {number} turn @returns {[number, number][]} */
  const polygon = (n, radius, turn) => Array.from({ length: n }, (_, k) => {
    const a = turn + (2 * Math.PI * k) / n;
    return [x + radius * Math.cos(a), y + radius * Math.sin(a)];
  });
  if (shape === "square") return polygon(4, r * 1.2, Math.PI / 4);
  if (shape === "diamond") return polygon(4, r * 1.3, 0);
  if (shape === "triangle") return polygon(3, r * 1.35, -Math.PI / 2);
  if (shape === "triangle-down") return polygon(3, r * 1.35, Math.PI / 2);
  if (shape === "hexagon") return polygon(6, r * 1.1, 0);
  return null;
}

/**
 * Trace a marker at (x, y) on a canvas: the caller fills or strokes it.
 * @param {CanvasRenderingContext2D} ctx
 * @param {string} shape
 * @param {number} x
 * @param {number} y
 * @param {number} r
 */
export function markerPath(ctx, shape, x, y, r) {
  ctx.beginPath();
  const points = markerPoints(shape, x, y, r);
  if (!points) {
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    return;
  }
  for (const [k, [px, py]] of points.entries()) {
    if (k === 0) ctx.moveTo(px, py);
    else ctx.lineTo(px, py);
  }
  ctx.closePath();
}

const SVG = "http://www.w3.org/2000/svg";

/**
 * A legend swatch for run i: a short line in its pattern with its marker, in its colour.
 * @param {number} i
 * @param {string} color
 * @returns {SVGSVGElement}
 */
export function runSwatch(i, color) {
  const style = runStyle(i);
  /** @param {string} tag @param {Record<string, string | number>} attrs */
  const s = (tag, attrs) => {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    return node;
  };
  const svg = /** @type {SVGSVGElement} */ (s("svg", { class: "run-swatch", width: 30, height: 14, viewBox: "0 0 30 14", "aria-hidden": "true" }));
  svg.dataset.shape = style.shape;
  svg.dataset.dash = style.dash;
  // The card's --run-color, when it has one, follows a change of colour without a rebuild.
  const paint = `var(--run-color, ${color})`;
  const line = s("line", { x1: 1, y1: 7, x2: 29, y2: 7, "stroke-width": 2, "stroke-dasharray": style.lineDash.join(" ") || "none" });
  line.style.stroke = paint;
  svg.append(line);
  const points = markerPoints(style.shape, 15, 7, 4);
  const marker = points
    ? s("polygon", { points: points.map((p) => p.map((v) => v.toFixed(2)).join(",")).join(" ") })
    : s("circle", { cx: 15, cy: 7, r: 4 });
  marker.style.fill = paint;
  marker.setAttribute("stroke", "#ffffff");
  svg.append(marker);
  return svg;
}
