"""The Comptes page (AppTest), in French and Arabic: the ministry's administrator lists,
creates, disables, enables and resets named accounts through the functions of ``tadqiq
accounts``; each password shown once is checked by signing in with it; every action is in
the access log, never a password; any other role is refused and logged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dashboard_fixtures import build_warehouse
from streamlit.testing.v1 import AppTest

from dashboards import auth
from tadqiq import warehouse as queries
from tadqiq.access import AccessDenied, Role, Scope, accounts
from tadqiq.access import log as access_log
from tadqiq.i18n import AR, FR

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "dashboards" / "app.py"
PAGE = "app_pages/accounts.py"
ADMIN = Scope(Role.MINISTRY, "ministere")
MOULAY = "06.181.05.01"


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    data = tmp_path / "data"
    monkeypatch.setenv("TADQIQ_DATA_DIR", str(data))
    monkeypatch.setenv(queries.DB_ENV, str(build_warehouse(tmp_path / "w.duckdb")))
    queries.clear_cache()
    accounts.THROTTLE.reset()
    yield data
    queries.clear_cache()
    accounts.THROTTLE.reset()


def page_as(scope: Scope, lang: str = "fr") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[auth.SESSION_KEY] = scope
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception
    return at


def fill(at: AppTest, user: str, role: str, area: str, labels: dict[str, str] = FR) -> AppTest:
    next(w for w in at.text_input if w.label == labels["accounts_field_user"]).set_value(user)
    roles = next(w for w in at.selectbox if w.label == labels["accounts_field_role"])
    roles.select_index(list(Role).index(Role(role)))  # formatted outside the run: by index
    next(w for w in at.text_input if w.label == labels["accounts_field_area"]).set_value(area)
    return click(at, labels["accounts_add"])


def records(data: Path) -> list[dict[str, Any]]:
    path = data / "access_log" / "access.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def actions(data: Path) -> list[tuple[str, str, str | None]]:
    """(action, outcome, detail) of the accounts' records, oldest first."""
    return [
        (r["action"], r["outcome"], r["detail"])
        for r in records(data)
        if r["action"].startswith(("account", "view_accounts"))
    ]


def signs_in(user: str, password: str) -> Scope | None:
    return accounts.login(user, password, client="test").scope


def test_the_administrator_creates_an_account_its_password_shown_once(data: Path) -> None:
    accounts.ensure_demo_accounts()
    at = page_as(ADMIN)
    assert at.title[0].value == FR["page_accounts"]
    assert FR["accounts_no_named"] in [c.value for c in at.caption]
    (demo_table,) = at.dataframe  # the demo accounts only, under their own heading
    demo = demo_table.value
    assert [h.value for h in at.subheader][:2] == [FR["accounts_named"], FR["accounts_demo"]]
    assert list(demo["user"]) == [user for user, _, _ in accounts.DEMO_ACCOUNTS]

    fill(at, "s.amrani", "focal_point", MOULAY)
    assert [s.value for s in at.success] == [
        "Compte s.amrani : son mot de passe, affiché cette seule fois. Transmettez-le à son "
        "titulaire par un canal sûr."
    ]
    (shown,) = [c.value for c in at.code]
    assert signs_in("s.amrani", shown) == Scope(Role.FOCAL_POINT, "s.amrani", MOULAY)
    named = at.dataframe[0].value
    assert named.to_dict("records") == [
        {"user": "s.amrani", "role": "Point focal de la collectivité", "area": MOULAY,
         "state": "actif"}
    ]  # fmt: skip
    at.run()  # the next run: the password is gone from the page and the session
    assert not at.code and accounts_password_gone(at)
    assert len(at.dataframe[1].value) == 8  # still apart
    assert actions(data) == [
        ("view_accounts", "allowed", "list"),
        ("account_add", "success", f"s.amrani; focal_point; {MOULAY}"),
    ]
    log_text = (data / "access_log" / "access.jsonl").read_text(encoding="utf-8")
    stored = (data / "auth" / "accounts.json").read_text(encoding="utf-8")
    assert shown not in log_text and shown not in stored


def accounts_password_gone(at: AppTest) -> bool:
    return "accounts_new_password" not in at.session_state


def test_bad_input_is_named_and_nothing_is_written(data: Path) -> None:
    accounts.ensure_demo_accounts()
    before = (data / "auth" / "accounts.json").read_bytes()
    at = page_as(ADMIN)
    cases = [
        ("S Amrani", "focal_point", MOULAY,
         "« Identifiant » « S Amrani » : de 2 à 64 caractères, lettres minuscules, chiffres et "
         ". _ @ -, en commençant par une lettre ou un chiffre."),
        ("ministere", "ministry", "", "« Identifiant » : le compte ministere existe déjà."),
        ("r.bennani", "region", "6",
         "« Périmètre » ne convient pas au rôle « Région » : un code de région à deux chiffres "
         "(06)."),
        ("m.igat", "inspector", "01,99",
         "« Périmètre » : 01,99 n'est ni une collectivité ni une région connue."),
        ("a.tazi", "collectivity", "06.181.99.99",
         "« Périmètre » : 06.181.99.99 n'est ni une collectivité ni une région connue."),
        ("k.alaoui", "data_team", "06",
         "« Périmètre » ne convient pas au rôle « Équipe données » : laissez-le vide."),
    ]  # fmt: skip
    for user, role, area, message in cases:
        fill(at, user, role, area)
        assert [e.value for e in at.error] == [message], user
        assert not at.code
    assert (data / "auth" / "accounts.json").read_bytes() == before
    assert [(a, o) for a, o, _ in actions(data)][1:] == [("account_add", "failure")] * 6


