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
    "cuda:N" are checked. Raises ValueError for other names, RuntimeError when CUDA is asked for
    and unavailable."""
    if isinstance(device, torch.device):
        device = str(device)
    kind, _, index = str(device).partition(":")
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cpu":
        return torch.device("cpu")
    if kind == "cuda" and (not index or index.isdigit()):
        if not torch.cuda.is_available():
            raise RuntimeError(
                f"device={device!r} was requested for the analysis but CUDA is not available "
                f"(torch {torch.__version__}). Pass device='auto' or 'cpu'."
            )
        if index and int(index) >= torch.cuda.device_count():
            raise RuntimeError(
                f"device={device!r} was requested but only {torch.cuda.device_count()} CUDA "
                "device(s) are visible."
            )
        return torch.device(device)
    raise ValueError(f"Unknown analysis device {device!r}: use 'auto', 'cpu', 'cuda' or 'cuda:N'.")


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
