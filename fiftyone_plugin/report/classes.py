"""What a run with labels says per class, for every front end: the probe's verdict, the per-class
table and the label statistics, built once from the run's document (document.document_of).

Pure data in, JSON-safe data out. ``class_presentation(document)`` is None for a run without
labels.
"""

from __future__ import annotations

from ..core.per_class import COVERED, LACKS_VARIETY, MISSING, SYNTHETIC_ONLY, TOO_FEW
from ..core.probe import FAILS, PARTLY, WORKS
from .figures import REAL_COLOR, SYNTHETIC_COLOR
from .grades import FAIR, GOOD, GRADE_COLORS, NEUTRAL, POOR
from .text_table import text_table

#: Grade of a class status and of a probe verdict.
STATUS_GRADES = {MISSING: POOR, LACKS_VARIETY: FAIR, COVERED: GOOD, TOO_FEW: NEUTRAL,
                 SYNTHETIC_ONLY: NEUTRAL}  # fmt: skip
VERDICT_GRADES = {WORKS: GOOD, PARTLY: FAIR, FAILS: POOR}
#: Ways the per-class table can be sorted: key -> (label, row key, worst first = descending);
#: ``{unit}`` in a label is what one sample of the run is ("images" or "objects").
SORTS = {
    "worst": ("worst first", "severity", True),
    "probe": ("probe accuracy (trained on synthetic)", "probe_synthetic", False),
    "uncovered": ("uncovered within the class", "uncovered", True),
    "synthetic": ("fewest synthetic {unit}", "n_synthetic", False),
    "class": ("class name", "class", False),
}
#: Per-class table columns: row key -> heading (``{unit}`` as in SORTS).
COLUMNS = (
    ("class", "Class"),
    ("status", "Status"),
    ("n_real", "Real"),
    ("n_synthetic", "Synthetic"),
    ("uncovered_text", "Uncovered in class"),
    ("probe_text", "Probe on real {unit}: trained on synthetic (on real)"),
    ("verdict", "Training on synthetic"),
    ("c2st_text", "Tell apart (AUC, 0.5 = chance)"),
)


def run_unit(objects: dict | None) -> str:
    """What one sample of a run is: "objects" for a run on labeled objects (``objects``: the
    run's objects entry, in its document or its outcome), else "images"."""
    return "objects" if objects else "images"


def columns(unit: str = "images") -> list[list[str]]:
    """The per-class table's [row key, heading] pairs for a run on ``unit``."""
    return [[key, heading.format(unit=unit)] for key, heading in COLUMNS]


#: Label comparisons shown, in order: document key -> title.
COMPARISONS = {
    "objects_per_image": "Objects per image",
    "box_area": "Box area (share of the image)",
    "aspect_ratio": "Box aspect ratio (width / height)",
    "position": "Box centres",
}


def _pct(x) -> str:
    return "–" if x is None else f"{100 * x:.0f}%"


def _severity(row: dict) -> float:
    """Higher = worse: missing classes first, then how badly training on synthetic does, then
    how much of the class is uncovered."""
    status = row.get("status")
    if status == MISSING:
        return 3.0
    ratio = row.get("probe_ratio")
    probe = 1.0 - min(ratio, 1.0) if ratio is not None else 0.0
    uncovered = row.get("uncovered_fraction") or 0.0
    return probe + uncovered + (0.5 if status == LACKS_VARIETY else 0.0)


def _probe_text(r: dict) -> str:
    """The probe's accuracy on the class's real images trained on synthetic (its transfer, or
    for a run stored before it, the aligned probe's), then trained on real in brackets."""
    synthetic = r.get("probe_transfer", r.get("probe_accuracy_synthetic"))
    return f"{_pct(synthetic)} ({_pct(r.get('probe_accuracy_real'))})"


def _uncovered_text(r: dict) -> str:
    """Share of the class's real images uncovered, with its number of gap regions if any."""
    share, n = r.get("uncovered_fraction"), r.get("n_gap_regions", 0)
    if share is None:
        return "–"
    return f"{_pct(share)} ({n} region{'s' if n != 1 else ''})" if n else _pct(share)


def _auc_text(auc) -> str:
    """A within-class C2ST AUC as shown: cross-validated AUCs under 0.5 are chance (on the
    aligned features of a few dozen images they can fall far below it), so they read "≤ 0.50"."""
    if auc is None:
        return "–"
    return "≤ 0.50" if auc < 0.5 else f"{auc:.2f}"


def probe_series(rows: list[dict]) -> list[tuple[str, list, str]]:
    """The probe's per-class accuracies to draw side by side, as the table's probe column:
    (label, values, colour) for trained on synthetic (the transfer) and trained on real."""
    synthetic = [r.get("probe_transfer", r.get("probe_accuracy_synthetic")) for r in rows]
    return [
        ("trained on synthetic", synthetic, SYNTHETIC_COLOR),
        ("trained on real", [r.get("probe_accuracy_real") for r in rows], REAL_COLOR),
    ]


def class_rows(per_class: list[dict]) -> list[dict]:
    """The per-class table's rows, worst first: the stored columns plus display texts, grade and
    colour, and ``severity`` / ``probe_synthetic`` / ``uncovered`` to sort by."""
    rows = []
    for r in per_class:
        if not isinstance(r, dict):
            continue
        status, verdict = r.get("status"), r.get("probe_verdict")
        grade = STATUS_GRADES.get(status, NEUTRAL)
        if VERDICT_GRADES.get(verdict) == POOR or (grade == GOOD and verdict == PARTLY):
            grade = VERDICT_GRADES[verdict]
        rows.append(
            {
                **r,
                "class": str(r.get("class")),
                "uncovered": r.get("uncovered_fraction"),
                "uncovered_text": _uncovered_text(r),
                "probe_synthetic": r.get("probe_transfer", r.get("probe_accuracy_synthetic")),
                "probe_text": _probe_text(r),
                "verdict": verdict or "–",
                "c2st_text": _auc_text(r.get("c2st_auc")),
                "severity": _severity(r),
                "grade": grade,
                "color": GRADE_COLORS[grade],
            }
        )
    return sort_rows(rows, "worst")


