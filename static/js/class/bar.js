// @ts-check
// The class bar's loader, on the descent, network and backprop pages (docs/classroom.md). Loaded
// by templates/base.html before the page's own module, so that the teacher's token leaves the
// address bar before anything can read or copy it. The bar itself (class-bar.js, with the
// following, the challenges and the Pose dialog) is loaded only when the server has a class open.

import { classIdOf, classroomInfo } from "../shared/join.js";
import { showMessage } from "../shared/messages.js";
import { ClassTokens, pageStorage, takeTeacherLink } from "./client.js";

// 1) The teacher's link: keep the token, take it out of the address bar now (before the Join code
// or "Copy link" can carry it, before the page reads its hash).
const link = takeTeacherLink(location.hash);
if (link) {
  new ClassTokens(link.classId, pageStorage()).set("teacher", link.token);
  history.replaceState(history.state, "", `${location.pathname}${location.search}${link.hash}`);
}

// 2) The bar, when a class is open.
async function main() {
  const info = await classroomInfo();
  const classId = classIdOf(info);
  if (!info || !classId) return;
  /** @type {typeof import("./class-bar.js")} */
  let bar;
  try {
    bar = await import("./class-bar.js");
  } catch (err) {
    showMessage(`Could not load the class bar (${/** @type {Error} */ (err).message}). Reload the page to join the class.`, { key: "class-bar" });
    return;
  }
  bar.startClassBar(classId, info);
}

main();
