"""Robust loading of one image file as an RGB PIL image.

Every failure becomes a short one-line reason ("zero-byte file", "truncated JPEG", "not an image",
"decompression bomb (123456789 px)", ...) returned next to the image; no exception escapes, so one
bad file never stops a run over a dataset.

How pixels become RGB:
- EXIF orientation is applied, so the image is upright as a viewer shows it.
- Transparency (RGBA, LA, PA, P or L/RGB with a transparent colour) is composited on a WHITE
  background, as most viewers and documents show a transparent image; what lies under fully
  transparent pixels (often black or junk left by the encoder) is never seen.
- 16-bit images (I;16*) are scaled by 255/65535, so their full range maps to 0-255 rather than
  clipping at 255. 32-bit integer images (I) holding values in 0-65535 are treated the same way,
  other ranges are stretched from their min to their max. Float images (F) in [0, 1] are scaled by
  255, other ranges stretched.
- Bilevel (1), CMYK, YCbCr and the rest go through Pillow's conversion; animated or multi-page
  files give their first frame.
- Images with more than `max_pixels` pixels are refused before decoding (decompression bombs).
"""

from __future__ import annotations

import os
import re
import warnings
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .. import defaults

# Pillow refuses images above 2 x Image.MAX_IMAGE_PIXELS (~179 MP) itself; we refuse at the same
# size but explicitly, with an error instead of its warning between 89 and 179 MP.
DEFAULT_MAX_PIXELS = defaults.MAX_PIXELS
WHITE = (255, 255, 255)

_ALPHA_MODES = {"RGBA", "RGBa", "LA", "La", "PA"}
_MAGIC = (  # leading bytes -> format, to name the format of a file Pillow cannot identify
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"RIFF", "WEBP"),
)

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"}
_UNSUPPORTED = {"HEIC": " (pip install pillow-heif)", "SVG": " (vector drawing)"}


class LoadedImage(NamedTuple):
    """`image` (RGB) when loading worked, else None and `error`, a one-line reason."""

    image: Image.Image | None
    error: str | None


def load_image(
    path: str | os.PathLike,
    *,
    min_size: int | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    background: tuple[int, int, int] = WHITE,
) -> LoadedImage:
    """Load `path` as an upright RGB image.

    min_size: when given, a JPEG may be decoded at 1/2, 1/4 or 1/8 scale (DCT scaling, much
        faster) as long as its shorter side stays >= min_size pixels.
    max_pixels: images with more pixels (width x height) are refused as decompression bombs.
    background: RGB colour that transparent pixels are composited on.
    """
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        return LoadedImage(None, "file not found")
    except PermissionError:
        return LoadedImage(None, "permission denied")
    except OSError as e:  # e.g. a symlink loop; the reason without the path, which is known
        return LoadedImage(None, (e.strerror or one_line(e)).lower())
    if os.path.isdir(path):
        return LoadedImage(None, "is a directory")
    if size == 0:
        return LoadedImage(None, "zero-byte file")

    fmt = None
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; we check ourselves.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(path)
        with im:
            fmt = im.format
            pixels = im.size[0] * im.size[1]
            if pixels > max_pixels:
                return LoadedImage(None, f"decompression bomb ({pixels} px)")
            if min_size and fmt == "JPEG":
                im.draft(None, _draft_size(im.size, min_size))
            im.load()
            _exif_transpose(im)
            rgb = to_rgb(im, background)
            # Leaving the `with` closes `im` and frees its pixels: hand back a copy if unchanged.
            return LoadedImage(rgb.copy() if rgb is im else rgb, None)
    except Image.DecompressionBombError as e:
        found = re.search(r"\((\d+) pixels\)", str(e))
        return LoadedImage(None, f"decompression bomb ({found.group(1) if found else '?'} px)")
    except UnidentifiedImageError:
        fmt = _sniff_format(path)
        if fmt in _UNSUPPORTED:
            return LoadedImage(None, f"unsupported format {fmt}{_UNSUPPORTED[fmt]}")
        return LoadedImage(None, f"corrupt {fmt} (unreadable header)" if fmt else "not an image")
    except PermissionError:
        return LoadedImage(None, "permission denied")
    except MemoryError:
        return LoadedImage(None, "out of memory while decoding")
    except Exception as e:  # noqa: BLE001 - any decoder failure is a property of the file
        fmt = fmt or _sniff_format(path) or "image"
        if "truncated" in str(e).lower():
            return LoadedImage(None, f"truncated {fmt}")
        return LoadedImage(None, f"corrupt {fmt}: {one_line(e)}")


def to_rgb(im: Image.Image, background: tuple[int, int, int] = WHITE) -> Image.Image:
    """Convert any Pillow mode to RGB (see the module docstring for the rules)."""
    if im.mode == "RGB" and "transparency" not in im.info:
        return im
    if im.mode.startswith("I") or im.mode == "F":
        im = _high_depth_to_l(im)
    if im.mode in _ALPHA_MODES or "transparency" in im.info:
        rgba = im.convert("RGBA")
        out = Image.new("RGB", im.size, background)
        out.paste(rgba, mask=rgba.getchannel("A"))
        return out
    return im.convert("RGB")


def _high_depth_to_l(im: Image.Image) -> Image.Image:
    """16-bit, 32-bit integer or float grayscale -> 8-bit L without clipping."""
    a = np.asarray(im).astype(np.float64)
    a = np.nan_to_num(a, nan=0.0, posinf=0.0, neginf=0.0)
    lo, hi = (float(a.min()), float(a.max())) if a.size else (0.0, 0.0)
    if im.mode.startswith("I;16") or (im.mode == "I" and lo >= 0 and hi <= 65535):
        a = a * (255.0 / 65535.0)
    elif im.mode == "F" and lo >= 0 and hi <= 1:
        a = a * 255.0
    else:
        a = (a - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(a)
    return Image.fromarray(np.clip(np.rint(a), 0, 255).astype(np.uint8), "L")


def _draft_size(size: tuple[int, int], min_size: int) -> tuple[int, int]:
    """Smallest (w, h) with the same aspect whose shorter side is min_size: draft() keeps both
    sides at least this large."""
    w, h = size
    scale = min_size / min(w, h)
    return max(1, int(w * scale)), max(1, int(h * scale))


def _exif_transpose(im: Image.Image) -> None:
    try:
        ImageOps.exif_transpose(im, in_place=True)
    except Exception:  # noqa: BLE001 - a broken EXIF block leaves the pixels as stored
        pass


def _sniff_format(path: str | os.PathLike) -> str | None:
    try:
        with open(path, "rb") as f:
            head = f.read(12)
    except OSError:
        return None
    for magic, name in _MAGIC:
        if head.startswith(magic) and (name != "WEBP" or head[8:12] == b"WEBP"):
            return name
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "HEIC"
    if head.lstrip().startswith((b"<svg", b"<?xml")):
        return "SVG"
    return None


def one_line(e: BaseException, limit: int = 120) -> str:
    """An exception as one line of at most `limit` characters, for error reasons."""
    text = " ".join(str(e).split()) or type(e).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."
