"""Alembic's environment for the audit desk: the connection handed over by
``tadqiq.desk.db.upgrade``, or (the ``alembic`` command by hand) an engine on ``desk_url()``."""

from __future__ import annotations

from alembic import context

from tadqiq.desk.db import desk_url, make_engine
from tadqiq.desk.models import Base

target_metadata = Base.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite's ALTER is limited
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    with make_engine(desk_url()).begin() as own:
        _run(own)
