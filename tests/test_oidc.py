"""The ministry's sign-in, end to end, against a real OpenID Connect provider on loopback.

``oidc-provider-mock`` (authlib's authorization server in Flask) runs in a thread on
127.0.0.1: clients must register (the dashboard's redirect URI is registered, as a ministry
identity team would), nonces are required, ID tokens are RS256-signed and checked by Streamlit
against the provider's JWKS. Streamlit serves the fixture warehouse with ``[auth]`` in a
temporary secrets file (``--secrets.files``) and ``TADQIQ_AUTH_MODE=oidc``; headless Chromium
clicks "Se connecter avec l'identité du ministère", follows the real redirect to the provider's
authorization form, types the subject there, and comes back through ``/oauth2callback``.

Who signs in (the subject typed at the provider → what must happen):

* a ministry user, a region user (06) and a collectivity auditor (06.141.01.0), with the
  ``tadqiq_role`` / ``tadqiq_scope`` claims → their role's pages, scope, and a ``login``
  ``success`` record whose user is the provider's ``sub``;
* a focal point, by the mapping file (``sub`` → ``focal_point`` on its commune, 06.181.05.01)
  → the focal point's pages (the audit desk, issue 12);
* the ministry user again after the provider changed their email → the same ``sub`` in the log;
* a user with no role claim and no mapping, and one who took the ministry user's email → "aucun
  rôle Tadqiq", logged under their own ``sub``;
* a user whose email the provider says is not verified (with a role claim, and an email the
  mapping file lists) → refused;
* an expired ID token (signed by the provider, ``exp`` an hour ago) and a tampered one (the
  payload changed on the way to claim the ministry role, the signature kept) → Streamlit drops
  them; the app says the sign-in was refused and the access log has the reason;

each refusal in French and Arabic. With the provider unreachable, the login button says so and
logs it, and no local login form appears. Missing or contradictory settings stop at an error.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import oidc_provider_mock
import pytest
import werkzeug.serving
from dashboard_fixtures import add_audit_marts, build_warehouse
from dashboard_server import free_port, running_dashboard
from streamlit.testing.v1 import AppTest
from test_quality_page import add_ingest_schema

from tadqiq.access import ROLE_PAGES, AccessDenied, Role, Scope, oidc, pages_for
from tadqiq.access import log as access_log
from tadqiq.access.oidc import AuthConfigError, AuthMode
from tadqiq.access.rules import PAGES
from tadqiq.i18n import AR, FR

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "dashboards" / "app.py"
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
               "--disable-sync"]  # fmt: skip
TIMEOUT_MS = 60_000

if not CHROMIUM.exists():
    pytest.skip("Debian's chromium (/usr/bin/chromium) is not installed", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")

NOW = int(time.time())
MINISTRY_EMAIL = "m.alaoui@interieur.gov.ma"
# the provider's users: sub → claims (as an identity team would map groups to claims)
USERS: dict[str, dict[str, Any]] = {
    "9b1f0c3e-ministere": {"email": MINISTRY_EMAIL, "email_verified": True,
                           "name": "M. Alaoui", "tadqiq_role": "ministry"},
    "4a77d2b1-region-06": {"email": "r.bennani@casablanca-settat.ma", "email_verified": True,
                           "tadqiq_role": "region", "tadqiq_scope": "06"},
    "c3d9e8f0-auditeur": {"email": "a.tazi@casablanca.ma", "email_verified": True,
                          "tadqiq_role": "collectivity", "tadqiq_scope": "06.141.01.0"},
    "e5f6a7b8-point-focal": {"email": "s.amrani@moulayabdallah.ma", "email_verified": True},
    "0d0e0f10-sans-role": {"email": "n.chraibi@interieur.gov.ma", "email_verified": True},
    "7e8f9a0b-usurpateur": {"email": MINISTRY_EMAIL, "email_verified": True},
    "1a2b3c4d-non-verifie": {"email": "k.idrissi@interieur.gov.ma", "email_verified": False,
                             "tadqiq_role": "ministry"},
    "5e6f7a8b-expire": {"email": "h.berrada@interieur.gov.ma", "email_verified": True,
                        "tadqiq_role": "ministry", "iat": NOW - 7200, "auth_time": NOW - 7200,
                        "exp": NOW - 3600},  # the provider signs a token that expired an hour ago
    "2c3d4e5f-altere": {"email": "y.fassi@moulayabdallah.ma", "email_verified": True,
                        "tadqiq_role": "collectivity", "tadqiq_scope": "06.181.05.01"},
}  # fmt: skip
TAMPERED = {"2c3d4e5f-altere"}
# the mapping file: the focal point by sub; an email entry the unverified user claims
MAPPING = {
    "users": {
        "e5f6a7b8-point-focal": {"role": "focal_point", "scope": "06.181.05.01"},
        "k.idrissi@interieur.gov.ma": {"role": "region", "scope": "06"},
    }
}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TamperIdTokens:
    """WSGI middleware on the provider: for the subjects in ``subjects``, the ID token of the
    token response gets a changed payload (the ministry role) and keeps its signature."""

    def __init__(self, app: Callable[..., Any], subjects: set[str]) -> None:
        self.app, self.subjects = app, subjects

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO") != "/oauth2/token":
            return self.app(environ, start_response)
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured.update(status=status, headers=headers)
            return lambda data: None

        body = b"".join(self.app(environ, capture))
        try:
            payload = json.loads(body)
            header, claims, signature = payload["id_token"].split(".")
            decoded = json.loads(_unb64(claims))
        except (ValueError, KeyError, TypeError):
            decoded = {}
        if decoded.get("sub") in self.subjects:
            decoded.update(tadqiq_role="ministry", tadqiq_scope="")
            payload["id_token"] = f"{header}.{_b64(json.dumps(decoded).encode())}.{signature}"
            body = json.dumps(payload).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(body)))])
        return [body]


@dataclass
class Provider:
    url: str

    def put_user(self, sub: str, claims: dict[str, Any]) -> None:
        request = urllib.request.Request(
            f"{self.url}/users/{urllib.parse.quote(sub, safe='')}",
            data=json.dumps(claims).encode(),
            headers={"Content-Type": "application/json"},
            method="PUT",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 204

    def register_client(self, redirect_uri: str) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{self.url}/oauth2/clients",
            data=json.dumps({"redirect_uris": [redirect_uri]}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    app = oidc_provider_mock.app(require_client_registration=True, require_nonce=True)
    app.wsgi_app = TamperIdTokens(app.wsgi_app, TAMPERED)  # type: ignore[method-assign]
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        running = Provider(f"http://127.0.0.1:{server.server_port}")
        for sub, claims in USERS.items():
            running.put_user(sub, claims)
        yield running
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


def toml_line(key: str, value: str) -> str:
    return f"{key} = {json.dumps(value)}"  # a JSON string is a TOML basic string


@dataclass
class Dashboard:
    url: str
    data: Path
    db: Path

    def records(self) -> list[dict[str, Any]]:
        path = self.data / "access_log" / "access.jsonl"
        if not path.exists():
            return []
        lines = path.read_text(encoding="utf-8").splitlines()
        return [r for r in map(json.loads, lines) if r["action"] != "log_opened"]


@pytest.fixture(scope="module")
def warehouse_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = build_warehouse(tmp_path_factory.mktemp("oidc_db") / "tadqiq.duckdb")
    add_ingest_schema(db)
    add_audit_marts(db)
    return db


def start_dashboard(
    base: Path, db: Path, metadata_url: str, register: Callable[[str], dict[str, Any]]
) -> Iterator[Dashboard]:
    """Streamlit in OIDC mode, ``[auth]`` against ``metadata_url``, in a temporary dir."""
    data = base / "data"
    (data / "auth").mkdir(parents=True)
    (data / "auth" / "oidc_roles.json").write_text(json.dumps(MAPPING), encoding="utf-8")
    port = free_port()
    redirect_uri = f"http://127.0.0.1:{port}/oauth2callback"
    client = register(redirect_uri)
    secrets_file = base / "secrets.toml"
    secrets_file.write_text(
        "\n".join([
            "[auth]",
            toml_line("redirect_uri", redirect_uri),
            toml_line("cookie_secret", secrets.token_urlsafe(32)),
            toml_line("client_id", client["client_id"]),
            toml_line("client_secret", client["client_secret"]),
            toml_line("server_metadata_url", metadata_url),
            'client_kwargs = { scope = "openid profile email", prompt = "login" }',
            "",
        ]),
        encoding="utf-8",
    )  # fmt: skip
    env = {**os.environ, "TADQIQ_DATA_DIR": str(data), "TADQIQ_DASHBOARD_DB": str(db),
           oidc.AUTH_MODE_ENV: "oidc"}  # fmt: skip
    extra = ("--secrets.files", str(secrets_file))
    with running_dashboard(env, base / "streamlit.log", *extra, port=port) as url:
        yield Dashboard(url, data, db)


@pytest.fixture(scope="module")
def dashboard(
    tmp_path_factory: pytest.TempPathFactory, provider: Provider, warehouse_db: Path
) -> Iterator[Dashboard]:
    yield from start_dashboard(
        tmp_path_factory.mktemp("oidc_app"),
        warehouse_db,
        f"{provider.url}/.well-known/openid-configuration",
        provider.register_client,
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
        )
        yield chromium
        chromium.close()


def open_login(browser: Any, app_url: str) -> Any:
    """A fresh browser (no cookie) on the dashboard's login page."""
    page = browser.new_context(viewport={"width": 1280, "height": 1400}).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(app_url)
    page.get_by_role("button", name=FR["login_oidc"]).wait_for()
    return page


