"""The steps :func:`~.pipeline.analyze_embeddings` runs on raw embeddings, each on the features it
needs: reduce and align the two sides (:func:`align_sides`), detect gaps (:func:`find_gaps`),
score realism (:func:`fit_realism`, on the gap path's features or on a model's pooled head).
``cfg``: the analysis's AnalysisConfig (config.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..progress import Progress, report, span
from . import device as dev
from . import metrics as M
from .alignment import DomainAligner
from .config import AnalysisConfig
from .coverage import GapDetector
from .diagnosis import STYLE_SHIFT_AUC
from .projection import FeatureReducer
from .realism import RealismScorer
from .transport import neighbor_graphs, transport_match


@dataclass
class AlignedPath:
    """What :func:`align_sides` computed: the reduced features, the style test (C2ST AUC before
    alignment), the alignment method chosen and its fitted aligner."""

    reducer: FeatureReducer
    real_reduced: np.ndarray
    synthetic_reduced: np.ndarray
    c2st: float
    alignment_method: str
    aligner: DomainAligner


@dataclass
class GapPath(AlignedPath):
    """What :func:`find_gaps` computed: an AlignedPath and the GapDetector fitted on it."""

    gaps: GapDetector


def align_sides(
    real: np.ndarray, synthetic: np.ndarray, cfg: AnalysisConfig, progress: Progress | None = None
) -> AlignedPath:
    """Raw embeddings -> reduced (PCA) and aligned: the synthetic side moved onto the real side
    when a classifier tells them apart ("auto"), or by ``cfg.alignment``."""
    report(progress, 0.0, "reducing features")
    reducer = FeatureReducer(cfg.pca_dim, seed=cfg.seed).fit(real, synthetic)
    real_r, synth_r = reducer.transform(real), reducer.transform(synthetic)

    report(progress, 0.16, "testing for a style shift")
    c2st = M.c2st_auc(real_r, synth_r, cfg.n_folds, seed=cfg.seed)
    method = cfg.alignment
    if method == "auto":
        method = "mnn" if c2st >= STYLE_SHIFT_AUC else "none"
    aligner = DomainAligner(method, k=cfg.mnn_k, n_iter=cfg.mnn_iter, seed=cfg.seed)
    aligner.fit(real_r, synth_r, progress=span(progress, 0.24, 1.0))
    return AlignedPath(reducer, real_r, synth_r, c2st, method, aligner)


def find_gaps(
    real: np.ndarray,
    synthetic: np.ndarray,
    cfg: AnalysisConfig,
    progress: Progress | None = None,
) -> GapPath:
    """Raw embeddings -> per-real-sample gap scores: reduce (PCA), test for a style shift, align
    the synthetic side onto the real side, detect gaps. The first steps of
    :func:`~.pipeline.analyze_embeddings` (inputs already validated there), on ``cfg.device``."""
    with dev.use(cfg.device):
        path = align_sides(real, synthetic, cfg, span(progress, 0.0, 0.5))
        gaps = GapDetector(
            k=cfg.k,
            n_smooth=cfg.n_smooth,
            alpha=cfg.alpha,
            min_region_size=cfg.min_region_size,
            seed=cfg.seed,
        ).fit(
            path.aligner.real_aligned_,
            path.aligner.synthetic_aligned_,
            progress=span(progress, 0.5, 1.0),
        )
        return GapPath(**vars(path), gaps=gaps)


def aligned_mixing(gp: GapPath, cfg: AnalysisConfig) -> float:
    """Do the sides stay apart once the style shift is removed? The neighbourhood-mixing AUC of
    the aligned features (metrics.knn_two_sample_auc) on the covered real samples (so that
    missing content does not count as a difference); NaN where fewer than two are covered."""
    real_a, synth_a = gp.aligner.real_aligned_, gp.aligner.synthetic_aligned_
    covered = ~gp.gaps.uncovered_
    if covered.sum() < 2:
        return float("nan")
    return M.knn_two_sample_auc(real_a[covered], synth_a, cfg.n_smooth)


def fit_realism(
    cfg: AnalysisConfig,
    gap_path: GapPath,
    head: tuple[np.ndarray, np.ndarray] | None = None,
    progress: Progress | None = None,
) -> RealismScorer:
    """RealismScorer fitted on the aligned features of ``gap_path`` or, given ``head`` ((real,
    synthetic) pooled-head columns of the raw embeddings), on those columns reduced and aligned
    on their own (what realism would be with an embedding of those columns alone). Real support
    is measured before the local (mnn) correction, which is fitted to move synthetic samples onto
    real ones and pulls junk onto real data along with the rest."""
    path, gaps = gap_path, gap_path.gaps
    if head is not None:
        report(progress, 0.0, f"realism: aligning the pooled head ({head[0].shape[1]} columns)")
        path = align_sides(*head, cfg, span(progress, 0.0, 0.6))
        gaps = None
    real_a, synth_a = path.aligner.real_aligned_, path.aligner.synthetic_aligned_
    if path.alignment_method == "mnn":
        report(progress, 0.6, "realism: matching unaligned synthetic onto real")
        unaligned = path.synthetic_reduced - path.aligner.synthetic_mean_
        real_graph = gaps.real_graph_ if gaps is not None else None
        graphs = neighbor_graphs(
            real_a, unaligned, cfg.k, cfg.n_smooth, cfg.seed, real_graph=real_graph
        )
        excess = transport_match(
            real_a, unaligned, cfg.k, cfg.n_smooth, seed=cfg.seed, graphs=graphs
        ).synthetic_score
    elif gaps is not None:
        excess = gaps.synthetic_excess_
    else:
        excess = transport_match(
            real_a, synth_a, cfg.k, cfg.n_smooth, seed=cfg.seed
        ).synthetic_score
    return RealismScorer(n_folds=cfg.n_folds, seed=cfg.seed).fit(
        real_a, synth_a, excess, progress=span(progress, 0.7, 1.0)
    )
