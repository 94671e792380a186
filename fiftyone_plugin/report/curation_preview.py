"""A curation plan's preview (fo.curation_plan.CurationPlan.preview) in words, shared by the App's
curation form (Markdown) and `synthgap curate --dry-run` (plain text): sentences, and tables as
rows with their headings."""

from __future__ import annotations

from dataclasses import dataclass

from .text_table import text_table

#: Clusters losing samples that the preview lists (those losing most first).
PREVIEW_CLUSTERS = 10

#: What an object judged bad is, in the preview's words (core/object_curation.py OBJECT_REASONS).
OBJECT_WORDS = {
    "degenerate": "a blank or noise box",
    "outside-support": "outside the real support",
    "low-realism": "among the least realistic",
}


@dataclass(frozen=True)
class Table:
    """Rows (dicts) shown in ``columns`` under ``headings``."""

    rows: list[dict]
    columns: list[str]
    headings: list[str]

    def text(self) -> list[str]:
        """The table as aligned plain-text lines, the headings first."""
        return text_table(self.rows, self.columns, self.headings)


def unit(preview: dict) -> str:
    """What the plan keeps or drops: "images" (a run on objects) or "samples"."""
    return "images" if preview.get("objects") else "samples"


def headline(preview: dict) -> tuple[str, str]:
    """The verdict ("Would keep K of N synthetic samples") and what follows it (how many are
    dropped; for a run on objects, how many objects judged the images)."""
    n, kept = preview["n_synthetic"], preview["n_kept"]
    rest = f"({n - kept} dropped)."
    if preview.get("objects"):
        rest += f" Images are judged by their {preview['objects']['n_objects']} objects."
    return f"Would keep {kept} of {n} synthetic {unit(preview)}", rest


def object_sentence(preview: dict) -> str | None:
    """How many images go because of their objects, and how many objects were judged bad (None
    for a run on images, or when none goes for its objects)."""
    objects = preview.get("objects")
    n_bad = sum(preview["dropped"].get(r, 0) for r in OBJECT_WORDS) if objects else 0
    if not n_bad:
        return None
    share = objects["max_bad_object_share"]
    rule = (
        "one of their objects is" if share == 0 else f"more than {share:.0%} of their objects are"
    )
    judged = ", ".join(f"{n} {OBJECT_WORDS[r]}" for r, n in objects["flagged"].items())
    return f"{n_bad} dropped because {rule} judged unrealistic or degenerate (objects: {judged})."


def dropped_table(preview: dict) -> Table | None:
    """How many go for each reason (None when nothing goes)."""
    if not preview["dropped"]:
        return None
    rows = [{"reason": r, "samples": c} for r, c in preview["dropped"].items()]
    return Table(rows, ["reason", "samples"], ["dropped as", unit(preview)])


def losing_clusters(preview: dict, cluster_names: dict | None = None) -> tuple[Table | None, int]:
    """The clusters that lose samples (at most PREVIEW_CLUSTERS, those losing most first), and how
    many more lose some."""
    names = cluster_names or {}
    losing = [c for c in preview["clusters"] if c["n_kept"] < c["n_synthetic"]]
    if not losing:
        return None, 0
    rows = [
        {
            "cluster": names.get(c["cluster"], f"cluster {c['cluster']}"),
            "real": c["n_real"],
            "kept": f"{c['n_kept']} of {c['n_synthetic']}",
            "why": ", ".join(f"{r} {k}" for r, k in c["dropped"].items()),
        }
        for c in losing[:PREVIEW_CLUSTERS]
    ]
    heads = (["object cluster", "real objects", "synthetic objects kept", "dropped with their image"]
             if preview.get("objects") else ["cluster", "real", "synthetic kept", "dropped"])  # fmt: skip
    return Table(rows, ["cluster", "real", "kept", "why"], heads), len(losing) - len(rows)
