// Hover help: any element with a data-tip attribute explains itself in a sentence, in one shared
// tooltip (large enough for a projector, shown at once, unlike the browser's delayed title).
// Page-agnostic: call initTooltips() once; set el.dataset.tip whenever the text changes.

let tip = null;
let current = null;

function place(target) {
  const r = target.getBoundingClientRect();
  tip.hidden = false;
  const w = tip.offsetWidth;
  const h = tip.offsetHeight;
  let left = Math.min(window.innerWidth - w - 6, Math.max(6, r.left + r.width / 2 - w / 2));
  let top = r.bottom + 6;
  if (top + h > window.innerHeight - 4) top = Math.max(4, r.top - h - 6);
  if (!Number.isFinite(left)) left = 6;
  tip.style.left = `${left}px`;
  tip.style.top = `${top}px`;
}

function show(target) {
  const text = target.dataset.tip;
  if (!text) return;
  current = target;
  tip.textContent = text;
  place(target);
}

function hide() {
  current = null;
  if (tip) tip.hidden = true;
}

/** Show the tooltip of the nearest [data-tip] ancestor on hover and keyboard focus. */
export function initTooltips(root = document) {
  tip = document.getElementById("tooltip");
  if (!tip) {
    tip = document.createElement("div");
    tip.className = "tooltip";
    tip.hidden = true;
    document.body.append(tip);
  }
  tip.setAttribute("role", "tooltip");
  root.addEventListener("mouseover", (e) => {
    const target = e.target.closest ? e.target.closest("[data-tip]") : null;
    if (target === current) return;
    if (target) show(target);
    else hide();
  });
  root.addEventListener("focusin", (e) => {
    const target = e.target.closest ? e.target.closest("[data-tip]") : null;
    if (target && e.target.matches(":focus-visible")) show(target);
  });
  root.addEventListener("focusout", hide);
  root.addEventListener("mousedown", hide);
  root.addEventListener("keydown", hide);
  window.addEventListener("blur", hide);
  window.addEventListener("scroll", hide, true);
}

/** Set an element's help sentence (also as its accessible description). */
export function setTip(el, text) {
  if (!el) return;
  el.dataset.tip = text;
  if (current === el && tip) tip.textContent = text;
}
