// @ts-check
// The settings column's data and network controls: dataset, n, noise, classes, seed; own points
// (class picker, clear, CSV upload, back to the dataset); hidden widths and activation. Built
// from GET /api/mlp/options; handlers report what the user asked for, render() shows the state.

import { el, setValue } from "../shared/controls.js";
import { fmt } from "../shared/format.js";
import { CSVError, parsePointsCSV } from "./data.js";
import { CLASS_COLORS, MAX_CLASSES, networkShape } from "./state.js";
import { setTip } from "../shared/tooltips.js";

/** @typedef {import("../types/api").MlpOptions} MlpOptions */
/** @typedef {import("../types/api").DatasetInfo} DatasetInfo */
/** @typedef {import("../shared/state.js").State} State */
/** @typedef {import("./data.js").Point} Point */
/**
 * @typedef {object} SettingsHandlers what the user asked for
 * @property {(patch: State) => void} set
 * @property {() => void} clearPoints
 * @property {() => void} useDataset
 * @property {(points: Point[], name: string) => void} loadPoints
 * @property {(text: string, field: string) => void} error
 * @property {() => void} picked what a click on the data plot does changed (a class, or erasing)
 */

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
/** @param {string} id */
const input = (id) => /** @type {HTMLInputElement} */ (document.getElementById(id));
/** @param {string} id */
const button = (id) => /** @type {HTMLButtonElement} */ (document.getElementById(id));
/** @param {string} id */
const select = (id) => /** @type {HTMLSelectElement} */ (document.getElementById(id));

/**
 * "16, 16" -> [16, 16]; "" -> []; throws Error with a sentence for anything else.
 * @param {string} text
 * @param {{ hidden_layers: number, width: number }} limits
 * @returns {number[]}
 */
export function parseWidths(text, limits) {
  const t = text.trim();
  if (!t || t === "none") return [];
  const parts = t.split(/[\s,;x×]+/).filter(Boolean);
  if (parts.length > limits.hidden_layers) throw new Error(`at most ${limits.hidden_layers} hidden layers`);
  return parts.map((p) => {
    const w = Number(p);
    if (!Number.isInteger(w) || w < 1 || w > limits.width) throw new Error(`"${p}" is not a width from 1 to ${limits.width}`);
    return w;
  });
}

export class SettingsPanel {
  /** @param {MlpOptions} options GET /api/mlp/options @param {SettingsHandlers} on */
  constructor(options, on) {
    this.options = options;
    this.on = on;
    /** @type {Map<string, DatasetInfo>} */
    this.datasets = new Map(options.datasets.map((d) => [d.id, d]));
    this.clickClass = 0; // the class a click on the data plot adds
    this.erasing = false; // a click on the data plot removes the nearest point instead (touch has no shift)
    /** @type {State | undefined} the last state rendered */
    this.state = undefined;
    this.build();
  }

