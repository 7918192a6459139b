// @ts-check
// The descent map's first paint: the surface (the canvas stand-in for the contour map) and the
// start point, from the link and one grid request, before the page's other modules have loaded.
// It runs as its own module script ahead of the others (templates/index.html), with a small
// import graph, so that on a slow phone the picture does not wait for ~40 modules, the class bar,
// the registries and the websocket. It then loads the controller (page.js, shared/entry.js),
// which takes over this plot and this grid.

import { loadEntryAfter } from "../shared/entry.js";
import { DescentPlot } from "./plot.js";
import { GRID_N, SCHEMA, createDescentStore, gridURL } from "./state.js";

/**
 * @typedef {{ plot: DescentPlot, url: string, grid: Promise<import("./plot.js").DescentGrid | null>,
 *   painted: Promise<void> }} FirstPaint the plot drawn on, the grid request it made (null when
 *   it failed), and the picture painted (or not to be)
 */

/** @param {string} id @returns {HTMLElement} */
function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing`);
  return el;
}

/** @param {string} id @returns {HTMLCanvasElement} */
const canvas = (id) => /** @type {HTMLCanvasElement} */ (byId(id));

/** @returns {FirstPaint | null} */
function paint() {
  const fromURL = createDescentStore().parse(location.hash);
  const defaults = Object.fromEntries(Object.entries(SCHEMA).map(([k, p]) => [k, p.default]));
  const state = { ...defaults, ...fromURL };
  // Only a surface the server named (templates/index.html) with its default parameters: the
  // page corrects a link's unknown name or value out of range, and checks a custom formula,
  // and says so. The 3D view and presenting (a larger font) are the page's to draw too.
  const known = (byId("plot-wrap").dataset.surfaces || "").split(" ");
  const params = /** @type {Record<string, number>} */ (state.params);
  if (!known.includes(state.surface) || Object.keys(params).length) return null;
  if (state.view !== "contour" || state.present) return null;
  const plot = new DescentPlot(
    {
      wrap: byId("plot-wrap"), base: canvas("base"), contour: byId("contour"),
      surface3d: byId("surface3d"), paths: canvas("paths"), heads: canvas("heads"),
    },
    { onPick: () => {} }, // the page sets its own when it has loaded
  );
  const url = gridURL(state, GRID_N);
  const grid = fetch(url, { headers: { Accept: "application/json" } })
    .then((r) => (r.ok ? r.json() : null))
    .catch(() => null); // the page asks again, and says what went wrong
  const painted = grid.then((g) => {
    if (!g || plot.grid) return; // the page got there first
    plot.setSurface(g);
    const start = /** @type {number[] | null} */ (state.start) || g.surface.default_start;
    const scene = { runs: [], ghosts: [], start, arrows: {}, bold: false };
    plot.frame(scene);
    // redrawn after a resize (the phone layout's tabs arrive), until the page's own loop runs
    const redraw = () => {
      if (first === null) return;
      if (plot.needsDraw) plot.frame(scene);
      requestAnimationFrame(redraw);
    };
    requestAnimationFrame(redraw);
  });
  return { plot, url, grid, painted };
}

let first = paint();
loadEntryAfter(first ? first.painted : Promise.resolve());

/**
 * The first paint's plot and its grid request, for the page to take over (once).
 * @returns {FirstPaint | null}
 */
export function takeFirstPaint() {
  const taken = first;
  first = null;
  return taken;
}
