// @ts-check
// Hover help: any element with a data-tip attribute explains itself in a sentence, in one shared
// tooltip (large enough for a projector, shown at once, unlike the browser's delayed title).
// Page-agnostic: call initTooltips() once; set el.dataset.tip whenever the text changes.

const LONG_PRESS_MS = 500;
// What a tap acts on rather than explains.
const CONTROLS = "button, input, select, textarea, a, summary, [role=tab], [role=button], .hit";

/** @type {HTMLElement | null} the one tooltip */
let tip = null;
/** @type {HTMLElement | null} the element whose tip is shown */
let current = null;

/** @param {HTMLElement} box the tooltip @param {HTMLElement} target */
function place(box, target) {
  const r = target.getBoundingClientRect();
  box.hidden = false;
  const w = box.offsetWidth;
  const h = box.offsetHeight;
  let left = Math.min(window.innerWidth - w - 6, Math.max(6, r.left + r.width / 2 - w / 2));
  let top = r.bottom + 6;
  if (top + h > window.innerHeight - 4) {
    // No room below. Above a picture (the map fills most of the screen) is the toolbar, which
    // a tip must not cover: a big target's tip goes inside it, at its bottom left.
    const big = r.height > window.innerHeight * 0.35;
    if (big) {
      top = Math.max(r.top + 4, Math.min(r.bottom, window.innerHeight) - h - 8);
      left = Math.min(window.innerWidth - w - 6, Math.max(6, r.left + 8));
    } else {
      top = Math.max(4, r.top - h - 6);
    }
  }
  if (!Number.isFinite(left)) left = 6;
  box.style.left = `${left}px`;
  box.style.top = `${top}px`;
}

/** @param {HTMLElement} target */
function show(target) {
  const text = target.dataset.tip;
  if (!text || !tip) return;
  current = target;
  tip.textContent = text;
  place(tip, target);
}

/** The nearest [data-tip] element at or above an event's target. @param {Event} e */
const tipped = (e) => (e.target instanceof Element ? /** @type {HTMLElement | null} */ (e.target.closest("[data-tip]")) : null);

function hide() {
  current = null;
  if (tip) tip.hidden = true;
}

/**
 * Show the tooltip of the nearest [data-tip] ancestor on hover and keyboard focus.
 * @param {Document | HTMLElement} [root]
 */
export function initTooltips(root = document) {
  let box = document.getElementById("tooltip");
  if (!box) {
    box = document.createElement("div");
    box.className = "tooltip";
    box.hidden = true;
    document.body.append(box);
  }
  box.setAttribute("role", "tooltip");
  tip = box;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let press; // a long press under way
  let touching = false; // the latest pointer is a finger: the mouse events that follow are not a mouse
  root.addEventListener("mouseover", (e) => {
    if (touching) return;
    const target = tipped(e);
    if (target === current) return;
    if (target) show(target);
    else hide();
  });
  root.addEventListener("focusin", (e) => {
    const target = tipped(e);
    if (target && e.target instanceof Element && e.target.matches(":focus-visible")) show(target);
  });
  root.addEventListener("focusout", hide);
  root.addEventListener("mousedown", () => { if (!touching) hide(); });
  // A finger has no hover: a tap on a tipped text that is not a control (a heading, a label's
  // words) shows its sentence, and so does a long press on anything, a control included; the
  // next touch hides it.
  root.addEventListener("pointerdown", (e) => {
    clearTimeout(press);
    touching = e instanceof PointerEvent && e.pointerType === "touch";
    if (!touching) return;
    if (current) hide();
    const target = tipped(e);
    if (target) press = setTimeout(() => show(target), LONG_PRESS_MS);
  });
  // Lifted early, or the page scrolled under the finger (pointercancel): no long press.
  for (const type of ["pointerup", "pointercancel"]) root.addEventListener(type, () => clearTimeout(press));
  root.addEventListener("click", (e) => {
    if (!touching || !(e.target instanceof Element) || e.target.closest(CONTROLS)) return;
    const target = tipped(e);
    if (target) show(target);
  });
  root.addEventListener("keydown", hide);
  window.addEventListener("blur", hide);
  window.addEventListener("scroll", hide, true);
}

/**
 * Set an element's help sentence (also as its accessible description).
 * @param {HTMLElement | null} el
 * @param {string} text
 */
export function setTip(el, text) {
  if (!el) return;
  el.dataset.tip = text;
  if (current === el && tip) tip.textContent = text;
}
