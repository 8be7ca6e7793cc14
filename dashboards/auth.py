"""Authentication inside the app, and the session's ``Scope``.

The mode is ``$TADQIQ_AUTH_MODE`` (``oidc`` or ``local``), or, unset, inferred from the
configuration: an ``[auth]`` section in ``.streamlit/secrets.toml`` → OpenID Connect through
``st.login`` (the ministry's identity provider); none → the local account file and a login form.
A mode whose settings are missing or contradictory stops at an error: no sign-in at all, never
the other mode's (``tadqiq.access.oidc.resolve_mode``).

OpenID Connect: the user id is the provider's ``sub``; the role and area come from the
``tadqiq_role`` / ``tadqiq_scope`` claims or the mapping file
``$TADQIQ_DATA_DIR/auth/oidc_roles.json`` (``tadqiq.access.oidc.scope_from_claims``). The
provider is probed before the redirect (unreachable → a refusal, logged). Streamlit's own
``/oauth2callback`` drops a rejected token (expired, bad signature, wrong issuer or audience,
the provider's ``error``) silently: ``_guard_callback`` records it in the access log and sends
the browser back with ``?tadqiq_login=refused``, which the login page explains.
See docs/security.md.

Once authenticated, the session holds one immutable ``Scope`` under ``SESSION_KEY``; until
then ``require_scope`` shows only the login and stops the script, so no query runs.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import PurePosixPath
from typing import Any, NoReturn
from urllib.parse import urlsplit

import streamlit as st

from dashboards.text import plain
from tadqiq.access import AccessDenied, Scope, accounts, oidc, pages_for
from tadqiq.access import log as access_log
from tadqiq.access.oidc import AuthConfigError, AuthMode
from tadqiq.i18n import t

SESSION_KEY = "tadqiq_scope"
MESSAGE_KEY = "tadqiq_login_message"
USER_KEY = "login_user"
PASSWORD_KEY = "login_password"
LOGOUT_KEY = "logout"
DISPLAY_KEY = "tadqiq_display_name"
REFUSED_KEY = "tadqiq_oidc_refused"
TOKEN_REFUSED_KEY = "tadqiq_oidc_token_refused"
KEPT_ON_LOGOUT = frozenset({"lang"})
LOGIN_ERROR_PARAM = "tadqiq_login"
LOGIN_REFUSED = "refused"
DEEP_LINK_KEY = "tadqiq_deep_link"

# kept for callers of the earlier names
ROLE_CLAIM = oidc.ROLE_CLAIM
SCOPE_CLAIM = oidc.SCOPE_CLAIM
scope_from_claims = oidc.scope_from_claims
load_oidc_mapping = oidc.load_mapping
oidc_mapping_path = oidc.mapping_path

_LOGGER = logging.getLogger(__name__)


# --- the mode ------------------------------------------------------------------------------


def _secrets_section(name: str) -> Mapping[str, Any] | None:
    """A section of ``.streamlit/secrets.toml``; None without the file or the section."""
    try:
        if name not in st.secrets:
            return None
        section = st.secrets[name]
    except FileNotFoundError:  # no secrets file at all
        return None
    except Exception as error:  # an unreadable secrets file: no sign-in until it is fixed
        raise AuthConfigError(f"secrets.toml unreadable ({type(error).__name__})") from error
    return section.to_dict() if hasattr(section, "to_dict") else dict(section)


def provider_name() -> str | None:
    """The named provider (``[tadqiq] oidc_provider``), None for the default one."""
    return (_secrets_section("tadqiq") or {}).get("oidc_provider") or None


def auth_mode() -> AuthMode:
    """The authentication mode; ``AuthConfigError`` when it cannot be used (fail closed)."""
    return oidc.resolve_mode(
        os.environ.get(oidc.AUTH_MODE_ENV), _secrets_section("auth"), provider_name()
    )


def oidc_configured() -> bool:
    """True when the sign-in is OpenID Connect (configured and complete)."""
    try:
        return auth_mode() is AuthMode.OIDC
    except AuthConfigError:
        return False


def _stop_at_config_error(error: AuthConfigError) -> NoReturn:
    """No sign-in of any kind: the error, and the reason in the server's log only."""
    _LOGGER.error("authentication disabled: %s", error.reason)
    st.title(t("login_title"))
    st.error(t(error.label_key))
    st.stop()


# --- OpenID Connect ----------------------------------------------------------------------


def _login_detail(claims: Mapping[str, Any]) -> str:
    """``oidc``, and the email at sign-in as context (the user id is ``sub``)."""
    email = str(claims.get("email") or "")[:120]
    return f"oidc; email={email}" if email else "oidc"


