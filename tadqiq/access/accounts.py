"""Local accounts (the embedded default): argon2 hashes, demo accounts, login with lockout.

The file ``$TADQIQ_DATA_DIR/auth/accounts.json`` is generated (``tadqiq accounts``), written
with mode 0600 and never committed (``data/`` is ignored). It holds argon2id hashes only.
No Streamlit here: the CLI creates the file, ``dashboards.auth`` calls ``login``.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tadqiq.access import Role, Scope
from tadqiq.access import log as access_log

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
)


def load_accounts(path: Path | None = None) -> dict[str, Account]:
    """The accounts by user id; empty when the file does not exist."""
    path = path or accounts_path()
    if not path.is_file():
        return {}
    rows = json.loads(path.read_text(encoding="utf-8"))["accounts"]
    return {
        row["user"]: Account(row["user"], Role(row["role"]), row.get("area"), row["password_hash"])
        for row in rows
    }


def write_accounts(accounts: list[Account], path: Path | None = None) -> Path:
    """Write the file with mode 0600, atomically (a temporary file then a rename)."""
    path = path or accounts_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    payload = {
        "version": 1,
        "accounts": [
            {"user": a.user, "role": str(a.role), "area": a.area, "password_hash": a.password_hash}
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


def new_account(user: str, role: Role, area: str | None, password: str) -> Account:
    Scope(role, user, area)  # validates the role and area
    return Account(user, role, area, _hasher.hash(password))


@dataclass(frozen=True)
class DemoAccounts:
    accounts: list[Account]
    passwords: dict[str, str]  # empty unless the file was created by this call
    path: Path


def ensure_demo_accounts(path: Path | None = None, *, reset: bool = False) -> DemoAccounts:
    """Create the demo accounts with random passwords unless the file exists (or ``reset``)."""
    path = path or accounts_path()
    if path.is_file() and not reset:
        return DemoAccounts(list(load_accounts(path).values()), {}, path)
    passwords = {user: secrets.token_urlsafe(PASSWORD_BYTES) for user, _, _ in DEMO_ACCOUNTS}
    accounts = [
        new_account(user, role, area, passwords[user]) for user, role, area in DEMO_ACCOUNTS
    ]
    write_accounts(accounts, path)
    return DemoAccounts(accounts, passwords, path)


@dataclass
class LoginThrottle:
    """Per-user lockout: ``MAX_FAILURES`` failures in a row lock the user for a while.

    Kept in the server process (shared by every session), so opening a new session does not
    reset it; a restart does. The clock is injectable for tests.
    """

    max_failures: int = MAX_FAILURES
    lockout_seconds: float = LOCKOUT_SECONDS
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, int] = field(default_factory=dict)
    _locked_until: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def locked(self, user: str) -> bool:
        with self._lock:
            until = self._locked_until.get(user)
            if until is None:
                return False
            if self.clock() < until:
                return True
            del self._locked_until[user]
            self._failures.pop(user, None)
            return False

    def failure(self, user: str) -> bool:
        """Count a failure; True when it locks the user."""
        with self._lock:
            count = self._failures.get(user, 0) + 1
            self._failures[user] = count
            if count < self.max_failures:
                return False
            self._locked_until[user] = self.clock() + self.lockout_seconds
            return True

    def success(self, user: str) -> None:
        with self._lock:
            self._failures.pop(user, None)

    def reset(self) -> None:
        with self._lock:
            self._failures.clear()
            self._locked_until.clear()


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


def login(
    user: str, password: str, path: Path | None = None, throttle: LoginThrottle = THROTTLE
) -> LoginResult:
    """Check a local login, log it (success, failure, locked, lockout) and return the scope."""
    user = user.strip()
    account = load_accounts(path).get(user)
    role = str(account.role) if account else None
    if throttle.locked(user):
        access_log.log_login(user, role, access_log.LOCKED)
        return LoginResult(access_log.LOCKED)
    if not _password_matches(account, password) or account is None:
        access_log.log_login(user, role, access_log.FAILURE)
        if throttle.failure(user):
            access_log.append(
                user=user,
                role=role,
                action=access_log.LOCKOUT,
                outcome=access_log.LOCKED,
                detail=f"{throttle.max_failures} failures, {int(throttle.lockout_seconds)} s",
            )
            return LoginResult(access_log.LOCKED)
        return LoginResult(access_log.FAILURE)
    throttle.success(user)
    access_log.log_login(user, role, access_log.SUCCESS, detail="local")
    return LoginResult(access_log.SUCCESS, account.scope())
