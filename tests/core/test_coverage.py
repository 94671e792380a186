import numpy as np
import pytest
from core_scenarios import gaussian_gap_scenario
from sklearn.metrics import roc_auc_score

from fiftyone_plugin.core.alignment import align
from fiftyone_plugin.core.coverage import CERTAIN_SCORE, GapDetector, detect_gaps


@pytest.fixture(scope="module")
def shifted_gap():
    """Eight clusters, two withheld from the synthetic side, which is also shifted and distorted."""
    sc = gaussian_gap_scenario(withheld=(0, 1), separation=10.0, shift=8.0)
    real, synth = align(sc.real, sc.synthetic)
    return sc, GapDetector().fit(real, synth)


def test_withheld_clusters_score_highest(shifted_gap):
    sc, g = shifted_gap
    assert roc_auc_score(sc.missing, g.gap_score_) > 0.99


def test_uncovered_is_precise_and_finds_most_of_the_gap(shifted_gap):
    sc, g = shifted_gap
    tp = (g.uncovered_ & sc.missing).sum()
    assert tp / g.uncovered_.sum() >= 0.95
    assert tp / sc.missing.sum() >= 0.8


def test_regions_are_the_withheld_clusters_numbered_by_size(shifted_gap):
    sc, g = shifted_gap
    sizes = [r["size"] for r in g.regions_]
    assert sizes == sorted(sizes, reverse=True)
    assert [r["name"] for r in g.regions_][:2] == ["gap-1", "gap-2"]
    for r in g.regions_:
        members = np.flatnonzero(g.gap_region_ == r["region"])
        assert len(members) == r["size"]
        assert len(set(sc.labels_real[members])) == 1  # one withheld cluster per region
        assert set(r["representatives"]) <= set(members)
        assert r["relative_distance"] > 1  # farther from synthetic data than real neighbours are
    assert set(np.unique(g.gap_region_)) == {-1, *range(len(g.regions_))}
    assert (g.uncovered_ == (g.gap_region_ >= 0)).all()


def test_nothing_missing_flags_at_most_alpha():
    flagged = []
    for seed in range(3):
        sc = gaussian_gap_scenario(withheld=(), shift=8.0, seed=seed)
        _, uncovered, _ = detect_gaps(*align(sc.real, sc.synthetic))
        flagged.append(uncovered.mean())
    assert max(flagged) <= 0.05


def test_threshold_is_calibrated_on_a_real_half():
    sc = gaussian_gap_scenario(withheld=(0,), shift=4.0)
    g = GapDetector(alpha=0.1).fit(*align(sc.real, sc.synthetic))
    assert g.threshold_ == max(g.threshold_parts_.values())
    assert g.threshold_ >= np.quantile(g.null_scores_, 0.9) - 1e-6


def test_keep_certain_drops_partial_shortfalls_and_keeps_missing_content():
    """Cluster 0 withheld (far from the rest: nothing received), cluster 1 thinned to 1/16."""
    sc = gaussian_gap_scenario(
        withheld=(0,), separation=20.0, shift=0.0, distortion=0.0, extra_noise=0.0
    )
    keep = (sc.labels_synthetic != 1) | (np.arange(len(sc.synthetic)) % 16 == 0)
    synthetic = sc.synthetic[keep]
    g = GapDetector().fit(sc.real, synthetic)
    thinned = sc.labels_real == 1
    assert g.uncovered_[thinned].mean() > 0.5 and not g.certain_only_
    g.keep_certain(sc.real, synthetic)
    assert g.certain_only_
    assert not g.uncovered_[thinned].any()
    assert g.uncovered_[sc.missing].mean() > 0.8
    assert (g.gap_score_[g.uncovered_] >= CERTAIN_SCORE).all()
    assert [r["size"] for r in g.regions_] == [int(g.uncovered_.sum())]
    assert (g.uncovered_ == (g.gap_region_ >= 0)).all()


def test_too_few_real_samples_says_how_many():
    with pytest.raises(ValueError, match="needs at least 22"):
        GapDetector().fit(np.zeros((21, 3)), np.zeros((30, 3)))


def test_alpha_out_of_range_raises():
    with pytest.raises(ValueError, match="alpha must be in"):
        GapDetector(alpha=0.7).fit(np.zeros((40, 3)), np.zeros((30, 3)))


def test_epsilon_must_be_positive():
    with pytest.raises(ValueError, match="epsilon must be a positive number"):
        GapDetector(epsilon=0).fit(np.zeros((40, 3)), np.zeros((30, 3)))


