"""The append-only access log: who looked at and downloaded what, tamper-evident.

JSON Lines at ``$TADQIQ_DATA_DIR/access_log/access.jsonl``. Each record is one line of
canonical JSON (sorted keys, no spaces) carrying:

* ``seq``, its number (1, 2, …): a record removed anywhere, the first ones included, leaves a gap;
* ``prev_sha256``, the SHA-256 of the previous line's bytes (64 zeros for the first): editing,
  inserting or deleting a record breaks the chain;
* ``mac``, an HMAC-SHA256 of the record under a key that evolves at every record
  (``key[n+1] = SHA-256(label || key[n])``, the old key overwritten): whoever reads the
  current key — the dashboard's own OS user included — can write records from now on, but
  cannot recompute the MACs of earlier ones, so rewriting the past is detected by a verifier
  holding the first key (``verify.key``, written once when the log is created, to be moved to
  the ministry's auditors and off the machine). This is forward-secure sealing (Bellare & Yee,
  2003; the scheme of systemd-journald's FSS), with the one-way function as key update.

The first record of a file is ``log_opened``. After every append the head (sequence number
and hash) is anchored outside the file: in ``$TADQIQ_ACCESS_ANCHOR_DIR`` (by default
``data/access_log_anchor``; in production a folder on another volume the dashboard can only
append to) and in the system log (``syslog``, facility authpriv). A log cut short (its last
records removed) or deleted is then detected: its head is behind the anchor, and a new log
opened after a deletion says so in its ``log_opened`` record. ``docs/security.md`` has the
threat model.

The file is opened with ``O_APPEND`` and an exclusive ``flock`` while the previous line is
read and the new one written, so concurrent sessions and processes append whole, correctly
chained lines. No Streamlit here: the CLI, the data layer and the pages all write through
these functions.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import syslog
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tadqiq.access import AccessDenied, Role, Scope

DATA_DIR_ENV = "TADQIQ_DATA_DIR"
ANCHOR_DIR_ENV = "TADQIQ_ACCESS_ANCHOR_DIR"
KEY_LABEL = b"tadqiq access log key update"
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"
GENESIS = "0" * 64
TAIL_CHUNK = 8192

# actions
LOG_OPENED = "log_opened"
LOGIN = "login"
LOGOUT = "logout"
LOCKOUT = "lockout"
VIEW_COLLECTIVITY = "view_collectivity"
VIEW_ACCESS_LOG = "view_access_log"
VIEW_PAGE = "view_page"
DOWNLOAD = "download"

# what a read record adds to the core fields (``read_context``): the user's area, the page, its
# filters, the session and where the request came from
READ_FIELDS = ("area", "page", "filters", "session", "client", "forwarded_for")
FILTERS_KEPT = 20  # filters per record, each name and value capped

# outcomes
SUCCESS = "success"
FAILURE = "failure"
LOCKED = "locked"
ALLOWED = "allowed"
DENIED = "denied"


def log_path() -> Path:
    data = Path(os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR)
    return data / "access_log" / "access.jsonl"


def key_path() -> Path:
    """The current (evolving) MAC key: ``{"seq": n, "key": hex}``, the key of record ``n``."""
    return log_path().with_name("mac.key")


def verify_key_path() -> Path:
    """The first key, written once: the verifier's, to be moved off the machine."""
    return log_path().with_name("verify.key")


def anchor_path() -> Path:
    anchors = os.environ.get(ANCHOR_DIR_ENV)
    folder = Path(anchors) if anchors else log_path().parents[1] / "access_log_anchor"
    return folder / "head.jsonl"


def _evolve(key: bytes, steps: int = 1) -> bytes:
    for _ in range(steps):
        key = hashlib.sha256(KEY_LABEL + key).digest()
    return key


def _mac(key: bytes, record: dict[str, Any]) -> str:
    unsigned = {k: v for k, v in record.items() if k != "mac"}
    return hmac.new(key, _canonical(unsigned), hashlib.sha256).hexdigest()


def _write_private(path: Path, data: bytes, mode: int = 0o600) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, mode)
    tmp.replace(path)


