"""Local accounts (the embedded default): argon2 hashes, named users, demo accounts, login
with lockout.

The file ``$TADQIQ_DATA_DIR/auth/accounts.json`` is written by the command line (``tadqiq
accounts add|disable|enable|reset|list``; the demo accounts only by ``tadqiq demo`` or ``tadqiq
accounts demo``), with mode 0600, and never committed (``data/`` is ignored). It holds argon2id
hashes only. A disabled account cannot sign in. No Streamlit here: the CLI writes the file,
``dashboards.auth`` calls ``login``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tadqiq.access import Role, Scope
from tadqiq.access import log as access_log

BUSY = "busy"  # a login refused because too many password checks were running
MAX_FAILURES = 5
LOCKOUT_SECONDS = 5 * 60
PASSWORD_BYTES = 15  # token_urlsafe(15): 20 characters, 120 bits

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("tadqiq-no-such-user")


def accounts_path() -> Path:
    return access_log.log_path().parents[1] / "auth" / "accounts.json"


@dataclass(frozen=True)
class Account:
    user: str
    role: Role
    area: str | None
    password_hash: str
    disabled: bool = False
    demo: bool = False  # one of DEMO_ACCOUNTS, not a named person

    def scope(self) -> Scope:
        return Scope(self.role, self.user, self.area)


# user, role, area (region or collectivity code)
DEMO_ACCOUNTS: tuple[tuple[str, Role, str | None], ...] = (
    ("ministere", Role.MINISTRY, None),
    ("equipe.donnees", Role.DATA_TEAM, None),
    ("region.casablanca-settat", Role.REGION, "06"),
    ("region.beni-mellal-khenifra", Role.REGION, "05"),
    ("auditeur.casablanca", Role.COLLECTIVITY, "06.141.01.0"),
    ("auditeur.moulay-abdallah", Role.COLLECTIVITY, "06.181.05.01"),
    ("point-focal.moulay-abdallah", Role.FOCAL_POINT, "06.181.05.01"),
    ("inspecteur.igat", Role.INSPECTOR, "national"),
)
DEMO_USERS = frozenset(user for user, _, _ in DEMO_ACCOUNTS)
USER_NAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")


def load_accounts(path: Path | None = None) -> dict[str, Account]:
    """The accounts by user id; empty when the file does not exist."""
    path = path or accounts_path()
    if not path.is_file():
        return {}
    rows = json.loads(path.read_text(encoding="utf-8"))["accounts"]
    return {
        row["user"]: Account(
            row["user"],
            Role(row["role"]),
            row.get("area"),
            row["password_hash"],
            disabled=bool(row.get("disabled", False)),
            demo=bool(row.get("demo", row["user"] in DEMO_USERS)),
        )
        for row in rows
    }


def write_accounts(accounts: list[Account], path: Path | None = None) -> Path:
    """Write the file with mode 0600, atomically (a temporary file then a rename)."""
    path = path or accounts_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    payload = {
        "version": 1,
        "accounts": [
            {
                "user": a.user,
                "role": str(a.role),
                "area": a.area,
                "password_hash": a.password_hash,
                "disabled": a.disabled,
                "demo": a.demo,
            }
            for a in accounts
        ],
    }
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        json.dump(payload, handle, ensure_ascii=False, indent=2)
    os.replace(temporary, path)
    return path


def new_account(
    user: str, role: Role, area: str | None, password: str, *, demo: bool = False
) -> Account:
    Scope(role, user, area)  # validates the role and area
    return Account(user, role, area, _hasher.hash(password), demo=demo)


@dataclass(frozen=True)
class DemoAccounts:
    accounts: list[Account]
    passwords: dict[str, str]  # empty unless the file was created by this call
    path: Path


def ensure_demo_accounts(path: Path | None = None, *, reset: bool = False) -> DemoAccounts:
    """Create the demo accounts with random passwords unless they exist (or ``reset``: new
    passwords). Named accounts in the file are kept as they are."""
    path = path or accounts_path()
    with _file_locked(path):
        existing = load_accounts(path)
        if existing and not reset and any(a.demo for a in existing.values()):
            return DemoAccounts(list(existing.values()), {}, path)
        passwords = {user: secrets.token_urlsafe(PASSWORD_BYTES) for user, _, _ in DEMO_ACCOUNTS}
        demo = [
            new_account(user, role, area, passwords[user], demo=True)
            for user, role, area in DEMO_ACCOUNTS
        ]
        named = [a for a in existing.values() if not a.demo and a.user not in DEMO_USERS]
        accounts = demo + named
        write_accounts(accounts, path)
    return DemoAccounts(accounts, passwords, path)


class AccountError(ValueError):
    """A named-account change that cannot be made (unknown user, taken name, bad scope)."""


@contextlib.contextmanager
def _file_locked(path: Path) -> Iterator[None]:
    """One writer at a time (read, change, write): two commands never lose each other's change."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path.with_name(f".{path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _changed(path: Path | None, user: str, **changes: object) -> Account:
    path = path or accounts_path()
    with _file_locked(path):
        accounts = load_accounts(path)
        if user not in accounts:
            raise AccountError(f"no account {user!r}")
        accounts[user] = replace(accounts[user], **changes)  # type: ignore[arg-type]
        write_accounts(list(accounts.values()), path)
    return accounts[user]


