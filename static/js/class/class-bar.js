// @ts-check
// The class bar itself (docs/classroom.md): a student's nickname, following the teacher or
// exploring on their own (with a button to switch), the open challenge and "Submit my run", a
// spotlighted run; the teacher's Lead on/off, "n of m follow", Pose challenge, Gallery and the
// Join QR code; anyone else's link to join. Loaded by class/bar.js only when the server has a
// class open, so that a page without one does not fetch and compile it before its picture.

import { el } from "../shared/controls.js";
import { showMessage } from "../shared/messages.js";
import { joinUrl, showJoin } from "../shared/join.js";
import { ClassTokens, openClassSocket, pageStorage } from "./client.js";
import { Follower, Leader } from "./follow.js";
import { describeGoal, describeResult, pageKind, runOf, stateOfHash } from "./challenge.js";
import { PoseDialog } from "./pose.js";
import { postJSON } from "../shared/api.js";

/** @typedef {import("./challenge.js").Challenge} Challenge */
/** @typedef {import("../shared/socket.js").Message} Message */

/** The hash of the view as the page holds it now (its Store writes the address a moment later). */
function currentHash() {
  const page = /** @type {any} */ (window).gradscape;
  try {
    if (page && typeof page.link === "function") return new URL(page.link()).hash;
  } catch {
    // fall through to the address bar
  }
  return location.hash;
}

class ClassBar {
  /** @param {string} classId @param {import("../shared/join.js").ClassroomInfo} info */
  constructor(classId, info) {
    this.classId = classId;
    this.info = info;
    this.tokens = new ClassTokens(classId, pageStorage());
    this.kind = pageKind(location.pathname);
    /** @type {"teacher" | "student" | "viewer" | null} */
    this.role = null;
    /** @type {Challenge | null} */
    this.challenge = null;
    /** @type {Record<string, any>[]} this student's submissions */
    this.mine = [];
    this.lead = false;
    this.root = el("aside", { id: "class-bar", class: "class-bar", "aria-label": "Class" });
    this.main = el("div", { class: "class-row" });
    this.card = el("div", { class: "class-card", hidden: true });
    this.status = el("p", { class: "class-status", role: "status" });
    this.root.append(this.main, this.card, this.status);
    document.body.append(this.root);
    document.body.classList.add("has-class-bar");
    // The pages fill the window: leave the bar its height at the bottom.
    new ResizeObserver(() => document.body.style.setProperty("--class-bar-h", `${this.root.offsetHeight}px`)).observe(this.root);

    this.leader = new Leader((m) => this.socket.send(m), { ignore: this.root });
    this.follower = new Follower({
      following: this.tokens.following, ignore: this.root,
      onExplore: () => this.setFollowing(false),
    });
    this.socket = openClassSocket(this.tokens);
    this.bindSocket();
    this.render();
  }

  bindSocket() {
    const s = this.socket;
    s.on("status", (/** @type {{ state: string }} */ st) => {
      if (st.state === "open") this.say("");
      else if (st.state === "reconnecting" || st.state === "connecting") this.say(this.role ? "Connection to the class lost: reconnecting…" : "Connecting to the class…");
    });
    s.on("welcome", (/** @type {Message} */ m) => this.onWelcome(m));
    s.on("lead", (/** @type {Message} */ m) => this.onLead(Boolean(m.on), m.view || null));
    s.on("view", (/** @type {Message} */ m) => {
      if (this.role === "student") this.follower.onView({ path: m.path, hash: m.hash });
    });
    s.on("action", (/** @type {Message} */ m) => {
      if (this.role === "student") this.follower.onAction(m);
    });
    s.on("followers", (/** @type {Message} */ m) => {
      this.followers = { following: m.following, online: m.online };
      this.render();
    });
    s.on("challenge", (/** @type {Message} */ m) => {
      this.challenge = m.challenge || null;
      this.result = null;
      this.renderCard();
    });
    s.on("submission", (/** @type {Message} */ m) => this.onSubmission(m.submission));
    s.on("spotlight", (/** @type {Message} */ m) => {
      this.spotlight = m.submission || null;
      this.renderCard();
    });
    s.on("cleared", () => {
      this.mine = [];
      this.result = null;
      this.spotlight = null;
      this.renderCard();
    });
    s.on("error", (/** @type {Message} */ m) => this.onError(m));
  }

