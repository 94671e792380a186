"""Do the real images share a fixed layout? The share of their pixel variance that is where things
sit in the frame, measured on small grey thumbnails.

Characters, digits, icons and signs are drawn centred in a frame: the mean image of a set of them
is a clear shape, and most of how one pixel differs from another is that shape. Crops of photos
and scenes taken anywhere have no such frame: their mean image is flat. The content model
(efficientnet_lite0_content) adds where each stage's features fire in the frame to the pooled
features, which describes such shapes over a style (docs/BENCHMARKS.md, "Content features").
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from .images import load_image

#: Side (pixels) of the grey thumbnails the layout is measured on.
SIDE = 16
#: At most this many images are read (a random sample of them).
MAX_IMAGES = 256


def layout_share(thumbnails: np.ndarray) -> float:
    """Share (0-1) of the pixel variance of ``thumbnails`` ((n, h, w) grey levels, n >= 2) that
    is the fixed layout: the variance across pixels of their mean image, over that plus the mean
    variance of each pixel across the images. 1: every image the same picture; 0: no pixel is
    darker or lighter than another on average."""
    x = np.asarray(thumbnails, dtype=np.float64)
    if x.ndim != 3 or len(x) < 2:
        raise ValueError(f"thumbnails must be (n, h, w) with n >= 2, got shape {x.shape}")
    between = float(x.mean(axis=0).var())
    within = float(x.var(axis=0).mean())
    total = between + within
    return between / total if total > 0 else 0.0


def file_layout_share(
    paths: Sequence[str | os.PathLike], max_images: int = MAX_IMAGES, seed: int = 0
) -> float | None:
    """:func:`layout_share` of (a random sample of at most ``max_images`` of) the image files
    ``paths``, each as a SIDE x SIDE grey thumbnail of the whole frame; None when fewer than two
    can be read."""
    rng = np.random.default_rng(seed)
    chosen = rng.permutation(len(paths))[:max_images]
    thumbnails = []
    for i in sorted(chosen):
        loaded = load_image(paths[i], min_size=SIDE)
        if loaded.image is not None:
            thumb = loaded.image.convert("L").resize((SIDE, SIDE), reducing_gap=2.0)
            thumbnails.append(np.asarray(thumb, dtype=np.float64) / 255)
    return layout_share(np.stack(thumbnails)) if len(thumbnails) >= 2 else None
