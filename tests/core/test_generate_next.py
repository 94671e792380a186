"""Where to generate next, as the analysis lists it: each missing content once, largest gap first,
with real examples; clusters say what they hold (no database, no fiftyone)."""

from __future__ import annotations

import numpy as np
import pytest

from fiftyone_plugin.core.clustering import REAL_ONLY
from fiftyone_plugin.core.config import AnalysisConfig
from fiftyone_plugin.core.generate_next import generation_targets
from fiftyone_plugin.core.pipeline import analyze_embeddings


@pytest.fixture(scope="module")
def missing_two():
    """8 well-separated contents; the synthetic side (style-shifted) lacks contents 0 and 1, and
    content 0 has twice the real samples of content 1."""
    rng = np.random.default_rng(0)
    centers = np.eye(16)[:8] * 6
    n_real = [60, 30] + [30] * 6
    real = np.concatenate(
        [c + 0.4 * rng.normal(size=(n, 16)) for c, n in zip(centers, n_real, strict=True)]
    )
    content = np.repeat(np.arange(8), n_real)
    synthetic = np.concatenate([c + 0.4 * rng.normal(size=(25, 16)) for c in centers[2:]]) + 1.5
    names = np.array([f"content-{c}" for c in content], dtype=object)
    synth_names = np.repeat([f"content-{c}" for c in range(2, 8)], 25).astype(object)
    result = analyze_embeddings(
        real, synthetic, AnalysisConfig(seed=0, project=False, n_clusters=8),
        labels_real=names, labels_synthetic=synth_names,
    )  # fmt: skip
    return result, content


def test_each_missing_content_is_listed_once_largest_gap_first(missing_two):
    result, content = missing_two
    rows = result.generate_next
    top = rows[:2]
    assert [set(content[r["examples"]]) for r in top] == [{0}, {1}]
    assert top[0]["gap"] > top[1]["gap"]
    clusters = [r["cluster"] for r in rows]
    assert len(clusters) == len(set(clusters))  # no content twice (a region and its cluster)
    ratio = 150 / 240
    assert top[1]["needed"] == pytest.approx(30 * ratio, abs=2)


def test_clusters_are_named_by_their_most_common_label_and_typical_member(missing_two):
    result, content = missing_two
    for row in result.clusters:
        members = np.flatnonzero(result.cluster_real == row["cluster"])
        if len(members) == 0:
            continue
        values, counts = np.unique(content[members], return_counts=True)
        assert row["label"] == f"content-{values[np.argmax(counts)]}"
        assert row["typical"]["side"] == "real" and row["typical"]["index"] in members


def test_a_real_only_cluster_outside_every_region_is_listed_as_a_cluster():
    clusters = [
        {"cluster": 0, "n_real": 10, "n_synthetic": 10, "status": "mixed"},
        {"cluster": 1, "n_real": 6, "n_synthetic": 0, "status": REAL_ONLY},
    ]
    cluster_real = np.r_[np.zeros(10), np.ones(6)].astype(int)
    gap_score = np.r_[np.zeros(10), np.arange(6)]
    rows = generation_targets([], clusters, np.full(16, -1), gap_score, cluster_real, 3)
    assert rows == [{"kind": "cluster", "name": None, "cluster": 1, "n_real": 6,
                     "n_synthetic": 0, "gap": 6.0, "examples": [15, 14, 13], "needed": 4}]  # fmt: skip


def test_regions_of_one_cluster_are_listed_each_with_its_own_size():
    """Clustering merged two missing contents (cluster 1: 8 real, 0 synthetic) that the gap
    regions keep apart (5 and 3 real samples): two rows of their own sizes, the cluster's gap
    not counted again, and no row for the cluster."""
    clusters = [
        {"cluster": 0, "n_real": 10, "n_synthetic": 10, "status": "mixed"},
        {"cluster": 1, "n_real": 8, "n_synthetic": 0, "status": REAL_ONLY},
    ]
    cluster_real = np.r_[np.zeros(10), np.ones(8)].astype(int)
    gap_region = np.r_[np.full(10, -1), np.zeros(5), np.ones(3)].astype(int)
    regions = [{"region": r, "name": f"gap-{r + 1}", "size": n, "cluster": 1,
                "representatives": list(np.flatnonzero(gap_region == r))} for r, n in ((0, 5), (1, 3))]  # fmt: skip
    rows = generation_targets(regions, clusters, gap_region, np.zeros(18), cluster_real)
    assert [(r["name"], r["n_real"], r["gap"]) for r in rows] == [
        ("gap-1", 5, 5.0),
        ("gap-2", 3, 3.0),
    ]
    assert sum(r["gap"] for r in rows) == 8.0
