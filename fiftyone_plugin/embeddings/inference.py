"""Batched embedding of image files: a decoder (see decode.py) prepares batches of pixels, the
calling thread runs the network. A file that cannot be read becomes a NaN row and a reason; the
run goes on.

Division of labour: decoders hand over uint8 HWC pixels already cropped and resized (4x less to
move than float32); the network's side normalises each batch on the device, which also yields the
channels_last layout conv nets run fastest in. On an accelerator the results of a batch are copied
back while the next batch runs, so the device never waits for the host.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ..defaults import DECODERS
from ..progress import Progress, report
from . import decode
from .images import DEFAULT_MAX_PIXELS
from .registry import EmbeddingModel, torch_dtype


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
    decoder: str = "auto",
) -> EmbeddingResult:
    """Embed image files with `model` (from `load_model`).

    num_workers: decoders (0: decode in the calling thread); with the device decoder, the
        threads that read files and decode what the device cannot.
    progress: optional `progress(fraction, label)` called after each batch.
    max_pixels: larger images are skipped as decompression bombs.
    decoder: one of DECODERS. "device" decodes JPEGs on the model's device with torchvision
        (nvJPEG on CUDA); its pixels differ from Pillow's by the JPEG decoder's rounding and the
        full-size decode (Pillow may decode a large JPEG at a reduced DCT scale first).
    overlap: with Pillow, decode in worker processes while the network runs (DataLoader), or,
        when False, in threads between forward passes. None (default): overlap when the model
        runs on an accelerator; on a CPU both compete for the same cores and taking turns is
        faster.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if num_workers < 0:
        raise ValueError(f"num_workers must be >= 0, got {num_workers}")
    if decoder not in DECODERS:
        raise ValueError(f"Unknown decoder {decoder!r}: use one of {list(DECODERS)}.")
    if decoder == "device" and model.backend != "torch":
        raise ValueError(
            f"decoder='device' feeds a torch network on its device; this model runs on "
            f"{model.backend!r}: pass decoder='pillow' (or 'auto')"
        )
    paths = [os.fspath(p) for p in paths]
    n = len(paths)
    if n == 0:
        return EmbeddingResult(np.full((0, model.dim), np.nan, dtype=np.float32), [])

    files = decode.ImageFiles(paths, model.transform, max_pixels)
    if decoder == "auto":
        decoder = decode.pillow_or_device(model.device)
    if decoder == "device":
        batches = decode.on_device(files, batch_size, num_workers, model.device)
    else:
        batches = pillow_batches(files, batch_size, num_workers, model, overlap)
    report(progress, 0.0, f"Embedding {n} images with {model.name}")
    return embed_batches(batches, n, model, batch_size, progress)


def pillow_batches(
    files, batch_size: int, num_workers: int, model: EmbeddingModel, overlap: bool | None,
    collate=decode.collate,
):  # fmt: skip
    """Batches of ``files`` decoded by Pillow: in worker processes while the network runs, or in
    threads between forward passes (see embed_images's ``overlap``)."""
    workers = min(num_workers, math.ceil(len(files) / batch_size))
    if overlap or (overlap is None and model.device != "cpu"):
        pin = model.device.startswith("cuda")
        return decode.worker_processes(files, batch_size, workers, pin, collate=collate)
    return decode.between_batches(files, batch_size, workers, collate=collate)


def embed_batches(
    batches, n: int, model: EmbeddingModel, batch_size: int, progress: Progress | None = None,
    unit: str = "images",
) -> EmbeddingResult:  # fmt: skip
    """Run ``model`` on decoded ``batches`` (decode.Batch: row indices in [0, n), pixels,
    failures) -> the EmbeddingResult of ``n`` rows; ``unit`` names the rows in progress labels.
    A compiled network gets batches padded to ``batch_size``."""
    vectors = np.full((n, model.dim), np.nan, dtype=np.float32)
    errors: list[str | None] = [None] * n
    cuda = model.device.startswith("cuda")
    in_flight: list[tuple[list[int], torch.Tensor | None, int, torch.cuda.Event | None]] = []
    done = 0

    def finish(indices: list[int], host, n_failed: int, event) -> None:
        nonlocal done
        if indices:
            if event is not None:
                event.synchronize()
            feats = host.numpy()[: len(indices)]
            bad = ~np.isfinite(feats).all(axis=1)
            for i in np.asarray(indices)[bad]:
                errors[i] = f"non-finite embedding ({model.precision} overflow?)"
            vectors[indices] = np.where(bad[:, None], np.nan, feats)
        done += len(indices) + n_failed
        report(progress, done / n, f"Embedded {done}/{n} {unit}")

    for indices, images, failures in batches:
        for i, reason in failures:
            errors[i] = reason
        host = event = None
        if indices:
            feats = forward_on_device(
                model, _padded(images, batch_size) if model.compiled else images
            )
            # on a GPU, copied back while the next batch runs; waited for one batch later
            host = feats.to("cpu", non_blocking=cuda)
            if cuda:
                event = torch.cuda.Event()
                event.record()
        in_flight.append((indices, host, len(failures), event))
        if len(in_flight) > int(cuda):
            finish(*in_flight.pop(0))
    for item in in_flight:
        finish(*item)
    return EmbeddingResult(vectors, errors)


def forward_batch(model: EmbeddingModel, images: torch.Tensor) -> np.ndarray:
    """(N, H, W, 3) uint8 prepared images -> (N, dim) float32 embeddings."""
    return forward_on_device(model, images).cpu().numpy()


def forward_on_device(model: EmbeddingModel, images: torch.Tensor) -> torch.Tensor:
    """(N, H, W, 3) uint8 prepared images -> (N, dim) float32 embeddings on the model's device,
    queued there (not waited for) on an accelerator."""
    if model.backend == "openvino":  # normalisation is compiled into the network
        return model.module(images)
    x = model.transform.normalize(images.to(model.device, non_blocking=True))
    if not model.channels_last:
        x = x.contiguous()
    with torch.inference_mode():
        if model.compiled:  # the weights are in the model's precision already
            out = model.module(x.to(torch_dtype(model.precision)))
        else:
            with _autocast(model):
                out = model.module(x)
    return out.float()


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
