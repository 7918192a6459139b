// @ts-check
// The backprop page: step through forward, loss, backward and the update of one example, on a
// drawing of the network and as matrices with their numbers; click a weight for its chain rule;
// edit the example. One store owns the URL (backprop/state.js); every handler is the same
// recipe: ask the server for the trace the new state needs, and only if it accepts, set the
// state and render. A refusal (422) is shown next to the field it names and changes nothing.

import { ApiError, getJSON, postJSON } from "../shared/api.js";
import { bindKeys } from "../shared/keyboard.js";
import { isPresenting, setPresenting } from "../shared/presentation.js";
import { initTooltips } from "../shared/tooltips.js";
import { clamp } from "../shared/format.js";
import { BackpropStore, NETWORK_KEYS, SCHEMA } from "./state.js";
import { keepState, keptState } from "../shared/kept.js";
import { clearMessage, showMessage } from "../shared/messages.js";
import { clearStartHint, isFirstVisit, showStartHint } from "../shared/start-hint.js";
import { buildSteps, knownAt } from "./steps.js";
import { stepDetails } from "./details.js";
import { drawNetwork } from "./draw.js";
import { renderChain } from "./chain.js";
import { Editor, fieldOf, messageOf } from "./editor.js";
import { h } from "./symbols.js";
import { bindHover } from "./hover.js";
import { RegControls, regLines } from "./regularization.js";
import { clickWord } from "../shared/touch.js";

/** @typedef {import("../types/api").BackpropTrace} Trace */
/** @typedef {import("../types/api").MlpOptions} MlpOptions */
/** @typedef {import("../shared/state.js").State} State */
/** @typedef {import("./steps.js").Step} Step */
/** @typedef {import("./steps.js").Names} Names */
/** @typedef {import("./editor.js").Net} Net */
/** A refused request: the field it names (an editor key, "lr", "general" ...) and why. @typedef {{ key: string, text: string }} Refusal */

/** One of backprop.html's own elements (it has them all). @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
/** @param {string} id */
const input = (id) => /** @type {HTMLInputElement} */ ($(id));
/** The drawing of the network (an <svg>, which getElementById types as an HTMLElement). */
const netSvg = () => /** @type {SVGSVGElement} */ (/** @type {Element} */ ($("net")));
const store = new BackpropStore();
/**
 * What is shown: the trace, its steps and names (set together by load), the layer the update
 * step shows, and the number of the latest request (an older answer is dropped).
 * @type {{ trace: Trace | null, steps: Step[], names: Names | null, updateLayer: number, seq: number }}
 */
const view = { trace: null, steps: [], names: null, updateLayer: 1, seq: 0 };
/** @type {MlpOptions | null} GET /api/mlp/options, once start() has it */
let options = null;
// Made by start() before anything loads a trace: the Edit panel, the penalty and dropout boxes.
/** @type {Editor} */ let editor;
/** @type {RegControls} */ let reg;

// --- messages ----------------------------------------------------------------------------------

/** @param {string} text @param {string} [kind] */
function message(text, kind = "error") {
  const close = h("button", null, "×");
  close.type = "button";
  close.setAttribute("aria-label", "Dismiss");
  const box = h("div", `message ${kind}`, h("span", "text", text), close);
  close.addEventListener("click", () => box.remove());
  $("messages").append(box);
}

/** @param {string} text the lr box's refusal, "" to clear it */
function showLrError(text) {
  const err = $("lr-error");
  err.textContent = text;
  err.hidden = !text;
  if (text) $("lr").setAttribute("aria-invalid", "true");
  else $("lr").removeAttribute("aria-invalid");
}

// --- loading a trace ---------------------------------------------------------------------------

/**
 * The registries' names by id, and the loss of a trace: an edited network's own, else the one
 * that fits the output layer.
 * @param {MlpOptions} opts @param {Trace} trace @param {State} state @returns {Names}
 */
function namesOf(opts, trace, state) {
  const out = trace.layers[trace.layers.length - 1].activation;
  return {
    act: Object.fromEntries(opts.activations.map((a) => [a.id, a])),
    loss: Object.fromEntries(opts.losses.map((l) => [l.id, l])),
    lossId: state.net ? state.loss || "cross_entropy" : (opts.losses.find((l) => l.output === out) || opts.losses[0]).id,
  };
}

