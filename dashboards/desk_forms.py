"""What the audit desk's pages share: the store, one client token per form display, a submit
shown in the user's language, the labels of statuses, scales and categories.

Every write goes through the desk's services (``tadqiq.desk``), which check the scope and the
role; a refusal (``AccessDenied``) is shown and was logged by the service (``auth.
refusals_shown`` around the page). Bad input (``DeskError``) is shown in the user's language
above the form, whose values stay; a version conflict says who saved first and offers nothing
to overwrite. A form's token is kept in the session until its submit succeeds, so a double
click or a resubmitted page writes once.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import streamlit as st

from dashboards.text import plain
from tadqiq.access import Role, Scope
from tadqiq.desk import cells, db, follow_up, missions, reference
from tadqiq.desk.errors import DeskError, VersionConflict
from tadqiq.desk.guard import Outcome
from tadqiq.i18n import MISSING, current_lang, fmt_date, localized, t

FLASH_KEY = "desk_flash"
log = logging.getLogger(__name__)


def store() -> db.Store:
    """The desk's store (migrated on first use); the page stops with a message if it is down."""
    try:
        return db.open_store()
    except Exception:  # a server down or refused: say so, the details go to the server's log
        log.exception("the audit desk's store cannot be opened")
        st.error(t("desk_store_unavailable"))
        st.stop()
        raise


def token(form: str) -> str:
    """The client token of ``form`` as displayed now (renewed after a successful submit)."""
    key = f"desk_token_{form}"
    if key not in st.session_state:
        st.session_state[key] = secrets.token_urlsafe(16)
    return str(st.session_state[key])


def form_key(form: str) -> str:
    """The form's Streamlit key: a new one after a version conflict, so the form shows the
    record as saved instead of the values that were not written."""
    return f"{form}_{st.session_state.get(f'desk_generation_{form}', 0)}"


def displayed_version(form: str, current: int) -> int:
    """The version of the record when ``form`` was last displayed: what the user saw, which a
    submit must still find (the submit's own run reads the record again, maybe newer)."""
    return int(st.session_state.get(f"desk_seen_{form}", current))


def displayed(form: str, current: int) -> None:
    """Remember the version ``form`` shows now (call after the form)."""
    st.session_state[f"desk_seen_{form}"] = current


def submit(form: str, action: Callable[[str], Outcome], success_key: str) -> None:
    """Run ``action(token)``; on success say so (after the rerun) and renew the form's token."""
    try:
        outcome = action(token(form))
    except VersionConflict as conflict:
        st.session_state.pop(f"desk_token_{form}", None)
        generation = f"desk_generation_{form}"
        st.session_state[generation] = st.session_state.get(generation, 0) + 1
        st.warning(plain(conflict.message(current_lang()), 500))
        return
    except DeskError as error:
        st.error(plain(error.message(current_lang()), 500))
        return
    st.session_state.pop(f"desk_token_{form}", None)
    st.session_state[FLASH_KEY] = t(success_key, reference=outcome.reference or "")
    st.rerun()


def step_form(
    form: str,
    current: int,
    submit_label: str,
    action: Callable[[int, str, str], Outcome],
    success_key: str,
    *,
    text_label: str | None = None,
    caption: str | None = None,
    primary: bool = False,
) -> None:
    """A one-step form (a button, maybe a caption and one free text): the version the user saw,
    the token, the submit and its message, as every step of the desk does. ``action`` gets the
    version shown, the token and the text typed (empty without ``text_label``)."""
    version = displayed_version(form, current)
    text = ""
    with st.form(form_key(form)):
        if caption:
            st.caption(t(caption))
        if text_label:
            text = st.text_area(t(text_label), max_chars=2000)
        submitted = st.form_submit_button(
            t(submit_label), type="primary" if primary else "secondary"
        )
    if submitted:
        submit(form, lambda token: action(version, token, text), success_key)
    displayed(form, current)


def flash() -> None:
    """The message of the last successful submit, once."""
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(plain(message, 300))


def day(value: date | None) -> str:
    return fmt_date(value) if value is not None else MISSING


def mission_status(code: str) -> str:
    return t(missions.STATUS_LABELS[code])


def recommendation_status(code: str) -> str:
    return t(follow_up.STATUS_LABELS[code])


def severity(level: int) -> str:
    return f"{level} · {t(f'desk_severity_{level}')}"


def priority(level: int) -> str:
    return f"{level} · {t(f'desk_priority_{level}')}"


def category(code: str) -> str:
    return f"{code} · {t(f'desk_category_{code}')}"


def collectivity_choice(scope: Scope, key: str) -> str:
    """The collectivity a form is about: the user's own for a cell's auditor or a focal
    point; one of the region's for a region user (the service checks the scope again)."""
    if scope.role is not Role.REGION:
        return str(scope.area)
    codes = sorted(reference.covered_codes(scope) or (), key=lambda c: (len(c), c))
    names = {code: getattr(reference.place(code), localized("name")) for code in codes}
    return str(
        st.selectbox(
            t("desk_field_collectivity_code"),
            codes,
            format_func=lambda code: f"{code} · {names[code]}",
            key=key,
        )
    )


@dataclass(frozen=True)
class Question:
    code: str  # CE-01 …
    component: str  # COSO_COMPONENTS
    principle: int  # 1 … 17
    text: str


def ic_questionnaire() -> list[Question]:
    """The COSO questionnaire of the IC tool's workbook, in its order and with its codes: the
    questions of ``tadqiq.synthetic.operations`` (COSO 2013: each component's principles, two
    questions each, numbered within the component)."""
    from tadqiq.synthetic.operations import COSO, QUESTIONS

    questions = []
    for component, principles, prefix in COSO:
        number = 0
        for principle in principles:
            for text in QUESTIONS[principle]:
                number += 1
                questions.append(Question(f"{prefix}-{number:02d}", component, principle, text))
    return questions


def ic_status(code: str) -> str:
    return t(cells.IC_STATUS_LABELS[code])


def coso_component(code: str) -> str:
    return t(f"desk_coso_{code}")