def add_account(
    user: str, role: Role, area: str | None, path: Path | None = None
) -> tuple[Account, str]:
    """A named person's account with a random password (returned once, never stored)."""
    path = path or accounts_path()
    if not USER_NAME.match(user):
        raise AccountError(
            f"user name {user!r}: 2-64 characters, lower-case letters, digits and . _ @ -"
        )
    try:
        Scope(Role(role), user, area)
    except ValueError as error:
        raise AccountError(str(error)) from None
    password = secrets.token_urlsafe(PASSWORD_BYTES)
    account = new_account(user, Role(role), area, password)
    with _file_locked(path):
        accounts = load_accounts(path)
        if user in accounts or user in DEMO_USERS:
            raise AccountError(f"the account {user!r} exists already")
        write_accounts([*accounts.values(), account], path)
    return account, password


def set_disabled(user: str, disabled: bool = True, path: Path | None = None) -> Account:
    """Disable (or enable again) an account; a disabled account cannot sign in."""
    return _changed(path, user, disabled=disabled)


def reset_password(user: str, path: Path | None = None) -> tuple[Account, str]:
    """A new random password for one account (returned once)."""
    password = secrets.token_urlsafe(PASSWORD_BYTES)
    return _changed(path, user, password_hash=_hasher.hash(password)), password


class LoginBusyError(RuntimeError):
    """Too many password checks at once: the attempt is refused before any is made."""


@dataclass
class _Attempts:
    failures: int = 0
    last: float = 0.0
    locked_until: float | None = None