def class_table_text(rows: list[dict], limit: int = 20, unit: str = "images") -> list[str]:
    """The per-class table (``class_rows``) of a run on ``unit`` as aligned plain-text lines, the
    headings first, at most ``limit`` rows."""
    keys, headings = zip(*columns(unit), strict=True)
    return text_table(rows[:limit], keys, headings, missing="–")


def sort_rows(rows: list[dict], by: str) -> list[dict]:
    """``rows`` sorted by one of SORTS (missing values last)."""
    _, key, descending = SORTS.get(by, SORTS["worst"])
    present = [r for r in rows if r.get(key) is not None]
    missing = [r for r in rows if r.get(key) is None]
    present.sort(key=lambda r: (r[key], r["class"]), reverse=descending)
    return present + missing


def probe_summary(document: dict) -> dict | None:
    """The probe's verdict: reading, accuracies per training, transfer (None for a run stored
    before it), ratio, verdict, grade, colour."""
    probe = document.get("probe")
    if not isinstance(probe, dict):
        return None
    verdict = probe.get("verdict")
    grade = VERDICT_GRADES.get(verdict, NEUTRAL)
    return {
        "reading": probe.get("reading", ""),
        "accuracy": probe.get("accuracy") or {},
        "balanced_accuracy": probe.get("balanced_accuracy") or {},
        "transfer": probe.get("transfer"),
        "ratio": probe.get("ratio"),
        "verdict": verdict,
        "grade": grade,
        "color": GRADE_COLORS[grade],
        "per_region": probe.get("per_region") or [],
    }


def label_comparisons(stats: dict) -> list[dict]:
    """One entry per compared label property: title, divergence (and its name), reading, and the
    data to plot (bins and per side shares, or the centre grids)."""
    out = [
        {
            "key": "classes",
            "title": f"Class frequencies ({stats.get('unit', 'images')})",
            "divergence": stats.get("class_divergence"),
            "divergence_name": "Jensen-Shannon divergence",
            "reading": next(
                (
                    f["text"]
                    for f in stats.get("findings", [])
                    if f.get("kind") in ("missing", "synthetic only", "rarer", "more frequent")
                ),
                "The classes are about as frequent on both sides.",
            ),  # fmt: skip
            "classes": [str(r["class"]) for r in stats.get("classes", [])],
            "real": [r["share_real"] for r in stats.get("classes", [])],
            "synthetic": [r["share_synthetic"] for r in stats.get("classes", [])],
        }
    ]
    for key, title in COMPARISONS.items():
        if isinstance(stats.get(key), dict):
            c = stats[key]
            out.append(
                {
                    "key": key,
                    "title": title,
                    "divergence": c.get("divergence"),
                    "divergence_name": c.get("divergence_name"),
                    "reading": c.get("reading", ""),
                    **{k: c[k] for k in ("bins", "real", "synthetic", "grid") if k in c},
                }
            )
    sizes = [r for r in stats.get("class_box_area") or [] if isinstance(r, dict)]
    if sizes:
        worst = max(sizes, key=lambda r: abs(_log_ratio(r.get("ratio"))))
        out.append(
            {
                "key": "class_box_area",
                "title": "Box area per class (median, synthetic / real)",
                "divergence": worst.get("divergence"),
                "divergence_name": "largest Kolmogorov-Smirnov statistic",
                "reading": next(
                    (f["text"] for r in sizes for f in r.get("findings", [])),
                    "Every class's boxes have about the real size.",
                ),
                "classes": [str(r["class"]) for r in sizes],
                "ratio": [r.get("ratio") for r in sizes],
            }
        )
    return out


def _log_ratio(x) -> float:
    import math

    return math.log(x) if isinstance(x, int | float) and x > 0 else 0.0


def class_presentation(document: dict) -> dict | None:
    """The labeled part of a run's presentation, or None without labels: label_field,
    probe (probe_summary), probe_skipped, rows (class_rows), columns, sorts, regions (gap
    regions within classes), readings (the label statistics' findings), comparisons
    (label_comparisons), kind and unit of the labels (what their class counts count), and
    run_unit (run_unit: what one sample of the run is)."""
    per_class = document.get("per_class")
    if not isinstance(per_class, list) or not per_class:
        return None
    stats = document.get("label_stats") if isinstance(document.get("label_stats"), dict) else {}
    unit = run_unit(document.get("objects"))
    return {
        "label_field": document.get("label_field"),
        "class_map": document.get("class_map"),
        "probe": probe_summary(document),
        "probe_skipped": document.get("probe_skipped"),
        "rows": class_rows(per_class),
        "columns": columns(unit),
        "sorts": {k: label.format(unit=unit) for k, (label, _, _) in SORTS.items()},
        "regions": [r for r in document.get("class_regions") or [] if isinstance(r, dict)],
        "readings": list(stats.get("readings") or []),
        "comparisons": label_comparisons(stats) if stats else [],
        "kind": stats.get("kind"),
        "unit": stats.get("unit"),
        "run_unit": unit,
    }
