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
diagnosis in plain words (diagnosis.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields

import numpy as np

from fiftyone_plugin import defaults

from ..progress import Progress, report, span
from . import device as dev
from . import metrics as M
from ._validation import check_choice, check_fraction, check_labels, check_pair, check_positive_int
from .alignment import METHODS as _ALIGNERS
from .clustering import METHODS as CLUSTERING_METHODS
from .clustering import DomainClusterer, cluster_table, describe_clusters
from .curation import real_support
from .device import DEVICES
from .diagnosis import diagnose, is_separable
from .feature_blocks import equal_blocks
from .generate_next import generation_targets, region_clusters
from .label_stats import compare_labels
from .labeled import LabeledResult, analyze_labeled
from .labels import LabelSet
from .projection import Projector
from .readings import readings
from .steps import find_gaps, fit_realism

#: "auto" aligns with "mnn" when a classifier tells the sides apart (C2ST AUC >= STYLE_SHIFT_AUC)
#: and leaves the features alone otherwise: without a style shift there is nothing to remove, and
#: any correction can only blur the content differences being looked for.
ALIGNMENT_METHODS = ("auto", *_ALIGNERS)


@dataclass
class AnalysisConfig:
    """Parameters of :func:`analyze_embeddings`; these defaults are the CLI's and the App's.

        seed: makes every random step reproducible. n_components: 2 or 3 (map dimensions).
        pca_dim: dimensions kept after PCA (all analysis steps run there). clustering: "kmeans" or
        "hdbscan"; n_clusters: k-means cluster count, None = chosen by silhouette. k: neighbours of the
        k-NN based metrics and radii. alignment: "mnn" (default), "center" or "none"; mnn_k, mnn_iter:
        mutual-neighbour count and correction rounds. n_smooth: real neighbours a gap score is averaged
        over. alpha: share of real samples allowed to be flagged when nothing is missing: the false-positive
    rate the gap threshold is calibrated to on a real-vs-real split.
        min_region_size: smallest gap region reported. n_folds: cross-fitting folds (realism, C2ST).
        kid_subsets, kid_subset_size: KID sampling. project: compute the UMAP map (the slowest step;
        False leaves the map coordinates NaN). device: where the core's torch kernels run ("auto":
        a CUDA GPU when there is one, else the CPU; "cpu"; "cuda[:N]"); results agree across devices
        up to float rounding.
    """

    seed: int = defaults.SEED
    n_components: int = 2
    pca_dim: int = 64
    clustering: str = "kmeans"
    n_clusters: int | None = None
    k: int = 5
    alignment: str = "auto"
    mnn_k: int = 20
    mnn_iter: int = 3
    n_smooth: int = 10
    alpha: float = 0.05
    min_region_size: int = 5
    n_folds: int = 5
    kid_subsets: int = M.KID_SUBSETS
    kid_subset_size: int = M.KID_SUBSET_SIZE
    project: bool = True
    device: str = "auto"

    def validate(self) -> AnalysisConfig:
        """Raise ValueError naming the first bad parameter; return self."""
        check_positive_int(self.seed, "seed", minimum=0)
        if self.n_components not in (2, 3):
            raise ValueError(f"n_components must be 2 or 3, got {self.n_components!r}")
        check_positive_int(self.pca_dim, "pca_dim", minimum=2)
        check_choice(self.clustering, "clustering", CLUSTERING_METHODS)
        if self.n_clusters is not None:
            check_positive_int(self.n_clusters, "n_clusters", minimum=2)
        check_positive_int(self.k, "k")
        check_choice(self.alignment, "alignment", ALIGNMENT_METHODS)
        check_positive_int(self.mnn_k, "mnn_k")
        check_positive_int(self.mnn_iter, "mnn_iter")
        check_positive_int(self.n_smooth, "n_smooth")
        check_fraction(self.alpha, "alpha", 0.0, 0.5)
        check_positive_int(self.min_region_size, "min_region_size")
        check_positive_int(self.n_folds, "n_folds", minimum=2)
        check_positive_int(self.kid_subsets, "kid_subsets")
        check_positive_int(self.kid_subset_size, "kid_subset_size", minimum=2)
        kind = str(self.device).partition(":")[0]
        if self.device not in DEVICES and not (kind == "cuda" and str(self.device)[5:].isdigit()):
            raise ValueError(
                f"Unsupported device {self.device!r}. The available devices are {DEVICES} "
                "(or 'cuda:N')"
            )
        return self

    def min_samples(self) -> tuple[int, int]:
        """(real, synthetic): the fewest samples per side these parameters can work with."""
        real = 2 * (max(self.k, self.n_smooth) + 1)
        synthetic = max(self.k + 1, self.n_folds, 2)
        return real, synthetic

    @classmethod
    def from_dict(cls, values: dict) -> AnalysisConfig:
        """Config from a dict (e.g. a stored run); unknown keys raise ValueError."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(
                f"Unknown analysis parameters {unknown}. The parameters are {sorted(known)}"
            )
        return cls(**values)


@dataclass
class AnalysisResult:
    """Everything analyze_embeddings found. Per-sample arrays are aligned with the inputs.

    umap_real (n_real, n_components), umap_synthetic (n_synthetic, n_components): map coordinates.
    cluster_real, cluster_synthetic: cluster ids, -1 = noise.
    gap_score (n_real,): log2(expected / received synthetic share) around each real sample;
    0 = represented as expected, 1 = half as much synthetic data as expected, up to 6.
    uncovered (n_real,): the confident tier of calls, gap_score above ``threshold`` and confirmed
    (see coverage.GapDetector), inside a gap region.
    underrepresented (n_real,): the likely tier, gap_score above ``threshold`` among like samples
    but not confirmed; disjoint from ``uncovered``. expected_false_positive: per tier, the share of
    a real half flagged when scored against the other half (nothing missing there).
    gap_region (n_real,): -1 where covered, else the region (0 = largest).
    realism (n_synthetic,): in [0, 1], higher = more like real data.
    support (n_synthetic,): distance to the real support in the aligned space, in units of the
    real data's own k-NN spacing there (at most 1: inside; curation.real_support).
    clusters, regions: tables (lists of dicts); a cluster row says what it holds (``typical``,
    ``label``: clustering.describe_clusters), a region row the cluster it mostly lies in
    (``cluster``, ``cluster_overlap``). generate_next: where to generate next, each content once,
    largest gap first (generate_next.py). metrics: dataset figures (metrics.py names) plus
    the "per_cluster" table and, with labels, the "per_class" one (labeled.table). readings: one
    sentence per metric.
    diagnosis: {"kind", "text", "evidence"}. config: the AnalysisConfig used, as a dict.
    labeled: with labels, what they add (per-class gaps, the probe; see labeled.py).
    threshold: the calibrated gap_score threshold.
    """

    umap_real: np.ndarray
    umap_synthetic: np.ndarray
    cluster_real: np.ndarray
    cluster_synthetic: np.ndarray
    gap_score: np.ndarray
    uncovered: np.ndarray
    underrepresented: np.ndarray
    gap_region: np.ndarray
    realism: np.ndarray
    clusters: list[dict]
    regions: list[dict]
    metrics: dict
    readings: dict[str, str]
    diagnosis: dict
    config: dict
    labeled: LabeledResult | None = None
    threshold: float = float("nan")
    expected_false_positive: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)
    support: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    generate_next: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-safe summary without the per-sample arrays."""
        return _json_safe(
            {
                "n_real": len(self.gap_score),
                "n_synthetic": len(self.realism),
                "n_uncovered": int(self.uncovered.sum()),
                "n_underrepresented": int(self.underrepresented.sum()),
                "threshold": self.threshold,
                "expected_false_positive": self.expected_false_positive,
                "diagnosis": self.diagnosis,
                "metrics": self.metrics,
                "readings": self.readings,
                "clusters": self.clusters,
                "regions": self.regions,
                "generate_next": self.generate_next,
                "config": self.config,
                "details": self.details,
                **(self.labeled.to_dict() if self.labeled is not None else {}),
            }
        )


def analyze_embeddings(
    real: np.ndarray,
    synthetic: np.ndarray,
    config: AnalysisConfig | None = None,
    progress: Progress | None = None,
    labels_real: np.ndarray | LabelSet | None = None,
    labels_synthetic: np.ndarray | LabelSet | None = None,
    realism_dims: int | None = None,
    blocks: Sequence[int] | None = None,
) -> AnalysisResult:
    """Compare real and synthetic embeddings ((n_real, d), (n_synthetic, d), same model).

    labels_real / labels_synthetic: optional class labels (one per sample; None = unlabeled) for
    the per-class analysis and the probe (``result.labeled``), or LabelSets (labels.py; their
    classes are those labels, and the label statistics are compared too).
    realism_dims: score realism on the first ``realism_dims`` columns only (None: all), for an
    embedding whose leading block is the one that tells junk apart (the registry's
    ``realism_dims`` of its model, e.g. efficientnet_lite0_content's pooled head); the gap
    analysis uses every column.
    blocks: column counts of the embedding's blocks (the registry's ``feature_blocks`` of its
    model), weighed equally before the analysis (feature_blocks.equal_blocks); None: as given.
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
    if realism_dims is not None:
        check_positive_int(realism_dims, "realism_dims", minimum=2)
        if realism_dims > real.shape[1]:
            raise ValueError(
                f"realism_dims={realism_dims} but the embeddings have {real.shape[1]} dimensions: "
                "pass the model's realism_dims (embeddings.registry) or None for all"
            )
    if blocks is not None:
        real, synthetic = equal_blocks(real, synthetic, blocks)
    with dev.use(cfg.device):
        result = _analyze(
            real, synthetic, cfg, progress, labels_real, labels_synthetic, label_stats,
            realism_dims,
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
    realism_dims: int | None,
) -> AnalysisResult:
    """The steps of :func:`analyze_embeddings` on checked inputs, on the core's device."""
    gp = find_gaps(real, synthetic, cfg, span(progress, 0.0, 0.4))
    reducer, real_r, synth_r, c2st = gp.reducer, gp.real_reduced, gp.synthetic_reduced, gp.c2st
    method, aligner, gaps = gp.alignment_method, gp.aligner, gp.gaps
    real_a, synth_a = aligner.real_aligned_, aligner.synthetic_aligned_

    # Do the sides stay apart once the style shift is removed? Judged on the covered real
    # samples, so that missing content does not count as a difference.
    report(progress, 0.4, "testing what the alignment left")
    covered = ~gaps.uncovered_
    auc_aligned = (
        M.c2st_auc(real_a[covered], synth_a, cfg.n_folds, seed=cfg.seed)
        if covered.sum() >= cfg.n_folds
        else float("nan")
    )
    mixing = (
        M.knn_two_sample_auc(real_a[covered], synth_a, cfg.n_smooth)
        if covered.sum() >= 2
        else float("nan")
    )
    if is_separable(auc_aligned, mixing):
        gaps.keep_certain(real_a, synth_a)

    realism = fit_realism(
        real, synthetic, cfg, gp, realism_dims, progress=span(progress, 0.41, 0.5)
    )

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

    report(progress, 0.6, "computing metrics")
    metrics = M.compute_metrics(
        real,
        synthetic,
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
    metrics[M.C2ST_AUC_ALIGNED] = auc_aligned
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
            gaps.uncovered_, blind_regions, k=cfg.k, n_smooth=cfg.n_smooth, alpha=cfg.alpha,
            min_region_size=cfg.min_region_size, n_folds=cfg.n_folds, seed=cfg.seed,
            progress=span(progress, 0.67, 0.75), real_raw=real, synthetic_raw=synthetic,
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

    diagnosis = diagnose(metrics, gaps.regions_, len(real), aligner)
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
            "realism_dims": realism_dims,
        },
    )


def _json_safe(x):
    if isinstance(x, dict):
        return {str(k): _json_safe(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_json_safe(v) for v in x]
    if isinstance(x, np.ndarray):
        return [_json_safe(v) for v in x.tolist()]
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x
