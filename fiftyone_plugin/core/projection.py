"""Feature reduction (power normalisation + PCA) and the 2-D / 3-D map (UMAP).

Both are fitted on a *domain-balanced* sample (as many real as synthetic rows), so that a side with
ten times more images cannot decide alone which directions are kept or how the map is laid out;
the other rows are then projected with ``transform``.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np

from ..progress import Progress, report
from ._validation import check_choice, check_pair, check_positive_int
from .neighbors import knn

NORMALIZATIONS = ("power", "l2", "none")


def balanced_sample(
    n_real: int, n_synthetic: int, max_per_side: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of an equal number of real and synthetic rows (at most ``max_per_side`` each)."""
    m = min(n_real, n_synthetic, max_per_side)
    return (
        np.sort(rng.choice(n_real, m, replace=False)),
        np.sort(rng.choice(n_synthetic, m, replace=False)),
    )


def normalize_features(x: np.ndarray, normalization: str = "power") -> np.ndarray:
    """Row-normalise embeddings: ``"power"`` = signed square root then unit length (Hellinger-like,
    tames the few very large activations of CNN features), ``"l2"`` = unit length, ``"none"``."""
    x = np.asarray(x, dtype=np.float32)
    if normalization == "none":
        return x
    if normalization == "power":
        y = np.sqrt(np.abs(x))
        np.copysign(y, x, out=y)
    else:
        y = x.copy()
    y /= np.maximum(np.sqrt(np.einsum("ij,ij->i", y, y)), 1e-12)[:, None]
    return y


