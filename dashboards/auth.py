"""Authentication inside the app, and the session's ``Scope``.

The mode follows the configuration: an ``[auth]`` section in ``.streamlit/secrets.toml`` →
OpenID Connect through ``st.login`` (the ministry's identity provider; the role and area come
from the ``tadqiq_role`` / ``tadqiq_scope`` claims, or from the mapping file
``$TADQIQ_DATA_DIR/auth/oidc_roles.json``); otherwise the local account file and a login form.
See docs/security.md.

Once authenticated, the session holds one immutable ``Scope`` under ``SESSION_KEY``; until
then ``require_scope`` shows only the login and stops the script, so no query runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import streamlit as st

from tadqiq.access import AccessDenied, Role, Scope, accounts
from tadqiq.access import log as access_log
from tadqiq.i18n import t

SESSION_KEY = "tadqiq_scope"
MESSAGE_KEY = "tadqiq_login_message"
USER_KEY = "login_user"
PASSWORD_KEY = "login_password"
LOGOUT_KEY = "logout"
KEPT_ON_LOGOUT = frozenset({"lang"})

ROLE_CLAIM = "tadqiq_role"
SCOPE_CLAIM = "tadqiq_scope"


# --- OpenID Connect ----------------------------------------------------------------------


def oidc_configured() -> bool:
    """True when ``.streamlit/secrets.toml`` has an ``[auth]`` section."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        return False


def oidc_mapping_path() -> Path:
    return accounts.accounts_path().with_name("oidc_roles.json")


def load_oidc_mapping(path: Path | None = None) -> dict[str, dict[str, str]]:
    """``{user id (email or sub): {"role": ..., "scope": ...}}``; empty without a file."""
    path = path or oidc_mapping_path()
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8")).get("users", {})


def scope_from_claims(claims: Mapping[str, Any], mapping: Mapping[str, Mapping[str, str]]) -> Scope:
    """The scope of an OIDC identity: the role claims if present, else the mapping file.

    Raises ``AccessDenied("no_role")`` when neither gives a valid role and area.
    """
    user_id = str(claims.get("email") or claims.get("sub") or "")
    source: Mapping[str, Any] = (
        {"role": claims.get(ROLE_CLAIM), "scope": claims.get(SCOPE_CLAIM)}
        if claims.get(ROLE_CLAIM)
        else mapping.get(user_id, {})
    )
    try:
        return Scope(Role(source.get("role")), user_id, source.get("scope") or None)
    except ValueError as error:
        raise AccessDenied("no_role", user_id or None) from error


def _oidc_scope() -> Scope | None:
    if not st.user.get("is_logged_in"):
        return None
    scope = current_scope()
    user_id = str(st.user.get("email") or st.user.get("sub") or "")
    if scope is not None and scope.user_id == user_id:
        return scope
    try:
        scope = scope_from_claims(st.user.to_dict(), load_oidc_mapping())
    except AccessDenied as denial:
        access_log.log_login(user_id, None, access_log.FAILURE, detail="oidc: no role")
        st.error(t(denial.label_key))
        if st.button(t("logout"), key=LOGOUT_KEY):
            st.logout()
        st.stop()
    access_log.log_login(scope.user_id, str(scope.role), access_log.SUCCESS, detail="oidc")
    st.session_state[SESSION_KEY] = scope
    return scope


def _render_oidc_login() -> None:
    st.title(t("login_title"))
    st.caption(t("login_intro"))
    provider = st.secrets.get("tadqiq", {}).get("oidc_provider")
    if st.button(t("login_oidc"), type="primary"):
        st.login(provider or None)


# --- local accounts ----------------------------------------------------------------------


def _on_local_submit() -> None:
    result = accounts.login(
        str(st.session_state.get(USER_KEY) or ""), str(st.session_state.get(PASSWORD_KEY) or "")
    )
    st.session_state.pop(PASSWORD_KEY, None)
    if result.scope is not None:
        st.session_state[SESSION_KEY] = result.scope
        st.session_state.pop(MESSAGE_KEY, None)
    else:
        st.session_state[MESSAGE_KEY] = result.outcome


def _render_local_login() -> None:
    st.title(t("login_title"))
    st.caption(t("login_intro"))
    if not accounts.accounts_path().is_file():
        st.warning(t("login_no_accounts"))
    outcome = st.session_state.pop(MESSAGE_KEY, None)
    if outcome == access_log.LOCKED:
        st.error(t("login_locked", minutes=int(accounts.THROTTLE.lockout_seconds // 60)))
    elif outcome == access_log.FAILURE:
        st.error(t("login_failed"))
    with st.form("login_form", clear_on_submit=True):
        st.text_input(t("login_user"), key=USER_KEY)
        st.text_input(t("login_password"), type="password", key=PASSWORD_KEY)
        st.form_submit_button(t("login_submit"), type="primary", on_click=_on_local_submit)


# --- the session -------------------------------------------------------------------------


def current_scope() -> Scope | None:
    scope = st.session_state.get(SESSION_KEY)
    return scope if isinstance(scope, Scope) else None


def require_scope() -> Scope:
    """The signed-in user's scope; otherwise render the login only and stop the script."""
    if oidc_configured():
        if (scope := _oidc_scope()) is None:
            _render_oidc_login()
            st.stop()
        return scope
    if (scope := current_scope()) is None:
        _render_local_login()
        st.stop()
    return scope


def logout(scope: Scope) -> None:
    access_log.log_event(scope, access_log.LOGOUT, access_log.SUCCESS)
    for key in list(st.session_state.keys()):
        if key not in KEPT_ON_LOGOUT:
            del st.session_state[key]
    if oidc_configured():
        st.logout()
    st.rerun()


def scope_label(scope: Scope) -> str:
    return t(f"scope_{scope.role}", area=scope.area)


def render_session(scope: Scope) -> None:
    """Who is signed in, their scope, and the logout button (sidebar)."""
    with st.sidebar:
        st.caption(t("signed_in_as", user=scope.user_id, role=t(f"role_{scope.role}")))
        st.caption(scope_label(scope))
        if st.button(t("logout"), key=LOGOUT_KEY):
            logout(scope)


@contextmanager
def refusals_shown() -> Iterator[None]:
    """Show an ``AccessDenied`` raised by a page as an error (the data layer logged it)."""
    try:
        yield
    except AccessDenied as denial:
        st.error(t(denial.label_key, code=denial.code))
