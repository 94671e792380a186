"""A run's sample counts as its presentation shows them (real, synthetic, uncovered, ...)."""

from __future__ import annotations

from .grades import format_value, is_number

#: Counts shown with the verdict: document key -> what is counted.
COUNTS = {
    "n_real": "real",
    "n_synthetic": "synthetic",
    "n_uncovered": "real uncovered",
    "n_underrepresented": "more real underrepresented",
    "n_gap_regions": "gap regions",
    "n_failed": "unreadable",
}
#: Counts that, above zero, are a warning.
WARN_COUNTS = ("n_uncovered", "n_underrepresented", "n_gap_regions", "n_failed")


def counts(document: dict) -> list[dict]:
    """The sample counts present: ``key``, ``value`` (as printed), ``what``, ``note`` (the
    uncovered / underrepresented share of the real samples) and ``warn`` (a count that should be 0 is not)."""
    values = dict(document)
    values.setdefault("n_gap_regions", len(document.get("regions") or []))
    n_real = values.get("n_real")
    out = []
    for key, what in COUNTS.items():
        value = values.get(key)
        if not is_number(value):
            continue
        if key == "n_gap_regions" and value == 1:
            what = "gap region"
        note = ""
        if key in ("n_uncovered", "n_underrepresented") and is_number(n_real) and n_real > 0:
            note = f"{value / n_real:.0%}"
        out.append(
            {
                "key": key,
                "value": format_value(value),
                "what": what,
                "note": note,
                "warn": key in WARN_COUNTS and value > 0,
            }
        )
    return out


def count_line(document: dict) -> str:
    """e.g. "120 real · 80 synthetic · 30 real uncovered (25%) · 2 gap regions"."""
    return " · ".join(
        f"{c['value']} {c['what']}" + (f" ({c['note']})" if c["note"] else "")
        for c in counts(document)
    )