@dataclass
class LoginThrottle:
    """Lockout per (user name, client address), bounded in work and memory.

    * ``max_failures`` failures in a row from one client lock that user **for that client**
      for ``lockout_seconds``: someone guessing ``ministere`` from one address cannot lock
      the ministry out from its own.
    * At most ``max_concurrent_checks`` argon2 verifications run at once (each costs 64 MiB
      and tens of milliseconds); an attempt that cannot start within ``busy_seconds`` is
      refused as busy, without counting as a failure.
    * At most ``max_entries`` (user, client) pairs are remembered; entries idle for longer
      than the lockout and not locked are dropped first, then the oldest.

    Kept in the server process (shared by every session), so opening a new session does not
    reset it; a restart does. The clock is injectable for tests.
    """

    max_failures: int = MAX_FAILURES
    lockout_seconds: float = LOCKOUT_SECONDS
    clock: Callable[[], float] = time.monotonic
    max_entries: int = 10_000
    max_concurrent_checks: int = 2
    busy_seconds: float = 5.0
    _attempts: OrderedDict[tuple[str, str], _Attempts] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _checks: threading.BoundedSemaphore | None = None

    def __post_init__(self) -> None:
        self._checks = threading.BoundedSemaphore(self.max_concurrent_checks)

    def locked(self, user: str, client: str = "") -> bool:
        with self._lock:
            entry = self._attempts.get((user, client))
            if entry is None or entry.locked_until is None:
                return False
            if self.clock() < entry.locked_until:
                return True
            del self._attempts[(user, client)]
            return False

    def failure(self, user: str, client: str = "") -> bool:
        """Count a failure; True when it locks the user for this client."""
        with self._lock:
            now = self.clock()
            entry = self._attempts.pop((user, client), None) or _Attempts()
            entry.failures += 1
            entry.last = now
            if entry.failures >= self.max_failures:
                entry.locked_until = now + self.lockout_seconds
            self._attempts[(user, client)] = entry  # most recent last
            self._prune(now)
            return entry.locked_until is not None

    def success(self, user: str, client: str = "") -> None:
        with self._lock:
            self._attempts.pop((user, client), None)

    def _prune(self, now: float) -> None:
        idle = [
            key
            for key, entry in self._attempts.items()
            if entry.locked_until is None and now - entry.last > self.lockout_seconds
        ]
        for key in idle:
            del self._attempts[key]
        while len(self._attempts) > self.max_entries:
            self._attempts.popitem(last=False)

    def __len__(self) -> int:
        return len(self._attempts)

    @contextlib.contextmanager
    def checking(self) -> Iterator[None]:
        """One of the bounded password checks; LoginBusyError when none frees up in time."""
        assert self._checks is not None
        if not self._checks.acquire(timeout=self.busy_seconds):
            raise LoginBusyError("too many password checks at once")
        try:
            yield
        finally:
            self._checks.release()

    def reset(self) -> None:
        with self._lock:
            self._attempts.clear()


THROTTLE = LoginThrottle()


@dataclass(frozen=True)
class LoginResult:
    outcome: str  # access_log.SUCCESS, FAILURE or LOCKED
    scope: Scope | None = None


def _password_matches(account: Account | None, password: str) -> bool:
    try:
        # an unknown user costs the same argon2 verification as a known one
        _hasher.verify(account.password_hash if account else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return account is not None


def logged_name(user: str, account: Account | None) -> str:
    """The user name as the log may keep it: an account's name as is; anything else — often a
    password typed into the user field — only as a short fingerprint, never in clear."""
    if account is not None:
        return user
    return "inconnu:" + hashlib.sha256(user.encode()).hexdigest()[:12]


def login(
    user: str,
    password: str,
    path: Path | None = None,
    throttle: LoginThrottle = THROTTLE,
    client: str = "",
) -> LoginResult:
    """Check a local login, log it (success, failure, locked, lockout, busy) and return the
    scope. ``client`` is the address the attempt came from (the lockout is per user and
    client)."""
    user = user.strip()
    account = load_accounts(path).get(user)
    role = str(account.role) if account else None
    name = logged_name(user, account)
    where = f"client {client}" if client else None
    if throttle.locked(user, client):
        access_log.log_login(name, role, access_log.LOCKED, detail=where)
        return LoginResult(access_log.LOCKED)
    try:
        with throttle.checking():
            matches = _password_matches(account, password)
    except LoginBusyError:
        access_log.log_login(name, role, access_log.FAILURE, detail=f"busy; {where}")
        return LoginResult(BUSY)
    if matches and account is not None and account.disabled:
        access_log.log_login(name, role, access_log.FAILURE, detail=f"disabled; {where}")
        return LoginResult(access_log.FAILURE)
    if not matches or account is None:
        access_log.log_login(name, role, access_log.FAILURE, detail=where)
        if throttle.failure(user, client):
            access_log.append(
                user=name,
                role=role,
                action=access_log.LOCKOUT,
                outcome=access_log.LOCKED,
                detail=f"{throttle.max_failures} failures, {int(throttle.lockout_seconds)} s; "
                f"{where}",
            )
            return LoginResult(access_log.LOCKED)
        return LoginResult(access_log.FAILURE)
    throttle.success(user, client)
    access_log.log_login(user, role, access_log.SUCCESS, detail=f"local; {where}")
    return LoginResult(access_log.SUCCESS, account.scope())
