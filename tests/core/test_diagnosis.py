"""The diagnosis in words, on known metrics: the likely tier of calls alone is missing content."""

from __future__ import annotations

from types import SimpleNamespace

from fiftyone_plugin.core import diagnosis as D
from fiftyone_plugin.core import metrics as M


def _metrics(uncovered: float, underrepresented: float, c2st: float = 0.55) -> dict:
    return {
        M.C2ST_AUC: c2st,
        M.MIXING_AUC_ALIGNED: 0.55,
        M.UNCOVERED_FRACTION: uncovered,
        M.UNDERREPRESENTED_FRACTION: underrepresented,
        M.UNCOVERED_EXPECTED_FP: 0.0,
        M.UNDERREPRESENTED_EXPECTED_FP: 0.004,
    }


def test_underrepresented_samples_alone_are_missing_content_in_plain_words():
    aligner = SimpleNamespace(paired_fraction_=1.0)
    d = D.diagnose(_metrics(0.0, 0.2), [], 300, aligner)
    assert d["kind"] == D.MISSING_CONTENT
    assert "20% of the real samples are underrepresented" in d["text"]
    assert "0 real samples uncovered" in d["text"] and "60 more underrepresented" in d["text"]
    assert "shuffled together, where nothing is missing, 0.0% get called so" in d["text"]
    styled = D.diagnose(_metrics(0.0, 0.2, c2st=0.9), [], 300, aligner)
    assert styled["kind"] == D.STYLE_SHIFT_AND_MISSING
    # a few likely calls are what chance flags: no missing content
    assert D.diagnose(_metrics(0.0, 0.01), [], 300, aligner)["kind"] == D.NO_GAP
