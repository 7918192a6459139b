// @ts-check
// Leading and following (docs/classroom.md, "Class websocket"). The teacher's page reports its view
// (path and URL hash: the pages' Store keeps every setting there) and the controls the teacher
// uses, by element id; a follower's page does the same: it navigates or sets the hash (the Store
// reacts to `hashchange`), and clicks or sets the element with that id. A follower who touches a
// control with their own hand (a trusted event) is exploring on their own from then on.

/** @typedef {import("../shared/socket.js").Message} Message */
/** @typedef {{ path: string, hash: string }} View */

// Controls that only concern the teacher's own screen or files: never repeated on followers.
const NOT_FOLLOWED = /^(export-|copy-link|link-field|present$|join$|class-)/;
const TOGGLE_RESEND = 30; // view checks between two sends of an unchanged toggle state (3 s)
const PRESS_AGAIN_MS = 800; // a follower's press takes a server round trip to show: wait for it
// Keys that do nothing to the page's runs: moving focus, modifiers, leaving a dialog.
const IDLE_KEYS = new Set(["Tab", "Shift", "Control", "Alt", "Meta", "Escape", "CapsLock", "PageUp", "PageDown", "Home", "End"]);
// What a hand can touch: clicking these changes something (a plot's canvas picks a start point).
const TOUCHABLE = "button, a[href], input, select, textarea, label, summary, canvas, [role=button], [role=slider], .plot";

