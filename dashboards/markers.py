"""Risk-class and band markers that render on every system, without an emoji font.

``tadqiq.i18n.class_label`` / ``band_label`` prefix a coloured emoji (🔴, 🟠…) that shows as an
empty box where no emoji font is installed; the dashboard asks for the bare label and adds:

* in tables (``st.dataframe`` draws on a canvas, one colour per cell): a plain geometric
  character whose fill grows with the risk (○ ◔ ◑ ●, from the Geometric Shapes block that
  DejaVu Sans, Segoe UI Symbol and Apple's system fonts all carry), so the class reads at a
  glance in any font and without colour;
* in Markdown (metric values, captions): a Streamlit coloured badge, ``:red-badge[Critique]``;
* the warning sign of "unstable" in its text presentation (U+26A0 U+FE0E), which DejaVu Sans
  and every system font draw, instead of the emoji presentation;

and the rank among peers (``rang 3 sur 1 503 communes``).
"""

from __future__ import annotations

import pandas as pd

from tadqiq.i18n import MISSING, band_label, class_label, fmt_number, level_label, t

CLASS_SHAPES: dict[str, str] = {"low": "○", "moderate": "◔", "high": "◑", "critical": "●"}
BAND_SHAPES: dict[str, str] = {"green": "○", "amber": "◑", "red": "●"}
NO_BAND_SHAPE = "◌"
CLASS_BADGES: dict[str, str] = {
    "low": "green",
    "moderate": "yellow",
    "high": "orange",
    "critical": "red",
}
EMOJI_WARNING, TEXT_WARNING = "\u26a0\ufe0f", "\u26a0\ufe0e"


def class_text(risk_class: object) -> str:
    """A risk class for a table cell, e.g. ``● Critique``."""
    if pd.isna(risk_class) or risk_class not in CLASS_SHAPES:
        return MISSING
    return f"{CLASS_SHAPES[str(risk_class)]} {class_label(str(risk_class), marker=False)}"


def band_text(band: object) -> str:
    """An indicator band for a table cell, e.g. ``◑ Orange`` (``◌ Sans donnée``)."""
    if pd.isna(band) or band not in BAND_SHAPES:
        return f"{NO_BAND_SHAPE} {band_label(None, marker=False)}"
    return f"{BAND_SHAPES[str(band)]} {band_label(str(band), marker=False)}"


def class_markdown(risk_class: object) -> str:
    """A risk class as a coloured Streamlit badge, for metric values and captions."""
    if pd.isna(risk_class) or risk_class not in CLASS_BADGES:
        return MISSING
    text = class_label(str(risk_class), marker=False)
    return f":{CLASS_BADGES[str(risk_class)]}-badge[{text}]"


def unstable_text(flag: object) -> str:
    """``⚠ instable`` (text presentation) or ``stable``; the dash when unknown."""
    if pd.isna(flag):
        return MISSING
    return t("unstable_yes" if flag else "unstable_no").replace(EMOJI_WARNING, TEXT_WARNING)


def rank_among_peers(score: pd.Series, level: str) -> str | None:
    """``rang 3 sur 1 503 communes``: the rank among the collectivities of the same level.

    The national rank, or the level rank of an arrondissement (not a territorial
    collectivity, so without a national rank); ``ranked_in_level`` is the N. A snapshot
    built before the per-level ranks has no N: the rank alone, within its level.
    """
    rank = score.get("national_rank")
    if pd.isna(rank):
        rank = score.get("level_rank")
    if pd.isna(rank):
        return None
    count = score.get("ranked_in_level")
    if pd.isna(count):
        return t("level_rank", rank=fmt_number(rank), level=level_label(level))
    return t("rank_of", rank=fmt_number(rank), count=fmt_number(count), level=t(f"levels_{level}"))
