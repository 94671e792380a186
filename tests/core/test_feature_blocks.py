"""Blocks of an embedding weighed equally: known answers, bad blocks, and the analysis's use."""

from __future__ import annotations

import numpy as np
import pytest

from fiftyone_plugin.core.config import AnalysisConfig
from fiftyone_plugin.core.feature_blocks import equal_blocks
from fiftyone_plugin.core.pipeline import analyze_embeddings
from fiftyone_plugin.core.projection import normalize_features


def _block_variances(x: np.ndarray, blocks: list[int]) -> np.ndarray:
    v = normalize_features(x).var(axis=0)
    return np.array([part.sum() for part in np.split(v, np.cumsum(blocks)[:-1])])


def test_a_wide_block_no_longer_drowns_a_narrow_one():
    """A short block with a large shared mean and a long one spread around zero: after weighing,
    each holds about the same share of the variance the analysis sees."""
    rng = np.random.default_rng(0)
    blocks = [8, 120]

    def side(n):
        return np.hstack([5 + rng.normal(size=(n, 8)), rng.normal(size=(n, 120))])

    real, synthetic = side(200), side(150)
    before = _block_variances(np.vstack([real, synthetic]), blocks)
    assert before[1] > 10 * before[0]
    r, s = equal_blocks(real, synthetic, blocks)
    after = _block_variances(np.vstack([r, s]), blocks)
    assert after[1] / after[0] == pytest.approx(1.0, rel=0.25)
    # columns within a block keep their proportions
    np.testing.assert_allclose(r[:, :8] / real[:, :8], r[0, 0] / real[0, 0], rtol=1e-5)


@pytest.mark.parametrize(
    ("blocks", "match"),
    [([8, 100], "adding up to"), ([0, 128], "positive"), ([], "adding up to")],
)
def test_blocks_that_do_not_fit_the_embedding(blocks, match):
    x = np.ones((4, 128))
    with pytest.raises(ValueError, match=match):
        equal_blocks(x, x, blocks)


def test_the_analysis_weighs_the_blocks_it_is_given():
    rng = np.random.default_rng(1)
    real = np.hstack([5 + rng.normal(size=(120, 8)), rng.normal(size=(120, 56))])
    synthetic = np.hstack([5 + rng.normal(size=(100, 8)), rng.normal(size=(100, 56))])
    config = AnalysisConfig(project=False, kid_subsets=5)
    weighed = analyze_embeddings(real, synthetic, config, blocks=[8, 56])
    assert weighed.details["feature_blocks"] == [8, 56]
    by_hand = analyze_embeddings(*equal_blocks(real, synthetic, [8, 56]), config)
    np.testing.assert_allclose(weighed.gap_score, by_hand.gap_score, atol=1e-6)
    assert by_hand.details["feature_blocks"] is None
    with pytest.raises(ValueError, match="blocks="):
        analyze_embeddings(real, synthetic, config, blocks=[8, 8])
