"""Tiny labeled datasets written in the formats users bring (class folders, COCO, YOLO, VOC).

Images are drawn with Pillow: a plain background with one filled rectangle per object, so each
image differs. ``objects`` lists every image's boxes as (class, x, y, w, h) relative to the image.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from PIL import Image, ImageDraw

COLORS = {"car": (200, 40, 40), "person": (40, 160, 40), "bus": (40, 40, 200)}


@dataclass
class Tiny:
    """One tiny dataset: image file names and, per image, its objects."""

    names: list[str]
    objects: list[list[tuple]]
    size: tuple[int, int] = (64, 48)
    classes: list[str] = field(default_factory=lambda: ["car", "person", "bus"])


def tiny(n: int = 6, seed: int = 0, classes=("car", "person", "bus"), scale: float = 1.0) -> Tiny:
    """``n`` images with 1-3 boxes each, cycling through ``classes``; boxes scaled by ``scale``."""
    objects, k = [], seed
    for i in range(n):
        boxes = []
        for j in range(1 + (i + seed) % 3):
            c = classes[k % len(classes)]
            k += 1
            w, h = 0.3 * scale, 0.4 * scale
            boxes.append((c, 0.1 + 0.2 * j, 0.1 + 0.1 * (i % 3), w, h))
        objects.append(boxes)
    return Tiny([f"img{seed}_{i:02d}.png" for i in range(n)], objects, classes=list(classes))


def _draw(path: str, t: Tiny, i: int) -> None:
    w, h = t.size
    im = Image.new("RGB", (w, h), (20 * (i % 10), 120, 200 - 15 * (i % 10)))
    d = ImageDraw.Draw(im)
    for c, x, y, bw, bh in t.objects[i]:
        d.rectangle(
            [x * w, y * h, (x + bw) * w - 1, (y + bh) * h - 1], fill=COLORS.get(c, (0, 0, 0))
        )
    os.makedirs(os.path.dirname(path), exist_ok=True)
    im.save(path)


def write_tree(root: str, t: Tiny) -> str:
    """Class-per-folder tree; an image's class is the class of its first object."""
    for i, name in enumerate(t.names):
        _draw(os.path.join(root, t.objects[i][0][0], name), t, i)
    return root


def write_coco(root: str, t: Tiny, data: str = "data", labels: str = "labels.json") -> str:
    w, h = t.size
    cats = {c: k + 1 for k, c in enumerate(t.classes)}
    images, annotations = [], []
    for i, name in enumerate(t.names):
        _draw(os.path.join(root, data, name), t, i)
        images.append({"id": i + 1, "file_name": name, "width": w, "height": h})
        for c, x, y, bw, bh in t.objects[i]:
            annotations.append({
                "id": len(annotations) + 1, "image_id": i + 1, "category_id": cats[c],
                "bbox": [x * w, y * h, bw * w, bh * h], "area": bw * w * bh * h, "iscrowd": 0,
            })  # fmt: skip
    doc = {"images": images, "annotations": annotations,
           "categories": [{"id": k, "name": c} for c, k in cats.items()]}  # fmt: skip
    path = os.path.join(root, labels)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f)
    return root


def write_yolov5(root: str, t: Tiny, split: str = "val") -> str:
    for i, name in enumerate(t.names):
        _draw(os.path.join(root, "images", split, name), t, i)
        lines = [
            f"{t.classes.index(c)} {x + bw / 2:.6f} {y + bh / 2:.6f} {bw:.6f} {bh:.6f}"
            for c, x, y, bw, bh in t.objects[i]
        ]
        label = os.path.join(root, "labels", split, os.path.splitext(name)[0] + ".txt")
        os.makedirs(os.path.dirname(label), exist_ok=True)
        with open(label, "w") as f:
            f.write("\n".join(lines) + "\n")
    with open(os.path.join(root, "dataset.yaml"), "w") as f:
        f.write(f"path: {root}\n{split}: ./images/{split}/\nnames:\n")
        f.writelines(f"  {k}: {c}\n" for k, c in enumerate(t.classes))
    return root


def write_yolov4(root: str, t: Tiny) -> str:
    paths = []
    for i, name in enumerate(t.names):
        path = os.path.join(root, "data", name)
        _draw(path, t, i)
        paths.append(os.path.join("data", name))
        with open(os.path.splitext(path)[0] + ".txt", "w") as f:
            f.writelines(
                f"{t.classes.index(c)} {x + bw / 2:.6f} {y + bh / 2:.6f} {bw:.6f} {bh:.6f}\n"
                for c, x, y, bw, bh in t.objects[i]
            )
    with open(os.path.join(root, "obj.names"), "w") as f:
        f.write("\n".join(t.classes) + "\n")
    with open(os.path.join(root, "images.txt"), "w") as f:
        f.write("\n".join(paths) + "\n")
    return root


def write_voc(root: str, t: Tiny, data: str = "data", labels: str = "labels") -> str:
    w, h = t.size
    for i, name in enumerate(t.names):
        _draw(os.path.join(root, data, name), t, i)
        objs = "".join(
            f"<object><name>{c}</name><bndbox><xmin>{x * w:.0f}</xmin><ymin>{y * h:.0f}</ymin>"
            f"<xmax>{(x + bw) * w:.0f}</xmax><ymax>{(y + bh) * h:.0f}</ymax></bndbox></object>"
            for c, x, y, bw, bh in t.objects[i]
        )
        xml = (
            f"<annotation><filename>{name}</filename><size><width>{w}</width><height>{h}</height>"
            f"<depth>3</depth></size>{objs}</annotation>"
        )
        path = os.path.join(root, labels, os.path.splitext(name)[0] + ".xml")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(xml)
    return root


WRITERS = {"tree": write_tree, "coco": write_coco, "yolov5": write_yolov5,
           "yolov4": write_yolov4, "voc": write_voc}  # fmt: skip


def photo_trees(root: str, per_class: int = 24) -> dict:
    """Class folders of 64-px crops of scikit-image photos: real astronaut / rocket / coins;
    synthetic (restyled) astronaut and "spaceship" (rocket under another name: map.csv maps it
    back), no coins. Returns {"real", "synthetic", "map"} paths."""
    import numpy as np

    from fiftyone_plugin.demo import _photo, random_crop, render_style

    rng = np.random.default_rng(0)
    for photo, synthetic_name in (("astronaut", "astronaut"), ("rocket", "spaceship"),
                                  ("coins", None)):  # fmt: skip
        image = _photo(photo)
        os.makedirs(os.path.join(root, "real", photo))
        for i in range(per_class):
            random_crop(image, rng, 64).save(os.path.join(root, "real", photo, f"{i:02d}.png"))
        if synthetic_name:
            folder = os.path.join(root, "synthetic", synthetic_name)
            os.makedirs(folder)
            for i in range(per_class):
                render_style(random_crop(image, rng, 64), rng).save(f"{folder}/{i:02d}.png")
    with open(os.path.join(root, "map.csv"), "w") as f:
        f.write("from,to\nspaceship,rocket\n")
    return {k: os.path.join(root, k) for k in ("real", "synthetic")} | {
        "map": os.path.join(root, "map.csv")
    }
