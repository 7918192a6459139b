"""axe-core in a page: its serious and critical violations, one line per rule.

axe-core comes from npm (package-lock.json; `make test` installs it): it is evaluated in the page by
the test, never served by the app. (`page.add_script_tag` would be refused by the pages' CSP,
script-src 'self'; an evaluate from the test is not a page script.)
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


def axe_source() -> str:
    if not AXE.is_file():
        problem = f"{AXE} is missing: run `npm ci` (make test does)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(problem)
        pytest.skip(problem)
    return AXE.read_text(encoding="utf-8")


def violations(page) -> list[dict]:
    """axe's serious and critical violations on the page as it is now, one line per element."""
    if not page.evaluate("() => Boolean(window.axe)"):
        page.evaluate(axe_source() + "\n;undefined")
    found = page.evaluate(
        """async () => (await axe.run(document, { resultTypes: ["violations"] })).violations
            .map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                           nodes: v.nodes.map((n) => n.target.join(" ")) }))"""
    )
    return [v for v in found if v["impact"] in BLOCKING]


def report(found: list[dict]) -> str:
    lines = (f"{v['impact']} {v['id']}: {v['help']} at {', '.join(v['nodes'][:5])}" for v in found)
    return "\n".join(lines)
