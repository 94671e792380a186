"""Small real images for the content model's tests: crops of scikit-image photos, junk renders
(noise, blank frames, stripes) as broken synthetic output, and folders of digits drawn in a
frame (a fixed layout)."""

from __future__ import annotations

import os

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


def digit_folders(root) -> tuple[str, str]:
    """Folders ``root``/real and ``root``/synthetic of 80 of scikit-learn's handwritten digits
    each (64 x 64 PNGs, dark ink on paper); the synthetic ones with a renderer's warm cast."""
    from sklearn.datasets import load_digits

    digits = load_digits().images
    out = []
    for name, images, tint in (("real", digits[:80], False), ("synthetic", digits[80:160], True)):
        folder = os.path.join(root, name)
        os.makedirs(folder)
        for i, digit in enumerate(images):
            grey = np.pad(255 - digit * 255 / 16, 2).astype(np.uint8)
            rgb = np.repeat(grey[..., None], 3, axis=2).astype(np.float64)
            if tint:
                rgb = np.clip(rgb * (1.0, 0.9, 0.75) + (10, 0, 0), 0, 255)
            Image.fromarray(rgb.astype(np.uint8)).resize((64, 64), Image.BICUBIC).save(
                os.path.join(folder, f"{i:03d}.png")
            )
        out.append(folder)
    return out[0], out[1]
