"""Loaded by every Python process of the offline test (PYTHONPATH): refuse and record any
connection or name lookup that leaves the machine, through Python's audit hooks (PEP 578)."""

import ipaddress
import os
import sys

LOG = os.environ["TADQIQ_OUTBOUND_LOG"]
LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


def _is_local(host: object) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    host = str(host)
    if host in LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False  # a name other than localhost: a lookup that would leave the machine
    return address.is_loopback or address.is_unspecified


def _refuse(what: str) -> None:
    with open(LOG, "a", encoding="utf-8") as log:
        log.write(f"{os.getpid()} {' '.join(sys.argv[:3])[:200]}: {what}\n")
    raise OSError(f"outbound connection refused by the offline test: {what}")


def _hook(event: str, args: tuple) -> None:
    if event == "socket.connect":
        address = args[1]
        if isinstance(address, tuple) and not _is_local(address[0]):
            _refuse(f"connect {address!r}")
    elif event == "socket.getaddrinfo":
        if not _is_local(args[0]):
            _refuse(f"getaddrinfo {args[0]!r}")
    elif event == "socket.gethostbyname" and not _is_local(args[0]):
        _refuse(f"gethostbyname {args[0]!r}")


sys.addaudithook(_hook)
