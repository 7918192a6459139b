// @ts-check
// The descent view's controls: building the toolbar from the registries, binding every control
// and key to a handler of the page, and rendering the controls from the state.
// A part of DescentPage (descent/page.js): `this.page` is the controller.

import { el } from "../shared/controls.js";
import { refusal } from "../shared/field-note.js";
import { showMessage } from "../shared/messages.js";
import { bindPlayback } from "../shared/playback.js";
import { ARROWS, SPEEDS } from "./state.js";
import { fmt, roundSig } from "../shared/format.js";
import { PRESETS } from "./presets.js";

/** @param {string} id an element of templates/index.html */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
/** @param {string} id an <input> of templates/index.html */
const input = (id) => /** @type {HTMLInputElement} */ (document.getElementById(id));
/** @param {string} id a <select> of templates/index.html */
const select = (id) => /** @type {HTMLSelectElement} */ (document.getElementById(id));
/** @typedef {(typeof PRESETS)[number]} Preset */
/** @typedef {import("../types/api").Hyperparameter} Hyperparameter */

export class Toolbar {
  /** @param {import("./page.js").DescentPage} page the controller whose state this part reads */
  constructor(page) {
    this.page = page;
  }

  buildStaticControls() {
    const surface = $("surface");
    for (const s of this.page.registries.surfaces) {
      surface.append(el("option", { value: s.id, text: s.name, title: s.description }));
    }
    surface.append(el("option", { value: "custom", text: "Custom f(x, y)…", title: "Type your own formula." }));
    const speed = $("speed");
    for (const v of SPEEDS) speed.append(el("option", { value: String(v), text: v === 0 ? "max" : `${v} /s` }));
    const presets = $("presets");
    const hasAll = (/** @type {Preset} */ p) => (p.state.surface === "custom" || this.page.surfaces.has(p.state.surface))
      && p.state.runs.every((r) => this.page.optimizers.has(r.optimizer));
    for (const p of PRESETS.filter(hasAll)) {
      presets.append(el("button", {
        type: "button", text: p.label, tip: `${p.title}: ${p.tip}`, dataset: { preset: p.id },
        on: { click: () => this.page.actions.applyPreset(p) },
      }));
    }
  }

  bindControls() {
    const surface = select("surface");
    surface.addEventListener("change", () => this.page.actions.chooseSurface(surface.value));
    $("custom-form").addEventListener("submit", (e) => {
      e.preventDefault();
      this.page.actions.tryCustom(input("expr").value);
    });
    input("expr").addEventListener("input", () => this.showExprError(null));
    for (const b of document.querySelectorAll("button[data-view]")) {
      b.addEventListener("click", () => this.page.store.set({ view: /** @type {HTMLElement} */ (b).dataset.view }));
    }
    bindPlayback(this.page.playback, { store: this.page.store, scaleLr: (f) => this.page.actions.scaleLr(f) });
    const speed = select("speed");
    speed.addEventListener("change", () => this.page.store.set({ speed: Number(speed.value) }));
    const steps = input("steps");
    steps.addEventListener("change", () => {
      const v = Math.round(Number(steps.value));
      if (Number.isFinite(v) && v >= 1 && v <= this.page.limits.max_steps) this.page.store.set({ steps: v });
      else {
        const inUse = this.page.store.state.steps;
        showMessage(refusal("Steps", steps.value, { min: 1, max: this.page.limits.max_steps, int: true }, inUse), { kind: "warn", key: "field-steps", timeout: 6000 });
        steps.value = String(inUse);
      }
    });
    for (const a of ARROWS) {
      $(`show-${a}`).addEventListener("change", () => {
        const show = ARROWS.filter((k) => input(`show-${k}`).checked);
        this.page.store.set({ show });
      });
    }
    $("ghost").addEventListener("click", () => this.page.actions.keepGhost());
    $("clear-ghosts").addEventListener("click", () => this.page.actions.clearGhosts());
    $("copy-link").addEventListener("click", () => this.page.exports.copyLink());
    $("link-field").addEventListener("blur", () => { $("link-field").hidden = true; });
    $("export-png").addEventListener("click", () => this.page.exports.exportPNG());
    $("export-csv").addEventListener("click", () => this.page.exports.exportCSV());
    $("export-json").addEventListener("click", () => this.page.exports.exportJSON());
    $("present").addEventListener("click", () => this.page.store.set({ present: !this.page.store.state.present }));
    $("add-run").addEventListener("click", () => this.page.actions.addRun());
  }

