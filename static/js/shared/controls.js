// @ts-check
// Control builders shared by the pages: a tiny DOM helper, a log-scale slider with a number box,
// a select of registry items (one hyperparameter's field is hp-field.js). Controls only report
// changes (onChange); the page decides what state they change.

import { fieldNote, refusal } from "./field-note.js";
import { roundSig } from "./format.js";

/** @typedef {Node | string | null | undefined | false} Child */

/**
 * el("button", {class: "x", text: "Go", tip: "...", on: {click: fn}}, children). Other attributes
 * set the element's property of that name when it has one (value, checked, hidden...), else the
 * attribute.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, any>} [attrs]
 * @param {Child | Child[]} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  /** @type {Record<string, unknown>} the same node, by property name */
  const props = /** @type {any} */ (node);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k === "tip") node.dataset.tip = v;
    else if (k === "on") for (const [type, fn] of Object.entries(v)) node.addEventListener(type, fn);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k in node && k !== "list" && k !== "type") props[k] = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of [children].flat()) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

/** Is this element being edited right now (then a re-render must not overwrite its value)? */
/** @param {Element} node */
const isEditing = (node) => document.activeElement === node;

/**
 * Set an input's value unless the user is editing it.
 * @param {HTMLInputElement | HTMLSelectElement} input
 * @param {unknown} value
 */
export function setValue(input, value) {
  if (isEditing(input)) return;
  const s = String(value);
  if (input.value !== s) input.value = s;
}

/**
 * A logarithmic slider (from min to max) and a number box for one positive value.
 * onInput(value) fires while dragging and typing (value rounded to 3 significant digits from the
 * slider, exact from the box). set(value) updates both without firing. A value out of the box's
 * range (the API's limits) is refused in words under the box, naming the value in use, and the
 * box goes back to that value when the edit ends.
 * @param {object} o
 * @param {number} o.min the slider's range (min > 0)
 * @param {number} o.max
 * @param {number} [o.boxMin] the number box's range, when wider than the slider's
 * @param {number} [o.boxMax]
 * @param {number} o.value
 * @param {string} o.tip
 * @param {string} o.label
 * @param {string} [o.name] the value's short name in a refusal ("lr")
 * @param {(value: number) => void} o.onInput
 */
export function logSlider({ min, max, boxMin = min, boxMax = max, value, tip, label, name = label, onInput }) {
  const lo = Math.log10(min);
  const hi = Math.log10(max);
  const range = el("input", { type: "range", min: lo, max: hi, step: (hi - lo) / 600, tip, "aria-label": label });
  const box = el("input", { type: "number", min: boxMin, max: boxMax, step: "any", tip, "aria-label": `${label} (number)` });
  let inUse = value;
  /** @param {number} v */
  const toRange = (v) => String(Math.log10(Math.min(max, Math.max(min, v))));
  /** @param {number} v */
  const set = (v) => {
    inUse = v;
    if (!isEditing(range)) range.value = toRange(v);
    setValue(box, v);
  };
  const valid = () => {
    const v = Number(box.value);
    return box.value !== "" && Number.isFinite(v) && v >= boxMin && v <= boxMax;
  };
  const refuse = () => fieldNote(box, refusal(name, box.value, { min: boxMin, max: boxMax }, inUse));
  range.addEventListener("input", () => {
    const v = roundSig(10 ** Number(range.value), 3);
    inUse = v;
    fieldNote(box, null);
    setValue(box, v);
    onInput(v);
  });
  box.addEventListener("input", () => {
    if (!valid()) {
      refuse();
      return;
    }
    fieldNote(box, null);
    inUse = Number(box.value);
    range.value = toRange(inUse);
    onInput(inUse);
  });
  box.addEventListener("change", () => {
    if (valid()) return;
    refuse();
    box.value = String(inUse); // the box shows the value in effect, even while focused
  });
  set(value);
  return { range, box, set };
}

/**
 * A <select> of registry items ({id, name, description}).
 * @param {{ id: string, name: string, description?: string }[]} items
 * @param {string} value
 * @param {{ label?: string, onChange?: (id: string) => void }} [options]
 */
export function registrySelect(items, value, { label, onChange } = {}) {
  const select = el("select", { "aria-label": label });
  for (const item of items) select.append(el("option", { value: item.id, text: item.name, title: item.description || "" }));
  select.value = value;
  if (onChange) select.addEventListener("change", () => onChange(select.value));
  return select;
}
