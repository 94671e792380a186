"""Galleries of what the synthetic data lacks: real examples of the largest gap regions next to
their nearest synthetic images, as App media URLs."""

from __future__ import annotations

from urllib.parse import quote

from .grades import format_value, is_number

#: Region keys that are not facts worth a line in a gallery (shown otherwise, or internal).
_REGION_SKIP = {"name", "size", "distance_to_synthetic", "region", "cluster", "cluster_overlap"}


def media_url(path: str) -> str:
    """The FiftyOne App's URL of local image file ``path``."""
    return "/media?filepath=" + quote(str(path), safe="")


def largest_first(regions: list[dict]) -> list[dict]:
    """``regions`` by stored size, largest first (a region without a size last)."""
    return sorted(regions, key=lambda r: -(r["size"] if is_number(r.get("size")) else 0))


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
    for region in largest_first(regions)[:limit]:
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
