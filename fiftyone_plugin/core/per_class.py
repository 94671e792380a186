"""ClassGapDetector: the gap analysis within each class, so a gap is named by its class.

A class can be present on the synthetic side and still lack part of its real variety (the real
`3`s include rotated ones, the synthetic `3`s never are). Across all classes such a gap hides:
the missing rotated `3`s sit among the rotated `7`s, which the synthetic side does cover. Within
the class it stands out. So, on aligned features (the global style shift already removed, see
alignment.py), every class with enough samples on both sides gets its own
:class:`~.coverage.GapDetector`; a class with no synthetic sample at all is wholly uncovered.

Only the detector's confident tier (``uncovered``) is called within a class; its likely tier
(``underrepresented``) is not used: on a few dozen images of a class its shuffled-sides calibration
is too coarse to hold the false calls down (docs/BENCHMARKS.md, labeled data). In a class with
fewer real images than two coarse clusters (``confirm_samples_per_cluster`` of GapDetector) the
coarse confirmation sees the class as one cluster and confirms nothing, so there only a
near-total shortfall (a mode with no synthetic counterpart at all) is called; a partial one is
ranked by the gap score but not called.

Per class (rows of ``table_``): status (see the constants below), sample counts and synthetic
share, the within-class gap figures (mean gap score, uncovered share, gap regions), the within-
class C2ST AUC (can a classifier still tell the class's synthetic samples from its real ones
once the global style is removed? 0.5 = no), coverage and FID within the class, the class's mean
realism, the share of its real samples the label-blind analysis left uncovered, and a reading.
"""

from __future__ import annotations

import numpy as np

from ..progress import Progress, report
from . import metrics as M
from ._validation import check_pair
from .coverage import GapDetector
from .transport import MAX_SCORE

#: Class status values.
COVERED = "covered"
LACKS_VARIETY = "lacks variety"
MISSING = "missing"
SYNTHETIC_ONLY = "synthetic only"
TOO_FEW = "too few samples"
STATUSES = (MISSING, LACKS_VARIETY, COVERED, TOO_FEW, SYNTHETIC_ONLY)
#: Within-class C2ST AUC (aligned features) from which a class's synthetic images are said to
#: look different from its real ones (the pipeline's separability limit).
DISTINCT_AUC = 0.8


def region_name(cls, region: int) -> str:
    """The name of a class's gap region, e.g. ``3/gap-1``."""
    return f"{cls}/gap-{region + 1}"


