"""A small detection set made at run time: objects cut from photos that ship with scikit-image,
pasted onto texture photos, with their boxes.

Each scene is a ``size`` image of a random crop of a texture (grass, gravel, brick) holding 1-3
objects; an object is its photo's crop around the object (jittered, maybe mirrored) scaled to
``OBJECT_SIDE`` of the scene (times a per-class ``scale``). Boxes are [x, y, w, h] relative to the
scene. ``write_coco`` stores scenes as a COCO detection dataset (``data/`` + ``labels.json``);
``build_objects_demo`` writes the detection demo (a real and a synthetic COCO folder with known
object-level gaps).
"""

from __future__ import annotations

import json
import os

import numpy as np
from PIL import Image, ImageOps

from .progress import Progress, report

#: Object classes: (scikit-image photo, box of the object in that photo, pixels (x0, y0, x1, y1)).
OBJECTS = {
    "cat": ("chelsea", (40, 0, 330, 290)),
    "cup": ("coffee", (60, 0, 540, 390)),
    "rocket": ("rocket", (262, 50, 334, 400)),
    "person": ("astronaut", (30, 20, 340, 420)),
    "coin": ("coins", (10, 20, 82, 92)),
    "motorcycle": ("stereo_motorcycle", (60, 140, 741, 495)),
}
BACKGROUNDS = ("grass", "gravel", "brick")
#: An object's longer box side as a share of the scene's shorter side, before the class scale.
OBJECT_SIDE = (0.25, 0.5)


def _photo(name: str) -> Image.Image:
    import skimage.data

    a = getattr(skimage.data, name)()
    a = np.asarray(a[0] if isinstance(a, tuple) else a)
    if a.dtype == bool:
        a = a.astype(np.uint8) * 255
    return Image.fromarray(a).convert("RGB")


class SceneMaker:
    """Draws scenes; photos are loaded once. ``size``: (width, height) of a scene in pixels."""

    def __init__(self, size: tuple[int, int] = (160, 120)) -> None:
        self.size = size
        self.objects = {c: _photo(p).crop(box) for c, (p, box) in OBJECTS.items()}
        self.backgrounds = [_photo(b) for b in BACKGROUNDS]

    def _object(self, cls: str, rng: np.random.Generator) -> Image.Image:
        im = self.objects[cls]
        w, h = im.size
        dx, dy = int(w * rng.uniform(0, 0.1)), int(h * rng.uniform(0, 0.1))
        im = im.crop((dx, dy, w - int(w * rng.uniform(0, 0.1)), h - int(h * rng.uniform(0, 0.1))))
        return ImageOps.mirror(im) if rng.random() < 0.5 else im

    def scene(
        self,
        rng: np.random.Generator,
        classes: list[str],
        weights: np.ndarray | None = None,
        scale: dict[str, float] | None = None,
    ) -> tuple[Image.Image, list[tuple]]:
        """One scene: (image, [(class, x, y, w, h)]) with 1-3 objects drawn from ``classes``
        (probabilities ``weights``), each class's size multiplied by ``scale[class]``."""
        w, h = self.size
        bg = self.backgrounds[rng.integers(len(self.backgrounds))]
        side = int(min(bg.size) * rng.uniform(0.3, 0.8))
        x0, y0 = rng.integers(0, bg.size[0] - side + 1), rng.integers(0, bg.size[1] - side + 1)
        canvas = bg.crop((x0, y0, x0 + side, y0 + side)).resize((w, h), Image.BILINEAR)
        boxes = []
        for _ in range(int(rng.integers(1, 4))):
            cls = classes[rng.choice(len(classes), p=weights)]
            obj = self._object(cls, rng)
            longest = min(w, h) * rng.uniform(*OBJECT_SIDE) * (scale or {}).get(cls, 1.0)
            ratio = longest / max(obj.size)
            ow, oh = max(int(obj.size[0] * ratio), 4), max(int(obj.size[1] * ratio), 4)
            ox, oy = int(rng.integers(0, w - ow + 1)), int(rng.integers(0, h - oh + 1))
            canvas.paste(obj.resize((ow, oh), Image.BILINEAR), (ox, oy))
            boxes.append((cls, ox / w, oy / h, ow / w, oh / h))
        return canvas, boxes


def write_coco(root: str, images: list[Image.Image], boxes: list[list[tuple]], names: list[str]):
    """Write ``images`` as ``root/data/<name>.png`` and their boxes as ``root/labels.json``
    (COCO detection, boxes in pixels); returns ``root``."""
    os.makedirs(os.path.join(root, "data"), exist_ok=True)
    classes = sorted({c for bs in boxes for c, *_ in bs})
    category = {c: k + 1 for k, c in enumerate(classes)}
    doc = {"images": [], "annotations": [],
           "categories": [{"id": k, "name": c} for c, k in category.items()]}  # fmt: skip
    for i, (im, bs, name) in enumerate(zip(images, boxes, names, strict=True)):
        file_name = f"{name}.png"
        im.save(os.path.join(root, "data", file_name))
        w, h = im.size
        doc["images"].append({"id": i + 1, "file_name": file_name, "width": w, "height": h})
        for cls, x, y, bw, bh in bs:
            doc["annotations"].append({
                "id": len(doc["annotations"]) + 1, "image_id": i + 1,
                "category_id": category[cls], "bbox": [x * w, y * h, bw * w, bh * h],
                "area": bw * w * bh * h, "iscrowd": 0,
            })  # fmt: skip
    with open(os.path.join(root, "labels.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f)
    return root


#: The detection demo's known gaps: a class with no synthetic objects, one drawn at half the side.
OBJECT_GAPS = {"withheld": "cup", "smaller": "person"}


def build_objects_demo(
    root: str,
    n: int = 80,
    size: tuple[int, int] = (240, 180),
    seed: int = 0,
    progress: Progress | None = None,
) -> dict:
    """Write ``n`` real and ``n`` synthetic scenes as COCO folders ``root/real`` and
    ``root/synthetic`` and ``root/truth.json``; returns the truth. Synthetic scenes are drawn
    without ``OBJECT_GAPS["withheld"]``, with ``OBJECT_GAPS["smaller"]`` at half the side, and
    pass through demo.render_style. Rebuilding with the same arguments writes identical files.
    ``progress`` is told of each side drawn."""
    from .demo import render_style

    maker = SceneMaker(size)
    classes = list(OBJECTS)
    withheld, smaller = OBJECT_GAPS["withheld"], OBJECT_GAPS["smaller"]
    for side, offset in (("real", 0), ("synthetic", 1)):
        report(progress, offset / 2, f"demo: drawing {n} {side} scenes")
        rng = np.random.default_rng(seed * 10 + offset)
        allowed = classes if side == "real" else [c for c in classes if c != withheld]
        scale = None if side == "real" else {smaller: 0.5}
        scenes = [maker.scene(rng, allowed, scale=scale) for _ in range(n)]
        images = [im if side == "real" else render_style(im, rng) for im, _ in scenes]
        names = [f"{side}{i:03d}" for i in range(n)]
        write_coco(os.path.join(root, side), images, [b for _, b in scenes], names)
    truth = {
        "real": os.path.join(root, "real"),
        "synthetic": os.path.join(root, "synthetic"),
        "gaps": OBJECT_GAPS,
        "expected": f"class `{withheld}` missing (0 synthetic objects; its real objects "
        f"uncovered); synthetic `{smaller}` boxes smaller (drawn at half the side)",
    }
    with open(os.path.join(root, "truth.json"), "w") as f:
        json.dump(truth, f, indent=2)
    report(progress, 1.0, f"demo images written to {root}")
    return truth
