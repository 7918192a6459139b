// What every page with live runs shares: opening the socket while the registries load, and
// play / pause / step / reset over /ws (docs/protocol.md).

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

/**
 * The play button, the step button and reset, mixed into a page. The page has `socket`,
 * `play` (the server's state: idle, running, paused or done), `wantPlaying`, and `begin()`,
 * which starts new runs from its current settings.
 */
export const playback = {
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
