"""Domain alignment: move the synthetic samples onto the real ones where their content matches,
so that a global style shift (noise, tint, rendering) is not mistaken for missing content.

Method ``"mnn"`` (default) is mutual-nearest-neighbour correction as used for batch effects in
single-cell data (Haghverdi et al. 2018): after centring both sides, pairs (real i, synthetic j)
that are each among the other's ``k`` nearest cross-domain neighbours are taken as "same content";
each synthetic sample then moves by a Gaussian-weighted average of the pair vectors (real minus
synthetic) of nearby synthetic anchors. Content present only on the real side forms no pairs, so it
cannot pull the correction towards itself; repeating the step lets the pairs improve.
``"center"`` only removes the difference of means; ``"none"`` leaves the features unchanged.
Real samples are only centred: the real side is the reference.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix

from ..progress import Progress, report, span
from ._validation import check_choice, check_pair, check_positive_int
from .neighbors import knn

METHODS = ("mnn", "center", "none")
#: A mutual pair's distance is judged against each sample's distance to its own side's
#: RATIO_NEIGHBOR-th neighbour (see :func:`mutual_pairs`).
RATIO_NEIGHBOR = 5


def mutual_pairs(
    real: np.ndarray,
    synthetic: np.ndarray,
    k: int,
    seed: int = 0,
    max_ratio: float | None = None,
    real_radii: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Mutual nearest neighbour pairs: (real indices, synthetic indices), one entry per pair.

    With ``max_ratio``, a pair is kept only if its distance, relative to the geometric mean of
    the two samples' own-side neighbour distances, is at most ``max_ratio`` times the median of
    that ratio over all pairs: two samples that both have no counterpart (missing real content,
    synthetic junk) tend to pair with each other at an unusual distance. ``real_radii``: the real
    side's :func:`own_radii`, when already computed.
    """
    k_rs = min(k, len(synthetic))
    k_sr = min(k, len(real))
    d_rs, i_rs = knn(real, synthetic, k_rs, seed=seed)
    _, i_sr = knn(synthetic, real, k_sr, seed=seed)
    rows = np.repeat(np.arange(len(real)), k_rs)
    cols = i_rs.ravel()
    mutual = (i_sr[cols] == rows[:, None]).any(axis=1)
    rows, cols = rows[mutual], cols[mutual]
    if max_ratio is not None and len(rows):
        m = min(RATIO_NEIGHBOR, len(real) - 1, len(synthetic) - 1)
        if m >= 1:
            r_r = real_radii if real_radii is not None else own_radii(real, m, seed)
            r_s = own_radii(synthetic, m, seed)
            ratio = d_rs.ravel()[mutual] / np.sqrt(np.maximum(r_r[rows] * r_s[cols], 1e-24))
            keep = ratio <= max_ratio * np.median(ratio)
            rows, cols = rows[keep], cols[keep]
    return rows, cols


def own_radii(x: np.ndarray, m: int, seed: int = 0) -> np.ndarray:
    """Distance of each row to its ``m``-th nearest other row."""
    return knn(x, None, m, seed=seed)[0][:, -1]


