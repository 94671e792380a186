"""RealismScorer: how much each synthetic sample looks like real data, in [0, 1].

Two signals, both computed on *aligned* features (alignment.py), so that a style shift shared by
all synthetic samples does not make every one of them "unrealistic":

* ``classifier_``: a domain classifier (logistic regression) cross-fitted over ``n_folds`` folds,
  so each synthetic sample is scored by a model that never saw it. P(real) = 0.5 means
  indistinguishable from real; the signal is ``min(1, 2 * P(real))``.
* ``match_``: real support, measured by the unbalanced transport of transport.py: the share of the
  sample's expected mass that found real data to go to, capped at 1 (1 = its neighbourhood has a
  real counterpart, 0.25 = only a quarter of it has). The pipeline measures it on the features
  before the local (mutual-neighbour) correction, which can pull junk onto real data too.

``realism_`` is their geometric mean: junk (noise images, blank or broken renders) has no real
counterpart and is easy to tell apart, so it ranks lowest.
"""

from __future__ import annotations

import numpy as np

from ..progress import Progress, report
from ._validation import check_pair, check_positive_int
from .transport import transport_match


class RealismScorer:
    """Fitted attributes (n_synthetic,) in [0, 1]: ``realism_``, ``classifier_`` (cross-fitted
    2 * P(real), capped at 1), ``match_`` (transported share of the sample's mass, capped at 1)."""

    def __init__(self, n_folds: int = 5, max_train_per_side: int = 5000, seed: int = 0) -> None:
        self.n_folds = n_folds
        self.max_train_per_side = max_train_per_side
        self.seed = seed

    def fit(
        self,
        real: np.ndarray,
        synthetic: np.ndarray,
        synthetic_excess: np.ndarray | None = None,
        progress: Progress | None = None,
    ) -> RealismScorer:
        """``real``, ``synthetic``: aligned features. ``synthetic_excess``: log2(expected /
        delivered mass) per synthetic sample (a GapDetector's ``synthetic_excess_``, or
        :func:`~.transport.transport_match` on other features), else computed here."""
        check_positive_int(self.n_folds, "n_folds", minimum=2)
        check_positive_int(self.max_train_per_side, "max_train_per_side", minimum=2)
        real, synthetic = check_pair(real, synthetic, min_samples=self.n_folds)
        if synthetic_excess is None:
            report(progress, 0.0, "realism: matching synthetic onto real")
            synthetic_excess = transport_match(real, synthetic, seed=self.seed).synthetic_score
        elif np.shape(synthetic_excess) != (len(synthetic),):
            raise ValueError(
                f"synthetic_excess must hold one value per synthetic sample ({len(synthetic)}), "
                f"got shape {np.shape(synthetic_excess)}"
            )
        self.match_ = np.minimum(np.exp2(-np.asarray(synthetic_excess)), 1.0).astype(np.float32)
        report(progress, 0.3, "realism: cross-fitted domain classifier")
        p_real = self._cross_fitted_p_real(real, synthetic)
        self.classifier_ = np.minimum(2.0 * p_real, 1.0).astype(np.float32)
        self.realism_ = np.sqrt(self.classifier_ * self.match_).astype(np.float32)
        report(progress, 1.0, "realism: done")
        return self

    def _cross_fitted_p_real(self, real: np.ndarray, synthetic: np.ndarray) -> np.ndarray:
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler

        rng = np.random.default_rng(self.seed)
        folds = rng.permutation(len(synthetic)) % self.n_folds
        cap = self.max_train_per_side
        real_train = real[rng.choice(len(real), min(len(real), cap), replace=False)]
        p_real = np.empty(len(synthetic), dtype=np.float64)
        for f in range(self.n_folds):
            test = folds == f
            train = np.flatnonzero(~test)
            train = rng.choice(train, min(len(train), cap), replace=False)
            x = np.vstack([real_train, synthetic[train]])
            y = np.r_[np.ones(len(real_train)), np.zeros(len(train))]
            scaler = StandardScaler().fit(x)
            clf = LogisticRegression(C=0.1, class_weight="balanced", max_iter=1000)
            clf.fit(scaler.transform(x), y)
            p_real[test] = clf.predict_proba(scaler.transform(synthetic[test]))[:, 1]
        return p_real


def score_realism(
    real: np.ndarray,
    synthetic: np.ndarray,
    seed: int = 0,
    progress: Progress | None = None,
    **kwargs,
) -> np.ndarray:
    """One-shot :class:`RealismScorer` on aligned features: realism (n_synthetic,) in [0, 1]."""
    return RealismScorer(seed=seed, **kwargs).fit(real, synthetic, progress=progress).realism_
