// @ts-check
// Play, pause, step and reset of a page's live runs over /ws (docs/protocol.md). One object owns
// both halves of "is it playing": what the server says (`play`) and what the user asked for
// (`wantPlaying`), which outlives a restart so that the new runs of a paused page start paused.

import { bindKeys } from "./keyboard.js";
import { clearStartHint, showStartHint } from "./start-hint.js";

/** @typedef {"idle" | "running" | "paused" | "done"} PlayState */

const LR_FACTOR = 1.25; // Up/Down arrow keys

export class Playback {
  /**
   * @param {{ send(message: object): boolean }} socket
   * @param {object} hooks
   * @param {() => void} hooks.begin starts new runs from the page's current settings
   * @param {(play: PlayState) => void} hooks.onChange the play state changed: render it
   */
  constructor(socket, { begin, onChange }) {
    this.socket = socket;
    this.begin = begin;
    this.onChange = onChange;
    /** @type {PlayState} the server's word */
    this.play = "idle";
    this.wantPlaying = true;
    /** @type {(() => void)[] | null} what the server sent after the user paused, not shown yet */
    this.held = null;
    this.askedPaused = false; // the last `start` asked for its runs held at step 0
  }

  /** @param {PlayState} play what the server says now */
  setState(play) {
    if (play === "running") this.release();
    this.play = play;
    this.onChange(play);
  }

  /**
   * Apply a message from the server about the runs' steps (a frame, a divergence, the end), or
   * hold it while the user has paused: the server finishes the batch it is computing, but the
   * page stops at once. Held messages are applied, in order, when the runs go on; a reset or
   * new runs drop them (`drop`).
   * @param {() => void} apply
   */
  hold(apply) {
    if (this.held) this.held.push(apply);
    else apply();
  }

  release() {
    const held = this.held;
    this.held = null;
    if (held) for (const apply of held) apply();
  }

  /** The runs were reset or replaced: what was held belongs to runs that are gone. */
  drop() {
    this.held = null;
  }

  /** The next runs play as soon as they start (a link opened, a lesson chosen, new weights). */
  playNext() {
    this.wantPlaying = true;
    clearStartHint();
  }

  /**
   * A first visit: the runs start held at step 0 until the first Play, and `hint` says where
   * to start (shared/start-hint.js).
   * @param {string} hint
   */
  waitForPlay(hint) {
    this.wantPlaying = false;
    showStartHint(hint);
  }

  /** A `start`'s field that holds the new runs at step 0, unless the user wants them playing
   * (the server sends step 0 and waits: no steps to take back). */
  startFields() {
    this.askedPaused = !this.wantPlaying;
    return this.askedPaused ? { paused: true } : {};
  }

  /** New runs started: playing, or held at step 0 if that is what the start asked (the server's
   * `state`, which follows `started`, has the last word). */
  started() {
    this.drop();
    this.setState(this.askedPaused ? "paused" : "running");
  }

  toggle() {
    clearStartHint();
    if (this.play === "running") {
      this.wantPlaying = false;
      this.held = this.held || [];
      this.socket.send({ type: "pause" });
      this.setState("paused"); // at once: the server confirms in a moment
    } else if (this.play === "paused") {
      this.wantPlaying = true;
      this.release();
      this.socket.send({ type: "resume" });
    } else if (this.play === "done") {
      this.wantPlaying = true;
      this.socket.send({ type: "reset" });
      this.socket.send({ type: "resume" });
    } else {
      this.wantPlaying = true;
      this.begin();
    }
  }

  stepOnce() {
    clearStartHint();
    this.wantPlaying = false;
    if (this.play === "idle") {
      this.begin();
      return;
    }
    this.release();
    if (this.play === "done") this.socket.send({ type: "reset" });
    this.socket.send({ type: "step", n: 1 });
  }

  reset() {
    this.wantPlaying = false;
    if (this.play === "idle") this.begin();
    else this.socket.send({ type: "reset" });
  }
}

/**
 * The buttons #play, #step and #reset, and the keys every live page shares.
 * @param {Playback} playback
 * @param {object} page
 * @param {import("./state.js").Store} page.store a store with `present`
 * @param {(factor: number) => void} page.scaleLr the selected run's learning rate times factor
 */
export function bindPlayback(playback, { store, scaleLr }) {
  /** @param {string} id @param {() => void} fn */
  const click = (id, fn) => document.getElementById(id)?.addEventListener("click", fn);
  click("play", () => playback.toggle());
  click("step", () => playback.stepOnce());
  click("reset", () => playback.reset());
  // A key presses its button, so that a class following this page sees the same click.
  /** @param {string} id @param {() => void} fn */
  const press = (id, fn) => {
    const button = document.getElementById(id);
    if (button) button.click();
    else fn();
  };
  bindKeys({
    " ": () => press("play", () => playback.toggle()),
    ArrowRight: () => press("step", () => playback.stepOnce()),
    r: () => press("reset", () => playback.reset()),
    ArrowUp: () => scaleLr(LR_FACTOR),
    ArrowDown: () => scaleLr(1 / LR_FACTOR),
    p: () => store.set({ present: !store.state.present }),
    Escape: () => store.set({ present: false }),
  });
}
