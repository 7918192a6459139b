// @ts-check
// The class gallery /class/ID/gallery, for the projector (docs/classroom.md): every submitted path
// on one map of the challenge's surface (a network challenge: every final decision boundary as
// small multiples), a scatter of lr (log) against the final value, where the class draws the
// stability edge together, and the leaderboard. The teacher hides names, spotlights one run (on
// every student's screen too), clears and exports. It updates live: the class socket says when
// something changed, and the gallery asks the server again (it ranks and names the runs).

import { ApiError, getJSON } from "../shared/api.js";
import { el } from "../shared/controls.js";
import { downloadText } from "../shared/export.js";
import { fmt } from "../shared/format.js";
import { classroomInfo, joinUrl, showJoin } from "../shared/join.js";
import { showMessage } from "../shared/messages.js";
import { FONT } from "../shared/canvas-axes.js";
import { PLOT_CONFIG, colorTransform, contourTraces, loadPlotly, mapGeometry, mapLayout } from "../shared/plots.js";
import { runStyle, runSwatch } from "../shared/run-style.js";
import { GRID_N, PALETTE, gridURL } from "../descent/state.js";
import { CLASS_FILLS } from "../network/state.js";
import { ClassTokens, openClassSocket, pageStorage } from "./client.js";
import { boardRows, boundaryOf, logFinal, logFloor, pathOf, scatterOf, surfaceStateOf } from "./gallery-data.js";
import { describeGoal } from "./challenge.js";

/** @typedef {Record<string, any>} Submission */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const classId = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] || "");
const base = `/api/classes/${encodeURIComponent(classId)}`;
const tokens = new ClassTokens(classId, pageStorage());
const isTeacher = () => Boolean(tokens.teacher);
/** @param {number} i */
const colorOf = (i) => PALETTE[i % PALETTE.length];
/** The type size the plots use: the page's (24 px on a projector, smaller on a phone). */
const fontSize = () => parseFloat(getComputedStyle(document.body).fontSize) || 16;

/** @type {{ challenge: any, submissions: Submission[], names_hidden: boolean, spotlight: Submission | null } | null} */
let data = null;
/** @type {Map<string, any>} surface grids by URL */
const grids = new Map();

function headers() {
  const h = /** @type {Record<string, string>} */ ({});
  if (tokens.teacher) h["X-Teacher-Token"] = tokens.teacher;
  else if (tokens.student) h["X-Student-Token"] = tokens.student;
  return h;
}

async function refresh() {
  try {
    data = await getJSON(`${base}/gallery`, { headers: headers() });
  } catch (err) {
    data = null;
    const text = err instanceof ApiError && err.status === 403
      ? "The gallery is the teacher's: open it from the teacher's page (it shows here for everyone while the teacher spotlights a run)."
      : `Could not load the gallery: ${err instanceof Error ? err.message : String(err)}`;
    $("gallery-count").textContent = text;
    return;
  }
  await render();
}

// Submissions arrive in bursts (a whole class pressing Submit): one request per burst.
/** @type {ReturnType<typeof setTimeout> | undefined} */
let pending;
function refreshSoon() {
  clearTimeout(pending);
  pending = setTimeout(refresh, 250);
}

async function render() {
  if (!data) return;
  const c = data.challenge;
  const subs = data.submissions || [];
  $("gallery-title").textContent = c ? c.title : "Class gallery: no challenge yet";
  const scored = subs.filter((s) => s.ok).length;
  $("gallery-count").textContent = c
    ? `${subs.length} run${subs.length === 1 ? "" : "s"} submitted, ${scored} scored${c.title !== describeGoal(c) ? ` · ${describeGoal(c)}` : ""}`
    : "Pose a challenge from the teacher's page: the runs the class submits show here.";
  const names = $("gallery-names");
  names.setAttribute("aria-pressed", data.names_hidden ? "true" : "false");
  names.textContent = data.names_hidden ? "Names hidden" : "Hide names";
  $("gallery-unspot").hidden = !data.spotlight;
  renderBoard(subs, c);
  await loadPlotly();
  if (c && c.kind === "network") renderBoundaries(subs);
  else await renderMap(subs, c);
  renderScatter(subs, c);
}

/** @param {Submission[]} subs @param {any} c */
function renderBoard(subs, c) {
  const body = /** @type {HTMLTableSectionElement} */ ($("gallery-board").querySelector("tbody"));
  const spot = data && data.spotlight ? data.spotlight.id : null;
  const rows = boardRows(subs, c).map((r, i) => {
    const who = el("td", {}, [runSwatch(i, colorOf(i)), " ", r.nickname]);
    const spotCell = el("td", {});
    if (isTeacher()) {
      const on = spot === r.id;
      spotCell.append(el("button", {
        type: "button", class: "spot-button", "aria-pressed": on ? "true" : "false",
        "aria-label": `${on ? "Stop spotlighting" : "Spotlight"} ${r.nickname}'s run`, text: on ? "★" : "☆",
        title: on ? "Stop showing this run on every screen" : "Show this run on every student's screen",
        on: { click: () => socket.send({ type: "spotlight", submission: on ? null : r.id }) },
      }));
    }
    return el("tr", { class: spot === r.id ? "spot" : "", dataset: { submission: String(r.id) } }, [
      el("td", { text: r.rank }), who, el("td", { text: r.optimizer }), el("td", { text: r.lr }), el("td", { text: r.final }),
      el("td", { text: r.result }), spotCell,
    ]);
  });
  if (!rows.length) rows.push(el("tr", {}, [el("td", { colspan: 7, class: "gallery-empty", text: "No runs yet." })]));
  body.replaceChildren(...rows);
}