/** @param {string} hash */
const bare = (hash) => String(hash || "").replace(/^#/, "");

/** @param {{ pathname: string, hash: string }} where */
const viewOf = (where) => ({ path: where.pathname, hash: where.hash });

/**
 * What a follower must do to show the teacher's view.
 * @param {View} here
 * @param {View | null | undefined} view
 * @returns {{ kind: "none" } | { kind: "hash", hash: string } | { kind: "navigate", url: string }}
 */
export function planView(here, view) {
  if (!view || typeof view.path !== "string" || !view.path.startsWith("/") || view.path.startsWith("//")) return { kind: "none" };
  const hash = bare(view.hash);
  if (view.path !== here.path) return { kind: "navigate", url: `${view.path}${hash ? `#${hash}` : ""}` };
  if (hash !== bare(here.hash)) return { kind: "hash", hash: `#${hash}` };
  return { kind: "none" };
}

/**
 * @param {EventTarget | null} target
 * @param {Element | null} [ignore] the class bar: its controls are the class's own
 */
function control(target, ignore) {
  if (!target || !(/** @type {any} */ (target).closest)) return null;
  const node = /** @type {Element} */ (target);
  if (ignore && ignore.contains(node)) return null;
  return node;
}

/**
 * The action message for a control the teacher used, or null when it is not one to repeat.
 * @param {{ type: string, target: EventTarget | null }} event
 * @param {Element | null} [ignore]
 * @returns {Message | null}
 */
export function actionOf(event, ignore = null) {
  const node = control(event.target, ignore);
  if (!node) return null;
  if (event.type === "click") {
    const button = node.closest("button[id]");
    if (!button || NOT_FOLLOWED.test(button.id) || (ignore && ignore.contains(button))) return null;
    // A toggle (Play/Pause) is followed by its state, not its clicks (see toggleStates): a
    // follower in another state would toggle the wrong way.
    if (button.getAttribute("aria-pressed") !== null) return null;
    return { type: "action", target: button.id, kind: "click" };
  }
  if (event.type !== "input" && event.type !== "change") return null;
  const field = /** @type {HTMLInputElement} */ (node);
  if (!field.id || NOT_FOLLOWED.test(field.id) || !("value" in field)) return null;
  const checkable = field.type === "checkbox" || field.type === "radio";
  return { type: "action", target: field.id, kind: event.type, value: checkable ? String(field.checked) : String(field.value) };
}

/**
 * Do what the teacher did to the element with that id. False when this page has no such element.
 * @param {{ getElementById(id: string): any }} doc
 * @param {Message} message
 */
export function applyAction(doc, message) {
  if (typeof message.target !== "string") return false;
  const node = doc.getElementById(message.target);
  if (!node) return false;
  if (message.kind === "click") {
    node.click();
    return true;
  }
  if (message.kind !== "input" && message.kind !== "change") return false;
  if (node.type === "checkbox" || node.type === "radio") node.checked = message.value === "true";
  else node.value = String(message.value ?? "");
  node.dispatchEvent(new Event(message.kind, { bubbles: true }));
  return true;
}

/**
 * The state of every toggle button the class follows (id -> aria-pressed): Play/Pause is "true"
 * while running. A toggle's state can change without a click on it (Step pauses, a run ends), so
 * the teacher's page sends the state, as a `change` of the button, and followers press their
 * button until theirs matches.
 * @param {{ querySelectorAll(s: string): Iterable<Element> }} doc
 * @param {Element | null} [ignore]
 * @returns {Map<string, string>}
 */
export function toggleStates(doc, ignore = null) {
  const out = new Map();
  for (const b of doc.querySelectorAll("button[id][aria-pressed]")) {
    if (NOT_FOLLOWED.test(b.id) || (ignore && ignore.contains(b))) continue;
    out.set(b.id, String(b.getAttribute("aria-pressed")));
  }
  return out;
}

/**
 * Was this the student's own hand on the page (not a message we applied, not the class bar)?
 * @param {{ type: string, isTrusted: boolean, target: EventTarget | null, key?: string }} event
 * @param {Element | null} [ignore]
 */
export function isOwnTouch(event, ignore = null) {
  if (!event.isTrusted) return false; // el.click() and dispatchEvent are untrusted: ours
  const node = control(event.target, ignore);
  if (!node) return false;
  if (event.type === "input" || event.type === "change") return true;
  if (event.type === "keydown") return !IDLE_KEYS.has(event.key || "");
  if (event.type === "click") return node.closest(TOUCHABLE) !== null;
  return false;
}

/**
 * At most one message per key every `interval` ms, and always the last one (a dragged slider
 * sends dozens of inputs a second; followers need its path, not every pixel of it).
 */
export class Throttle {
  /** @param {(message: Message) => void} send @param {number} [interval] ms */
  constructor(send, interval = 40) {
    this.send = send;
    this.interval = interval;
    /** @type {Map<string, { at: number, timer?: ReturnType<typeof setTimeout>, pending?: Message }>} */
    this.keys = new Map();
  }

  /** @param {string} key @param {Message} message */
  push(key, message) {
    const now = Date.now();
    let slot = this.keys.get(key);
    if (!slot) this.keys.set(key, (slot = { at: -Infinity }));
    if (slot.timer === undefined && now - slot.at >= this.interval) {
      slot.at = now;
      this.send(message);
      return;
    }
    slot.pending = message;
    if (slot.timer !== undefined) return;
    const s = slot;
    s.timer = setTimeout(() => {
      s.timer = undefined;
      s.at = Date.now();
      if (s.pending) this.send(s.pending);
      s.pending = undefined;
    }, Math.max(0, this.interval - (now - s.at)));
  }
}

/** The teacher's side: report the view and the controls while leading. */
export class Leader {
  /**
   * @param {(message: Message) => boolean | void} send
   * @param {{ ignore?: Element | null, every?: number }} [options] every: ms between view checks
   */
  constructor(send, { ignore = null, every = 100 } = {}) {
    this.send = send;
    this.ignore = ignore;
    this.every = every;
    this.throttle = new Throttle((m) => this.send(m));
    /** @type {string | null} */
    this.lastView = null;
    /** @type {Map<string, string>} the toggles' states last sent */
    this.toggles = new Map();
    this.checks = 0;
    /** @type {ReturnType<typeof setInterval> | undefined} */
    this.timer = undefined;
    /** @param {Event} e */
    this.onEvent = (e) => {
      const message = actionOf(e, this.ignore);
      if (!message) return;
      // A click is one event; a dragged value keeps only its latest per control and kind.
      if (message.kind === "click") this.send(message);
      else this.throttle.push(`${message.target}|${message.kind}`, message);
    };
  }

  get leading() {
    return this.timer !== undefined;
  }

  start() {
    if (this.leading) return;
    for (const type of ["click", "input", "change"]) document.addEventListener(type, this.onEvent, true);
    this.lastView = null;
    this.toggles.clear();
    this.checkView();
    this.timer = setInterval(() => this.checkView(), this.every);
  }

  stop() {
    for (const type of ["click", "input", "change"]) document.removeEventListener(type, this.onEvent, true);
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * The Store writes the hash with replaceState (no event): look for a change a few times a
   * second. The toggles' states too, and again every few seconds for students who just came in.
   */
  checkView() {
    const view = viewOf(location);
    const key = `${view.path}${view.hash}`;
    if (key !== this.lastView && this.send({ type: "view", ...view }) !== false) this.lastView = key;
    this.checks = ((this.checks || 0) + 1) % TOGGLE_RESEND;
    for (const [id, pressed] of toggleStates(document, this.ignore)) {
      if (this.toggles.get(id) === pressed && this.checks !== 0) continue;
      if (this.send({ type: "action", target: id, kind: "change", value: pressed }) !== false) this.toggles.set(id, pressed);
    }
  }
}

/** The student's side: apply the teacher's view and actions while following. */
export class Follower {
  /**
   * @param {object} o
   * @param {boolean} o.following
   * @param {Element | null} [o.ignore] the class bar
   * @param {() => void} o.onExplore the student touched a control: they explore on their own now
   * @param {(url: string) => void} [o.navigate]
   */
  constructor({ following, ignore = null, onExplore, navigate = (url) => location.assign(url) }) {
    this.following = following;
    this.ignore = ignore;
    this.onExplore = onExplore;
    this.navigate = navigate;
    /** @type {View | null} the teacher's latest view while leading, null when not leading */
    this.view = null;
    /** @type {Map<string, string>} the teacher's toggle states (id -> aria-pressed) */
    this.wanted = new Map();
    /** @type {Map<string, number>} when this page last pressed each toggle (ms) */
    this.pressedAt = new Map();
    setInterval(() => this.settle(), 250);
    /** @param {Event} e */
    const onTouch = (e) => {
      if (this.following && this.view && isOwnTouch(/** @type {any} */ (e), this.ignore)) this.onExplore();
    };
    for (const type of ["click", "input", "change", "keydown"]) document.addEventListener(type, onTouch, true);
  }

  /** The teacher leads from this view (null: the teacher stopped leading). @param {View | null} view */
  setLead(view) {
    this.view = view;
    this.show();
  }

  /** @param {View} view */
  onView(view) {
    this.view = { path: view.path, hash: view.hash };
    this.show();
  }

  /** @param {Message} message */
  onAction(message) {
    const toggle = message.kind === "change" && typeof message.value === "string"
      && document.getElementById(message.target)?.getAttribute("aria-pressed") != null;
    if (toggle) {
      this.wanted.set(message.target, message.value);
      this.settle();
      return;
    }
    // Only on the teacher's page: another page may have an element with the same id.
    if (this.onTeachersPage()) applyAction(document, message);
  }

  onTeachersPage() {
    return this.following && this.view !== null && this.view.path === location.pathname;
  }

  /** Press each toggle whose state is not the teacher's (once per round trip). */
  settle() {
    if (!this.onTeachersPage()) return;
    const now = Date.now();
    for (const [id, want] of this.wanted) {
      const node = document.getElementById(id);
      const have = node ? node.getAttribute("aria-pressed") : null;
      if (!node || have === null || have === want || now - (this.pressedAt.get(id) || 0) < PRESS_AGAIN_MS) continue;
      this.pressedAt.set(id, now);
      node.click();
    }
  }

  /** @param {boolean} on */
  setFollowing(on) {
    this.following = on;
    this.show();
  }

  /** Move this page to the teacher's view, when following a teacher who leads. */
  show() {
    if (!this.following || !this.view) return;
    const plan = planView(viewOf(location), { path: this.view.path, hash: this.currentHash(this.view) });
    if (plan.kind === "navigate") this.navigate(plan.url);
    else if (plan.kind === "hash") location.hash = plan.hash;
  }

  /**
   * The teacher's hash, or ours when they mean the same state: the Store writes the hash a moment
   * after a change, so a page that just applied the teacher's lr may not show it in its address
   * yet. Its own link (window.gradscape.link(), serialized now) tells.
   * @param {View} view
   */
  currentHash(view) {
    const page = /** @type {any} */ (window).gradscape;
    if (page && typeof page.link === "function") {
      try {
        const mine = new URL(page.link()).hash;
        if (bare(mine) === bare(view.hash)) return location.hash;
      } catch {
        // no link yet: compare with the address bar
      }
    }
    return view.hash;
  }
}
