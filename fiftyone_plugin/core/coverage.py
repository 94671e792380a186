"""GapDetector: which real samples the synthetic data does not cover.

Inputs are *aligned* features (see alignment.py): a global style shift has already been removed,
so what remains is a difference of content.

Method (unbalanced optimal transport between micro-clusters):

1-3. ``gap_score`` of a real sample: log2(expected / received synthetic mass) of its
   micro-cluster, smoothed over its real neighbours (transport.py says how).
4. The threshold for ``uncovered`` is calibrated, not fixed: the maximum of (a) the ``1 - alpha``
   quantile of the same score with the sides' labels shuffled: the real and synthetic samples
   pooled and dealt at random into sets of the sides' sizes (nothing is missing there, and the
   sampling noise is that of the analysis's sizes; two halves of the real side alone score
   noisier than the analysis and held the calls back), (b) the ``1 - alpha/5`` quantile of the
   synthetic side's own shortfall (residual misalignment raises both sides; junk excluded), and
   (c) ``min_log2_ratio``.
5. A sample is uncovered only if the shortfall is confirmed at a coarser scale
   (``confirm_samples_per_cluster``, calibrated the same way): a style shift the alignment did not
   fully remove moves synthetic mass to a *neighbouring* real area, and deficit and surplus cancel
   out over a larger area, while missing content lacks mass at every scale. The confirming
   transport holds each real area closer to its share (``confirm_tau_real`` > ``tau_real``), so
   a surplus next door fills a deficit there rather than staying put. A near-total shortfall
   (``gap_score >= CERTAIN_SCORE``) needs no confirmation: a residual shift only moves mass a
   little, and content smaller than a coarse cluster is merged there with covered neighbours.
6. Two tiers of calls. ``underrepresented`` (likely): gap_score above the calibrated threshold
   (step 4), in a group of such samples connected in the real k-NN graph at least as large as
   one smoothing neighbourhood (``n_smooth`` and ``min_region_size``; a smaller group is one
   smoothed blip of sampling noise), not confirmed. ``uncovered`` (confident): confirmed as in
   step 5, and the members of a likely group that holds a confirmed group of at least
   ``min_region_size`` (a region whose core is confidently missing takes the members that share
   its shortfall). The tiers are disjoint.
   A real sample whose own neighbourhood (out to its k-th real neighbour) holds at least half the
   synthetic samples expected there (``COVERED_SHARE``) is covered whatever its score: the
   smoothing of step 3 spreads a missing area's shortfall onto the covered samples at its edge.
   Each tier's expected false-positive rate is measured by applying its rule to the shuffled
   sides of step 4 (nothing missing there).
7. Uncovered samples connected in the real k-NN graph form gap regions, numbered 0.. by size;
   regions smaller than ``min_region_size`` are dropped (not uncovered).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ..progress import Progress, report
from ._validation import check_fraction, check_pair, check_positive_int
from .neighbors import knn
from .transport import MAX_SCORE, neighbor_graphs, transport_match

#: A real sample whose own neighbourhood (out to its k-th real neighbour) holds at least this
#: share of the synthetic samples expected there is covered, whatever its smoothed score.
COVERED_SHARE = 0.5
#: gap_score from which a shortfall counts without coarse confirmation: the sample's neighbourhood
#: received under 1/32 of its expected synthetic mass.
CERTAIN_SCORE = MAX_SCORE - 1.0


@dataclass
class NullSides:
    """The gap scores of the shuffled sides (GapDetector._null): per parameter set, the scores of
    the pseudo-real samples; their ``n_smooth`` neighbours; and which are covered nearby
    (GapDetector.covered_nearby_)."""

    scores: list[np.ndarray]
    neighbors: np.ndarray
    covered_nearby: np.ndarray


class GapDetector:
    """Score every real sample for how poorly the synthetic data represents it.

    Fitted attributes (n_real = rows of ``real``):

    * ``gap_score_`` (n_real,) float: log2(expected / received synthetic mass), higher = less
      represented; ``coarse_score_``: the same at the confirmation scale and balance
      (``confirm_samples_per_cluster``, ``confirm_tau_real``).
    * ``uncovered_`` (n_real,) bool, the confident tier: gap_score_ > threshold_ and
      (coarse_score_ > coarse_threshold_ or gap_score_ >= CERTAIN_SCORE), inside a region of at
      least ``min_region_size`` samples, with the likely members connected to such a region.
    * ``underrepresented_`` (n_real,) bool, the likely tier: gap_score_ > threshold_ inside a
      group of at least max(``n_smooth``, ``min_region_size``) such samples, and not uncovered_
      (module step 6).
    * ``covered_nearby_`` (n_real,) bool: the sample's own neighbourhood holds at least
      COVERED_SHARE of the synthetic samples expected there; never called (module step 6).
    * ``expected_false_positive_``: {"uncovered": share, "underrepresented": share} of the
      shuffled real side flagged by each tier's rule (nothing missing there).
    * ``gap_region_`` (n_real,) int: -1 where covered, else the region number (0 = largest).
    * ``threshold_``: gap_score above which a sample is uncovered; ``threshold_parts_``: its
      candidates (see the module docstring); ``null_scores_``: scores with the sides' labels
      shuffled (module step 4), the no-gap reference; ``alpha`` is the rate it is calibrated to.
    * ``synthetic_excess_`` (n_synthetic,): log2(expected / delivered mass) per synthetic sample,
      high = no real counterpart (used by the realism score).
    * ``nearest_synthetic_`` / ``distance_to_synthetic_`` (n_real,): index of and distance to the
      nearest synthetic sample; ``spacing_``: median distance of a real sample to its k-th real
      neighbour, the unit of "far"; ``regions_``: list of dicts, see :meth:`region_table`.
    * ``real_graph_``: (distances, indices) of each real sample's real neighbours (see
      :func:`neighbor_graphs`).
    * ``certain_only_``: True after :meth:`keep_certain`.
    """

    def __init__(
        self,
        k: int = 5,
        n_smooth: int = 10,
        samples_per_cluster: int = 8,
        confirm_samples_per_cluster: int = 32,
        epsilon: float = 0.05,
        tau_real: float = 1.0,
        tau_synthetic: float = 1.0,
        confirm_tau_real: float = 1.5,
        alpha: float = 0.05,
        min_log2_ratio: float = 0.25,
        min_region_size: int = 5,
        n_representatives: int = 8,
        max_null_samples: int = 10000,
        seed: int = 0,
    ) -> None:
        self.k = k
        self.n_smooth = n_smooth
        self.samples_per_cluster = samples_per_cluster
        self.confirm_samples_per_cluster = confirm_samples_per_cluster
        self.epsilon = epsilon
        self.tau_real = tau_real
        self.tau_synthetic = tau_synthetic
        self.confirm_tau_real = confirm_tau_real
        self.alpha = alpha
        self.min_log2_ratio = min_log2_ratio
        self.min_region_size = min_region_size
        self.n_representatives = n_representatives
        self.max_null_samples = max_null_samples
        self.seed = seed

    def _validate(self, real: np.ndarray, synthetic: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        check_positive_int(self.k, "k")
        check_positive_int(self.n_smooth, "n_smooth")
        check_positive_int(self.samples_per_cluster, "samples_per_cluster")
        check_positive_int(self.confirm_samples_per_cluster, "confirm_samples_per_cluster")
        check_positive_int(self.min_region_size, "min_region_size")
        check_positive_int(self.n_representatives, "n_representatives")
        check_positive_int(self.max_null_samples, "max_null_samples", minimum=4)
        check_fraction(self.alpha, "alpha", 0.0, 0.5)
        for name in ("epsilon", "tau_real", "tau_synthetic", "confirm_tau_real"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"{name} must be a positive number, got {value!r}")
        need = max(self.k, self.n_smooth) + 1
        real, synthetic = check_pair(real, synthetic, min_samples=1)
        if len(real) < 2 * need:
            raise ValueError(
                f"real has {len(real)} samples but the gap detector needs at least {2 * need} "
                f"(k={self.k}, n_smooth={self.n_smooth}): "
                "add real samples or lower k / n_smooth"
            )
        return real, synthetic

    def fit(
        self, real: np.ndarray, synthetic: np.ndarray, progress: Progress | None = None
    ) -> GapDetector:
        """``real`` (n_real, d), ``synthetic`` (n_synthetic, d): aligned features."""
        real, synthetic = self._validate(real, synthetic)
        params = dict(
            k=self.k,
            n_smooth=self.n_smooth,
            samples_per_cluster=self.samples_per_cluster,
            epsilon=self.epsilon,
            tau_real=self.tau_real,
            tau_synthetic=self.tau_synthetic,
            seed=self.seed,
        )
        report(progress, 0.0, "coverage: neighbourhoods")
        graphs = neighbor_graphs(real, synthetic, self.k, self.n_smooth, self.seed)
        self.real_graph_ = graphs[0]
        report(progress, 0.2, "coverage: transporting synthetic onto real")
        match = transport_match(real, synthetic, graphs=graphs, **params)
        self.spacing_ = match.spacing
        self.gap_score_ = match.real_score
        self.synthetic_excess_ = match.synthetic_score
        d_rs, i_rs = self._nearest_synthetic(real, synthetic)
        self.distance_to_synthetic_ = d_rs[:, 0]
        self.nearest_synthetic_ = i_rs[:, 0]
        self.covered_nearby_ = self._covered_nearby(d_rs, self.real_graph_)
        report(progress, 0.3, "coverage: calibrating on shuffled sides")
        coarse = {
            **params,
            "samples_per_cluster": self.confirm_samples_per_cluster,
            "tau_real": self.confirm_tau_real,
        }
        null = self._null(real, synthetic, [params, coarse])
        self.null_scores_, coarse_null = null.scores
        self.threshold_parts_ = self._threshold_parts(self.null_scores_, self.synthetic_excess_)
        self.threshold_ = max(self.threshold_parts_.values())

        # Confirmation at a coarser scale: a style shift the alignment did not fully remove
        # moves synthetic mass to a *neighbouring* real area (a deficit next to a surplus, which
        # cancel out over a larger area), while missing content lacks mass at every scale.
        report(progress, 0.5, "coverage: confirming at a coarser scale")
        coarse_match = transport_match(real, synthetic, graphs=graphs, **coarse)
        self.coarse_score_ = coarse_match.real_score
        self.coarse_threshold_ = max(
            self._threshold_parts(coarse_null, coarse_match.synthetic_score).values()
        )

        report(progress, 0.8, "coverage: gap regions")
        neighbors = self.real_graph_[1][:, : self.n_smooth]
        uncovered, likely = self._calls(
            self.gap_score_, self.coarse_score_, neighbors, self.covered_nearby_
        )
        self._null_sides = null
        null_uncovered, null_likely = self._calls(
            self.null_scores_, coarse_null, null.neighbors, null.covered_nearby
        )
        self.expected_false_positive_ = {
            "uncovered": float(null_uncovered.mean()),
            "underrepresented": float(null_likely.mean()),
        }
        self._set_regions(uncovered, likely, real, synthetic)
        self.certain_only_ = False
        report(progress, 1.0, "coverage: done")
        return self

    def _calls(
        self, score: np.ndarray, coarse: np.ndarray, neighbors: np.ndarray, nearby: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(uncovered, underrepresented) by the rules of the module docstring, step 6, for scores
        ``score`` / ``coarse`` on a real set whose neighbours are ``neighbors`` and whose
        samples ``nearby`` are covered nearby (never called)."""
        above = (score > self.threshold_) & ~nearby
        confirmed = above & ((coarse > self.coarse_threshold_) | (score >= CERTAIN_SCORE))
        core = self._regions(confirmed, neighbors) >= 0
        group = self._regions(above, neighbors, max(self.n_smooth, self.min_region_size))
        likely = group >= 0
        uncovered = core | (likely & np.isin(group, group[core]))
        return uncovered, likely & ~uncovered

    def keep_certain(self, real: np.ndarray, synthetic: np.ndarray) -> GapDetector:
        """Narrow ``uncovered_`` to near-total shortfalls (``gap_score_ >= CERTAIN_SCORE``), call
        nothing underrepresented, and rebuild the regions; ``real`` / ``synthetic``: the sets
        given to :meth:`fit`. For sides that stay separable after alignment, where a partial
        shortfall is as likely the rest of the style difference as missing content."""
        none = np.zeros_like(self.uncovered_)
        self._set_regions(
            self.uncovered_ & (self.gap_score_ >= CERTAIN_SCORE), none, real, synthetic
        )  # uncovered_ already leaves out covered_nearby_
        null = self._null_sides
        certain = (self.null_scores_ >= CERTAIN_SCORE) & ~null.covered_nearby
        certain = self._regions(certain, null.neighbors) >= 0
        self.expected_false_positive_ = {
            "uncovered": float(certain.mean()),
            "underrepresented": 0.0,
        }
        self.certain_only_ = True
        return self

    def _set_regions(
        self, uncovered: np.ndarray, likely: np.ndarray, real: np.ndarray, synthetic: np.ndarray
    ) -> None:
        self.gap_region_ = self._regions(uncovered, self.real_graph_[1][:, : self.n_smooth])
        self.uncovered_ = self.gap_region_ >= 0
        self.underrepresented_ = likely & ~self.uncovered_
        self.regions_ = self.region_table(real, synthetic)

    def _threshold_parts(self, null_scores: np.ndarray, excess: np.ndarray) -> dict[str, float]:
        """The calibrated threshold's candidates (the threshold is their maximum)."""
        # Residual misalignment inflates the scores of both sides, while missing content only
        # raises the real side: the synthetic side's upper tail (without synthetic samples that
        # nothing real resembles: junk) bounds part of what misalignment alone produces.
        matched = excess[excess < MAX_SCORE - 2]
        return {
            "minimum": float(self.min_log2_ratio),
            "shuffled_sides": float(np.quantile(null_scores, 1.0 - self.alpha)),
            "synthetic_side": float(np.quantile(matched, 1.0 - self.alpha / 5))
            if len(matched)
            else 0.0,
        }

    def _null(self, real: np.ndarray, synthetic: np.ndarray, scales: list[dict]) -> NullSides:
        """The no-gap reference (module step 4): the real and synthetic samples pooled and dealt
        at random into a pseudo-real and a pseudo-synthetic set of the sides' sizes (at most
        ``max_null_samples`` each), the first scored against the second per parameter set in
        ``scales``."""
        rng = np.random.default_rng(self.seed + 7)
        pooled = np.concatenate([real, synthetic])
        order = rng.permutation(len(pooled))
        x = pooled[order[: len(real)][: self.max_null_samples]]
        y = pooled[order[len(real) :][: self.max_null_samples]]
        graphs = neighbor_graphs(x, y, self.k, self.n_smooth, self.seed)
        scores = [transport_match(x, y, graphs=graphs, **p).real_score for p in scales]
        covered = self._covered_nearby(self._nearest_synthetic(x, y)[0], graphs[0])
        return NullSides(scores, graphs[0][1][:, : self.n_smooth], covered)

    def _nearest_synthetic(
        self, real: np.ndarray, synthetic: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(distances, indices) of each real sample's nearest synthetic samples, as many as
        :meth:`_covered_nearby` counts: COVERED_SHARE of the k expected in a real sample's
        neighbourhood (k times the sides' size ratio), at least one."""
        expected = self.k * len(synthetic) / len(real)
        need = min(max(1, int(np.ceil(COVERED_SHARE * expected))), len(synthetic))
        return knn(real, synthetic, need, seed=self.seed)

    def _covered_nearby(
        self, to_synthetic: np.ndarray, real_graph: tuple[np.ndarray, np.ndarray]
    ) -> np.ndarray:
        """(n_real,) bool: the ball of each real sample out to its k-th real neighbour (distances
        in ``real_graph``) holds all its nearest synthetic samples ``to_synthetic`` (distances,
        from :meth:`_nearest_synthetic`) (module step 6)."""
        return to_synthetic[:, -1] <= real_graph[0][:, self.k - 1]

    def _regions(
        self, flagged: np.ndarray, neighbors: np.ndarray, min_size: int | None = None
    ) -> np.ndarray:
        """Connected components of flagged samples in the symmetrised real k-NN graph, of at least
        ``min_size`` samples (default ``min_region_size``), numbered by size; -1 elsewhere."""
        n = len(flagged)
        rows = np.repeat(np.arange(n), neighbors.shape[1])
        cols = neighbors.ravel()
        keep = flagged[rows] & flagged[cols]
        graph = coo_matrix((np.ones(keep.sum()), (rows[keep], cols[keep])), shape=(n, n))
        _, comp = connected_components(graph, directed=True, connection="weak")
        region = np.full(n, -1, dtype=np.int64)
        ids, counts = np.unique(comp[flagged], return_counts=True)
        big = counts >= (min_size or self.min_region_size)
        order = np.argsort(-counts[big], kind="stable")
        for new, old in enumerate(ids[big][order]):
            region[flagged & (comp == old)] = new
        return region

    def region_table(self, real: np.ndarray, synthetic: np.ndarray) -> list[dict]:
        """One dict per gap region: region, name ("gap-1", ...), size, mean_gap_score,
        representatives (real indices, most central first), nearest_synthetic (synthetic indices
        closest to the region), distance_to_synthetic (median over the region, feature units) and
        relative_distance (the same divided by ``spacing_``: 1 = as far as typical real neighbours).
        """
        table = []
        for r in range(int(self.gap_region_.max(initial=-1)) + 1):
            members = np.flatnonzero(self.gap_region_ == r)
            centre = real[members].mean(axis=0, keepdims=True)
            d_c = np.linalg.norm(real[members] - centre, axis=1)
            reps = members[np.argsort(d_c, kind="stable")[: self.n_representatives]]
            m = min(self.n_representatives, len(synthetic))
            _, near = knn(centre, synthetic, m, seed=self.seed)
            dist = float(np.median(self.distance_to_synthetic_[members]))
            table.append(
                {
                    "region": r,
                    "name": f"gap-{r + 1}",
                    "size": int(len(members)),
                    "mean_gap_score": float(self.gap_score_[members].mean()),
                    "representatives": reps.tolist(),
                    "nearest_synthetic": near[0].tolist(),
                    "distance_to_synthetic": dist,
                    "relative_distance": dist / self.spacing_,
                }
            )
        return table


def detect_gaps(
    real: np.ndarray,
    synthetic: np.ndarray,
    seed: int = 0,
    progress: Progress | None = None,
    **kwargs,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One-shot :class:`GapDetector` on aligned features: (gap_score, uncovered, gap_region)."""
    g = GapDetector(seed=seed, **kwargs).fit(real, synthetic, progress)
    return g.gap_score_, g.uncovered_, g.gap_region_
