"""The operational store: where it is, its engine, its migrations, its sessions.

SQLite in WAL mode at ``$TADQIQ_DATA_DIR/desk/desk.sqlite`` by default (no server: ``make
demo``), PostgreSQL in production: ``TADQIQ_DESK_URL`` (a SQLAlchemy URL, e.g.
``postgresql+psycopg://tadqiq@db.interieur.gov.ma/desk``) overrides it. The schema is the
Alembic migrations under ``tadqiq/desk/migrations``, run on first use (``open_store``) or by
``tadqiq desk upgrade``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.orm import Session, sessionmaker

from tadqiq.access import log as access_log

URL_ENV = "TADQIQ_DESK_URL"
HERE = Path(__file__).resolve().parent
SQLITE_BUSY_MS = 10_000  # a writer waits this long for another one before giving up
PG_MIGRATION_LOCK = 0x7A6471  # an advisory lock id: one migration at a time on a server


def data_dir() -> Path:
    return Path(os.environ.get(access_log.DATA_DIR_ENV) or access_log.DEFAULT_DATA_DIR)


def default_url() -> str:
    return f"sqlite:///{data_dir() / 'desk' / 'desk.sqlite'}"


def desk_url() -> str:
    """The store's SQLAlchemy URL, read from the environment at call time."""
    return os.environ.get(URL_ENV) or default_url()


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("pragma journal_mode=wal")
    cursor.execute("pragma foreign_keys=on")
    cursor.execute(f"pragma busy_timeout={SQLITE_BUSY_MS}")
    cursor.execute("pragma synchronous=normal")  # WAL: durable at checkpoints, never corrupt
    cursor.close()


def make_engine(url: str) -> sa.Engine:
    """An engine on ``url``; SQLite in WAL mode with foreign keys and a busy timeout."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        engine = sa.create_engine(url)
        sa.event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def alembic_config(connection: sa.Connection | None = None) -> Config:
    config = Config(str(HERE / "alembic.ini"))
    config.set_main_option("script_location", str(HERE / "migrations"))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: sa.Engine, revision: str = "head") -> str | None:
    """Run the migrations up to ``revision``; returns the revision the store is at.

    On PostgreSQL an advisory lock keeps two processes from migrating at once; on SQLite the
    first write of the migration takes the database's write lock.
    """
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                sa.text("select pg_advisory_xact_lock(:id)"), {"id": PG_MIGRATION_LOCK}
            )
        command.upgrade(alembic_config(connection), revision)
    return current_revision(engine)


def downgrade(engine: sa.Engine, revision: str = "base") -> None:
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


@dataclass(frozen=True)
class Store:
    """An engine on the operational store, migrated, and its session factory."""

    url: str
    engine: sa.Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


_stores: dict[str, Store] = {}
_lock = threading.Lock()


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    """The store at ``url`` (default: ``desk_url()``), migrated to the head on first use.

    One engine per URL and process; the migration runs once per process (a store already at
    the head costs one query).
    """
    url = url or desk_url()
    with _lock:
        store = _stores.get(url)
        if store is None:
            engine = make_engine(url)
            if migrate and current_revision(engine) != head_revision():
                upgrade(engine)
            store = Store(url, engine, sessionmaker(engine, expire_on_commit=False))
            _stores[url] = store
        return store


def forget_stores() -> None:
    """Dispose every engine (tests, and a process that changes ``TADQIQ_DESK_URL``)."""
    with _lock:
        for store in _stores.values():
            store.engine.dispose()
        _stores.clear()
