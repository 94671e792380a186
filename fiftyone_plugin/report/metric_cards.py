"""The graded metric cards of a run (value, grade, reading, rule), by group, and as the operators'
table rows."""

from __future__ import annotations

from .grades import (
    GRADE_COLORS,
    GROUPS,
    METRICS,
    NEUTRAL,
    format_value,
    grade,
    group_of,
    is_number,
    label_of,
    metric_keys,
    rule_text,
)


def metric_cards(document: dict) -> list[dict]:
    """One card per metric, those measured with the style shift removed first: ``key``,
    ``label``, ``group`` ("content", or "style" when measured before the shift is removed; see
    grades.GROUPS), ``value`` (as printed; KID with its spread), ``number`` and ``spread`` (the
    two parts), ``grade``, ``color``, ``asks``, the stored ``reading`` and the grading ``rule``.
    Sample counts are not metrics (see ``counts``)."""
    readings = document.get("readings") or {}
    cards = []
    for key in metric_keys(document):
        if key.startswith("n_"):
            continue
        asks = METRICS.get(key, ("", ""))[1]
        number = format_value(document[key])
        spread = None
        if key == "kid_mean" and is_number(document.get("kid_std")):
            spread = format_value(document["kid_std"])
        level = grade(key, document[key], document)
        cards.append(
            {
                "key": key,
                "label": label_of(key),
                "group": group_of(key, document),
                "value": number if spread is None else f"{number} ± {spread}",
                "number": number,
                "spread": spread,
                "grade": level,
                "color": GRADE_COLORS[level],
                "asks": asks,
                "reading": readings.get(key) or "",
                "rule": rule_text(key),
            }
        )
    return sorted(cards, key=lambda c: c["group"] == "style")


def metric_groups(cards: list[dict]) -> list[tuple[str, list[dict]]]:
    """The metric cards by group, in the order shown: (heading, cards) for each group that has
    cards."""
    return [
        (heading, [c for c in cards if c["group"] == group])
        for group, heading in GROUPS.items()
        if any(c["group"] == group for c in cards)
    ]


def metric_rows(cards: list[dict]) -> list[dict]:
    """The metric cards as table rows for the operators' outputs: ``name`` (the metric's human
    name; measured before the style shift is removed: "(style)"), ``value``, ``grade`` and
    ``reading`` (what it means)."""
    return [
        {
            "name": c["label"] + (" (style)" if c["group"] == "style" else ""),
            "value": c["value"],
            "grade": "" if c["grade"] == NEUTRAL else c["grade"],
            "reading": c["reading"] or c["asks"],
        }
        for c in cards
    ]
