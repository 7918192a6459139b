"""The `gradscape` command: safe defaults, classroom mode, and what it prints."""

from __future__ import annotations

import pytest

from app import cli, server
from app.net import lan_addresses


@pytest.fixture()
def served(monkeypatch) -> dict:
    """Run main() with the serving replaced by a recorder: the settings, address and workers it
    would serve with, and the uvicorn configuration of one of its servers."""
    calls: dict = {}

    def record(settings, host, port, workers=1) -> None:
        from app.main import create_app

        app = create_app(settings)
        calls.update(app=app, host=host, port=port, workers=workers,
                     config=server.server_config(app, settings, host, port))

    monkeypatch.setattr(cli, "serve", record)
    # setenv first so that monkeypatch restores the original environment after the test.
    for name in ("GRADSCAPE_CLASSROOM", "GRADSCAPE_ALLOW_ORIGINS"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    return calls


def test_default_binds_loopback_only(served: dict, capsys) -> None:
    cli.main([])
    assert served["host"] == "127.0.0.1" and served["port"] == 8000
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8000/" in out and "Students join" not in out


def test_classroom_binds_all_interfaces_and_prints_the_lan_url(served, capsys, monkeypatch):
    cli.main(["--classroom", "--port", "8123", "--allow-origin", "https://school.example"])
    assert served["host"] == "0.0.0.0" and served["port"] == 8123
    # Flags become the app's settings, not environment variables the app would re-read.
    settings = served["app"].state.settings
    assert settings.classroom is True
    assert settings.allow_origins == ("https://school.example",)
    import os

    assert "GRADSCAPE_CLASSROOM" not in os.environ
    out = capsys.readouterr().out
    addresses = lan_addresses()
    if addresses:
        assert f"Students join at http://{addresses[0]}:8123/" in out
        assert "█" in out or "▀" in out  # the QR code, in block characters
    else:
        assert "No network address found" in out


def test_the_server_runs_with_the_settings_limits(served: dict) -> None:
    cli.main([])
    config, settings = served["config"], served["app"].state.settings
    assert config.ws_max_size == 4 * settings.max_message_bytes
    assert config.limit_concurrency == settings.max_connections
    assert config.http.header_timeout == settings.header_timeout


def test_a_class_gets_every_core(served: dict, monkeypatch) -> None:
    """--classroom serves with a worker per core (40 students on /network's defaults: median
    completion 1.3x alone with two workers, 3.8x with one: docs/reliability.md) when a class's
    messages can cross processes (Redis, docs/classroom.md); else a class lives in one."""
    import os

    monkeypatch.setenv("GRADSCAPE_REDIS_URL", "redis://127.0.0.1:6379/0")
    cli.main(["--classroom"])
    assert served["workers"] == (os.cpu_count() or 1)
    cli.main([])
    assert served["workers"] == 1
    cli.main(["--classroom", "--workers", "1"])
    assert served["workers"] == 1
    monkeypatch.delenv("GRADSCAPE_REDIS_URL")
    cli.main(["--classroom"])
    assert served["workers"] == 1
    with pytest.raises(SystemExit, match="GRADSCAPE_REDIS_URL"):
        cli.main(["--classroom", "--workers", "2"])
    cli.main(["--workers", "2"])  # no class: live sessions need no broker
    assert served["workers"] == 2


def test_a_class_behind_one_address_fits(served: dict, monkeypatch) -> None:
    """Beyond loopback (a classroom, Docker) the per-address session limit is the overall one,
    unless the environment sets it; on loopback it stays small."""
    monkeypatch.delenv("GRADSCAPE_MAX_SESSIONS_PER_CLIENT", raising=False)
    cli.main(["--classroom"])
    settings = served["app"].state.settings
    assert settings.max_sessions_per_client == settings.max_sessions >= 60
    cli.main([])
    assert served["app"].state.settings.max_sessions_per_client == 12
    monkeypatch.setenv("GRADSCAPE_MAX_SESSIONS_PER_CLIENT", "5")
    cli.main(["--host", "0.0.0.0"])
    assert served["app"].state.settings.max_sessions_per_client == 5


def test_explicit_host_wins(served: dict) -> None:
    cli.main(["--classroom", "--host", "127.0.0.1"])
    assert served["host"] == "127.0.0.1"


def test_qr_endpoint(client) -> None:
    r = client.get("/api/qr", params={"text": "http://10.0.0.5:8000/?surface=bowl"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert r.text.lstrip().startswith("<svg")
    assert client.get("/api/qr", params={"text": "x" * 3000}).status_code == 422


def test_classroom_endpoint(client) -> None:
    data = client.get("/api/classroom").json()
    assert data["classroom"] is False
    assert all(not a.startswith("127.") for a in data["lan_addresses"])


def test_workers_share_the_port_and_each_serves(tmp_path) -> None:
    """`gradscape --workers 2`: two processes behind one port, both answering."""
    import subprocess
    import sys
    import time

    import httpx

    from tests.conftest import free_port

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "--port", str(port),
                             "--workers", "2"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        workers: set[int] = set()
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline:
            try:  # a new connection each time: the kernel hands it to either process
                r = httpx.get(f"http://127.0.0.1:{port}/healthz",
                              headers={"connection": "close"}, timeout=5)
                workers.add(r.json()["worker"])
            except httpx.TransportError:
                time.sleep(0.1)  # not listening yet
        assert len(workers) == 2 and proc.pid not in workers
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    # Terminating the command stops its workers: nothing keeps serving the port.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)


def _alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
