"""Text for the report's markup: escaped values, values from the data as text (``jsonish``), and
the readings' one piece of markup, a class name in backticks (the core writes "`car` boxes ..."),
rendered for each medium: HTML (``<code>``) and plain text (quotes, for the App's text views)."""

from __future__ import annotations

import html
import json
import re

import numpy as np

from .grades import format_value, is_number

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


def jsonish(value, exact: bool = False) -> str:
    """Text of a value from the data: numbers as the report formats them (as given if ``exact``),
    lists and dicts as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, np.generic):
        value = value.item()
    if is_number(value) or value is None or isinstance(value, bool):
        return str(value) if exact else format_value(value)
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)
