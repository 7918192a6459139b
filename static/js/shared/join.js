// @ts-check
// The classroom "Join" button: a full-screen QR code of this view at the teacher's LAN address,
// so students open exactly what is on the projector (URL state included) on their own devices.
// Shown only when the server runs with `gradscape --classroom` (GET /api/classroom says so).

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** This view's address as a student's device must type it. */
/**
 * @param {string[]} lanAddresses the server's LAN addresses (GET /api/classroom)
 * @param {{ hostname: string, port: string, protocol: string, pathname: string, search: string, hash: string }} [here]
 */
function joinUrl(lanAddresses, here = window.location) {
  const host = LOOPBACK.has(here.hostname) && lanAddresses.length ? lanAddresses[0] : here.hostname;
  const port = here.port ? `:${here.port}` : "";
  return `${here.protocol}//${host}${port}${here.pathname}${here.search}${here.hash}`;
}

/** @param {string} url */
function overlay(url) {
  const box = document.createElement("div");
  box.className = "join-overlay";
  box.setAttribute("role", "dialog");
  box.setAttribute("aria-label", "Join this view");
  const img = document.createElement("img");
  img.alt = `QR code of ${url}`;
  img.src = `/api/qr?text=${encodeURIComponent(url)}`;
  const text = document.createElement("p");
  text.className = "join-url";
  text.textContent = url;
  const hint = document.createElement("p");
  hint.className = "join-hint";
  hint.textContent = "Scan to open this view on your device · click or press Esc to close";
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
  let info;
  try {
    const response = await fetch("/api/classroom");
    if (!response.ok) return;
    info = await response.json();
  } catch {
    return; // offline or server gone: no button, nothing else breaks
  }
  if (!info.classroom) return;
  const button = document.createElement("button");
  button.type = "button";
  button.id = "join";
  button.className = "join-button";
  button.textContent = "Join";
  button.title = "Show a QR code of this view, so students can open it on their own devices.";
  button.addEventListener("click", () => overlay(joinUrl(info.lan_addresses)));
  const present = document.getElementById("present");
  if (present && present.parentElement) present.before(button);
  else {
    button.classList.add("join-floating");
    document.body.append(button);
  }
}

setup();
