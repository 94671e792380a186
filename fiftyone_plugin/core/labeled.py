"""What labels add to an analysis: gaps within each class and the probe, in one per-class table.

``analyze_labeled(...)`` runs :class:`~.per_class.ClassGapDetector` and
:class:`~.probe.LinearProbe` on the aligned features (the style shift removed), the probe also on
the raw embeddings (see probe.py for why both), and merges their per-class rows. Called by
``pipeline.analyze_embeddings`` when labels are given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..progress import Progress, span
from .config import AnalysisConfig
from .per_class import ClassGapDetector
from .probe import LinearProbe

#: Columns the probe adds to a per-class row (prefixed ``probe_``).
PROBE_COLUMNS = (
    "accuracy_synthetic", "accuracy_synthetic_raw", "accuracy_synthetic_coral", "accuracy_real",
    "accuracy_both", "transfer", "ratio", "verdict",
)  # fmt: skip


@dataclass
class LabeledResult:
    """The labeled part of an analysis; per-sample arrays are aligned with the inputs.

    table: one row per class (ClassGapDetector's columns, then probe_accuracy_synthetic /
    _synthetic_raw / _synthetic_coral / _real / _both, probe_transfer, probe_ratio,
    probe_verdict). regions: the gap regions found within classes.
    probe: LinearProbe.to_dict() (None when the probe could not run: ``probe_skipped`` says why).
    gap_score / uncovered / gap_region (n_real,): within-class results (see ClassGapDetector).
    probe_prediction (n_real,) object: the class the synthetic-trained probe gives each real
    sample (None = unlabeled or no probe). label_support (n_synthetic,): see probe.py (NaN when
    unknown). classes_real / classes_synthetic: the class of every sample as analyzed (None =
    unlabeled). label_stats: label_stats.compare_labels of the two sides, when labels came as
    LabelSets (None otherwise).
    """

    table: list[dict]
    regions: list[dict]
    probe: dict | None
    probe_skipped: str | None
    gap_score: np.ndarray
    uncovered: np.ndarray
    gap_region: np.ndarray
    probe_prediction: np.ndarray
    label_support: np.ndarray
    classes_real: np.ndarray
    classes_synthetic: np.ndarray
    label_stats: dict | None = None

    def to_dict(self) -> dict:
        """The figures without the per-sample arrays."""
        return {
            "per_class": self.table,
            "class_regions": self.regions,
            "probe": self.probe,
            "probe_skipped": self.probe_skipped,
            "label_stats": self.label_stats,
        }


def analyze_labeled(
    real_aligned: np.ndarray,
    synthetic_aligned: np.ndarray,
    labels_real: np.ndarray,
    labels_synthetic: np.ndarray,
    realism: np.ndarray,
    blind_uncovered: np.ndarray,
    blind_regions: np.ndarray,
    cfg: AnalysisConfig,
    progress: Progress | None = None,
    real_raw: np.ndarray | None = None,
    synthetic_raw: np.ndarray | None = None,
    unit: str = "images",
) -> LabeledResult:
    """Per-class gaps and the probe on the aligned features (the probe also on ``real_raw`` /
    ``synthetic_raw``, the raw embeddings, when given). ``realism``, ``blind_uncovered`` and
    ``blind_regions`` (region name per real sample or None): the label-blind analysis's results,
    summarised per class and region. ``cfg``: the analysis's parameters (k, n_smooth, alpha,
    min_region_size, n_folds, seed). ``unit``: what the samples are ("images" or "objects")."""
    detector = ClassGapDetector(
        k=cfg.k, n_smooth=cfg.n_smooth, alpha=cfg.alpha, min_region_size=cfg.min_region_size,
        n_folds=cfg.n_folds, seed=cfg.seed, unit=unit,
    )  # fmt: skip
    classes = detector.fit(
        real_aligned, synthetic_aligned, labels_real, labels_synthetic, realism,
        blind_uncovered, progress=span(progress, 0.0, 0.5),
    )  # fmt: skip
    probe, skipped = None, None
    prediction = np.full(len(real_aligned), None, dtype=object)
    support = np.full(len(synthetic_aligned), np.nan, dtype=np.float32)
    try:
        fitted = LinearProbe(cfg.n_folds, seed=cfg.seed, unit=unit).fit(
            real_aligned, synthetic_aligned, labels_real, labels_synthetic, blind_regions,
            span(progress, 0.5, 1.0), real_raw=real_raw, synthetic_raw=synthetic_raw,
        )  # fmt: skip
    except ValueError as exc:
        skipped = str(exc)
    else:
        probe = fitted.to_dict()
        prediction, support = fitted.prediction_["synthetic"], fitted.label_support_
    by_class = {r["class"]: r for r in (probe or {}).get("per_class", [])}
    table = []
    for row in classes.table_:
        found = by_class.get(row["class"], {})
        row = dict(row, **{f"probe_{c}": found.get(c) for c in PROBE_COLUMNS})
        table.append(row)
    return LabeledResult(
        table, classes.regions_, probe, skipped, classes.gap_score_, classes.uncovered_,
        classes.gap_region_, prediction, support, np.asarray(labels_real, dtype=object),
        np.asarray(labels_synthetic, dtype=object),
    )  # fmt: skip
