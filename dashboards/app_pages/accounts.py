"""Comptes (the ministry's administrator only): the local accounts of named people, by the
same functions as ``tadqiq accounts`` (``tadqiq.access.accounts``) — list, create (role and
area; the password shown once, never stored), disable, enable, reset the password. Demo
accounts are listed apart: ``tadqiq accounts demo`` manages them.

Every action is a record in the access log (``view_accounts``, ``account_add``,
``account_disable``, ``account_enable``, ``account_reset``; a refused change as ``failure``
with its reason, never a password); any other role is refused and logged (docs/security.md).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import auth
from dashboards.text import plain
from tadqiq.access import AccessDenied, Role, Scope, accounts
from tadqiq.access import log as access_log
from tadqiq.desk import reference
from tadqiq.i18n import MISSING, t

VIEW = "view_accounts"
VIEWED_KEY = "accounts_viewed"
PASSWORD_KEY = "accounts_new_password"  # (user, password): shown by the next run, then gone
ROLES = tuple(Role)
AREA_KEYS = {
    Role.MINISTRY: "accounts_area_none",
    Role.DATA_TEAM: "accounts_area_none",
    Role.REGION: "accounts_area_region",
    Role.COLLECTIVITY: "accounts_area_collectivity",
    Role.FOCAL_POINT: "accounts_area_collectivity",
    Role.INSPECTOR: "accounts_area_inspector",
}


def require_administrator(scope: Scope) -> None:
    """The ministry administers the accounts; anyone else is refused and logged."""
    if scope.role is not Role.MINISTRY:
        denial = AccessDenied("accounts_ministry_only")
        access_log.log_denied(scope, VIEW, denial)
        raise denial


def area_problem(role: Role, area: str | None, user: str) -> str | None:
    """Why ``area`` does not suit ``role`` (a message naming the field), or None."""
    try:
        probe = Scope(role, user or "x", area)
    except ValueError:
        return t("accounts_bad_area", role=t(f"role_{role}"), expected=t(AREA_KEYS[role]))
    known = set(reference.directory())
    if role in (Role.COLLECTIVITY, Role.FOCAL_POINT) and area not in known:
        return t("accounts_unknown_area", area=area)
    regions = {place.region_code for place in reference.directory().values()}
    if any(region not in regions for region in probe.regions):
        return t("accounts_unknown_area", area=area)
    return None


def log(scope: Scope, action: str, outcome: str, detail: str) -> None:
    access_log.log_event(scope, action, outcome, detail=detail)


def render_tables(found: dict[str, accounts.Account]) -> None:
    def frame(rows: list[accounts.Account]) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "user": [a.user for a in rows],
                "role": [t(f"role_{a.role}") for a in rows],
                "area": [a.area or MISSING for a in rows],
                "state": [
                    t("accounts_disabled" if a.disabled else "accounts_enabled") for a in rows
                ],
            }
        )

    columns = {
        "user": t("accounts_field_user"),
        "role": t("accounts_field_role"),
        "area": t("accounts_field_area"),
        "state": t("desk_col_state"),
    }
    named = [a for a in found.values() if not a.demo]
    demo = [a for a in found.values() if a.demo]
    st.subheader(t("accounts_named"))
    if named:
        st.dataframe(frame(named), hide_index=True, column_config=columns, key="accounts_named")
    else:
        st.caption(t("accounts_no_named"))
    if demo:
        st.subheader(t("accounts_demo"))
        st.caption(t("accounts_demo_caption"))
        st.dataframe(frame(demo), hide_index=True, column_config=columns, key="accounts_demo")


def render_new_password() -> None:
    shown = st.session_state.pop(PASSWORD_KEY, None)
    if shown:
        user, password = shown
        st.success(t("accounts_password_once", user=user))
        st.code(password, language=None)


def render_add(scope: Scope, found: dict[str, accounts.Account]) -> None:
    st.subheader(t("accounts_add_title"))
    with st.form("accounts_add"):
        left, middle, right = st.columns(3)
        user = left.text_input(t("accounts_field_user"), max_chars=64).strip()
        role = middle.selectbox(
            t("accounts_field_role"), ROLES, format_func=lambda r: t(f"role_{r}")
        )
        area = right.text_input(t("accounts_field_area"), help=t("accounts_area_help")).strip()
        submitted = st.form_submit_button(t("accounts_add"), type="primary")
    if not submitted:
        return
    area_value = area or None
    if not accounts.USER_NAME.match(user):
        problem = t("accounts_bad_user", user=plain(user, 80))
    elif user in found or user in accounts.DEMO_USERS:
        problem = t("accounts_user_taken", user=user)
    else:
        problem = area_problem(Role(role), area_value, user)
    detail = f"{user or '-'}; {role}; {area_value or '-'}"
    if problem is None:
        try:
            account, password = accounts.add_account(user, Role(role), area_value)
        except accounts.AccountError:  # a name taken meanwhile by another administrator
            problem = t("accounts_user_taken", user=user)
    if problem is not None:
        log(scope, "account_add", access_log.FAILURE, f"{detail}; refused")
        st.error(problem)
        return
    log(scope, "account_add", access_log.SUCCESS, detail)
    st.session_state[PASSWORD_KEY] = (account.user, password)
    st.rerun()


def render_change(scope: Scope, found: dict[str, accounts.Account]) -> None:
    named = {user: a for user, a in found.items() if not a.demo}
    if not named:
        return
    st.subheader(t("accounts_change_title"))
    user = st.selectbox(
        t("accounts_field_user"),
        list(named),
        format_func=lambda u: f"{u} · {t(f'role_{named[u].role}')} · {named[u].area or MISSING}",
        key="accounts_user",
    )
    account = named[user]
    with st.form(f"accounts_change_{user}"):  # a click acts only on the account it showed
        left, right = st.columns(2)
        toggle = left.form_submit_button(
            t("accounts_enable" if account.disabled else "accounts_disable")
        )
        reset = right.form_submit_button(t("accounts_reset"))
    if toggle:
        action = "account_enable" if account.disabled else "account_disable"
        if not account.disabled and user == scope.user_id:
            log(scope, action, access_log.FAILURE, f"{user}; own account")
            st.error(t("accounts_not_yourself"))
            return
        try:
            accounts.set_disabled(user, not account.disabled)
        except accounts.AccountError:  # removed from the file since the page was shown
            log(scope, action, access_log.FAILURE, f"{user}; no such account")
            st.error(t("accounts_gone", user=user))
            return
        log(scope, action, access_log.SUCCESS, user)
        st.rerun()
    if reset:
        try:
            _, password = accounts.reset_password(user)
        except accounts.AccountError:
            log(scope, "account_reset", access_log.FAILURE, f"{user}; no such account")
            st.error(t("accounts_gone", user=user))
            return
        log(scope, "account_reset", access_log.SUCCESS, user)
        st.session_state[PASSWORD_KEY] = (user, password)
        st.rerun()


scope = auth.require_scope()
st.title(t("page_accounts"))
require_administrator(scope)
if not st.session_state.get(VIEWED_KEY):
    log(scope, VIEW, access_log.ALLOWED, "list")
    st.session_state[VIEWED_KEY] = True
st.caption(t("accounts_caption"))
render_new_password()
found = accounts.load_accounts()
render_tables(found)
render_add(scope, found)
render_change(scope, found)
