"""The fonts the PDF reports embed: a Latin sans-serif and an Arabic sans-serif.

ReportLab's built-in fonts have no Arabic glyphs (nor every French accent in every
encoding), so both faces are TrueType files, embedded (subset) in every PDF. They are looked
for, in order:

1. the PyPI packages ``fontpkg-noto-sans`` and ``fontpkg-noto-sans-arabic`` (OFL-1.1; the
   dependency to declare so a fresh machine has them);
2. the Debian packages ``fonts-noto-core`` (Noto Sans, Noto Sans Arabic) and
   ``fonts-dejavu-core`` (DejaVu Sans, which also has Arabic glyphs);
3. ``$TADQIQ_FONT_DIR``, a folder holding ``NotoSans-Regular.ttf`` and
   ``NotoSansArabic-Regular.ttf`` (and their ``-Bold`` faces if any).

No font found: ``FontsNotFoundError`` says what to install.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR_ENV = "TADQIQ_FONT_DIR"
SYSTEM_DIRS = (Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/truetype/dejavu"))

LATIN = "TadqiqSans"
LATIN_BOLD = "TadqiqSans-Bold"
ARABIC = "TadqiqArabic"
ARABIC_BOLD = "TadqiqArabic-Bold"

# (package, file in its files/ folder) then system file names, regular and bold
LATIN_FILES = (
    ("fontpkg_noto_sans", "NotoSans[wdth,wght].ttf", None),
    (None, "NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    (None, "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
)
ARABIC_FILES = (
    ("fontpkg_noto_sans_arabic", "NotoSansArabic[wdth,wght].ttf", None),
    (None, "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"),
    (None, "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
)


class FontsNotFoundError(RuntimeError):
    """No TrueType font with the needed glyphs is installed."""


@dataclass(frozen=True)
class Face:
    regular: Path
    bold: Path | None


def _search_dirs() -> list[Path]:
    dirs = [Path(os.environ[FONT_DIR_ENV])] if os.environ.get(FONT_DIR_ENV) else []
    return [*dirs, *SYSTEM_DIRS]


def _find(candidates: tuple[tuple[str | None, str, str | None], ...], what: str) -> Face:
    for package, regular, bold in candidates:
        if package is not None:
            try:
                module = importlib.import_module(package)
            except ImportError:
                continue
            path = Path(module.__file__).parent / "files" / regular
            if path.is_file():
                return Face(path, None)
            continue
        for folder in _search_dirs():
            if (folder / regular).is_file():
                bold_path = folder / bold if bold and (folder / bold).is_file() else None
                return Face(folder / regular, bold_path)
    raise FontsNotFoundError(
        f"no {what} font: install the PyPI package "
        f"{'fontpkg-noto-sans-arabic' if what == 'Arabic' else 'fontpkg-noto-sans'}, "
        f"the Debian package fonts-noto-core, or set ${FONT_DIR_ENV}"
    )


@cache
def register() -> dict[str, Path]:
    """Register the four font names with ReportLab (once) and return the files used."""
    used: dict[str, Path] = {}
    for (name, bold_name), face in (
        ((LATIN, LATIN_BOLD), _find(LATIN_FILES, "Latin")),
        ((ARABIC, ARABIC_BOLD), _find(ARABIC_FILES, "Arabic")),
    ):
        pdfmetrics.registerFont(TTFont(name, str(face.regular)))
        pdfmetrics.registerFont(TTFont(bold_name, str(face.bold or face.regular)))
        pdfmetrics.registerFontFamily(name, normal=name, bold=bold_name)
        pdfmetrics.registerFontFamily(bold_name, normal=bold_name, bold=bold_name)
        used[name], used[bold_name] = face.regular, face.bold or face.regular
    return used