class FeatureReducer:
    """Power normalisation then PCA to ``pca_dim`` dimensions, fitted on a domain-balanced sample.

    Fitted attributes: ``pca_`` (sklearn PCA or None when the input is already small),
    ``n_components_`` (output dimension), ``explained_variance_ratio_`` (float in [0, 1]).
    """

    def __init__(
        self,
        pca_dim: int = 64,
        normalization: str = "power",
        max_fit_samples: int = 20000,
        seed: int = 0,
    ) -> None:
        self.pca_dim = pca_dim
        self.normalization = normalization
        self.max_fit_samples = max_fit_samples
        self.seed = seed

    def fit(self, real: np.ndarray, synthetic: np.ndarray) -> FeatureReducer:
        from sklearn.decomposition import PCA

        real, synthetic = check_pair(real, synthetic, min_samples=2)
        check_positive_int(self.pca_dim, "pca_dim")
        check_choice(self.normalization, "normalization", NORMALIZATIONS)
        rng = np.random.default_rng(self.seed)
        ir, js = balanced_sample(len(real), len(synthetic), self.max_fit_samples // 2, rng)
        fit_x = np.vstack(
            [
                normalize_features(real[ir], self.normalization),
                normalize_features(synthetic[js], self.normalization),
            ]
        )
        dim = min(self.pca_dim, fit_x.shape[1], fit_x.shape[0] - 1)
        if dim >= fit_x.shape[1]:
            self.pca_ = None
            self.n_components_ = fit_x.shape[1]
            self.mean_ = fit_x.mean(axis=0)
            self.explained_variance_ratio_ = 1.0
        else:
            self.pca_ = PCA(dim, svd_solver="randomized", random_state=self.seed).fit(fit_x)
            self.n_components_ = dim
            self.mean_ = self.pca_.mean_
            self.explained_variance_ratio_ = float(self.pca_.explained_variance_ratio_.sum())
        return self

    def transform(self, x: np.ndarray, chunk: int = 65536) -> np.ndarray:
        """(n, d) embeddings -> (n, n_components_) float32 reduced features, ``chunk`` rows at a
        time (the normalisation's temporaries stay small whatever ``n``)."""
        out = np.empty((len(x), self.n_components_), dtype=np.float32)
        for start in range(0, len(x), chunk):
            part = normalize_features(x[start : start + chunk], self.normalization)
            out[start : start + chunk] = (
                part - self.mean_ if self.pca_ is None else self.pca_.transform(part)
            )
        return out


class Projector:
    """UMAP map of real and synthetic samples (PCA pre-reduction first), fitted by umap-learn on
    a domain-balanced sample of at most ``max_fit_samples`` rows; the remaining rows are placed
    from their nearest fitted rows (see :func:`place_from_neighbours`). Seeded, hence
    reproducible (UMAP then runs on one thread).

    Fitted attributes: ``embedding_real_`` (n_real, n_components), ``embedding_synthetic_``
    (n_synthetic, n_components), ``reducer_`` (FeatureReducer or None), ``umap_``, ``fit_x_``
    and ``embedding_fit_`` (the rows UMAP was fitted on, and their positions).
    Map coordinates have no unit: only neighbourhoods are meaningful.
    """

    def __init__(
        self,
        n_components: int = 2,
        pca_dim: int = 64,
        n_neighbors: int = 15,
        min_dist: float = 0.1,
        max_fit_samples: int = 20000,
        reduce: bool = True,
        seed: int = 0,
    ) -> None:
        self.n_components = n_components
        self.pca_dim = pca_dim
        self.n_neighbors = n_neighbors
        self.min_dist = min_dist
        self.max_fit_samples = max_fit_samples
        self.reduce = reduce
        self.seed = seed

    def fit(
        self, real: np.ndarray, synthetic: np.ndarray, progress: Progress | None = None
    ) -> Projector:
        real, synthetic = check_pair(real, synthetic, min_samples=2)
        if self.n_components not in (2, 3):
            raise ValueError(f"n_components must be 2 or 3, got {self.n_components!r}")
        check_positive_int(self.n_neighbors, "n_neighbors", minimum=2)
        n_total = len(real) + len(synthetic)
        if n_total < self.n_components + 2:
            raise ValueError(
                f"UMAP needs at least {self.n_components + 2} samples in all, got {n_total}: "
                "add samples"
            )
        if self.reduce:
            report(progress, 0.0, "projecting: reducing features")
            self.reducer_ = FeatureReducer(self.pca_dim, seed=self.seed).fit(real, synthetic)
            real, synthetic = self.reducer_.transform(real), self.reducer_.transform(synthetic)
        else:
            self.reducer_ = None
            real = np.asarray(real, dtype=np.float32)
            synthetic = np.asarray(synthetic, dtype=np.float32)
        rng = np.random.default_rng(self.seed)
        per_side = max(1, self.max_fit_samples // 2)
        if len(real) <= per_side and len(synthetic) <= per_side:
            ir, js = np.arange(len(real)), np.arange(len(synthetic))
        else:
            ir, js = balanced_sample(len(real), len(synthetic), per_side, rng)
        fit_x = np.vstack([real[ir], synthetic[js]])
        report(progress, 0.05, "projecting: nearest neighbours")
        n_neighbors = min(self.n_neighbors, len(fit_x) - 1)
        graph = umap_graph(fit_x, n_neighbors, self.seed)
        report(progress, 0.1, "projecting: fitting UMAP")
        umap = import_umap()
        self.umap_ = umap.UMAP(
            n_components=self.n_components,
            n_neighbors=n_neighbors,
            min_dist=self.min_dist,
            random_state=self.seed,
            init="spectral" if len(fit_x) > self.n_components + 1 else "random",
            precomputed_knn=graph,
        )
        with warnings.catch_warnings():
            # that only its own index can transform, and that a seed means one thread: both known
            warnings.filterwarnings("ignore", "precomputed_knn", UserWarning)
            warnings.filterwarnings("ignore", "n_jobs value", UserWarning)
            fitted = self.umap_.fit_transform(fit_x).astype(np.float32)
        self.fit_x_, self.embedding_fit_ = fit_x, fitted
        self.embedding_real_ = self._place(real, ir, fitted[: len(ir)])
        report(progress, 0.9, "projecting: placing the remaining samples")
        self.embedding_synthetic_ = self._place(synthetic, js, fitted[len(ir) :])
        report(progress, 1.0, "projecting: done")
        return self

    def _place(self, x: np.ndarray, fitted_idx: np.ndarray, fitted: np.ndarray) -> np.ndarray:
        out = np.empty((len(x), self.n_components), dtype=np.float32)
        out[fitted_idx] = fitted
        rest = np.setdiff1d(np.arange(len(x)), fitted_idx)
        if len(rest):
            out[rest] = place_from_neighbours(
                x[rest], self.fit_x_, self.embedding_fit_, self.n_neighbors, self.seed
            )
        return out

    def transform(self, x: np.ndarray) -> np.ndarray:
        """Place new embeddings (same space as ``fit``'s input) on the fitted map, from their
        nearest fitted rows (see :func:`place_from_neighbours`)."""
        x = self.reducer_.transform(x) if self.reducer_ is not None else np.asarray(x, np.float32)
        return place_from_neighbours(
            x, self.fit_x_, self.embedding_fit_, self.n_neighbors, self.seed
        )


@functools.cache
def import_umap():
    """The ``umap`` module (slow to import: only when a map is asked for), with numba's on-disk
    cache turned on for the compiled functions of its graph and layout steps. UMAP does not cache
    them, so every new process compiled them again; from the second process on they are loaded
    (docs/BENCHMARKS.md, "UMAP's compilation"). Where no cache folder is writable, they are
    compiled as before."""
    import umap
    import umap.layouts
    import umap.umap_
    from numba.core.dispatcher import Dispatcher

    for module in (umap.umap_, umap.layouts):
        for fn in vars(module).values():
            if isinstance(fn, Dispatcher):
                try:
                    fn.enable_caching()
                except RuntimeError:  # numba found no writable cache folder
                    return umap
    return umap


def place_from_neighbours(
    x: np.ndarray, fit_x: np.ndarray, fit_map: np.ndarray, k: int = 15, seed: int = 0
) -> np.ndarray:
    """Map positions of rows ``x`` (same space as the fitted rows ``fit_x``, whose map positions
    are ``fit_map``): the average of their ``k`` nearest fitted rows' positions, weighted by
    UMAP's membership strengths. This is UMAP's own first placement of new points (its
    ``transform`` then optimises further); the neighbours are found on the core's device."""
    from umap.umap_ import smooth_knn_dist

    k = min(k, len(fit_x))
    d, i = knn(x, fit_x, k, seed=seed)
    sigmas, rhos = smooth_knn_dist(d, float(k), local_connectivity=1.0)
    w = np.exp(-np.maximum(d - rhos[:, None], 0.0) / sigmas[:, None])
    w /= w.sum(axis=1, keepdims=True)
    return np.einsum("nk,nkc->nc", w, fit_map[i]).astype(np.float32)


def umap_graph(x: np.ndarray, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(indices, distances) (n, k) of each row's k nearest rows, itself first (UMAP's
    convention), from :func:`~.neighbors.knn` on the core's device: passed to UMAP in place of
    the pynndescent index it builds itself (whose numba code costs 25-40 s of compilation in
    every new process)."""
    d, i = knn(x, None, k - 1, seed=seed)
    own = np.arange(len(x))[:, None]
    return np.hstack([own, i]), np.hstack([np.zeros_like(own, dtype=np.float32), d])


def project(
    real: np.ndarray,
    synthetic: np.ndarray,
    n_components: int = 2,
    seed: int = 0,
    progress: Progress | None = None,
    **kwargs,
) -> tuple[np.ndarray, np.ndarray]:
    """One-shot :class:`Projector`: returns (map of real, map of synthetic)."""
    p = Projector(n_components=n_components, seed=seed, **kwargs).fit(real, synthetic, progress)
    return p.embedding_real_, p.embedding_synthetic_
