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


#: Metrics in the order the report shows them, with a label and what each one asks: first those
#: measured after the global style shift is removed (what the synthetic data lacks), then the
#: STYLE metrics, measured before (how differently it is rendered).
METRICS: dict[str, tuple[str, str]] = {
    "uncovered_fraction": (
        "Uncovered real share",
        "real images with no synthetic look-alike once the style shift is removed",
    ),
    "underrepresented_fraction": (
        "Underrepresented real share",
        "real images that likely have too few synthetic look-alikes (the second, less certain tier)",
    ),
    "coverage_aligned": (
        "Coverage, style removed",
        "share of real neighbourhoods that hold a synthetic image once the style shift is removed",
    ),
    "mixing_auc_aligned": (
        "Neighbourhood mixing AUC, style removed",
        "do real and synthetic images share neighbourhoods? 0.5 = fully mixed",
    ),
    "mean_realism": ("Mean realism", "how much the synthetic images look real (0 to 1)"),
    "coverage": ("Coverage", "share of real neighbourhoods that hold a synthetic image"),
    "recall": ("Recall", "how much of the real variety the synthetic set reproduces"),
    "precision": ("Precision", "share of synthetic images that look like some real image"),
    "density": ("Density", "how tightly synthetic images sit among real ones (1 = like real)"),
    "c2st_auc": ("Domain classifier AUC", "can a classifier tell the sides apart? 0.5 = no"),
    "fid": ("FID", "distance between the two feature distributions (lower = closer)"),
    "kid_mean": ("KID", "unbiased distribution distance (0 = same distribution)"),
}

#: Metrics measured before the style shift is removed: shown under "style", after the others.
STYLE_METRICS = ("coverage", "recall", "precision", "density", "c2st_auc", "fid", "kid_mean")
#: Metric groups in the order shown: key -> heading.
GROUPS = {
    "content": "With the style shift removed",
    "style": "Style: before the style shift is removed",
}
#: Metrics that decide the verdict when poor: real content missing from the synthetic set
#: (the aligned ones when the run measured them, else the raw ones of older runs).
CONTENT_METRICS = ("coverage_aligned", "uncovered_fraction")
LEGACY_CONTENT_METRICS = ("coverage", "recall", "uncovered_fraction")

#: Names of the facts behind a diagnosis that are not metrics.
FACTS = {
    "n_gap_regions": "Gap regions",
    "largest_region_size": "Real images in the largest gap region",
    "alignment_paired_fraction": "Share of samples paired to measure the style shift",
    "uncovered_expected_fp": "Expected false-positive rate of 'uncovered'",
    "underrepresented_expected_fp": "Expected false-positive rate of 'underrepresented'",
}


def has_aligned(document: dict) -> bool:
    """Whether the run measured metrics with the style shift removed (older runs did not)."""
    return any(
        is_number(document.get(k)) for k in METRICS if k not in STYLE_METRICS and "aligned" in k
    )


def group_of(key: str, document: dict | None = None) -> str:
    """'style' for a metric measured before the style shift is removed, in a run that measured
    the others too (``document``: the run; None: assume it did), else 'content'."""
    split = document is None or has_aligned(document)
    return "style" if split and key in STYLE_METRICS else "content"


def label_of(key: str) -> str:
    """The human name of a metric or diagnosis fact (its key in words when unknown)."""
    if key in METRICS:
        return METRICS[key][0]
    return FACTS.get(key) or key.replace("_", " ").capitalize()


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

    Judged on the metrics measured with the style shift removed when the run has them (older runs:
    on all of them). 'no' when a content metric (aligned coverage, uncovered share) is poor or two
    of those metrics are; 'yes' when none is poor, no style metric is poor either and at least
    half are good; 'partly' otherwise (e.g. a pure style shift: content covered, rendered
    differently).
    """
    grades = {
        k: grade(k, document.get(k), document) for k in THRESHOLDS if is_number(document.get(k))
    }
    if not grades:
        return "unclear"
    content = CONTENT_METRICS if has_aligned(document) else LEGACY_CONTENT_METRICS
    lead = {k: g for k, g in grades.items() if group_of(k, document) == "content"}
    poor = [k for k, g in lead.items() if g == POOR]
    if any(k in content for k in poor) or len(poor) >= 2:
        return "no"
    style_poor = any(g == POOR for k, g in grades.items() if k not in lead)
    if not poor and not style_poor and 2 * sum(g == GOOD for g in lead.values()) >= len(lead):
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
