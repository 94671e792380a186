"""Known-answer tests for synthetic-set curation (no database, no fiftyone)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fiftyone_plugin.core.curation import (
    DEGENERATE,
    LOW_REALISM,
    NEAR_DUPLICATE,
    OUTSIDE_SUPPORT,
    OVER_BUDGET,
    OVER_REPRESENTED,
    REASONS,
    CurationConfig,
    curate,
    real_support,
)

ONLY_BUDGET = CurationConfig(
    drop_outside_support=False, prune_duplicates=False, match_distribution=False
)


def blobs(rng, centers, n_each, scale=0.3):
    """Points around each center, with the index of their center."""
    x = np.concatenate([c + scale * rng.normal(size=(n_each, len(c))) for c in centers])
    return x, np.repeat(np.arange(len(centers)), n_each)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def test_samples_far_from_every_real_sample_are_outside_support(rng):
    centers = np.eye(4) * 5
    real, _ = blobs(rng, centers, 30)
    inside, labels = blobs(rng, centers, 5)
    junk = 40 + rng.normal(size=(3, 4))  # far away, and off the shared mean
    synthetic = np.concatenate([inside, junk])
    cfg = CurationConfig(prune_duplicates=False, match_distribution=False)
    result = curate(synthetic, np.ones(23), np.r_[labels, [0, 0, 0]], {0: 1}, real=real, config=cfg)
    assert result.reasons[20:].tolist() == [OUTSIDE_SUPPORT] * 3
    assert result.keep[:20].all()


def test_support_judged_in_the_analysis_aligned_space_survives_a_style_shift(rng):
    from fiftyone_plugin.core.config import AnalysisConfig
    from fiftyone_plugin.core.pipeline import analyze_embeddings

    centers = np.eye(8) * 5
    real, _ = blobs(rng, centers, 30)
    synthetic, labels = blobs(rng, centers, 20)
    shifted = synthetic + 3.0 + 0.5 * synthetic[:, ::-1]  # a style: shift plus a linear mix
    raw = curate(shifted, np.ones(160), labels, {0: 1}, real=real)
    assert raw.n_kept == 0  # unaligned, every synthetic sample is outside the real support

    result = analyze_embeddings(real, shifted, AnalysisConfig(seed=0, project=False))
    assert result.support.shape == (160,)
    cfg = CurationConfig(prune_duplicates=False, match_distribution=False)
    aligned = curate(shifted, result.realism, labels, {0: 1}, support=result.support, config=cfg)
    assert aligned.n_kept >= 0.9 * 160


def test_real_support_is_at_most_one_inside_a_real_ball_and_grows_outside():
    real = np.arange(20, dtype=float)[:, None]  # 5th neighbour 3 away (edges: 5)
    synthetic = np.array([[10.2], [25.0], [40.0]])
    support = real_support(real, synthetic, k=5)
    assert support[0] <= 1 < support[1] < support[2]
    assert support[1] == pytest.approx(6 / 5)


def test_degenerate_images_go_first_whatever_else_says(rng):
    synthetic = rng.normal(size=(6, 3))
    degenerate = np.array([True, False, False, True, False, False])
    cfg = CurationConfig(drop_outside_support=False, prune_duplicates=False)
    result = curate(synthetic, np.ones(6), np.zeros(6), {0: 1}, degenerate=degenerate, config=cfg)
    assert result.reasons.tolist() == [DEGENERATE, "", "", DEGENERATE, "", ""]
    off = CurationConfig(drop_degenerate=False, drop_outside_support=False)
    assert curate(synthetic, np.ones(6), np.zeros(6), {0: 1}, degenerate=degenerate,
                  config=off).n_kept == 6  # fmt: skip


def test_preview_counts_per_cluster_and_warns_when_more_than_a_third_goes(rng):
    clusters = np.r_[np.zeros(4), np.ones(5)].astype(int)
    support = np.r_[np.full(4, 3.0), np.full(5, 0.5)]  # cluster 0 entirely outside
    cfg = CurationConfig(prune_duplicates=False)
    result = curate(rng.normal(size=(9, 2)), np.ones(9), clusters, {0: 1, 1: 1},
                    support=support, config=cfg)  # fmt: skip
    rows = result.by_cluster(clusters)
    assert rows[0] == {"cluster": 0, "n_synthetic": 4, "n_kept": 0,
                       "dropped": {OUTSIDE_SUPPORT: 4}}  # fmt: skip
    assert rows[1]["n_kept"] == 5
    assert "44%" in result.warning() and OUTSIDE_SUPPORT in result.warning()
    support[:3] = 0.5  # one of nine dropped: no warning
    assert curate(rng.normal(size=(9, 2)), np.ones(9), clusters, {0: 1, 1: 1}, support=support,
                  config=cfg).warning() is None  # fmt: skip


def test_the_least_realistic_fraction_is_dropped():
    synthetic = np.arange(10, dtype=float)[:, None] * np.ones((1, 3))
    realism = np.array([0.5, 0.9, 0.1, 0.8, 0.7, 0.2, 0.6, 0.4, 0.3, np.nan])
    cfg = CurationConfig(
        drop_outside_support=False,
        prune_duplicates=False,
        match_distribution=False,
        low_realism_fraction=0.3,
    )
    result = curate(synthetic, realism, np.zeros(10), {0: 5}, config=cfg)
    assert set(np.flatnonzero(result.reasons == LOW_REALISM)) == {9, 2, 5}  # NaN counts as least


def test_of_near_duplicates_the_most_realistic_is_kept(rng):
    base = rng.normal(size=(5, 8)) * 10
    synthetic = np.concatenate([base, base[:2] + 1e-3])  # rows 5, 6 copy rows 0, 1
    realism = np.array([0.1, 0.9, 0.5, 0.5, 0.5, 0.8, 0.2])
    cfg = CurationConfig(drop_outside_support=False, match_distribution=False, duplicate_radius=1)
    result = curate(synthetic, realism, np.zeros(7), {0: 1}, config=cfg)
    assert set(np.flatnonzero(result.reasons == NEAR_DUPLICATE)) == {0, 6}


def test_the_duplicate_radius_follows_the_spacing_of_the_real_data():
    real = np.arange(20, dtype=float)[:, None]  # neighbours 1 apart: radius 0.5
    synthetic = np.array([[0.0], [0.3], [2.0], [2.6]])
    cfg = CurationConfig(drop_outside_support=False, match_distribution=False)
    result = curate(synthetic, [0.9, 0.1, 0.9, 0.1], np.zeros(4), {0: 1}, real=real, config=cfg)
    assert result.duplicate_radius == pytest.approx(0.5)
    assert result.reasons.tolist() == ["", NEAR_DUPLICATE, "", ""]


def test_budget_keeps_the_most_realistic():
    synthetic = np.arange(6, dtype=float)[:, None]
    realism = np.array([0.1, 0.6, 0.3, 0.9, 0.5, 0.2])
    result = curate(synthetic, realism, np.zeros(6), {0: 3}, 3, config=ONLY_BUDGET)
    assert np.flatnonzero(result.keep).tolist() == [1, 3, 4]
    assert result.counts()[OVER_BUDGET] == 3


def test_matching_gives_each_cluster_its_real_share_of_the_budget(rng):
    # real: 60% cluster 0, 30% cluster 1, 10% cluster 2; synthetic: mostly cluster 0
    clusters = np.r_[np.zeros(50), np.ones(10), np.full(10, 2)].astype(int)
    synthetic = rng.normal(size=(70, 4))
    cfg = CurationConfig(drop_outside_support=False, prune_duplicates=False)
    result = curate(synthetic, rng.random(70), clusters, {0: 60, 1: 30, 2: 10}, 20, config=cfg)
    kept = np.bincount(clusters[result.keep], minlength=3)
    assert kept.tolist() == [12, 6, 2]
    assert result.counts()[OVER_REPRESENTED] == 50


def test_thin_and_missing_clusters_become_generation_targets(rng):
    # cluster 1 has only 2 synthetic samples, cluster 2 none, cluster 3 is synthetic-only
    clusters = np.r_[np.zeros(30), np.ones(2), np.full(5, 3)].astype(int)
    synthetic = rng.normal(size=(37, 4))
    cfg = CurationConfig(drop_outside_support=False, prune_duplicates=False)
    result = curate(synthetic, rng.random(37), clusters, {0: 50, 1: 30, 2: 20}, 20, config=cfg)
    # cluster 0 takes what cluster 1 (2 of its 6) and cluster 2 (none) cannot fill
    assert np.bincount(clusters[result.keep], minlength=4).tolist() == [18, 2, 0, 0]
    assert (result.reasons[clusters == 3] == OVER_REPRESENTED).all()
    needed = {t["cluster"]: t["needed"] for t in result.targets}
    assert needed == {1: 4, 2: 4}  # short of their real share of the budget
    assert [t["cluster"] for t in result.targets] == [1, 2]  # ties: larger real share first


def test_without_a_budget_matching_drops_nothing_that_passed_the_filters(rng):
    clusters = np.r_[np.zeros(16), np.ones(4), np.full(3, 2)].astype(int)  # 2: no real samples
    cfg = CurationConfig(drop_outside_support=False, prune_duplicates=False)
    result = curate(rng.normal(size=(23, 3)), rng.random(23), clusters, {0: 1, 1: 1}, config=cfg)
    assert np.bincount(clusters[result.keep], minlength=3).tolist() == [16, 4, 0]


def test_a_budget_is_shared_by_real_share_and_what_thin_clusters_leave_goes_on(rng):
    clusters = np.r_[np.zeros(16), np.ones(4)].astype(int)
    cfg = CurationConfig(drop_outside_support=False, prune_duplicates=False)
    result = curate(rng.normal(size=(20, 3)), rng.random(20), clusters, {0: 1, 1: 1}, 12,
                    config=cfg)  # fmt: skip
    assert np.bincount(clusters[result.keep]).tolist() == [8, 4]


def test_strategies_combine_and_every_sample_gets_one_reason(rng):
    centers = np.eye(6) * 6
    real, real_labels = blobs(rng, centers, 20)
    synthetic, labels = blobs(rng, centers, 12)
    synthetic[:3] += 200.0 * rng.normal(size=(3, 6))  # junk
    cfg = CurationConfig(low_realism_fraction=0.1)
    counts = dict(zip(*np.unique(real_labels, return_counts=True), strict=True))
    result = curate(synthetic, rng.random(72), labels, counts, 30, real=real, config=cfg)
    assert result.n_kept <= 30
    assert set(result.reasons[~result.keep]) <= set(REASONS)
    assert (result.reasons[result.keep] == "").all()
    assert sum(result.counts().values()) == 72 - result.n_kept


def test_budget_zero_keeps_nothing_and_targets_nothing(rng):
    result = curate(rng.normal(size=(5, 2)), np.ones(5), np.zeros(5), {0: 3}, 0, config=ONLY_BUDGET)
    assert result.n_kept == 0 and result.targets == []


def test_no_synthetic_samples():
    result = curate(np.zeros((0, 3)), np.zeros(0), np.zeros(0), {0: 3}, 5, real=np.zeros((9, 3)))
    assert result.n_kept == 0
    assert result.targets[0]["needed"] == 5


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(budget=-1), "budget"),
        (dict(budget=2.5), "budget"),
        (dict(realism=np.ones(3)), "one value per"),
        (dict(config=CurationConfig(low_realism_fraction=1.0)), "low_realism_fraction"),
        (dict(real=None), "real embeddings"),
        (dict(real=np.zeros((3, 2))), "more than support_k"),
        (dict(real=np.zeros((10, 5))), "like synthetic"),
    ],
)
def test_bad_parameters_say_what_to_do(kwargs, match):
    args = dict(
        synthetic=np.zeros((4, 2)),
        realism=np.ones(4),
        clusters=np.zeros(4),
        real_cluster_counts={0: 1},
        budget=None,
        real=np.zeros((10, 2)),
    )
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        curate(**args)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(0, 30),
    budget=st.one_of(st.none(), st.integers(0, 40)),
    n_clusters=st.integers(1, 4),
    match=st.booleans(),
    seed=st.integers(0, 10_000),
)
def test_never_keeps_more_than_the_budget_nor_a_cluster_beyond_its_share(
    n, budget, n_clusters, match, seed
):
    rng = np.random.default_rng(seed)
    clusters = rng.integers(0, n_clusters, n)
    real_counts = {c: int(rng.integers(0, 5)) for c in range(n_clusters)}
    cfg = CurationConfig(drop_outside_support=False, match_distribution=match)
    result = curate(
        rng.normal(size=(n, 3)), rng.random(n), clusters, real_counts, budget, config=cfg
    )
    assert result.keep.shape == (n,)
    if budget is not None:
        assert result.n_kept <= budget
    if match and sum(real_counts.values()):
        candidates = n - result.counts()[NEAR_DUPLICATE]
        size = candidates if budget is None else min(budget, candidates)
        with_real = np.isin(clusters, [c for c, v in real_counts.items() if v])
        # the budget is filled as far as clusters with real samples have candidates
        assert result.n_kept == min(
            size, int((with_real & (result.reasons != NEAR_DUPLICATE)).sum())
        )
        total = sum(real_counts.values())
        for c in range(n_clusters):
            kept = (clusters[result.keep] == c).sum()
            if kept > np.ceil(real_counts[c] / total * size):  # beyond its share: only when
                # every cluster with real samples is out of candidates or at its share
                assert real_counts[c] > 0
