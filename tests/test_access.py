"""Need-to-know access: every attempt to cross a scope is refused, shown and logged.

Expected values are counted by hand from the fixture warehouse (tests/dashboard_fixtures.py):
region 01 holds 4 codes, region 05 one, region 06 eight, and Casablanca (06.141.01.0) has the
two arrondissements 06.141.01.3 (Anfa) and 06.141.01.5 (Maârif).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dashboard_fixtures import build_warehouse
from streamlit.testing.v1 import AppTest
from test_quality_page import add_ingest_schema

from dashboards import auth, downloads
from tadqiq import warehouse as queries
from tadqiq.access import AccessDenied, Role, Scope, accounts
from tadqiq.access import log as access_log
from tadqiq.i18n import AR

APP = Path(__file__).resolve().parents[1] / "dashboards" / "app.py"
NATIONAL = "app_pages/national.py"
COLLECTIVITY = "app_pages/collectivity.py"
ACCESS_LOG = "app_pages/access_log.py"
QUALITY = "app_pages/quality.py"

MINISTRY = Scope(Role.MINISTRY, "t.ministere")
REGION_06 = Scope(Role.REGION, "t.region06", "06")
REGION_01 = Scope(Role.REGION, "t.region01", "01")
REGION_05 = Scope(Role.REGION, "t.region05", "05")
CASABLANCA = Scope(Role.COLLECTIVITY, "t.casablanca", "06.141.01.0")
MOULAY_ABDALLAH = Scope(Role.COLLECTIVITY, "t.moulay", "06.181.05.01")
DATA_TEAM = Scope(Role.DATA_TEAM, "t.donnees")

OUT_OF_SCOPE = "n'est pas dans votre périmètre"
NO_RISK_DATA = "l'équipe données n'a pas accès aux données de risque"
LOGGED = "Cette tentative est enregistrée dans le journal des accès."

REGION_06_CODES = {
    "06",
    "06.141",
    "06.181",
    "06.141.01.0",
    "06.181.01.1",
    "06.181.05.01",
    "06.141.01.3",
    "06.141.01.5",
}
REGION_01_CODES = {"01", "01.511", "01.511.01.0", "01.511.05.1"}
CASABLANCA_CODES = {"06.141.01.0", "06.141.01.3", "06.141.01.5"}


# --- fixtures and helpers ----------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_accounts(tmp_path_factory: pytest.TempPathFactory) -> accounts.DemoAccounts:
    """The demo accounts, hashed once for the module (argon2 is slow on purpose)."""
    return accounts.ensure_demo_accounts(tmp_path_factory.mktemp("auth") / "accounts.json")


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh data directory (access log, accounts) and fixture warehouse per test."""
    data = tmp_path / "data"
    monkeypatch.setenv(queries.DATA_DIR_ENV, str(data))
    warehouse = build_warehouse(tmp_path / "tadqiq_test.duckdb")
    add_ingest_schema(warehouse)  # the quality page reads the ingest manifest
    monkeypatch.setenv(queries.DB_ENV, str(warehouse))
    queries.clear_cache()
    accounts.THROTTLE.reset()
    yield data
    queries.clear_cache()
    accounts.THROTTLE.reset()


@pytest.fixture
def db() -> str:
    return queries.require_warehouse()


@pytest.fixture
def accounts_file(demo_accounts: accounts.DemoAccounts) -> Path:
    return accounts.write_accounts(demo_accounts.accounts)


def records() -> list[dict[str, Any]]:
    path = access_log.log_path()
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [r for r in map(json.loads, lines) if r["action"] != "log_opened"]  # the log's own


def assert_denial_logged(scope: Scope, code: str | None, action: str) -> dict[str, Any]:
    denials = [r for r in records() if r["outcome"] == access_log.DENIED]
    assert denials, "the refusal was not written to the access log"
    record = denials[-1]
    assert (record["user"], record["role"]) == (scope.user_id, str(scope.role))
    assert (record["collectivity_code"], record["action"]) == (code, action)
    return record


