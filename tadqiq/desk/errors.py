"""What the audit desk says when it writes nothing: bad input, a step not allowed, a conflict.

Every error carries a label key of the catalogs (``tadqiq/i18n/locales``) and its values, so a
form shows it in the user's language (``error.message(lang)``); ``str(error)`` is the French
text (command line, logs). Placeholders named in ``labels`` hold label keys themselves (a field
name, a status), translated with the message. A refusal outside the user's scope or role is
not one of these: it is ``tadqiq.access.AccessDenied``, logged.
"""

from __future__ import annotations

from datetime import date, datetime

from tadqiq.i18n import fmt_date, fmt_number, label


def _shown(value: object) -> str:
    if isinstance(value, datetime):
        return f"{fmt_date(value)} {value:%H:%M}"
    if isinstance(value, date):
        return fmt_date(value)
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int | float):
        return fmt_number(value, 0 if float(value).is_integer() else 2)
    return str(value)


class DeskError(ValueError):
    """Bad input or a step that is not allowed: nothing was written.

    ``field`` names the form field at fault (None: the whole submit).
    """

    def __init__(
        self,
        key: str,
        *,
        field: str | None = None,
        labels: dict[str, str] | None = None,
        **values: object,
    ) -> None:
        self.key = key
        self.field = field
        self.labels = dict(labels or {})
        self.values = values
        super().__init__(self.message("fr"))

    def message(self, lang: str) -> str:
        values = {name: _shown(value) for name, value in self.values.items()}
        values |= {name: label(lang, key) for name, key in self.labels.items()}
        return label(lang, self.key, **values)


class TransitionRefused(DeskError):
    """A status change the lifecycle does not allow (e.g. planifiée → clôturée)."""


class VersionConflict(DeskError):
    """Someone saved the record after the user opened it: reload, nothing was overwritten."""
