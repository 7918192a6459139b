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

/**
 * The plots' base type size, px: 12 at a desk; in presentation mode the page's own type (CSS
 * owns it: --fs on html, 24 px on a 1920-wide projector) plus 2, so that tick labels, drawn 2 px
 * smaller, stay as large as the page's text. Call after setPresenting.
 * @param {boolean} on
 */
export function plotFontSize(on) {
  if (!on) return 12;
  const root = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  return Math.max(16, Math.round(root) + 2);
}
