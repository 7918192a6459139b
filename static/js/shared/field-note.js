// @ts-check
// A short note under an input: why a value was refused and what is in use instead, in words
// (a red border alone says nothing to a colour-blind student or a screen reader).

import { fmt } from "./format.js";

let made = 0; // ids for aria-describedby

/**
 * Show `text` under `input` (after its row), or remove the note with null.
 * @param {HTMLInputElement} input
 * @param {string | null} text
 */
export function fieldNote(input, text) {
  const anchor = input.closest(".run-row") || input;
  const next = anchor.nextElementSibling;
  let note = next instanceof HTMLElement && next.classList.contains("field-note") ? next : null;
  input.classList.toggle("invalid", Boolean(text));
  if (!text) {
    note?.remove();
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
    return;
  }
  if (!note) {
    note = document.createElement("div");
    note.className = "field-note";
    note.id = `field-note-${++made}`;
    note.setAttribute("role", "status");
    anchor.after(note);
  }
  note.textContent = text;
  input.setAttribute("aria-invalid", "true");
  input.setAttribute("aria-describedby", note.id);
}

/**
 * "lr goes from 1e-6 to 10: 100 is out of range; 0.001 is in use."
 * @param {string} name
 * @param {string} typed what the user typed
 * @param {{ min: number, max: number, int?: boolean }} range
 * @param {number | string} inUse
 */
export function refusal(name, typed, range, inUse) {
  const t = typed.trim();
  const v = Number(t);
  const what = t === "" ? "an empty box is not a number"
    : !Number.isFinite(v) ? `${t} is not a number`
      : range.int && !Number.isInteger(v) ? `${t} is not a whole number` : `${t} is out of range`;
  const whole = range.int ? "a whole number " : "";
  return `${name} is ${whole}from ${fmt(range.min, 4)} to ${fmt(range.max, 4)}: ${what}; ${typeof inUse === "number" ? fmt(inUse, 4) : inUse} is in use.`;
}
