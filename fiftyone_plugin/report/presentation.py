"""One presentation of an analysis run: what the App panel, the HTML report and the operators'
outputs say about it, built once by :func:`present` from what the run stored.

Pure data in, JSON-safe data out (no FiftyOne, no HTML): the verdict and diagnosis, the graded
metric cards with their readings, the counts, the clusters and gap regions ranked by gap, the
galleries of what the synthetic data lacks, the realism histogram, the run history and, when the
run stored it, where to generate next. Each front end only renders it.

A run's stored summary (fo/results.py) and metrics.json (report/files.py) hold the same facts in
two shapes; :func:`document_of` turns either into one flat ``document``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from urllib.parse import quote

import numpy as np

from ..serialization import to_jsonable
from .classes import class_presentation
from .grades import (
    FAIR,
    GRADE_COLORS,
    GROUPS,
    METRICS,
    NEUTRAL,
    POOR,
    VERDICTS,
    format_value,
    grade,
    group_of,
    is_number,
    label_of,
    metric_keys,
    rule_text,
    verdict,
)
from .regions import Region, cluster_bars, rank_regions, region_rows

#: Diagnosis kinds (core/pipeline.py) in plain words; an unknown kind is shown as its name.
DIAGNOSES = {
    "no-gap": "No gap: the synthetic data looks like the real data and covers it",
    "missing-content": "Missing content: some kinds of real images have no synthetic counterpart",
    "style-shift": "Style shift: the same content, rendered differently everywhere",
    "style-shift+missing-content": "Both: a style shift everywhere, and missing content",
    "separable": "Separable: the two sides differ beyond a global style shift",
}

#: Counts shown with the verdict: document key -> what is counted.
COUNTS = {
    "n_real": "real",
    "n_synthetic": "synthetic",
    "n_uncovered": "real uncovered",
    "n_underrepresented": "more real underrepresented",
    "n_gap_regions": "gap regions",
    "n_failed": "unreadable",
}
#: Counts that, above zero, are a warning.
WARN_COUNTS = ("n_uncovered", "n_underrepresented", "n_gap_regions", "n_failed")

#: Bins of the realism histogram, and the least realistic share its marked bins hold.
REALISM_BINS = 30
LEAST_REALISTIC_SHARE = 0.1
#: Metrics kept in the run history, in order.
HISTORY_METRICS = ("fid", "kid_mean", "precision", "recall", "density", "coverage", "c2st_auc")
#: Region keys that are not facts worth a line in a gallery (shown otherwise, or internal).
_REGION_SKIP = {"name", "size", "distance_to_synthetic", "region", "cluster", "cluster_overlap"}


# ---------------------------------------------------------------------------------------------
# The stored facts, in one shape


def document_of(summary: dict) -> dict:
    """A run's stored summary (or metrics.json) as one flat document: metric values at the top
    level beside ``readings``, ``diagnosis``, ``clusters``, ``regions`` (also under
    ``gap_regions``), ``config`` and the counts."""
    document = {**(summary.get("metrics") or {}), **summary}
    regions = document.get("regions")
    if not isinstance(regions, list):
        regions = document.get("gap_regions")
    document["regions"] = document["gap_regions"] = [
        r for r in regions or [] if isinstance(r, dict)
    ]
    return document


def kind_words(kind) -> str:
    """A diagnosis kind as words: "style-shift+missing-content" -> "style shift + missing
    content"."""
    return str(kind or "").replace("+", " + ").replace("-", " ").replace("_", " ")


def diagnosis_of(document: dict) -> dict:
    """The run's diagnosis as {kind, text, evidence} (a bare text is taken as the text)."""
    diagnosis = document.get("diagnosis") or {}
    if not isinstance(diagnosis, dict):
        diagnosis = {"text": str(diagnosis)}
    return {
        "kind": diagnosis.get("kind"),
        "text": diagnosis.get("text") or "",
        "evidence": diagnosis.get("evidence"),
    }


