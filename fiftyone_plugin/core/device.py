"""Where the core's torch kernels run, and how much memory one block of their work may take.

The heavy kernels of the core (nearest neighbours, k-means, optimal transport, FID / KID) are
written once in torch and run on the CPU or on a CUDA GPU. :func:`analyze_embeddings` picks the
device once (``AnalysisConfig.device``) and runs the whole analysis inside :func:`use`; a kernel
reads :func:`current` unless it is given a device explicitly. Inputs and outputs stay numpy
arrays on the host; only the kernels' working data lives on the device.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

import torch

from ..devices import resolve_device

#: Device choices of the core: "auto" (CUDA when available, else the CPU), "cpu", "cuda[:N]".
DEVICES = ("auto", "cpu", "cuda")
#: Bytes of intermediate results (a distance tile, a kernel block) one step may hold on the CPU.
CPU_BLOCK_BYTES = 256 * 2**20
#: ... and at most this share of a GPU's free memory (capped at GPU_BLOCK_BYTES).
GPU_BLOCK_SHARE = 0.25
GPU_BLOCK_BYTES = 4 * 2**30

_current: ContextVar[torch.device | None] = ContextVar("synthgap_core_device", default=None)


def resolve(device: str | torch.device = "auto") -> torch.device:
    """ "auto" -> the first CUDA device when one is usable, else the CPU; "cpu", "cuda" and
    "cuda:N" are checked (see devices.resolve_device: the core has no Metal kernels)."""
    return torch.device(resolve_device(str(device), allow_mps=False))


@contextlib.contextmanager
def use(device: str | torch.device) -> Iterator[torch.device]:
    """Run the core's kernels on ``device`` (resolved) inside the ``with`` block."""
    token = _current.set(resolve(device))
    try:
        yield current()
    finally:
        _current.reset(token)


def current(device: str | torch.device | None = None) -> torch.device:
    """``device`` resolved when given, else the device of the enclosing :func:`use` (the CPU
    outside any)."""
    if device is not None:
        return resolve(device)
    return _current.get() or torch.device("cpu")


def block_bytes(device: torch.device) -> int:
    """Bytes one block of intermediate results may take on ``device``."""
    if device.type != "cuda":
        return CPU_BLOCK_BYTES
    free, _ = torch.cuda.mem_get_info(device)
    return int(min(GPU_BLOCK_BYTES, GPU_BLOCK_SHARE * free))


def to_device(x, device: torch.device, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """A host array (or tensor) as a contiguous ``dtype`` tensor on ``device``."""
    if not isinstance(x, torch.Tensor):
        import numpy as np

        x = torch.from_numpy(np.ascontiguousarray(x))
    return x.to(device=device, dtype=dtype).contiguous()
