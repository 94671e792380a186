"""The HTML report's closing sections: the images that could not be read, and the run's
parameters."""

from __future__ import annotations

from .markup import escape as _e
from .markup import jsonish
from .page import section

#: Unreadable images listed.
MAX_FAILURES = 500


def failures_section(failures: list[dict]) -> str:
    """The images that could not be read, and why ("" when none)."""
    if not failures:
        return ""
    rows = "".join(
        f'<tr><td class="path">{_e(f.get("filepath", ""))}</td><td>{_e(f.get("domain", ""))}</td>'
        f'<td class="reason">{_e(f.get("reason", ""))}</td></tr>'
        for f in failures[:MAX_FAILURES]
        if isinstance(f, dict)
    )
    more = (
        f'<p class="more">{len(failures) - MAX_FAILURES:,} more in samples.csv (load_error).</p>'
        if len(failures) > MAX_FAILURES
        else ""
    )
    intro = f"{len(failures):,} images could not be read and were left out of the analysis."
    table = f"<table><tr><th>file</th><th>side</th><th>reason</th></tr>{rows}</table>"
    return section("failures", intro, table + more)


def parameters_section(items: list[tuple]) -> str:
    """How the run was made: (label, value) rows."""
    if not items:
        return ""
    rows = "".join(
        f"<tr><th>{_e(k)}</th><td>{_e(jsonish(v, exact=True))}</td></tr>" for k, v in items
    )
    return section("parameters", "", f'<table class="params">{rows}</table>')
