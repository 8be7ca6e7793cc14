"""OpenID Connect sign-in, without Streamlit: the mode, the settings, the provider, the claims.

* ``resolve_mode``: the authentication mode, explicit (``TADQIQ_AUTH_MODE=oidc|local``) or
  inferred from the ``[auth]`` section; a mode whose settings are missing or contradict it
  raises ``AuthConfigError`` and the app shows the error, never the other mode's login;
* ``probe_provider``: the identity provider's discovery document, fetched before a sign-in is
  started, so an unreachable provider gets a clear refusal instead of a bare error page;
* ``scope_from_claims``: the ``Scope`` of a signed-in identity. The user id is the provider's
  stable subject (``sub``), never an attribute the user or an administrator can edit (email,
  name); an identity whose email the provider says is not verified is refused; the role and
  area come from the ``tadqiq_role`` / ``tadqiq_scope`` claims, else from the mapping file
  (``$TADQIQ_DATA_DIR/auth/oidc_roles.json``) by ``sub``, else by the email if it is verified.

See docs/security.md.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

from tadqiq.access import AccessDenied, Role, Scope, accounts

AUTH_MODE_ENV = "TADQIQ_AUTH_MODE"
ROLE_CLAIM = "tadqiq_role"
SCOPE_CLAIM = "tadqiq_scope"
CALLBACK_PATH = "/oauth2callback"
PROBE_TIMEOUT_S = 5.0
# what Streamlit's st.login needs: in [auth] itself, and in the provider's section
AUTH_KEYS = ("redirect_uri", "cookie_secret")
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
METADATA_KEYS = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")


class AuthMode(StrEnum):
    OIDC = "oidc"
    LOCAL = "local"


class AuthConfigError(RuntimeError):
    """The authentication settings cannot be used; nobody may sign in until they are fixed.

    ``reason`` names what is wrong (for the server log and the tests); the user sees one
    message (``login_config_error``), which names no setting.
    """

    label_key = "login_config_error"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def _provider_section(auth: Mapping[str, Any], provider: str | None) -> Mapping[str, Any]:
    section = auth.get(provider) if provider else auth
    return section if isinstance(section, Mapping) else {}


def missing_settings(auth: Mapping[str, Any] | None, provider: str | None = None) -> list[str]:
    """The settings of ``[auth]`` (and ``[auth.<provider>]``) that st.login needs and lacks."""
    if not auth:
        return ["[auth]"]
    missing = [key for key in AUTH_KEYS if not str(auth.get(key) or "").strip()]
    redirect = str(auth.get("redirect_uri") or "")
    if redirect and not redirect.rstrip("/").endswith(CALLBACK_PATH):
        missing.append(f"redirect_uri (…{CALLBACK_PATH})")
    section = _provider_section(auth, provider)
    prefix = f"auth.{provider}." if provider else ""
    missing += [
        f"{prefix}{key}" for key in PROVIDER_KEYS if not str(section.get(key) or "").strip()
    ]
    return missing


def resolve_mode(
    setting: str | None, auth: Mapping[str, Any] | None, provider: str | None = None
) -> AuthMode:
    """The authentication mode; ``AuthConfigError`` when it cannot be used as configured.

    ``setting`` is ``$TADQIQ_AUTH_MODE``: ``oidc`` needs a complete ``[auth]`` section,
    ``local`` needs none (both present is a contradiction, refused); unset, the mode is
    inferred (``[auth]`` present → OIDC, which must then be complete; absent → local
    accounts). A production server sets ``oidc``, so losing its secrets file stops sign-in
    instead of silently offering the local accounts.
    """
    value = (setting or "").strip().lower()
    if value and value not in set(AuthMode):
        raise AuthConfigError(f"{AUTH_MODE_ENV}={value!r}: expected oidc or local")
    if value == AuthMode.LOCAL:
        if auth:
            raise AuthConfigError(f"{AUTH_MODE_ENV}=local but an [auth] section is configured")
        return AuthMode.LOCAL
    if not value and not auth:
        return AuthMode.LOCAL
    if missing := missing_settings(auth, provider):
        raise AuthConfigError("OpenID Connect settings missing: " + ", ".join(missing))
    return AuthMode.OIDC


def metadata_url(auth: Mapping[str, Any], provider: str | None = None) -> str:
    return str(_provider_section(auth, provider).get("server_metadata_url") or "")


def probe_provider(url: str, timeout: float = PROBE_TIMEOUT_S) -> str | None:
    """None when the discovery document answers and is usable, else why not (for the log)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            document = json.loads(response.read(1_000_000))
    except (OSError, ValueError) as error:  # URLError, timeouts and HTTP errors are OSErrors
        return f"provider unreachable ({type(error).__name__})"
    if not isinstance(document, dict) or any(not document.get(k) for k in METADATA_KEYS):
        return "provider metadata incomplete"
    return None


# --- claims → scope ----------------------------------------------------------------------


def mapping_path() -> Path:
    return accounts.accounts_path().with_name("oidc_roles.json")


def load_mapping(path: Path | None = None) -> dict[str, dict[str, str]]:
    """``{sub or verified email: {"role": ..., "scope": ...}}``; empty without a file.

    A file that is not the expected JSON raises ``AuthConfigError``: no sign-in through the
    mapping until it is fixed.
    """
    path = path or mapping_path()
    if not path.is_file():
        return {}
    try:
        users = json.loads(path.read_text(encoding="utf-8")).get("users", {})
    except (ValueError, AttributeError) as error:
        raise AuthConfigError(f"{path.name}: not a JSON object with 'users'") from error
    if not isinstance(users, dict) or not all(isinstance(v, dict) for v in users.values()):
        raise AuthConfigError(f"{path.name}: 'users' must map ids to {{role, scope}}")
    return users


def subject(claims: Mapping[str, Any]) -> str:
    """The provider's stable subject identifier (``sub``), the user id in Tadqiq."""
    return str(claims.get("sub") or "").strip()


def email_verified(claims: Mapping[str, Any]) -> bool | None:
    """True or False as the provider says; None when it says nothing."""
    value = claims.get("email_verified")
    if isinstance(value, str):  # some providers send "true" / "false"
        value = {"true": True, "false": False}.get(value.strip().lower())
    return value if isinstance(value, bool) else None


def scope_from_claims(claims: Mapping[str, Any], mapping: Mapping[str, Mapping[str, Any]]) -> Scope:
    """The scope of a signed-in identity (its ID-token claims), keyed on ``sub``.

    Raises ``AccessDenied``: ``email_unverified`` when the provider says the email is not
    verified (whatever the role claims say), ``no_role`` when there is no subject, or neither
    the claims nor the mapping give a valid role and area.
    """
    sub = subject(claims)
    if email_verified(claims) is False:
        raise AccessDenied("email_unverified", sub or None)
    if not sub:
        raise AccessDenied("no_role")
    email = str(claims.get("email") or "").strip().lower()
    if claims.get(ROLE_CLAIM):
        source: Mapping[str, Any] = {
            "role": claims.get(ROLE_CLAIM),
            "scope": claims.get(SCOPE_CLAIM),
        }
    elif sub in mapping:
        source = mapping[sub]
    elif email and email_verified(claims) is True:
        source = {k.lower(): v for k, v in mapping.items()}.get(email, {})
    else:
        source = {}
    try:
        return Scope(Role(source.get("role")), sub, str(source.get("scope") or "") or None)
    except ValueError as error:
        raise AccessDenied("no_role", sub) from error
