// @ts-check
// The /ws live-run client (docs/protocol.md): JSON messages by `type`, reconnection with
// exponential backoff, and a guard so that no NaN or Infinity is ever sent.
// Page-agnostic: pages subscribe with on(type, fn) and watch the connection with on("status").

/** The version of docs/protocol.md this client reads (the server says its own in `welcome`). */
const PROTOCOL = 2;

/**
 * A message of docs/protocol.md: its `type` and its fields.
 * @typedef {{ type: string, [field: string]: any }} Message
 */

/**
 * JSON text of a message, refusing non-finite numbers (the server parses strictly).
 * @param {Message} message
 */
export function encodeMessage(message) {
  return JSON.stringify(message, (key, value) => {
    if (typeof value === "number" && !Number.isFinite(value)) {
      throw new RangeError(`refusing to send ${value} in '${key || message.type}': not a finite number`);
    }
    return value;
  });
}

/** @param {string} [path] */
function defaultSocketURL(path = "/ws") {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}

export class LiveSocket {
  /**
   * status events: {state: "connecting" | "open" | "reconnecting" | "busy" | "closed",
   *                 attempt, delay (ms until the next try), reason}
   * @param {string} [url]
   * @param {{ minDelay?: number, maxDelay?: number, busyDelay?: number, hello?: () => Message,
   *   protocol?: number | null }} [options] delays in ms; `hello`: the first message on every
   *   connection, for servers that wait to be told who is there (the class socket); `protocol`:
   *   the version `welcome` must say (null: no version check)
   */
  constructor(url = defaultSocketURL(), { minDelay = 500, maxDelay = 15000, busyDelay = 5000, hello, protocol = PROTOCOL } = {}) {
    this.url = url;
    this.hello = hello;
    this.protocol = protocol;
    this.minDelay = minDelay;
    this.maxDelay = maxDelay;
    this.busyDelay = busyDelay;
    /** @type {Map<string, Set<(payload: any) => void>>} */
    this.handlers = new Map();
    /** @type {WebSocket | null} */
    this.ws = null;
    this.attempt = 0;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.timer = undefined;
    this.closedByUs = false;
    this.busy = false; // the server said too_many_sessions
    /** @type {Message | null} the server's `welcome`, once connected */
    this.welcome = null;
    this.startSent = false; // a `start` went out on this connection (before `welcome`, perhaps)
    this.state = "closed";
    this.parseMs = 0; // time spent parsing messages (for the benchmark)
  }

  /**
   * Call fn with every message of this type (or "status", "close", "message").
   * @param {string} type
   * @param {(payload: any) => void} fn
   * @returns {() => boolean} unsubscribes
   */
  on(type, fn) {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    set.add(fn);
    return () => Boolean(set?.delete(fn));
  }

  /** @param {string} type @param {unknown} payload */
  emit(type, payload) {
    for (const fn of this.handlers.get(type) || []) {
      try {
        fn(payload);
      } catch (err) {
        // One faulty handler must not stop the others, nor the socket.
        console.warn(`handler for '${type}' failed`, err);
      }
    }
  }

  get isOpen() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN && this.welcome !== null;
  }

  /** Connected, whether or not `welcome` has been read: the server reads what is sent after
   * its `welcome`, so a page that is ready first need not wait a task for it (a phone's busy
   * main thread reads it 100-250 ms after the socket opened). */
  get canSend() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  connect() {
    this.closedByUs = false;
    clearTimeout(this.timer);
    this._setState(this.attempt ? "reconnecting" : "connecting");
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (err) {
      this._scheduleReconnect(String(err));
      return;
    }
    this.ws = ws;
    this.welcome = null;
    this.startSent = false;
    ws.onmessage = (event) => this._receive(event.data);
    const hello = this.hello;
    if (hello) ws.onopen = () => ws.send(encodeMessage(hello()));
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.welcome = null;
      this.emit("close", event);
      if (this.closedByUs) {
        this._setState("closed");
        return;
      }
      this._scheduleReconnect(event.reason || `connection closed (${event.code})`);
    };
    ws.onerror = () => {}; // a close event follows; the status shows it
  }

  close() {
    this.closedByUs = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(1000, "page closed");
  }

  /**
   * Send one message; false when not connected (the caller keeps its state and retries on open).
   * @param {Message} message
   */
  send(message) {
    const text = encodeMessage(message); // throws on NaN: a bug of ours, never sent
    if (!this.canSend || !this.ws) return false;
    this.ws.send(text);
    if (message.type === "start") this.startSent = true;
    return true;
  }

  /** @param {string} text */
  _receive(text) {
    let message;
    const t0 = performance.now();
    try {
      message = JSON.parse(text);
      this.parseMs += performance.now() - t0;
    } catch {
      this.emit("error", { code: "bad_json", message: "the server sent a message that is not JSON", field: null });
      return;
    }
    if (message.type === "welcome" && this.protocol !== null && message.protocol !== this.protocol) {
      // A page from the browser's cache against a newer server: frames would be misread.
      this.emit("error", { code: "protocol", field: null,
        message: `this page speaks protocol ${this.protocol} but the server speaks ${message.protocol}: reload the page` });
      this.close();
      return;
    }
    if (message.type === "welcome") {
      this.welcome = message;
      this.attempt = 0;
      this.busy = false;
      this._setState("open");
    } else if (message.type === "error" && message.code === "too_many_sessions") {
      this.busy = true;
    }
    this.emit(message.type, message);
    this.emit("message", message);
  }

  /** @param {string} reason */
  _scheduleReconnect(reason) {
    this.attempt += 1;
    const base = this.busy ? this.busyDelay : this.minDelay;
    const delay = Math.min(this.maxDelay, base * 2 ** (this.attempt - 1)) * (0.8 + 0.4 * Math.random());
    this._setState(this.busy ? "busy" : "reconnecting", { delay, reason });
    this.timer = setTimeout(() => this.connect(), delay);
  }

  /** @param {string} state @param {object} [extra] */
  _setState(state, extra = {}) {
    this.state = state;
    this.emit("status", { state, attempt: this.attempt, ...extra });
  }
}

/**
 * Would the server accept this `start`? Asked on a short connection of its own, so the live
 * session is not disturbed. Resolves null (accepted) or the server's `error` message; rejects
 * when there is no answer (no server, too many sessions, timeout).
 * Used to check a custom f(x, y) before drawing it: a 422 from fetch() would be logged as a
 * console error by the browser, a websocket `error` frame is not.
 * @param {Message} message
 * @param {{ url?: string, timeout?: number }} [options] timeout in ms
 * @returns {Promise<Message | null>}
 */
export function probeStart(message, { url = defaultSocketURL(), timeout = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    /** @type {WebSocket | undefined} */
    let ws;
    let settled = false;
    /** @template T @param {(value: T) => void} fn @param {T} value */
    const finish = (fn, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000, "probe done");
      fn(value);
    };
    const timer = setTimeout(() => finish(reject, new Error("no answer from the server")), timeout);
    try {
      ws = new WebSocket(url);
    } catch (err) {
      finish(reject, err);
      return;
    }
    ws.onmessage = (event) => {
      let m;
      try {
        m = JSON.parse(event.data);
      } catch {
        return;
      }
      if (m.type === "welcome") ws?.send(encodeMessage(message));
      else if (m.type === "started") finish(resolve, null);
      else if (m.type === "error" && m.code === "too_many_sessions") finish(reject, new Error(m.message));
      else if (m.type === "error") finish(resolve, m);
    };
    ws.onerror = () => {};
    ws.onclose = () => finish(reject, new Error("connection closed"));
  });
}
