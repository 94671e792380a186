"""What a metric value means: its grade (good / fair / poor) and a plain-language sentence, both
from one table of thresholds, so a reading never contradicts the grade a report colours it by.

The thresholds are rules of thumb, not statistics: they point a reader at the numbers worth a
second look, and each is written down here, once, with its reason.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import TypeGuard

import numpy as np

from .diagnosis import SEPARABLE_MIXING_AUC
from .metrics import (
    C2ST_AUC,
    COVERAGE,
    COVERAGE_ALIGNED,
    DENSITY,
    FID,
    KID_MEAN,
    KID_STD,
    MEAN_REALISM,
    MIXING_AUC_ALIGNED,
    N_GAP_REGIONS,
    PRECISION,
    RECALL,
    UNCOVERED_FRACTION,
    UNDERREPRESENTED_EXPECTED_FP,
    UNDERREPRESENTED_FRACTION,
)

GOOD, FAIR, POOR, NEUTRAL = "good", "fair", "poor", "neutral"


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
    PRECISION: Threshold("higher", good=0.7, poor=0.4),
    RECALL: Threshold("higher", good=0.7, poor=0.4),
    DENSITY: Threshold("higher", good=0.8, poor=0.5),
    COVERAGE: Threshold("higher", good=0.8, poor=0.5),
    C2ST_AUC: Threshold("half", good=0.6, poor=0.9),
    UNCOVERED_FRACTION: Threshold("lower", good=0.05, poor=0.2),
    # After the global style shift is removed (core/alignment.py): coverage reads as above; a
    # neighbourhood-mixing AUC at the diagnosis's "separable" limit means the sides stay apart
    # beyond a style shift.
    COVERAGE_ALIGNED: Threshold("higher", good=0.8, poor=0.5),
    MIXING_AUC_ALIGNED: Threshold("lower", good=0.7, poor=SEPARABLE_MIXING_AUC),
}

#: Density above this reads "more crowded than real samples" (still graded on THRESHOLDS).
CROWDED_DENSITY = 1.25
#: A domain classifier AUC from which it tells the sides apart "every time".
ALWAYS_AUC = 0.98


def is_number(value) -> TypeGuard[float]:
    """True for a finite real number, numpy scalars included (bools excluded)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        return False
    return math.isfinite(value)


def grade(key: str, value, metrics: dict | None = None) -> str:
    """GOOD, FAIR, POOR or NEUTRAL for metric ``key`` at ``value`` (``metrics``: the run's other
    values; KID's grade needs its standard deviation)."""
    if not is_number(value):
        return NEUTRAL
    if key == KID_MEAN:
        std = (metrics or {}).get(KID_STD)
        return GOOD if is_number(std) and value <= 2 * std else NEUTRAL
    rule = THRESHOLDS.get(key)
    if rule is None:
        return NEUTRAL
    if rule.better == "half":
        value = max(value, 1.0 - value)
    if rule.better == "higher":
        return GOOD if value >= rule.good else POOR if value <= rule.poor else FAIR
    return GOOD if value <= rule.good else POOR if value >= rule.poor else FAIR


