"""One websocket client's live runs: the session (receive, dispatch, produce, send), its pacing,
its coalescing outbox, and how each kind of run looks on the wire."""
