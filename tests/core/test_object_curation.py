"""Known-answer tests for curating synthetic images by their objects (no database)."""

from __future__ import annotations

import numpy as np
import pytest
from test_curation import ONLY_BUDGET

from fiftyone_plugin.core.curation import (
    DEGENERATE,
    LOW_REALISM,
    NEAR_DUPLICATE,
    OUTSIDE_SUPPORT,
    OVER_BUDGET,
    OVER_REPRESENTED,
    CurationConfig,
)
from fiftyone_plugin.core.object_curation import curate_by_objects

ONLY_JUDGE = CurationConfig(prune_duplicates=False, match_distribution=False)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def real_blobs(rng, centers, n_each=30, scale=0.3):
    return np.concatenate([c + scale * rng.normal(size=(n_each, len(c))) for c in centers])


def near(rng, center, n, scale=0.3):
    return center + scale * rng.normal(size=(n, len(center)))


def test_an_image_goes_with_any_object_outside_the_real_support_unless_a_share_is_allowed(rng):
    centers = np.eye(4) * 5
    real = real_blobs(rng, centers)
    # images 0-3: two good objects each; image 4: one good object and one far from all real data
    good = np.concatenate([near(rng, centers[i % 4], 2) for i in range(5)])
    synthetic = np.concatenate([good[:9], 40 + rng.normal(size=(1, 4))])
    image = np.repeat(np.arange(5), 2)
    clusters = np.r_[[i % 4 for i in range(5) for _ in range(2)]]
    result = curate_by_objects(synthetic, np.ones(10), clusters, image, {0: 1}, real=real,
                               config=ONLY_JUDGE)  # fmt: skip
    assert result.reasons.tolist() == ["", "", "", "", OUTSIDE_SUPPORT]
    assert result.object_reasons.tolist() == [""] * 9 + [OUTSIDE_SUPPORT]
    assert result.flagged_counts() == {DEGENERATE: 0, OUTSIDE_SUPPORT: 1, LOW_REALISM: 0}
    assert result.object_keep.tolist() == [True] * 8 + [False] * 2

    half = CurationConfig(prune_duplicates=False, match_distribution=False,
                          max_bad_object_share=0.5)  # fmt: skip
    tolerant = curate_by_objects(synthetic, np.ones(10), clusters, image, {0: 1}, real=real,
                                 config=half)  # fmt: skip
    assert tolerant.keep.all()  # one bad object of two is not more than half


def test_an_image_gets_the_first_reason_of_its_objects(rng):
    synthetic = rng.normal(size=(4, 3))
    realism = np.array([0.1, 0.9, 0.8, 0.7])  # object 0 the least realistic
    degenerate = np.array([False, True, False, False])
    image = np.array([0, 0, 1, 1])
    cfg = CurationConfig(drop_outside_support=False, prune_duplicates=False,
                         match_distribution=False, low_realism_fraction=0.25)  # fmt: skip
    result = curate_by_objects(synthetic, realism, np.zeros(4), image, {0: 1},
                               degenerate=degenerate, config=cfg)  # fmt: skip
    assert result.object_reasons.tolist() == [LOW_REALISM, DEGENERATE, "", ""]
    assert result.reasons.tolist() == [DEGENERATE, ""]  # degenerate comes first


def test_an_image_whose_objects_all_repeat_a_kept_image_is_a_near_duplicate(rng):
    a = np.array([[0.0, 0.0], [10.0, 0.0]])
    images = [a, a + 0.01, np.array([[0.01, 0.0], [0.0, 10.0]])]  # copy of 0; half new
    synthetic = np.concatenate(images)
    image = np.repeat(np.arange(3), 2)
    realism = np.array([0.9, 0.9, 0.5, 0.5, 0.5, 0.5])
    cfg = CurationConfig(drop_outside_support=False, match_distribution=False,
                         duplicate_radius=1.0)  # fmt: skip
    result = curate_by_objects(synthetic, realism, np.zeros(6), image, {0: 1}, config=cfg)
    assert result.reasons.tolist() == ["", NEAR_DUPLICATE, ""]
    assert result.duplicate_radius == 1.0

    # the more realistic of two copies stays, whichever comes first
    realism = np.array([0.2, 0.2, 0.9, 0.9, 0.5, 0.5])
    result = curate_by_objects(synthetic, realism, np.zeros(6), image, {0: 1}, config=cfg)
    assert result.reasons.tolist() == [NEAR_DUPLICATE, "", ""]


