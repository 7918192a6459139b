// @ts-check
// One hyperparameter's field, built from the API's Hyperparameter (app/core/parameters.py) and
// nothing else: a checkbox for a bool, a select for a choice (with "default" when null is one),
// a number box otherwise (empty means null where the parameter is nullable: "let the algorithm
// choose"). A value the spec refuses is refused here too, with the reason under the box and
// the box marked invalid (aria-invalid), never clamped: the state keeps its last valid value,
// and the box shows it again once the refused one is entered.

import { el } from "./controls.js";
import { refusal as refusalWords } from "./field-note.js";

/** @typedef {import("../types/api").OptimizerParameter} Spec */
/** @typedef {number | string | null} Value a number (0/1 for a bool), a choice, or null */

let serial = 0;

/**
 * Why a typed value is refused, or "" when the spec accepts it. Empty text is null. The words
 * are every refusal's (field-note.js): the limits, what was typed, and the value in use.
 * @param {string} name
 * @param {Spec} spec
 * @param {string} text what the user typed
 * @param {Value} [inUse] the value the run keeps (default: the spec's)
 */
export function refusal(name, spec, text, inUse) {
  if (text.trim() === "") return spec.nullable ? "" : `${name} needs a value`;
  const v = Number(text);
  const range = { min: Number(spec.min), max: Number(spec.max), int: spec.kind === "int" };
  const ok = Number.isFinite(v) && (!range.int || Number.isInteger(v)) && v >= range.min && v <= range.max;
  return ok ? "" : refusalWords(name, text, range, inUse ?? spec.default ?? "auto");
}

/** @param {Spec} spec @param {Value | undefined} value */
const describe = (spec, value) => (value === null || value === undefined ? (spec.nullable ? "auto" : "") : String(value));

/**
 * @param {string} name the API's name (also the label when the spec has none)
 * @param {Spec} spec
 * @param {Value | boolean | undefined} value the current value (undefined: the default)
 * @param {(value: Value) => void} onChange called with valid values only
 * @param {{ labelText?: string }} [options]
 */
export function hyperparameterField(name, spec, value, onChange, { labelText } = {}) {
  const id = `hp-${++serial}`;
  const message = el("div", { class: "field-msg", id: `${id}-msg`, role: "status", hidden: true });
  const range = spec.kind === "bool" ? "on or off"
    : spec.kind === "choice" ? (spec.choices || []).join(" or ") + (spec.nullable ? " (or the default)" : "")
      : `${spec.min} to ${spec.max}${spec.nullable ? ", or empty: auto" : ""}`;
  const tip = `${name}: ${spec.help} (${range}; default ${spec.default ?? (spec.kind === "choice" ? "none" : "auto")})`;
  const label = el("label", { class: "field-label", text: labelText || name, tip: spec.help, htmlFor: id });
  /** @type {HTMLInputElement | HTMLSelectElement} */
  let control;
  /** @type {(v: Value | boolean | undefined) => void} */
  let set;
  if (spec.kind === "bool") {
    const box = el("input", { type: "checkbox", id, tip });
    box.addEventListener("change", () => onChange(box.checked ? 1 : 0));
    set = (v) => {
      box.checked = Boolean(v ?? spec.default);
    };
    control = box;
  } else if (spec.kind === "choice") {
    const select = el("select", { id, tip });
    if (spec.nullable) select.append(el("option", { value: "", text: "default (none)" }));
    for (const c of spec.choices || []) select.append(el("option", { value: c, text: c }));
    select.addEventListener("change", () => onChange(select.value === "" ? null : select.value));
    set = (v) => {
      if (document.activeElement !== select) select.value = typeof v === "string" ? v : "";
    };
    control = select;
  } else {
    const box = el("input", {
      type: "number", id, tip, min: spec.min, max: spec.max, step: spec.kind === "int" ? 1 : "any",
      placeholder: spec.nullable ? "auto" : undefined, "aria-describedby": message.id,
    });
    /** @type {Value} */
    let inUse = value === undefined || typeof value === "boolean" ? spec.default ?? null : value;
    const check = () => {
      const why = refusal(name, spec, box.value, inUse);
      box.classList.toggle("invalid", Boolean(why));
      box.setAttribute("aria-invalid", why ? "true" : "false");
      message.hidden = !why;
      message.textContent = why;
      return why;
    };
    box.addEventListener("input", check);
    box.addEventListener("change", () => {
      if (check()) {
        // The box shows the value in effect, not the refused one (the note under it says both).
        box.value = describe(spec, inUse).replace("auto", "");
        return;
      }
      inUse = box.value.trim() === "" ? null : Number(box.value);
      onChange(inUse);
    });
    set = (v) => {
      if (typeof v !== "boolean") inUse = v === undefined ? spec.default ?? null : v;
      if (document.activeElement === box || box.classList.contains("invalid")) return;
      box.value = describe(spec, v === undefined ? spec.default : /** @type {Value} */ (v)).replace("auto", "");
    };
    control = box;
  }
  control.setAttribute("aria-label", name);
  set(value);
  return { label, control, message, set };
}
