"""The append-only access log: who looked at and downloaded what, hash-chained.

JSON Lines at ``$TADQIQ_DATA_DIR/access_log/access.jsonl``. Each record is one line of
canonical JSON (sorted keys, no spaces) carrying ``prev_sha256``, the SHA-256 of the previous
line's bytes (64 zeros for the first), so editing, inserting or deleting a record breaks the
chain and ``verify_chain`` finds where. The file is opened with ``O_APPEND`` and an exclusive
``flock`` while the previous line is read and the new one written, so concurrent sessions and
processes append whole, correctly chained lines.

No Streamlit here: the CLI, the data layer and the pages all write through these functions.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tadqiq.access import AccessDenied, Role, Scope

DATA_DIR_ENV = "TADQIQ_DATA_DIR"
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"
GENESIS = "0" * 64
TAIL_CHUNK = 8192

# actions
LOGIN = "login"
LOGOUT = "logout"
LOCKOUT = "lockout"
VIEW_COLLECTIVITY = "view_collectivity"
VIEW_ACCESS_LOG = "view_access_log"
DOWNLOAD = "download"

# outcomes
SUCCESS = "success"
FAILURE = "failure"
LOCKED = "locked"
ALLOWED = "allowed"
DENIED = "denied"


def log_path() -> Path:
    data = Path(os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR)
    return data / "access_log" / "access.jsonl"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _sha256(line: bytes) -> str:
    return hashlib.sha256(line).hexdigest()


def _canonical(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _last_line(fd: int) -> bytes | None:
    """The last complete line of the file open as ``fd`` (without its newline)."""
    size = os.lseek(fd, 0, os.SEEK_END)
    if size == 0:
        return None
    chunk = TAIL_CHUNK
    while True:
        start = max(size - chunk, 0)
        tail = os.pread(fd, size - start, start).rstrip(b"\n")
        cut = tail.rfind(b"\n")
        if cut >= 0 or start == 0:
            return tail[cut + 1 :]
        chunk *= 2


def append(
    *,
    user: str | None,
    role: str | None,
    action: str,
    outcome: str,
    collectivity_code: str | None = None,
    detail: str | None = None,
) -> dict[str, Any]:
    """Append one record to the chain and return it."""
    path = log_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        previous = _last_line(fd)
        record = {
            "ts": _now(),
            "user": user,
            "role": role,
            "action": action,
            "collectivity_code": collectivity_code,
            "outcome": outcome,
            "detail": detail,
            "prev_sha256": GENESIS if previous is None else _sha256(previous),
        }
        os.write(fd, _canonical(record) + b"\n")
        os.fsync(fd)
        return record
    finally:
        os.close(fd)  # closing releases the lock


def log_event(
    scope: Scope,
    action: str,
    outcome: str,
    collectivity_code: str | None = None,
    detail: str | None = None,
) -> dict[str, Any]:
    """A record on behalf of an authenticated user."""
    return append(
        user=scope.user_id,
        role=str(scope.role),
        action=action,
        outcome=outcome,
        collectivity_code=collectivity_code,
        detail=detail,
    )


def log_denied(
    scope: Scope, action: str, denial: AccessDenied, detail: str | None = None
) -> dict[str, Any]:
    """A refusal; ``detail`` is the reason, then where the request came from if given."""
    reason = denial.reason if detail is None else f"{denial.reason}; {detail}"
    return log_event(scope, action, DENIED, denial.code, detail=reason)


def log_view(scope: Scope, collectivity_code: str, detail: str | None = None) -> dict[str, Any]:
    return log_event(scope, VIEW_COLLECTIVITY, ALLOWED, collectivity_code, detail)


def log_download(
    scope: Scope, collectivity_code: str | None, file_name: str, outcome: str = SUCCESS
) -> dict[str, Any]:
    """A download of ``file_name`` about ``collectivity_code`` (success, or denied)."""
    return log_event(scope, DOWNLOAD, outcome, collectivity_code, detail=file_name)


def log_login(
    user: str | None, role: str | None, outcome: str, detail: str | None = None
) -> dict[str, Any]:
    """A sign-in attempt; ``user`` is None when no identity could be trusted (OIDC: a
    rejected token, an unreachable provider)."""
    return append(user=user, role=role, action=LOGIN, outcome=outcome, detail=detail)


@dataclass(frozen=True)
class ChainStatus:
    ok: bool
    records: int
    broken_line: int | None = None  # 1-based line where the chain first breaks
    reason: str | None = None
    head_sha256: str = GENESIS  # hash of the last line: note it elsewhere to anchor the chain


def _lines(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        for line in handle:
            yield line.rstrip(b"\n")


def verify_chain(path: Path | None = None) -> ChainStatus:
    """Check every record's ``prev_sha256`` against the line before it."""
    path = path or log_path()
    if not path.exists():
        return ChainStatus(ok=True, records=0)
    expected = GENESIS
    count = 0
    for number, line in enumerate(_lines(path), start=1):
        try:
            record = json.loads(line)
        except ValueError:
            return ChainStatus(False, count, number, "invalid_json")
        if not isinstance(record, dict) or record.get("prev_sha256") != expected:
            return ChainStatus(False, count, number, "hash_mismatch")
        expected = _sha256(line)
        count += 1
    return ChainStatus(ok=True, records=count, head_sha256=expected)


def read_records(scope: Scope, path: Path | None = None) -> list[dict[str, Any]]:
    """Every record, oldest first; the log is the ministry's only."""
    if scope.role is not Role.MINISTRY:
        denial = AccessDenied("ministry_only")
        log_denied(scope, VIEW_ACCESS_LOG, denial)
        raise denial
    path = path or log_path()
    if not path.exists():
        return []
    records = []
    for line in _lines(path):
        try:
            records.append(json.loads(line))
        except ValueError:
            continue  # verify_chain reports it
    return records