def _key_for(seq: int) -> bytes:
    """The key of record ``seq``, from the stored current key; the stored one moves past it."""
    stored = json.loads(key_path().read_text(encoding="utf-8"))
    if seq < stored["seq"]:
        raise RuntimeError("the access log's key is ahead of the log: it was tampered with")
    key = _evolve(bytes.fromhex(stored["key"]), seq - stored["seq"])
    after = json.dumps({"seq": seq + 1, "key": _evolve(key).hex()}).encode()
    _write_private(key_path(), after)  # the key of `seq` exists nowhere once this is written
    return key


def _new_keys() -> None:
    first = secrets.token_bytes(32)
    _write_private(verify_key_path(), json.dumps({"seq": 1, "key": first.hex()}).encode(), 0o400)
    _write_private(key_path(), json.dumps({"seq": 1, "key": first.hex()}).encode())


def last_anchor() -> dict[str, Any] | None:
    """The latest head anchored outside the log (None when nothing was ever anchored)."""
    path = anchor_path()
    if not path.exists():
        return None
    last = None
    with path.open("rb") as handle:
        for line in handle:
            with contextlib.suppress(ValueError):
                last = json.loads(line)
    return last


def _anchor(seq: int, sha: str) -> None:
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, _canonical({"seq": seq, "sha256": sha, "ts": _now()}) + b"\n")
    finally:
        os.close(fd)
    with contextlib.suppress(OSError):  # no system logger (a container): the file anchor stays
        syslog.openlog("tadqiq", 0, syslog.LOG_AUTHPRIV)
        syslog.syslog(syslog.LOG_INFO, f"access log head seq={seq} sha256={sha}")


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
    context: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Append one record to the chain (after a ``log_opened`` one, if the log is new).

    ``context`` adds the fields of ``READ_FIELDS`` (a page read: page, filters, area, session,
    client address), capped like the rest; another name is refused."""
    extra = read_context(context or {})
    path = log_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        previous = _last_line(fd)
        if previous is None:
            previous = _open_log(fd)
        return _write_record(
            fd,
            previous,
            {
                "user": _capped(user, 128),
                "role": role,
                "action": action,
                "collectivity_code": _capped(collectivity_code, 64),
                "outcome": outcome,
                "detail": _capped(detail, 512),
                **extra,
            },
        )
    finally:
        os.close(fd)  # closing releases the lock


def _capped(value: str | None, limit: int) -> str | None:
    """What a request carried, as much of it as a record keeps (a URL can hold megabytes)."""
    if value is None or len(value) <= limit:
        return value
    return value[: limit - 1] + "…"


def read_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """The fields ``context`` adds to a record: only ``READ_FIELDS``, strings capped, the
    filters as at most ``FILTERS_KEPT`` name → text pairs (a URL or a widget can carry
    anything)."""
    unknown = set(context) - set(READ_FIELDS)
    if unknown:
        raise ValueError(f"not a field of a read record: {', '.join(sorted(unknown))}")
    fields: dict[str, Any] = {}
    for name in READ_FIELDS:
        if name not in context:
            continue
        value = context[name]
        if name == "filters":
            items = sorted((str(k), v) for k, v in dict(value or {}).items())[:FILTERS_KEPT]
            fields[name] = {
                _capped(k, 40): None if v is None else _capped(str(v), 128) for k, v in items
            }
        else:
            fields[name] = None if value is None else _capped(str(value), 128)
    return fields


def _write_record(fd: int, previous: bytes | None, fields: dict[str, Any]) -> dict[str, Any]:
    seq = 1 if previous is None else int(json.loads(previous).get("seq", 0)) + 1
    record = {
        "ts": _now(),
        **fields,
        "seq": seq,
        "prev_sha256": GENESIS if previous is None else _sha256(previous),
    }
    record["mac"] = _mac(_key_for(seq), record)
    line = _canonical(record)
    os.write(fd, line + b"\n")
    os.fsync(fd)
    _anchor(seq, _sha256(line))
    return record


def _open_log(fd: int) -> bytes:
    """Start a new log with its ``log_opened`` record (and new keys); returns that line.

    If the anchor shows an earlier log, this one replaces a log that was deleted: the record
    says what the anchor last saw, so the deletion stays visible.
    """
    _new_keys()
    anchored = last_anchor()
    detail = (
        "nouveau journal"
        if anchored is None
        else f"journal précédent disparu : dernier enregistrement ancré n° {anchored['seq']}, "
        f"sha256 {anchored['sha256']}"
    )
    record = _write_record(
        fd,
        None,
        {"user": None, "role": None, "action": LOG_OPENED, "collectivity_code": None,
         "outcome": SUCCESS if anchored is None else FAILURE, "detail": detail},
    )  # fmt: skip
    return _canonical(record)


def log_event(
    scope: Scope,
    action: str,
    outcome: str,
    collectivity_code: str | None = None,
    detail: str | None = None,
    context: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A record on behalf of an authenticated user."""
    return append(
        user=scope.user_id,
        role=str(scope.role),
        action=action,
        outcome=outcome,
        collectivity_code=collectivity_code,
        detail=detail,
        context=context,
    )