def sign_in(browser: Any, dashboard: Dashboard, provider: Provider, sub: str) -> Any:
    """Through the real redirect: the app's button, the provider's form, the callback."""
    page = open_login(browser, dashboard.url)
    page.get_by_role("button", name=FR["login_oidc"]).click()
    page.wait_for_url(f"{provider.url}/oauth2/authorize**")
    page.locator('input[name="sub"]').fill(sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(
        lambda url: url.startswith(dashboard.url) and "oauth2callback" not in url,
        timeout=TIMEOUT_MS,
    )
    return page


def alert_text(page: Any, text: str) -> None:
    page.locator('[data-testid="stAlert"]').filter(has_text=text).first.wait_for()


def to_arabic(page: Any) -> None:
    page.locator('[data-testid="stSidebar"]').get_by_text("العربية").click()


def new_records(dashboard: Dashboard, before: int, wait_for: int = 1) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 10
    while len(records := dashboard.records()[before:]) < wait_for:
        assert time.monotonic() < deadline, f"no new access-log record: {records}"
        time.sleep(0.1)
    return records


# --- signing in ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sub", "role", "area", "landing"),
    [
        ("9b1f0c3e-ministere", Role.MINISTRY, None, FR["page_national"]),
        ("4a77d2b1-region-06", Role.REGION, "06", None),  # "Vue régionale — <region>"
        ("c3d9e8f0-auditeur", Role.COLLECTIVITY, "06.141.01.0", FR["page_collectivity"]),
        # the focal point, by the mapping file: its own role since issue 12
        (
            "e5f6a7b8-point-focal",
            Role.FOCAL_POINT,
            "06.181.05.01",
            FR[PAGES[ROLE_PAGES[Role.FOCAL_POINT][0]].title_key],
        ),
    ],
    ids=["ministry", "region", "collectivity_auditor", "focal_point"],
)
def test_a_user_lands_on_the_pages_of_their_role_with_their_scope(
    browser: Any,
    dashboard: Dashboard,
    provider: Provider,
    sub: str,
    role: Role,
    area: str | None,
    landing: str | None,
) -> None:
    before = len(dashboard.records())
    page = sign_in(browser, dashboard, provider, sub)
    if landing is None:
        with duckdb.connect(str(dashboard.db), read_only=True) as con:
            (region,) = con.execute(
                "select name_fr from marts.dim_collectivities where collectivity_code = ?", [area]
            ).fetchone()
        landing = FR["page_regional"].format(region=region)
    page.get_by_role("heading", name=landing).first.wait_for()
    sidebar = page.locator('[data-testid="stSidebar"]')
    scope = Scope(role, sub, area)
    sidebar.get_by_text(FR[f"scope_{role}"].format(area=area)).wait_for()
    email = USERS[sub]["email"]
    sidebar.get_by_text(FR["signed_in_as"].format(user=email, role=FR[f"role_{role}"])).wait_for()
    nav = page.locator('[data-testid="stSidebarNavLink"]')
    assert nav.count() == len(pages_for(role))
    for spec in pages_for(role):
        assert (
            page.locator('[data-testid="stSidebarNav"]')
            .get_by_text(FR[spec.title_key], exact=True)
            .count()
            == 1
        )
    assert page.locator('[data-testid="stException"]').count() == 0
    (login,) = [r for r in new_records(dashboard, before) if r["action"] == access_log.LOGIN]
    assert (login["user"], login["role"], login["outcome"], login["detail"]) == (
        scope.user_id,
        str(role),
        access_log.SUCCESS,
        f"oidc; email={email}",
    )
    page.context.close()


