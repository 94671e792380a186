"""Batched embedding of image files: decoders (threads on a CPU, DataLoader worker processes
next to an accelerator) decode and resize, the main thread runs the network. A file that cannot
be read becomes a NaN row and a reason; the run goes on.

Division of labour, to keep decoding cheap: a decoder opens the file (a JPEG is decoded at reduced
DCT scale when it is much larger than needed), resizes only the centre crop, and hands over uint8
HWC pixels (4x less to move than float32). The main thread normalises the batch on the device,
which also yields the channels_last layout conv nets run fastest in.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset

from ..progress import Progress, report
from .images import DEFAULT_MAX_PIXELS, load_image, one_line
from .registry import EmbeddingModel, torch_dtype


class ImageTransform:
    """RGB PIL image -> model input: shorter side resized to `resize_size`, centre crop of
    `crop_size` (square), normalised with `mean` / `std` given in [0, 1] units. `interpolation`:
    "bilinear" or "bicubic" (antialiased when shrinking, as torchvision's Resize).

    `prepare` (uint8 HWC, run in workers) and `normalize` (batched, on the device) split the work;
    calling the transform does both for one image and returns a (3, crop, crop) float32 tensor.
    """

    def __init__(
        self,
        crop_size: int,
        resize_size: int,
        mean: Sequence[float],
        std: Sequence[float],
        interpolation: str = "bilinear",
    ) -> None:
        if resize_size < crop_size:
            raise ValueError(f"resize_size ({resize_size}) must be >= crop_size ({crop_size})")
        if interpolation not in ("bilinear", "bicubic"):
            raise ValueError(
                f"interpolation must be 'bilinear' or 'bicubic', not {interpolation!r}"
            )
        self.crop_size = crop_size
        self.resize_size = resize_size
        self.mean = tuple(mean)
        self.std = tuple(std)
        self.interpolation = interpolation

    def prepare(self, image: Image.Image) -> torch.Tensor:
        """(crop, crop, 3) uint8 tensor. Same pixels as torchvision's Resize + CenterCrop up to
        rounding of the crop to whole source pixels, but only the kept region is resampled, with
        torch's vectorised uint8 kernel (faster than Pillow's: docs/BENCHMARKS.md)."""
        pixels = torch.from_numpy(np.array(image, dtype=np.uint8)).permute(2, 0, 1)[None]
        h, w = pixels.shape[-2:]
        side = max(1, round(self.crop_size * min(w, h) / self.resize_size))  # in source pixels
        top, left = (h - side) // 2, (w - side) // 2
        crop = pixels[..., top : top + side, left : left + side]
        out = torch.nn.functional.interpolate(
            crop,
            size=(self.crop_size, self.crop_size),
            mode=self.interpolation,
            antialias=side > self.crop_size,
            align_corners=False,
        )
        return out[0].permute(1, 2, 0).contiguous()

    def normalize(self, batch: torch.Tensor) -> torch.Tensor:
        """(N, H, W, 3) uint8 -> (N, 3, H, W) float32 normalised, in channels_last memory."""
        x = batch.permute(0, 3, 1, 2).float()
        mean = torch.tensor(self.mean, device=x.device).view(1, 3, 1, 1) * 255
        std = torch.tensor(self.std, device=x.device).view(1, 3, 1, 1) * 255
        return ((x - mean) / std).contiguous(memory_format=torch.channels_last)

    def __call__(self, image: Image.Image) -> torch.Tensor:
        return self.normalize(self.prepare(image)[None])[0]

    def __repr__(self) -> str:
        return (
            f"ImageTransform(crop_size={self.crop_size}, resize_size={self.resize_size}, "
            f"mean={self.mean}, std={self.std}, interpolation={self.interpolation})"
        )


@dataclass
class EmbeddingResult:
    """vectors: (n, dim) float32, NaN rows for failed images. errors: per path, None or a
    one-line reason the image was skipped."""

    vectors: np.ndarray
    errors: list[str | None]

    @property
    def ok(self) -> np.ndarray:
        """(n,) bool: True where the image was embedded."""
        return np.array([e is None for e in self.errors], dtype=bool)


def embed_images(
    paths: Sequence[str | os.PathLike],
    model: EmbeddingModel,
    batch_size: int = 32,
    num_workers: int = 2,
    progress: Progress | None = None,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    overlap: bool | None = None,
) -> EmbeddingResult:
    """Embed image files with `model` (from `load_model`).

    num_workers: decoders (0: decode in the calling thread).
    progress: optional `progress(fraction, label)` called after each batch.
    max_pixels: larger images are skipped as decompression bombs.
    overlap: decode in worker processes while the network runs (DataLoader), or, when False, in
        threads between forward passes. None (default): overlap when the model runs on an
        accelerator; on a CPU both compete for the same cores and taking turns is faster.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if num_workers < 0:
        raise ValueError(f"num_workers must be >= 0, got {num_workers}")
    paths = [os.fspath(p) for p in paths]
    n = len(paths)
    vectors = np.full((n, model.dim), np.nan, dtype=np.float32)
    errors: list[str | None] = [None] * n
    if n == 0:
        return EmbeddingResult(vectors, errors)

    files = _ImageFiles(paths, model.transform, max_pixels)
    workers = min(num_workers, math.ceil(n / batch_size))
    if overlap is None:
        overlap = model.device != "cpu"
    batches = (
        _decoded_between_batches(files, batch_size, workers)
        if not overlap
        else DataLoader(
            files,
            batch_size=batch_size,
            shuffle=False,
            num_workers=workers,
            collate_fn=_collate,
            pin_memory=model.device.startswith("cuda"),
            prefetch_factor=4 if workers else None,
        )
    )
    report(progress, 0.0, f"Embedding {n} images with {model.name}")
    done = 0
    for indices, images, failures in batches:
        for i, reason in failures:
            errors[i] = reason
        if indices:
            feats = forward_batch(model, _padded(images, batch_size) if model.compiled else images)
            feats = feats[: len(indices)]
            bad = ~np.isfinite(feats).all(axis=1)
            for i in np.asarray(indices)[bad]:
                errors[i] = f"non-finite embedding ({model.precision} overflow?)"
            feats[bad] = np.nan
            vectors[indices] = feats
        done += len(indices) + len(failures)
        report(progress, done / n, f"Embedded {done}/{n} images")
    return EmbeddingResult(vectors, errors)