  /** @param {Message} m */
  onWelcome(m) {
    this.role = m.role;
    this.followers = m.followers || null;
    this.challenge = m.challenge || null;
    this.spotlight = m.spotlight || null;
    if (m.role === "student" && m.student) {
      this.nickname = m.student.nickname;
      this.mine = m.student.submissions || [];
      // The server follows from hello on: tell it when this student chose to explore.
      if (!this.tokens.following) this.socket.send({ type: "follow", on: false });
    }
    this.onLead(Boolean(m.lead && m.lead.on), m.lead ? m.lead.view || null : null);
    this.render();
  }

  /** @param {boolean} on @param {{ path: string, hash: string } | null} view */
  onLead(on, view) {
    this.lead = on;
    if (this.role === "teacher") {
      if (on) this.leader.start();
      else this.leader.stop();
    } else if (this.role === "student") {
      this.follower.setLead(on ? view : null);
    }
    this.render();
  }

  /** @param {Message} m */
  onError(m) {
    if (m.field === "teacher_token") {
      // A link from an older class, or mistyped: forget it, stay in as a viewer.
      this.tokens.set("teacher", null);
      showMessage(`The teacher's link was refused: ${m.message}`, { key: "class" });
    } else if (m.field === "student_token") {
      this.tokens.set("student", null);
      showMessage(`${m.message}. Join the class again to pick a nickname.`, { key: "class" });
    } else {
      showMessage(m.message || "The class server refused a message", { key: "class", kind: "warn" });
    }
  }

  /** @param {Record<string, any>} s */
  onSubmission(s) {
    if (!s) return;
    if (this.role === "student") {
      this.mine = [...this.mine.filter((x) => x.id !== s.id), s];
      this.result = s;
    }
    this.renderCard();
  }

  /** @param {boolean} on */
  setFollowing(on) {
    this.tokens.following = on;
    this.follower.setFollowing(on);
    this.socket.send({ type: "follow", on });
    this.render();
  }

  /** @param {string} text */
  say(text) {
    this.status.textContent = text;
    this.status.hidden = !text;
  }

  render() {
    const parts = [];
    if (this.role === "teacher") {
      const lead = el("button", {
        type: "button", id: "class-lead", "aria-pressed": this.lead ? "true" : "false",
        text: this.lead ? "Leading: on" : "Lead: off",
        title: "While you lead, every student who follows sees this page, its settings and your play, pause, step and lr live.",
        on: { click: () => this.socket.send({ type: "lead", on: !this.lead }) },
      });
      const f = this.followers || { following: 0, online: 0 };
      const count = el("span", { class: "class-count", id: "class-followers", text: `${f.following} of ${f.online} follow` });
      parts.push(el("span", { class: "class-role", text: "Teacher" }), lead, count);
      if (this.kind) {
        parts.push(el("button", { type: "button", id: "class-pose", text: "Pose challenge", on: { click: () => this.pose() } }));
      }
      if (this.challenge) {
        parts.push(el("button", { type: "button", id: "class-close", text: "Close challenge", on: { click: () => this.socket.send({ type: "close" }) } }));
      }
      parts.push(
        el("a", { id: "class-gallery", class: "class-link", href: `/class/${encodeURIComponent(this.classId)}/gallery`, target: "_blank", rel: "noopener", text: "Gallery" }),
        el("button", { type: "button", id: "class-join", text: "Join QR", on: { click: () => showJoin(joinUrl(this.info), true) } }),
      );
    } else if (this.role === "student") {
      const following = this.tokens.following;
      parts.push(el("span", { class: "class-role" }, ["You: ", el("b", { id: "class-nickname", text: this.nickname || "" })]));
      const state = !this.lead ? "The teacher is not leading" : following ? "Following the teacher" : "Exploring on my own";
      parts.push(el("span", { id: "class-mode", class: `class-mode ${following && this.lead ? "following" : "exploring"}`, text: state }));
      parts.push(following
        ? el("button", { type: "button", id: "class-explore", text: "Explore on my own", on: { click: () => this.setFollowing(false) } })
        : el("button", { type: "button", id: "class-follow", class: "primary", text: "Follow the teacher", on: { click: () => this.setFollowing(true) } }));
    } else if (this.role === "viewer") {
      parts.push(el("span", { class: "class-role", text: "A class is open here." }),
        el("a", { id: "class-join-link", class: "class-link", href: `/class/${encodeURIComponent(this.classId)}`, text: "Join the class" }));
    }
    this.main.replaceChildren(...parts);
    this.renderCard();
  }

