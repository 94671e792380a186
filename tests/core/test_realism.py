import numpy as np
import pytest
from core_scenarios import gaussian_gap_scenario
from sklearn.metrics import roc_auc_score

from fiftyone_plugin.core.alignment import align
from fiftyone_plugin.core.realism import RealismScorer, score_realism


def test_junk_ranks_least_realistic():
    sc = gaussian_gap_scenario(withheld=(), shift=6.0)
    rng = np.random.default_rng(0)
    dim = sc.real.shape[1]
    junk = np.vstack(
        [
            rng.normal(0, 8, (10, dim)),  # noise: far from every cluster
            np.tile(rng.normal(0, 8, dim), (10, 1)),  # blank: one repeated point
        ]
    ).astype(np.float32)
    synthetic = np.vstack([sc.synthetic, junk])
    is_junk = np.r_[np.zeros(len(sc.synthetic), bool), np.ones(len(junk), bool)]
    realism = score_realism(*align(sc.real, synthetic))
    assert realism.shape == (len(synthetic),)
    assert ((realism >= 0) & (realism <= 1)).all()
    assert roc_auc_score(is_junk, -realism) > 0.95


def test_synthetic_like_real_is_fully_realistic():
    rng = np.random.default_rng(1)
    real, synth = rng.normal(size=(200, 5)), rng.normal(size=(200, 5))
    s = RealismScorer().fit(real, synth)
    assert np.median(s.realism_) > 0.8
    assert ((s.classifier_ <= 1) & (s.match_ <= 1)).all()


def test_precomputed_excess_must_match_the_synthetic_side():
    with pytest.raises(ValueError, match="one value per synthetic sample"):
        RealismScorer().fit(np.zeros((20, 2)), np.zeros((10, 2)), synthetic_excess=np.zeros(3))


def test_folds_must_be_at_least_two():
    with pytest.raises(ValueError, match="n_folds must be an integer >= 2"):
        RealismScorer(n_folds=1).fit(np.zeros((20, 2)), np.zeros((10, 2)))


def test_fewer_synthetic_samples_than_folds_raises():
    with pytest.raises(ValueError, match="synthetic has 3 samples but at least 5"):
        RealismScorer().fit(np.zeros((20, 2)), np.zeros((3, 2)))
