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
    assert r.headers["content-type"].startswith("text/javascript")


def test_plotly_js_is_the_package_bundle_with_its_compile_hint(client) -> None:
    from app.api.routes.plotly_js import COMPILE_HINT, PLOTLY_JS

    r = client.get("/vendor/plotly/plotly.min.js")
    assert r.content.startswith(COMPILE_HINT)
    assert r.content[len(COMPILE_HINT):] == PLOTLY_JS.read_bytes()
    again = client.get("/vendor/plotly/plotly.min.js", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and not again.content