def test_the_log_keeps_the_subject_when_the_email_changes(
    browser: Any, dashboard: Dashboard, provider: Provider
) -> None:
    sub = "9b1f0c3e-ministere"
    provider.put_user(sub, {**USERS[sub], "email": "m.alaoui@mi.gov.ma"})
    try:
        before = len(dashboard.records())
        page = sign_in(browser, dashboard, provider, sub)
        page.get_by_role("heading", name=FR["page_national"]).first.wait_for()
        # the page view that follows the sign-in is logged too: take the login record
        (login,) = [r for r in new_records(dashboard, before) if r["action"] == "login"]
        assert (login["user"], login["role"], login["detail"]) == (
            sub,
            "ministry",
            "oidc; email=m.alaoui@mi.gov.ma",
        )
        page.context.close()
    finally:
        provider.put_user(sub, USERS[sub])


@pytest.mark.parametrize(
    ("sub", "label", "reason"),
    [
        ("0d0e0f10-sans-role", "denied_no_role", "no_role"),
        # took the ministry user's email: refused, and logged as itself, not as that email
        ("7e8f9a0b-usurpateur", "denied_no_role", "no_role"),
        # a ministry role claim, and an email the mapping file lists: not verified, refused
        ("1a2b3c4d-non-verifie", "denied_email_unverified", "email_unverified"),
    ],
    ids=["no_role_claim", "someone_elses_email", "email_not_verified"],
)
def test_an_identity_without_a_valid_role_is_refused_and_logged(
    browser: Any, dashboard: Dashboard, provider: Provider, sub: str, label: str, reason: str
) -> None:
    before = len(dashboard.records())
    page = sign_in(browser, dashboard, provider, sub)
    alert_text(page, FR[label])
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    to_arabic(page)
    alert_text(page, AR[label])
    page.get_by_role("button", name=AR["logout"]).wait_for()
    records = new_records(dashboard, before)
    assert [(r["user"], r["role"], r["action"], r["outcome"], r["detail"]) for r in records] == [
        (sub, None, access_log.LOGIN, access_log.FAILURE, f"oidc: {reason}")
    ]  # once, though the language switch ran the script again
    page.context.close()