def app_as(scope: Scope | None, **query_params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if scope is not None:
        at.session_state[auth.SESSION_KEY] = scope
    at.query_params.update(query_params)
    at.run()
    assert not at.exception
    return at


def errors(at: AppTest) -> list[str]:
    return [error.value for error in at.error]


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def option_labels(at: AppTest, key: str) -> list[str]:
    return list(at.selectbox(key=key).options)


def submit_login(at: AppTest, user: str, password: str) -> AppTest:
    at.text_input(key=auth.USER_KEY).input(user)
    at.text_input(key=auth.PASSWORD_KEY).input(password)
    submit = next(b for b in at.button if b.label == "Se connecter")
    submit.click().run()
    assert not at.exception
    return at


# --- the scope rules in the data layer ---------------------------------------------------


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (MINISTRY, REGION_01_CODES | {"05"} | REGION_06_CODES),
        (REGION_06, REGION_06_CODES),
        (REGION_01, REGION_01_CODES),
        (REGION_05, {"05"}),
        (CASABLANCA, CASABLANCA_CODES),
        (MOULAY_ABDALLAH, {"06.181.05.01"}),
    ],
    ids=["ministry", "region06", "region01", "region05", "casablanca", "moulay_abdallah"],
)
def test_directory_is_exactly_the_scope(db: str, scope: Scope, expected: set[str]) -> None:
    assert set(queries.collectivities(db, scope).index) == expected


def test_scope_is_immutable_and_validated() -> None:
    with pytest.raises(AttributeError):
        REGION_06.area = "01"  # type: ignore[misc]
    for role, area in [
        (Role.REGION, None),
        (Role.REGION, "06.141"),
        (Role.COLLECTIVITY, None),
        (Role.COLLECTIVITY, "06' or 1=1 --"),
        (Role.MINISTRY, "06"),
        (Role.DATA_TEAM, "06"),
    ]:
        with pytest.raises(ValueError):
            Scope(role, "someone", area)
    with pytest.raises(ValueError):
        Scope(Role.MINISTRY, "")


def test_no_query_runs_without_a_scope(db: str) -> None:
    with pytest.raises(TypeError, match="without a Scope"):
        queries.core.query(db, None, "select 1")  # type: ignore[arg-type]


def test_region_user_asking_for_a_province_of_another_region(db: str) -> None:
    with pytest.raises(AccessDenied) as refused:
        queries.collectivity_scores(db, REGION_06, "01.511")
    assert OUT_OF_SCOPE in str(refused.value) and "01.511" in str(refused.value)
    assert assert_denial_logged(REGION_06, "01.511", "query:collectivity_scores")
    with pytest.raises(AccessDenied, match=OUT_OF_SCOPE):
        queries.collectivity_indicators(db, REGION_05, "06.141", 2024)
    assert_denial_logged(REGION_05, "06.141", "query:collectivity_indicators")


def test_collectivity_auditor_sees_its_arrondissements_only(db: str) -> None:
    assert len(queries.collectivity_scores(db, CASABLANCA, "06.141.01.3")) == 1
    for foreign in ("06.141", "06.181.01.1", "06", "01.511.01.0", "99.999.99.9"):
        with pytest.raises(AccessDenied, match=OUT_OF_SCOPE):
            queries.collectivity_domain_scores(db, CASABLANCA, foreign, 2024)
        assert_denial_logged(CASABLANCA, foreign, "query:collectivity_domain_scores")


def test_data_team_asking_for_risk_scores(db: str) -> None:
    for ask in (
        lambda: queries.level_scores(db, DATA_TEAM, 2024, "commune"),
        lambda: queries.fiscal_years(db, DATA_TEAM),
        lambda: queries.collectivities(db, DATA_TEAM),
    ):
        with pytest.raises(AccessDenied, match=NO_RISK_DATA):
            ask()
    with pytest.raises(AccessDenied, match=NO_RISK_DATA):
        queries.collectivity_scores(db, DATA_TEAM, "06.141.01.0")
    assert_denial_logged(DATA_TEAM, "06.141.01.0", "query:collectivity_scores")
    assert len([r for r in records() if r["user"] == DATA_TEAM.user_id]) == 4