def test_disable_enable_and_reset_as_the_command_line_does(data: Path) -> None:
    _, first = accounts.add_account("y.fassi", Role.COLLECTIVITY, MOULAY)  # tadqiq accounts add
    accounts.add_account("a.admin", Role.MINISTRY, None)
    admin = Scope(Role.MINISTRY, "a.admin")
    at = page_as(admin)
    at.selectbox(key="accounts_user").set_value("y.fassi").run()
    click(at, FR["accounts_disable"])
    assert accounts.load_accounts()["y.fassi"].disabled
    assert signs_in("y.fassi", first) is None  # refused, as at the command line
    named = at.dataframe[0].value.set_index("user")
    assert named.loc["y.fassi", "state"] == "désactivé"
    click(at, FR["accounts_enable"])
    assert signs_in("y.fassi", first) == Scope(Role.COLLECTIVITY, "y.fassi", MOULAY)
    click(at, FR["accounts_reset"])
    (second,) = [c.value for c in at.code]
    assert second != first
    assert signs_in("y.fassi", first) is None
    assert signs_in("y.fassi", second) == Scope(Role.COLLECTIVITY, "y.fassi", MOULAY)
    # the administrator does not lock itself out
    at.selectbox(key="accounts_user").set_value("a.admin").run()
    click(at, FR["accounts_disable"])
    assert [e.value for e in at.error] == [FR["accounts_not_yourself"]]
    assert not accounts.load_accounts()["a.admin"].disabled
    assert actions(data) == [
        ("view_accounts", "allowed", "list"),
        ("account_disable", "success", "y.fassi"),
        ("account_enable", "success", "y.fassi"),
        ("account_reset", "success", "y.fassi"),
        ("account_disable", "failure", "a.admin; own account"),
    ]
    assert all(r["user"] == "a.admin" for r in records(data) if r["action"].startswith("acc"))


def test_the_page_in_arabic(data: Path) -> None:
    at = page_as(ADMIN, lang="ar")
    assert at.title[0].value == AR["page_accounts"]
    fill(at, "A", "region", "06", AR)
    assert [e.value for e in at.error] == [
        "«المعرِّف» «A»: من 2 إلى 64 حرفًا، حروف لاتينية صغيرة وأرقام و . _ @ -، يبدأ بحرف أو رقم."
    ]
    fill(at, "r.bennani", "region", "06", AR)
    assert [s.value for s in at.success] == [
        "الحساب r.bennani: كلمة مروره، معروضة هذه المرة فقط. أرسلها إلى صاحبها عبر قناة آمنة."
    ]
    (shown,) = [c.value for c in at.code]
    assert signs_in("r.bennani", shown) == Scope(Role.REGION, "r.bennani", "06")


@pytest.mark.parametrize(
    "scope",
    [
        Scope(Role.REGION, "r.bennani", "06"),
        Scope(Role.COLLECTIVITY, "a.tazi", MOULAY),
        Scope(Role.FOCAL_POINT, "s.amrani", MOULAY),
        Scope(Role.INSPECTOR, "m.igat", "national"),
        Scope(Role.DATA_TEAM, "equipe.donnees"),
    ],
    ids=lambda s: s.role.value,
)
def test_every_other_role_is_refused_and_logged(data: Path, scope: Scope) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[auth.SESSION_KEY] = scope
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)  # not in its navigation
    # the page itself, reached anyway (its file run directly): refused before anything is read
    accounts.add_account("y.fassi", Role.COLLECTIVITY, MOULAY)
    direct = AppTest.from_file(REPO / "dashboards" / PAGE, default_timeout=60)
    direct.session_state[auth.SESSION_KEY] = scope
    direct.run()
    assert FR["denied_accounts_ministry_only"] in direct.exception[0].message
    assert not direct.dataframe and not direct.button
    (record,) = [r for r in records(data) if r["outcome"] == access_log.DENIED]
    assert (record["user"], record["action"], record["detail"]) == (
        scope.user_id, "view_accounts", "accounts_ministry_only",
    )  # fmt: skip
    assert AccessDenied("accounts_ministry_only").label_key == "denied_accounts_ministry_only"


def test_a_click_acts_only_on_the_account_it_was_shown_for(data: Path) -> None:
    accounts.add_account("y.fassi", Role.COLLECTIVITY, MOULAY)
    at = page_as(ADMIN)
    # meanwhile another administrator's edit of the file: y.fassi gone, k.alaoui there
    other, _ = accounts.add_account("k.alaoui", Role.REGION, "06")
    accounts.write_accounts([other])
    click(at, FR["accounts_reset"])  # the button of y.fassi's form
    assert accounts.load_accounts() == {"k.alaoui": other}  # k.alaoui's password unchanged
    assert not at.code and not at.success
    assert [a for a, _, _ in actions(data)] == ["view_accounts"]
