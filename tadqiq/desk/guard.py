"""What every write of the desk goes through: the scope, the event, idempotency, versions.

* ``authorize``: the role may make this kind of write (``DESK_WRITES``) and the collectivity
  is in the scope; otherwise ``AccessDenied``, logged in the access log as ``desk_write``
  with the entity and action in ``detail``;
* ``deny``: the same refusal and record for a forged field or a status the role may not give;
* ``run_write``: one transaction per submit. A submit carries a client token (the form's, one
  per form display): the event it creates keeps it (unique), so the same token again returns
  the first outcome and writes nothing — a double click, or a retry after a lost answer;
* ``check_version``: the version the user read must still be the row's; SQLAlchemy's version
  column repeats the check in the ``update`` itself, so a concurrent commit between the two is
  caught too (``VersionConflict``, nothing overwritten);
* ``record``: the event row — who, when, entity, id, action, before, after.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from tadqiq.access import DESK_WRITES, AccessDenied, Scope
from tadqiq.access import log as access_log
from tadqiq.desk import reference
from tadqiq.desk.db import Store
from tadqiq.desk.errors import DeskError, VersionConflict
from tadqiq.desk.models import Base, Event, Sequence

WRITE = "desk_write"  # the access-log action of a refused write
READ = "desk_read"  # … of a refused read (a record asked for by id outside the scope)
MOROCCO = ZoneInfo("Africa/Casablanca")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")

T = TypeVar("T", bound=Base)


def now() -> datetime:
    """The time of a write (UTC). Tests replace it."""
    return datetime.now(UTC)


def utc(moment: datetime) -> datetime:
    """A stored time as UTC (SQLite gives back the UTC time it was given, without its zone)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def today() -> date:
    """The day of a write in Morocco: the date of a declaration or a verification."""
    return now().astimezone(MOROCCO).date()


# --- refusals -------------------------------------------------------------------------------


def deny(
    scope: Scope, reason: str, code: str | None, detail: str, action: str = WRITE
) -> AccessDenied:
    """A logged refusal (the caller raises it)."""
    denial = AccessDenied(reason, code)
    access_log.log_denied(scope, action, denial, detail)
    return denial


def authorize(
    scope: Scope, write: str, code: str, detail: str, role_reason: str = "desk_role"
) -> None:
    """Raise (logged) unless the scope's role may make ``write`` about collectivity ``code``."""
    if scope.role not in DESK_WRITES[write]:
        raise deny(scope, role_reason, code, detail)
    if not reference.covers(scope, code):
        raise deny(scope, "out_of_scope", code, detail)


def load(
    session: Session, scope: Scope, model: type[T], row_id: object, detail: str, action: str = WRITE
) -> T:
    """The row ``row_id`` of ``model`` if it is in the scope; otherwise a logged refusal that
    says the same for a row that does not exist and one of another collectivity."""
    row = None
    if isinstance(row_id, int) and not isinstance(row_id, bool):
        row = session.get(model, row_id, with_for_update=action == WRITE)
    code = getattr(row, "collectivity_code", None)
    if row is None or code is None or not reference.covers(scope, code):
        raise deny(scope, "desk_record", code, f"{detail}:{row_id!r}", action)
    return row


def forged(scope: Scope, code: str | None, detail: str) -> AccessDenied:
    """A field the form does not offer, or a value it never gives this user."""
    return deny(scope, "forged_field", code, detail)


# --- values ---------------------------------------------------------------------------------


def plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def snapshot(row: Base, *extra: str) -> dict[str, Any]:
    """The row's columns (and ``extra`` attributes) as JSON values, for an event."""
    values = {c.key: plain(getattr(row, c.key)) for c in sa.inspect(row).mapper.column_attrs}
    values.pop("updated_at", None)
    return values | {name: plain(getattr(row, name)) for name in extra}


