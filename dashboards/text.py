"""Text from outside the code (a URL, a source file, a user's entry) shown in Streamlit.

Streamlit renders Markdown — links, images, ``:color[...]`` and ``:material/...:`` directives —
in ``st.error``, ``st.markdown`` and captions. A value that came from a URL or a collectivity's
export must show as the characters it is, never as a link or an image inside an official
banner: ``plain`` escapes every Markdown and HTML character and caps the length.
"""

from __future__ import annotations

import re

MARKDOWN = re.compile(r"([\\`*_{}\[\]()!|<>~$:&\"'=])")  # mid-line specials only
LIMIT = 200


def plain(value: object, limit: int = LIMIT) -> str:
    """``value`` as literal text in Markdown: escaped, on one line, at most ``limit`` chars."""
    text = " ".join(str(value).split())  # no line breaks: no headings, lists or tables
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return MARKDOWN.sub(r"\\\1", text)