/** Every path on one map of the challenge's surface. @param {Submission[]} subs @param {any} c */
async function renderMap(subs, c) {
  const div = $("gallery-map");
  if (!c) {
    if (div.classList.contains("js-plotly-plot")) window.Plotly.purge(div);
    div.replaceChildren(el("p", { class: "gallery-empty", text: "The map of the class's runs shows here." }));
    return;
  }
  const url = gridURL(surfaceStateOf(c.fixed || {}), Math.min(GRID_N, 101));
  let grid = grids.get(url);
  if (!grid) {
    grid = await getJSON(url);
    grids.set(url, grid);
  }
  const fs = fontSize();
  const box = div.getBoundingClientRect();
  const bounds = grid.surface.bounds;
  const geometry = mapGeometry(Math.max(300, box.width), Math.max(300, box.height), bounds, fs * 0.75);
  const tf = colorTransform(grid.z, grid.surface.min_value);
  /** @type {any[]} */
  const traces = contourTraces(grid, tf, /** @type {any} */ (geometry), fs * 0.75);
  const spot = data && data.spotlight ? data.spotlight.id : null;
  subs.forEach((s, i) => {
    const p = pathOf(s);
    if (!p) return;
    const style = runStyle(i);
    const lit = spot === null || spot === s.id;
    traces.push({
      type: "scatter", mode: "lines", x: p.x, y: p.y, showlegend: false,
      line: { color: colorOf(i), width: spot === s.id ? 6 : 3, dash: style.dash }, opacity: lit ? 1 : 0.3,
      hovertemplate: `${s.nickname}: ${s.optimizer}, lr ${fmt(s.lr, 3)}<extra></extra>`,
    });
    const n = p.x.length - 1;
    traces.push({
      type: "scatter", mode: spot === s.id ? "markers+text" : "markers", x: [p.x[n]], y: [p.y[n]], showlegend: false,
      marker: { symbol: style.symbol, size: spot === s.id ? 22 : 14, color: colorOf(i), line: { color: "#fff", width: 1.5 } },
      text: [String(s.nickname)], textposition: "top center", textfont: { size: fs },
      opacity: lit ? 1 : 0.3, hovertemplate: `${s.nickname}<extra></extra>`,
    });
  });
  const layout = mapLayout(bounds, geometry, { fontSize: fs * 0.75 });
  // A placeholder or small multiples here before: Plotly draws afresh (react would only patch).
  if (!div.classList.contains("js-plotly-plot") || !div.querySelector(".main-svg")) {
    window.Plotly.purge(div);
    div.replaceChildren();
  }
  await window.Plotly.react(div, traces, layout, PLOT_CONFIG);
}

/** Every final decision boundary, small multiples (the server sends the grids). @param {Submission[]} subs */
function renderBoundaries(subs) {
  const div = $("gallery-map");
  if (div.classList.contains("js-plotly-plot")) window.Plotly.purge(div);
  const figures = subs.map((s, i) => {
    const b = boundaryOf(s);
    const canvas = el("canvas", { width: 240, height: 240, role: "img", "aria-label": `${s.nickname}'s decision boundary` });
    if (b) paintBoundary(canvas, b);
    return el("figure", {}, [canvas, el("figcaption", {}, [runSwatch(i, colorOf(i)), ` ${s.nickname}: ${s.optimizer}, lr ${fmt(s.lr, 3)}${s.ok ? "" : " ✗"}`])]);
  });
  div.replaceChildren(el("div", { class: "gallery-small" }, figures.length ? figures : [el("p", { class: "gallery-empty", text: "No runs yet." })]));
}

