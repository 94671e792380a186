"""What the whole set of metrics says (the verdict), the metrics' labels and colours, and the
number format every front end shows them in. A single metric's grade and its rule come from the
one thresholds table of core/readings.py, which the core's plain-language readings use too.
"""

from __future__ import annotations

import math

import numpy as np

from ..core.readings import (  # noqa: F401 (the report's vocabulary, used by its modules)
    FAIR,
    GOOD,
    NEUTRAL,
    POOR,
    THRESHOLDS,
    grade,
    is_number,
    rule_text,
)

#: Text colour of each grade, shared by the HTML report and the App panel.
GRADE_COLORS = {GOOD: "#15803d", FAIR: "#b45309", POOR: "#b91c1c", NEUTRAL: "#6b7280"}


#: Metrics in the order the report shows them, with a label and what each one asks.
METRICS: dict[str, tuple[str, str]] = {
    "coverage": ("Coverage", "share of real neighbourhoods that hold a synthetic image"),
    "recall": ("Recall", "how much of the real variety the synthetic set reproduces"),
    "precision": ("Precision", "share of synthetic images that look like some real image"),
    "density": ("Density", "how tightly synthetic images sit among real ones (1 = like real)"),
    "c2st_auc": ("Domain classifier AUC", "can a classifier tell the sides apart? 0.5 = no"),
    "uncovered_fraction": ("Uncovered real share", "real images with no synthetic look-alike"),
    "fid": ("FID", "distance between the two feature distributions (lower = closer)"),
    "kid_mean": ("KID", "unbiased distribution distance (0 = same distribution)"),
}

#: Metrics that decide the verdict when poor: real content missing from the synthetic set.
CONTENT_METRICS = ("coverage", "recall", "uncovered_fraction")

#: Verdict -> (answer, grade, sentence).
VERDICTS = {
    "yes": (
        "Yes, largely",
        GOOD,
        "The synthetic set reproduces the real set on the measures below.",
    ),
    "partly": (
        "Partly",
        FAIR,
        "The synthetic set stands in for the real set only in part: see the flagged measures.",
    ),
    "no": (
        "No",
        POOR,
        "Real content is missing from the synthetic set, or the two sets differ strongly.",
    ),
    "unclear": ("Unclear", NEUTRAL, "The run holds no graded metric to judge by."),
}


def verdict(document: dict) -> str:
    """'yes', 'partly', 'no' or 'unclear': does the synthetic set stand in for the real one?

    'no' when a content metric (coverage, recall, uncovered share) is poor or two metrics are;
    'yes' when none is poor and at least half of the graded ones are good; 'partly' otherwise
    (e.g. a pure style shift: the domain classifier separates the sides, the content is covered).
    """
    grades = {
        k: grade(k, document.get(k), document) for k in THRESHOLDS if is_number(document.get(k))
    }
    if not grades:
        return "unclear"
    poor = [k for k, g in grades.items() if g == POOR]
    if any(k in CONTENT_METRICS for k in poor) or len(poor) >= 2:
        return "no"
    if not poor and 2 * sum(g == GOOD for g in grades.values()) >= len(grades):
        return "yes"
    return "partly"


def format_value(value) -> str:
    """How the report prints a number: integers with thousands separators, floats with three
    decimals below 1 (scientific below 0.001), two below 100, none above. Non-numbers as text."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "n/a" if value is None else str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if not math.isfinite(value):
        return "n/a"
    size = abs(value)
    if size == 0:
        return "0"
    if size < 0.001:
        return f"{value:.2e}"
    if size < 0.01:
        return f"{value:.4f}"
    if size < 1:
        return f"{value:.3f}"
    if size < 100:
        return f"{value:.2f}"
    return f"{value:,.0f}"


def metric_keys(document: dict) -> list[str]:
    """Metrics to show: the known ones present as numbers, in ``METRICS`` order, then any other
    numeric value that comes with a reading."""
    readings = document.get("readings") or {}
    known = [k for k in METRICS if is_number(document.get(k))]
    extra = [
        k for k in readings if k not in METRICS and k != "kid_std" and is_number(document.get(k))
    ]
    return known + extra
