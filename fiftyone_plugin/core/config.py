"""AnalysisConfig: the parameters of an analysis (core/pipeline.py), their defaults and their
checks."""

from __future__ import annotations

from dataclasses import dataclass, fields

from fiftyone_plugin import defaults

from . import metrics as M
from ._validation import check_choice, check_fraction, check_positive_int
from .alignment import METHODS as _ALIGNERS
from .clustering import METHODS as CLUSTERING_METHODS
from .device import DEVICES

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
    rate the gap threshold is calibrated to with the sides' labels shuffled (coverage.py).
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
