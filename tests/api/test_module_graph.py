"""The pages preload exactly the modules their entry imports, and every one of them exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.api.routes.module_graph import PAGE_WIDE, imports_of, module_graph

JS = Path(__file__).resolve().parents[2] / "static" / "js"
PAGES = {"/": "descent/page.js", "/network": "network/page.js", "/backprop": "backprop/page.js"}
# the module script a page runs ahead of everything, whose imports are preloaded first
FIRST = {"/": "descent/first-paint.js", "/network": "network/early-start.js"}


def test_imports_of_reads_every_static_import_form() -> None:
    source = """
import { a } from "./a.js";
import {
  b,
  c,
} from '../shared/b.js';
import "./side-effect.js";
export { d } from "./d.js";
// import { e } from "./commented-out-after-code.js" is not at the start of a statement
const lazy = () => import("./lazy.js");
import { f } from "https://example.com/f.js";
"""
    assert imports_of(source) == ["./a.js", "../shared/b.js", "./side-effect.js", "./d.js"]


@pytest.mark.parametrize("entry", PAGES.values())
def test_graph_reaches_every_imported_module(entry: str) -> None:
    graph = module_graph(JS, entry)
    assert graph[0] == entry
    assert len(set(graph)) == len(graph)
    for module in graph:
        for spec in imports_of((JS / module).read_text()):
            target = (JS / module).parent.joinpath(spec).resolve().relative_to(JS.resolve())
            assert str(target) in graph, f"{module} imports {spec}, missing from the graph"


@pytest.mark.parametrize(("url", "entry"), PAGES.items())
def test_page_loads_its_entry_and_preloads_its_imports(client, url: str, entry: str) -> None:
    html = client.get(url).text
    scripts = re.findall(r'<script type="module" src="/static/js/([^"]+)"[^>]*></script>', html)
    first = FIRST.get(url)
    # the first script, then the class bar, then the entry, unless the first script loads it
    # (module scripts run in this order; the start hint's tiny script, which keeps the hint's
    # line on a first visit, before all)
    expected = ["shared/start-hint.js", *([first] if first else []), "class/bar.js",
                *([] if first else [entry])]
    assert scripts[:len(expected)] == expected
    assert f"/static/js/{entry}" not in scripts[len(expected):]
    preloads = re.findall(r'<link rel="modulepreload" href="([^"]+)">', html)
    own = [f"/static/js/{m}" for m in module_graph(JS, first or entry)[1:]]
    # the first script's imports first (or without one, the entry's), then those of the scripts
    # every page loads (the class bar's...); no script is preloaded beside its own tag
    assert preloads[:len(own)] == own
    wide = {f"/static/js/{m}" for script in PAGE_WIDE for m in module_graph(JS, script)[1:]}
    assert set(preloads[len(own):]) == wide - set(own) - {f"/static/js/{entry}"}
    assert len(set(preloads)) == len(preloads)
    later: list[str] = []
    if first:
        # the entry is named on the first script, which loads it (shared/entry.js) with the
        # entry's imports nothing has preloaded
        named = re.findall(r'src="/static/js/([^"]+)" data-entry="/static/js/([^"]+)" '
                           r'data-entry-imports="([^"]*)"', html)
        assert [(f, e) for f, e, _ in named] == [(first, entry)]
        later = named[0][2].split()
        assert later == [f"/static/js/{m}" for m in module_graph(JS, entry)[1:]
                         if f"/static/js/{m}" not in preloads and m != first]
        assert later and f"/static/js/{entry}" not in later  # its imports, not itself
        assert f"/static/js/{first}" not in later  # running already
    else:
        assert "data-entry" not in html
    assert "/static/js/shared/state.js" in preloads  # every page keeps its view in the URL
    for href in preloads + later:
        r = client.get(href)
        assert r.status_code == 200, href
        assert "javascript" in r.headers["content-type"]


def test_the_page_wide_scripts_are_the_ones_the_base_template_loads() -> None:
    """PAGE_WIDE names base.html's module scripts: one it loads and the list misses would find
    its imports a level at a time again."""
    base = (JS.parent.parent / "templates" / "base.html").read_text()
    scripts = re.findall(r'<script type="module" src="/static/js/([^"]+)"></script>', base)
    assert sorted(scripts) == sorted(PAGE_WIDE)


def test_the_network_page_preloads_the_registries_its_controller_asks_for_first(client) -> None:
    """A preload the controller does not make is a wasted request (and Chromium's warning); one
    it makes but the page does not preload waits for the modules."""
    html = client.get("/network").text
    preloaded = re.findall(r'<link rel="preload" href="([^"]+)" as="fetch"', html)
    first = re.findall(r'getJSON\("([^"]+)"\)', (JS / "network" / "api.js").read_text())
    assert preloaded and sorted(preloaded) == sorted(first)
    for url in preloaded:
        assert client.get(url).status_code == 200