# ---------------------------------------------------------------------------------------------
# Verdict, metrics, counts


def headline(document: dict) -> dict:
    """The verdict: ``answer`` (Yes, largely / Partly / No / Unclear), its ``grade`` and
    ``color``, the verdict's ``sentence``, the diagnosis ``text`` and ``kind`` in plain words, the
    metrics measured with the style shift removed that pulled the verdict down (``flagged``:
    label -> grade) and those measured before it is removed (``style_flagged``)."""
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
    }


def metric_cards(document: dict) -> list[dict]:
    """One card per metric, those measured with the style shift removed first: ``key``,
    ``label``, ``group`` ("content", or "style" when measured before the shift is removed; see
    grades.GROUPS), ``value`` (as printed; KID with its spread), ``number`` and ``spread`` (the
    two parts), ``grade``, ``color``, ``asks``, the stored ``reading`` and the grading ``rule``.
    Sample counts are not metrics (see ``counts``)."""
    readings = document.get("readings") or {}
    cards = []
    for key in metric_keys(document):
        if key.startswith("n_"):
            continue
        asks = METRICS.get(key, ("", ""))[1]
        number = format_value(document[key])
        spread = None
        if key == "kid_mean" and is_number(document.get("kid_std")):
            spread = format_value(document["kid_std"])
        level = grade(key, document[key], document)
        cards.append(
            {
                "key": key,
                "label": label_of(key),
                "group": group_of(key, document),
                "value": number if spread is None else f"{number} ± {spread}",
                "number": number,
                "spread": spread,
                "grade": level,
                "color": GRADE_COLORS[level],
                "asks": asks,
                "reading": readings.get(key) or "",
                "rule": rule_text(key),
            }
        )
    return sorted(cards, key=lambda c: c["group"] == "style")


def metric_groups(cards: list[dict]) -> list[tuple[str, list[dict]]]:
    """The metric cards by group, in the order shown: (heading, cards) for each group that has
    cards."""
    return [
        (heading, [c for c in cards if c["group"] == group])
        for group, heading in GROUPS.items()
        if any(c["group"] == group for c in cards)
    ]


def metric_rows(cards: list[dict]) -> list[dict]:
    """The metric cards as table rows for the operators' outputs: ``name`` (the metric's human
    name; measured before the style shift is removed: "(style)"), ``value``, ``grade`` and
    ``reading`` (what it means)."""
    return [
        {
            "name": c["label"] + (" (style)" if c["group"] == "style" else ""),
            "value": c["value"],
            "grade": "" if c["grade"] == NEUTRAL else c["grade"],
            "reading": c["reading"] or c["asks"],
        }
        for c in cards
    ]


def counts(document: dict) -> list[dict]:
    """The sample counts present: ``key``, ``value`` (as printed), ``what``, ``note`` (the
    uncovered / underrepresented share of the real samples) and ``warn`` (a count that should be 0 is not)."""
    values = dict(document)
    values.setdefault("n_gap_regions", len(document.get("regions") or []))
    n_real = values.get("n_real")
    out = []
    for key, what in COUNTS.items():
        value = values.get(key)
        if not is_number(value):
            continue
        if key == "n_gap_regions" and value == 1:
            what = "gap region"
        note = ""
        if key in ("n_uncovered", "n_underrepresented") and is_number(n_real) and n_real > 0:
            note = f"{value / n_real:.0%}"
        out.append(
            {
                "key": key,
                "value": format_value(value),
                "what": what,
                "note": note,
                "warn": key in WARN_COUNTS and value > 0,
            }
        )
    return out


def count_line(document: dict) -> str:
    """e.g. "120 real · 80 synthetic · 30 real uncovered (25%) · 2 gap regions"."""
    return " · ".join(
        f"{c['value']} {c['what']}" + (f" ({c['note']})" if c["note"] else "")
        for c in counts(document)
    )


# ---------------------------------------------------------------------------------------------
# Galleries


