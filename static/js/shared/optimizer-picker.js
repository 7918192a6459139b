// @ts-check
// The optimizer picker both pages share: a <select> of the optimizers a kind of run can serve
// (GET /api/optimizers: run_kinds), grouped by family (the API's `family`), in the API's order
// within a group. Newton is not offered to a network, nor Muon to a 2D surface: each says why in
// its description, which the API gives the runs that refuse it.

import { el } from "./controls.js";

/** @typedef {import("../types/api").OptimizerInfo} OptimizerInfo */

/**
 * The optimizers a run of this kind can serve, in the API's order.
 * @param {OptimizerInfo[]} optimizers
 * @param {string} kind "surface" or "network"
 */
export function offeredFor(optimizers, kind) {
  return optimizers.filter((o) => !o.run_kinds || o.run_kinds.includes(kind));
}

/**
 * The offered optimizers by family, families in the order their first member comes.
 * @param {OptimizerInfo[]} optimizers
 * @param {string} kind
 * @returns {[string, OptimizerInfo[]][]}
 */
export function groupedFor(optimizers, kind) {
  /** @type {Map<string, OptimizerInfo[]>} */
  const groups = new Map();
  for (const o of offeredFor(optimizers, kind)) {
    const family = o.family || "Optimizers";
    const list = groups.get(family);
    if (list) list.push(o);
    else groups.set(family, [o]);
  }
  return [...groups];
}

/**
 * A <select> of the optimizers for one kind of run, in <optgroup>s by family. A value not
 * offered (an old link) stays selectable, so the select never silently shows another optimizer.
 * @param {OptimizerInfo[]} optimizers GET /api/optimizers
 * @param {string} kind "surface" or "network"
 * @param {string} value the selected id
 * @param {{ label?: string, onChange?: (id: string) => void }} [options]
 */
export function optimizerSelect(optimizers, kind, value, { label, onChange } = {}) {
  const select = el("select", { "aria-label": label });
  const groups = groupedFor(optimizers, kind);
  for (const [family, list] of groups) {
    const group = el("optgroup", { label: family });
    for (const o of list) group.append(el("option", { value: o.id, text: o.name, title: o.description }));
    select.append(group);
  }
  if (!groups.some(([, list]) => list.some((o) => o.id === value))) {
    const missing = optimizers.find((o) => o.id === value);
    if (missing) select.append(el("option", { value, text: `${missing.name} (not for this run)`, title: missing.description }));
  }
  select.value = value;
  if (onChange) select.addEventListener("change", () => onChange(select.value));
  return select;
}
