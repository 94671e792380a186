"""How good is a metric value, and what does the whole set of them say: the rules of thumb the
HTML report (and the App panel) colour metrics by, and the number format they show them in.

The thresholds are rules of thumb, not statistics: they are meant to point a reader at the
numbers worth a second look, and every one of them is written down here, once, with its reason.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

GOOD, FAIR, POOR, NEUTRAL = "good", "fair", "poor", "neutral"

#: Text colour of each grade, shared by the HTML report and the App panel.
GRADE_COLORS = {GOOD: "#15803d", FAIR: "#b45309", POOR: "#b91c1c", NEUTRAL: "#6b7280"}


@dataclass(frozen=True)
class Threshold:
    """Grade of a metric: ``good`` at or better than ``good``, ``poor`` at or worse than ``poor``,
    ``fair`` between. ``better`` is "higher", "lower" or "half" (best at 0.5, graded on the
    distance from 0.5, mirrored so that 0.1 reads like 0.9)."""

    better: str
    good: float
    poor: float


#: Metric grades. The neighbourhood metrics (precision, recall, density, coverage) follow
#: Naeem et al. 2020 with k nearest real neighbours (k = 5): two samples of one distribution
#: give coverage near 1 - 2**-k = 0.97 and density near 1, and precision / recall well above 0.7.
#: A domain classifier (C2ST) that cannot tell the two sides apart scores an AUC of 0.5; 0.9 and
#: above means nearly every image betrays its side. FID and KID have no threshold: their scale
#: depends on the embedding model and the sample sizes, so they are shown uncoloured (compare runs
#: made with the same model instead), except that a KID within two standard deviations of 0 is
#: graded good (no measurable difference; see ``grade``).
THRESHOLDS: dict[str, Threshold] = {
    "precision": Threshold("higher", good=0.7, poor=0.4),
    "recall": Threshold("higher", good=0.7, poor=0.4),
    "density": Threshold("higher", good=0.8, poor=0.5),
    "coverage": Threshold("higher", good=0.8, poor=0.5),
    "c2st_auc": Threshold("half", good=0.6, poor=0.9),
    "uncovered_fraction": Threshold("lower", good=0.05, poor=0.2),
}

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


def is_number(value) -> bool:
    """True for a finite real number, numpy scalars included (bools excluded)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        return False
    return math.isfinite(value)


def grade(key: str, value, document: dict | None = None) -> str:
    """GOOD, FAIR, POOR or NEUTRAL for metric ``key`` at ``value``."""
    if not is_number(value):
        return NEUTRAL
    if key == "kid_mean":
        std = (document or {}).get("kid_std")
        return GOOD if is_number(std) and value <= 2 * std else NEUTRAL
    rule = THRESHOLDS.get(key)
    if rule is None:
        return NEUTRAL
    if rule.better == "half":
        value = max(value, 1.0 - value)
    if rule.better == "higher":
        return GOOD if value >= rule.good else POOR if value <= rule.poor else FAIR
    return GOOD if value <= rule.good else POOR if value >= rule.poor else FAIR


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
