// @ts-check
// Presentation mode for a projector: large type and secondary panels hidden (CSS does the work,
// keyed on body.presenting and the .secondary class). Page-agnostic.

/** @param {boolean} on @param {HTMLElement | null} [button] the Present button, relabelled */
export function setPresenting(on, button = null) {
  document.body.classList.toggle("presenting", Boolean(on));
  document.documentElement.classList.toggle("presenting", Boolean(on)); // rem sizes follow --fs
  if (button) {
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = on ? "Exit presentation" : "Present";
  }
  // Plots size themselves to their container: tell them the layout changed.
  window.dispatchEvent(new Event("resize"));
}

export function isPresenting() {
  return document.body.classList.contains("presenting");
}
