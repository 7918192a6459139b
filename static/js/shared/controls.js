// Control builders shared by the pages: a tiny DOM helper, a log-scale slider with a number box,
// and an input for one hyperparameter built from the API's spec {default, min, max, help, log,
// kind}. Controls only report changes (onChange); the page decides what state they change.

import { roundSig } from "./format.js";

/** el("button", {class: "x", text: "Go", tip: "...", on: {click: fn}}, children) */
export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k === "tip") node.dataset.tip = v;
    else if (k === "on") for (const [type, fn] of Object.entries(v)) node.addEventListener(type, fn);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k in node && k !== "list" && k !== "type") node[k] = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of [].concat(children)) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

/** Is this element being edited right now (then a re-render must not overwrite its value)? */
const isEditing = (node) => document.activeElement === node;

/** Set an input's value unless the user is editing it. */
export function setValue(input, value) {
  if (isEditing(input)) return;
  const s = String(value);
  if (input.value !== s) input.value = s;
}

/**
 * A logarithmic slider (from min to max) and a number box for one positive value.
 * onInput(value) fires while dragging and typing (value rounded to 3 significant digits from the
 * slider, exact from the box). set(value) updates both without firing.
 */
export function logSlider({ min, max, boxMin = min, boxMax = max, value, tip, label, onInput }) {
  const lo = Math.log10(min);
  const hi = Math.log10(max);
  const range = el("input", { type: "range", min: lo, max: hi, step: (hi - lo) / 600, tip, "aria-label": label });
  const box = el("input", { type: "number", min: boxMin, max: boxMax, step: "any", tip, "aria-label": `${label} (number)` });
  const set = (v) => {
    if (!isEditing(range)) range.value = String(Math.log10(Math.min(max, Math.max(min, v))));
    setValue(box, v);
  };
  range.addEventListener("input", () => {
    const v = roundSig(10 ** Number(range.value), 3);
    setValue(box, v);
    onInput(v);
  });
  box.addEventListener("input", () => {
    const v = Number(box.value);
    const ok = box.value !== "" && Number.isFinite(v) && v >= boxMin && v <= boxMax;
    box.classList.toggle("invalid", !ok);
    if (!ok) return;
    range.value = String(Math.log10(Math.min(max, Math.max(min, v))));
    onInput(v);
  });
  box.addEventListener("change", () => {
    box.classList.remove("invalid");
    const v = Number(box.value);
    if (!(Number.isFinite(v) && v >= boxMin && v <= boxMax)) set(Number(range.value) ? 10 ** Number(range.value) : value);
  });
  set(value);
  return { range, box, set };
}

/** An input for one hyperparameter from its API spec; onChange(number) with a valid value only. */
export function specInput(name, spec, value, onChange) {
  const tip = `${name}: ${spec.help} (${spec.kind === "bool" ? "on or off" : `${spec.min} to ${spec.max}`}; default ${spec.default})`;
  if (spec.kind === "bool") {
    const box = el("input", { type: "checkbox", tip, "aria-label": name });
    box.checked = Boolean(value);
    box.addEventListener("change", () => onChange(box.checked ? 1 : 0));
    return box;
  }
  const input = el("input", {
    type: "number", min: spec.min, max: spec.max, step: spec.kind === "int" ? 1 : "any", tip, "aria-label": name,
  });
  input.value = String(value);
  input.addEventListener("change", () => {
    let v = Number(input.value);
    const ok = input.value !== "" && Number.isFinite(v) && v >= spec.min && v <= spec.max
      && (spec.kind !== "int" || Number.isInteger(v));
    input.classList.toggle("invalid", !ok);
    if (!ok) {
      input.dataset.tip = `${tip}. ${input.value} is out of range.`;
      return;
    }
    input.dataset.tip = tip;
    if (spec.kind === "int") v = Math.round(v);
    onChange(v);
  });
  return input;
}

/** A <select> of registry items ({id, name, description}). */
export function registrySelect(items, value, { label, onChange } = {}) {
  const select = el("select", { "aria-label": label });
  for (const item of items) select.append(el("option", { value: item.id, text: item.name, title: item.description || "" }));
  select.value = value;
  if (onChange) select.addEventListener("change", () => onChange(select.value));
  return select;
}