/**
 * Ask for the trace of the state with `patch` applied; on success set the state and render.
 * Returns null, or the refusal: the field it names and the message.
 * @param {State} [patch] @param {{ quiet?: boolean }} [opts] quiet: no message box for a refusal
 * @returns {Promise<Refusal | null>}
 */
async function load(patch = {}, { quiet = false } = {}) {
  if (!options) return { key: "general", text: "The page has not reached the server yet." };
  const opts = options;
  const next = { ...store.state, ...patch };
  const seq = ++view.seq;
  try {
    /** @type {Trace} */
    const trace = await postJSON("/api/mlp/backprop", BackpropStore.requestBody(next));
    if (seq !== view.seq) return null; // a newer request is on its way
    const names = namesOf(opts, trace, next);
    view.trace = trace;
    view.names = names;
    view.steps = buildSteps(trace, names);
    view.updateLayer = clamp(view.updateLayer, 1, trace.layers.length);
    if (next.w) view.updateLayer = next.w.layer;
    store.set({ ...patch, step: clamp(next.step, 1, view.steps.length) });
    showLrError("");
    render();
    return null;
  } catch (err) {
    if (seq !== view.seq) return null;
    if (!(err instanceof ApiError)) {
      const text = err instanceof Error ? err.message : String(err);
      message(`The server did not answer (${text}). Is gradscape still running?`);
      return { key: "general", text };
    }
    const refusal = { key: fieldOf(err), text: messageOf(err) };
    if (refusal.key === "chain" && next.w) return load({ ...patch, w: null }, { quiet }); // that weight is gone
    if (refusal.key === "lr") showLrError(refusal.text);
    else if (editor.isOpen) editor.showError(refusal.key, refusal.text);
    else if (!quiet) message(`Refused: ${refusal.text}`);
    return refusal;
  }
}

// --- rendering ---------------------------------------------------------------------------------

function renderProgress() {
  const bar = $("progress");
  if (bar.children.length !== view.steps.length) {
    bar.replaceChildren(...view.steps.map((st, k) => {
      const seg = h("button", `seg phase-${st.phase}`);
      seg.type = "button";
      seg.dataset.tip = `Step ${k + 1}: ${st.title}`;
      seg.setAttribute("aria-label", `Step ${k + 1}: ${st.title}`);
      seg.addEventListener("click", () => go(k + 1));
      return seg;
    }));
  }
  const k = store.state.step - 1;
  [...bar.children].forEach((seg, i) => {
    seg.classList.toggle("done", i <= k);
    seg.classList.toggle("current", i === k);
    seg.setAttribute("aria-current", i === k ? "step" : "false");
  });
}

function drawOnly() {
  if (!view.trace || !view.names) return;
  const index = store.state.step - 1;
  drawNetwork(netSvg(), {
    trace: view.trace, steps: view.steps, index, known: knownAt(view.steps, index),
    w: store.state.w, names: view.names, onWeight: selectWeight, presenting: isPresenting(),
  });
}

function render() {
  const t = view.trace;
  const names = view.names;
  if (!t || !names) return;
  const { step, w } = store.state;
  const index = step - 1;
  const st = view.steps[index];
  const n = view.steps.length;

  $("step-counter").textContent = `Step ${step} of ${n}`;
  $("step-title").textContent = st.title;
  $("walk").hidden = !st.walk;
  $("walk").textContent = st.walk ? `walk-through step ${st.walk}` : "";
  /** @type {HTMLButtonElement} */ ($("back")).disabled = step <= 1;
  /** @type {HTMLButtonElement} */ ($("next")).disabled = step >= n;
  document.body.dataset.phase = st.phase;
  document.body.dataset.kind = st.kind;
  renderProgress();

  const d = stepDetails({
    trace: t, steps: view.steps, index, names, w, updateLayer: view.updateLayer,
    onWeight: selectWeight, onUpdateLayer: (l) => {
      view.updateLayer = l;
      render();
    },
  });
  $("step-words").textContent = d.words;
  $("step-head").replaceChildren(d.head);
  $("step-mats").replaceChildren(d.mats);
  $("step-lines").replaceChildren(...d.lines.filter((line) => line !== null), ...regLines(t, st));
  reg.render(store.state);

  const chain = $("chain");
  chain.hidden = !(w && t.chain);
  if (w && t.chain) {
    renderChain(chain, {
      trace: t, chain: t.chain, steps: view.steps, index, names,
      onClose: () => load({ w: null }), onGoto: (k) => go(k + 1),
    });
  }
  drawOnly();

  if (!$("lr").hasAttribute("aria-invalid")) input("lr").value = String(t.lr); // keep a refused entry
  $("example-name").textContent = store.state.net ? "your network" : "classic example";
  $("example-name").dataset.tip = t.description;
  $("description").textContent = t.description;
  renderLinkNote();
}