def forward_batch(model: EmbeddingModel, images: torch.Tensor) -> np.ndarray:
    """(N, H, W, 3) uint8 prepared images -> (N, dim) float32 embeddings."""
    if model.backend == "openvino":  # normalisation is compiled into the network
        return model.module(images).numpy()
    x = model.transform.normalize(images.to(model.device, non_blocking=True))
    if not model.channels_last:
        x = x.contiguous()
    with torch.inference_mode():
        if model.compiled:  # the weights are in the model's precision already
            out = model.module(x.to(torch_dtype(model.precision)))
        else:
            with _autocast(model):
                out = model.module(x)
    return out.float().cpu().numpy()


def _padded(images: torch.Tensor, size: int) -> torch.Tensor:
    """``images`` with zero images appended up to ``size``: a compiled network keeps one input
    shape instead of compiling again for a short last batch."""
    missing = size - len(images)
    if missing <= 0:
        return images
    return torch.cat([images, images.new_zeros((missing, *images.shape[1:]))])


def _autocast(model: EmbeddingModel) -> contextlib.AbstractContextManager:
    if model.precision == "fp32":
        return contextlib.nullcontext()
    device_type = model.device.partition(":")[0]
    return torch.autocast(device_type=device_type, dtype=torch_dtype(model.precision))


class _ImageFiles(Dataset):
    """Item i -> (i, uint8 HWC tensor, None) or (i, None, reason)."""

    def __init__(self, paths: list[str], transform: ImageTransform, max_pixels: int) -> None:
        self.paths = paths
        self.transform = transform
        self.max_pixels = max_pixels

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, i: int) -> tuple[int, torch.Tensor | None, str | None]:
        image, error = load_image(
            self.paths[i], min_size=self.transform.resize_size, max_pixels=self.max_pixels
        )
        if image is None:
            return i, None, error
        try:
            return i, self.transform.prepare(image), None
        except Exception as e:  # noqa: BLE001 - recorded for this sample, the run goes on
            return i, None, f"preprocessing failed: {one_line(e)}"


def _decoded_between_batches(files: _ImageFiles, batch_size: int, threads: int):
    """Batches for a CPU device: each one decoded by ``threads`` threads while the network waits.

    On a CPU, decoding and the forward pass share the same cores. Decoding in parallel with the
    forward (DataLoader workers) makes the forward's threads wait on each other whenever a
    decoder takes one of their cores; decoding between forwards uses every core for each in turn.
    Pillow and torch release the GIL, so threads decode in parallel.
    """
    with ThreadPoolExecutor(max(1, threads)) as pool:  # starts no thread until used
        decode = pool.map if threads else map
        for start in range(0, len(files), batch_size):
            stop = min(start + batch_size, len(files))
            yield _collate(list(decode(files.__getitem__, range(start, stop))))


def _collate(items):
    """-> (indices of decoded images, their stacked (N, H, W, 3) pixels or None,
    [(index, reason)] of the failed ones)."""
    indices = [i for i, x, _ in items if x is not None]
    images = torch.stack([x for _, x, _ in items if x is not None]) if indices else None
    failures = [(i, reason) for i, x, reason in items if x is None]
    return indices, images, failures