def _refuse(message: str) -> NoReturn:
    st.title(t("login_title"))
    st.error(message)
    if st.button(t("logout"), key=LOGOUT_KEY):
        st.session_state.pop(REFUSED_KEY, None)
        st.logout()
    st.stop()


def _oidc_scope() -> Scope | None:
    if not st.user.get("is_logged_in"):
        return None
    claims = st.user.to_dict()
    sub = oidc.subject(claims)
    scope = current_scope()
    if scope is not None and sub and scope.user_id == sub:
        return scope
    try:
        scope = oidc.scope_from_claims(claims, oidc.load_mapping())
    except AccessDenied as denial:
        if st.session_state.get(REFUSED_KEY) != sub:  # once per session, not on every rerun
            access_log.log_login(sub or None, None, access_log.FAILURE, f"oidc: {denial.reason}")
            st.session_state[REFUSED_KEY] = sub
        _refuse(t(denial.label_key))
    except AuthConfigError as error:  # the mapping file is broken
        _stop_at_config_error(error)
    access_log.log_login(
        scope.user_id, str(scope.role), access_log.SUCCESS, detail=_login_detail(claims)
    )
    st.session_state[SESSION_KEY] = scope
    st.session_state[DISPLAY_KEY] = str(claims.get("email") or claims.get("name") or "")
    return scope


def _render_oidc_login() -> None:
    st.title(t("login_title"))
    st.caption(t("login_intro"))
    if st.query_params.get(LOGIN_ERROR_PARAM) == LOGIN_REFUSED:
        # set by _guard_callback after a rejected token; forging it shows only this text
        st.session_state[TOKEN_REFUSED_KEY] = True
        del st.query_params[LOGIN_ERROR_PARAM]
    if st.session_state.get(TOKEN_REFUSED_KEY):  # until the next attempt, in either language
        st.error(t("login_oidc_refused"))
    if st.button(
        t("login_oidc"),
        type="primary",
        on_click=lambda: st.session_state.pop(TOKEN_REFUSED_KEY, None),
    ):
        provider = provider_name()
        url = oidc.metadata_url(_secrets_section("auth") or {}, provider)
        if problem := oidc.probe_provider(url):
            access_log.log_login(None, None, access_log.FAILURE, detail=f"oidc: {problem}")
            st.error(t("login_oidc_unreachable"))
            return
        st.login(provider)


# Streamlit's callback (``/oauth2callback``) logs a rejected token as a warning and redirects
# to the app as if nothing happened. The guard wraps it: a login callback (``code`` or
# ``error`` in the query) that sets no identity cookie is a refusal, written to the access log
# with the reason Streamlit logged, and the redirect carries ``?tadqiq_login=refused``.
_CALLBACK_REASONS: ContextVar[list[str] | None] = ContextVar("tadqiq_callback", default=None)
_REASON_CHARS = re.compile(r"[^A-Za-z0-9_.-]")


