"""The tests' own PostgreSQL (Debian's server package) starts on loopback and answers SQL."""

from __future__ import annotations

import subprocess

from orchestration.lib.postgres_cluster import Cluster, server_binaries


def test_the_session_cluster_answers(postgres: Cluster) -> None:
    url = postgres.create_database("smoke").replace("postgresql+psycopg", "postgresql")
    answer = subprocess.run(
        [str(server_binaries() / "psql"), url, "-Atc", "select version(), 6 * 7"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    version, product = answer.stdout.strip().split("|")
    assert version.startswith("PostgreSQL ") and product == "42"
