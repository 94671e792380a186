"""Small real images for the content model's tests: crops of scikit-image photos, and junk
renders (noise, blank frames, stripes) as broken synthetic output."""

from __future__ import annotations

import numpy as np
from PIL import Image
from skimage import data

PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "brick", "grass")


def crops(rng: np.random.Generator, per_photo: int, size: int = 48) -> list[np.ndarray]:
    """per_photo random square crops (30-60% of the shorter side) of each of PHOTOS."""
    out = []
    for name in PHOTOS:
        photo = getattr(data, name)()
        photo = np.repeat(photo[..., None], 3, axis=2) if photo.ndim == 2 else photo[..., :3]
        h, w = photo.shape[:2]
        for _ in range(per_photo):
            s = int(rng.uniform(0.3, 0.6) * min(h, w))
            y, x = rng.integers(0, h - s + 1), rng.integers(0, w - s + 1)
            crop = Image.fromarray(photo[y : y + s, x : x + s]).resize((size, size))
            out.append(np.asarray(crop))
    return out


def junk(rng: np.random.Generator, n: int, size: int = 48) -> list[np.ndarray]:
    """Pure noise, blank frames of one colour, magenta / black stripes."""
    out = []
    for i in range(n):
        if i % 3 == 0:
            a = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
        elif i % 3 == 1:
            a = np.full((size, size, 3), rng.integers(0, 256, 3), np.uint8)
        else:
            a = np.zeros((size, size, 3), np.uint8)
            a[..., 0] = a[..., 2] = 255
            a[np.arange(size) // 6 % 2 == 0] = 0
        out.append(a)
    return out
