"""Do the real images share a fixed layout? The share of their pixel variance that is where things
sit in the frame, measured on small grey thumbnails.

Characters, digits, icons and signs are drawn centred in a frame: the mean image of a set of them
is a clear shape, and most of how one pixel differs from another is that shape. Crops of photos
and scenes taken anywhere have no such frame: their mean image is flat. The content model
(efficientnet_lite0_content) adds where each stage's features fire in the frame to the pooled
features, which describes such shapes over a style (docs/BENCHMARKS.md, "Content features"): the
default model choice takes it for such images (:func:`choose_model`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence

import numpy as np
from PIL import Image

from ..defaults import CONTENT_MODEL, FIXED_LAYOUT, MODEL
from .images import load_image

#: Side (pixels) of the grey thumbnails the layout is measured on.
SIDE = 16
#: At most this many images are read (a random sample of them).
MAX_IMAGES = 256
#: Fewer real images than this are too few to choose a model by their layout.
MIN_IMAGES = 20


def layout_share(thumbnails: np.ndarray) -> float:
    """Share (0-1) of the pixel variance of ``thumbnails`` ((n, h, w) grey levels, n >= 2) that
    is the fixed layout: the variance across pixels of their mean image, over that plus the mean
    variance of each pixel across the images. The mean image of n images holds 1/n of that
    variance as noise, which is taken off (a few photos do not make a layout). 1: every image
    the same picture; 0: no pixel is darker or lighter than another on average."""
    x = np.asarray(thumbnails, dtype=np.float64)
    if x.ndim != 3 or len(x) < 2:
        raise ValueError(f"thumbnails must be (n, h, w) with n >= 2, got shape {x.shape}")
    within = float(x.var(axis=0, ddof=1).mean())
    between = max(float(x.mean(axis=0).var()) - within / len(x), 0.0)
    total = between + within
    return between / total if total > 0 else 0.0


def file_layout_share(
    paths: Sequence[str | os.PathLike], max_images: int = MAX_IMAGES, seed: int = 0
) -> float | None:
    """:func:`layout_share` of (a random sample of at most ``max_images`` of) the image files
    ``paths``, each as a SIDE x SIDE grey thumbnail of the whole frame; None when fewer than two
    can be read. The sample depends on the set of paths, not their order, and the share of files
    unchanged since the last calls is not read again (choosing the model and storing the share in
    the run measure the same files)."""
    ordered = sorted(os.fspath(p) for p in paths)
    chosen = np.random.default_rng(seed).permutation(len(ordered))[:max_images]
    return _share_of_files(tuple(_stamped(ordered[i]) for i in sorted(chosen)))


def _stamped(path: str) -> tuple[str, int, int]:
    """``path`` with its modification time and size (-1, -1 when it cannot be read)."""
    try:
        stat = os.stat(path)
    except OSError:
        return path, -1, -1
    return path, stat.st_mtime_ns, stat.st_size


@functools.lru_cache(maxsize=4)
def _share_of_files(files: tuple[tuple[str, int, int], ...]) -> float | None:
    """file_layout_share of the stamped ``files`` (see :func:`_stamped`)."""
    loaded = (load_image(path, min_size=SIDE).image for path, _, _ in files)
    thumbnails = [thumbnail(image) for image in loaded if image is not None]
    return layout_share(np.stack(thumbnails)) if len(thumbnails) >= 2 else None


def thumbnail(image: Image.Image) -> np.ndarray:
    """The SIDE x SIDE grey thumbnail (0-1) of the whole frame of ``image`` the layout is
    measured on."""
    grey = image.convert("L").resize((SIDE, SIDE), reducing_gap=2.0)
    return np.asarray(grey, dtype=np.float64) / 255


def model_for(share: float | None) -> str:
    """The model the default choice takes for real images of layout share ``share`` (None: not
    measured): CONTENT_MODEL from FIXED_LAYOUT up, else MODEL."""
    return CONTENT_MODEL if share is not None and share >= FIXED_LAYOUT else MODEL


def choose_model(paths: Sequence[str | os.PathLike]) -> tuple[str, float | None]:
    """The model the default choice (defaults.AUTO_MODEL) takes for real images ``paths``, and
    their layout share (None when not measured): CONTENT_MODEL from FIXED_LAYOUT up, given at
    least MIN_IMAGES paths, else MODEL."""
    share = file_layout_share(paths) if len(paths) >= MIN_IMAGES else None
    return model_for(share), share
