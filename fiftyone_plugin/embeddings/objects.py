"""Embed the labeled objects of image files: each image is decoded once, every object of it cut
from those pixels as a square crop (its box, a context margin around it), and the crops go
through the model in batches like whole images (decode.py's Pillow decoders, inference.py's
forward loop).

A crop is the square of side ``max(box width, box height) x (1 + 2 x margin)``, centred on the
box and moved inside the image where it would stick out (cut to the image's shorter side when
larger), enlarged by the model's resize / crop ratio so that the model's centre crop sees the box
and its margin. An object whose box size, sqrt(width x height), is under ``min_size`` pixels (in
the image as stored) is not embedded; its reason says so. A bad image fails all of its objects with
the image's reason.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset

from .. import defaults
from ..progress import Progress, report
from .decode import Batch
from .images import DEFAULT_MAX_PIXELS, load_image, one_line
from .inference import EmbeddingResult, embed_batches, pillow_batches
from .registry import EmbeddingModel
from .transform import ImageTransform

#: How the reason of an object under the minimum size starts.
SMALL = "object smaller than"


def too_small(reason: str | None) -> bool:
    """Whether an object's error ``reason`` says its box was under the minimum size."""
    return bool(reason) and reason.startswith(SMALL)


def crop_squares(
    boxes: np.ndarray, width: int, height: int, margin: float, enlarge: float = 1.0
) -> np.ndarray:
    """(n, 3) int [left, top, side] in pixels of the square crop of each relative box
    ([x, y, w, h] in [0, 1]) of a ``width`` x ``height`` image: see the module docstring."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    x, y = boxes[:, 0] * width, boxes[:, 1] * height
    w, h = boxes[:, 2] * width, boxes[:, 3] * height
    side = np.maximum(w, h) * (1 + 2 * margin) * enlarge
    side = np.clip(np.rint(side), 1, min(width, height)).astype(np.int64)
    left = np.clip(np.rint(x + w / 2 - side / 2), 0, width - side).astype(np.int64)
    top = np.clip(np.rint(y + h / 2 - side / 2), 0, height - side).astype(np.int64)
    return np.column_stack([left, top, side])


def box_size(boxes: np.ndarray, width: float, height: float) -> np.ndarray:
    """(n,) sqrt(box width x box height) of each relative box, in pixels of a ``width`` x
    ``height`` image (a thin object keeps the size of its area)."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    return np.sqrt(np.clip(boxes[:, 2] * width * boxes[:, 3] * height, 0, None))


class ObjectFiles(Dataset):
    """Item i -> (object rows, (k, crop, crop, 3) uint8 crops or None, [(row, reason)]) for the
    objects of image i; ``boxes[i]`` (k_i, 4) relative boxes whose rows start at ``first[i]``."""

    def __init__(
        self,
        paths: list[str],
        boxes: list[np.ndarray],
        transform: ImageTransform,
        max_pixels: int,
        margin: float,
        min_size: int,
    ) -> None:
        self.paths, self.boxes, self.transform = paths, boxes, transform
        self.max_pixels, self.margin, self.min_size = max_pixels, margin, min_size
        self.first = np.concatenate([[0], np.cumsum([len(b) for b in boxes])]).astype(int)

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, i: int) -> tuple[list[int], torch.Tensor | None, list[tuple[int, str]]]:
        boxes, first = self.boxes[i], int(self.first[i])
        rows = list(range(first, first + len(boxes)))
        if not len(boxes):
            return [], None, []
        try:
            width, height = _stored_size(self.paths[i])
        except Exception:  # noqa: BLE001 - load_image below names the reason
            width = height = None
        small = np.zeros(len(boxes), dtype=bool)
        if width:
            small = box_size(boxes, width, height) < self.min_size
            if small.all():  # nothing to decode
                return [], None, [(r, self._small_reason()) for r in rows]
        wanted = ~small
        smallest = float(np.max(boxes[wanted, 2:], axis=1).min()) * (1 + 2 * self.margin)
        # decode at the smallest scale that keeps the smallest crop at the model's resize size
        draft = math.ceil(self.transform.resize_size / max(smallest, 1e-3))
        image, error = load_image(self.paths[i], min_size=draft, max_pixels=self.max_pixels)
        if image is None:
            return [], None, [(r, f"image: {error}") for r in rows]
        if not width:  # the stored size was unreadable: judge on the decoded image
            width, height = image.size
            small = box_size(boxes, width, height) < self.min_size
        try:
            crops = self._crops(image, boxes[~small])
        except Exception as e:  # noqa: BLE001 - recorded for this image's objects, the run goes on
            return [], None, [(r, f"preprocessing failed: {one_line(e)}") for r in rows]
        kept = [r for r, s in zip(rows, small, strict=True) if not s]
        return kept, crops, [(r, self._small_reason()) for r, s in zip(rows, small, strict=True)
                             if s]  # fmt: skip

    def _small_reason(self) -> str:
        return f"{SMALL} {self.min_size} px"

    def _crops(self, image: Image.Image, boxes: np.ndarray) -> torch.Tensor:
        pixels = torch.from_numpy(np.array(image, dtype=np.uint8)).permute(2, 0, 1)
        t = self.transform
        squares = crop_squares(
            boxes, image.width, image.height, self.margin, t.resize_size / t.crop_size
        )
        regions = [pixels[:, top : top + s, left : left + s] for left, top, s in squares]
        return t.prepare_tensors(regions)


