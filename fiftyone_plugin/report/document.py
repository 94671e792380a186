"""A run's stored facts in one shape: its stored summary (fo/results.py) and metrics.json
(report/files.py) hold the same facts in two shapes; :func:`document_of` turns either into one
flat ``document``, which every part of the presentation reads."""

from __future__ import annotations


def document_of(summary: dict) -> dict:
    """A run's stored summary (or metrics.json) as one flat document: metric values at the top
    level beside ``readings``, ``diagnosis``, ``clusters``, ``regions`` (also under
    ``gap_regions``), ``config`` and the counts."""
    document = {**(summary.get("metrics") or {}), **summary}
    regions = document.get("regions")
    if not isinstance(regions, list):
        regions = document.get("gap_regions")
    document["regions"] = document["gap_regions"] = [
        r for r in regions or [] if isinstance(r, dict)
    ]
    return document


def kind_words(kind) -> str:
    """A diagnosis kind as words: "style-shift+missing-content" -> "style shift + missing
    content"."""
    return str(kind or "").replace("+", " + ").replace("-", " ").replace("_", " ")


def diagnosis_of(document: dict) -> dict:
    """The run's diagnosis as {kind, text, evidence} (a bare text is taken as the text)."""
    diagnosis = document.get("diagnosis") or {}
    if not isinstance(diagnosis, dict):
        diagnosis = {"text": str(diagnosis)}
    return {
        "kind": diagnosis.get("kind"),
        "text": diagnosis.get("text") or "",
        "evidence": diagnosis.get("evidence"),
    }