def test_cached_result_is_never_shared_between_scopes(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[Scope] = []
    real_query = queries.core.query

    def counting(db: str, scope: Scope, sql: str, params: Any = ()) -> Any:
        ran.append(scope)
        return real_query(db, scope, sql, params)

    monkeypatch.setattr(queries.core, "query", counting)

    def communes(scope: Scope) -> set[str]:
        return set(queries.level_scores(db, scope, 2024, "commune")["collectivity_code"])

    assert communes(MINISTRY) == {"06.141.01.0", "01.511.01.0", "06.181.01.1", "01.511.05.1"}
    assert communes(REGION_06) == {"06.141.01.0", "06.181.01.1"}
    assert communes(REGION_01) == {"01.511.01.0", "01.511.05.1"}
    assert communes(CASABLANCA) == {"06.141.01.0"}
    assert ran == [MINISTRY, REGION_06, REGION_01, CASABLANCA]  # no cache hit across scopes
    assert communes(REGION_06) == {"06.141.01.0", "06.181.01.1"}
    assert ran == [MINISTRY, REGION_06, REGION_01, CASABLANCA]  # same scope: from the cache

    # a collectivity cached for the ministry is not served to a foreign region
    assert not queries.collectivity_scores(db, MINISTRY, "01.511.01.0").empty
    with pytest.raises(AccessDenied, match=OUT_OF_SCOPE):
        queries.collectivity_scores(db, REGION_06, "01.511.01.0")
    assert_denial_logged(REGION_06, "01.511.01.0", "query:collectivity_scores")


def test_map_boundaries_follow_the_scope(db: str) -> None:
    def ids(scope: Scope, level: str) -> set[str]:
        return {feature["id"] for feature in queries.boundaries(db, scope, level)["features"]}

    assert ids(MINISTRY, "region") == {"01", "06"}
    assert ids(REGION_06, "region") == {"06"}
    assert ids(REGION_06, "commune") == {"06.141.01.0"}
    assert ids(CASABLANCA, "arrondissement") == {"06.141.01.3"}
    assert ids(REGION_01, "arrondissement") == set()


# --- crossing attempts in the app --------------------------------------------------------


def test_unauthenticated_session_runs_no_query(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[str] = []
    monkeypatch.setattr(queries.core, "query", lambda *args, **kwargs: ran.append("query"))
    at = app_as(None, code="06.141.01.0")
    assert [title.value for title in at.title] == ["Connexion"]
    assert at.text_input(key=auth.USER_KEY) and at.text_input(key=auth.PASSWORD_KEY)
    assert not at.metric and not at.dataframe and not at.selectbox
    assert not at.get("plotly_chart")
    assert ran == []
    at.switch_page(NATIONAL).run()  # no navigation exists yet: still the login form only
    assert [title.value for title in at.title] == ["Connexion"]
    assert not at.metric and not at.dataframe and ran == []


def test_widget_options_hold_no_foreign_collectivity() -> None:
    at = app_as(REGION_06)
    at.switch_page(COLLECTIVITY).run()
    assert not at.exception
    assert option_labels(at, "collectivity_region") == ["Casablanca-Settat"]
    assert option_labels(at, "collectivity_code") == [
        "Casablanca-Settat · Région",
        "Casablanca · Préfecture",
        "Nouaceur · Province",
        "Bouskoura · Commune rurale",
        "Casablanca · Commune urbaine",
        "Moulay Abdallah · Commune rurale",
        "Anfa · Arrondissement",
        "Maârif · Arrondissement",
    ]
    at = app_as(CASABLANCA)
    assert option_labels(at, "collectivity_code") == [
        "Casablanca · Commune urbaine",
        "Anfa · Arrondissement",
        "Maârif · Arrondissement",
    ]


def test_foreign_code_forced_into_the_widget_state() -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[auth.SESSION_KEY] = CASABLANCA
    at.session_state["collectivity_code"] = "01.511.01.0"  # Tanger
    at.run()
    assert not at.exception
    assert any(OUT_OF_SCOPE in e and "01.511.01.0" in e and LOGGED in e for e in errors(at))
    record = assert_denial_logged(CASABLANCA, "01.511.01.0", access_log.VIEW_COLLECTIVITY)
    assert record["detail"] == "out_of_scope; widget"
    # the refused code is dropped: the auditor's own collectivity is shown instead
    assert at.selectbox(key="collectivity_code").value == "06.141.01.0"
    assert at.header[0].value.startswith("Casablanca")
    assert not any("Tanger" in header.value for header in at.header)


def test_foreign_code_in_the_query_parameter() -> None:
    at = app_as(REGION_06)
    at.query_params["code"] = "01.511.01.0"  # Tanger, region 01
    at.switch_page(COLLECTIVITY).run()
    assert not at.exception
    assert any(OUT_OF_SCOPE in e and "01.511.01.0" in e for e in errors(at))
    record = assert_denial_logged(REGION_06, "01.511.01.0", access_log.VIEW_COLLECTIVITY)
    assert record["detail"] == "out_of_scope; url"
    assert at.selectbox(key="collectivity_region").value == "06"
    assert not any("Tanger" in header.value for header in at.header)
    assert at.query_params["code"] != ["01.511.01.0"]


def test_region_user_province_of_another_region_by_url() -> None:
    at = app_as(REGION_06)
    at.query_params["code"] = "01.511"
    at.switch_page(COLLECTIVITY).run()
    assert any(OUT_OF_SCOPE in e and "01.511" in e for e in errors(at))
    assert_denial_logged(REGION_06, "01.511", access_log.VIEW_COLLECTIVITY)


def test_refusal_message_in_arabic() -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[auth.SESSION_KEY] = CASABLANCA
    at.session_state["lang"] = "ar"
    at.session_state["collectivity_code"] = "01.511.01.0"
    at.run()
    assert AR["denied_out_of_scope"].format(code="01.511.01.0") in errors(at)


def test_download_wrapper_refuses_a_foreign_code(db: str) -> None:
    built: list[str] = []

    def build() -> bytes:
        built.append("built")
        return b"code;score\n"

    with pytest.raises(AccessDenied) as refused:
        downloads.scoped_download_button(
            "Télécharger",
            db=db,
            scope=CASABLANCA,
            code="01.511.01.0",
            file_name="tanger.csv",
            build=build,
        )
    assert OUT_OF_SCOPE in str(refused.value)
    assert built == []  # refused before any data was built
    assert_denial_logged(CASABLANCA, "01.511.01.0", access_log.DOWNLOAD)

    with pytest.raises(AccessDenied, match=NO_RISK_DATA):
        downloads.deferred_build(db, DATA_TEAM, "06.141.01.0", "casa.csv", build)()
    assert built == []
    assert_denial_logged(DATA_TEAM, "06.141.01.0", access_log.DOWNLOAD)


def test_download_in_scope_is_logged(db: str) -> None:
    data = downloads.deferred_build(db, CASABLANCA, "06.141.01.3", "anfa.csv", lambda: b"x")()
    assert data == b"x"
    record = records()[-1]
    assert record["action"] == access_log.DOWNLOAD and record["outcome"] == access_log.SUCCESS
    assert (record["user"], record["collectivity_code"], record["detail"]) == (
        CASABLANCA.user_id,
        "06.141.01.3",
        "anfa.csv",
    )
    with pytest.raises(TypeError, match="never a path"):
        downloads.deferred_build(db, MINISTRY, "06", "w.duckdb", lambda: Path(db))()  # type: ignore[arg-type, return-value]


def test_region_user_national_page_shows_its_region_only() -> None:
    at = app_as(REGION_06)
    assert at.title[0].value == "Vue régionale — Casablanca-Settat"
    assert metrics(at)["Collectivités notées"] == "2"
    assert set(at.dataframe[0].value["collectivity_code"]) == {"06.141.01.0", "06.181.01.1"}
    figures = " ".join(chart.proto.spec for chart in at.get("plotly_chart"))
    assert "06.141.01.0" in figures
    assert "01.511" not in figures and "Tanger" not in figures
    at.radio(key="national_level").set_value("province").run()
    assert set(at.dataframe[0].value["collectivity_code"]) == {"06.141", "06.181"}


def test_collectivity_auditor_lands_on_its_collectivity() -> None:
    at = app_as(CASABLANCA)
    assert at.title[0].value == "Fiche collectivité"
    assert at.selectbox(key="collectivity_code").value == "06.141.01.0"
    assert metrics(at)["Score composite (0–100)"] == "82,5"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(NATIONAL)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(ACCESS_LOG)
    views = [r for r in records() if r["action"] == access_log.VIEW_COLLECTIVITY]
    assert [(r["user"], r["collectivity_code"], r["outcome"]) for r in views] == [
        (CASABLANCA.user_id, "06.141.01.0", access_log.ALLOWED)
    ]
    at.selectbox(key="collectivity_year").set_value(2023).run()  # same code: not logged again
    at.selectbox(key="collectivity_code").set_value("06.141.01.3").run()
    views = [r for r in records() if r["action"] == access_log.VIEW_COLLECTIVITY]
    assert [r["collectivity_code"] for r in views] == ["06.141.01.0", "06.141.01.3"]


def test_data_team_sees_only_the_quality_page() -> None:
    at = app_as(DATA_TEAM)
    assert at.title[0].value == "Qualité des données"
    # the ingest figures of the quality page only, no collectivity risk data
    assert all(metric.label.startswith(("Fichiers", "Lignes")) for metric in at.metric)
    risk_columns = {"composite_score", "risk_class", "inherent_risk", "national_rank"}
    assert not any(risk_columns & set(frame.value.columns) for frame in at.dataframe)
    for page in (NATIONAL, COLLECTIVITY, ACCESS_LOG):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


# --- authentication ----------------------------------------------------------------------


def test_real_login_form_then_logout(
    accounts_file: Path, demo_accounts: accounts.DemoAccounts
) -> None:
    at = app_as(None)
    submit_login(
        at, "region.casablanca-settat", demo_accounts.passwords["region.casablanca-settat"]
    )
    assert at.title[0].value == "Vue régionale — Casablanca-Settat"
    assert auth.PASSWORD_KEY not in at.session_state or not at.session_state[auth.PASSWORD_KEY]
    login = [r for r in records() if r["action"] == access_log.LOGIN][-1]
    assert (login["user"], login["role"], login["action"], login["outcome"]) == (
        "region.casablanca-settat",
        "region",
        access_log.LOGIN,
        access_log.SUCCESS,
    )
    at.button(key=auth.LOGOUT_KEY).click().run()
    assert not at.exception
    assert [title.value for title in at.title] == ["Connexion"]
    assert records()[-1]["action"] == access_log.LOGOUT


def test_collectivity_auditor_logs_in_to_its_page(
    accounts_file: Path, demo_accounts: accounts.DemoAccounts
) -> None:
    at = app_as(None)
    submit_login(
        at, "auditeur.moulay-abdallah", demo_accounts.passwords["auditeur.moulay-abdallah"]
    )
    assert at.title[0].value == "Fiche collectivité"
    assert at.selectbox(key="collectivity_code").value == "06.181.05.01"
    assert option_labels(at, "collectivity_code") == ["Moulay Abdallah · Commune rurale"]


def test_wrong_password_is_refused_and_logged(accounts_file: Path) -> None:
    at = app_as(None)
    submit_login(at, "ministere", "not-the-password")
    assert "Identifiant ou mot de passe incorrect." in errors(at)
    assert [title.value for title in at.title] == ["Connexion"]
    assert auth.SESSION_KEY not in at.session_state
    failure = records()[-1]
    assert (failure["user"], failure["action"], failure["outcome"]) == (
        "ministere",
        access_log.LOGIN,
        access_log.FAILURE,
    )
    submit_login(at, "nobody", "whatever")
    fingerprint = "inconnu:" + hashlib.sha256(b"nobody").hexdigest()[:12]  # never in clear
    assert records()[-1]["user"] == fingerprint and records()[-1]["role"] is None


def test_lockout_after_five_failures(
    accounts_file: Path, demo_accounts: accounts.DemoAccounts
) -> None:
    at = app_as(None)
    for _ in range(5):
        submit_login(at, "ministere", "guess")
    assert any("verrouillé pendant 5 minutes" in e for e in errors(at))
    submit_login(at, "ministere", demo_accounts.passwords["ministere"])  # right, but locked
    assert any("verrouillé" in e for e in errors(at))
    assert auth.SESSION_KEY not in at.session_state
    outcomes = [(r["action"], r["outcome"]) for r in records()]
    assert outcomes == [(access_log.LOGIN, access_log.FAILURE)] * 5 + [
        (access_log.LOCKOUT, access_log.LOCKED),
        (access_log.LOGIN, access_log.LOCKED),
    ]
    # another user is not locked
    submit_login(at, "equipe.donnees", demo_accounts.passwords["equipe.donnees"])
    assert at.title[0].value == "Qualité des données"


def test_lockout_expires(accounts_file: Path, demo_accounts: accounts.DemoAccounts) -> None:
    now = [1000.0]
    throttle = accounts.LoginThrottle(clock=lambda: now[0])
    password = demo_accounts.passwords["ministere"]
    for _ in range(5):
        assert accounts.login("ministere", "guess", throttle=throttle).scope is None
    assert accounts.login("ministere", password, throttle=throttle).outcome == access_log.LOCKED
    now[0] += accounts.LOCKOUT_SECONDS + 1
    result = accounts.login("ministere", password, throttle=throttle)
    assert result.outcome == access_log.SUCCESS and result.scope == Scope(
        Role.MINISTRY, "ministere"
    )


def test_oidc_configured_shows_only_the_identity_provider_button(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ran: list[str] = []
    monkeypatch.setattr(queries.core, "query", lambda *args, **kwargs: ran.append("query"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "<test>",
        "client_id": "<test>",
        "client_secret": "<test>",
        "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
    }
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Se connecter avec l'identité du ministère"]
    assert not at.text_input and ran == []


def test_oidc_claims_map_to_a_scope() -> None:
    """The user id is the provider's ``sub``; more cases in tests/test_oidc.py."""
    claims = {"sub": "u-1", "email": "a@interieur.gov.ma", "tadqiq_role": "region",
              "tadqiq_scope": "06"}  # fmt: skip
    assert auth.scope_from_claims(claims, {}) == Scope(Role.REGION, "u-1", "06")
    mapping = {"b@interieur.gov.ma": {"role": "collectivity", "scope": "06.141.01.0"}}
    verified = {"sub": "u-2", "email": "b@interieur.gov.ma", "email_verified": True}
    assert auth.scope_from_claims(verified, mapping) == Scope(
        Role.COLLECTIVITY, "u-2", "06.141.01.0"
    )
    for claims in (
        {"sub": "u-3", "email": "c@interieur.gov.ma"},
        {"sub": "u-3", "email": "c@interieur.gov.ma", "tadqiq_role": "admin"},
        {"sub": "u-3", "email": "c@interieur.gov.ma", "tadqiq_role": "region"},  # no area
        {"email": "c@interieur.gov.ma", "tadqiq_role": "ministry"},  # no subject
        {"sub": "u-2", "email": "b@interieur.gov.ma"},  # the email is not said to be verified
    ):
        with pytest.raises(AccessDenied, match="aucun rôle Tadqiq"):
            auth.scope_from_claims(claims, mapping)


# --- the access log and its page ---------------------------------------------------------


def test_log_records_are_chained_and_opened_for_append(monkeypatch: pytest.MonkeyPatch) -> None:
    flags: list[int] = []
    real_open = access_log.os.open

    def spy(path: Any, flag: int, *args: Any) -> int:
        if str(path).endswith("access.jsonl"):
            flags.append(flag)
        return real_open(path, flag, *args)

    monkeypatch.setattr(access_log.os, "open", spy)
    access_log.log_view(MINISTRY, "06")
    access_log.log_download(MINISTRY, "06", "r.pdf")
    assert flags and all(flag & access_log.os.O_APPEND for flag in flags)
    lines = access_log.log_path().read_bytes().splitlines()
    opened, first, second = (json.loads(line) for line in lines)
    assert (opened["action"], opened["seq"], opened["outcome"]) == ("log_opened", 1, "success")
    assert opened["prev_sha256"] == access_log.GENESIS
    assert (first["seq"], second["seq"]) == (2, 3)
    assert first["prev_sha256"] == hashlib.sha256(lines[0]).hexdigest()
    assert second["prev_sha256"] == hashlib.sha256(lines[1]).hexdigest()
    assert first["ts"].endswith("Z") and "T" in first["ts"]
    assert set(first) == {
        "ts", "user", "role", "action", "collectivity_code", "outcome", "detail",
        "seq", "prev_sha256", "mac",
    }  # fmt: skip
    assert access_log.log_path().stat().st_mode & 0o777 == 0o600
    assert access_log.verify_key_path().stat().st_mode & 0o777 == 0o400
    head = hashlib.sha256(lines[2]).hexdigest()
    assert access_log.verify_chain() == access_log.ChainStatus(ok=True, records=3, head_sha256=head)
    assert access_log.last_anchor()["seq"] == 3 and access_log.last_anchor()["sha256"] == head


def _mac_by_hand(key: bytes, record: dict[str, Any]) -> str:
    """HMAC-SHA256 of the record without its mac, in canonical JSON, computed here."""
    body = {k: v for k, v in record.items() if k != "mac"}
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def test_macs_follow_the_forward_secure_key_by_hand() -> None:
    for code in ("06", "06.141"):
        access_log.log_view(MINISTRY, code)
    first_key = bytes.fromhex(json.loads(access_log.verify_key_path().read_text())["key"])
    key = first_key
    for line in access_log.log_path().read_bytes().splitlines():
        record = json.loads(line)
        assert record["mac"] == _mac_by_hand(key, record)
        key = hashlib.sha256(b"tadqiq access log key update" + key).digest()
    stored = json.loads(access_log.key_path().read_text())
    assert stored == {"seq": 4, "key": key.hex()}  # only the next record's key is kept
    status = access_log.verify_chain(verify_key=access_log.verify_key_path())
    assert status.ok and status.macs_checked and status.records == 3


def test_a_rewrite_with_the_current_key_is_caught_by_the_first_key() -> None:
    """The dashboard's OS user can read the current key and rewrite the whole file with a
    consistent chain; the MACs of the past records still give it away."""
    for code in ("06", "06.141", "06.141.01.0"):
        access_log.log_view(REGION_06, code)
    path = access_log.log_path()
    records = [json.loads(line) for line in path.read_bytes().splitlines()]
    current = json.loads(access_log.key_path().read_text())
    stolen = bytes.fromhex(current["key"])  # the key of the next record, nothing older
    records[2]["collectivity_code"] = "01.511"  # what the attacker wants to hide
    previous = access_log.GENESIS
    lines = []
    for record in records:
        record["prev_sha256"] = previous
        record["mac"] = _mac_by_hand(stolen, record)
        line = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        lines.append(line)
        previous = hashlib.sha256(line.encode()).hexdigest()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert not access_log.verify_chain().ok  # its head no longer matches the anchor
    status = access_log.verify_chain(verify_key=access_log.verify_key_path())
    assert not status.ok and (status.broken_line, status.reason) == (1, "mac_mismatch")


def test_a_cut_or_a_deleted_log_is_detected() -> None:
    for code in ("06", "06.141", "06.141.01.0"):
        access_log.log_view(REGION_06, code)
    path = access_log.log_path()
    lines = path.read_bytes().splitlines()
    path.write_bytes(b"\n".join(lines[:-2]) + b"\n")  # the last two records cut
    status = access_log.verify_chain()
    assert (status.ok, status.reason, status.records) == (False, "truncated", 2)

    path.unlink()  # the whole file deleted
    assert access_log.verify_chain().reason == "missing"
    access_log.log_view(REGION_06, "06")  # the next record opens a new log, which says so
    opened = json.loads(path.read_bytes().splitlines()[0])
    assert opened["action"] == "log_opened" and opened["outcome"] == "failure"
    assert "n° 4" in opened["detail"]  # the anchor had seen four records
    assert access_log.verify_chain().reason == "reopened"


@pytest.mark.parametrize("tamper", ["edit", "delete", "insert", "garble", "first"])
def test_verify_chain_detects_tampering(tamper: str) -> None:
    for code in ("06", "06.141", "06.141.01.0", "06.141.01.3"):
        access_log.log_view(REGION_06, code)
    path = access_log.log_path()
    lines = path.read_text(encoding="utf-8").splitlines()
    if tamper == "edit":
        lines[1] = lines[1].replace("06", "01", 1)
    elif tamper == "delete":
        del lines[1]
    elif tamper == "insert":
        lines.insert(2, lines[1])
    elif tamper == "garble":
        lines[1] = lines[1][:-5]
    else:  # the first records removed and the chain restarted: numbering gives it away
        lines = lines[2:]
        record = json.loads(lines[0])
        record["prev_sha256"] = access_log.GENESIS
        lines[0] = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    status = access_log.verify_chain()
    assert not status.ok
    expected = {"edit": 3, "delete": 2, "insert": 3, "garble": 2, "first": 1}[tamper]
    assert status.broken_line == expected, status


def test_concurrent_appends_keep_the_chain() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda i: access_log.log_view(MINISTRY, f"{i % 12 + 1:02d}"), range(80)))
    status = access_log.verify_chain()
    assert status.ok and status.records == 81  # the 80 and the log_opened record


def test_access_log_page_for_the_ministry_only() -> None:
    at = app_as(REGION_06)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(ACCESS_LOG)
    with pytest.raises(AccessDenied, match="réservé au ministère"):
        access_log.read_records(REGION_06)
    assert_denial_logged(REGION_06, None, access_log.VIEW_ACCESS_LOG)
    with pytest.raises(AccessDenied):
        queries.collectivity_scores(queries.require_warehouse(), REGION_06, "01.511.01.0")

    at = app_as(MINISTRY)
    at.switch_page(ACCESS_LOG).run()
    assert not at.exception
    assert at.title[0].value == "Journal des accès"
    assert any("Chaîne d'empreintes intègre" in s.value for s in at.success)
    shown = at.dataframe[0].value
    assert {"t.region06", "t.ministere"} <= set(shown["user"])
    at.multiselect(key="log_outcomes").set_value([access_log.DENIED]).run()
    shown = at.dataframe[0].value
    assert set(shown["outcome"]) == {access_log.DENIED}
    assert set(shown["user"]) == {"t.region06"}
    at.text_input(key="log_code").input("01.511").run()
    assert list(at.dataframe[0].value["collectivity_code"]) == ["01.511.01.0"]


def test_access_log_page_shows_a_broken_chain() -> None:
    access_log.log_view(MINISTRY, "06")
    access_log.log_view(MINISTRY, "01")
    path = access_log.log_path()
    path.write_text(path.read_text(encoding="utf-8").replace('"06"', '"05"'), encoding="utf-8")
    at = app_as(MINISTRY)
    at.switch_page(ACCESS_LOG).run()
    assert any("Chaîne d'empreintes rompue à la ligne 3" in e for e in errors(at))  # 1: opened


def test_lockout_is_per_client_and_memory_is_bounded(
    accounts_file: Path, demo_accounts: accounts.DemoAccounts
) -> None:
    now = [1000.0]
    throttle = accounts.LoginThrottle(clock=lambda: now[0], max_entries=10)
    password = demo_accounts.passwords["ministere"]
    for _ in range(5):  # someone guesses from 203.0.113.7
        accounts.login("ministere", "guess", throttle=throttle, client="203.0.113.7")
    attacker = accounts.login("ministere", password, throttle=throttle, client="203.0.113.7")
    assert attacker.outcome == access_log.LOCKED
    ministry = accounts.login("ministere", password, throttle=throttle, client="10.1.2.3")
    assert ministry.outcome == access_log.SUCCESS  # the ministry's own address is not locked

    for n in range(30):  # a spray of made-up names from many addresses
        accounts.login(f"nobody{n}", "x", throttle=throttle, client=f"198.51.100.{n}")
    assert len(throttle) <= 10
    now[0] += accounts.LOCKOUT_SECONDS + 1
    accounts.login("nobody-last", "x", throttle=throttle, client="198.51.100.99")
    assert len(throttle) == 1  # idle counters are pruned


def test_password_checks_are_bounded(accounts_file: Path) -> None:
    import threading

    throttle = accounts.LoginThrottle(max_concurrent_checks=1, busy_seconds=0.2)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with throttle.checking():
            held.set()
            release.wait(5)

    worker = threading.Thread(target=hold)
    worker.start()
    held.wait(5)
    try:
        result = accounts.login("ministere", "guess", throttle=throttle, client="192.0.2.1")
        assert result.outcome == accounts.BUSY  # refused before any argon2 work
        assert len(throttle) == 0  # and not counted as a failure
    finally:
        release.set()
        worker.join()


def test_a_busy_refusal_says_so_not_a_wrong_password(
    accounts_file: Path, demo_accounts: accounts.DemoAccounts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every password check slot taken: the right password is refused as busy, with a message
    to retry (not "mot de passe incorrect", which would send the user to the helpdesk)."""
    import threading

    monkeypatch.setattr(accounts.THROTTLE, "busy_seconds", 0.2)
    held, release = threading.Semaphore(0), threading.Event()

    def hold() -> None:
        with accounts.THROTTLE.checking():
            held.release()
            release.wait(10)

    workers = [
        threading.Thread(target=hold) for _ in range(accounts.THROTTLE.max_concurrent_checks)
    ]
    for worker in workers:
        worker.start()
        assert held.acquire(timeout=5)
    try:
        at = app_as(None)
        submit_login(at, "ministere", demo_accounts.passwords["ministere"])
    finally:
        release.set()
        for worker in workers:
            worker.join()
    assert [w.value for w in at.warning] == [
        "Trop de connexions en même temps : réessayez dans quelques secondes."
    ]
    assert errors(at) == []
    assert auth.SESSION_KEY not in at.session_state
    assert (records()[-1]["outcome"], records()[-1]["detail"][:4]) == (access_log.FAILURE, "busy")
    submit_login(at, "ministere", demo_accounts.passwords["ministere"])  # the slots are free
    assert auth.SESSION_KEY in at.session_state


def test_a_password_typed_as_user_name_is_never_logged(accounts_file: Path) -> None:
    secret = "Tr0ub4dor&3-motdepasse"
    accounts.login(secret, "", client="192.0.2.1")
    text = access_log.log_path().read_text(encoding="utf-8")
    assert secret not in text
    (record,) = records()
    assert record["user"].startswith("inconnu:") and record["detail"] == "client 192.0.2.1"