def log_read(
    scope: Scope,
    page: str,
    filters: Mapping[str, Any],
    *,
    session: str,
    client: str | None,
    forwarded_for: str | None = None,
    action: str = VIEW_PAGE,
    outcome: str = ALLOWED,
    collectivity_code: str | None = None,
    detail: str | None = None,
) -> dict[str, Any]:
    """A page read (or an attempt on a page outside the user's navigation, ``denied``): who,
    which page and filters, which scope (role and area), which session, from where."""
    context = {
        "area": scope.area,
        "page": page,
        "filters": dict(filters),
        "session": session,
        "client": client,
        "forwarded_for": forwarded_for,
    }
    return log_event(scope, action, outcome, collectivity_code, detail, context=context)


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
    head_sha256: str = GENESIS  # hash of the last line (also anchored outside the log)
    macs_checked: bool = False  # True when verified with the first key (verify.key)


def _lines(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        for line in handle:
            yield line.rstrip(b"\n")


def verify_chain(path: Path | None = None, verify_key: Path | None = None) -> ChainStatus:
    """Check the log: chain, numbering, its first record, its head against the anchor, and —
    given the first key — every record's MAC.

    Reasons: ``invalid_json``, ``hash_mismatch``, ``seq_gap``, ``not_opened`` (the first
    record is not ``log_opened``), ``mac_mismatch``, ``truncated`` (the anchor saw more
    records than the file holds), ``missing`` (no file, but the anchor saw one),
    ``reopened`` (the log says an earlier log disappeared).
    """
    path = path or log_path()
    anchored = last_anchor() if path == log_path() else None
    if not path.exists():
        if anchored is not None:
            return ChainStatus(False, 0, 1, "missing")
        return ChainStatus(ok=True, records=0)
    key = None
    if verify_key is not None:
        key = bytes.fromhex(json.loads(verify_key.read_text(encoding="utf-8"))["key"])
    expected = GENESIS
    count = 0
    for number, line in enumerate(_lines(path), start=1):
        try:
            record = json.loads(line)
        except ValueError:
            return ChainStatus(False, count, number, "invalid_json")
        if not isinstance(record, dict) or record.get("prev_sha256") != expected:
            return ChainStatus(False, count, number, "hash_mismatch")
        if record.get("seq") != number:
            return ChainStatus(False, count, number, "seq_gap")
        if number == 1 and record.get("action") != LOG_OPENED:
            return ChainStatus(False, count, number, "not_opened")
        if number == 1 and record.get("outcome") == FAILURE:
            return ChainStatus(False, count, number, "reopened")
        if key is not None:
            if not hmac.compare_digest(str(record.get("mac")), _mac(key, record)):
                return ChainStatus(False, count, number, "mac_mismatch")
            key = _evolve(key)
        expected = _sha256(line)
        count += 1
    if anchored is not None and (
        anchored["seq"] > count or (anchored["seq"] == count and anchored["sha256"] != expected)
    ):
        return ChainStatus(False, count, count + 1, "truncated", expected)
    return ChainStatus(ok=True, records=count, head_sha256=expected, macs_checked=key is not None)


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
