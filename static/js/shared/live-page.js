// @ts-check
// What every page with live runs shares: opening the socket while the registries load (play,
// pause, step and reset are in playback.js).

import { showMessage } from "./messages.js";
import { LiveSocket } from "./socket.js";

/**
 * Connect to /ws while `loadRegistries()` runs. Returns {socket, registries}, or null after
 * saying plainly that the server cannot be reached.
 * @template R
 * @param {() => Promise<R>} loadRegistries
 * @returns {Promise<{ socket: LiveSocket, registries: R } | null>}
 */
export async function openLivePage(loadRegistries) {
  const socket = new LiveSocket();
  socket.connect(); // in parallel with loading the registries
  try {
    return { socket, registries: await loadRegistries() };
  } catch (err) {
    showMessage(`Could not reach the Gradscape server (${err instanceof Error ? err.message : err}). Is it running? Reload the page to try again.`, { dismissible: false });
    return null;
  }
}
