"""Arabic for PDF: shaping (arabic-reshaper), right-to-left order (python-bidi), font runs.

ReportLab draws glyphs in the order it is given and knows neither contextual forms nor
direction. So Arabic text is *shaped* first (each letter replaced by its isolated, initial,
medial or final presentation form, U+FE70–U+FEFF / U+FB50–U+FDFF, and lam-alef ligatures),
then put in *visual* order by the Unicode bidirectional algorithm, line by line: a paragraph
is wrapped in logical order before each line is reordered, or its lines would come out in
reverse.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi import get_display

_RESHAPER = arabic_reshaper.ArabicReshaper(
    configuration={"delete_harakat": False, "support_ligatures": True}
)

ARABIC_RANGES = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF),
                 (0xFE70, 0xFEFF))  # fmt: skip


def is_arabic_char(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in ARABIC_RANGES)


def has_arabic(text: str) -> bool:
    return any(is_arabic_char(char) for char in text)


# A left-to-right run inside right-to-left text: numbers with their sign, separators and
# units ("-0,55", "1 234,5 %", "12–41"), codes ("06.141.01.0"), Latin words and ranges with
# their brackets ("(0–100)", "L×I (1–25)"). Each is isolated (LRI … PDI) before reordering,
# so "(0–100)" does not come out as ")100–0(" nor "-0,55" as "0,55-".
LTR_RUN = re.compile(
    r"[-+−]?[(\[]?[0-9A-Za-zÀ-ÿ][0-9A-Za-zÀ-ÿ .,:%×/+\-–=()\[\]'_\u202f]*[0-9A-Za-zÀ-ÿ%)\]]"
    r"|[0-9A-Za-z]"
)
LRI, PDI = "\u2066", "\u2069"
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069\u200e\u200f"), None)


def _isolate_ltr(text: str) -> str:
    return LTR_RUN.sub(lambda m: f"{LRI}{m.group(0)}{PDI}", text)


def visual(text: str, rtl: bool) -> str:
    """One line, shaped and in visual order (``rtl``: base direction right to left)."""
    if not text:
        return ""
    if not has_arabic(text) and not rtl:
        return text
    shaped = _RESHAPER.reshape(_isolate_ltr(text) if rtl else text)
    return get_display(shaped, base_dir="R" if rtl else "L").translate(BIDI_CONTROLS)


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Greedy word wrap in logical order; ``measure`` gives the drawn width of a line."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and measure(candidate) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def font_runs(text: str, arabic_font: str) -> str:
    """ReportLab paragraph markup: XML-escaped ``text`` with its Arabic runs in ``arabic_font``.

    The Latin font of the paragraph draws everything else (digits, codes, French names).
    """
    out: list[str] = []
    run: list[str] = []
    in_arabic = False
    for char in text:
        arabic = is_arabic_char(char) or (in_arabic and char == " ")
        if arabic != in_arabic and run:
            out.append(_run("".join(run), arabic_font if in_arabic else None))
            run = []
        in_arabic = arabic
        run.append(char)
    if run:
        out.append(_run("".join(run), arabic_font if in_arabic else None))
    return "".join(out)


def _run(text: str, font: str | None) -> str:
    return escape(text) if font is None else f'<font name="{font}">{escape(text)}</font>'