@pytest.mark.parametrize(
    ("sub", "reason"),
    [("5e6f7a8b-expire", "expired_token"), ("2c3d4e5f-altere", "bad_signature")],
    ids=["expired_token", "tampered_token"],
)
def test_a_rejected_token_is_refused_with_a_message_and_logged(
    browser: Any, dashboard: Dashboard, provider: Provider, sub: str, reason: str
) -> None:
    before = len(dashboard.records())
    page = sign_in(browser, dashboard, provider, sub)
    alert_text(page, FR["login_oidc_refused"])
    assert "tadqiq_login" not in page.url  # read once, then dropped from the address
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    to_arabic(page)
    alert_text(page, AR["login_oidc_refused"])
    page.get_by_role("button", name=AR["login_oidc"]).wait_for()  # only the provider's button
    assert page.get_by_role("textbox").count() == 0
    records = new_records(dashboard, before)
    assert [(r["user"], r["role"], r["action"], r["outcome"]) for r in records] == [
        (None, None, access_log.LOGIN, access_log.FAILURE)
    ]
    assert records[0]["detail"] == f"oidc: token rejected ({reason})"
    assert all(r["user"] != sub for r in dashboard.records())
    page.context.close()


def test_the_access_log_chain_holds(dashboard: Dashboard) -> None:
    status = access_log.verify_chain(dashboard.data / "access_log" / "access.jsonl")
    assert status.ok and status.records > 0


