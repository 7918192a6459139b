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

const $ = (id) => document.getElementById(id);
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
    const hasAll = (p) => (p.state.surface === "custom" || this.page.surfaces.has(p.state.surface))
      && p.state.runs.every((r) => this.page.optimizers.has(r.optimizer));
    for (const p of PRESETS.filter(hasAll)) {
      presets.append(el("button", {
        type: "button", text: p.label, tip: `${p.title}: ${p.tip}`, dataset: { preset: p.id },
        on: { click: () => this.page.actions.applyPreset(p) },
      }));
    }
  }

  bindControls() {
    $("surface").addEventListener("change", (e) => this.page.actions.chooseSurface(e.target.value));
    $("custom-form").addEventListener("submit", (e) => {
      e.preventDefault();
      this.page.actions.tryCustom($("expr").value);
    });
    $("expr").addEventListener("input", () => this.showExprError(null));
    for (const b of document.querySelectorAll("[data-view]")) {
      b.addEventListener("click", () => this.page.store.set({ view: b.dataset.view }));
    }
    bindPlayback(this.page.playback, { store: this.page.store, scaleLr: (f) => this.page.actions.scaleLr(f) });
    $("speed").addEventListener("change", (e) => this.page.store.set({ speed: Number(e.target.value) }));
    $("steps").addEventListener("change", (e) => {
      const v = Math.round(Number(e.target.value));
      if (Number.isFinite(v) && v >= 1 && v <= this.page.limits.max_steps) this.page.store.set({ steps: v });
      else {
        const inUse = this.page.store.state.steps;
        showMessage(refusal("Steps", e.target.value, { min: 1, max: this.page.limits.max_steps, int: true }, inUse), { kind: "warn", key: "field-steps", timeout: 6000 });
        e.target.value = String(inUse);
      }
    });
    for (const a of ARROWS) {
      $(`show-${a}`).addEventListener("change", () => {
        const show = ARROWS.filter((k) => $(`show-${k}`).checked);
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
    const surface = $("surface");
    if (surface.value !== s.surface) surface.value = s.surface;
    const custom = s.surface === "custom" || this.page.customOpen;
    if (custom && surface.value !== "custom") surface.value = "custom";
    $("custom-form").hidden = !custom;
    if (custom && document.activeElement !== $("expr") && s.expr && $("expr-error").hidden) $("expr").value = s.expr;
    this.renderSurfaceParams();
    for (const b of document.querySelectorAll("[data-view]")) b.setAttribute("aria-pressed", String(b.dataset.view === s.view));
    const speed = $("speed");
    if (![...speed.options].some((o) => Number(o.value) === s.speed)) {
      speed.append(el("option", { value: String(s.speed), text: `${s.speed} /s` }));
    }
    speed.value = String(s.speed);
    if (document.activeElement !== $("steps")) $("steps").value = String(s.steps);
    for (const a of ARROWS) $(`show-${a}`).checked = s.show.includes(a);
    $("add-run").disabled = s.runs.length >= this.page.limits.max_runs;
    this.renderPlay();
  }

  renderSurfaceParams() {
    // The API describes each adjustable surface parameter (surface.parameters: default, min,
    // max, log, label, help); the controls are built from that, never from a copy here.
    const s = this.page.store.state;
    const box = $("surface-params");
    const desc = s.surface === "custom" ? null : this.page.surfaces.get(s.surface);
    const specs = (desc && desc.parameters) || {};
    const names = Object.keys(specs);
    const signature = `${s.surface}|${names.join(",")}`;
    const toSlider = (p, v) => (p.log ? Math.log10(v) : v);
    if (box.dataset.signature !== signature) {
      box.dataset.signature = signature;
      box.replaceChildren();
      for (const name of names) {
        const p = specs[name];
        const fromSlider = (v) => (p.log ? roundSig(10 ** v, 3) : Math.round(v));
        const label = p.label || name;
        const range = el("input", {
          type: "range", min: toSlider(p, p.min), max: toSlider(p, p.max), step: p.log ? 0.01 : 1,
          tip: p.help, "aria-label": label, dataset: { param: name },
        });
        const out = el("output");
        let timer = null;
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
      const name = range.dataset.param;
      const p = specs[name];
      const value = s.params[name] ?? desc.params[name] ?? p.default;
      if (document.activeElement !== range) range.value = String(toSlider(p, value));
      range.nextElementSibling.textContent = fmt(value, 3);
    }
  }

  renderPlay() {
    const button = $("play");
    const play = this.page.playback.play;
    const running = play === "running";
    button.textContent = running ? "Pause" : play === "done" ? "Replay" : "Play";
    button.setAttribute("aria-pressed", String(running));
  }

  /** Show a 422 from the custom-surface grid inline, under the box, with the position marked. */
  showExprError(err, expr = "") {
    const box = $("expr-error");
    const input = $("expr");
    if (!err) {
      box.hidden = true;
      input.classList.remove("invalid");
      input.removeAttribute("aria-invalid");
      return;
    }
    const msg = (err.msg || err.message || "invalid formula").replace(/^expr: /, "");
    const m = /position (\d+)/.exec(msg);
    const echo = box.querySelector(".expr-echo");
    echo.replaceChildren();
    if (m) {
      const pos = Math.min(Number(m[1]), expr.length);
      const bad = expr.slice(pos).match(/^[A-Za-z_][A-Za-z0-9_]*|^./);
      const len = bad ? bad[0].length : 1;
      const mark = el("mark", { text: expr.slice(pos, pos + len) || " " });
      echo.append(expr.slice(0, pos), mark, expr.slice(pos + len), "\n", el("span", { class: "caret", text: `${" ".repeat(pos)}^` }));
      input.focus();
      input.setSelectionRange(pos, pos + len);
    } else {
      echo.textContent = expr;
    }
    box.querySelector(".expr-msg").textContent = msg;
    box.hidden = false;
    input.classList.add("invalid");
    input.setAttribute("aria-invalid", "true");
  }

  showPlotStatus(text) {
    const box = $("plot-status");
    box.hidden = !text;
    box.textContent = text || "";
  }
}
