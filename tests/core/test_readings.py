"""Readings and grades come from one thresholds table: where a reading judges a value, its words
say what the grade says, on both sides of every threshold."""

from __future__ import annotations

import pytest

from fiftyone_plugin.core import metrics as M
from fiftyone_plugin.core.readings import FAIR, GOOD, NEUTRAL, POOR, THRESHOLDS, grade, readings

WORDS = {
    M.C2ST_AUC: {GOOD: "cannot tell them apart", FAIR: "part of the time",
                 POOR: "tells them apart almost always"},
    M.DENSITY: {GOOD: "about as crowded as", FAIR: "somewhat sparser", POOR: "much sparser"},
}  # fmt: skip


def _around(key: str) -> list[float]:
    """Values just either side of each threshold of ``key``."""
    rule = THRESHOLDS[key]
    return [v + d for v in (rule.good, rule.poor) for d in (-0.01, 0.01)]


@pytest.mark.parametrize("key", sorted(WORDS))
def test_reading_words_follow_the_grade(key):
    for value in _around(key):
        level = grade(key, value)
        assert WORDS[key][level] in readings({key: value})[key], (key, value, level)


def test_every_side_of_the_classifier_threshold_reads_as_graded():
    assert "every time" in readings({M.C2ST_AUC: 0.99})[M.C2ST_AUC]
    assert grade(M.C2ST_AUC, 0.99) == POOR
    # mirrored below 0.5: as separable as its mirror above
    assert grade(M.C2ST_AUC, 0.12) == grade(M.C2ST_AUC, 0.88) == FAIR
    assert "part of the time" in readings({M.C2ST_AUC: 0.12})[M.C2ST_AUC]


def test_kid_reads_as_no_difference_exactly_when_graded_good():
    same = {M.KID_MEAN: 0.0005, M.KID_STD: 0.0004}
    other = {M.KID_MEAN: 0.01, M.KID_STD: 0.0004}
    assert grade(M.KID_MEAN, same[M.KID_MEAN], same) == GOOD
    assert "no measurable difference" in readings(same)[M.KID_MEAN]
    assert grade(M.KID_MEAN, other[M.KID_MEAN], other) == NEUTRAL
    assert "no measurable difference" not in readings(other)[M.KID_MEAN]


def test_the_report_grades_with_the_cores_table():
    from fiftyone_plugin.report import grades

    assert grades.THRESHOLDS is THRESHOLDS and grades.grade is grade
