// @ts-check
// Dismissible messages near the controls (errors from the server, the connection's state).
// A message with a key replaces the previous one with that key. Page-agnostic.

/** @type {Map<string, HTMLElement>} the message shown under each key */
const shown = new Map();

function container() {
  let box = document.getElementById("messages");
  if (!box) {
    box = document.createElement("div");
    box.id = "messages";
    box.className = "messages";
    document.body.append(box);
  }
  return box;
}

/**
 * Show a message. Returns a function that removes it.
 * @param {string} text
 * @param {{ kind?: "error" | "warn" | "info", key?: string | null, timeout?: number, dismissible?: boolean }} [options]
 *   key: replaces the message shown with the same key; timeout: ms until it goes (0: stays)
 */
export function showMessage(text, { kind = "error", key = null, timeout = 0, dismissible = true } = {}) {
  if (key) shown.get(key)?.remove();
  const node = document.createElement("div");
  node.className = `message ${kind}`;
  node.setAttribute("role", kind === "error" ? "alert" : "status");
  if (key) node.dataset.key = key;
  const span = document.createElement("span");
  span.className = "text";
  span.textContent = text;
  node.append(span);
  const remove = () => {
    node.remove();
    if (key && shown.get(key) === node) shown.delete(key);
  };
  if (dismissible) {
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", "Dismiss");
    close.dataset.tip = "Dismiss this message.";
    close.addEventListener("click", remove);
    node.append(close);
  }
  container().append(node);
  if (key) shown.set(key, node);
  if (timeout) setTimeout(remove, timeout);
  return remove;
}

/** @param {string} key */
export function clearMessage(key) {
  shown.get(key)?.remove();
  shown.delete(key);
}