# --- the provider unreachable ---------------------------------------------------------------


@pytest.fixture(scope="module")
def dashboard_without_provider(
    tmp_path_factory: pytest.TempPathFactory, warehouse_db: Path
) -> Iterator[Dashboard]:
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    yield from start_dashboard(
        tmp_path_factory.mktemp("oidc_down"),
        warehouse_db,
        f"{closed}/.well-known/openid-configuration",
        lambda redirect_uri: {"client_id": "tadqiq", "client_secret": "<unused>"},
    )


def test_an_unreachable_provider_fails_closed_with_a_message(
    browser: Any, dashboard_without_provider: Dashboard
) -> None:
    dashboard = dashboard_without_provider
    page = open_login(browser, dashboard.url)
    page.get_by_role("button", name=FR["login_oidc"]).click()
    alert_text(page, FR["login_oidc_unreachable"])
    assert page.url.startswith(dashboard.url)  # no redirect to a dead provider
    assert page.get_by_role("textbox").count() == 0  # never the local accounts' form
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    (record,) = new_records(dashboard, 0)
    assert (record["user"], record["action"], record["outcome"]) == (
        None, access_log.LOGIN, access_log.FAILURE
    )  # fmt: skip
    assert record["detail"].startswith("oidc: provider unreachable")
    to_arabic(page)
    page.get_by_role("button", name=AR["login_oidc"]).click()
    alert_text(page, AR["login_oidc_unreachable"])
    page.context.close()


# --- the mode and the rules, without a browser ----------------------------------------------

COMPLETE = {
    "redirect_uri": "https://tadqiq.example/oauth2callback",
    "cookie_secret": "<test>",
    "client_id": "<test>",
    "client_secret": "<test>",
    "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
}


def test_the_mode_is_explicit_or_inferred_and_fails_closed() -> None:
    assert oidc.resolve_mode(None, None) is AuthMode.LOCAL
    assert oidc.resolve_mode("", COMPLETE) is AuthMode.OIDC
    assert oidc.resolve_mode("oidc", COMPLETE) is AuthMode.OIDC
    assert oidc.resolve_mode("local", None) is AuthMode.LOCAL
    named = {**{k: COMPLETE[k] for k in ("redirect_uri", "cookie_secret")},
             "interieur": {k: COMPLETE[k] for k in oidc.PROVIDER_KEYS}}  # fmt: skip
    assert oidc.resolve_mode("oidc", named, "interieur") is AuthMode.OIDC
    incomplete = {k: v for k, v in COMPLETE.items() if k != "client_secret"}
    for setting, auth, provider in (
        ("oidc", None, None),  # OIDC asked, the secrets are gone: no fallback
        ("oidc", incomplete, None),
        (None, incomplete, None),  # inferred OIDC must be complete too
        ("oidc", {**COMPLETE, "redirect_uri": "https://tadqiq.example/"}, None),
        ("oidc", COMPLETE, "interieur"),  # the named provider's section is missing
        ("local", COMPLETE, None),  # contradictory
        ("ldap", None, None),
    ):
        with pytest.raises(AuthConfigError):
            oidc.resolve_mode(setting, auth, provider)


