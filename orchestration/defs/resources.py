import shutil
import sys
from functools import cached_property
from importlib import metadata
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource
from packaging import version

from orchestration.defs.transform.dbt import tadqiq_dbt


def dbt_executable() -> str:
    """The dbt installed beside this interpreter, so a venv works without being activated."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else shutil.which("dbt") or "dbt"


class TadqiqDbtCliResource(DbtCliResource):
    """dagster-dbt's resource, offline: it learns dbt's version from ``dbt --version``, which
    also asks PyPI for the latest release (a connection leaving the machine at every run). The
    dbt beside this interpreter is the dbt-core package installed here, whose version the
    package metadata gives without a subprocess or a network call."""

    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable).parent == Path(sys.executable).parent:
            return version.parse(metadata.version("dbt-core"))
        return super()._cli_version


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "dbt": TadqiqDbtCliResource(project_dir=tadqiq_dbt, dbt_executable=dbt_executable())
        }
    )