class DomainAligner:
    """Align synthetic features onto real ones (inputs: reduced features, e.g. FeatureReducer's).

    Parameters: ``k`` cross-domain neighbours defining a mutual pair, ``n_iter`` correction rounds,
    ``n_anchor_neighbors`` anchors averaged per synthetic sample, ``max_pair_ratio`` (see
    :func:`mutual_pairs`; None keeps every pair), ``max_fit_samples`` rows per side the
    corrections are fitted on (the other synthetic rows get the correction of their fitted
    neighbours, Gaussian-weighted).
    Fitted attributes: ``real_aligned_`` (n_real, d), ``synthetic_aligned_`` (n_synthetic, d),
    ``n_pairs_`` (mutual pairs in the last round; 0 means nothing could be matched),
    ``paired_fraction_`` (share of fitted synthetic samples in a pair in the last round, [0, 1]),
    ``shift_`` (norm of the mean difference removed, in feature units).
    """

    def __init__(
        self,
        method: str = "mnn",
        k: int = 20,
        n_iter: int = 3,
        n_anchor_neighbors: int = 50,
        max_pair_ratio: float | None = 1.5,
        max_fit_samples: int = 10000,
        seed: int = 0,
    ) -> None:
        self.method = method
        self.k = k
        self.n_iter = n_iter
        self.n_anchor_neighbors = n_anchor_neighbors
        self.max_pair_ratio = max_pair_ratio
        self.max_fit_samples = max_fit_samples
        self.seed = seed

    def fit(
        self, real: np.ndarray, synthetic: np.ndarray, progress: Progress | None = None
    ) -> DomainAligner:
        check_choice(self.method, "alignment method", METHODS)
        real, synthetic = check_pair(real, synthetic, min_samples=2)
        check_positive_int(self.k, "k")
        check_positive_int(self.n_iter, "n_iter")
        check_positive_int(self.n_anchor_neighbors, "n_anchor_neighbors")
        check_positive_int(self.max_fit_samples, "max_fit_samples", minimum=2)
        if self.method == "none":
            self.real_mean_ = np.zeros(real.shape[1], np.float32)
            self.synthetic_mean_ = np.zeros(real.shape[1], np.float32)
        else:
            self.real_mean_ = real.mean(axis=0)
            self.synthetic_mean_ = synthetic.mean(axis=0)
        self.shift_ = float(np.linalg.norm(self.real_mean_ - self.synthetic_mean_))
        r = real - self.real_mean_
        s = synthetic - self.synthetic_mean_
        self.n_pairs_ = 0
        self.paired_fraction_ = float("nan")
        self.fit_positions_ = s[:0]
        self.fit_corrections_ = s[:0]
        if self.method == "mnn":
            rng = np.random.default_rng(self.seed)
            ir = _subsample(len(r), self.max_fit_samples, rng)
            js = _subsample(len(s), self.max_fit_samples, rng)
            start = s[js]
            moved = self._rounds(r[ir], start, progress)
            self.fit_positions_ = start
            self.fit_corrections_ = moved - start
            if len(js) < len(s):
                s = s + self._interpolate(s)
                s[js] = moved
            else:
                s = moved
        report(progress, 1.0, "aligning domains: done")
        self.real_aligned_ = np.ascontiguousarray(r, dtype=np.float32)
        self.synthetic_aligned_ = np.ascontiguousarray(s, dtype=np.float32)
        return self

    def _rounds(self, r: np.ndarray, s: np.ndarray, progress: Progress | None) -> np.ndarray:
        """The mutual-neighbour correction rounds; returns the moved synthetic rows."""
        m = min(RATIO_NEIGHBOR, len(r) - 1, len(s) - 1)
        real_radii = own_radii(r, m, self.seed) if m >= 1 else None  # the real side stays put
        for it in range(self.n_iter):
            sub = span(progress, it / self.n_iter, (it + 1) / self.n_iter)
            report(sub, 0.0, f"aligning domains: round {it + 1}/{self.n_iter}")
            pr, ps = mutual_pairs(r, s, self.k, self.seed, self.max_pair_ratio, real_radii)
            self.n_pairs_ = len(pr)
            self.paired_fraction_ = len(np.unique(ps)) / len(s)
            if len(pr) == 0:
                break
            anchors, inverse = np.unique(ps, return_inverse=True)
            # mean pair vector per anchor: a sparse (anchors x pairs) averaging matrix
            counts = np.bincount(inverse)
            average = csr_matrix(
                (1.0 / counts[inverse], (inverse, np.arange(len(pr)))), (len(anchors), len(pr))
            )
            vectors = np.asarray(average @ (r[pr] - s[ps]).astype(np.float64), dtype=np.float32)
            s = s + _kernel_average(s, s[anchors], vectors, self.n_anchor_neighbors, self.seed)
        return s

    def _interpolate(self, s: np.ndarray) -> np.ndarray:
        """Corrections of rows ``s`` (centred, unaligned) from the fitted rows nearby."""
        if len(self.fit_positions_) == 0:
            return np.zeros_like(s)
        return _kernel_average(
            s, self.fit_positions_, self.fit_corrections_, 10, self.seed, width_neighbor=3
        )

    def transform_synthetic(self, synthetic: np.ndarray) -> np.ndarray:
        """Apply the fitted alignment to other synthetic rows (same feature space as ``fit``)."""
        s = np.asarray(synthetic, dtype=np.float32) - self.synthetic_mean_
        return s + self._interpolate(s)


def _subsample(n: int, cap: int, rng: np.random.Generator) -> np.ndarray:
    return np.arange(n) if n <= cap else np.sort(rng.choice(n, cap, replace=False))


def _kernel_average(
    x: np.ndarray,
    anchors: np.ndarray,
    vectors: np.ndarray,
    n_neighbors: int,
    seed: int,
    width_neighbor: int = 10,
) -> np.ndarray:
    """Per row of ``x``, the Gaussian-weighted mean of the ``vectors`` of its nearest anchors; the
    kernel width is the median distance of a row to its ``width_neighbor``-th nearest anchor."""
    m = min(n_neighbors, len(anchors))
    d, idx = knn(x, anchors, m, seed=seed)
    sigma = float(np.median(d[:, min(width_neighbor, m) - 1])) or 1.0
    w = np.exp(-np.square(d / sigma) + np.square(d[:, :1] / sigma))
    w /= w.sum(axis=1, keepdims=True)
    weights = csr_matrix(
        (w.ravel(), idx.ravel(), np.arange(0, w.size + 1, m)), (len(x), len(anchors))
    )
    return np.asarray(weights @ vectors, dtype=np.float32)


def align(
    real: np.ndarray, synthetic: np.ndarray, method: str = "mnn", seed: int = 0, **kwargs
) -> tuple[np.ndarray, np.ndarray]:
    """One-shot :class:`DomainAligner`: returns (real aligned, synthetic aligned)."""
    a = DomainAligner(method=method, seed=seed, **kwargs).fit(real, synthetic)
    return a.real_aligned_, a.synthetic_aligned_


def coral(
    synthetic: np.ndarray, real: np.ndarray, eps: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """CORAL (Sun et al., AAAI 2016): both sides standardised by their own mean and deviation,
    the synthetic rows then whitened by their covariance and re-coloured by the real one (each
    regularised by ``eps`` x identity). What every synthetic sample shares (a mean and
    covariance of its own) is removed; how classes differ within a side is kept. Returns
    (synthetic, real) rows in the same space."""
    synthetic, real = check_pair(synthetic, real, min_samples=2)

    def standardise(x: np.ndarray) -> np.ndarray:
        x = x.astype(np.float64) - x.mean(axis=0)
        return x / (x.std(axis=0) + 1e-6)

    def power(x: np.ndarray, p: float) -> np.ndarray:
        w, v = np.linalg.eigh(np.cov(x, rowvar=False) + eps * np.eye(x.shape[1]))
        return (v * w**p) @ v.T

    s, r = standardise(synthetic), standardise(real)
    moved = s @ power(s, -0.5) @ power(r, 0.5)
    return moved.astype(np.float32), r.astype(np.float32)
