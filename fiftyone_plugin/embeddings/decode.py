"""Image files -> batches of a model's input pixels: (indices, (N, crop, crop, 3) uint8, failures).

Three decoders, one contract. Each yields, per batch of paths, the indices of the decoded images,
their prepared pixels stacked in that order (None when none decoded) and ``(index, reason)`` for
every file that could not be read; a bad file is a reason, never an exception.

* :func:`between_batches`: Pillow in threads, while the network waits (a CPU model: decoding and
  the forward pass share the same cores, and taking turns beats competing).
* :func:`worker_processes`: Pillow in DataLoader worker processes, while the network runs (an
  accelerator with a CPU decoder).
* :func:`on_device`: JPEG files decoded in batches on the model's device by torchvision (nvJPEG on
  CUDA), cropped and resized there; a thread reads the files and decodes the next batch while
  the network runs. Other formats, and every file torchvision cannot take (progressive or
  lossless JPEG it refuses, CMYK, a truncated or oversized file), go to Pillow, file by file, so
  reasons and pixels follow the Pillow decoders' rules.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import torch
from torch.utils.data import DataLoader, Dataset

from .images import load_image, one_line
from .transform import ImageTransform

# torchvision 0.29 deprecates its image decoders in favour of TorchCodec (not yet a dependency
# here); the decoder used below is the one the pinned torchvision ships.
warnings.filterwarnings(
    "ignore", "The image decoding and encoding capabilities", DeprecationWarning, "torchvision"
)

#: One batch: (indices of the decoded images, their pixels or None, [(index, reason)]).
Batch = tuple[list[int], "torch.Tensor | None", list[tuple[int, str]]]


class ImageFiles(Dataset):
    """Item i -> (i, (crop, crop, 3) uint8 tensor, None) or (i, None, reason), by Pillow."""

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


def collate(items) -> Batch:
    """[(index, pixels or None, reason or None)] -> one Batch."""
    indices = [i for i, x, _ in items if x is not None]
    images = torch.stack([x for _, x, _ in items if x is not None]) if indices else None
    failures = [(i, reason) for i, x, reason in items if x is None]
    return indices, images, failures


def between_batches(
    files: Dataset, batch_size: int, threads: int, collate=collate
) -> Iterator[Batch]:
    """Batches decoded by ``threads`` Pillow threads while the caller waits (0: in this thread).
    Pillow and torch release the GIL, so threads decode in parallel. ``files``: ImageFiles, or
    any dataset whose items ``collate`` turns into a Batch (``batch_size`` items each)."""
    with ThreadPoolExecutor(max(1, threads)) as pool:  # starts no thread until used
        decode = pool.map if threads else map
        for start in range(0, len(files), batch_size):
            stop = min(start + batch_size, len(files))
            yield collate(list(decode(files.__getitem__, range(start, stop))))


def worker_processes(
    files: Dataset, batch_size: int, workers: int, pin_memory: bool, collate=collate
) -> Iterator[Batch]:
    """Batches decoded by ``workers`` DataLoader processes, ahead of the caller (``files`` and
    ``collate`` as in :func:`between_batches`)."""
    return iter(
        DataLoader(
            files,
            batch_size=batch_size,
            shuffle=False,
            num_workers=workers,
            collate_fn=collate,
            pin_memory=pin_memory,
            prefetch_factor=4 if workers else None,
        )
    )


# ---------------------------------------------------------------------------------------------
# JPEG decoding on the device

#: JPEG frame types torchvision decodes on CUDA (baseline, extended, progressive Huffman).
_DEVICE_FRAMES = {0xC0, 0xC1, 0xC2}


def jpeg_header(data: bytes) -> tuple[int, int, int, int, int] | None:
    """(height, width, components, frame marker, EXIF orientation 1-8) read from a JPEG's
    markers, or None when ``data`` is no JPEG or its markers cannot be followed."""
    if data[:2] != b"\xff\xd8":
        return None
    i, n, orientation = 2, len(data), 1
    while i + 4 <= n:
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
            i += 2
            continue
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if length < 2:
            return None
        if marker == 0xE1 and data[i + 4 : i + 10] == b"Exif\x00\x00":
            orientation = _exif_orientation(data[i + 10 : i + 2 + length])
        elif 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # start of frame
            if i + 10 > n:
                return None
            height = int.from_bytes(data[i + 5 : i + 7], "big")
            width = int.from_bytes(data[i + 7 : i + 9], "big")
            return height, width, data[i + 9], marker, orientation
        i += 2 + length
    return None


def _exif_orientation(tiff: bytes) -> int:
    """The Orientation tag (0x0112) of IFD0 in an EXIF TIFF block; 1 when absent or unreadable."""
    order = {b"II": "little", b"MM": "big"}.get(tiff[:2])
    if order is None or len(tiff) < 8:
        return 1
    ifd = int.from_bytes(tiff[4:8], order)
    if ifd + 2 > len(tiff):
        return 1
    for e in range(ifd + 2, ifd + 2 + 12 * int.from_bytes(tiff[ifd : ifd + 2], order), 12):
        if e + 12 > len(tiff):
            break
        if int.from_bytes(tiff[e : e + 2], order) == 0x0112:
            value = int.from_bytes(tiff[e + 8 : e + 10], order)
            return value if 1 <= value <= 8 else 1
    return 1


def orient(pixels: torch.Tensor, orientation: int) -> torch.Tensor:
    """(C, H, W) pixels turned upright by an EXIF orientation (as PIL's exif_transpose)."""
    if orientation == 2:
        return pixels.flip(-1)
    if orientation == 3:
        return pixels.flip(-1, -2)
    if orientation == 4:
        return pixels.flip(-2)
    if orientation == 5:
        return pixels.transpose(-1, -2)
    if orientation == 6:
        return pixels.rot90(-1, (-2, -1))
    if orientation == 7:
        return pixels.transpose(-1, -2).flip(-1, -2)
    if orientation == 8:
        return pixels.rot90(1, (-2, -1))
    return pixels


def _read_for_device(path: str, max_pixels: int) -> tuple[torch.Tensor, int] | None:
    """(file bytes as a uint8 tensor, EXIF orientation) for a JPEG the device decoder takes;
    None sends the file to Pillow (any other format, any doubt, and every error: Pillow then
    names the reason)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    header = jpeg_header(data)
    if header is None:
        return None
    height, width, components, frame, orientation = header
    if (
        frame not in _DEVICE_FRAMES
        or components not in (1, 3)
        or not 0 < height * width <= max_pixels
        or not data.rstrip(b"\x00").endswith(b"\xff\xd9")  # truncated: Pillow says so
    ):
        return None
    return torch.frombuffer(bytearray(data), dtype=torch.uint8), orientation


def _decode_jpegs(data: list[torch.Tensor], device: torch.device) -> list[torch.Tensor | None]:
    """Decode JPEG bytes to (3, H, W) uint8 RGB on ``device``: all at once, else one by one, so
    that one file torchvision refuses does not fail the others (None for those)."""
    from torchvision.io import ImageReadMode, decode_jpeg

    try:
        return list(decode_jpeg(data, mode=ImageReadMode.RGB, device=device))
    except RuntimeError:
        out: list[torch.Tensor | None] = []
        for one in data:
            try:
                out.append(decode_jpeg(one, mode=ImageReadMode.RGB, device=device))
            except RuntimeError:
                out.append(None)
        return out


def on_device(
    files: ImageFiles, batch_size: int, threads: int, device: str | torch.device
) -> Iterator[Batch]:
    """Batches whose JPEGs are decoded and prepared on ``device`` (the pixels are returned
    there), read and decoded one batch ahead by a background thread; ``threads`` read files and
    run the Pillow fallback."""
    device = torch.device(device)
    cuda = device.type == "cuda"
    stream = torch.cuda.Stream(device) if cuda else None
    ready: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()

    def produce() -> None:
        try:
            with ThreadPoolExecutor(max(1, threads)) as pool:
                for start in range(0, len(files), batch_size):
                    if stop.is_set():
                        return
                    batch = _device_batch(files, range(start, min(start + batch_size, len(files))),
                                          pool, device, stream)  # fmt: skip
                    event = None
                    if cuda:
                        event = torch.cuda.Event()
                        event.record(stream)
                    ready.put((batch, event))
            ready.put(None)
        except BaseException as e:  # noqa: BLE001 - handed to the consumer, raised there
            ready.put(e)

    producer = threading.Thread(target=produce, name="synthgap-decode", daemon=True)
    producer.start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            (indices, images, failures), event = item
            if event is not None:
                current = torch.cuda.current_stream(device)
                current.wait_event(event)
                if images is not None:
                    images.record_stream(current)
            yield indices, images, failures
    finally:
        stop.set()
        while producer.is_alive():  # unblock a producer waiting on a full queue
            try:
                ready.get(timeout=0.1)
            except queue.Empty:
                pass
        producer.join()


def _device_batch(files: ImageFiles, rows: range, pool, device, stream) -> Batch:
    """Read ``rows`` (threads), decode the JPEGs on ``device`` and the rest with Pillow."""
    read = list(pool.map(lambda i: _read_for_device(files.paths[i], files.max_pixels), rows))
    jpegs = [(i, r) for i, r in zip(rows, read, strict=True) if r is not None]
    context = torch.cuda.stream(stream) if stream is not None else contextlib.nullcontext()
    prepared: dict[int, torch.Tensor] = {}
    to_pillow = [i for i, r in zip(rows, read, strict=True) if r is None]
    with context:
        if jpegs:
            decoded = _decode_jpegs([data for _, (data, _) in jpegs], device)
            upright = {
                i: orient(pixels, orientation)
                for (i, (_, orientation)), pixels in zip(jpegs, decoded, strict=True)
                if pixels is not None
            }
            to_pillow += [i for i, _ in jpegs if i not in upright]
            if upright:
                batch = files.transform.prepare_tensors(list(upright.values()))
                prepared.update(zip(upright, batch, strict=True))
        items = list(pool.map(files.__getitem__, to_pillow))
        failures = sorted((i, reason) for i, x, reason in items if x is None)
        for i, x, _ in items:
            if x is not None:
                prepared[i] = x.to(device, non_blocking=True)
        indices = sorted(prepared)
        images = torch.stack([prepared[i] for i in indices]) if indices else None
    return indices, images, failures


def pillow_or_device(model_device: str) -> str:
    """The decoder "auto" picks for a model on ``model_device``: "device" on CUDA when
    torchvision has its CUDA JPEG decoder, else "pillow"."""
    if not str(model_device).startswith("cuda"):
        return "pillow"
    import torchvision.io  # noqa: F401 - registers torchvision's image operators

    try:
        return "device" if hasattr(torch.ops.image, "decode_jpegs_cuda") else "pillow"
    except (AttributeError, RuntimeError):
        return "pillow"
