"""One presentation of an analysis run: what the App panel, the HTML report and the operators'
outputs say about it, built once by :func:`present` from what the run stored.

Pure data in, JSON-safe data out (no FiftyOne, no HTML): the verdict and diagnosis, the graded
metric cards with their readings, the counts, the clusters and gap regions ranked by gap, the
galleries of what the synthetic data lacks, the realism histogram, the run history and, when the
run stored it, where to generate next. Each front end only renders it.

It reads a run's ``document`` (document.py) and assembles the parts built by their own modules
(verdict.py, counts.py, metric_cards.py, regions.py, galleries.py, classes.py) with the realism
histogram, the history, the generation targets and the run parameters built here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..serialization import to_jsonable
from .classes import class_presentation, run_unit
from .counts import count_line, counts
from .document import diagnosis_of, kind_words
from .galleries import galleries, largest_first
from .grades import format_value
from .metric_cards import metric_cards
from .regions import Region, cluster_bars, rank_regions, region_rows
from .verdict import headline

#: Bins of the realism histogram, and the least realistic share its marked bins hold.
REALISM_BINS = 30
LEAST_REALISTIC_SHARE = 0.1
#: Metrics kept in the run history, in order.
HISTORY_METRICS = ("fid", "kid_mean", "precision", "recall", "density", "coverage", "c2st_auc")


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
    shown = galleries(stored, max_galleries, gallery_examples, run_unit(document.get("objects")))
    rest = largest_first(stored)[len(shown) :]
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
