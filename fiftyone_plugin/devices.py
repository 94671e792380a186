"""Torch device names checked once for the whole package: the embedding models (which may run on
Apple's Metal) and the analysis core (CPU or CUDA) resolve theirs here. Imports torch on first
call only."""

from __future__ import annotations


def resolve_device(device: str = "auto", allow_mps: bool = True) -> str:
    """Resolve "auto" to "cuda" if available, else "mps" (when allowed and available), else
    "cpu"; check an explicit "cpu", "cuda", "cuda:N" or "mps". Raises ValueError for other
    names, RuntimeError for a device that is not available here."""
    import torch

    mps = getattr(torch.backends, "mps", None)
    mps_ok = allow_mps and bool(mps and mps.is_available())
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "mps" if mps_ok else "cpu"
    kind, _, index = str(device).partition(":")
    if kind == "cpu" and not index:
        return "cpu"
    if kind == "cuda" and (not index or index.isdigit()):
        if not torch.cuda.is_available():
            why = "no usable GPU or driver" if torch.version.cuda else "a CPU-only build"
            raise RuntimeError(
                f"device={device!r} was requested but CUDA is not available (torch "
                f"{torch.__version__}: {why}). Pass device='auto' or 'cpu'."
            )
        if index and int(index) >= torch.cuda.device_count():
            raise RuntimeError(
                f"device={device!r} was requested but only {torch.cuda.device_count()} CUDA "
                "device(s) are visible (CUDA_VISIBLE_DEVICES)."
            )
        return str(device)
    if kind == "mps" and not index and allow_mps:
        if not mps_ok:
            raise RuntimeError(
                "device='mps' was requested but Metal (MPS) is not available here. "
                "Pass device='auto' or 'cpu'."
            )
        return "mps"
    choices = "'auto', 'cpu', 'cuda', 'cuda:N'" + (" or 'mps'" if allow_mps else "")
    raise ValueError(f"Unknown device {device!r}: use {choices}.")
