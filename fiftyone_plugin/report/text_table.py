"""Tables as aligned plain-text lines, for the terminal (a leaf module)."""

from __future__ import annotations


def text_table(
    rows: list[dict], columns: list[str], headings: list[str], missing: str = ""
) -> list[str]:
    """``rows`` shown in ``columns`` under ``headings`` as aligned plain-text lines, the headings
    first; a row without a column shows ``missing``."""
    cells = [list(headings), *([str(r.get(c, missing)) for c in columns] for r in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    return ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            for row in cells]  # fmt: skip
