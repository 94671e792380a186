"""Curate synthetic images by their objects (a run on objects: each labeled box is one unit).

Images are kept or dropped whole, with all of their labels. The rules, in this order (each image
gets the first reason that drops it; the reasons are those of curation.py):

1. Each synthetic object is judged as ``curation.curate`` judges a sample: ``degenerate`` (its box
   holds no content), ``outside-support`` (no real object looks like it once the style shift is
   removed), ``low-realism`` (among the least realistic ``low_realism_fraction`` of the objects).
   An image is dropped when more than ``max_bad_object_share`` of its analyzed objects are judged
   bad (0: any one of them), for the first of those reasons that one of its objects has.
2. ``near-duplicate``: every object of the image lies within the duplicate radius of an object of
   a more realistic kept image (it adds no object variety). An image's realism is that of its
   least realistic object.
3. At most ``budget`` images are kept, the most realistic first. With ``match_distribution`` each
   object cluster gets its real share of the kept objects (what thin clusters cannot fill goes to
   the others): an image is kept when all of its objects fit in their clusters' shares, then,
   budget left, when one of its objects falls in a cluster still short of its share. The others
   are ``over-represented`` (none of their clusters is short) or ``over-budget``. Without a budget
   only images all of whose objects fall in clusters without real objects go.

Generation targets are counted in objects: the clusters whose objects in the kept images fall
short of their real share of the objects the budget keeps (``budget`` times the mean number of
objects of the candidate images; without a budget, all of theirs).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .curation import (
    DEGENERATE,
    LOW_REALISM,
    NEAR_DUPLICATE,
    OUTSIDE_SUPPORT,
    OVER_BUDGET,
    OVER_REPRESENTED,
    CurationConfig,
    CurationResult,
    _quotas,
    _real_shares,
    _targets,
    curate,
    near_duplicate_radius,
)
from .neighbors import knn

#: The judgements of single objects, in the order they apply.
OBJECT_REASONS = (DEGENERATE, OUTSIDE_SUPPORT, LOW_REALISM)


@dataclass
class ObjectCurationResult(CurationResult):
    """A CurationResult over synthetic images (``keep``, ``reasons``: one per image), with, per
    object, ``image`` (its image's index) and ``object_reasons`` (its own judgement: "" when it
    passed, else one of OBJECT_REASONS). Targets are counted in objects."""

    image: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    object_reasons: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=str))

    @property
    def object_keep(self) -> np.ndarray:
        """(n_objects,) bool: the object's image is kept."""
        return self.keep[self.image]

    def flagged_counts(self) -> dict[str, int]:
        """Number of objects judged bad per reason of OBJECT_REASONS (zeros included)."""
        return {r: int(np.count_nonzero(self.object_reasons == r)) for r in OBJECT_REASONS}

    def by_cluster(self, clusters: np.ndarray) -> list[dict]:
        """CurationResult.by_cluster counted in objects: ``clusters`` holds each object's cluster;
        an object is kept or dropped with its image, for its image's reason."""
        return CurationResult(self.object_keep, self.reasons[self.image]).by_cluster(clusters)

    def kept_clusters(self, clusters: np.ndarray) -> np.ndarray:
        return np.asarray(clusters)[self.object_keep]


