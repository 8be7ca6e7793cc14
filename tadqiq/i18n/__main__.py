"""``python -m tadqiq.i18n sync``: after an edit of the French catalog, bring the Arabic one in
line (new msgids added untranslated, French reference comments refreshed, reworded French
sources flagged fuzzy) and list what still needs a translator (docs/translation.md)."""

from __future__ import annotations

import sys

from tadqiq.i18n.catalogs import sync


def main(argv: list[str]) -> int:
    if argv != ["sync"]:
        print(__doc__, file=sys.stderr)
        return 2
    todo = sync()
    for entry in todo:
        print(f"to translate or review: {entry}")
    print(f"{len(todo)} message(s) to translate or review" if todo else "catalogs in line")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
