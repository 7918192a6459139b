"""The `gradscape` command: serve the app, on this machine only or to a classroom."""

from __future__ import annotations

import argparse
import dataclasses
import os
import threading
import webbrowser

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
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help="server processes, to use N cores (default: 1; with --classroom, "
                             "one per core); each serves its own live sessions")
    parser.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                        help="also accept live connections from pages of this origin "
                             "(e.g. https://school.example); repeatable")
    return parser


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def banner(host: str, port: int, classroom: bool) -> str:
    """What the teacher reads in the terminal: where the app is, and how students join."""
    from app.api.routes.classroom import terminal_qr

    local = f"http://127.0.0.1:{port}/"
    lines = [f"Gradscape is serving at {local}"]
    if host not in LOOPBACK:
        addresses = lan_addresses() if host in ("0.0.0.0", "::") else [host]
        if addresses:
            url = f"http://{addresses[0]}:{port}/"
            lines += [f"Students join at {url}", terminal_qr(url)]
            lines += [f"  also reachable at http://{a}:{port}/" for a in addresses[1:]]
        else:
            lines.append("No network address found: is this machine on the school network?")
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
    return dataclasses.replace(settings, **changes)


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    host = args.host or ("0.0.0.0" if args.classroom else "127.0.0.1")
    settings = settings_from(args, host)
    print(banner(host, args.port, args.classroom), flush=True)
    if args.open:
        url = f"http://127.0.0.1:{args.port}/"
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    # A class on one process waits on it (40 students on /network: 3.8x their time alone with
    # one worker, 1.3x with two, docs/reliability.md): a classroom gets every core.
    workers = args.workers or ((os.cpu_count() or 1) if args.classroom else 1)
    serve(settings, host, args.port, max(1, workers))


if __name__ == "__main__":
    main()