  build() {
    const o = this.options;
    const dataset = select("dataset");
    for (const d of o.datasets) dataset.append(el("option", { value: d.id, text: d.name, title: d.description }));
    dataset.addEventListener("change", () => this.on.set({ dataset: dataset.value, noise: null, classes: null, points: null, pts: null }));
    const activation = select("activation");
    for (const a of o.activations) activation.append(el("option", { value: a.id, text: a.name, title: `${a.formula}. ${a.words}` }));
    activation.addEventListener("change", () => this.on.set({ activation: activation.value }));
    input("n").max = String(o.limits.points);
    this._number("n", 4, o.limits.points, (v) => this.on.set({ n: v }));
    // The dataset's own range (modular addition: p from 23 to 97).
    this._number("classes", () => this.classRange()[0], () => this.classRange()[1], (v) => this.on.set({ classes: v }));
    this._number("dseed", 0, 2 ** 32 - 1, (v) => this.on.set({ dseed: v }));
    const noise = input("noise");
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    noise.addEventListener("input", () => {
      $("noise-out").textContent = fmt(Number(noise.value), 2);
      clearTimeout(timer);
      timer = setTimeout(() => this.on.set({ noise: Number(noise.value) }), 200);
    });
    const hidden = input("hidden");
    const applyHidden = () => {
      try {
        const widths = parseWidths(hidden.value, o.limits);
        hidden.classList.remove("invalid");
        this.on.set({ hidden: widths });
      } catch (err) {
        hidden.classList.add("invalid");
        this.on.error(`Hidden layers: ${/** @type {Error} */ (err).message}. Write widths like "16, 16".`, "hidden");
      }
    };
    hidden.addEventListener("change", applyHidden);
    hidden.addEventListener("keydown", (e) => {
      if (e.key === "Enter") applyHidden();
    });
    $("layer-plus").addEventListener("click", () => {
      const h = this.rendered().hidden;
      if (h.length < o.limits.hidden_layers) this.on.set({ hidden: [...h, h.length ? h[h.length - 1] : 8] });
    });
    $("layer-minus").addEventListener("click", () => this.on.set({ hidden: this.rendered().hidden.slice(0, -1) }));
    $("clear-points").addEventListener("click", () => this.on.clearPoints());
    $("use-dataset").addEventListener("click", () => this.on.useDataset());
    $("csv-file").addEventListener("change", (e) => this.readCSV(/** @type {HTMLInputElement} */ (e.target)));
  }

  /** The state last rendered; the controls answer only after the first render. @returns {State} */
  rendered() {
    if (!this.state) throw new Error("SettingsPanel: render() first");
    return this.state;
  }

  /** @returns {[number, number]} */
  classRange() {
    const ds = this.state && this.datasets.get(this.state.dataset);
    return ds && ds.class_range ? ds.class_range : [2, MAX_CLASSES];
  }

  /**
   * @param {string} id
   * @param {number | (() => number)} lo
   * @param {number | (() => number)} hi
   * @param {(v: number) => void} set
   */
  _number(id, lo, hi, set) {
    const box = input(id);
    box.addEventListener("change", () => {
      const min = typeof lo === "function" ? lo() : lo;
      const max = typeof hi === "function" ? hi() : hi;
      const v = Math.round(Number(box.value));
      const ok = box.value !== "" && Number.isFinite(v) && v >= min && v <= max;
      box.classList.toggle("invalid", !ok);
      if (ok) set(v);
      else this.on.error(`${box.getAttribute("aria-label")}: give a whole number from ${min} to ${max}.`, id);
    });
  }

  /** @param {HTMLInputElement} picker the file input */
  async readCSV(picker) {
    const file = picker.files && picker.files[0];
    picker.value = ""; // the same file again must fire `change`
    if (!file) return;
    try {
      const text = await file.text();
      const points = parsePointsCSV(text, { maxPoints: this.options.limits.points });
      this.showError(null);
      this.on.loadPoints(points, file.name);
    } catch (err) {
      const why = err instanceof CSVError ? err.message : `could not read it (${/** @type {Error} */ (err).message})`;
      this.showError(`${file.name}: ${why}. Expected one point a line: x1, x2, label (e.g. "0.5, -1.2, 1").`);
    }
  }

  /**
   * Show (or with null, hide) the data error; source "server" errors go when runs start.
   * @param {string | null} text
   * @param {"page" | "server"} [source]
   */
  showError(text, source = "page") {
    const box = $("data-error");
    box.hidden = !text;
    box.textContent = text || "";
    box.dataset.source = source;
  }

  /** New runs started: an error the server gave about the data is gone; a CSV's is not. */
  clearServerError() {
    if ($("data-error").dataset.source === "server") this.showError(null);
  }

