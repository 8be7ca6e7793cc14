"""The dashboard as a real server for the browser, sign-in and offline tests: started with the
same command line as `tadqiq serve` (``orchestration.cli.serve_command``), waited for on its
health endpoint, stopped at the end."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

from orchestration.cli import serve_command
from orchestration.lib.settings import REPO_ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_dashboard(
    env: Mapping[str, str],
    log: Path,
    *extra: str,
    port: int | None = None,
    production: bool = False,
) -> Iterator[str]:
    """Serve the dashboard on loopback with ``env``; yields its URL; output goes to ``log``."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("w") as output:
        process = subprocess.Popen(
            [*serve_command(port, production=production), *extra],
            env=dict(env), stdout=output, stderr=subprocess.STDOUT, cwd=REPO_ROOT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(f"the dashboard did not start: {log.read_text()}")
                time.sleep(0.3)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)
