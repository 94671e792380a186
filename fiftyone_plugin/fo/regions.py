"""The clusters and gap regions of a stored analysis run, ranked by how much real content they
leave without synthetic counterparts, and the view of each."""

from __future__ import annotations

from dataclasses import dataclass, field

import fiftyone as fo
from fiftyone import ViewField as F

from .. import defaults
from .runs import RunNames, load_summary

REGION = "region"
CLUSTER = "cluster"


@dataclass
class Region:
    """A gap region or a cluster of run ``run_key``.

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


def list_regions(dataset: fo.Dataset, run_key: str = defaults.RUN_KEY) -> list[Region]:
    """The gap regions and clusters of run ``run_key``, largest gap first."""
    summary = load_summary(dataset, run_key)
    names = RunNames(run_key)
    real = dataset.match(F(defaults.DOMAIN_FIELD) == defaults.REAL)
    region_sizes = (
        real.count_values(names.field("gap_region"))
        if dataset.has_sample_field(names.field("gap_region"))
        else {}
    )
    regions = []
    for r in summary.get("regions", []):
        n_real = int(region_sizes.get(r["name"], r.get("size", 0)))
        regions.append(
            Region(
                key=f"{REGION}:{r['name']}",
                kind=REGION,
                name=r["name"],
                n_real=n_real,
                n_synthetic=int(r.get("n_synthetic", 0) or 0),
                gap=float(n_real),
                example_ids=list(r.get("representative_ids", [])),
                example_filepaths=list(r.get("representative_filepaths", [])),
            )
        )
    clusters = summary.get("clusters", [])
    total_real = sum(int(c["n_real"]) for c in clusters)
    total_synthetic = sum(int(c["n_synthetic"]) for c in clusters)
    for c in clusters:
        n_real, n_synthetic = int(c["n_real"]), int(c["n_synthetic"])
        stands_for = n_synthetic * total_real / total_synthetic if total_synthetic else 0.0
        regions.append(
            Region(
                key=f"{CLUSTER}:{c['cluster']}",
                kind=CLUSTER,
                name=f"cluster {c['cluster']}",
                n_real=n_real,
                n_synthetic=n_synthetic,
                gap=max(0.0, n_real - stands_for),
                status=str(c.get("status") or ""),
            )
        )
    return sorted(regions, key=lambda r: (-r.gap, r.kind != REGION, r.name))


def region_view(dataset: fo.Dataset, run_key: str, key: str) -> fo.DatasetView:
    """The samples of region ``key`` (from :func:`list_regions`): a gap region's real samples, or
    a cluster's real and synthetic samples."""
    names = RunNames(run_key)
    kind, _, value = key.partition(":")
    if kind == REGION:
        saved = names.view(value)
        if dataset.has_saved_view(saved):
            return dataset.load_saved_view(saved)
        real = dataset.match(F(defaults.DOMAIN_FIELD) == defaults.REAL)
        return real.match(F(names.field("gap_region")) == value)
    if kind == CLUSTER:
        return dataset.match(F(names.field("cluster")) == int(value))
    raise ValueError(f"Unknown region {key!r}: use 'region:<name>' or 'cluster:<id>'")


def saved_view_name(dataset: fo.Dataset, run_key: str, key: str) -> str | None:
    """The saved view holding region ``key``, if the analysis saved one."""
    kind, _, value = key.partition(":")
    name = RunNames(run_key).view(value)
    return name if kind == REGION and dataset.has_saved_view(name) else None