  renderCard() {
    const c = this.challenge;
    const parts = [];
    if (c) {
      parts.push(el("h2", { class: "class-title", id: "class-challenge-title" }, [el("span", { class: "class-tag", text: "Challenge" }), " ", c.title]));
      if (c.title !== describeGoal(c)) parts.push(el("p", { class: "class-goal", text: describeGoal(c) }));
      if (this.role === "student") {
        const here = pageKind(location.pathname);
        const submit = el("button", {
          type: "button", id: "class-submit", class: "primary", text: "Submit my run",
          disabled: here !== c.kind || this.submitting,
          title: here === c.kind ? "Send the selected run's settings: the server runs it again and scores it."
            : `This challenge is on the ${c.kind === "surface" ? "Descent" : "Network"} page.`,
          on: { click: () => this.submit() },
        });
        parts.push(submit);
        const mine = this.mine.filter((s) => s.challenge === c.id);
        const shown = this.result && this.result.challenge === c.id ? this.result : mine[mine.length - 1];
        if (shown) {
          parts.push(el("p", { id: "class-result", class: `class-result ${shown.ok ? "ok" : "failed"}`, role: "status" },
            [el("b", { text: shown.ok ? "✓ " : "✗ " }), describeResult(/** @type {any} */ (shown), c),
              mine.length > 1 ? ` (${mine.length} runs submitted)` : ""]));
        }
      }
    }
    const sp = this.spotlight;
    if (sp) {
      parts.push(el("p", { id: "class-spotlight", class: "class-spotlight" }, [
        el("span", { class: "class-tag", text: "Spotlight" }), " ",
        `${sp.nickname}: ${sp.optimizer || ""} lr ${sp.lr ?? "—"} · ${describeResult(sp, c)} `,
        el("a", { href: `/class/${encodeURIComponent(this.classId)}/gallery`, target: "_blank", rel: "noopener", text: "see it" }),
      ]));
    }
    this.card.replaceChildren(...parts);
    this.card.hidden = !parts.length;
  }

  pose() {
    if (!this.kind) return;
    const kind = this.kind;
    const state = stateOfHash(kind, currentHash());
    new PoseDialog({
      kind, state,
      onPose: (challenge) => postJSON(`/api/classes/${encodeURIComponent(this.classId)}/challenges`, { challenge },
        { headers: { "X-Teacher-Token": this.tokens.teacher || "" } }),
    }).open();
  }

  async submit() {
    const c = this.challenge;
    if (!c || !this.kind || this.submitting) return;
    let run;
    try {
      run = runOf(this.kind, stateOfHash(this.kind, currentHash()));
    } catch (err) {
      showMessage(err instanceof Error ? err.message : String(err), { key: "class" });
      return;
    }
    this.submitting = true;
    this.result = null;
    this.renderCard();
    this.say("Your run is being run again on the server…");
    try {
      const s = await postJSON(`/api/classes/${encodeURIComponent(this.classId)}/submissions`, { challenge: c.id, run },
        { headers: { "X-Student-Token": this.tokens.student || "" } });
      this.say("");
      this.onSubmission(s);
    } catch (err) {
      this.say("");
      showMessage(`Not submitted: ${err instanceof Error ? err.message : String(err)}`, { key: "class" });
    } finally {
      this.submitting = false;
      this.renderCard();
    }
  }
}

/**
 * Show the class bar for the class the server has open.
 * @param {string} classId @param {import("../shared/join.js").ClassroomInfo} info
 */
export function startClassBar(classId, info) {
  document.head.append(el("link", { rel: "stylesheet", href: "/static/css/class.css" }));
  const bar = new ClassBar(classId, info);
  // For tests: who this page is in the class.
  /** @type {any} */ (window).gradscapeClass = Object.freeze({
    get role() { return bar.role; },
    get following() { return bar.tokens.following; },
    get lead() { return bar.lead; },
  });
}
