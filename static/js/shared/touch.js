// @ts-check
// Screens without hover (a phone, a tablet): a finger taps where a mouse clicks, and a hint says
// so. One media query for every page (shared/plots.js loads Plotly on demand there too).

/** Is this a screen without hover (touch only)? */
export function noHover() {
  return typeof window !== "undefined" && typeof window.matchMedia === "function" && window.matchMedia("(hover: none)").matches;
}

/** The verb of a hint: "tap" on a screen without hover, "click" with a mouse. */
export function clickWord() {
  return noHover() ? "tap" : "click";
}
