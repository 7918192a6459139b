from __future__ import annotations

import os


def test_healthz(client) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "worker": os.getpid()}


def test_index_page_renders(client) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert "Gradscape" in r.text


def test_plotly_js_is_served_locally(client) -> None:
    r = client.get("/vendor/plotly/plotly.min.js")
    assert r.status_code == 200
    assert len(r.content) > 1_000_000  # the full bundle, not a stub
