"""The access core, shared by the dashboards, the reports, the command line and the audit desk.

* ``rules``: roles, the immutable ``Scope`` of a user, the refusal, the pages of each role,
  who may write what in the audit desk (``DESK_WRITES``);
* ``accounts``: the local accounts (argon2 hashes) and the login throttle;
* ``oidc``: the authentication mode, the OpenID Connect settings and provider probe, and the
  ID-token claims → ``Scope`` mapping (keyed on the provider's ``sub``);
* ``log``: the append-only, hash-chained access log.

It imports nothing of Tadqiq but ``tadqiq.i18n`` (for the refusal messages), and neither
Streamlit nor Dagster.
"""

from tadqiq.access.rules import (
    AUDITORS,
    COLLECTIVITY_CODE,
    DESK_WRITES,
    NATIONAL,
    REGION_CODE,
    ROLE_PAGES,
    AccessDenied,
    Role,
    Scope,
    pages_for,
)

__all__ = [
    "AUDITORS",
    "COLLECTIVITY_CODE",
    "DESK_WRITES",
    "NATIONAL",
    "REGION_CODE",
    "ROLE_PAGES",
    "AccessDenied",
    "Role",
    "Scope",
    "pages_for",
]
