"""Entry point of the Dagster code location: every definition lives under `defs/`."""

from pathlib import Path

import dagster as dg

from orchestration.lib.settings import set_env_defaults


@dg.definitions
def defs() -> dg.Definitions:
    set_env_defaults()
    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
