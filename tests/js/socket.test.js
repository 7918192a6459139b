// The /ws client (static/js/shared/socket.js): when a message may go out, and what a page learns
// about a `start` it sent before the server's `welcome` was read.
import assert from "node:assert/strict";
import { test } from "node:test";

class FakeWebSocket {
  static OPEN = 1;
  constructor(url) {
    this.url = url;
    this.readyState = 0; // CONNECTING
    this.sent = [];
  }
  send(text) {
    this.sent.push(JSON.parse(text).type);
  }
  close() {}
}
globalThis.WebSocket = /** @type {any} */ (FakeWebSocket);
const { LiveSocket } = await import("../../static/js/shared/socket.js");

test("a start may go out once the socket is open, before `welcome` is read; a new connection forgets it", () => {
  const socket = new LiveSocket("ws://test/ws");
  socket.connect();
  const ws = /** @type {FakeWebSocket} */ (socket.ws);
  assert.equal(socket.send({ type: "start" }), false, "not connected yet: the caller retries");
  assert.equal(socket.startSent, false);
  ws.readyState = FakeWebSocket.OPEN;
  assert.equal(socket.canSend, true);
  assert.equal(socket.isOpen, false, "no welcome read yet");
  assert.equal(socket.send({ type: "start" }), true);
  assert.deepEqual(ws.sent, ["start"]);
  assert.equal(socket.startSent, true, "the page's welcome handler need not start again");
  socket._receive(JSON.stringify({ type: "welcome", protocol: 2 }));
  assert.equal(socket.isOpen, true);
  socket.connect(); // a reconnection: its runs start on its welcome
  assert.equal(socket.startSent, false);
});
