// @ts-check
// Keyboard shortcuts that never fire while the user types in a field.
// Page-agnostic: bindKeys({" ": fn, ArrowRight: fn, r: fn}) with KeyboardEvent.key names
// (letters are matched case-insensitively). Returns a function that unbinds them.

const TEXT_INPUTS = new Set(["text", "number", "search", "email", "url", "tel", "password", "range", "color", "date", "time"]);

/** True when a key press belongs to a form field: typing, choosing, or moving a slider. */
/** @param {EventTarget | null} target */
function isTyping(target) {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return TEXT_INPUTS.has((target.type || "text").toLowerCase());
  return false;
}

/**
 * @param {Record<string, (event: KeyboardEvent) => void>} bindings by KeyboardEvent.key
 * @param {Window | HTMLElement} [target]
 * @returns {() => void} unbinds them
 */
export function bindKeys(bindings, target = window) {
  const map = new Map(Object.entries(bindings).map(([k, fn]) => [k.length === 1 ? k.toLowerCase() : k, fn]));
  /** @param {Event} e */
  const handler = (e) => {
    const event = /** @type {KeyboardEvent} */ (e);
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) return;
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const fn = map.get(key);
    if (!fn) return;
    // A focused button would also "click" on Space or Enter: the shortcut wins instead.
    event.preventDefault();
    fn(event);
  };
  target.addEventListener("keydown", handler);
  return () => target.removeEventListener("keydown", handler);
}
