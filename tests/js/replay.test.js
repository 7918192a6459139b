import { test } from "node:test";
import assert from "node:assert/strict";
import { changeNeedsReplay, replayNote } from "../../static/js/shared/replay.js";

test("a change to a diverged or finished run replays; a live one is applied in place", () => {
  const runs = [{ status: "running" }, { status: "diverged" }];
  assert.equal(changeNeedsReplay("running", runs, [0]), false);
  assert.equal(changeNeedsReplay("running", runs, [1]), true);
  assert.equal(changeNeedsReplay("paused", runs, [1]), true);
  assert.equal(changeNeedsReplay("done", runs, [0]), true);
  assert.equal(changeNeedsReplay("idle", runs, [1]), false);
  assert.equal(changeNeedsReplay("done", runs, []), false);
});

test("the note says why and with which lr", () => {
  assert.equal(replayNote("done", [], [{ run: 1, lr: 2 }]),
    "The runs had finished: every run starts again from the beginning, run 2 with lr = 2.");
  assert.match(replayNote("done", [{ status: "done" }, { status: "diverged" }], [{ run: 1, lr: 2 }]), /^Run 2 had diverged/);
  assert.match(replayNote("running", [{ status: "running" }, { status: "diverged" }], [{ run: 1, lr: 1.9 }]),
    /^Run 2 had diverged: .* run 2 with lr = 1.9\.$/);
});

test("the note shows a learning rate as a person would write it, not every float digit", () => {
  const note = replayNote("done", [{ status: "done" }], [{ run: 0, lr: 0.001978318882784164 }]);
  assert.match(note, /run 1 with lr = 0\.001978\.$/);
});