class _CallbackReasons(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        reasons = _CALLBACK_REASONS.get()
        if reasons is not None and record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            reasons.append(str(getattr(error, "error", None) or type(error).__name__))


def _sets_identity(response: Any, cookie: str) -> bool:
    for header in response.headers.getlist("set-cookie"):
        name, _, rest = header.partition("=")
        if name == cookie and rest.split(";", 1)[0] not in ("", '""'):
            return True
    return False


def _guard_callback() -> None:
    """Wrap Streamlit's OIDC callback once per process (see above)."""
    try:
        from streamlit.web.server.starlette import starlette_auth_routes as routes
        from streamlit.web.server.starlette.starlette_server_config import USER_COOKIE_NAME
    except ImportError:  # pragma: no cover - another Streamlit layout: tests/test_oidc.py fails
        _LOGGER.warning("Streamlit's OIDC callback not found: rejected tokens are not logged")
        return
    original = routes._auth_callback
    if getattr(original, "tadqiq_guard", False):
        return
    logging.getLogger(routes.__name__).addHandler(_CallbackReasons(logging.WARNING))

    async def guarded(request: Any, base_url: str) -> Any:
        query = request.query_params
        reasons: list[str] = []
        token = _CALLBACK_REASONS.set(reasons)
        try:
            response = await original(request, base_url)
        finally:
            _CALLBACK_REASONS.reset(token)
        if not ("code" in query or "error" in query) or _sets_identity(response, USER_COOKIE_NAME):
            return response  # a sign-in, or the provider's redirect after a logout
        if "error" in query:
            reason = f"provider error ({_REASON_CHARS.sub('', query['error'])[:40]})"
        else:
            words = [_REASON_CHARS.sub("", r)[:40] for r in reasons] or ["callback refused"]
            reason = f"token rejected ({', '.join(words)})"
        access_log.log_login(None, None, access_log.FAILURE, detail=f"oidc: {reason}")
        location = response.headers.get("location") or "/"
        separator = "&" if "?" in location else "?"
        response.headers["location"] = f"{location}{separator}{LOGIN_ERROR_PARAM}={LOGIN_REFUSED}"
        return response

    guarded.tadqiq_guard = True  # type: ignore[attr-defined]
    routes._auth_callback = guarded


# --- local accounts ----------------------------------------------------------------------


def _client_address() -> str:
    """The address the session came from (behind the reverse proxy: the proxy's, unless it
    passes the client's on; docs/operations.md)."""
    try:
        address = st.context.ip_address
    except Exception:  # no request context
        return ""
    return address if isinstance(address, str) else ""  # (AppTest hands out a mock)


def _on_local_submit() -> None:
    result = accounts.login(
        str(st.session_state.get(USER_KEY) or ""),
        str(st.session_state.get(PASSWORD_KEY) or ""),
        client=_client_address(),
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
    elif outcome == accounts.BUSY:  # decided before any password check: says nothing of it
        st.warning(t("login_busy"))
    elif outcome == access_log.FAILURE:
        st.error(t("login_failed"))
    with st.form("login_form", clear_on_submit=True):
        st.text_input(t("login_user"), key=USER_KEY)
        st.text_input(t("login_password"), type="password", key=PASSWORD_KEY)
        st.form_submit_button(t("login_submit"), type="primary", on_click=_on_local_submit)


# --- the session -------------------------------------------------------------------------


def _remember_deep_link() -> None:
    """The page and query the anonymous session asked for (``/collectivity?code=…``), kept
    until the sign-in: the login runs no navigation, so Streamlit would land on the role's
    first page. Local accounts only: an OpenID Connect sign-in leaves the browser session."""
    if DEEP_LINK_KEY in st.session_state:
        return
    try:
        url = st.context.url
    except Exception:  # no request context
        return
    if not isinstance(url, str):  # (AppTest hands out a mock)
        return
    page = PurePosixPath(urlsplit(url).path).name
    query = {k: v for k, v in st.query_params.to_dict().items() if k != LOGIN_ERROR_PARAM}
    st.session_state[DEEP_LINK_KEY] = (page, query)


def follow_deep_link(scope: Scope) -> None:
    """Once signed in, go to the page remembered at the login, with its query, if it is in
    the role's navigation (call after ``st.navigation``); otherwise stay where Streamlit is."""
    link = st.session_state.pop(DEEP_LINK_KEY, None)
    if not link:
        return
    page, query = link
    for spec in pages_for(scope.role):
        if page and PurePosixPath(spec.path).stem == page:
            st.switch_page(spec.path, query_params=query)


def current_scope() -> Scope | None:
    scope = st.session_state.get(SESSION_KEY)
    return scope if isinstance(scope, Scope) else None


def require_scope() -> Scope:
    """The signed-in user's scope; otherwise render the login only and stop the script."""
    try:
        mode = auth_mode()
    except AuthConfigError as error:
        _stop_at_config_error(error)
    if mode is AuthMode.OIDC:
        _guard_callback()
        if (scope := _oidc_scope()) is None:
            _render_oidc_login()
            st.stop()
        return scope
    if (scope := current_scope()) is None:
        _remember_deep_link()
        _render_local_login()
        st.stop()
    return scope


def logout(scope: Scope) -> None:
    access_log.log_event(scope, access_log.LOGOUT, access_log.SUCCESS)
    signed_in_with_oidc = DISPLAY_KEY in st.session_state
    for key in list(st.session_state.keys()):
        if key not in KEPT_ON_LOGOUT:
            del st.session_state[key]
    if signed_in_with_oidc:
        st.logout()
    st.rerun()


def scope_label(scope: Scope) -> str:
    return t(f"scope_{scope.role}", area=scope.area)


def render_session(scope: Scope) -> None:
    """Who is signed in, their scope, and the logout button (sidebar)."""
    with st.sidebar:
        user = st.session_state.get(DISPLAY_KEY) or scope.user_id  # OIDC: email, not sub
        st.caption(t("signed_in_as", user=user, role=t(f"role_{scope.role}")))
        st.caption(scope_label(scope))
        if st.button(t("logout"), key=LOGOUT_KEY):
            logout(scope)


@contextmanager
def refusals_shown() -> Iterator[None]:
    """Show an ``AccessDenied`` raised by a page as an error (the data layer logged it)."""
    try:
        yield
    except AccessDenied as denial:
        st.error(t(denial.label_key, code=plain(denial.code)))
