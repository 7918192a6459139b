// @ts-check
// The classroom "Join" button: a full-screen QR code at the teacher's LAN address. When the server
// has opened a class, the code is the students' link /class/ID (they pick a nickname there, then
// follow the teacher); otherwise it is this view (URL state included), so students open exactly
// what is on the projector. Never the teacher's token: that one leaves the address bar at once
// (static/js/class/client.js). Shown only with `gradscape --classroom` (GET /api/classroom).

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** @typedef {{ classroom: boolean, lan_addresses: string[], class?: string | null }} ClassroomInfo */

/**
 * The address a student's device must type: the class's students' link when a class is open, else
 * this view.
 * @param {ClassroomInfo} info GET /api/classroom
 * @param {{ hostname: string, port: string, protocol: string, pathname: string, search: string, hash: string }} [here]
 */
export function joinUrl(info, here = window.location) {
  const lan = info.lan_addresses || [];
  const host = LOOPBACK.has(here.hostname) && lan.length ? lan[0] : here.hostname;
  const port = here.port ? `:${here.port}` : "";
  const path = info.class ? info.class : `${here.pathname}${here.search}${here.hash}`;
  return `${here.protocol}//${host}${port}${path}`;
}

/** @type {Promise<ClassroomInfo | null> | null} */
let asked = null;
/** GET /api/classroom, asked once per page (the Join button and the class bar share it). */
export function classroomInfo() {
  asked ??= fetch("/api/classroom").then((r) => (r.ok ? r.json() : null)).catch(() => null);
  return asked;
}

/** The class's id, from the students' link path /class/ID. @param {ClassroomInfo | null} info */
export const classIdOf = (info) => (info && info.classroom && info.class ? info.class.split("/").filter(Boolean).pop() || null : null);

/** The full-screen QR code. @param {string} url @param {boolean} [toClass] */
export function showJoin(url, toClass = false) {
  const box = document.createElement("div");
  box.className = "join-overlay";
  box.setAttribute("role", "dialog");
  box.setAttribute("aria-label", toClass ? "Join the class" : "Join this view");
  const img = document.createElement("img");
  img.alt = `QR code of ${url}`;
  img.src = `/api/qr?text=${encodeURIComponent(url)}`;
  const text = document.createElement("p");
  text.className = "join-url";
  text.textContent = url;
  const hint = document.createElement("p");
  hint.className = "join-hint";
  hint.textContent = `${toClass ? "Scan to join the class" : "Scan to open this view on your device"} · click or press Esc to close`;
  box.append(img, text, hint);
  const close = () => {
    box.remove();
    document.removeEventListener("keydown", onKey, true);
  };
  /** @param {KeyboardEvent} e */
  const onKey = (e) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      close();
    }
  };
  box.addEventListener("click", close);
  document.addEventListener("keydown", onKey, true);
  document.body.append(box);
}

async function setup() {
  const info = await classroomInfo(); // offline or server gone: no button, nothing else breaks
  if (!info || !info.classroom) return;
  const button = document.createElement("button");
  button.type = "button";
  button.id = "join";
  button.className = "join-button";
  button.textContent = "Join";
  button.title = info.class
    ? "Show a QR code of the class's link, so students join the class on their own devices."
    : "Show a QR code of this view, so students can open it on their own devices.";
  button.addEventListener("click", () => showJoin(joinUrl(info), Boolean(info.class)));
  const present = document.getElementById("present");
  if (present && present.parentElement) present.before(button);
  else {
    button.classList.add("join-floating");
    document.body.append(button);
  }
}

// The class pages (join, gallery) have their own: this module is imported there for the above.
if (!document.body || !document.body.classList.contains("page-class")) setup();
