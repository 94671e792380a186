"""The diagnosis of an analysis in plain words: what separates the two sides (a style shift,
missing content, both, neither, or sides that stay separable after alignment), and how many real
samples each tier of calls holds at what expected false-positive rate."""

from __future__ import annotations

import math

from . import metrics as M
from .alignment import DomainAligner

#: Diagnosis kinds.
NO_GAP = "no-gap"
MISSING_CONTENT = "missing-content"
STYLE_SHIFT = "style-shift"
STYLE_SHIFT_AND_MISSING = "style-shift+missing-content"
SEPARABLE = "separable"
DIAGNOSES = (NO_GAP, MISSING_CONTENT, STYLE_SHIFT, STYLE_SHIFT_AND_MISSING, SEPARABLE)

#: C2ST AUC (before alignment) from which the two sides count as differing in style.
STYLE_SHIFT_AUC = 0.75
#: After alignment, the sides count as separable beyond a style shift from this
#: neighbourhood-mixing AUC (metrics.MIXING_AUC_ALIGNED) ...
SEPARABLE_MIXING_AUC = 0.95
#: ... and as only partly aligned (coverage results less certain) from this mixing AUC.
PARTIAL_MIXING_AUC = 0.8
#: Missing content is diagnosed when this share of real samples is uncovered, or underrepresented,
#: ...
MISSING_FRACTION = 0.05
#: ... or when a gap region of at least MISSING_REGION_FRACTION of the real samples receives less
#: than half of its expected synthetic share (mean gap_score >= 1).
MISSING_REGION_FRACTION = 0.01


def is_separable(mixing: float) -> bool:
    """Whether the sides stay apart after alignment: the neighbourhood-mixing AUC (``mixing``) on
    the covered real samples reaches SEPARABLE_MIXING_AUC."""
    return not math.isnan(mixing) and mixing >= SEPARABLE_MIXING_AUC


def diagnose(
    metrics: dict,
    regions: list[dict],
    n_real: int,
    aligner: DomainAligner,
    unit: str = "samples",
) -> dict:
    """{"kind", "text", "evidence"}: what separates the two sides, in plain words; ``unit``: what
    the samples are called ("samples", or "objects" for a run on objects)."""
    auc = metrics[M.C2ST_AUC]
    mixing = metrics[M.MIXING_AUC_ALIGNED]
    uncovered = metrics[M.UNCOVERED_FRACTION]
    strong = [
        r
        for r in regions
        if r["mean_gap_score"] >= 1.0 and r["size"] >= MISSING_REGION_FRACTION * n_real
    ]
    likely = metrics.get(M.UNDERREPRESENTED_FRACTION, 0.0)
    missing = uncovered >= MISSING_FRACTION or bool(strong) or likely >= MISSING_FRACTION
    style = auc >= STYLE_SHIFT_AUC
    evidence = {
        "c2st_auc": auc,
        "mixing_auc_aligned": mixing,
        "uncovered_fraction": uncovered,
        "underrepresented_fraction": metrics.get(M.UNDERREPRESENTED_FRACTION),
        "n_gap_regions": len(regions),
        "largest_region_size": regions[0]["size"] if regions else 0,
        "alignment_paired_fraction": aligner.paired_fraction_,
    }
    where = ""
    if regions:
        names = ", ".join(r["name"] for r in regions[:3])
        more = ", ..." if len(regions) > 3 else ""
        where = (
            f" {100 * uncovered:.0f}% of the real {unit}, in {len(regions)} region"
            f"{'s' if len(regions) != 1 else ''} ({names}{more}), have no synthetic counterpart."
        )
    if likely >= MISSING_FRACTION:
        where += (
            f" {100 * likely:.0f}% of the real {unit} are underrepresented: they receive less "
            "synthetic data than expected, not confirmed at a coarser scale."
        )
    caution = ""
    if not math.isnan(mixing) and mixing >= PARTIAL_MIXING_AUC:
        caution = (
            f" The alignment is only partial (neighbourhood mixing AUC {mixing:.2f}; 0.5 = fully "
            "mixed), so some content may be flagged only because its synthetic version looks "
            "too different."
        )
    if is_separable(mixing):
        kind = SEPARABLE
        text = (
            f"The two sides stay separable even after the global style shift is removed: a "
            f"classifier tells them apart with AUC {auc:.2f} before alignment, and after it their "
            f"neighbourhoods barely mix (AUC {mixing:.2f}; 0.5 = fully mixed). The synthetic images "
            "differ from the real ones in more than a shared style (or show other content). A "
            "real area short of synthetic data may then be short because of style as much as "
            f"missing content, so only real {unit} that received almost none are marked "
            f"uncovered ({100 * uncovered:.0f}% here). Look at the clusters and the least "
            f"realistic synthetic {unit} first."
        )
    elif style and missing:
        kind = STYLE_SHIFT_AND_MISSING
        text = (
            f"Two separate problems. Style: every synthetic image differs from the real ones in "
            f"a shared way (a classifier tells them apart with AUC {auc:.2f}; with that shift "
            f"removed, neighbourhood mixing AUC {mixing:.2f}, 0.5 = fully mixed). "
            f"Content:{where}{caution}"
        )
    elif style:
        kind = STYLE_SHIFT
        text = (
            f"The synthetic images differ from the real ones in style everywhere (a classifier "
            f"tells them apart with AUC {auc:.2f}), but once that global shift is removed they "
            f"cover the real content (neighbourhood mixing AUC {mixing:.2f} after alignment, "
            f"0.5 = fully mixed; "
            f"{100 * uncovered:.0f}% of real {unit} uncovered).{caution}"
        )
    elif missing:
        kind = MISSING_CONTENT
        text = (
            f"The synthetic images match the real ones in style (classifier AUC {auc:.2f}), "
            f"but some real content is missing:{where}{caution}"
        )
    else:
        kind = NO_GAP
        text = (
            f"The synthetic data looks like the real data and covers it: a classifier can hardly "
            f"tell them apart (AUC {auc:.2f}) and {100 * uncovered:.0f}% of real {unit} are "
            "uncovered, about as many as chance flags."
        )
    return {
        "kind": kind,
        "text": text + calls_sentence(metrics, n_real, unit),
        "evidence": evidence,
    }


def calls_sentence(metrics: dict, n_real: int, unit: str = "samples") -> str:
    """ " Calls: N real samples uncovered ..., M more underrepresented ...": how many of each tier
    and at what expected false-positive rate (the sides' labels shuffled, coverage.py);
    ``unit`` as in :func:`diagnose`."""
    fp_unc = metrics.get(M.UNCOVERED_EXPECTED_FP)
    fp_under = metrics.get(M.UNDERREPRESENTED_EXPECTED_FP)
    if fp_unc is None or fp_under is None:
        return ""
    n_unc = round(metrics[M.UNCOVERED_FRACTION] * n_real)
    n_under = round(metrics.get(M.UNDERREPRESENTED_FRACTION, 0.0) * n_real)
    return (
        f" Calls: {n_unc} real {unit if n_unc != 1 else unit.removesuffix('s')} uncovered "
        f"(confident: with the real and synthetic {unit} shuffled together, where nothing is "
        f"missing, {100 * fp_unc:.1f}% get called so) and {n_under} more underrepresented "
        f"(likely: {100 * fp_under:.1f}% there)."
    )
