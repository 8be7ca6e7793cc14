"""A throwaway PostgreSQL cluster, from Debian's server package, on loopback.

For the tests (one per session, ``tests/conftest.py``) and the benchmark (one per run):
started in a temporary directory (``initdb`` + ``pg_ctl``), on a free port, with a trust login
for the process's own role; stopped and removed at the end. As root (CI), the server runs as
the ``postgres`` system user, which PostgreSQL requires. A production server is the operator's
own (docs/operations.md), never this.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def server_binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError(
            "PostgreSQL's server is not installed (Debian package postgresql; "
            ".ci/system-packages installs it)"
        )
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Cluster:
    port: int
    user: str
    database: str = "postgres"

    def url(self, database: str | None = None, driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://{self.user}@127.0.0.1:{self.port}/{database or self.database}"

    def conninfo(self, database: str | None = None) -> str:
        """A libpq connection string (psycopg, psql)."""
        return self.url(database, driver="postgresql")

    def dbt_env(self, database: str, schema: str = "public") -> dict[str, str]:
        """The environment of dbt's ``postgres`` target (dbt_project/profiles.yml)."""
        return {
            "TADQIQ_POSTGRES_HOST": "127.0.0.1",
            "TADQIQ_POSTGRES_PORT": str(self.port),
            "TADQIQ_POSTGRES_USER": self.user,
            "TADQIQ_POSTGRES_PASSWORD": "",
            "TADQIQ_POSTGRES_DATABASE": database,
            "TADQIQ_POSTGRES_SCHEMA": schema,
        }

    def create_database(self, name: str) -> str:
        """A fresh database on the cluster; returns its SQLAlchemy URL."""
        subprocess.run(
            [str(server_binaries() / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
             "-U", self.user, name],
            check=True, capture_output=True,
        )  # fmt: skip
        return self.url(name)


@contextmanager
def running_cluster() -> Iterator[Cluster]:
    binaries = server_binaries()
    # Not under pytest's temporary folder: as root, that one is closed to the postgres user.
    base = Path(tempfile.mkdtemp(prefix="tadqiq-postgres-"))
    data = base / "pgdata"
    as_root = os.geteuid() == 0
    owner = "postgres" if as_root else pwd.getpwuid(os.geteuid()).pw_name
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(base, "postgres")
    port = _free_port()
    subprocess.run(
        [*prefix, str(binaries / "initdb"), "-D", str(data), "-U", owner, "--auth=trust",
         "-E", "UTF8", "--locale=C.UTF-8"],
        check=True, capture_output=True,
    )  # fmt: skip
    options = f"-h 127.0.0.1 -p {port} -k {base} -c fsync=off -c full_page_writes=off"
    subprocess.run(
        [*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-t", "60",
         "-l", str(base / "server.log"), "start"],
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        yield Cluster(port=port, user=owner)
    finally:
        subprocess.run(
            [*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            check=False, capture_output=True,
        )  # fmt: skip
        shutil.rmtree(base, ignore_errors=True)
