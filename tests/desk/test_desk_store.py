"""The audit desk's store, on SQLite and on PostgreSQL: migrations up from an empty database,
the models and the migrations agree, down and up again, WAL on SQLite, the append-only tables
and the database's own checks."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from desk_fixtures import AUDITOR, open_mission
from sqlalchemy.exc import DBAPIError, IntegrityError

from tadqiq.desk import db
from tadqiq.desk.models import Base

TABLES = {
    "alembic_version",
    "audit_cells",
    "cell_members",
    "events",
    "evidence_files",
    "findings",
    "follow_ups",
    "ic_answers",
    "ic_assessments",
    "missions",
    "recommendations",
    "sequences",
}


def test_migrations_up_from_empty_down_and_up_again(store_url: str) -> None:
    engine = db.make_engine(store_url)
    try:
        assert db.current_revision(engine) is None
        assert set(sa.inspect(engine).get_table_names()) == set()
        assert db.upgrade(engine) == db.head_revision() == "0001"
        assert set(sa.inspect(engine).get_table_names()) == TABLES
        with engine.connect() as connection:  # the models are what the migrations built
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
        db.downgrade(engine)
        assert set(sa.inspect(engine).get_table_names()) == {"alembic_version"}
        assert db.current_revision(engine) is None
        assert db.upgrade(engine) == "0001"
        assert set(sa.inspect(engine).get_table_names()) == TABLES
    finally:
        engine.dispose()


def test_open_store_migrates_on_first_use_once(store_url: str) -> None:
    opened = db.open_store(store_url)
    try:
        assert db.current_revision(opened.engine) == "0001"
        assert db.open_store(store_url) is opened  # one engine per URL, no second migration
    finally:
        db.forget_stores()


def test_sqlite_is_in_wal_mode_with_foreign_keys(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TADQIQ_DATA_DIR", str(tmp_path))
    monkeypatch.delenv(db.URL_ENV, raising=False)
    assert db.desk_url() == f"sqlite:///{tmp_path / 'desk' / 'desk.sqlite'}"
    opened = db.open_store()
    try:
        with opened.engine.connect() as connection:
            assert connection.exec_driver_sql("pragma journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("pragma foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("pragma busy_timeout").scalar() == 10_000
        assert (tmp_path / "desk" / "desk.sqlite").is_file()
    finally:
        db.forget_stores()
    monkeypatch.setenv(db.URL_ENV, "postgresql+psycopg://tadqiq@db.example/desk")
    assert db.desk_url() == "postgresql+psycopg://tadqiq@db.example/desk"


def test_events_and_follow_ups_are_append_only(store: db.Store) -> None:
    open_mission(store)
    for statement in (
        "update events set user_id = 'quelqu.un' where id = 1",
        "delete from events where id = 1",
    ):
        with store.engine.connect() as connection, pytest.raises(DBAPIError) as refused:
            connection.exec_driver_sql(statement)
        assert "events is append-only" in str(refused.value)
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("select user_id from events").scalars().all() == [
            AUDITOR.user_id
        ]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("status", "'terminee'"),  # not a status of the missions contract
        ("planned_end", "'2025-02-28'"),  # before the planned start, 01/03/2025
        ("auditor_body", "'CRC'"),  # the courts of accounts do not use the desk
    ],
)
def test_the_database_checks_a_write_that_skips_the_services(
    store: db.Store, column: str, value: str
) -> None:
    open_mission(store)
    with store.engine.connect() as connection, pytest.raises(IntegrityError):
        connection.exec_driver_sql(f"update missions set {column} = {value} where id = 1")
    with store.session() as session:
        row = session.execute(sa.text("select status, planned_end from missions")).one()
    assert tuple(row) in {("planifiee", date(2025, 4, 15)), ("planifiee", "2025-04-15")}
