"""The HTML report's first section: the verdict, the diagnosis and its evidence, the sample counts
and the graded metric cards."""

from __future__ import annotations

from .grades import FAIR, NEUTRAL, POOR, format_value, is_number, label_of
from .markup import escape as _e
from .markup import jsonish
from .metric_cards import metric_groups
from .page import section
from .presentation import RunPresentation


def _metric_card(card: dict) -> str:
    key, level = card["key"], card["grade"]
    shown = f'<span data-metric="{_e(key)}">{_e(card["number"])}</span>'
    if card["spread"] is not None:
        shown += f' <small>± <span data-metric="kid_std">{_e(card["spread"])}</span></small>'
    badge = f'<span class="badge">{level}</span>' if level != NEUTRAL else ""
    return (
        f'<div class="metric grade-{level}">'
        f'<div class="metric-head"><span class="label">{_e(card["label"])}</span>{badge}</div>'
        f'<div class="value">{shown}</div>'
        + (f'<div class="asks">{_e(card["asks"])}</div>' if card["asks"] else "")
        + (f'<div class="reading">{_e(card["reading"])}</div>' if card["reading"] else "")
        + (f'<div class="rule">{_e(card["rule"])}</div>' if card["rule"] else "")
        + "</div>"
    )


def _evidence(evidence) -> str:
    if not evidence:
        return ""
    if isinstance(evidence, dict):
        items = [
            f"<li><b>{_e(label_of(k))}</b>: "
            f"{_e(format_value(v) if is_number(v) else jsonish(v))}</li>"
            for k, v in evidence.items()
        ]
    elif isinstance(evidence, (list, tuple)):
        items = [f"<li>{_e(jsonish(v))}</li>" for v in evidence]
    else:
        return f'<p class="evidence">{_e(evidence)}</p>'
    return f'<ul class="evidence">{"".join(items)}</ul>'


def _flagged(flagged: dict, lead: str = "") -> str:
    """'Poor: ... Fair: ...' naming the metrics behind the verdict, after ``lead``."""
    parts = []
    for level in (POOR, FAIR):
        labels = [label for label, g in flagged.items() if g == level]
        if labels:
            text = ", ".join(_e(label) for label in labels)
            parts.append(f'<span class="chip grade-{level}">{level}</span>{text}')
    text = " &nbsp; ".join(parts)
    return f'<p class="flagged">{_e(lead)}{text}</p>' if parts else ""


def _count_tile(count: dict) -> str:
    note = f" ({count['note']} of real)" if count["note"] else ""
    return (
        f'<div class="count{" warn" if count["warn"] else ""}">'
        f'<div class="n" data-metric="{count["key"]}">{_e(count["value"])}</div>'
        f'<div class="what">{_e(count["what"] + note)}</div></div>'
    )


def headline_section(shown: RunPresentation) -> str:
    """The verdict box, the count tiles and the metric cards by group, with their legend."""
    head = shown.headline
    box = (
        f'<div class="verdict grade-{head["grade"]}">'
        '<div class="question">Is the synthetic data standing in for the real data?</div>'
        f'<div class="answer">{_e(head["answer"])}</div>'
        + (f'<p class="diagnosis">{_e(head["diagnosis"])}</p>' if head["diagnosis"] else "")
        + f'<p class="note">{_e(head["sentence"])}'
        + (f' <span class="kind">{_e(head["kind"])}</span>' if head["kind"] else "")
        + "</p>"
        + (f'<p class="advice"><b>Next:</b> {_e(head["advice"])}</p>' if head.get("advice") else "")
        + _flagged(head["flagged"])
        + _flagged(head.get("style_flagged") or {}, "Style, before it is removed: ")
        + _evidence(shown.diagnosis["evidence"])
        + "</div>"
    )
    tiles = [_count_tile(c) for c in shown.counts]
    cards = [
        f'<h3 class="metric-group">{_e(heading)}</h3>'
        f'<div class="metrics">{"".join(_metric_card(c) for c in group)}</div>'
        for heading, group in metric_groups(shown.metrics)
    ]
    legend = (
        '<p class="legend"><span class="chip grade-good">good</span>'
        '<span class="chip grade-fair">fair</span><span class="chip grade-poor">poor</span>'
        " colours follow rules of thumb (shown on each card), not statistical tests; "
        "uncoloured metrics have no fixed scale.</p>"
    )
    return section(
        "headline",
        "",
        box
        + (f'<div class="counts">{"".join(tiles)}</div>' if tiles else "")
        + ("".join(cards) + legend if cards else ""),
    )
