// @ts-check
// The students' link /class/ID: pick a nickname, get a student token (kept in localStorage), and
// land on the teacher's current view, following. A browser that already joined goes straight on.
// The nickname rule is the server's (app/classroom/nicknames.py): its refusal shows at the field.

import { ApiError, getJSON, postJSON } from "../shared/api.js";
import { ClassTokens, pageStorage } from "./client.js";

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const classId = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] || "");
const base = `/api/classes/${encodeURIComponent(classId)}`;
const tokens = new ClassTokens(classId, pageStorage());

/** Go where the teacher is (the descent page when the teacher has not led yet). */
async function goToClass() {
  let view = null;
  try {
    const state = await getJSON(base, { headers: { "X-Student-Token": tokens.student || "" } });
    view = state && state.lead ? state.lead.view : null;
  } catch {
    // the page's class bar will find the teacher once connected
  }
  const path = view && typeof view.path === "string" && view.path.startsWith("/") && !view.path.startsWith("//") ? view.path : "/";
  location.assign(`${path}${view && view.hash ? view.hash : ""}`);
}

/** @param {string} text */
function fieldError(text) {
  const input = /** @type {HTMLInputElement} */ ($("nickname"));
  const error = $("nickname-error");
  error.textContent = text;
  error.hidden = !text;
  input.setAttribute("aria-invalid", text ? "true" : "false");
  if (text) input.focus();
}

/** @param {SubmitEvent} event */
async function join(event) {
  event.preventDefault();
  const input = /** @type {HTMLInputElement} */ ($("nickname"));
  const button = /** @type {HTMLButtonElement} */ ($("join-submit"));
  if (!input.value.trim()) return fieldError("Type a nickname first.");
  fieldError("");
  button.disabled = true;
  $("join-status").textContent = "Joining…";
  try {
    const answer = await postJSON(`${base}/students`, { nickname: input.value });
    tokens.set("student", answer.student_token);
    tokens.following = true;
    $("join-status").textContent = `Welcome, ${answer.student.nickname}! Opening the teacher's view…`;
    await goToClass();
  } catch (err) {
    $("join-status").textContent = "";
    if (err instanceof ApiError && (err.field === "nickname" || err.status === 409 || err.status === 422)) fieldError(err.msg || err.message);
    else if (err instanceof ApiError && err.status === 404) fieldError("There is no such class here: check the link on the projector.");
    else fieldError(`Could not join: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    button.disabled = false;
  }
}

async function main() {
  $("join-form").addEventListener("submit", (e) => join(/** @type {SubmitEvent} */ (e)));
  if (!tokens.student) return;
  // Joined before on this device (a reload, a lost connection): in again with the same nickname.
  try {
    const state = await getJSON(base, { headers: { "X-Student-Token": tokens.student } });
    const name = state && state.student ? state.student.nickname : null;
    if (name) {
      $("join-status").textContent = `Welcome back, ${name}! Opening the teacher's view…`;
      await goToClass();
    }
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) tokens.set("student", null);
  }
}

main();
