// Play, pause, step and reset (static/js/shared/playback.js): which messages each button sends
// from each state the server reports, and whether new runs start held.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Playback } from "../../static/js/shared/playback.js";

function setup(play) {
  const sent = [];
  const log = { begun: 0, rendered: [] };
  const playback = new Playback(
    { send: (m) => sent.push(m.type) && true },
    { begin: () => { log.begun += 1; }, onChange: (p) => log.rendered.push(p) },
  );
  playback.setState(play);
  return { playback, sent, log };
}

test("Play: pause when running, resume when paused, replay when done, begin when idle", () => {
  const cases = [["running", ["pause"], 0, false], ["paused", ["resume"], 0, true], ["done", ["reset", "resume"], 0, true], ["idle", [], 1, true]];
  for (const [state, messages, begun, wanted] of cases) {
    const { playback, sent, log } = setup(state);
    playback.toggle();
    assert.deepEqual(sent, messages, state);
    assert.equal(log.begun, begun, state);
    assert.equal(playback.wantPlaying, wanted, state);
  }
});

test("Step takes one step and holds; from done it replays the first step", () => {
  const { playback, sent } = setup("done");
  playback.stepOnce();
  assert.deepEqual(sent, ["reset", "step"]);
  assert.equal(playback.wantPlaying, false);
  const idle = setup("idle");
  idle.playback.stepOnce();
  assert.deepEqual([idle.sent, idle.log.begun], [[], 1]);
});

test("new runs start held after Pause, Step or Reset, and play after playNext", () => {
  const { playback, sent } = setup("running");
  playback.reset();
  assert.deepEqual(sent, ["reset"]);
  assert.deepEqual(playback.startFields(), { paused: true });
  playback.playNext();
  assert.deepEqual(playback.startFields(), {}, "the new runs play");
  assert.deepEqual(sent, ["reset"], "a start holds its runs itself: no pause and reset after it");
});

test("every state the server reports is rendered", () => {
  const { playback, log } = setup("idle");
  playback.setState("running");
  playback.setState("done");
  assert.deepEqual(log.rendered, ["idle", "running", "done"]);
  assert.equal(playback.play, "done");
});

test("new runs show as the start asked: held when it asked for paused, playing otherwise", () => {
  const { playback, log } = setup("paused");
  playback.reset(); // held: the next runs start at step 0
  assert.deepEqual(playback.startFields(), { paused: true });
  playback.started();
  assert.equal(playback.play, "paused", "not 'running' until the server says so");
  playback.playNext();
  assert.deepEqual(playback.startFields(), {});
  playback.held = [() => {}];
  playback.started();
  assert.equal(playback.play, "running");
  assert.equal(playback.held, null, "what was held belongs to runs that are gone");
  assert.deepEqual(log.rendered.slice(-2), ["paused", "running"]);
});
