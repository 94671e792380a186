"""Images that hold no content: a blank frame, or pure noise (no spatial structure at any scale).

Such renders can land anywhere in an embedding space, even among real images (a blank frame sits
next to a real image of a smooth surface), so curation checks the pixels as well (core/curation.py).

- ``blank``: the grey levels vary by less than BLANK_STD (of 255) over the whole image.
- ``noise``: neighbouring pixels are uncorrelated at every scale: the correlation of adjacent grey
  levels stays below NOISE_CORRELATION in the image and in each 2x, 4x, ... block-averaged copy
  (while MIN_SIDE pixels a side are left). Photographs and renders of objects are smooth at some
  scale (adjacent-pixel correlation well above 0.5); independent noise stays near 0 at every one.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

import numpy as np

from ..progress import Progress, report
from .images import load_image

BLANK, NOISE = "blank", "noise"
#: Grey-level standard deviation (0-255) under which an image is blank.
BLANK_STD = 1.0
#: Adjacent-pixel correlation under which a scale shows no structure.
NOISE_CORRELATION = 0.2
#: Smallest side (pixels) of a block-averaged copy that is still looked at.
MIN_SIDE = 16
#: Images are block-averaged to at most this side before the checks.
MAX_SIDE = 512


def adjacent_correlation(grey: np.ndarray) -> float:
    """Correlation of horizontally and vertically adjacent values of 2-D ``grey`` (NaN when
    constant)."""
    pairs = ((grey[:, :-1], grey[:, 1:]), (grey[:-1], grey[1:]))
    num = den = 0.0
    for a, b in pairs:
        a, b = a - a.mean(), b - b.mean()
        num += float((a * b).sum())
        den += float(np.sqrt((a * a).sum() * (b * b).sum()))
    return num / den if den > 0 else float("nan")


def image_issue(grey: np.ndarray) -> str | None:
    """BLANK, NOISE or None (the image holds content) for a 2-D array of grey levels 0-255."""
    grey = np.asarray(grey, dtype=np.float64)
    if grey.ndim != 2:
        raise ValueError(f"grey must be a 2-D array of grey levels, got shape {grey.shape}")
    if grey.size == 0 or grey.std() < BLANK_STD:
        return BLANK
    block = 1
    while min(grey.shape) // block >= MIN_SIDE:
        h, w = (grey.shape[0] // block) * block, (grey.shape[1] // block) * block
        coarse = grey[:h, :w].reshape(h // block, block, w // block, block).mean(axis=(1, 3))
        if adjacent_correlation(coarse) >= NOISE_CORRELATION:
            return None
        block *= 2
    return NOISE if block > 1 else None  # too small to tell: leave it


def file_issues(
    paths: Sequence[str | os.PathLike], progress: Progress | None = None
) -> list[str | None]:
    """:func:`image_issue` of each image file; None where the file cannot be read (the embedding
    step reports those)."""
    issues: list[str | None] = []
    for i, path in enumerate(paths):
        if i % 200 == 0:
            report(progress, i / max(len(paths), 1), f"checking images {i}/{len(paths)}")
        grey = _grey(path)
        issues.append(None if grey is None else image_issue(grey))
    report(progress, 1.0, f"checked {len(paths)} images")
    return issues


def box_issues(
    paths: Sequence[str | os.PathLike],
    boxes: Sequence[np.ndarray],
    progress: Progress | None = None,
) -> list[list[str | None]]:
    """:func:`image_issue` of the pixels inside each box of each image file (``boxes[i]``:
    (k, 4) [x, y, width, height] relative to image i), each image decoded once; None for the
    boxes of an image that cannot be read and for boxes holding no whole pixel."""
    issues = []
    for i, (path, image_boxes) in enumerate(zip(paths, boxes, strict=True)):
        if i % 200 == 0:
            report(progress, i / max(len(paths), 1), f"checking objects {i}/{len(paths)}")
        grey = _grey(path)
        found = []
        for x, y, w, h in np.asarray(image_boxes, dtype=np.float64).reshape(-1, 4):
            if grey is None:
                found.append(None)
                continue
            rows, cols = grey.shape  # the pixels wholly inside the box
            top, left = max(math.ceil(y * rows), 0), max(math.ceil(x * cols), 0)
            crop = grey[top : math.floor((y + h) * rows), left : math.floor((x + w) * cols)]
            found.append(image_issue(crop) if crop.size else None)
        issues.append(found)
    report(progress, 1.0, f"checked the objects of {len(paths)} images")
    return issues


def _grey(path) -> np.ndarray | None:
    """The grey levels of image file ``path``, block-averaged to at most MAX_SIDE a side; None
    when it cannot be read."""
    loaded = load_image(path, min_size=MAX_SIDE)
    if loaded.image is None:
        return None
    image = loaded.image.convert("L")
    factor = -(-max(image.size) // MAX_SIDE)
    if factor > 1:
        image = image.reduce(factor)  # block averages: noise stays independent
    return np.asarray(image)
