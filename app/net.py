"""This machine's names and addresses: for the classroom URL and the websocket host check."""

from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import socket
import struct
from functools import lru_cache

_SIOCGIFADDR = 0x8915  # Linux ioctl: an interface's IPv4 address


def _interface_addresses() -> set[str]:
    """IPv4 addresses of every network interface (Linux), asked of the kernel, no traffic sent."""
    found: set[str] = set()
    with contextlib.suppress(OSError, AttributeError):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for _, name in socket.if_nameindex():
                with contextlib.suppress(OSError):
                    packed = struct.pack("256s", name.encode()[:15])
                    raw = fcntl.ioctl(s.fileno(), _SIOCGIFADDR, packed)[20:24]
                    found.add(socket.inet_ntoa(raw))
    return found


@lru_cache(maxsize=1)
def local_names() -> frozenset[str]:
    """Every name and address this machine answers to (lower case, no port)."""
    names = {"localhost", "127.0.0.1", "::1", socket.gethostname().lower()}
    with contextlib.suppress(OSError):
        names.add(socket.getfqdn().lower())
    for host in list(names):
        with contextlib.suppress(OSError, UnicodeError):
            for info in socket.getaddrinfo(host, None):
                names.add(str(info[4][0]).lower())
    names |= _interface_addresses()
    return frozenset(names)


def lan_addresses() -> list[str]:
    """Addresses other machines on the network can reach: private IPv4 first, no loopback."""
    out = []
    for name in local_names():
        with contextlib.suppress(ValueError):
            ip = ipaddress.ip_address(name)
            if ip.version == 4 and not ip.is_loopback and not ip.is_link_local:
                out.append(name)
    return sorted(out, key=lambda a: (not ipaddress.ip_address(a).is_private, a))
