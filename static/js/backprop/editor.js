// @ts-check
// The Edit panel: the input x, the target y, the loss, and every layer's W, b and activation as
// plain text (numbers separated by commas or spaces, one row of W per line). The server is the one
// validator: what is typed goes to POST /api/mlp/backprop as is (a word stays a string), and a 422
// comes back here as a message next to the field it names.

import { h, subText } from "./symbols.js";
import { plainMessage } from "./plain-errors.js";

/** @typedef {import("../types/api").MlpOptions} MlpOptions */
/** @typedef {import("../shared/api.js").ApiError} ApiError */
/** A typed entry: a number, or a token the server will refuse (it names the field). @typedef {number | string} Entry */
/**
 * A network as the editor's fields show it (an activation is null on the output layer).
 * @typedef {{ W: (number | null)[][], b: (number | null)[], activation: string | null }} NetLayer
 * @typedef {{ layers: NetLayer[], loss: string, x: number[], y: number[] }} Net
 * @typedef {{ W: Entry[][], b: Entry[], activation?: string }} BodyLayer
 * @typedef {{ layers: BodyLayer[], loss: string, x: Entry[], y: Entry[] }} Body what is typed, as the request's fields
 * @typedef {{ onRun: (body: Body) => void, onReset: () => void, onClose: () => void }} Handlers
 */

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * "2, −1 3" -> [2, -1, 3]; a token that is not a number is kept as text for the server to refuse.
 * @param {string} text @returns {Entry[]}
 */
export function parseVector(text) {
  return String(text)
    .replace(/−/g, "-")
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map((tok) => (NUMBER.test(tok) ? Number(tok) : tok));
}

/** One row per line (or per ";"). @param {string} text @returns {Entry[][]} */
export function parseMatrix(text) {
  return String(text).split(/[\n;]+/).map((line) => line.trim()).filter(Boolean).map(parseVector);
}

/** @param {readonly unknown[]} v */
const show = (v) => v.map((x) => String(x)).join(", ");

/**
 * The field a 422 names, as a data-field key of this form ("x", "layers.0.W", "lr" ...).
 * @param {ApiError} err @returns {string}
 */