// --- handlers ----------------------------------------------------------------------------------

/** @param {number} step 1-based */
function go(step) {
  clearStartHint();
  const k = clamp(step, 1, view.steps.length || 1);
  if (k === store.state.step) return;
  store.set({ step: k });
  render();
}

/** Open the chain card of W{layer}[row, col] (col null: the bias), or close it if open. @param {number} layer @param {number} row @param {number | null} col */
function selectWeight(layer, row, col) {
  clearStartHint();
  const w = store.state.w;
  const same = w && w.layer === layer && w.row === row && w.col === col;
  load({ w: same ? null : { layer, row, col } });
}

/** The network shown now, as the editor's fields {layers, loss, x, y}. @returns {Net | null} */
function currentNet() {
  const s = store.state;
  if (s.net) return { layers: s.net, loss: s.loss || "cross_entropy", x: s.x, y: s.y };
  const t = view.trace;
  if (!t || !view.names) return null; // nothing shown yet
  const L = t.layers.length;
  return {
    layers: t.layers.map((l, k) => ({ W: l.W, b: l.b, activation: k < L - 1 ? l.activation : null })),
    loss: view.names.lossId, x: t.x, y: t.y,
  };
}

function toggleEditor() {
  const net = currentNet();
  if (editor.isOpen) editor.close();
  else if (net) editor.open(net);
  $("edit").setAttribute("aria-pressed", editor.isOpen ? "true" : "false");
}

async function copyLink() {
  store.flush();
  const link = store.link();
  const field = input("link-field");
  try {
    await navigator.clipboard.writeText(link);
    $("copy-link").textContent = "Copied";
    setTimeout(() => ($("copy-link").textContent = "Copy link"), 1500);
  } catch {
    field.hidden = false; // no clipboard (plain http on another machine): select it by hand
    field.value = link;
    field.select();
  }
}

function togglePresent() {
  setPresenting(!isPresenting(), $("present"));
}

/** Esc: leave Present mode (as on every page), else close the editor, else the chain card. */
function closeSomething() {
  if (isPresenting()) togglePresent();
  else if (editor.isOpen) toggleEditor();
  else if (store.state.w) load({ w: null });
}

// --- start -------------------------------------------------------------------------------------

// Said only while a network too big for the link is kept nowhere a link can reach.
const renderLinkNote = () => ($("link-note").hidden = !store.netTooBig() || Boolean(store.state.kept));

/** An edited network too big for the link: kept under an id the link carries (shared/kept.js). */
async function keepNetwork() {
  if (!store.netTooBig()) {
    if (store.state.kept) store.set({ kept: null });
    return;
  }
  const network = Object.fromEntries(NETWORK_KEYS.map((k) => [k, store.state[k]]));
  const kept = await keepState({ page: "backprop", ...network });
  if (NETWORK_KEYS.some((k) => JSON.stringify(store.state[k]) !== JSON.stringify(network[k]))) return; // superseded
  if (kept.where === "server") clearMessage("kept");
  else if (kept.where === "browser") {
    showMessage(`Your edited network is too big for a link and is kept in this browser only (the server did not keep it: ${kept.problem}): a copied link shows the classic example elsewhere.`, { kind: "warn", key: "kept" });
  } else {
    showMessage(`Your edited network is too big for a link and could not be kept (${kept.problem}): a reload shows the classic example.`, { kind: "warn", key: "kept" });
  }
  store.set({ kept: kept.id });
}

