"""The `gradscape` command: serve the app, on this machine only or to a classroom."""

from __future__ import annotations

import argparse
import dataclasses
import os
import threading
import webbrowser
from pathlib import Path

from app.config import Settings
from app.net import lan_addresses
from app.server import serve


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gradscape", description="Serve Gradscape.")
    parser.add_argument("--host", default=None,
                        help="interface to bind (default 127.0.0.1; 0.0.0.0 with --classroom)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument("--open", action="store_true", help="open a browser tab once serving")
    parser.add_argument("--classroom", action="store_true",
                        help="serve the whole local network: bind all interfaces, print the LAN "
                             "URL and a QR code students can scan")
    parser.add_argument("--new-class", action="store_true",
                        help="with --classroom: open a new class instead of reopening the "
                             "newest one kept under the data directory")
    parser.add_argument("--data-dir", type=Path, default=None, metavar="DIR",
                        help="where classes and saved views are kept (default: "
                             "GRADSCAPE_DATA_DIR, else ~/.local/share/gradscape)")
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help="server processes, to use N cores (default: 1; with --classroom "
                             "and GRADSCAPE_REDIS_URL, one per core); each serves its own live "
                             "sessions")
    parser.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                        help="also accept live connections from pages of this origin "
                             "(e.g. https://school.example); repeatable")
    return parser


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def banner(host: str, port: int, classroom: bool, class_id: str | None = None,
           teacher_token: str | None = None) -> str:
    """What the teacher reads in the terminal: where the app is, and how students join (with a
    class: the teacher's link, secret, and the students' link and its QR code)."""
    from app.api.routes.classroom import terminal_qr

    local = f"http://127.0.0.1:{port}/"
    lines = [f"Gradscape is serving at {local}"]
    base = local
    if host not in LOOPBACK:
        addresses = lan_addresses() if host in ("0.0.0.0", "::") else [host]
        if addresses:
            base = f"http://{addresses[0]}:{port}/"
            students = f"{base}class/{class_id}" if class_id else base
            lines += [f"Students join at {students}", terminal_qr(students)]
            lines += [f"  also reachable at http://{a}:{port}/" for a in addresses[1:]]
        else:
            lines.append("No network address found: is this machine on the school network?")
    elif class_id:
        students = f"{local}class/{class_id}"
        lines += [f"Students join at {students}", terminal_qr(students)]
    if class_id and teacher_token:
        lines.append(f"Teacher's link (keep it to yourself: it leads the class): "
                     f"{base}#teacher={teacher_token}&class={class_id}")
    if classroom:
        lines.append("Classroom mode: the page's Join button shows this address as a QR code.")
    return "\n".join(lines)


def settings_from(args: argparse.Namespace, host: str = "127.0.0.1") -> Settings:
    """The command line's flags as settings (over the environment's): the app reads no other.

    Served beyond this machine (a classroom, Docker), a whole class may reach the server from one
    address (a school's NAT, Docker's port proxy): unless set, the per-address session limit is
    then the overall one."""
    settings = Settings()
    changes: dict[str, object] = {}
    if host not in LOOPBACK and "GRADSCAPE_MAX_SESSIONS_PER_CLIENT" not in os.environ:
        changes["max_sessions_per_client"] = settings.max_sessions
    if args.allow_origin:
        changes["allow_origins"] = (*settings.allow_origins, *args.allow_origin)
    if args.classroom:
        changes["classroom"] = True
        # A class submits at once when a challenge opens: each waits its turn in the pool.
        if "GRADSCAPE_HEAVY_QUEUE" not in os.environ:
            changes["heavy_queue"] = max(settings.heavy_queue, settings.max_students)
    if args.new_class:
        changes["new_class"] = True
    if args.data_dir is not None:
        changes["data_dir"] = args.data_dir.expanduser()
    return dataclasses.replace(settings, **changes)


def open_class(settings: Settings) -> tuple[Settings, str]:
    """Open (or reopen the newest) class in the store under the data directory: the settings
    that name it for every worker, and a fresh teacher token to print."""
    from app.classroom.store import ClassStore

    store = ClassStore(settings.data_dir / "classes.sqlite3")
    try:
        class_id, token = store.open_class(new=settings.new_class)
    finally:
        store.close()
    return dataclasses.replace(settings, class_id=class_id), token


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    host = args.host or ("0.0.0.0" if args.classroom else "127.0.0.1")
    settings = settings_from(args, host)
    token = None
    if args.classroom:
        settings, token = open_class(settings)
    print(banner(host, args.port, args.classroom, settings.class_id, token), flush=True)
    if args.open:
        url = f"http://127.0.0.1:{args.port}/"
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    serve(settings, host, args.port, workers_for(args, settings))


def workers_for(args: argparse.Namespace, settings: Settings) -> int:
    """How many server processes. A class on one process waits on it (40 students on /network:
    3.8x their time alone with one worker, 1.3x with two, docs/reliability.md): a classroom
    gets every core, when its messages can cross processes (Redis, docs/classroom.md); with
    the in-process broker a class lives in one process, or students on another miss the
    teacher."""
    if args.workers is not None:
        if args.workers > 1 and args.classroom and not settings.redis_url:
            raise SystemExit("gradscape: a class served by several workers shares its messages "
                             "through Redis: set GRADSCAPE_REDIS_URL=redis://HOST:PORT/0, or "
                             "use --workers 1")
        return max(1, args.workers)
    if args.classroom and settings.redis_url:
        return os.cpu_count() or 1
    return 1


if __name__ == "__main__":
    main()