/** @param {HTMLCanvasElement} canvas @param {{ x: number[], y: number[], z: (number | null)[][] }} b */
function paintBoundary(canvas, b) {
  const ctx = canvas.getContext("2d");
  if (!ctx || !Array.isArray(b.z[0])) return; // a regression's curve: no plane to paint
  const ny = b.z.length;
  const nx = b.z[0].length;
  const classes = Math.max(2, ...b.z.flat().map((v) => (typeof v === "number" ? Math.round(v) + 1 : 0)));
  const rgb = (/** @type {string} */ hex) => [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
  const fills = CLASS_FILLS.map(rgb);
  const img = ctx.createImageData(nx, ny);
  for (let r = 0; r < ny; r++) {
    for (let q = 0; q < nx; q++) {
      const v = b.z[ny - 1 - r][q]; // row 0 is the lowest y: draw it at the bottom
      let color = [255, 255, 255];
      if (typeof v === "number") {
        if (classes === 2 && v <= 1) { // P(class 1): blend between the two fills
          const t = Math.max(0, Math.min(1, v));
          color = fills[0].map((a, k) => Math.round(a * (1 - t) + fills[1][k] * t));
          if (Math.abs(t - 0.5) < 0.07) color = [60, 60, 60]; // the boundary itself, dark
        } else {
          color = fills[Math.round(v) % fills.length];
        }
      }
      const k = 4 * (r * nx + q);
      img.data.set([...color, 255], k);
    }
  }
  const tmp = el("canvas", { width: nx, height: ny });
  tmp.getContext("2d")?.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(tmp, 0, 0, canvas.width, canvas.height);
}

/** lr (log) against the final value: one series per optimizer, each its own marker. @param {Submission[]} subs @param {any} c */
function renderScatter(subs, c) {
  const div = $("gallery-scatter");
  const { groups, missing } = scatterOf(subs);
  const fs = fontSize();
  const metric = c && c.goal ? c.goal.metric : "loss";
  const log = logFinal(subs, metric);
  const floor = logFloor(subs);
  const traces = groups.map((g, i) => ({
    type: "scatter", mode: "markers", name: g.optimizer, x: g.lr, y: log ? g.final.map((v) => Math.max(v, floor)) : g.final, text: g.text,
    hovertemplate: "%{text}<extra></extra>",
    marker: {
      // each point in its run's colour (the map's, the leaderboard's); each optimizer its shape
      size: fs * 0.8, color: g.index.map(colorOf), symbol: runStyle(i).symbol,
      line: { color: g.ok.map((ok) => (ok ? "#ffffff" : "#c92a2a")), width: g.ok.map((ok) => (ok ? 1 : 3)) },
    },
  }));
  const target = c && c.goal && typeof c.goal.target === "number" ? c.goal.target : null;
  const box = div.getBoundingClientRect();
  const layout = {
    width: Math.max(280, box.width), height: Math.max(280, box.height), autosize: false,
    margin: { l: fs * 4.6, r: fs * 0.6, t: fs * 1.6, b: fs * 2.6 },
    font: { family: FONT, size: fs * 0.75, color: "#1b1f24" },
    paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#ffffff",
    title: { text: `lr against the final ${metric}${missing ? ` (${missing} with no final value)` : ""}`, font: { size: fs * 0.8 } },
    xaxis: { type: "log", title: { text: "lr (log scale)" }, exponentformat: "power", tickangle: 0, nticks: 8 },
    yaxis: { type: log ? "log" : "linear", title: { text: `final ${metric}${log ? " (log scale)" : ""}`, standoff: fs * 0.4 }, exponentformat: "power", automargin: true },
    showlegend: groups.length > 0, legend: { orientation: "h", y: -0.22 },
    shapes: target === null ? [] : [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: target, y1: target, line: { dash: "dash", color: "#495057", width: 2 } }],
    annotations: target === null ? [] : [{ xref: "paper", x: 1, y: log ? Math.log10(target) : target, text: "target", showarrow: false, xanchor: "right", yanchor: "bottom" }],
    hovermode: "closest", dragmode: false,
  };
  window.Plotly.react(div, traces, layout, PLOT_CONFIG);
}

/** @param {"csv" | "json"} ext */
async function exportAs(ext) {
  try {
    const response = await fetch(`${base}/export.${ext}`, { headers: headers() });
    if (!response.ok) throw new Error(`the server answered ${response.status}`);
    downloadText(await response.text(), `class-${classId}.${ext}`, ext === "csv" ? "text/csv" : "application/json");
  } catch (err) {
    showMessage(`Could not export: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const socket = openClassSocket(tokens);

function bind() {
  for (const type of ["submission", "cleared", "names", "spotlight", "challenge"]) socket.on(type, refreshSoon);
  socket.on("welcome", (/** @type {any} */ m) => {
    $("gallery-controls").hidden = m.role !== "teacher";
    refresh();
  });
  socket.on("error", (/** @type {any} */ m) => showMessage(m.message, { key: "class", kind: "warn" }));
  $("gallery-names").addEventListener("click", () => socket.send({ type: "names", hidden: !(data && data.names_hidden) }));
  $("gallery-unspot").addEventListener("click", () => socket.send({ type: "spotlight", submission: null }));
  const dialog = /** @type {HTMLDialogElement} */ ($("clear-dialog"));
  $("gallery-clear").addEventListener("click", () => dialog.showModal());
  dialog.addEventListener("close", () => {
    if (dialog.returnValue === "clear") socket.send({ type: "clear" });
  });
  $("gallery-csv").addEventListener("click", () => exportAs("csv"));
  $("gallery-json").addEventListener("click", () => exportAs("json"));
  $("gallery-join").addEventListener("click", async () => {
    const info = await classroomInfo();
    if (info) showJoin(joinUrl(info), true);
  });
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let resized;
  window.addEventListener("resize", () => {
    clearTimeout(resized);
    resized = setTimeout(render, 200);
  });
}

bind();
// For tests: what the gallery shows.
/** @type {any} */ (window).gradscapeGallery = Object.freeze({
  get data() { return data ? JSON.parse(JSON.stringify(data)) : null; },
});