def test_missing_content_smaller_than_the_confirmation_scale_is_found():
    """Sixteen clusters of 20 real samples (below the 32-sample confirmation scale), two withheld:
    the coarse check merges each with a covered neighbour, but nothing reaches them at all."""
    sc = gaussian_gap_scenario(
        n_clusters=16, withheld=(0, 1), n_per_cluster=20, separation=20.0, shift=0.0
    )
    g = GapDetector().fit(sc.real, sc.synthetic)
    tp = (g.uncovered_ & sc.missing).sum()
    assert tp / sc.missing.sum() >= 0.9
    assert tp / g.uncovered_.sum() >= 0.95


@pytest.mark.parametrize("alpha", [0.05, 0.1])
def test_the_likely_tier_flags_at_most_the_stated_rate_when_nothing_is_missing(alpha):
    """Real against real (two draws of the same clusters, no shift): each tier's expected
    false-positive rate, measured with the sides' labels shuffled, and the share flagged stay within the
    stated rate; the likely tier's threshold is the null's 1 - alpha quantile or stricter."""
    for seed in range(3):
        sc = gaussian_gap_scenario(
            withheld=(), shift=0.0, distortion=0.0, extra_noise=0.0, seed=seed
        )
        g = GapDetector(alpha=alpha, seed=seed).fit(sc.real, sc.synthetic)
        assert g.threshold_ >= np.quantile(g.null_scores_, 1 - alpha) - 1e-6
        flagged = (g.uncovered_ | g.underrepresented_).mean()
        assert flagged <= alpha, (seed, flagged)
        assert sum(g.expected_false_positive_.values()) <= alpha


def test_the_tiers_catch_a_withheld_cluster_and_a_thinned_one():
    """Cluster 0 withheld, cluster 1 thinned to a quarter of its share: the withheld one is called
    (either tier) and the thinned one at least likely; the tiers are disjoint."""
    sc = gaussian_gap_scenario(withheld=(0,), separation=10.0, shift=0.0, distortion=0.0)
    keep = (sc.labels_synthetic != 1) | (np.arange(len(sc.synthetic)) % 4 == 0)
    g = GapDetector().fit(sc.real, sc.synthetic[keep])
    called = g.uncovered_ | g.underrepresented_
    assert not (g.uncovered_ & g.underrepresented_).any()
    assert g.uncovered_[sc.missing].mean() >= 0.9
    assert called[sc.labels_real == 1].mean() >= 0.5
    other = ~np.isin(sc.labels_real, (0, 1))
    assert called[other].mean() <= 0.05


def test_a_confident_core_takes_the_likely_members_of_its_group():
    """Every likely sample connected to a confirmed region is uncovered, not underrepresented."""
    sc = gaussian_gap_scenario(withheld=(0, 1), separation=10.0, shift=8.0)
    real, synth = align(sc.real, sc.synthetic)
    g = GapDetector().fit(real, synth)
    neighbors = g.real_graph_[1][:, : g.n_smooth]
    touching = (g.uncovered_[neighbors] & (g.gap_score_[neighbors] > g.threshold_)).any(axis=1)
    assert not (g.underrepresented_ & touching).any()


def test_keep_certain_calls_nothing_underrepresented():
    sc = gaussian_gap_scenario(withheld=(0,), separation=10.0, shift=0.0, distortion=0.0)
    keep = (sc.labels_synthetic != 1) | (np.arange(len(sc.synthetic)) % 4 == 0)
    g = GapDetector().fit(sc.real, sc.synthetic[keep]).keep_certain(sc.real, sc.synthetic[keep])
    assert not g.underrepresented_.any()
    assert g.expected_false_positive_["underrepresented"] == 0.0


def test_calls_stay_on_a_withheld_cluster_that_touches_covered_ones():
    """Clusters close enough to touch (centres 4 spreads apart), one withheld: the smoothed score
    spreads its shortfall onto the covered samples at its edge, but a sample whose own
    neighbourhood holds synthetic samples is not called, so the calls stay on the withheld
    cluster; the no-gap reference is scored at the analysis's sizes."""
    for seed in (1, 2):
        sc = gaussian_gap_scenario(withheld=(0,), separation=4.0, shift=0.0, distortion=0.0,
                                   extra_noise=0.0, seed=seed, dim=8)  # fmt: skip
        g = GapDetector(seed=seed).fit(sc.real, sc.synthetic)
        called = g.uncovered_ | g.underrepresented_
        assert not (called & g.covered_nearby_).any()
        assert called[sc.missing].mean() >= 0.7, seed
        assert (called & sc.missing).sum() / called.sum() >= 0.9, seed
        assert len(g.null_scores_) == len(sc.real)
