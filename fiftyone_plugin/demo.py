"""Bundled demo data: real photo crops vs rendered-looking synthetic crops with known gaps.

Real side: random crops of photos that ship with scikit-image. Synthetic side: other crops of the
same photos pushed through a "renderer" style (posterized colors, tint, sensor noise, blur), with
all crops of two photos left out (the cat and the coffee cup) and a few junk renders (blank,
noise, broken) added. A working analysis flags the real cat and coffee crops as uncovered and
ranks the broken renders least realistic, despite the style shift on every synthetic image.

``build_labeled_demo`` writes the same kind of crops as class folders (class = photo), each class
upright and turned a quarter turn, with known class-level gaps: one class withheld, one five
times rarer, and one whose synthetic images are never turned.
"""

from __future__ import annotations

import json
import os

import numpy as np
from PIL import Image, ImageFilter, ImageOps

from .progress import Progress, report

#: Photos used as content classes (skimage.data names).
PHOTOS = (
    "astronaut", "chelsea", "coffee", "rocket", "camera", "coins", "moon", "hubble_deep_field",
    "immunohistochemistry", "retina", "brick", "grass", "gravel", "clock", "page", "cell",
)  # fmt: skip
#: Photos with no synthetic counterpart: the content the tool should find missing.
MISSING = ("chelsea", "coffee")
JUNK_KINDS = ("blank", "noise", "broken")


def _photo(name: str) -> Image.Image:
    import skimage.data

    return Image.fromarray(np.asarray(getattr(skimage.data, name)())).convert("RGB")


def random_crop(photo: Image.Image, rng: np.random.Generator, size: int) -> Image.Image:
    """A square crop covering 25-60% of the photo's shorter side, flipped at random, resized."""
    w, h = photo.size
    side = int(min(w, h) * rng.uniform(0.25, 0.6))
    x, y = int(rng.integers(0, w - side + 1)), int(rng.integers(0, h - side + 1))
    crop = photo.crop((x, y, x + side, y + side)).resize((size, size), Image.BICUBIC)
    return ImageOps.mirror(crop) if rng.random() < 0.5 else crop