def rule_text(key: str) -> str:
    """The grading rule of metric ``key`` in a few words ("" when it has none)."""
    rule = THRESHOLDS.get(key)
    if rule is None:
        if key == KID_MEAN:
            return "good when within 2 std of 0; otherwise compare runs"
        return "no fixed scale: compare runs made with the same model" if key == FID else ""
    if rule.better == "half":
        return f"good ≤ {rule.good:g} · poor ≥ {rule.poor:g} (or the mirror below 0.5)"
    sign = ("≥", "≤") if rule.better == "higher" else ("≤", "≥")
    return f"good {sign[0]} {rule.good:g} · poor {sign[1]} {rule.poor:g}"


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def readings(metrics: dict) -> dict[str, str]:
    """One plain-language sentence per metric present in ``metrics``; where a sentence judges the
    value, it says what ``grade`` says."""
    m = metrics
    out: dict[str, str] = {}
    if FID in m:
        out[FID] = (
            f"FID {m[FID]:.3g}: distance between the mean and spread of the two sets' embeddings "
            "(0 = identical; compare only with runs using the same model)."
        )
    if KID_MEAN in m:
        same = (
            " Within two standard deviations of 0: no measurable difference."
            if grade(KID_MEAN, m[KID_MEAN], m) == GOOD
            else ""
        )
        out[KID_MEAN] = (
            f"KID {m[KID_MEAN]:.3g} ± {m.get(KID_STD, float('nan')):.2g}: kernel distance between "
            f"the two sets, unbiased even for small sets (about 0 = same distribution).{same}"
        )
    if PRECISION in m:
        out[PRECISION] = (
            f"Precision {m[PRECISION]:.2f}: {_pct(m[PRECISION])} of synthetic samples lie within "
            "the neighbourhood of some real sample (fidelity)."
        )
    if RECALL in m:
        out[RECALL] = (
            f"Recall {m[RECALL]:.2f}: {_pct(m[RECALL])} of real samples lie within the "
            "neighbourhood of some synthetic sample (diversity)."
        )
    if DENSITY in m:
        d = m[DENSITY]
        how = {
            GOOD: "more crowded than" if d > CROWDED_DENSITY else "about as crowded as",
            FAIR: "somewhat sparser than",
            POOR: "much sparser than",
        }.get(grade(DENSITY, d), "unlike")
        out[DENSITY] = (
            f"Density {d:.2f}: synthetic samples sit in real neighbourhoods {how} real samples "
            "do (1 = as expected)."
        )
    if COVERAGE in m:
        out[COVERAGE] = (
            f"Coverage {m[COVERAGE]:.2f}: {_pct(m[COVERAGE])} of real samples have a synthetic "
            "sample within their own neighbourhood, before removing any style shift."
        )
    if COVERAGE_ALIGNED in m:
        out[COVERAGE_ALIGNED] = (
            f"Coverage {m[COVERAGE_ALIGNED]:.2f} with the style shift removed: "
            f"{_pct(m[COVERAGE_ALIGNED])} of real samples have a synthetic sample within their "
            "own neighbourhood once the global style shift is removed."
        )
    if C2ST_AUC in m:
        a = m[C2ST_AUC]
        how = {
            GOOD: "cannot tell them apart",
            FAIR: "tells them apart part of the time",
            POOR: "tells them apart every time"
            if max(a, 1 - a) >= ALWAYS_AUC
            else "tells them apart almost always",
        }.get(grade(C2ST_AUC, a), "gives no answer")
        out[C2ST_AUC] = (
            f"Domain classifier AUC {a:.2f}: a classifier {how} (0.5 = indistinguishable, "
            "1 = always)."
        )
    if MIXING_AUC_ALIGNED in m:
        a = m[MIXING_AUC_ALIGNED]
        how = {GOOD: "mix well", FAIR: "mix only partly", POOR: "do not mix"}.get(
            grade(MIXING_AUC_ALIGNED, a), "may or may not mix"
        )
        out[MIXING_AUC_ALIGNED] = (
            f"Neighbourhood mixing AUC {a:.2f} after alignment: real and synthetic samples {how} "
            "in the same neighbourhoods (0.5 = fully mixed, 1 = never together)."
        )
    if UNCOVERED_FRACTION in m:
        n_reg = m.get(N_GAP_REGIONS, 0)
        out[UNCOVERED_FRACTION] = (
            f"{_pct(m[UNCOVERED_FRACTION])} of real samples are not covered by the synthetic "
            f"data ({n_reg} gap region{'s' if n_reg != 1 else ''})."
        )
    if UNDERREPRESENTED_FRACTION in m:
        fp = m.get(UNDERREPRESENTED_EXPECTED_FP)
        rate = f" (where nothing is missing, {_pct(fp)} are flagged so)" if fp is not None else ""
        out[UNDERREPRESENTED_FRACTION] = (
            f"{_pct(m[UNDERREPRESENTED_FRACTION])} more real samples are underrepresented: "
            f"likely short of synthetic data, not confirmed{rate}."
        )
    if MEAN_REALISM in m:
        out[MEAN_REALISM] = (
            f"Mean realism {m[MEAN_REALISM]:.2f}: average over synthetic samples of how much "
            "each looks like real data (1 = like real data, 0 = unlike anything real)."
        )
    return out
