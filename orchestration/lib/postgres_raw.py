"""Load the landed parquet into PostgreSQL's schema ``raw``, for dbt's ``postgres`` target.

On DuckDB the staging models read the landed files themselves: every dbt source names them in
its ``external_location`` (``read_parquet('…/raw/tgr/{name}/*.parquet', union_by_name = true)``).
A PostgreSQL server cannot read parquet, so on that target the sources are the tables of the
schema ``raw`` (their ``schema:`` in ``_*__sources.yml``), which this module fills.

What is loaded is decided by the sources themselves, not by a list kept here: each source
table's ``external_location`` is rendered as dbt renders it (``env_var``, then ``{name}``) and
read by DuckDB with that very expression, so PostgreSQL receives exactly the rows and columns
DuckDB's staging models see (the union by name of every file, the ``filename`` column where the
source asks for one). Rows go over in PostgreSQL's ``COPY … FROM STDIN`` (CSV, streamed batch by
batch); column types follow DuckDB's.

Idempotent: a table is replaced in one transaction (emptied and refilled when its columns are
unchanged, so the staging views built on it stay; dropped and created again otherwise), so a
second load of the same files leaves the same tables, and a reader never sees half a table.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import jinja2
import psycopg
import pyarrow as pa
import pyarrow.csv as pa_csv
import yaml
from psycopg import sql

from orchestration.lib.settings import DBT_PROJECT_DIR

RAW_SCHEMA = "raw"
BATCH_ROWS = 200_000

# DuckDB's type (as DESCRIBE spells it) → PostgreSQL's.
_TYPES = {
    "VARCHAR": "text",
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "numeric",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP_NS": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
}


@dataclass(frozen=True)
class SourceTable:
    source: str
    name: str
    location: str  # a DuckDB table expression, e.g. read_parquet('…', union_by_name = true)


def conninfo_from_env() -> str:
    """The libpq connection string of dbt's ``postgres`` target, from the same variables and
    with the same defaults as ``dbt_project/profiles.yml``."""
    env = os.environ.get
    parts = {
        "host": env("TADQIQ_POSTGRES_HOST", "127.0.0.1"),
        "port": env("TADQIQ_POSTGRES_PORT", "5432"),
        "user": env("TADQIQ_POSTGRES_USER", "tadqiq"),
        "dbname": env("TADQIQ_POSTGRES_DATABASE", "tadqiq"),
    }
    if env("TADQIQ_POSTGRES_PASSWORD"):
        parts["password"] = env("TADQIQ_POSTGRES_PASSWORD", "")
    return psycopg.conninfo.make_conninfo(**parts)


def source_tables(project_dir: Path = DBT_PROJECT_DIR) -> list[SourceTable]:
    """Every dbt source table with an ``external_location``, rendered for this environment."""
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)

    def env_var(name: str, default: str | None = None) -> str:
        if name in os.environ:
            return os.environ[name]
        if default is None:
            raise KeyError(f"dbt source location needs the environment variable {name}")
        return default

    tables = []
    for path in sorted((project_dir / "models").rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for source in document.get("sources") or ():
            source_location = (source.get("config") or {}).get("external_location")
            for table in source.get("tables") or ():
                template = (table.get("config") or {}).get("external_location", source_location)
                if template is None:
                    continue
                rendered = environment.from_string(template).render(env_var=env_var)
                location = rendered.format_map({"name": table["name"]}).strip()
                if not location.endswith(")"):  # a bare path, quoted as dbt-duckdb does
                    location = "'" + location.replace("'", "''") + "'"
                tables.append(SourceTable(source["name"], table["name"], location))
    return tables


def _postgres_type(duckdb_type: str) -> str:
    if duckdb_type.startswith("DECIMAL"):
        return duckdb_type.replace("DECIMAL", "numeric")
    try:
        return _TYPES[duckdb_type]
    except KeyError:
        raise TypeError(f"no PostgreSQL type for DuckDB's {duckdb_type}") from None


def _csv_batches(reader: pa.RecordBatchReader) -> Iterator[bytes]:
    # PostgreSQL's CSV: an unquoted empty field is NULL, a quoted one ("") an empty string,
    # which is what Arrow's writer produces; floats are written in their shortest exact form.
    options = pa_csv.WriteOptions(include_header=False)
    for batch in reader:
        if batch.num_rows:
            buffer = io.BytesIO()
            pa_csv.write_csv(batch, buffer, options)
            yield buffer.getvalue()


def _existing_columns(cursor: psycopg.Cursor, schema: str, table: str) -> list[tuple[str, str]]:
    cursor.execute(
        "select a.attname, format_type(a.atttypid, a.atttypmod)"
        " from pg_attribute a join pg_class c on a.attrelid = c.oid"
        " join pg_namespace n on c.relnamespace = n.oid"
        " where n.nspname = %s and c.relname = %s and a.attnum > 0 and not a.attisdropped"
        " order by a.attnum",
        (schema, table),
    )
    return [(name, kind) for name, kind in cursor.fetchall()]


_SPELLED_OUT = {
    "timestamptz": "timestamp with time zone",
    "timestamp": "timestamp without time zone",
}


def _canonical(kind: str) -> str:
    return _SPELLED_OUT.get(kind, kind)


def load_table(connection: psycopg.Connection, table: SourceTable, schema: str = RAW_SCHEMA) -> int:
    """Replace ``schema.table`` by what DuckDB reads at the table's location; rows loaded."""
    with duckdb.connect() as reader:
        reader.execute("set enable_progress_bar = false")
        try:
            described = reader.execute(f"describe select * from {table.location}").fetchall()
        except duckdb.IOException as error:
            raise FileNotFoundError(
                f"source {table.source}.{table.name}: nothing to load at {table.location} ({error})"
            ) from None
        columns = [(name, _postgres_type(kind)) for name, kind, *_ in described]
        target = sql.Identifier(schema, table.name)
        with connection.transaction(), connection.cursor() as cursor:
            cursor.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
            existing = _existing_columns(cursor, schema, table.name)
            if [(n, _canonical(k)) for n, k in existing] == [
                (n, _canonical(k)) for n, k in columns
            ]:
                cursor.execute(sql.SQL("truncate table {}").format(target))
            else:
                cursor.execute(sql.SQL("drop table if exists {} cascade").format(target))
                cursor.execute(
                    sql.SQL("create table {} ({})").format(
                        target,
                        sql.SQL(", ").join(
                            sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(kind))
                            for name, kind in columns
                        ),
                    )
                )
            copy = sql.SQL("copy {} from stdin (format csv)").format(target)
            rows = reader.sql(f"select * from {table.location}").to_arrow_reader(BATCH_ROWS)
            with cursor.copy(copy) as stream:
                for chunk in _csv_batches(rows):
                    stream.write(chunk)
            cursor.execute(sql.SQL("analyze {}").format(target))
            cursor.execute(sql.SQL("select count(*) from {}").format(target))
            (rows,) = cursor.fetchone()
    return rows


def load_raw(
    conninfo: str,
    schema: str = RAW_SCHEMA,
    project_dir: Path = DBT_PROJECT_DIR,
    say: Callable[[str], None] = lambda _: None,
) -> dict[str, int]:
    """Load every source table into ``schema``; returns the rows loaded per table."""
    loaded = {}
    with psycopg.connect(conninfo) as connection:
        for table in source_tables(project_dir):
            loaded[table.name] = load_table(connection, table, schema)
            say(f"{schema}.{table.name}: {loaded[table.name]} rows")
    return loaded
