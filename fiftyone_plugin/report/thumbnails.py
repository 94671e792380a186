"""Small JPEG thumbnails as data URIs, with a grey placeholder for missing or unreadable files."""

from __future__ import annotations

import base64
import io
import os

from PIL import Image, ImageDraw, ImageFont, ImageOps

#: Longest side of a thumbnail, in pixels.
THUMB_SIZE = 96
JPEG_QUALITY = 80


def _data_uri(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def placeholder(label: str, size: int = THUMB_SIZE) -> str:
    """Data URI of a grey square saying ``label`` (e.g. "missing")."""
    image = Image.new("RGB", (size, size), (205, 205, 205))
    draw = ImageDraw.Draw(image)
    try:
        font = ImageFont.load_default(size=max(10, size // 7))
    except TypeError:  # Pillow without FreeType: fixed-size bitmap font
        font = ImageFont.load_default()
    left, top, right, bottom = draw.textbbox((0, 0), label, font=font)
    xy = ((size - (right - left)) / 2 - left, (size - (bottom - top)) / 2 - top)
    draw.text(xy, label, fill=(90, 90, 90), font=font)
    return _data_uri(image)


#: Context shown around an object's box in its thumbnail, as a share of the box on each side.
BOX_MARGIN = 0.1


def thumbnail(path: str, size: int = THUMB_SIZE, box=None) -> str:
    """Data URI of a JPEG thumbnail of image ``path`` (longest side ``size`` px, EXIF-rotated),
    or of the object of relative ``box`` ([x, y, w, h]) in it with a little context; a
    placeholder saying "missing" or "unreadable" when the file cannot be used."""
    if not path or not os.path.isfile(path):
        return placeholder("missing", size)
    try:
        with Image.open(path) as image:
            if box is None:  # JPEG: decode at reduced scale, much faster
                image.draft("RGB", (2 * size, 2 * size))
            image = ImageOps.exif_transpose(image)
            if box is not None:
                image = image.crop(_box_pixels(box, *image.size))
            if image.mode in ("RGBA", "LA", "P"):
                image = image.convert("RGBA")
                background = Image.new("RGBA", image.size, (255, 255, 255, 255))
                image = Image.alpha_composite(background, image)
            image = image.convert("RGB")
            image.thumbnail((size, size))
            return _data_uri(image)
    except Exception:  # noqa: BLE001 - any decoding error means "cannot show it"
        return placeholder("unreadable", size)


def _box_pixels(box, width: int, height: int) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) pixels of relative ``box`` with BOX_MARGIN around it."""
    x, y, w, h = (float(v) for v in box)
    left, top = (x - BOX_MARGIN * w) * width, (y - BOX_MARGIN * h) * height
    right, bottom = (x + (1 + BOX_MARGIN) * w) * width, (y + (1 + BOX_MARGIN) * h) * height
    left, top = max(0, int(left)), max(0, int(top))
    return (
        left,
        top,
        max(left + 1, min(width, round(right))),
        max(top + 1, min(height, round(bottom))),
    )


class ThumbnailCache:
    """Thumbnails by path (and object box), made once per report (a file may appear in several
    galleries)."""

    def __init__(self, size: int = THUMB_SIZE):
        self.size = size
        self._uris: dict[tuple, str] = {}

    def __call__(self, path: str, box=None) -> str:
        key = (path, None if box is None else tuple(float(v) for v in box))
        if key not in self._uris:
            self._uris[key] = thumbnail(path, self.size, box)
        return self._uris[key]
