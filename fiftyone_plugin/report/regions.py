"""A run's clusters and gap regions, ranked by how much real content they leave without synthetic
counterparts (the table the panel shows), and each cluster's composition (the HTML report's bars).
Pure data, part of the run's presentation (presentation.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.generate_next import SAME_CONTENT
from .grades import FAIR, GOOD, NEUTRAL, POOR, is_number

REGION, CLUSTER = "region", "cluster"
#: Characters of the text bar in the table of clusters and gap regions.
BAR_WIDTH = 16


@dataclass
class Region:
    """A gap region or a cluster of a run, as ranked by :func:`rank_regions`.

    key: ``region:<name>`` or ``cluster:<id>``. gap: real samples without synthetic counterparts
    (all of a gap region's samples; for a cluster, how many real samples exceed what its synthetic
    samples would stand for if both sides had the same cluster distribution).
    """

    key: str
    kind: str
    name: str
    n_real: int
    n_synthetic: int
    gap: float
    status: str = ""
    example_ids: list[str] = field(default_factory=list)
    example_filepaths: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """e.g. ``gap-1 — 30 real, 0 synthetic`` or ``cluster 3 (real-only) — 12 real, 0 synthetic``."""
        status = f" ({self.status})" if self.status else ""
        return f"{self.name}{status} — {self.n_real} real, {self.n_synthetic} synthetic"


def rank_regions(document: dict, region_sizes: dict | None = None) -> list[Region]:
    """The gap regions and clusters of a run, largest gap first; a cluster that is a gap
    region's content (most of the smaller of the two in the other) is listed once, as the
    region, which names it. ``region_sizes``: real samples per gap region name as found on the
    samples now (default: the sizes the run stored)."""
    region_sizes = region_sizes or {}
    clusters = [c for c in document.get("clusters") or [] if isinstance(c, dict)]
    by_id = {c.get("cluster"): c for c in clusters}
    regions, same = [], set()
    for r in document.get("regions") or []:
        n_real = int(region_sizes.get(r["name"], r.get("size", 0)))
        cluster = by_id.get(r.get("cluster"))
        status = ""
        if cluster is not None:
            status = cluster_name(cluster)
            inside = float(r.get("size", 0)) * float(r.get("cluster_overlap") or 0)
            smaller = min(float(r.get("size", 0)), float(cluster.get("n_real") or 0))
            if smaller and inside >= SAME_CONTENT * smaller:
                same.add(cluster.get("cluster"))
        regions.append(
            Region(
                key=f"{REGION}:{r['name']}",
                kind=REGION,
                name=r["name"],
                n_real=n_real,
                n_synthetic=int(r.get("n_synthetic", 0) or 0),
                gap=float(n_real),
                status=status,
                example_ids=list(r.get("representative_ids", [])),
                example_filepaths=list(r.get("representative_filepaths", [])),
            )
        )
    total_real = sum(int(c["n_real"]) for c in clusters)
    total_synthetic = sum(int(c["n_synthetic"]) for c in clusters)
    for c in clusters:
        if c.get("cluster") in same:
            continue
        n_real, n_synthetic = int(c["n_real"]), int(c["n_synthetic"])
        stands_for = n_synthetic * total_real / total_synthetic if total_synthetic else 0.0
        regions.append(
            Region(
                key=f"{CLUSTER}:{c['cluster']}",
                kind=CLUSTER,
                name=cluster_name(c),
                n_real=n_real,
                n_synthetic=n_synthetic,
                gap=max(0.0, n_real - stands_for),
                status=str(c.get("status") or ""),
            )
        )
    return sorted(regions, key=lambda r: (-r.gap, r.kind != REGION, r.name))


def cluster_name(cluster: dict) -> str:
    """What a cluster row is called: its stored ``name`` (what it holds), else "cluster <id>"."""
    return str(cluster.get("name") or f"cluster {cluster.get('cluster', '?')}")


def text_bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """``fraction`` (0-1) as a bar of ``width`` characters, e.g. "██████░░░░"."""
    fraction = min(max(float(fraction), 0.0), 1.0) if is_number(fraction) else 0.0
    filled = int(round(fraction * width))
    if fraction > 0 and filled == 0:
        filled = 1
    return "█" * filled + "░" * (width - filled)


def region_rows(regions: list[Region]) -> list[dict]:
    """Table rows for ranked clusters and gap regions (see ``rank_regions``): ``key``, ``kind``,
    ``name``, ``status``, ``real``, ``synthetic``, ``gap`` (real samples without synthetic
    counterparts) and ``bar`` (gap relative to the largest)."""
    largest = max((r.gap for r in regions), default=0.0)
    rows = []
    for r in regions:
        kind = "gap region" if r.kind == REGION else "cluster"
        rows.append(
            {
                "key": r.key,
                "kind": kind,
                "name": r.name,
                "status": kind + (f", {r.status}" if r.status else ""),
                "real": int(r.n_real),
                "synthetic": int(r.n_synthetic),
                "gap": int(round(r.gap)),
                "bar": text_bar(r.gap / largest if largest > 0 else 0.0),
            }
        )
    return rows


def status_grade(status: str) -> str:
    """The grade a cluster's composition status reads as (real-only: poor, ...)."""
    status = str(status).lower().replace("_", "-").replace(" ", "-")
    if "real-only" in status or "missing" in status:
        return POOR
    if "under" in status or "synthetic-only" in status:
        return FAIR
    if status in ("balanced", "ok", "covered", "mixed", "matched", "shared", "both"):
        return GOOD
    return NEUTRAL


def cluster_bars(clusters: list[dict]) -> list[dict]:
    """Each cluster's composition, the clusters lacking synthetic images first: ``cluster``,
    ``name``, ``n_real``, ``n_synthetic``, ``share`` (synthetic share), ``expected`` (the share if the
    synthetic images followed the real ones), ``status`` and its ``grade``."""
    rows = [c for c in clusters if isinstance(c, dict)]

    def count(row: dict, key: str) -> int:
        return int(row[key]) if is_number(row.get(key)) else 0

    n_real = sum(count(r, "n_real") for r in rows)
    n_syn = sum(count(r, "n_synthetic") for r in rows)
    overall = n_syn / (n_real + n_syn) if n_real + n_syn else 0.5
    bars = []
    for row in rows:
        r, s = count(row, "n_real"), count(row, "n_synthetic")
        share = row.get("synthetic_share")
        share = float(share) if is_number(share) else (s / (r + s) if r + s else 0.0)
        expected = row.get("expected_share")
        expected = float(expected) if is_number(expected) else overall
        status = str(row.get("status", ""))
        bars.append(
            {
                "cluster": row.get("cluster", "?"),
                "name": cluster_name(row),
                "n_real": r,
                "n_synthetic": s,
                "share": share,
                "expected": expected,
                "status": status,
                "grade": status_grade(status),
            }
        )
    bars.sort(
        key=lambda b: (
            b["share"] / b["expected"] if b["expected"] > 0 else b["share"],
            -b["n_real"],
        )
    )
    return bars
