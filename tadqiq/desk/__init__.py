"""The audit desk: what audit cells, inspectors and collectivities record by name.

An operational store apart from the analytic warehouse (the published DuckDB snapshot stays
read-only), and the domain services every writer (forms, command line) goes through:

* ``db``: the store's URL (SQLite in WAL mode under ``data/desk/`` by default,
  ``TADQIQ_DESK_URL`` for PostgreSQL), engine, sessions, and the Alembic migrations
  (``alembic.ini``, ``migrations/``) run on first use;
* ``models``: the tables (SQLAlchemy 2): cells and members, IC self-assessments, missions,
  findings, recommendations, follow-up steps and their evidence files, the append-only events;
* ``guard``: the write path — scope and role checks (refusals logged through
  ``tadqiq.access.log``), one event per change, client tokens (a double submit writes once),
  version checks (a concurrent edit is never overwritten);
* ``checks`` and ``errors``: what a form sends, checked; each failure a message in French or
  Arabic naming the field (``DeskError``), nothing written;
* ``evidence``: evidence files checked by content and size, stored by sha256;
* ``missions``, ``follow_up``, ``cells``: the services (lifecycles and their transitions);
* ``queries``: the scoped reads of the forms;
* ``export``: the desk's rows as the audit sources' files, into the inbox, under the same
  contracts (``ingestion.contracts``) as the files;
* ``reference``: each collectivity's region and parent commune (``ingestion.reference``).

No Streamlit and no Dagster here (docs/audit_desk.md).
"""