class ClassGapDetector:
    """Gap detection within each class (module docstring).

    Parameters as the pipeline's AnalysisConfig: k, n_smooth, alpha, min_region_size, n_folds,
    seed; ``unit``: what the samples are in the readings ("images" or "objects").

    Fitted attributes (n_real rows): ``gap_score_`` (n_real,) float, the within-class gap score
    (log2 units as GapDetector's; MAX_SCORE for a class with no synthetic sample; NaN where the
    class was not analyzed or the sample is unlabeled); ``uncovered_`` (n_real,) bool;
    ``gap_region_`` (n_real,) object: the region's name (``region_name``) or None; ``regions_``:
    one dict per region (class, name, size, mean_gap_score, representatives as real indices);
    ``table_``: one row per class (module docstring).
    """

    def __init__(
        self,
        k: int = 5,
        n_smooth: int = 10,
        alpha: float = 0.05,
        min_region_size: int = 5,
        n_folds: int = 5,
        seed: int = 0,
        unit: str = "images",
    ) -> None:
        self.k = k
        self.n_smooth = n_smooth
        self.alpha = alpha
        self.min_region_size = min_region_size
        self.n_folds = n_folds
        self.seed = seed
        self.unit = unit

    def min_samples(self) -> tuple[int, int]:
        """(real, synthetic): the fewest samples a class needs on each side to be analyzed."""
        return 2 * (max(self.k, self.n_smooth) + 1), max(self.k + 1, self.n_folds)

    def fit(
        self,
        real: np.ndarray,
        synthetic: np.ndarray,
        labels_real: np.ndarray,
        labels_synthetic: np.ndarray,
        realism: np.ndarray | None = None,
        blind_uncovered: np.ndarray | None = None,
        progress: Progress | None = None,
    ) -> ClassGapDetector:
        """``real`` / ``synthetic``: aligned features; ``labels_*``: one class per sample (None =
        unlabeled, left out); ``realism`` (n_synthetic,) and ``blind_uncovered`` (n_real,): the
        label-blind analysis's results, summarised per class when given."""
        real, synthetic = check_pair(real, synthetic)
        labels_real = np.asarray(labels_real, dtype=object)
        labels_synthetic = np.asarray(labels_synthetic, dtype=object)
        if len(labels_real) != len(real) or len(labels_synthetic) != len(synthetic):
            raise ValueError("labels_real / labels_synthetic need one class per sample")
        n_r = len(real)
        self.gap_score_ = np.full(n_r, np.nan, dtype=np.float32)
        self.uncovered_ = np.zeros(n_r, dtype=bool)
        self.gap_region_ = np.full(n_r, None, dtype=object)
        self.regions_: list[dict] = []
        names = sorted(
            {c for c in labels_real.tolist() + labels_synthetic.tolist() if c is not None}, key=str
        )
        statuses, c2st, n_regions = {}, {}, {}
        need_r, need_s = self.min_samples()
        for i, cls in enumerate(names):
            report(progress, i / max(len(names), 1), f"per-class analysis: {cls}")
            in_r = np.flatnonzero(labels_real == cls)
            in_s = np.flatnonzero(labels_synthetic == cls)
            c2st[cls] = (
                M.c2st_auc(real[in_r], synthetic[in_s], self.n_folds, seed=self.seed)
                if min(len(in_r), len(in_s)) >= self.n_folds
                else None
            )
            if not len(in_r):
                statuses[cls] = SYNTHETIC_ONLY
            elif not len(in_s):
                statuses[cls] = MISSING
                self._add_region(cls, in_r, np.full(len(in_r), MAX_SCORE), real)
            elif len(in_r) < need_r or len(in_s) < need_s:
                statuses[cls] = TOO_FEW
            else:
                gaps = GapDetector(
                    k=self.k,
                    n_smooth=self.n_smooth,
                    alpha=self.alpha,
                    min_region_size=self.min_region_size,
                    seed=self.seed,
                ).fit(real[in_r], synthetic[in_s])
                self.gap_score_[in_r] = gaps.gap_score_
                for r in range(len(gaps.regions_)):
                    members = in_r[gaps.gap_region_ == r]
                    self._add_region(cls, members, gaps.gap_score_[gaps.gap_region_ == r], real)
                statuses[cls] = LACKS_VARIETY if gaps.regions_ else COVERED
            n_regions[cls] = sum(r["class"] == cls for r in self.regions_)
        self.table_ = self._table(
            names, statuses, c2st, n_regions, real, synthetic, labels_real, labels_synthetic,
            realism, blind_uncovered,
        )  # fmt: skip
        report(progress, 1.0, "per-class analysis done")
        return self

    def _add_region(self, cls, members: np.ndarray, scores: np.ndarray, real: np.ndarray) -> None:
        """Record real samples ``members`` (indices) as one gap region of class ``cls``."""
        number = sum(r["class"] == cls for r in self.regions_)
        name = region_name(cls, number)
        self.gap_score_[members] = scores
        self.uncovered_[members] = True
        self.gap_region_[members] = name
        centre = real[members].mean(axis=0, keepdims=True)
        order = np.argsort(np.linalg.norm(real[members] - centre, axis=1), kind="stable")
        self.regions_.append(
            {
                "class": cls,
                "name": name,
                "size": int(len(members)),
                "mean_gap_score": float(np.mean(scores)),
                "representatives": members[order[:8]].tolist(),
            }
        )

    def _table(
        self, names, statuses, c2st, n_regions, real, synthetic, labels_real, labels_synthetic,
        realism, blind_uncovered,
    ) -> list[dict]:  # fmt: skip
        rows = M.group_breakdown(
            labels_real, labels_synthetic, real, synthetic, self.gap_score_, self.uncovered_,
            realism, k=self.k,
        )  # fmt: skip
        by_class = {row.pop("group"): row for row in rows if row["group"] is not None}
        table = []
        for cls in names:
            row = {"class": cls, "status": statuses[cls], **by_class[cls]}
            if statuses[cls] in (TOO_FEW, SYNTHETIC_ONLY):  # not analyzed for gaps
                row["mean_gap_score"] = row[M.UNCOVERED_FRACTION] = None
            row[M.C2ST_AUC] = c2st[cls]
            row["n_gap_regions"] = n_regions[cls]
            if blind_uncovered is not None:
                in_r = labels_real == cls
                row["blind_uncovered_fraction"] = (
                    float(blind_uncovered[in_r].mean()) if in_r.any() else None
                )
            row["reading"] = class_reading(row, self.unit)
            table.append(row)
        return table


def class_reading(row: dict, unit: str = "images") -> str:
    """One sentence on one class row of ClassGapDetector.table_; ``unit``: what the samples are
    ("images" or "objects")."""
    c, status, n_r, n_s = f"`{row['class']}`", row["status"], row["n_real"], row["n_synthetic"]
    if status == MISSING:
        return f"{c}: no synthetic {unit}; all {n_r} real ones are uncovered."
    if status == SYNTHETIC_ONLY:
        return f"{c}: {n_s} synthetic {unit} but no real ones to compare them with."
    if status == TOO_FEW:
        return (
            f"{c}: too few {unit} to look for gaps within the class ({n_r} real, {n_s} synthetic)."
        )
    share = row.get(M.UNCOVERED_FRACTION) or 0.0
    if status == LACKS_VARIETY:
        k = row["n_gap_regions"]
        text = (
            f"{c}: {100 * share:.0f}% of the real {unit} ({round(share * n_r)} of {n_r}, "
            f"{k} region{'s' if k != 1 else ''}) have no synthetic counterpart within the class."
        )
    else:
        text = f"{c}: the synthetic {unit} cover the real ones ({100 * share:.0f}% uncovered)."
    auc = row.get(M.C2ST_AUC)
    if auc is not None and auc >= DISTINCT_AUC:
        text += (
            f" A classifier still tells its synthetic {unit} from the real ones (AUC {auc:.2f}) "
            "after the global style is removed."
        )
    return text