def test_the_budget_counts_images_ranked_by_their_least_realistic_object(rng):
    synthetic = rng.normal(size=(6, 3))
    image = np.array([0, 0, 1, 2, 2, 2])
    realism = np.array([0.9, 0.2, 0.5, 0.8, 0.7, 0.6])  # image minima 0.2, 0.5, 0.6
    result = curate_by_objects(synthetic, realism, np.zeros(6), image, {0: 1}, 2,
                               config=ONLY_BUDGET)  # fmt: skip
    assert result.reasons.tolist() == [OVER_BUDGET, "", ""]
    assert result.n_kept == 2 and result.kept_clusters(np.arange(6)).tolist() == [2, 3, 4, 5]


def test_matching_gives_each_object_cluster_its_real_share_and_targets_count_objects(rng):
    # real objects: half cluster 0, half cluster 1; synthetic images, most realistic first: 8
    # with two cluster-0 objects, then 2 with one cluster-1 object
    image = np.r_[np.repeat(np.arange(8), 2), [8, 9]]
    clusters = np.r_[np.zeros(16, int), [1, 1]]
    synthetic = rng.normal(size=(18, 3))
    realism = np.linspace(1, 0.5, 18)
    cfg = CurationConfig(drop_outside_support=False, prune_duplicates=False)
    result = curate_by_objects(synthetic, realism, clusters, image, {0: 50, 1: 50}, 6, config=cfg)
    # 6 images of 1.8 objects on average: 11 objects; cluster 1 has only 2, so cluster 0 gets 9:
    # four cluster-0 images fit, and the less realistic cluster-1 images still get in
    assert result.keep.tolist() == [True] * 4 + [False] * 4 + [True, True]
    assert set(result.reasons[4:8]) == {OVER_BUDGET}  # cluster 0 had room for one more object
    (target,) = result.targets  # 11 objects at real shares: 6 + 5; cluster 1 kept 2
    assert (target["cluster"], target["n_kept"], target["needed"]) == (1, 2, 3)
    rows = {r["cluster"]: r for r in result.by_cluster(clusters)}
    assert rows[0]["n_kept"] == 8 and rows[0]["n_synthetic"] == 16  # counted in objects
    assert rows[0]["dropped"] == {OVER_BUDGET: 8}

    # a quarter of the real objects in cluster 0: beyond its share, images are over-represented
    image, clusters = np.arange(16), np.repeat([0, 1], 8)
    result = curate_by_objects(rng.normal(size=(16, 3)), np.linspace(1, 0.5, 16), clusters,
                               image, {0: 1, 1: 3}, 8, config=cfg)  # fmt: skip
    assert result.keep.tolist() == [True] * 2 + [False] * 6 + [True] * 6 + [False] * 2
    assert set(result.reasons[~result.keep]) == {OVER_REPRESENTED}
    assert result.targets == []


def test_without_a_budget_matching_only_drops_images_of_clusters_without_real_objects(rng):
    image = np.array([0, 0, 1, 2, 2])
    clusters = np.array([0, 1, 1, 2, 2])  # cluster 2 has no real objects
    cfg = CurationConfig(drop_outside_support=False, prune_duplicates=False)
    result = curate_by_objects(rng.normal(size=(5, 3)), np.ones(5), clusters, image,
                               {0: 3, 1: 1}, config=cfg)  # fmt: skip
    assert result.reasons.tolist() == ["", "", OVER_REPRESENTED]


def test_no_objects_and_budget_zero(rng):
    empty = curate_by_objects(np.zeros((0, 3)), [], [], [], {0: 1}, config=ONLY_JUDGE)
    assert empty.n_kept == 0 and empty.targets == []
    zero = curate_by_objects(rng.normal(size=(3, 3)), np.ones(3), np.zeros(3), [0, 1, 2],
                             {0: 1}, 0, config=ONLY_BUDGET)  # fmt: skip
    assert zero.n_kept == 0 and zero.targets == []


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"image": [0, 2, 2]}, "each with an object"),
        ({"image": [0, 1]}, "one value per synthetic object"),
        ({"config": CurationConfig(max_bad_object_share=1.0)}, r"max_bad_object_share .*\[0, 1\)"),
    ],
)
def test_bad_parameters_say_what_to_do(rng, kwargs, match):
    args = {"image": [0, 1, 1], "config": ONLY_BUDGET, **kwargs}
    with pytest.raises(ValueError, match=match):
        curate_by_objects(rng.normal(size=(3, 3)), np.ones(3), np.zeros(3), args["image"],
                          {0: 1}, config=args["config"])  # fmt: skip