  /** @param {State} state the store's state */
  render(state) {
    this.state = state;
    // sanitize() (state.js) keeps the dataset one of the options'
    const ds = /** @type {DatasetInfo} */ (this.datasets.get(state.dataset));
    // Own points are 2D classification points: not for a regression, nor for one-hot pairs.
    const regression = ds.task === "regression" || Boolean(ds.one_hot);
    const dataset = select("dataset");
    if (dataset.value !== state.dataset) dataset.value = state.dataset;
    setTip(dataset, `${ds.name}: ${ds.description}`);
    setValue(input("n"), state.n);
    input("n").disabled = Boolean(state.points) || Boolean(ds.one_hot); // modular: the whole p x p table
    const noise = state.noise ?? ds.default_noise;
    if (document.activeElement !== $("noise")) input("noise").value = String(noise);
    $("noise-out").textContent = fmt(noise, 2);
    input("noise").disabled = Boolean(state.points) || Boolean(ds.one_hot);
    $("classes-field").hidden = !ds.variable_classes || Boolean(state.points);
    setValue(input("classes"), state.classes ?? ds.classes ?? "");
    [input("classes").min, input("classes").max] = (ds.class_range || [2, MAX_CLASSES]).map(String);
    setValue(input("dseed"), state.dseed);
    if (document.activeElement !== $("hidden") && !$("hidden").classList.contains("invalid")) input("hidden").value = state.hidden.join(", ");
    button("layer-plus").disabled = state.hidden.length >= this.options.limits.hidden_layers;
    button("layer-minus").disabled = state.hidden.length === 0;
    if (select("activation").value !== state.activation) select("activation").value = state.activation;
    const act = this.options.activations.find((a) => a.id === state.activation);
    if (act) setTip($("activation"), `Activation of the hidden layers: ${act.formula}. ${act.words}`);
    const shape = networkShape(state, this.options);
    $("arch").textContent = `${shape.sizes.join(" → ")}: ${shape.params} weights and biases`;

    // Own points: classification only.
    for (const node of $("own-points").querySelectorAll("button, input")) /** @type {HTMLInputElement} */ (node).disabled = regression;
    $("own-points").classList.toggle("disabled", regression);
    $("use-dataset").hidden = !state.points;
    const inUse = state.points ? Math.max(1, ...state.points.map((/** @type {Point} */ p) => p[2])) + 1 : state.classes ?? ds.classes ?? 2;
    const nClasses = Math.min(MAX_CLASSES, inUse + 1);
    if (this.clickClass >= nClasses) this.clickClass = 0;
    const picker = $("class-picker");
    if (picker.children.length !== nClasses + 1) {
      const classes = Array.from({ length: nClasses }, (_, c) => {
        const dot = el("span", { class: "class-dot" });
        dot.style.background = CLASS_COLORS[c];
        return el("button", {
          type: "button", dataset: { cls: String(c) }, "aria-label": `Class ${c}`,
          tip: `Clicks on the data plot add points of class ${c}${c >= inUse ? " (a new class: the network gets another output)" : ""}.`,
          on: { click: () => this.pick(c) },
        }, [dot, String(c)]);
      });
      const erase = el("button", {
        type: "button", dataset: { erase: "1" },
        tip: "Clicks on the data plot remove the nearest point (as a shift-click does): on a touch screen, the way to remove one.",
        on: { click: () => this.pick(null) },
      }, ["Erase"]);
      picker.replaceChildren(...classes, erase);
    }
    for (const b of /** @type {HTMLCollectionOf<HTMLButtonElement>} */ (picker.children)) {
      b.disabled = regression;
      const on = b.dataset.erase ? this.erasing : !this.erasing && Number(b.dataset.cls) === this.clickClass;
      b.setAttribute("aria-pressed", String(on));
    }
  }

  /** What a click on the data plot does: add a point of class `c`, or (null) remove one.
   * @param {number | null} c */
  pick(c) {
    this.erasing = c === null;
    if (c !== null) this.clickClass = c;
    this.render(this.rendered());
    this.on.picked();
  }
}