def curate_by_objects(
    synthetic: np.ndarray,
    realism: np.ndarray,
    clusters: np.ndarray,
    image: np.ndarray,
    real_cluster_counts: Mapping[int, int],
    budget: int | None = None,
    *,
    real: np.ndarray | None = None,
    support: np.ndarray | None = None,
    degenerate: np.ndarray | None = None,
    config: CurationConfig | None = None,
) -> ObjectCurationResult:
    """Pick the synthetic images to keep, at most ``budget`` (None: no limit), by their objects.

    Per synthetic object, as ``curation.curate`` takes per sample: ``synthetic`` (n_objects, d)
    embeddings, ``realism``, ``clusters``, ``support`` and ``degenerate`` (its box holds no
    content); ``image`` (n_objects,) int: the index of its image, every image of 0..n_images-1
    holding at least one object. ``real_cluster_counts`` and ``real`` count and hold real objects.
    """
    cfg = config or CurationConfig()
    if not 0.0 <= cfg.max_bad_object_share < 1.0:
        raise ValueError(
            f"max_bad_object_share must be in [0, 1), got {cfg.max_bad_object_share!r}"
        )
    image = np.asarray(image, dtype=np.int64).reshape(-1)
    if len(image) != len(synthetic):
        raise ValueError(
            f"image needs one value per synthetic object ({len(synthetic)}), got {len(image)}"
        )
    n_images = int(image.max()) + 1 if len(image) else 0
    counts = np.bincount(image, minlength=n_images) if len(image) else np.zeros(0, np.int64)
    if len(image) and (image.min() < 0 or (counts == 0).any()):
        raise ValueError("image must number the images 0..n_images-1, each with an object")
    single = dataclasses.replace(cfg, prune_duplicates=False, match_distribution=False)
    judged = curate(synthetic, realism, clusters, real_cluster_counts, None, real=real,
                    support=support, degenerate=degenerate, config=single)  # fmt: skip
    own, clusters = judged.reasons, np.asarray(clusters).reshape(-1)

    reasons = np.full(n_images, "", dtype=object)
    n_bad = np.bincount(image, weights=own != "", minlength=n_images)
    dropped = (n_bad > 0) & (n_bad > cfg.max_bad_object_share * counts)
    for reason in OBJECT_REASONS:
        has = np.bincount(image, weights=own == reason, minlength=n_images) > 0
        reasons[dropped & has & (reasons == "")] = reason
    order = _images_by_realism(np.asarray(realism, dtype=np.float64).reshape(-1), image, n_images)
    members = [np.flatnonzero(image == i) for i in range(n_images)]

    radius = None
    if cfg.prune_duplicates and n_images > 1:
        radius = near_duplicate_radius(cfg, real, synthetic)
        dup = _duplicate_images(np.asarray(synthetic, np.float32), image, members, order,
                                reasons == "", radius, cfg.duplicate_neighbors)  # fmt: skip
        reasons[dup] = NEAR_DUPLICATE

    candidates = order[reasons[order] == ""]
    n_objects = int(counts[candidates].sum())
    if budget is None or budget >= len(candidates):
        limit, size = len(candidates), n_objects
    else:
        limit = int(budget)
        size = int(round(limit * n_objects / len(candidates)))
    quota = None
    if cfg.match_distribution:
        labels, capacity = np.unique(clusters[np.isin(image, candidates)], return_counts=True)
        shares = _real_shares(real_cluster_counts)
        quota = _quotas(shares, size, dict(zip(labels.tolist(), capacity.tolist(), strict=True)))
    _fill(candidates, [clusters[m].tolist() for m in members], quota, limit, reasons)

    keep = reasons == ""
    targets = _targets(clusters[keep[image]], real_cluster_counts, size, cfg.n_targets)
    return ObjectCurationResult(
        keep=keep, reasons=reasons.astype(str), targets=targets, duplicate_radius=radius,
        image=image, object_reasons=own,
    )  # fmt: skip


def _fill(candidates, image_clusters: list[list], quota: dict | None, limit: int, reasons) -> None:
    """Keep at most ``limit`` of ``candidates`` (most realistic first): first each image whose
    objects all fit in their clusters' ``quota`` (in objects; None: no quotas), then, budget
    left, each one with an object in a cluster short of its quota. The others get their reason
    in ``reasons``: over-represented when none of their clusters is short, else over-budget."""
    filled: dict = {}
    kept = np.zeros(len(reasons), dtype=bool)
    n_kept = 0
    for strict in (True, False):
        for i in candidates:
            mine = image_clusters[i]
            if kept[i] or n_kept >= limit:
                continue
            if quota is not None:
                need = {c: mine.count(c) for c in set(mine)}
                room = {c: quota.get(c, 0) - filled.get(c, 0) for c in need}
                fits = all(room[c] >= n for c, n in need.items())
                if not (fits if strict else any(r > 0 for r in room.values())):
                    continue
                for c, n in need.items():
                    filled[c] = filled.get(c, 0) + n
            kept[i] = True
            n_kept += 1
    for i in candidates:
        if not kept[i]:
            short = quota is None or any(filled.get(c, 0) < quota.get(c, 0)
                                         for c in image_clusters[i])  # fmt: skip
            reasons[i] = OVER_BUDGET if short else OVER_REPRESENTED


def _images_by_realism(realism: np.ndarray, image: np.ndarray, n_images: int) -> np.ndarray:
    """Image indices, most realistic first by their least realistic object (NaN: least)."""
    score = np.where(np.isfinite(realism), realism, -np.inf)
    low = np.full(n_images, np.inf)
    np.minimum.at(low, image, score)
    return np.argsort(-low, kind="stable")


def _duplicate_images(x, image, members, order, alive, radius: float, k: int) -> list[int]:
    """The ``alive`` images each of whose objects lies within ``radius`` of an object of a more
    realistic kept ``alive`` image (its ``k`` nearest alive objects are looked at)."""
    rows = np.flatnonzero(alive[image])
    if radius <= 0 or len(np.unique(image[rows])) < 2:
        return []
    dist, idx = knn(x[rows], k=min(k, len(rows) - 1))
    local = np.full(len(image), -1)
    local[rows] = np.arange(len(rows))
    owner = image[rows]
    kept = np.zeros(len(alive), dtype=bool)
    dropped = []
    for i in order:
        if not alive[i]:
            continue
        covered = all(
            kept[owner[idx[j][dist[j] < radius]]].any() for j in local[members[i]]
        )  # an image is never kept before it is looked at, so its own objects do not count
        if covered:
            dropped.append(int(i))
        else:
            kept[i] = True
    return dropped