export function fieldOf(err) {
  const first = Array.isArray(err.detail) ? err.detail[0] : null;
  const loc = (first?.loc ?? []).filter((p) => p !== "body").map(String);
  const msg = first ? first.msg : String(err.detail || err.message);
  if (loc[0] === "layers") {
    if (/^\d+$/.test(loc[1] ?? "")) return loc.length > 2 ? `layers.${loc[1]}.${loc[2]}` : `layers.${loc[1]}.W`;
    let m = /layer (\d+)'s (W|b)/.exec(msg);
    if (m) return `layers.${Number(m[1]) - 1}.${m[2]}`;
    m = /layer (\d+) needs an activation/.exec(msg);
    if (m) return `layers.${Number(m[1]) - 1}.activation`;
    if (/last layer's activation/.test(msg)) return "loss";
    return "general";
  }
  return ["x", "y", "loss", "lr", "chain"].includes(loc[0]) ? loc[0] : "general";
}

/** The message without the field name in front ("y: must have ..." -> "must have ..."), in
 * plain words (plain-errors.js).
 * @param {ApiError} err @returns {string} */
export function messageOf(err) {
  const first = Array.isArray(err.detail) ? err.detail[0] : null;
  const msg = first ? first.msg : typeof err.detail === "string" ? err.detail : err.message;
  return plainMessage(String(msg).replace(/^[A-Za-z_]+: /, ""));
}

export class Editor {
  /**
   * root: the panel; options: GET /api/mlp/options; handlers: onRun(body), onReset(), onClose().
   * @param {HTMLElement} root @param {MlpOptions} options @param {Handlers} handlers
   */
  constructor(root, options, handlers) {
    this.root = root;
    this.options = options;
    this.handlers = handlers;
    /** @type {HTMLFormElement | null} the fields, once open() built them */
    this.form = null;
  }

  get isOpen() {
    return !this.root.hidden;
  }

  /** Fill the fields from a network {layers, loss, x, y} and show the panel. @param {Net} net */
  open(net) {
    this.root.hidden = false;
    this.build(net);
    /** @type {HTMLElement | null} */ (this.root.querySelector("input, textarea"))?.focus();
  }

  close() {
    this.root.hidden = true;
  }

  /**
   * One labelled control with its error line; `key` is the field a 422 names.
   * @param {string} key @param {string} label @param {HTMLElement} control @param {string} [tip]
   * @returns {HTMLElement}
   */
  field(key, label, control, tip) {
    const lab = h("label", "ed-label", label);
    lab.htmlFor = control.id;
    if (tip) lab.dataset.tip = tip;
    const err = h("div", "field-error", "");
    err.hidden = true;
    err.setAttribute("role", "alert");
    err.id = `${control.id}-error`;
    control.setAttribute("aria-describedby", err.id);
    const wrap = h("div", "ed-field", lab, control, err);
    wrap.dataset.field = key;
    return wrap;
  }

  /** @param {Net} net */
  build(net) {
    /** @param {string} id @param {string} value */
    const input = (id, value) => {
      const el = h("input", null);
      el.type = "text";
      el.id = id;
      el.value = value;
      el.spellcheck = false;
      el.autocomplete = "off";
      return el;
    };
    /** @param {string} id @param {{ id: string, name: string }[]} items @param {string} value */
    const select = (id, items, value) => {
      const el = h("select", null);
      el.id = id;
      for (const it of items) {
        const o = h("option", null, it.name);
        o.value = it.id;
        el.append(o);
      }
      el.value = value;
      return el;
    };

    const close = h("button", "close", "✕");
    close.type = "button";
    close.setAttribute("aria-label", "Close the editor");
    close.addEventListener("click", () => this.handlers.onClose());
    const parts = [
      h("div", "ed-head", h("h2", null, "Edit the example"), close),
      h("p", "hint", "Numbers separated by commas or spaces; one row of W per line. Run sends it to the server, which checks it."),
      this.field("x", "input x", input("ed-x", show(net.x)), "The input: one number per input unit."),
      this.field("y", "target y", input("ed-y", show(net.y)), "The right answer: with cross-entropy, probabilities that add up to 1 (one-hot)."),
      this.field("loss", "loss", select("ed-loss", this.options.losses, net.loss), "The loss; it also sets the output layer's activation."),
    ];
    net.layers.forEach((layer, k) => {
      const l = k + 1;
      const last = k === net.layers.length - 1;
      const W = h("textarea", null);
      W.id = `ed-W${l}`;
      W.rows = Math.min(8, layer.W.length);
      W.spellcheck = false;
      W.value = layer.W.map(show).join("\n");
      const fs = h("fieldset", "ed-layer", h("legend", null, last ? `Layer ${l} (output)` : `Layer ${l}`),
        this.field(`layers.${k}.W`, `W${subText(l)}`, W, `Layer ${l}'s weights: one row per unit of layer ${l}, one number per unit below.`),
        this.field(`layers.${k}.b`, `b${subText(l)}`, input(`ed-b${l}`, show(layer.b)), `Layer ${l}'s biases: one per unit.`),
        last
          ? h("div", "ed-field ed-note", "activation: set by the loss")
          : this.field(`layers.${k}.activation`, "activation", select(`ed-act${l}`, this.options.activations, layer.activation || "relu")));
      fs.dataset.field = `layers.${k}`;
      parts.push(fs);
    });
    const general = h("div", "field-error ed-general", "");
    general.hidden = true;
    general.dataset.field = "general";
    general.setAttribute("role", "alert");
    const run = h("button", "primary", "Run");
    run.type = "submit";
    run.id = "ed-run";
    run.dataset.tip = "Run forward, backward and the update with these numbers.";
    const reset = h("button", null, "Classic example");
    reset.type = "button";
    reset.id = "ed-reset";
    reset.dataset.tip = "Back to the hand-worked classic example.";
    reset.addEventListener("click", () => this.handlers.onReset());
    parts.push(general, h("div", "ed-actions", run, reset));

    this.form = h("form", "ed-form", ...parts);
    this.form.noValidate = true;
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.clearErrors();
      this.handlers.onRun(this.body(net.layers.length));
    });
    this.root.replaceChildren(this.form);
  }

  /** The request fields {layers, loss, x, y} from what is typed. @param {number} nLayers @returns {Body} */
  body(nLayers) {
    const form = /** @type {HTMLFormElement} */ (this.form);
    /** The value of a control build() made. @param {string} id */
    const q = (id) => /** @type {HTMLInputElement} */ (form.querySelector(`#${id}`)).value;
    /** @type {BodyLayer[]} */
    const layers = [];
    for (let l = 1; l <= nLayers; l++) {
      /** @type {BodyLayer} */
      const layer = { W: parseMatrix(q(`ed-W${l}`)), b: parseVector(q(`ed-b${l}`)) };
      if (l < nLayers) layer.activation = q(`ed-act${l}`);
      layers.push(layer);
    }
    return { layers, loss: q("ed-loss"), x: parseVector(q("ed-x")), y: parseVector(q("ed-y")) };
  }

  clearErrors() {
    if (!this.form) return;
    for (const el of /** @type {NodeListOf<HTMLElement>} */ (this.form.querySelectorAll(".field-error"))) {
      el.hidden = true;
      el.textContent = "";
    }
    for (const el of this.form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  }

  /**
   * Show a 422 next to its field (or at the bottom of the form); returns the field key.
   * @param {string} key @param {string} message @returns {string}
   */
  showError(key, message) {
    if (!this.form) return key;
    /** @param {string} k */
    const fieldBox = (k) => /** @type {HTMLElement | null} */ (this.form?.querySelector(`[data-field="${k}"]`));
    let wrap = fieldBox(key);
    if (!wrap || wrap.tagName === "FIELDSET") wrap = /** @type {HTMLElement} */ (fieldBox("general"));
    const err = wrap.classList.contains("field-error") ? wrap : /** @type {HTMLElement} */ (wrap.querySelector(".field-error"));
    err.textContent = message;
    err.hidden = false;
    const control = /** @type {HTMLElement | null} */ (wrap.querySelector("input, textarea, select"));
    if (control) {
      control.setAttribute("aria-invalid", "true");
      control.focus();
    }
    err.scrollIntoView({ block: "nearest" });
    return key;
  }
}
