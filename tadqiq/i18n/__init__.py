"""Labels (French / Arabic) and Moroccan number and date formats, for the dashboards, the reports
and the command line.

The labels live in gettext catalogs, ``locales/{fr,ar}/LC_MESSAGES/tadqiq.po`` (``catalogs``;
how to translate: docs/translation.md); numbers and dates go through Babel's locale formatting.
The current language is what the registered provider says (the dashboards register the
session's choice; see ``set_language_provider``), French otherwise. No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime

import pandas as pd
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from tadqiq.i18n.catalogs import SOURCE_LANG, CatalogView, messages

LANGUAGES: dict[str, str] = {"fr": "Français", "ar": "العربية"}
DEFAULT_LANG = "fr"
MISSING = "—"

# Read-only views of the catalogs (tadqiq/i18n/locales/*/LC_MESSAGES/tadqiq.po), the one place
# labels live: ``FR["page_national"]``.
FR: Mapping[str, str] = CatalogView("fr")
AR: Mapping[str, str] = CatalogView("ar")
LABELS: dict[str, Mapping[str, str]] = {"fr": FR, "ar": AR}


def _no_choice() -> str | None:
    return None


_language_provider: Callable[[], str | None] = _no_choice


def set_language_provider(provider: Callable[[], str | None]) -> None:
    """Tell ``current_lang`` where the user's choice lives (the dashboard's session state)."""
    global _language_provider
    _language_provider = provider


def current_lang() -> str:
    """The user's language (French when there is no choice, or no user: command line, Dagster)."""
    try:
        lang = _language_provider()
    except Exception:  # a provider outside its context (no Streamlit session)
        lang = None
    return lang if lang in LANGUAGES else DEFAULT_LANG


def label(lang: str, key: str, **values: object) -> str:
    """The label ``key`` in ``lang``, outside any session (reports, command line).

    A key missing from the French catalog (the source) is an error; an Arabic entry not yet
    translated (empty or fuzzy) falls back to the French text rather than to the bare key.
    """
    text = messages(lang).get(key) if lang != SOURCE_LANG else None
    if text is None:
        text = messages(SOURCE_LANG)[key]
    return text.format(**values)


def t(key: str, **values: object) -> str:
    """The label ``key`` in the current language, with ``{placeholders}`` filled in."""
    return label(current_lang(), key, **values)


def localized(column: str, lang: str | None = None) -> str:
    """The current-language variant of a bilingual column: ``name`` -> ``name_fr``."""
    return f"{column}_{lang or current_lang()}"


def _is_missing(x: object) -> bool:
    return x is None or bool(pd.isna(x))


# Numbers and dates follow Babel's (CLDR's) fr_MA conventions in both languages: a narrow
# no-break space (U+202F) between thousands, a decimal comma, Latin digits, dd/mm/yyyy. CLDR's
# ar_MA would write "1.234.567,8" and "5/3/2024" with right-to-left marks: Moroccan
# administrative documents in Arabic use the same Latin-digit, space-grouped figures as the French
# ones, and the U+202F keeps a figure in one piece inside right-to-left text (with a plain space
# the bidirectional algorithm would let "4 222 030" come out as "030 222 4"). So the locale is
# fixed, whatever the language of the labels.
NUMBER_LOCALE = "fr_MA"
THOUSANDS = "\u202f"
# The date pattern is explicit (fr_MA's "short" format is the same today): dd/mm/yyyy is what
# users read on every page and report, whatever CLDR's next release says.
DATE_PATTERN = "dd/MM/yyyy"


def _pattern(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def _rounded(x: float, decimals: int) -> float:
    # Rounded here, so that a value that rounds to zero is written "0,0", not "-0,0" ("+ 0.0"
    # turns -0.0 into 0.0).
    return round(float(x), decimals) + 0.0


def fmt_number(x: float | None, decimals: int = 0) -> str:
    """Format as in Morocco: space thousands separator, comma decimal (``1 234 567,8``)."""
    if _is_missing(x):
        return MISSING
    return format_decimal(_rounded(x, decimals), _pattern(decimals), locale=NUMBER_LOCALE)


def fmt_signed(x: float | None, decimals: int = 1) -> str:
    """A change with its sign: ``+1,5``, ``-0,3``, ``0,0``."""
    if _is_missing(x):
        return MISSING
    value = _rounded(x, decimals)
    pattern = _pattern(decimals)
    signed = f"+{pattern};-{pattern}" if value != 0 else pattern
    return format_decimal(value, signed, locale=NUMBER_LOCALE)


def fmt_pct(x: float | None, decimals: int = 1) -> str:
    """Format a fraction as a percentage (``0.253`` -> ``25,3 %``).

    The space before "%" stays a plain space, as the dashboards and reports have always shown it
    (fr_MA's own percent format puts a no-break space and no decimals).
    """
    if _is_missing(x):
        return MISSING
    pattern = _pattern(decimals) + " %"
    # Rounded as a percentage first, as fmt_number rounds (so that 25,35 % shown as a number and
    # as a percentage agree, ties included), then handed to Babel.
    value = _rounded(float(x) * 100, decimals) / 100
    return format_percent(value, pattern, locale=NUMBER_LOCALE)


def fmt_date(day: date | datetime | None) -> str:
    """A date as in Morocco: ``dd/mm/yyyy``."""
    return MISSING if day is None else format_date(day, DATE_PATTERN, locale=NUMBER_LOCALE)


def fmt_value(x: float | None, unit: str, lang: str | None = None) -> str:
    """Format an indicator value according to its unit."""
    lang = lang or current_lang()
    if _is_missing(x):
        return MISSING
    if unit == "ratio":
        return fmt_pct(x)
    if unit == "years":
        return f"{fmt_number(x, 1)} {label(lang, 'unit_years')}"
    if unit == "mad":
        return f"{fmt_number(x, 0)} {label(lang, 'unit_mad')}"
    if unit == "count":
        return fmt_number(x, 0)
    if unit == "score":
        return fmt_number(x, 1)
    return fmt_number(x, 2)


CLASS_MARKERS: dict[str, str] = {"low": "🟢", "moderate": "🟡", "high": "🟠", "critical": "🔴"}
BAND_MARKERS: dict[str, str] = {"green": "🟢", "amber": "🟠", "red": "🔴"}


def level_label(level: str, lang: str | None = None) -> str:
    return label(lang or current_lang(), f"level_{level}")


def type_label(collectivity_type: str, lang: str | None = None) -> str:
    return label(lang or current_lang(), f"type_{collectivity_type}")


def class_label(risk_class: str | None, lang: str | None = None, marker: bool = True) -> str:
    """Localized risk class with its coloured marker, e.g. ``🔴 Critique``."""
    if _is_missing(risk_class):
        return MISSING
    text = label(lang or current_lang(), f"class_{risk_class}")
    return f"{CLASS_MARKERS[risk_class]} {text}" if marker else text


def band_label(band: str | None, lang: str | None = None, marker: bool = True) -> str:
    """Localized indicator band with its coloured marker, e.g. ``🟠 Orange``."""
    lang = lang or current_lang()
    if _is_missing(band):
        text = label(lang, "band_none")
        return f"⚪ {text}" if marker else text
    text = label(lang, f"band_{band}")
    return f"{BAND_MARKERS[band]} {text}" if marker else text


def status_label(status: str | None, lang: str | None = None) -> str:
    """A recommendation status in the language, or the warehouse's own word if unknown."""
    if _is_missing(status):
        return MISSING
    key = f"status_{status}"
    return label(lang or current_lang(), key) if key in FR else str(status)