def media_url(path: str) -> str:
    """The FiftyOne App's URL of local image file ``path``."""
    return "/media?filepath=" + quote(str(path), safe="")


def _size(region: dict) -> float:
    return region["size"] if is_number(region.get("size")) else 0


def galleries(
    regions: list[dict], limit: int | None = None, n: int = 8, unit: str = "images"
) -> list[dict]:
    """Real examples of the ``limit`` largest gap regions (all: None) next to their nearest
    synthetic images (or objects, ``unit``): ``name``, ``size``, ``facts`` (one line), ``real``
    and ``synthetic`` (up to ``n`` examples each, as {url, path, id, box}; ``box``: the object's
    [x, y, w, h] in its image, None for whole images)."""

    def examples(region: dict, side: str) -> list[dict]:
        paths = list(region.get(f"{side}_filepaths") or [])[:n]
        ids = list(region.get(f"{side}_ids") or [])[:n]
        ids += [None] * (len(paths) - len(ids))
        boxes = list(region.get(f"{side}_boxes") or [])[:n]
        boxes += [None] * (len(paths) - len(boxes))
        return [
            {"url": media_url(p), "path": p, "id": i, "box": b}
            for p, i, b in zip(paths, ids, boxes, strict=True)
        ]

    shown = []
    for region in sorted(regions, key=lambda r: -_size(r))[:limit]:
        facts = []
        if is_number(region.get("size")):
            facts.append(
                f"{format_value(region['size'])} real {unit} without a synthetic look-alike"
            )
        if is_number(region.get("distance_to_synthetic")):
            facts.append(
                f"distance to nearest synthetic {format_value(region['distance_to_synthetic'])}"
            )
        facts += [
            f"{k.replace('_', ' ')} {format_value(v)}"
            for k, v in region.items()
            if k not in _REGION_SKIP and is_number(v)
        ]
        shown.append(
            {
                "name": str(region.get("name") or "unnamed region"),
                "size": region.get("size"),
                "facts": " · ".join(facts),
                "real": examples(region, "representative"),
                "synthetic": examples(region, "nearest_synthetic"),
            }
        )
    return shown


# ---------------------------------------------------------------------------------------------
# Realism, history, generation targets, parameters


def realism_bins(
    scores, marked_fraction: float = LEAST_REALISTIC_SHARE, bins: int = REALISM_BINS
) -> dict:
    """Histogram of synthetic realism scores (None and NaN left out): ``counts``, ``edges`` (bin
    i holds ``edges[i] <= realism <= edges[i+1]``), ``cutoff`` (the ``marked_fraction`` quantile:
    bins starting at or below it hold the least realistic images), ``marked`` (per bin) and
    ``n``. Empty lists and a None cutoff without finite scores."""
    scores = np.asarray([np.nan if s is None else s for s in scores], dtype=float)
    scores = scores[np.isfinite(scores)]
    if scores.size == 0:
        return {"counts": [], "edges": [], "cutoff": None, "marked": [], "n": 0}
    lo, hi = float(scores.min()), float(scores.max())
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    hist, edges = np.histogram(scores, bins=bins, range=(lo, hi))
    cutoff = float(np.quantile(scores, marked_fraction))
    return {
        "counts": hist.tolist(),
        "edges": edges.tolist(),
        "cutoff": cutoff,
        "marked": [bool(left <= cutoff) for left in edges[:-1]],
        "n": int(scores.size),
    }


def history_rows(rows: list[dict]) -> list[dict]:
    """The run history (oldest first, as fo.report.run_history gives it) as table rows, newest
    first, numbers formatted as the report prints them."""
    table = []
    for r in reversed(rows):
        row = {"key": r.get("run"), "run": r.get("run"), "time": str(r.get("timestamp", ""))[:16]}
        for key in ("coverage", "recall", "precision", "c2st_auc", "fid"):
            row[key] = format_value(r.get(key))
        row["diagnosis"] = kind_words(r.get("diagnosis"))
        table.append(row)
    return table


