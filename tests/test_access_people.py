"""Named people and the roles of the audit desk (issue 12): the focal point and the inspectors
beside the cell's auditors, their scopes on the warehouse and on the desk, the OpenID Connect
claims that give them, and ``tadqiq accounts add|disable|enable|reset|list|demo``."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from tadqiq.access import (
    AUDITORS,
    DESK_WRITES,
    ROLE_PAGES,
    AccessDenied,
    Role,
    Scope,
    accounts,
    oidc,
)
from tadqiq.access import log as access_log

MOULAY = "06.181.05.01"


@pytest.mark.parametrize(
    ("role", "area", "problem"),
    [
        (Role.FOCAL_POINT, None, "needs a collectivity code"),
        (Role.FOCAL_POINT, "06", None),  # a region's council has a focal point too
        (Role.FOCAL_POINT, "6.181", "needs a collectivity code"),
        (Role.INSPECTOR, None, "'national' or region codes"),
        (Role.INSPECTOR, "national", None),
        (Role.INSPECTOR, "01,06", None),
        (Role.INSPECTOR, "01;06", "'national' or region codes"),
        (Role.INSPECTOR, "06.181.05.01", "'national' or region codes"),
    ],
)
def test_the_areas_of_the_new_roles(role: Role, area: str | None, problem: str | None) -> None:
    if problem is None:
        assert Scope(role, "u", area).area == area
    else:
        with pytest.raises(ValueError, match=problem):
            Scope(role, "u", area)


# dim_collectivities rows: code, region, parent commune
ROWS = [
    ("06", "06", None),  # Casablanca-Settat's regional council
    ("06.141.01.0", "06", None),  # Casablanca
    ("06.141.01.01", "06", "06.141.01.0"),  # Anfa, an arrondissement of Casablanca
    (MOULAY, "06", None),
    ("01.511.01.0", "01", None),  # Tanger
    ("05.091.01.01", "05", None),  # Béni Mellal
]


@pytest.mark.parametrize(
    ("scope", "covered"),
    [
        (Scope(Role.FOCAL_POINT, "fp", "06.141.01.0"), {"06.141.01.0", "06.141.01.01"}),
        (Scope(Role.FOCAL_POINT, "fp", MOULAY), {MOULAY}),
        (Scope(Role.INSPECTOR, "i", "national"), {code for code, _, _ in ROWS}),
        (Scope(Role.INSPECTOR, "i", "01,05"), {"01.511.01.0", "05.091.01.01"}),
        (Scope(Role.REGION, "r", "06"), {"06", "06.141.01.0", "06.141.01.01", MOULAY}),
        (Scope(Role.COLLECTIVITY, "a", "06.141.01.0"), {"06.141.01.0", "06.141.01.01"}),
        (Scope(Role.DATA_TEAM, "d"), set()),
    ],
    ids=lambda value: getattr(value, "area", None) or getattr(value, "role", ""),
)
def test_the_warehouse_condition_and_the_desk_check_cover_the_same_rows(
    scope: Scope, covered: set[str]
) -> None:
    with duckdb.connect() as con:
        con.execute(
            "create table dim (collectivity_code varchar, region_code varchar, "
            "parent_commune_code varchar)"
        )
        con.executemany("insert into dim values (?, ?, ?)", ROWS)
        condition, params = scope.sql_condition("c")
        rows = con.execute(f"select collectivity_code from dim as c where {condition}", params)
        assert {code for (code,) in rows.fetchall()} == covered
    assert {code for code, region, parent in ROWS if scope.covers(code, region, parent)} == covered


def test_who_may_write_what_in_the_desk() -> None:
    assert {Role.COLLECTIVITY, Role.REGION, Role.INSPECTOR} == AUDITORS
    assert DESK_WRITES["follow_up_declaration"] == {Role.FOCAL_POINT}
    assert Role.FOCAL_POINT not in DESK_WRITES["follow_up_verification"]
    assert all(Role.MINISTRY not in roles and Role.DATA_TEAM not in roles
               for roles in DESK_WRITES.values())  # fmt: skip
    assert ROLE_PAGES[Role.FOCAL_POINT] == (
        "desk_follow_up", "collectivity", "recommendations", "desk_ic",
    )  # fmt: skip
    assert "desk_cell" not in ROLE_PAGES[Role.FOCAL_POINT]
    assert "desk_missions" not in ROLE_PAGES[Role.FOCAL_POINT]
    assert not {"desk_missions", "desk_follow_up"} & set(ROLE_PAGES[Role.MINISTRY])
    assert "rollout" not in ROLE_PAGES[Role.INSPECTOR]


def test_openid_connect_gives_the_focal_point_and_inspector_roles() -> None:
    mapping = {"e5f6a7b8-point-focal": {"role": "focal_point", "scope": MOULAY}}
    assert oidc.scope_from_claims({"sub": "e5f6a7b8-point-focal"}, mapping) == Scope(
        Role.FOCAL_POINT, "e5f6a7b8-point-focal", MOULAY
    )
    claims = {"sub": "igf-1", "tadqiq_role": "inspector", "tadqiq_scope": "01,06"}
    assert oidc.scope_from_claims(claims, {}) == Scope(Role.INSPECTOR, "igf-1", "01,06")
    with pytest.raises(AccessDenied) as refused:  # an inspector needs its area
        oidc.scope_from_claims({"sub": "igf-2", "tadqiq_role": "inspector"}, {})
    assert refused.value.reason == "no_role"


# --- tadqiq accounts ---------------------------------------------------------------------


def _lines(out: str) -> list[list[str]]:
    return [line.split()[1:] for line in out.splitlines() if line.startswith("[tadqiq]   ")]


def test_named_accounts_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from orchestration import cli

    monkeypatch.setenv("TADQIQ_DATA_DIR", str(tmp_path))
    path = tmp_path / "auth" / "accounts.json"
    cli.main(["accounts", "add", "s.amrani", "--role", "focal_point", "--area", MOULAY])
    out = capsys.readouterr().out
    password = out.split("shown only now:\n[tadqiq]   ")[1].split()[0]
    assert len(password) == 20 and password not in path.read_text(encoding="utf-8")
    assert path.stat().st_mode & 0o777 == 0o600
    cli.main(["accounts", "add", "m.igat", "--role", "inspector", "--area", "national"])
    capsys.readouterr()
    assert not any(a.demo for a in accounts.load_accounts(path).values())  # no demo accounts

    result = accounts.login("s.amrani", password, path, client="10.0.0.7")
    assert result.scope == Scope(Role.FOCAL_POINT, "s.amrani", MOULAY)

    cli.main(["accounts", "disable", "s.amrani"])
    assert _lines(capsys.readouterr().out) == [
        ["s.amrani", "focal_point", MOULAY, "disabled"],
        ["m.igat", "inspector", "national"],
    ]
    assert accounts.login("s.amrani", password, path, client="10.0.0.7").scope is None
    (record,) = access_log.read_records(Scope(Role.MINISTRY, "m"))[-1:]
    assert (record["user"], record["outcome"], record["detail"]) == (
        "s.amrani", "failure", "disabled; client 10.0.0.7",
    )  # fmt: skip

    cli.main(["accounts", "enable", "s.amrani"])
    cli.main(["accounts", "reset", "s.amrani"])
    out = capsys.readouterr().out
    new_password = out.split("shown only now:\n[tadqiq]   ")[1].split()[0]
    assert accounts.login("s.amrani", password, path).scope is None
    assert accounts.login("s.amrani", new_password, path).scope is not None

    for argv, problem in (
        (["accounts", "add", "s.amrani", "--role", "focal_point", "--area", MOULAY], "exists"),
        (["accounts", "add", "x.y", "--role", "focal_point"], "needs a collectivity code"),
        (["accounts", "add", "ministere", "--role", "ministry"], "exists already"),  # demo name
        (["accounts", "add", "A B", "--role", "ministry"], "lower-case"),
        (["accounts", "disable", "personne"], "no account"),
    ):
        with pytest.raises(SystemExit) as refused:
            cli.main(argv)
        assert refused.value.code == 2
        assert problem in capsys.readouterr().out
    assert set(accounts.load_accounts(path)) == {"s.amrani", "m.igat"}


def test_demo_accounts_come_only_from_the_demo_and_keep_named_people(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from orchestration import cli

    monkeypatch.setenv("TADQIQ_DATA_DIR", str(tmp_path))
    path = tmp_path / "auth" / "accounts.json"
    cli.main(["accounts"])  # listing creates nothing
    assert "no accounts" in capsys.readouterr().out and not path.exists()
    cli.main(["accounts", "add", "s.amrani", "--role", "focal_point", "--area", MOULAY])
    cli.main(["accounts", "demo"])
    cli.main(["accounts", "demo", "--reset"])
    capsys.readouterr()
    found = accounts.load_accounts(path)
    assert {user for user, account in found.items() if account.demo} == set(accounts.DEMO_USERS)
    assert not found["s.amrani"].demo and len(found) == len(accounts.DEMO_USERS) + 1
    stored = json.loads(path.read_text(encoding="utf-8"))["accounts"]
    assert {row["user"]: row["demo"] for row in stored}["point-focal.moulay-abdallah"] is True
