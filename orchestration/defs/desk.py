"""The audit desk's road into the warehouse: its rows into the inbox, as the cells' files.

``desk/inbox_export`` writes the desk's rows (``tadqiq.desk.export``) into the inbox as the
audit sources' files (``<source>/tadqiq_desk.csv``), only when they changed; from there the
ingestion reads them under the same contracts and checks as every file, and they land in the
same staging models. ``desk_events_sensor`` starts ``desk_export_job`` when the desk has new
events; the ``inbox_sensor`` then sees the new files and starts the refresh (ingestion, dbt,
publication), so a change shows on the dashboards after that refresh. ``refresh_job`` (and so
``tadqiq build`` and the daily schedule) runs the export itself, before the audit sources'
ingestion, which depends on it: a desk change lands in the same refresh. The fiscal-year
ingestion runs do not run it (their selection is the fiscal-year sources only).
"""

import dagster as dg

from orchestration.lib.settings import inbox_dir

DESK_EXPORT = dg.AssetKey(["desk", "inbox_export"])
# The sources whose files the export writes (``tadqiq.desk.export.CONTRACTS``; a test keeps the
# two equal, the export is not imported here so that loading the definitions does not load the
# store's models). Their ingestion assets depend on the export: within one run that has both
# (``refresh_job``, ``tadqiq build``), the desk's rows are written before they are read.
DESK_EXPORTED = frozenset(
    dg.AssetKey(["audit", entity])
    for entity in (
        "audit_cells", "missions", "findings", "recommendations", "recommendation_events",
    )
)  # fmt: skip


@dg.asset(
    key=DESK_EXPORT,
    group_name="desk",
    kinds={"sqlalchemy", "csv"},
    description=(
        "The audit desk's cells, missions, findings, recommendations and status history, "
        "written into the inbox under the audit contracts (docs/audit_desk.md)."
    ),
)
def desk_inbox_export(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    from tadqiq.desk import db, export, queries

    store = db.open_store()
    rows = export.write_inbox(store, inbox_dir())
    last = queries.last_event_id(store)
    context.log.info(f"desk rows exported: {rows} (events up to {last})")
    return dg.MaterializeResult(
        metadata={"last_event_id": last, **{f"rows_{name}": n for name, n in rows.items()}}
    )


desk_export_job = dg.define_asset_job(
    "desk_export_job",
    selection=dg.AssetSelection.assets(desk_inbox_export),
    description="The audit desk's rows into the inbox (the inbox sensor then refreshes).",
)


@dg.sensor(
    name="desk_events_sensor",
    job=desk_export_job,
    minimum_interval_seconds=60,
    description="New events in the audit desk: export its rows into the inbox.",
)
def desk_events_sensor(context: dg.SensorEvaluationContext):
    from tadqiq.desk import db, queries

    last = queries.last_event_id(db.open_store())
    if last > int(context.cursor or 0):
        context.update_cursor(str(last))
        yield dg.RunRequest(run_key=f"desk-events-{last}")
