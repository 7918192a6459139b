// @ts-check
// The stability lab's lessons on the network view (GET /api/lessons; docs/teaching.md): one
// button per lesson that sets the page to the lesson's `start` (data, network, seed, runs,
// steps, speed, sharpness cadence), and what to look for and the question to ask.

import { getJSON } from "../shared/api.js";
import { el } from "../shared/controls.js";
import { roundSig } from "../shared/format.js";

/**
 * One lesson as GET /api/lessons describes it.
 * @typedef {object} Lesson
 * @property {string} id
 * @property {string} title
 * @property {string} see what the class will see
 * @property {string} question the question to ask
 * @property {number[]} lrs
 * @property {Record<string, any>} start the websocket `start` that plays it
 */

/**
 * The page state that sends the lesson's `start` (state.js's startMessage builds it back).
 * @param {Record<string, any>} start
 * @returns {Record<string, unknown>}
 */
export function lessonPatch(start) {
  const ds = start.dataset || {};
  return {
    dataset: ds.id, n: ds.n, dseed: ds.seed ?? 0, noise: ds.noise ?? null, classes: ds.n_classes ?? null,
    points: null, pts: null, kept: null, wts: null,
    hidden: [...start.network.hidden], activation: start.network.activation,
    seed: start.seed ?? 0, steps: start.steps, speed: start.speed,
    runs: start.runs.map((/** @type {{ optimizer: string, lr: number }} */ r) => ({ optimizer: r.optimizer, lr: roundSig(r.lr, 4) })),
    curv: start.sharpness_every ?? null,
    sel: start.runs.length - 1, // the largest lr: the one to watch
  };
}

export class Lessons {
  /**
   * @param {{ buttons: HTMLElement, notes: HTMLDetailsElement, see: HTMLElement, ask: HTMLElement }} nodes
   * @param {(lesson: Lesson) => void} play
   */
  constructor(nodes, play) {
    this.nodes = nodes;
    this.play = play;
    /** @type {Lesson[]} */
    this.lessons = [];
  }

  async load() {
    try {
      const { lessons } = await getJSON("/api/lessons");
      this.lessons = lessons;
    } catch {
      this.nodes.buttons.replaceChildren(el("span", { class: "note", text: "The lessons could not be loaded." }));
      return;
    }
    this.nodes.buttons.replaceChildren(...this.lessons.map((lesson) => el("button", {
      type: "button", text: lesson.title, dataset: { lesson: lesson.id }, tip: lesson.see,
      on: { click: () => this.choose(lesson) },
    })));
  }

  /** @param {Lesson} lesson */
  choose(lesson) {
    this.nodes.see.textContent = lesson.see;
    this.nodes.ask.textContent = `Ask: ${lesson.question}`;
    this.nodes.notes.hidden = false;
    this.nodes.notes.open = true;
    this.play(lesson);
  }
}