def _stored_size(path: str) -> tuple[int, int]:
    """(width, height) of the image file as viewers show it (EXIF orientation applied), from its
    header."""
    with Image.open(path) as im:
        width, height = im.size
        if im.getexif().get(0x0112, 1) in (5, 6, 7, 8):  # rotated a quarter turn
            width, height = height, width
    return width, height


def collate_objects(items) -> Batch:
    """[(object rows, crops or None, [(row, reason)])] -> one Batch of crops."""
    rows = [r for kept, _, _ in items for r in kept]
    crops = [c for _, c, _ in items if c is not None]
    failures = [f for _, _, failed in items for f in failed]
    return rows, (torch.cat(crops) if crops else None), failures


def rebatched(batches: Iterator[Batch], size: int) -> Iterator[Batch]:
    """``batches`` regrouped into batches of ``size`` crops (the last may be smaller); the
    failures travel with the next batch."""
    rows: list[int] = []
    parts: list[torch.Tensor] = []
    failures: list[tuple[int, str]] = []
    held = 0
    for indices, images, failed in batches:
        failures += failed
        if images is not None:
            rows += indices
            parts.append(images)
            held += len(indices)
        while held >= size:
            pixels = torch.cat(parts)
            yield rows[:size], pixels[:size], failures
            rows, parts, failures, held = rows[size:], [pixels[size:]], [], held - size
    if held or failures:
        yield rows, (torch.cat(parts) if held else None), failures


@dataclass
class ObjectEmbeddings:
    """vectors (n_objects, dim) float32, NaN rows for objects not embedded; errors: per object,
    None or a one-line reason (``too_small(reason)`` for boxes under the minimum size)."""

    vectors: np.ndarray
    errors: list[str | None]

    @property
    def ok(self) -> np.ndarray:
        return np.array([e is None for e in self.errors], dtype=bool)

    @property
    def n_small(self) -> int:
        """Objects left out for their size."""
        return sum(too_small(e) for e in self.errors)


def embed_objects(
    paths: Sequence[str | os.PathLike],
    boxes: Sequence[np.ndarray],
    model: EmbeddingModel,
    batch_size: int = 32,
    num_workers: int = 2,
    progress: Progress | None = None,
    *,
    margin: float = defaults.OBJECT_MARGIN,
    min_size: int = defaults.OBJECT_MIN_SIZE,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    overlap: bool | None = None,
) -> ObjectEmbeddings:
    """Embed the objects ``boxes[i]`` ((k_i, 4) [x, y, w, h] relative to image ``paths[i]``) with
    ``model``; rows of the result follow the images, then their boxes, in order.

    margin: context around each box, as a share of its longer side on each side (>= 0).
    min_size: boxes whose size sqrt(width x height) has fewer pixels are not embedded (>= 1).
    batch_size: crops per forward pass; num_workers, max_pixels and overlap: as embed_images
    (Pillow decoders).
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if num_workers < 0:
        raise ValueError(f"num_workers must be >= 0, got {num_workers}")
    if not (isinstance(margin, int | float) and 0 <= margin <= 10):
        raise ValueError(f"margin must be a number in [0, 10] (share of the box), not {margin!r}")
    if not (isinstance(min_size, int) and min_size >= 1):
        raise ValueError(f"min_size must be a whole number of pixels >= 1, not {min_size!r}")
    paths = [os.fspath(p) for p in paths]
    if len(boxes) != len(paths):
        raise ValueError(f"boxes for {len(boxes)} images but {len(paths)} paths")
    boxes = [np.asarray(b, dtype=np.float64).reshape(-1, 4) for b in boxes]
    n = sum(len(b) for b in boxes)
    if n == 0:
        return ObjectEmbeddings(np.full((0, model.dim), np.nan, dtype=np.float32), [])
    files = ObjectFiles(paths, boxes, model.transform, max_pixels, margin, min_size)
    # images per decoded batch: about ``batch_size`` crops
    per_batch = max(1, round(batch_size * len(paths) / n))
    decoded = pillow_batches(files, per_batch, num_workers, model, overlap, collate_objects)
    report(progress, 0.0, f"Embedding {n} objects of {len(paths)} images with {model.name}")
    result: EmbeddingResult = embed_batches(
        rebatched(decoded, batch_size), n, model, batch_size, progress, unit="objects"
    )
    return ObjectEmbeddings(result.vectors, result.errors)
