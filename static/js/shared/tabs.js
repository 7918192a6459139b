// @ts-check
// Tabs on a phone: the page's main picture stays on top and full width, the panels under it fold
// into tabs, one shown at a time, instead of a stack many screens long. The markup says what goes
// where: a container [data-phone-tabs] gets the tab bar as its first child, and every element
// [data-tab="Name"] inside it belongs to the tab of that name (several elements may share one);
// the tab shown first is the one the container's data-phone-tabs names, else the first.
// CSS shows the bar and hides the other tabs on narrow screens only (base.css), so a wider window
// shows every panel again; the panels are tab panels only while the bar is shown. Page-agnostic: it
// runs by itself (base.html loads it).

/** @param {string} name @returns {string} */
const slug = (name) => name.toLowerCase().replace(/[^a-z0-9]+/g, "-");

/** @param {HTMLElement} box the container: its [data-tab] panels, and the bar */
function foldIntoTabs(box) {
  const panels = /** @type {HTMLElement[]} */ ([...box.querySelectorAll("[data-tab]")]);
  const names = [...new Set(panels.map((el) => el.dataset.tab || ""))];
  if (names.length < 2) return;
  panels.forEach((el, k) => { if (!el.id) el.id = `tab-panel-${slug(el.dataset.tab || "")}-${k}`; });
  const bar = document.createElement("div");
  bar.className = "phone-tabs";
  bar.setAttribute("role", "tablist"); // out of the accessibility tree while CSS hides it
  bar.setAttribute("aria-label", "Panels");
  const buttons = names.map((name) => {
    const b = document.createElement("button");
    b.type = "button";
    b.id = `tab-${slug(name)}`;
    b.textContent = name;
    b.dataset.name = name;
    b.setAttribute("role", "tab");
    b.setAttribute("aria-controls", panels.filter((el) => el.dataset.tab === name).map((el) => el.id).join(" "));
    b.addEventListener("click", () => select(name));
    return b;
  });
  bar.append(...buttons);
  bar.addEventListener("keydown", (e) => {
    const k = buttons.findIndex((b) => b === document.activeElement);
    const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
    if (k < 0 || !step) return;
    const next = buttons[(k + step + buttons.length) % buttons.length];
    select(next.dataset.name || "");
    next.focus();
    e.preventDefault();
    e.stopPropagation(); // not also the page's own arrow keys (a step, the learning rate)
  });

  /** @param {string} name */
  function select(name) {
    for (const b of buttons) {
      const on = b.dataset.name === name;
      b.setAttribute("aria-selected", String(on));
      b.tabIndex = on ? 0 : -1;
    }
    for (const el of panels) el.classList.toggle("tab-off", el.dataset.tab !== name);
  }

  box.prepend(bar);
  select(names.includes(box.dataset.phoneTabs || "") ? box.dataset.phoneTabs || "" : names[0]);
  // The panels are tab panels while the bar is on screen, plain sections otherwise.
  new ResizeObserver(() => {
    const shown = bar.offsetWidth > 0;
    for (const el of panels) {
      if (shown) el.setAttribute("role", "tabpanel");
      else el.removeAttribute("role");
    }
  }).observe(bar);
}

for (const box of document.querySelectorAll("[data-phone-tabs]")) foldIntoTabs(/** @type {HTMLElement} */ (box));
