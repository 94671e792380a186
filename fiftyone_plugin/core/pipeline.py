"""analyze_embeddings(real, synthetic) -> AnalysisResult: the one call the FiftyOne adapter, the
CLI and the Python API make.

Steps: power-normalise + PCA (domain-balanced) -> align the synthetic side onto the real side
(removes a global style shift) -> gap scores / uncovered / underrepresented / gap regions
(GapDetector; when the sides stay separable after alignment, only near-total shortfalls stay
uncovered and nothing is underrepresented) -> realism per
synthetic sample (real support measured before the local alignment correction; on the leading
columns the embedding's model names for it, when given) -> how far each
synthetic sample lies from the real support in the aligned space (curation.real_support) ->
clusters -> where to generate next (generate_next.py) -> dataset metrics -> 2-D / 3-D map ->
diagnosis in plain words (diagnosis.py). Its parameters: AnalysisConfig (config.py); what it
returns: AnalysisResult (result.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

import numpy as np

from ..progress import Progress, report, span
from . import device as dev
from . import metrics as M
from ._validation import check_choice, check_labels, check_pair, check_positive_int
from .clustering import DomainClusterer, cluster_table, describe_clusters
from .config import AnalysisConfig
from .curation import real_support
from .diagnosis import diagnose, is_separable
from .feature_blocks import equal_blocks
from .generate_next import generation_targets, region_clusters
from .label_stats import compare_labels
from .labeled import analyze_labeled
from .labels import LabelSet
from .projection import Projector
from .readings import readings
from .result import AnalysisResult
from .steps import aligned_mixing, find_gaps, fit_realism

#: What one sample of an analysis can be (analyze_embeddings' ``unit``).
UNITS = ("images", "objects")


def analyze_embeddings(
    real: np.ndarray,
    synthetic: np.ndarray,
    config: AnalysisConfig | None = None,
    progress: Progress | None = None,
    labels_real: np.ndarray | LabelSet | None = None,
    labels_synthetic: np.ndarray | LabelSet | None = None,
    head_dims: int | None = None,
    blocks: Sequence[int] | None = None,
    unit: str = "images",
) -> AnalysisResult:
    """Compare real and synthetic embeddings ((n_real, d), (n_synthetic, d), same model).

    labels_real / labels_synthetic: optional class labels (one per sample; None = unlabeled) for
    the per-class analysis and the probe (``result.labeled``), or LabelSets (labels.py; their
    classes are those labels, and the label statistics are compared too).
    head_dims: the first ``head_dims`` columns are the network's pooled head (the registry's
    ``head_dims`` of its model, e.g. efficientnet_lite0_content's; None: every column is):
    realism, FID / KID and the probes on raw embeddings read the head as given, the gap analysis
    every column (weighed by ``blocks``).
    blocks: column counts of the embedding's blocks (the registry's ``feature_blocks`` of its
    model), weighed equally before the analysis (feature_blocks.equal_blocks); None: as given.
    unit: what one sample is, "images" or "objects" (core/objects.py): the words of the diagnosis
    ("real samples" / "real objects") and of the per-class readings.
    progress: optional ``progress(fraction, label)``. Raises ValueError on empty, non-finite or
    mismatched inputs, too few samples for the parameters, or a bad parameter.
    """
    cfg = (config or AnalysisConfig()).validate()
    real, synthetic = check_pair(real, synthetic)
    need_r, need_s = cfg.min_samples()
    if len(real) < need_r or len(synthetic) < need_s:
        raise ValueError(
            f"Too few samples: got {len(real)} real and {len(synthetic)} synthetic, but the "
            f"analysis needs at least {need_r} real and {need_s} synthetic with "
            f"k={cfg.k}, n_smooth={cfg.n_smooth}, n_folds={cfg.n_folds}: add samples or lower "
            "those parameters"
        )
    label_stats = None
    if isinstance(labels_real, LabelSet) and isinstance(labels_synthetic, LabelSet):
        label_stats = compare_labels(labels_real, labels_synthetic)
        labels_real, labels_synthetic = labels_real.classes, labels_synthetic.classes
    labels_real = check_labels(labels_real, len(real), "labels_real")
    labels_synthetic = check_labels(labels_synthetic, len(synthetic), "labels_synthetic")
    if (labels_real is None) != (labels_synthetic is None):
        raise ValueError("Pass labels for both sides (labels_real and labels_synthetic) or neither")
    if head_dims is not None:
        check_positive_int(head_dims, "head_dims", minimum=2)
        if head_dims > real.shape[1]:
            raise ValueError(
                f"head_dims={head_dims} but the embeddings have {real.shape[1]} dimensions: "
                "pass the model's head_dims (embeddings.registry) or None for all"
            )
    check_choice(unit, "unit", UNITS)
    head = None if head_dims is None else (real[:, :head_dims], synthetic[:, :head_dims])
    if blocks is not None:
        real, synthetic = equal_blocks(real, synthetic, blocks)
    with dev.use(cfg.device):
        result = _analyze(
            real, synthetic, cfg, progress, labels_real, labels_synthetic, label_stats,
            head, unit,
        )  # fmt: skip
    result.details["feature_blocks"] = None if blocks is None else [int(b) for b in blocks]
    return result


def _analyze(
    real: np.ndarray,
    synthetic: np.ndarray,
    cfg: AnalysisConfig,
    progress: Progress | None,
    labels_real: np.ndarray | None,
    labels_synthetic: np.ndarray | None,
    label_stats: dict | None,
    head: tuple[np.ndarray, np.ndarray] | None,
    unit: str,
) -> AnalysisResult:
    """The steps of :func:`analyze_embeddings` on checked inputs, on the core's device; ``head``:
    (real, synthetic) pooled-head columns, None when the embeddings are all head."""
    gp = find_gaps(real, synthetic, cfg, span(progress, 0.0, 0.4))
    reducer, real_r, synth_r, c2st = gp.reducer, gp.real_reduced, gp.synthetic_reduced, gp.c2st
    method, aligner, gaps = gp.alignment_method, gp.aligner, gp.gaps
    real_a, synth_a = aligner.real_aligned_, aligner.synthetic_aligned_

    report(progress, 0.4, "testing what the alignment left")
    mixing = aligned_mixing(gp, cfg)
    if is_separable(mixing):
        gaps.keep_certain(real_a, synth_a)

    realism = fit_realism(cfg, gp, head, progress=span(progress, 0.41, 0.5))

    support = real_support(real_a, synth_a, cfg.k)

    clusterer = DomainClusterer(cfg.clustering, cfg.n_clusters, seed=cfg.seed).fit(
        real_a, synth_a, progress=span(progress, 0.5, 0.6)
    )
    clusters = cluster_table(
        clusterer.labels_real_, clusterer.labels_synthetic_, gaps.gap_score_, gaps.uncovered_
    )
    describe_clusters(
        clusters, clusterer.labels_real_, clusterer.labels_synthetic_, real_a, synth_a,
        labels_real, labels_synthetic,
    )  # fmt: skip
    overlaps = region_clusters(gaps.gap_region_, clusterer.labels_real_, len(gaps.regions_))
    for region, (cluster, share) in zip(gaps.regions_, overlaps, strict=True):
        region["cluster"], region["cluster_overlap"] = cluster, share
    generate_next = generation_targets(
        gaps.regions_, clusters, gaps.gap_region_, gaps.gap_score_, clusterer.labels_real_
    )

    real_head, synthetic_head = head or (real, synthetic)
    report(progress, 0.6, "computing metrics")
    metrics = M.compute_metrics(
        real_head,
        synthetic_head,
        real_r,
        synth_r,
        k=cfg.k,
        kid_subsets=cfg.kid_subsets,
        kid_subset_size=cfg.kid_subset_size,
        n_folds=cfg.n_folds,
        seed=cfg.seed,
        c2st=c2st,
    )
    metrics[M.COVERAGE_ALIGNED] = M.prdc(real_a, synth_a, cfg.k)[M.COVERAGE]
    metrics[M.MIXING_AUC_ALIGNED] = mixing
    metrics[M.UNCOVERED_FRACTION] = float(gaps.uncovered_.mean())
    metrics[M.UNDERREPRESENTED_FRACTION] = float(gaps.underrepresented_.mean())
    metrics[M.UNCOVERED_EXPECTED_FP] = gaps.expected_false_positive_["uncovered"]
    metrics[M.UNDERREPRESENTED_EXPECTED_FP] = gaps.expected_false_positive_["underrepresented"]
    metrics[M.N_GAP_REGIONS] = len(gaps.regions_)
    metrics[M.MEAN_REALISM] = float(realism.realism_.mean())
    report(progress, 0.65, "computing per-cluster metrics")
    metrics["per_cluster"] = M.group_breakdown(
        clusterer.labels_real_, clusterer.labels_synthetic_, real_a, synth_a, gaps.gap_score_,
        gaps.uncovered_, realism.realism_, k=cfg.k,
    )  # fmt: skip
    labeled = None
    if labels_real is not None:
        blind_regions = np.array(
            [None if r < 0 else gaps.regions_[r]["name"] for r in gaps.gap_region_], dtype=object
        )
        labeled = analyze_labeled(
            real_a, synth_a, labels_real, labels_synthetic, realism.realism_,
            gaps.uncovered_, blind_regions, cfg, progress=span(progress, 0.67, 0.75),
            real_raw=real_head, synthetic_raw=synthetic_head, unit=unit,
        )  # fmt: skip
        labeled.label_stats = label_stats
        metrics["per_class"] = labeled.table

    if cfg.project:
        projector = Projector(cfg.n_components, reduce=False, seed=cfg.seed)
        projector.fit(real_a, synth_a, progress=span(progress, 0.75, 0.99))
        umap_real, umap_synth = projector.embedding_real_, projector.embedding_synthetic_
    else:
        umap_real = np.full((len(real), cfg.n_components), np.nan, np.float32)
        umap_synth = np.full((len(synthetic), cfg.n_components), np.nan, np.float32)

    diagnosis = diagnose(
        metrics, gaps.regions_, len(real), aligner, "samples" if unit == "images" else unit
    )
    report(progress, 1.0, "analysis done")
    return AnalysisResult(
        umap_real=umap_real,
        umap_synthetic=umap_synth,
        cluster_real=clusterer.labels_real_,
        cluster_synthetic=clusterer.labels_synthetic_,
        gap_score=gaps.gap_score_,
        uncovered=gaps.uncovered_,
        underrepresented=gaps.underrepresented_,
        gap_region=gaps.gap_region_,
        realism=realism.realism_,
        clusters=clusters,
        regions=gaps.regions_,
        metrics=metrics,
        readings=readings(metrics),
        diagnosis=diagnosis,
        config=asdict(cfg),
        labeled=labeled,
        threshold=float(gaps.threshold_),
        support=support,
        generate_next=generate_next,
        expected_false_positive=dict(gaps.expected_false_positive_),
        details={
            "threshold_parts": gaps.threshold_parts_,
            "certain_only": gaps.certain_only_,
            "spacing": gaps.spacing_,
            "pca_explained_variance": reducer.explained_variance_ratio_,
            "alignment_method": method,
            "alignment_pairs": aligner.n_pairs_,
            "alignment_paired_fraction": aligner.paired_fraction_,
            "alignment_shift": aligner.shift_,
            "head_dims": None if head is None else int(head[0].shape[1]),
        },
    )
