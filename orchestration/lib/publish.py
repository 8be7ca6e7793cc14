"""Publish the warehouse as a frozen, read-only snapshot the dashboards switch to atomically.

What the ministry saw on a date must stay what it saw: a snapshot holds tables only. The
warehouse's staging models are views over the raw parquet files, so a plain file copy would
keep reading files that change after publication (and would miss a write-ahead log not yet
checkpointed). The snapshot is therefore built by DuckDB itself: every table and view of the
schemas the readers use is written as a table into a new file, from the warehouse attached
read-only (a consistent state, its WAL included). The file is then made read-only (0444),
renamed into place, and ``CURRENT`` switched by rename too: a reader sees the old snapshot or
the new one, never half of one. A partial file left by a killed publication is removed by the
next one.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb

KEEP_SNAPSHOTS = 3
POINTER = "CURRENT"
# What the dashboards, the reports and the command line read (tadqiq.warehouse).
SCHEMAS = ("marts", "ingest", "methodology")


def _quoted(*names: str) -> str:
    return ".".join('"' + name.replace('"', '""') + '"' for name in names)


def freeze(warehouse: Path, target: Path, schemas: tuple[str, ...] = SCHEMAS) -> int:
    """Write every relation of ``schemas`` in ``warehouse`` as a table of ``target``."""
    with duckdb.connect(str(target)) as con:
        path = str(warehouse).replace("'", "''")
        con.execute(f"attach '{path}' as source (read_only)")
        relations = con.execute(
            "select schema_name, table_name from duckdb_tables()"
            " where database_name = 'source' and list_contains(?, schema_name)"
            " union all "
            "select schema_name, view_name from duckdb_views()"
            " where database_name = 'source' and list_contains(?, schema_name)"
            " order by 1, 2",
            [list(schemas), list(schemas)],
        ).fetchall()
        for schema in sorted({schema for schema, _ in relations}):
            con.execute(f"create schema {_quoted(schema)}")
        for schema, name in relations:
            con.execute(
                f"create table {_quoted(schema, name)} as "
                f"select * from {_quoted('source', schema, name)}"
            )
        con.execute("detach source")
        con.execute("checkpoint")
    return len(relations)


def publish(warehouse: Path, published: Path, keep: int = KEEP_SNAPSHOTS) -> Path:
    """Freeze `warehouse` into a new snapshot, point CURRENT at it, prune old snapshots."""
    published.mkdir(parents=True, exist_ok=True)
    for stale in published.glob(".warehouse_*.duckdb.tmp*"):  # a publication killed midway
        stale.unlink()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    snapshot = published / f"warehouse_{stamp}.duckdb"
    tmp = published / f".{snapshot.name}.tmp"
    freeze(warehouse, tmp)
    wal = tmp.with_name(tmp.name + ".wal")
    if wal.exists():  # checkpointed above; an empty log may remain
        wal.unlink()
    os.chmod(tmp, 0o444)
    tmp.replace(snapshot)
    pointer_tmp = published / f".{POINTER}.tmp"
    pointer_tmp.write_text(snapshot.name + "\n", encoding="utf-8")
    pointer_tmp.replace(published / POINTER)
    for old in sorted(published.glob("warehouse_*.duckdb"))[:-keep]:
        old.chmod(0o644)
        old.unlink()
    return snapshot
