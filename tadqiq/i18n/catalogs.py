"""The message catalogs: one gettext ``.po`` file per language, read with Babel.

Layout (docs/translation.md): ``locales/{fr,ar}/LC_MESSAGES/tadqiq.po``. The msgids are the
stable label keys the code asks for (``page_national``); French is the source language, and each
Arabic entry carries the French text as its ``#.`` comment, the reference a translator reads.
The ``.po`` files are read directly (Babel's ``read_po``) on first use and cached until the file
changes: there is no ``.mo`` to compile, on a fresh clone or after an edit, and a running
dashboard shows an edited label at its next rerun.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "tadqiq"
SOURCE_LANG = "fr"
CATALOG_LANGS = ("fr", "ar")
BRACE_FORMAT = "python-brace-format"


def catalog_path(lang: str, locales_dir: Path | None = None) -> Path:
    return (locales_dir or LOCALES_DIR) / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(lang: str, locales_dir: Path | None = None) -> Catalog:
    """The whole catalog of ``lang`` (comments, flags, fuzzy entries included)."""
    with catalog_path(lang, locales_dir).open("rb") as po:
        return read_po(po, locale=lang, domain=DOMAIN)


@lru_cache(maxsize=8)
def _messages(path: Path, mtime_ns: int, size: int) -> Mapping[str, str]:
    # What msgfmt would compile: translated, non-fuzzy entries only.
    with path.open("rb") as po:
        catalog = read_po(po, domain=DOMAIN)
    return {
        str(message.id): str(message.string)
        for message in catalog
        if message.id and message.string and not message.fuzzy
    }


def messages(lang: str) -> Mapping[str, str]:
    """msgid -> translation for ``lang``, read again only when its file changes."""
    path = catalog_path(lang)
    stat = path.stat()
    return _messages(path, stat.st_mtime_ns, stat.st_size)


class CatalogView(Mapping[str, str]):
    """A read-only ``{key: text}`` view of one language's catalog (``FR``, ``AR``)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __getitem__(self, key: str) -> str:
        return messages(self.lang)[key]

    def __iter__(self) -> Iterator[str]:
        return iter(messages(self.lang))

    def __len__(self) -> int:
        return len(messages(self.lang))

    def __repr__(self) -> str:
        return f"CatalogView({self.lang!r}, {len(self)} messages)"


def reference_of(message: Message) -> str:
    """The French source text noted on an Arabic entry (``#.`` lines, which .po files wrap)."""
    return " ".join(message.auto_comments)


def same_text(a: str, b: str) -> bool:
    """Equal, but for the line wrapping of .po comments."""
    return a.split() == b.split()


def placeholders(text: str) -> set[str]:
    """The ``{name}`` placeholders of a label."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


# --- writing (the sync command and the tests) ---


HEADERS = {
    "fr": (
        "# Tadqiq: French labels, the source text (msgid = the key the code asks for).\n"
        "# Adding or rewording a label: docs/translation.md."
    ),
    "ar": (
        "# Tadqiq: Arabic labels (msgid = the key the code asks for; #. = the French source).\n"
        "# After a change to the French catalog: .venv/bin/python -m tadqiq.i18n sync\n"
        "# (docs/translation.md)."
    ),
}


def new_catalog(lang: str, like: Catalog | None = None) -> Catalog:
    """An empty catalog of ``lang``, keeping the dates of ``like`` (the file it replaces)."""
    return Catalog(
        locale=lang,
        domain=DOMAIN,
        header_comment=HEADERS[lang],
        project="Tadqiq",
        version="1",
        msgid_bugs_address="",
        last_translator="Tadqiq",
        language_team="Tadqiq",
        creation_date=like.creation_date if like is not None else None,
        revision_date=like.revision_date if like is not None else None,
        charset="utf-8",
        fuzzy=False,
    )


def add_message(catalog: Catalog, key: str, text: str, reference: str | None = None) -> Message:
    """Add ``key`` with its text; ``reference`` (the French text) as the translator's comment."""
    message = catalog.add(key, text, auto_comments=[reference] if reference is not None else ())
    set_format_flag(message, reference if reference is not None else text)
    return message


def set_format_flag(message: Message, source: str) -> None:
    # Babel guesses "python-format" from "%" signs; our labels use str.format placeholders.
    message.flags.discard("python-format")
    if placeholders(source):
        message.flags.add(BRACE_FORMAT)
    else:
        message.flags.discard(BRACE_FORMAT)


def save_catalog(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as po:
        write_po(po, catalog, width=100, omit_header=False, sort_output=False)
    _messages.cache_clear()


def sync(locales_dir: Path | None = None) -> list[str]:
    """Bring the Arabic catalog in line with the French one (the source): every French msgid
    present (new ones added untranslated), the ``#.`` reference comments refreshed, entries that
    left the French catalog dropped. Returns what still needs a translator."""
    source = read_catalog(SOURCE_LANG, locales_dir)
    todo: list[str] = []
    for lang in CATALOG_LANGS:
        if lang == SOURCE_LANG:
            continue
        target = read_catalog(lang, locales_dir)
        synced = new_catalog(lang, like=target)
        for fr_message in source:
            if not fr_message.id:
                continue
            key = str(fr_message.id)
            current = target.get(key)
            text = str(current.string) if current is not None and current.string else ""
            french = str(fr_message.string)
            message = add_message(synced, key, text, reference=french)
            if text and (current.fuzzy or not same_text(reference_of(current), french)):
                # a new French text: the translation stays, flagged for review
                message.flags.add("fuzzy")
            if not text or message.fuzzy:
                todo.append(f"{lang}: {key}")
        save_catalog(synced, catalog_path(lang, locales_dir))
    return todo
