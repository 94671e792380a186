"""The verdict of a run as its presentation shows it: the answer, its grade, the diagnosis in plain
words and the metrics that pulled it down."""

from __future__ import annotations

from ..defaults import CONTENT_MODEL, FIXED_LAYOUT
from .document import diagnosis_of, kind_words
from .grades import (
    FAIR,
    GRADE_COLORS,
    POOR,
    VERDICTS,
    grade,
    group_of,
    label_of,
    metric_keys,
    verdict,
)

#: Diagnosis kinds (core/diagnosis.py) in plain words; an unknown kind is shown as its name.
DIAGNOSES = {
    "no-gap": "No gap: the synthetic data looks like the real data and covers it",
    "missing-content": "Missing content: some kinds of real images have no synthetic counterpart",
    "style-shift": "Style shift: the same content, rendered differently everywhere",
    "style-shift+missing-content": "Both: a style shift everywhere, and missing content",
    "separable": "Separable: the two sides differ beyond a global style shift",
}


#: The diagnosis kinds in which a style shift may have hidden missing shapes from the features
#: of models other than CONTENT_MODEL: the shift is all the analysis found, or the sides stay
#: apart after it is removed.
STYLE_KINDS = ("style-shift", "separable")


def advice(kind: str | None, model: str | None, layout: float | None = None) -> str:
    """What to try next, in plain words ("" when nothing), for a run of ``model`` whose diagnosis
    is ``kind`` and whose real images hold ``layout`` of their pixel variance as a fixed layout
    (None: not measured). The features of most models may have lost part of the shapes of
    images drawn in a fixed frame, under a style shift or not (a withheld digit can look
    covered), so such a run, or one where a style shift is all the analysis found (or the sides
    stay separable), is worth repeating with the content model."""
    if not model or model == CONTENT_MODEL:
        return ""
    how = (
        f"analyze again with the model {CONTENT_MODEL} (--model {CONTENT_MODEL}, or the model "
        "choice of the Analyze form)"
    )
    if layout is not None and layout >= FIXED_LAYOUT:
        return (
            f"Your real images share a fixed layout ({100 * layout:.0f}% of their pixel variance "
            "is where things sit in the frame, as with characters, signs or icons): to compare "
            f"their shapes rather than their style, {how}."
        )
    if kind not in STYLE_KINDS:
        return ""
    return (
        "A style shift can hide missing content from these features. If your images show "
        f"shapes in a fixed frame (characters, signs, icons, centred objects), {how}, which "
        "drops a global style."
    )


def headline(document: dict) -> dict:
    """The verdict: ``answer`` (Yes, largely / Partly / No / Unclear), its ``grade`` and
    ``color``, the verdict's ``sentence``, the diagnosis ``text`` and ``kind`` in plain words, the
    metrics measured with the style shift removed that pulled the verdict down (``flagged``:
    label -> grade) and those measured before it is removed (``style_flagged``), and the
    ``advice`` of what to try next ("" for none)."""
    answer, level, sentence = VERDICTS[verdict(document)]
    diagnosis = diagnosis_of(document)
    kind = diagnosis["kind"]
    flagged: dict[str, dict] = {"content": {}, "style": {}}
    for k in metric_keys(document):
        level_k = grade(k, document[k], document)
        if level_k in (POOR, FAIR):
            flagged[group_of(k, document)][label_of(k)] = level_k
    return {
        "answer": answer,
        "grade": level,
        "color": GRADE_COLORS[level],
        "sentence": sentence,
        "diagnosis": diagnosis["text"],
        "kind": DIAGNOSES.get(kind, kind_words(kind)) if kind else "",
        "flagged": flagged["content"],
        "style_flagged": flagged["style"],
        "advice": advice(kind, document.get("model"), document.get("layout_share")),
    }
