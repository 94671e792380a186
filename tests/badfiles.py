"""One "bad folder": every kind of awkward file a real image folder holds, with what should happen.

``make_bad_folder(root)`` writes the files and returns a manifest ``{path: expected}`` where
``expected`` is None for a file that must be analyzed like any other image (odd modes, EXIF
rotation, 1x1, unicode names, symlinks, duplicates) or a substring of the ``load_error`` reason it
must be reported with (zero-byte, truncated, not an image, decompression bomb, symlink loop...).
Paths are as ``synthgap analyze`` lists them (absolute, symlinks not resolved).

The decompression bomb is an ordinary picture of ``BOMB_SIDE`` x ``BOMB_SIDE`` pixels: run the
analysis with ``--max-pixels MAX_PIXELS`` (below its size, above every other image's) to refuse it.

Used by tests/robustness and bench/stress.py.
"""

from __future__ import annotations

import io
import os

import numpy as np
from PIL import Image

#: The pixel limit to analyze the bad folder with: the bomb exceeds it, nothing else does.
MAX_PIXELS = 100_000
BOMB_SIDE = 400
SIZE = 64


def _photo(seed: int) -> Image.Image:
    """A 64 px crop of a scikit-image photo (real content, so embeddings are meaningful)."""
    import skimage.data

    names = ("astronaut", "rocket", "coffee", "chelsea", "immunohistochemistry")
    array = np.asarray(getattr(skimage.data, names[seed % len(names)])())
    h, w = array.shape[:2]
    y, x = (seed * 37) % (h - 200), (seed * 53) % (w - 200)
    return Image.fromarray(array[y : y + 200, x : x + 200]).convert("RGB").resize((SIZE, SIZE))


def _png_bytes(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def _jpeg_bytes(image: Image.Image, **kwargs) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=90, **kwargs)
    return buf.getvalue()


def make_bad_folder(root: str) -> dict[str, str | None]:
    """Write the bad folder under ``root`` (created); returns ``{absolute path: expected}``."""
    os.makedirs(root, exist_ok=True)
    root = os.path.abspath(root)
    expected: dict[str, str | None] = {}

    def write(name: str, data: bytes, reason: str | None) -> str:
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        expected[path] = reason
        return path

    def link(name: str, target: str, reason: str | None) -> None:
        path = os.path.join(root, name)
        os.symlink(target, path)
        expected[path] = reason

    # Unreadable: each must be reported with its reason and skipped.
    write("zero-byte.jpg", b"", "zero-byte file")
    jpeg = _jpeg_bytes(_photo(1))
    write("truncated.jpg", jpeg[: len(jpeg) // 2], "truncated JPEG")
    png = _png_bytes(_photo(2))
    write("truncated.png", png[: len(png) // 2], "truncated PNG")
    write("notes.jpg", b"these are my notes, not a picture\n" * 20, "not an image")
    write("script.png", b"#!/bin/sh\necho hello\n", "not an image")
    write("broken-header.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "corrupt PNG")
    write("phone.jpg", b"\x00\x00\x00\x18ftypheic" + b"\x00" * 200, "unsupported format HEIC")
    side = np.linspace(0, 255, BOMB_SIDE, dtype=np.uint8)
    bomb = Image.fromarray(np.stack([np.add.outer(side, side) // 2] * 3, axis=-1).astype(np.uint8))
    write("huge.png", _png_bytes(bomb), "decompression bomb")
    link("dangling.png", os.path.join(root, "gone.png"), "file not found")
    link("loop.jpg", os.path.join(root, "loop.jpg"), "symbolic links")

    # Readable, however odd: each must be analyzed like any other image.
    photo = _photo(3)
    write("gray.png", _png_bytes(photo.convert("L")), None)
    sixteen = (np.asarray(photo.convert("L"), dtype=np.uint16) * 257).astype(np.uint16)
    write("sixteen-bit.png", _png_bytes(Image.fromarray(sixteen)), None)
    palette = photo.convert("P", palette=Image.ADAPTIVE, colors=16)
    palette.info["transparency"] = 0
    write("palette.png", _png_bytes(palette), None)
    write("cmyk.jpg", _jpeg_bytes(_photo(4).convert("CMYK")), None)
    rgba = _photo(5).convert("RGBA")
    rgba.putalpha(Image.linear_gradient("L").resize((SIZE, SIZE)))
    write("rgba.png", _png_bytes(rgba), None)
    write("bilevel.png", _png_bytes(_photo(6).convert("1")), None)
    write("one-pixel.png", _png_bytes(Image.new("RGB", (1, 1), (200, 30, 30))), None)
    buf = io.BytesIO()
    frames = [_photo(7), _photo(8), _photo(9)]
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    write("animated.gif", buf.getvalue(), None)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to display
    write("exif-rotated.jpg", _jpeg_bytes(_photo(10).resize((SIZE, SIZE // 2)), exif=exif), None)
    write("sub dir/ünïcødé phötö 写真.png", _png_bytes(_photo(11)), None)
    target = write("original.png", _png_bytes(_photo(12)), None)
    link("link-to-original.png", target, None)
    duplicate = _png_bytes(_photo(13))
    write("duplicate-a.png", duplicate, None)
    write("duplicate-b.png", duplicate, None)

    # Not images at all: never become samples.
    os.makedirs(os.path.join(root, "folder.png"), exist_ok=True)
    with open(os.path.join(root, "readme.txt"), "w") as f:
        f.write("not listed: no image extension\n")
    os.symlink(root, os.path.join(root, "folder-loop"), target_is_directory=True)
    return expected


def readable(manifest: dict[str, str | None]) -> list[str]:
    """The paths of the manifest that must be analyzed."""
    return sorted(p for p, reason in manifest.items() if reason is None)


def unreadable(manifest: dict[str, str | None]) -> dict[str, str]:
    """{path: expected reason} of the files that must be reported and skipped."""
    return {p: reason for p, reason in manifest.items() if reason is not None}
