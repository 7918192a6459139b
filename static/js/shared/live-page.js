// What every page with live runs shares: opening the socket while the registries load, and
// play / pause / step / reset over /ws (docs/protocol.md).

import { bindKeys } from "./keyboard.js";
import { showMessage } from "./messages.js";
import { LiveSocket } from "./socket.js";

/** Connect to /ws while `loadRegistries()` runs. Returns {socket, registries}, or null after
 * saying plainly that the server cannot be reached. */
export async function openLivePage(loadRegistries) {
  const socket = new LiveSocket();
  socket.connect(); // in parallel with loading the registries
  try {
    return { socket, registries: await loadRegistries() };
  } catch (err) {
    showMessage(`Could not reach the Gradscape server (${err.message}). Is it running? Reload the page to try again.`, { dismissible: false });
    return null;
  }
}

const LR_FACTOR = 1.25; // Up/Down arrow keys

/**
 * The play button, the step button and reset, mixed into a page. The page has `socket`,
 * `play` (the server's state: idle, running, paused or done), `wantPlaying`, `begin()`, which
 * starts new runs from its current settings, `scaleLr(factor)` and a store with `present`.
 */
export const playback = {
  /** The buttons #play, #step and #reset, and the keys every live page shares. */
  bindPlayback() {
    document.getElementById("play").addEventListener("click", () => this.togglePlay());
    document.getElementById("step").addEventListener("click", () => this.stepOnce());
    document.getElementById("reset").addEventListener("click", () => this.reset());
    bindKeys({
      " ": () => this.togglePlay(),
      ArrowRight: () => this.stepOnce(),
      r: () => this.reset(),
      ArrowUp: () => this.scaleLr(LR_FACTOR),
      ArrowDown: () => this.scaleLr(1 / LR_FACTOR),
      p: () => this.store.set({ present: !this.store.state.present }),
      Escape: () => this.store.set({ present: false }),
    });
  },

  togglePlay() {
    if (this.play === "running") {
      this.wantPlaying = false;
      this.socket.send({ type: "pause" });
    } else if (this.play === "paused") {
      this.wantPlaying = true;
      this.socket.send({ type: "resume" });
    } else if (this.play === "done") {
      this.wantPlaying = true;
      this.socket.send({ type: "reset" });
      this.socket.send({ type: "resume" });
    } else {
      this.wantPlaying = true;
      this.begin();
    }
  },

  stepOnce() {
    this.wantPlaying = false;
    if (this.play === "idle") {
      this.begin();
      return;
    }
    if (this.play === "done") this.socket.send({ type: "reset" });
    this.socket.send({ type: "step", n: 1 });
  },

  reset() {
    this.wantPlaying = false;
    if (this.play === "idle") this.begin();
    else this.socket.send({ type: "reset" });
  },
};