def render_style(
    image: Image.Image, rng: np.random.Generator, strength: float = 1.0
) -> Image.Image:
    """A global "synthetic renderer" look: posterized colors, a warm tint, blur, sensor noise."""
    styled = ImageOps.posterize(image, 4).filter(ImageFilter.GaussianBlur(0.8 * strength))
    pixels = np.asarray(styled, dtype=np.float32)
    pixels = pixels * (1 + 0.15 * strength * np.array([1.0, 0.2, -0.6])) + 10 * strength
    pixels += rng.normal(0, 8 * strength, pixels.shape)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def junk_image(kind: str, rng: np.random.Generator, size: int, base: Image.Image) -> Image.Image:
    """A broken synthetic render: a blank frame, pure noise, or a half-black glitched image."""
    if kind == "blank":
        return Image.new("RGB", (size, size), tuple(int(c) for c in rng.integers(0, 256, 3)))
    if kind == "noise":
        return Image.fromarray(rng.integers(0, 256, (size, size, 3), dtype=np.uint8))
    pixels = np.asarray(base).copy()
    pixels[size // 3 :] = 0
    pixels[:, ::7] = 255
    return Image.fromarray(pixels)


def build_demo(
    root: str,
    per_photo: int = 30,
    size: int = 128,
    n_junk: int = 12,
    seed: int = 0,
    progress: Progress | None = None,
) -> dict:
    """Write ``root/real`` and ``root/synthetic`` PNG folders and ``root/truth.json``; returns the truth.

    Rebuilding with the same arguments writes identical files (so reruns add no samples).
    ``progress`` is told of each photo cropped.
    """
    rng = np.random.default_rng(seed)
    dirs = {side: os.path.join(root, side) for side in ("real", "synthetic")}
    for d in dirs.values():
        os.makedirs(d, exist_ok=True)
    for done, name in enumerate(PHOTOS):
        report(progress, done / len(PHOTOS), f"demo: cropping {name} ({done + 1}/{len(PHOTOS)})")
        photo = _photo(name)
        for i in range(per_photo):
            random_crop(photo, rng, size).save(os.path.join(dirs["real"], f"{name}_{i:03d}.png"))
            synthetic = render_style(random_crop(photo, rng, size), rng)
            if name not in MISSING:
                synthetic.save(os.path.join(dirs["synthetic"], f"{name}_{i:03d}.png"))
    base = random_crop(_photo("astronaut"), rng, size)
    for i in range(n_junk):
        kind = JUNK_KINDS[i % len(JUNK_KINDS)]
        junk_image(kind, rng, size, base).save(
            os.path.join(dirs["synthetic"], f"junk-{kind}_{i:03d}.png")
        )
    truth = {
        "real": dirs["real"],
        "synthetic": dirs["synthetic"],
        "missing_content": list(MISSING),
        "junk_prefix": "junk-",
        "note": "real crops whose file name starts with a missing photo's name should be uncovered",
        "expected": f"real crops of {', '.join(MISSING)} uncovered; broken renders "
        "(junk-broken_*) least realistic",
    }
    with open(os.path.join(root, "truth.json"), "w") as f:
        json.dump(truth, f, indent=2)
    report(progress, 1.0, f"demo images written to {root}")
    return truth


#: The labeled demo's classes (photos) and the class-level gaps it builds in.
LABELED_CLASSES = ("astronaut", "chelsea", "coffee", "rocket", "coins", "moon", "brick", "camera")
LABELED_GAPS = {"withheld": "chelsea", "rarer": "coffee", "never turned": "astronaut"}
#: Of every 5 images of a class, how many are turned a quarter turn (lying on their side).
TURNED_IN_5 = 2


def build_labeled_demo(
    root: str,
    per_class: int = 60,
    size: int = 96,
    seed: int = 0,
    progress: Progress | None = None,
) -> dict:
    """Write class folders ``root/real/<class>/`` and ``root/synthetic/<class>/`` (PNG) and
    ``root/truth.json``; returns the truth. Synthetic images are other crops in the renderer
    style; ``LABELED_GAPS`` says which class is withheld, which keeps a fifth of its images and
    which is never turned. Rebuilding with the same arguments writes identical files.
    ``progress`` is told of each class cropped."""
    rng = np.random.default_rng(seed)
    n = len(LABELED_CLASSES)
    for done, name in enumerate(LABELED_CLASSES):
        report(progress, done / n, f"demo: cropping {name} ({done + 1}/{n})")
        photo = _photo(name)
        for side in ("real", "synthetic"):
            folder = os.path.join(root, side, name)
            for i in range(per_class):
                turned = i % 5 < TURNED_IN_5
                crop = random_crop(photo, rng, size)
                crop = crop.transpose(Image.ROTATE_90) if turned else crop
                if side == "synthetic":
                    crop = render_style(crop, rng)  # drawn for every image: same rng either way
                    if (
                        name == LABELED_GAPS["withheld"]
                        or (name == LABELED_GAPS["never turned"] and turned)
                        or (name == LABELED_GAPS["rarer"] and i % 5)
                    ):
                        continue
                os.makedirs(folder, exist_ok=True)
                crop.save(os.path.join(folder, f"{i:03d}.png"))
    gaps = LABELED_GAPS
    truth = {
        "real": os.path.join(root, "real"),
        "synthetic": os.path.join(root, "synthetic"),
        "gaps": gaps,
        "expected": f"class `{gaps['withheld']}` missing (0 synthetic images, probe 0%); "
        f"`{gaps['rarer']}` 5x rarer (some of its real crops underrepresented); "
        f"`{gaps['never turned']}` never turned on the synthetic side (its turned real crops "
        "rank first within the class by class_gap_score, but are not called at this size)",
    }
    with open(os.path.join(root, "truth.json"), "w") as f:
        json.dump(truth, f, indent=2)
    report(progress, 1.0, f"demo images written to {root}")
    return truth
