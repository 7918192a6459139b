"""The ES modules a page loads, read from their import statements, for `<link rel=modulepreload>`.

Without the hints the browser finds the modules one import level at a time (a round trip per
level); a hand-written list goes stale as soon as a module is added. Static imports only: a module
loaded with `import()` is loaded when needed, on purpose.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path, PurePosixPath

# `import x from "./a.js"`, `import "./a.js"`, `export { y } from "../b.js"`: relative specifiers
# at the start of a line (a statement may run over several lines up to its `from`).
_IMPORT = re.compile(
    r"""^\s*(?:import|export)\b[^'";]*?(?:\bfrom\s*)?["'](\.{1,2}/[^"']+\.js)["']""", re.M
)


def imports_of(source: str) -> list[str]:
    """The relative specifiers a module's static import and export-from statements name."""
    return _IMPORT.findall(source)


@lru_cache(maxsize=16)
def module_graph(js_dir: Path, entry: str) -> tuple[str, ...]:
    """`entry` and every module it imports, transitively: paths relative to js_dir, entry first.

    Cached for the process: the files are the installed app's and do not change while it runs (a
    stale list would only cost speed, not correctness).
    """
    order: list[str] = []
    pending = [PurePosixPath(entry)]
    while pending:
        module = pending.pop(0)
        if str(module) in order:
            continue
        path = js_dir / module
        if not path.is_file():
            continue  # a missing module fails in the browser, with its own error
        order.append(str(module))
        for spec in imports_of(path.read_text(encoding="utf-8")):
            target = _normalize(module.parent / spec)
            if target is not None:
                pending.append(target)
    return tuple(order)


def _normalize(path: PurePosixPath) -> PurePosixPath | None:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if not parts:
                return None  # outside static/js
            parts.pop()
        elif part != ".":
            parts.append(part)
    return PurePosixPath(*parts)


# The module scripts templates/base.html loads on every page besides the page's entry (the class
# bar runs first, before the entry: docs/classroom.md). Their imports are preloaded too: module
# scripts run in document order, so the entry waited for the bar's imports, found one level at a
# time (on /network with the CPU throttled 4x: ~100 ms of its first picture).
PAGE_WIDE = ("class/bar.js", "shared/join.js", "shared/tabs.js")


def page_scripts(static_dir: Path, entry: str, first: str | None = None) -> dict[str, object]:
    """Template context of a page, as URLs: its entry module; the module script that runs ahead
    of everything (`first`, with a small import graph) and then loads the entry itself, once the
    page's main picture is up (static/js/shared/entry.js); the modules to preload with the page;
    and, with `first`, the entry's imports it does not preload, for `first` to preload when it
    loads the entry.

    Without `first` the entry is a script of its own and its imports are preloaded. With it,
    only `first`'s imports are: fetching and compiling the controller's ~50 modules while the
    picture was on its way held that picture up (on /network with the CPU throttled 4x: compiling
    them 200-300 ms; fetching them only, ~100 ms). The page-wide scripts' imports are preloaded
    either way.
    """
    js = static_dir / "js"
    scripts = {f"/static/js/{s}" for s in (first, entry) if s}
    preload = dict.fromkeys(module_graph(js, first)[1:] if first else module_graph(js, entry)[1:])
    for script in PAGE_WIDE:
        preload.update(dict.fromkeys(module_graph(js, script)[1:]))
    later: list[str] = []
    if first:  # the entry's imports, but those preloaded and `first` (running already)
        later = [m for m in module_graph(js, entry)[1:] if m not in preload and m != first]
    return {
        "first": f"/static/js/{first}" if first else None,
        "entry": f"/static/js/{entry}",
        "preload": [url for url in (f"/static/js/{m}" for m in preload) if url not in scripts],
        "entry_imports": [f"/static/js/{m}" for m in later],
    }