@pytest.mark.parametrize(
    ("env", "secrets"),
    [("oidc", None), ("oidc", {"redirect_uri": "http://localhost:8501/oauth2callback"}),
     ("local", COMPLETE), ("sso", None)],
    ids=["oidc_without_secrets", "oidc_incomplete", "local_with_auth", "unknown_mode"],
)  # fmt: skip
def test_the_app_stops_at_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, env: str, secrets: dict[str, str] | None
) -> None:
    monkeypatch.setenv(oidc.AUTH_MODE_ENV, env)
    at = AppTest.from_file(APP, default_timeout=60)
    if secrets is not None:
        at.secrets["auth"] = secrets
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [FR["login_config_error"]]
    assert not at.button and not at.text_input  # no login of either kind


def test_claims_give_a_scope_keyed_on_the_subject() -> None:
    mapping = {"sub-2": {"role": "collectivity", "scope": "06.181.05.01"},
               "B@Interieur.gov.ma": {"role": "region", "scope": "06"}}  # fmt: skip
    claims = {"sub": "sub-1", "email": "a@x.ma", "tadqiq_role": "region", "tadqiq_scope": "06"}
    assert oidc.scope_from_claims(claims, mapping) == Scope(Role.REGION, "sub-1", "06")
    assert oidc.scope_from_claims({"sub": "sub-2", "email": "b@interieur.gov.ma"}, mapping) == (
        Scope(Role.COLLECTIVITY, "sub-2", "06.181.05.01")
    )
    by_email = {"sub": "sub-3", "email": "b@interieur.gov.ma", "email_verified": "true"}
    assert oidc.scope_from_claims(by_email, mapping) == Scope(Role.REGION, "sub-3", "06")
    with pytest.raises(AccessDenied) as denied:
        oidc.scope_from_claims({**by_email, "email_verified": False}, mapping)
    assert denied.value.reason == "email_unverified"
    with pytest.raises(AccessDenied) as denied:  # an email not said verified is not matched
        oidc.scope_from_claims({"sub": "sub-3", "email": "b@interieur.gov.ma"}, mapping)
    assert denied.value.reason == "no_role"
    assert oidc.scope_from_claims({"sub": "sub-4", "tadqiq_role": "focal_point",
                                   "tadqiq_scope": "06.181.05.01"}, mapping) == Scope(
        Role.FOCAL_POINT, "sub-4", "06.181.05.01"
    )  # fmt: skip
    with pytest.raises(AccessDenied):  # a role that does not exist: refused
        oidc.scope_from_claims({"sub": "sub-5", "tadqiq_role": "auditeur_general",
                                "tadqiq_scope": "06.181.05.01"}, mapping)  # fmt: skip


def test_a_broken_mapping_file_refuses_every_mapped_sign_in(tmp_path: Path) -> None:
    path = tmp_path / "oidc_roles.json"
    assert oidc.load_mapping(path) == {}
    for text in ("{not json", '["a"]', '{"users": {"x": "ministry"}}'):
        path.write_text(text, encoding="utf-8")
        with pytest.raises(AuthConfigError):
            oidc.load_mapping(path)


def test_the_probe_reads_the_discovery_document(provider: Provider) -> None:
    assert oidc.probe_provider(f"{provider.url}/.well-known/openid-configuration") is None
    assert oidc.probe_provider(f"{provider.url}/nothing-here") == (
        "provider unreachable (HTTPError)"
    )
    closed = f"http://127.0.0.1:{free_port()}/.well-known/openid-configuration"
    assert (oidc.probe_provider(closed) or "").startswith("provider unreachable")