def next_number(session: Session, name: str) -> int:
    """The next value of a counter (one writer at a time: the update takes the row's lock)."""
    updated = session.execute(
        sa.update(Sequence)
        .where(Sequence.name == name)
        .values(value=Sequence.value + 1)
        .returning(Sequence.value)
    ).scalar()
    if updated is not None:
        return int(updated)
    session.add(Sequence(name=name, value=1))
    session.flush()  # two first numbers at once: the second fails on the key and is retried
    return 1


# --- the write ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    entity: str
    entity_id: int
    reference: str | None
    version: int | None
    event_id: int
    replayed: bool = False  # the same token was submitted before: nothing was written now


def touch(row: Any, scope: Scope) -> None:
    """Who changed the row, and when; the row is saved (and its version moves on) even when
    nothing else of it changed (a progress declared again, at the same second)."""
    row.updated_at = now()
    row.updated_by = scope.user_id
    flag_modified(row, "updated_at")


def check_version(row: Any, expected: object, entity: str) -> None:
    if not isinstance(expected, int) or isinstance(expected, bool) or row.version != expected:
        raise VersionConflict(
            "desk_version_conflict",
            labels={"entity": f"desk_entity_{entity}"},
            user=row.updated_by,
            when=utc(row.updated_at).astimezone(MOROCCO),
        )


def record(
    session: Session,
    scope: Scope,
    *,
    entity: str,
    row: Any,
    action: str,
    before: dict[str, Any] | None,
    token: str | None,
    extra: dict[str, Any] | None = None,
    code: str | None = None,
) -> Outcome:
    """Flush the change (the version check runs here), then append its event: ``after`` is
    the row as saved (and ``extra``: what the change carried beside the row)."""
    session.flush()
    after = snapshot(row) | (extra or {})
    event = Event(
        at=now(),
        user_id=scope.user_id,
        role=str(scope.role),
        entity=entity,
        entity_id=row.id,
        action=action,
        collectivity_code=code or row.collectivity_code,
        before=before,
        after=after,
        client_token=token,
    )
    session.add(event)
    session.flush()
    return Outcome(entity, row.id, getattr(row, "reference", None), after.get("version"), event.id)


def _replay(session: Session, scope: Scope, token: str) -> Outcome | None:
    event = session.scalars(sa.select(Event).where(Event.client_token == token)).first()
    if event is None:
        return None
    if event.user_id != scope.user_id:
        raise DeskError("desk_token_reused")
    after = event.after or {}
    return Outcome(
        event.entity,
        event.entity_id,
        after.get("reference"),
        after.get("version"),
        event.id,
        replayed=True,
    )


def checked_token(token: object) -> str | None:
    if token is None:
        return None
    if not isinstance(token, str) or not TOKEN.match(token):
        raise DeskError("desk_token_invalid")
    return token


def run_write(
    store: Store,
    scope: Scope,
    token: object,
    work: Callable[[Session, str | None], Outcome],
    conflict: Callable[[Session], Any] | None = None,
    entity: str = "record",
) -> Outcome:
    """Run ``work`` in one transaction, once per token.

    A version check failing at the ``update`` (someone committed in between) and a token
    already used by a concurrent submit both end in a rollback; then the first submit's
    outcome is returned if it had this token, else ``VersionConflict`` (``conflict`` reloads
    the row to say who changed it).
    """
    token = checked_token(token)
    with store.session() as session:
        if token and (replay := _replay(session, scope, token)):
            return replay
        try:
            outcome = work(session, token)
            session.commit()
            return outcome
        except (IntegrityError, StaleDataError) as error:
            session.rollback()
            if token and (replay := _replay(session, scope, token)):
                return replay
            if isinstance(error, StaleDataError):
                row = conflict(session) if conflict else None
                if row is not None:
                    check_version(row, -1, entity)  # says who saved it, and when
                raise VersionConflict(
                    "desk_version_conflict_unknown", labels={"entity": f"desk_entity_{entity}"}
                ) from None
            raise
        except BaseException:
            session.rollback()
            raise