def generation_targets(document: dict) -> list[dict]:
    """Where to generate next, most needed first, when the run stored it (``generate_next``):
    ``kind``, ``name``, ``n_real``, ``n_synthetic``, ``needed`` (synthetic images to add) and the
    example real images' ``example_filepaths`` / ``example_ids`` where known."""
    rows = []
    for t in document.get("generate_next") or []:
        if not isinstance(t, dict):
            continue
        rows.append(
            {
                "kind": str(t.get("kind") or ""),
                "name": str(t.get("name") or ""),
                "n_real": t.get("n_real"),
                "n_synthetic": t.get("n_synthetic"),
                "needed": t.get("needed"),
                "example_filepaths": list(t.get("example_filepaths") or []),
                "example_ids": list(t.get("example_ids") or []),
            }
        )
    return rows


#: Facts of how the run was made: document key -> label (then the run's config, as given).
PARAMETERS = {
    "model": "model",
    "embedding_dim": "embedding dimension",
    "dataset": "dataset",
    "run": "run",
    "embeddings_field": "embeddings field",
    "label_field": "label field",
    "class_map": "class map",
}


def parameters(document: dict) -> list[tuple[str, object]]:
    """(label, value) pairs: how the run was made, then its config's values as stored."""
    items = [(label, document[k]) for k, label in PARAMETERS.items() if document.get(k) is not None]
    config = document.get("config")
    if isinstance(config, dict):
        items += list(config.items())
    return items


# ---------------------------------------------------------------------------------------------
# The whole presentation


@dataclass
class RunPresentation:
    """What every front end says about one run (see the module docstring); ``to_dict`` is
    JSON-safe."""

    title: str
    headline: dict
    counts: list[dict]
    count_line: str
    metrics: list[dict]
    diagnosis: dict
    regions: list[dict]
    clusters: list[dict]
    galleries: list[dict]
    #: Gap regions beyond the galleries shown: {name, size}, largest first.
    more_regions: list[dict]
    realism: dict
    history: list[dict]
    history_rows: list[dict]
    generate_next: list[dict]
    parameters: list[tuple[str, object]]
    #: With labels: the probe's verdict, the per-class table, the label statistics (classes.py).
    classes: dict | None = None

    def to_dict(self) -> dict:
        return to_jsonable(asdict(self))


def present(
    document: dict,
    *,
    title: str = "",
    regions: list[Region] | None = None,
    realism=None,
    history: list[dict] | None = None,
    max_galleries: int | None = None,
    gallery_examples: int = 8,
) -> RunPresentation:
    """The presentation of the run in ``document`` (see ``document_of``).

    regions: the ranked clusters and gap regions (default: ranked from the stored sizes).
    realism: the synthetic samples' realism scores. history: the dataset's runs, oldest first
    (fo.report.run_history rows). max_galleries, gallery_examples: how many gap regions get a
    gallery (None: all), and examples a side in each.
    """
    ranked = rank_regions(document) if regions is None else regions
    stored = document.get("regions") or []
    unit = "objects" if document.get("objects") else "images"
    shown = galleries(stored, max_galleries, gallery_examples, unit)
    rest = sorted(stored, key=lambda r: -_size(r))[len(shown) :]
    return RunPresentation(
        title=title,
        headline=headline(document),
        counts=counts(document),
        count_line=count_line(document),
        metrics=metric_cards(document),
        diagnosis=diagnosis_of(document),
        regions=region_rows(ranked),
        clusters=cluster_bars(document.get("clusters") or []),
        galleries=shown,
        more_regions=[{"name": str(r.get("name", "?")), "size": r.get("size")} for r in rest],
        realism=realism_bins([] if realism is None else realism),
        history=list(history or []),
        history_rows=history_rows(history or []),
        generate_next=generation_targets(document),
        parameters=parameters(document),
        classes=class_presentation(document),
    )