  renderControls() {
    const s = this.page.store.state;
    const surface = select("surface");
    if (surface.value !== s.surface) surface.value = s.surface;
    const custom = s.surface === "custom" || this.page.customOpen;
    if (custom && surface.value !== "custom") surface.value = "custom";
    $("custom-form").hidden = !custom;
    if (custom && document.activeElement !== input("expr") && s.expr && $("expr-error").hidden) input("expr").value = s.expr;
    this.renderSurfaceParams();
    for (const b of document.querySelectorAll("button[data-view]")) b.setAttribute("aria-pressed", String(/** @type {HTMLElement} */ (b).dataset.view === s.view));
    const speed = select("speed");
    if (![...speed.options].some((o) => Number(o.value) === s.speed)) {
      speed.append(el("option", { value: String(s.speed), text: `${s.speed} /s` }));
    }
    speed.value = String(s.speed);
    if (document.activeElement !== input("steps")) input("steps").value = String(s.steps);
    for (const a of ARROWS) input(`show-${a}`).checked = s.show.includes(a);
    /** @type {HTMLButtonElement} */ ($("add-run")).disabled = s.runs.length >= this.page.limits.max_runs;
    this.renderPlay();
  }

  renderSurfaceParams() {
    // The API describes each adjustable surface parameter (surface.parameters: default, min,
    // max, log, label, help); the controls are built from that, never from a copy here.
    const s = this.page.store.state;
    const box = $("surface-params");
    const desc = s.surface === "custom" ? null : this.page.surfaces.get(s.surface);
    /** @type {Record<string, Hyperparameter>} */
    const specs = (desc && desc.parameters) || {};
    const names = Object.keys(specs);
    const signature = `${s.surface}|${names.join(",")}`;
    const toSlider = (/** @type {Hyperparameter} */ p, /** @type {number} */ v) => (p.log ? Math.log10(v) : v);
    if (box.dataset.signature !== signature) {
      box.dataset.signature = signature;
      box.replaceChildren();
      for (const name of names) {
        const p = specs[name];
        const fromSlider = (/** @type {number} */ v) => (p.log ? roundSig(10 ** v, 3) : Math.round(v));
        const label = p.label || name;
        const range = el("input", {
          type: "range", min: toSlider(p, p.min), max: toSlider(p, p.max), step: p.log ? 0.01 : 1,
          tip: p.help, "aria-label": label, dataset: { param: name },
        });
        const out = el("output");
        /** @type {ReturnType<typeof setTimeout> | undefined} the change waits for the slider to rest */
        let timer;
        range.addEventListener("input", () => {
          const v = fromSlider(Number(range.value));
          out.textContent = fmt(v, 3);
          clearTimeout(timer);
          timer = setTimeout(() => this.page.store.set({ params: { ...this.page.store.state.params, [name]: v }, start: null }), 250);
        });
        box.append(el("label", { class: "field", tip: p.help }, [el("span", { class: "field-label", text: label }), range, out]));
      }
    }
    for (const range of box.querySelectorAll("input[data-param]")) {
      const name = /** @type {HTMLInputElement} */ (range).dataset.param || "";
      const p = specs[name];
      if (!desc || !p) continue; // a custom surface has no parameters
      const value = s.params[name] ?? desc.params[name] ?? p.default;
      if (document.activeElement !== range) /** @type {HTMLInputElement} */ (range).value = String(toSlider(p, value));
      if (range.nextElementSibling) range.nextElementSibling.textContent = fmt(value, 3);
    }
  }

  renderPlay() {
    const button = $("play");
    const play = this.page.playback.play;
    const running = play === "running";
    button.textContent = running ? "Pause" : play === "done" ? "Replay" : "Play";
    button.setAttribute("aria-pressed", String(running));
  }

  /**
   * Show a 422 from the custom-surface grid inline, under the box, with the position marked.
   * @param {{ msg?: string, message?: string } | null} err an ApiError, or checkFormula's refusal
   * @param {string} [expr] the formula refused
   */
  showExprError(err, expr = "") {
    const box = $("expr-error");
    const field = input("expr");
    if (!err) {
      box.hidden = true;
      field.classList.remove("invalid");
      field.removeAttribute("aria-invalid");
      return;
    }
    const msg = (err.msg || err.message || "invalid formula").replace(/^expr: /, "");
    const m = /position (\d+)/.exec(msg);
    const echo = /** @type {HTMLElement} */ (box.querySelector(".expr-echo"));
    echo.replaceChildren();
    if (m) {
      const pos = Math.min(Number(m[1]), expr.length);
      const bad = expr.slice(pos).match(/^[A-Za-z_][A-Za-z0-9_]*|^./);
      const len = bad ? bad[0].length : 1;
      const mark = el("mark", { text: expr.slice(pos, pos + len) || " " });
      echo.append(expr.slice(0, pos), mark, expr.slice(pos + len), "\n", el("span", { class: "caret", text: `${" ".repeat(pos)}^` }));
      field.focus();
      field.setSelectionRange(pos, pos + len);
    } else {
      echo.textContent = expr;
    }
    /** @type {HTMLElement} */ (box.querySelector(".expr-msg")).textContent = msg;
    box.hidden = false;
    field.classList.add("invalid");
    field.setAttribute("aria-invalid", "true");
  }

  /** @param {string | null} text what the map is waiting for, or null */
  showPlotStatus(text) {
    const box = $("plot-status");
    box.hidden = !text;
    box.textContent = text || "";
  }
}