/** A link's state with the network it names by id, or a message when nobody has it. @param {State} wanted @returns {Promise<State>} */
async function withKeptNetwork(wanted) {
  if (!wanted.kept) return wanted;
  const kept = await keptState(wanted.kept);
  if (kept && Array.isArray(kept.net)) return { ...wanted, net: kept.net, x: kept.x, y: kept.y, loss: kept.loss };
  showMessage(`This link's edited network (state=${wanted.kept}) is neither on this server nor in this browser: it was kept on another server, or longer ago than the server keeps it. Showing the classic example.`, { kind: "warn", key: "kept" });
  return { ...wanted, kept: null };
}

const defaults = () => Object.fromEntries(Object.entries(SCHEMA).map(([k, p]) => [k, p.default]));

async function start() {
  const firstVisit = isFirstVisit(); // before anything writes the URL
  initTooltips();
  try {
    options = /** @type {MlpOptions} */ (await getJSON("/api/mlp/options"));
  } catch (err) {
    message(`Could not reach the server (${err instanceof Error ? err.message : err}).`);
    return;
  }
  editor = new Editor($("editor"), options, {
    // keep the learning rate on screen (an edited network's default differs from classic's)
    onRun: async (body) => {
      const err = await load({ net: body.layers, x: body.x, y: body.y, loss: body.loss, lr: store.state.lr ?? view.trace?.lr ?? null });
      if (!err && editor.isOpen) toggleEditor(); // show the new numbers
    },
    onReset: async () => {
      const err = await load({ net: null, x: null, y: null, loss: null, w: null });
      const net = currentNet();
      if (!err && net) editor.open(net);
    },
    onClose: toggleEditor,
  });

  reg = new RegControls($("reg-controls"), options, (patch) => load(patch));
  $("back").addEventListener("click", () => go(store.state.step - 1));
  $("next").addEventListener("click", () => go(store.state.step + 1));
  $("edit").addEventListener("click", toggleEditor);
  $("copy-link").addEventListener("click", copyLink);
  $("present").addEventListener("click", togglePresent);
  $("lr").addEventListener("change", () => {
    const text = input("lr").value.trim();
    const v = text === "" ? null : /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : text;
    load({ lr: v });
  });
  bindHover($("step-mats"), netSvg());
  bindKeys({
    ArrowRight: () => go(store.state.step + 1),
    ArrowLeft: () => go(store.state.step - 1),
    Home: () => go(1),
    End: () => go(view.steps.length),
    p: togglePresent,
    e: toggleEditor,
    Escape: closeSomething,
  });
  let frame = 0;
  window.addEventListener("resize", () => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(drawOnly);
  });
  window.addEventListener("hashchange", async () => load({ ...defaults(), ...await withKeptNetwork(store.parse(location.hash)) }));
  store.subscribe((changed) => {
    if (NETWORK_KEYS.some((k) => changed.has(k))) keepNetwork();
    if (changed.has("kept")) renderLinkNote();
  });

  const wanted = await withKeptNetwork(store.parse(location.hash));
  const err = await load(wanted, { quiet: true });
  if (err && !view.trace) {
    // The link's network (or lr) was refused: show the classic example, and the refused
    // network in the editor with the server's message next to the field it names.
    const first = await load({ ...wanted, net: null, x: null, y: null, loss: null, lr: null, w: null });
    if (!first && wanted.net) {
      editor.open({ layers: wanted.net, loss: wanted.loss || "cross_entropy", x: wanted.x || [], y: wanted.y || [] });
      $("edit").setAttribute("aria-pressed", "true");
      editor.showError(err.key, err.text);
    } else if (!first) {
      message(`This link was refused: ${err.text}. Showing the classic example.`);
    }
  }
  if (firstVisit) showStartHint(`Start here: ${clickWord()} an edge of the network for its chain rule, or press Next ▶ to step through.`);
  document.body.dataset.ready = "1";
}

start();
