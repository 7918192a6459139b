// @ts-check
// The teacher's "Pose challenge" dialog: a goal and a budget on the current view (its surface or
// dataset is the challenge's fixed part). A modal <dialog>: Esc and Cancel close it, the keyboard
// stays inside, and the server's refusal shows at the field it names.

import { el } from "../shared/controls.js";
import { ApiError } from "../shared/api.js";
import { GOAL_NAMES, METRICS, buildChallenge, placeOf } from "./challenge.js";

/** @typedef {import("./challenge.js").Challenge} Challenge */

/** One labelled field with its own error line. @param {string} id @param {string} label @param {HTMLElement} input */
function field(id, label, input) {
  input.id = id;
  const error = el("span", { class: "class-error", id: `${id}-error`, hidden: true });
  input.setAttribute("aria-describedby", error.id);
  return { row: el("div", { class: "class-field" }, [el("label", { for: id, text: label }), input, error]), input, error };
}

export class PoseDialog {
  /**
   * @param {object} o
   * @param {import("./challenge.js").Kind} o.kind
   * @param {Record<string, any>} o.state the teacher's view
   * @param {(challenge: Challenge) => Promise<unknown>} o.onPose
   */
  constructor({ kind, state, onPose }) {
    this.kind = kind;
    this.state = state;
    this.onPose = onPose;
    const goal = el("select", {});
    for (const [id, name] of Object.entries(GOAL_NAMES)) goal.append(el("option", { value: id, text: name }));
    const metric = el("select", {});
    for (const m of METRICS[kind]) metric.append(el("option", { value: m.id, text: m.name }));
    this.fields = {
      title: field("pose-title", "Title (optional)", el("input", { type: "text", maxLength: 200, placeholder: "written from the goal" })),
      goal: field("pose-goal", "Goal", goal),
      metric: field("pose-metric", "Measured by", metric),
      target: field("pose-target", "Target", el("input", { type: "number", step: "any", value: "0.001" })),
      steps: field("pose-steps", "Budget (steps)", el("input", { type: "number", min: 1, step: 1, value: String(Math.min(state.steps || 300, 500)) })),
    };
    this.fields.metric.row.hidden = METRICS[kind].length < 2;
    goal.addEventListener("change", () => this.sync());
    const probe = buildChallenge({ kind, state, goal: "best", steps: 1 });
    this.general = el("p", { class: "class-error", role: "alert", hidden: true });
    this.dialog = el("dialog", { class: "class-dialog", "aria-labelledby": "pose-heading" }, [
      el("form", { method: "dialog", on: { submit: (/** @type {SubmitEvent} */ e) => this.submit(e) } }, [
        el("h2", { id: "pose-heading", text: "Pose a challenge" }),
        el("p", { class: "class-fixed", text: `Everyone runs ${placeOf(probe)}${probe.fixed.start ? ` from (${probe.fixed.start.join(", ")})` : ""}: the view you are on. Students choose their optimizer and lr.` }),
        ...Object.values(this.fields).map((f) => f.row),
        this.general,
        el("div", { class: "class-actions" }, [
          el("button", { type: "button", text: "Cancel", on: { click: () => this.close() } }),
          el("button", { type: "submit", class: "primary", id: "pose-submit", text: "Pose" }),
        ]),
      ]),
    ]);
    this.dialog.addEventListener("close", () => this.dialog.remove());
    this.sync();
  }

  open() {
    document.body.append(this.dialog);
    this.dialog.showModal();
  }

  close() {
    this.dialog.close();
  }

  /** The target means nothing for "best". */
  sync() {
    this.fields.target.row.hidden = /** @type {HTMLSelectElement} */ (this.fields.goal.input).value === "best";
  }

  /** @param {SubmitEvent} event */
  async submit(event) {
    event.preventDefault();
    for (const f of [...Object.values(this.fields), { error: this.general }]) f.error.hidden = true;
    const value = (/** @type {keyof PoseDialog["fields"]} */ k) => /** @type {HTMLInputElement} */ (this.fields[k].input).value;
    const steps = Number(value("steps"));
    const target = Number(value("target"));
    if (!(Number.isInteger(steps) && steps >= 1)) return this.showError("steps", "a whole number of steps, 1 or more");
    const goal = /** @type {import("./challenge.js").GoalKind} */ (value("goal"));
    if (goal !== "best" && !(value("target") !== "" && Number.isFinite(target))) return this.showError("target", "a number");
    const challenge = buildChallenge({ kind: this.kind, state: this.state, goal, metric: value("metric"), target, steps, title: value("title") });
    const button = /** @type {HTMLButtonElement} */ (this.dialog.querySelector("#pose-submit"));
    button.disabled = true;
    try {
      await this.onPose(challenge);
      this.close();
    } catch (err) {
      if (err instanceof ApiError && err.field) {
        const name = String(err.field).split(".").pop() || "";
        const key = name === "title" || name === "target" || name === "steps" || name === "metric" ? name : null;
        this.showError(key, err.msg || err.message);
      } else {
        this.showError(null, err instanceof Error ? err.message : String(err));
      }
    } finally {
      button.disabled = false;
    }
  }

  /** @param {"title" | "target" | "steps" | "metric" | null} key @param {string} text */
  showError(key, text) {
    const f = key ? this.fields[key] : null;
    const target = f ? f.error : this.general;
    target.textContent = text;
    target.hidden = false;
    if (f) f.input.focus();
  }
}
