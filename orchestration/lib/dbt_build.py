"""``dbt build`` of the project on one target, in its own process, timed.

The Dagster dbt assets build the DuckDB warehouse in production; this runs the same project
outside Dagster, on any target of ``dbt_project/profiles.yml`` (``dev``: DuckDB, ``postgres``),
for the PostgreSQL comparison, the benchmark and ``tadqiq postgres``. dbt writes its manifest
and logs under ``scratch``, never in ``dbt_project/target`` (which the Dagster assets read).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from orchestration.lib.settings import DBT_PROJECT_DIR


@dataclass(frozen=True)
class DbtBuild:
    target: str
    seconds: float
    returncode: int
    output: str

    @property
    def success(self) -> bool:
        return self.returncode == 0

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output.splitlines()[-lines:])


def dbt_build(
    target: str,
    scratch: Path,
    env: Mapping[str, str] | None = None,
    project_dir: Path = DBT_PROJECT_DIR,
) -> DbtBuild:
    """``dbt build --target <target>``: every seed, model, data test and unit test."""
    dbt = Path(sys.executable).parent / "dbt"
    command = [
        str(dbt) if dbt.exists() else "dbt",
        "build",
        "--target", target,
        "--project-dir", str(project_dir),
        "--profiles-dir", str(project_dir),
        "--target-path", str(scratch / f"target_{target}"),
        "--log-path", str(scratch / f"logs_{target}"),
        "--no-use-colors",
    ]  # fmt: skip
    started = time.perf_counter()
    process = subprocess.run(
        command,
        env=os.environ | dict(env or {}),
        cwd=project_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    return DbtBuild(
        target=target,
        seconds=time.perf_counter() - started,
        returncode=process.returncode,
        output=process.stdout + process.stderr,
    )
