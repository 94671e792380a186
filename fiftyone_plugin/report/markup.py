"""The readings' one piece of markup, a class name in backticks (the core writes "`car` boxes ..."),
rendered for each medium: HTML (``<code>``) and plain text (quotes, for the App's text views)."""

from __future__ import annotations

import html
import re

_CODE = re.compile(r"`([^`\n]+)`")


def escape(value) -> str:
    """HTML-escaped text of ``value`` (quotes included, safe in attributes)."""
    return html.escape(str(value), quote=True)


def reading_html(text) -> str:
    """A reading as HTML: escaped, class names in ``<code>``."""
    return _CODE.sub(r"<code>\1</code>", escape(text))


def reading_plain(text) -> str:
    """A reading as plain text: class names in quotes instead of backticks."""
    return _CODE.sub("‘\\1’", str(text))
