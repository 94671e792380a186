"""Tiny detection folder pairs for the object tests: scenes of fiftyone_plugin.demo_objects (objects
cut from scikit-image photos, pasted on textures) written as COCO datasets."""

from __future__ import annotations

import os

import numpy as np

from fiftyone_plugin.demo_objects import SceneMaker, write_coco


def scene_pair(root: str, n: int = 16, missing: str = "cat", seed: int = 0) -> dict:
    """``n`` real scenes of cats, cups and rockets and ``n`` synthetic ones without ``missing``,
    as COCO folders ``root/real`` and ``root/synthetic``; returns their paths and boxes."""
    maker = SceneMaker()
    classes = ["cat", "cup", "rocket"]
    out = {}
    for side, offset, allowed in (
        ("real", 0, classes),
        ("synthetic", 1, [c for c in classes if c != missing]),
    ):
        rng = np.random.default_rng(seed * 10 + offset)
        scenes = [maker.scene(rng, allowed) for _ in range(n)]
        path = os.path.join(root, side)
        write_coco(path, [s[0] for s in scenes], [s[1] for s in scenes],
                   [f"{side}{i:03d}" for i in range(n)])  # fmt: skip
        out[side] = path
        out[f"{side}_boxes"] = [s[1] for s in scenes]
    return out


#: Synthetic scenes of broken_object_run whose largest object is painted flat (a failed render).
N_BROKEN = 3


def break_largest_object(path: str, boxes: list[tuple]) -> bool:
    """Paint the largest box of the scene at ``path`` one flat colour, if it is large enough to be
    analyzed (24 px a side); whether it was."""
    from PIL import Image

    image = np.asarray(Image.open(path).convert("RGB")).copy()
    _, x, y, w, h = max(boxes, key=lambda b: b[3] * b[4])
    rows, cols = image.shape[:2]
    if min(w * cols, h * rows) < 24:
        return False
    image[int(y * rows) : int((y + h) * rows), int(x * cols) : int((x + w) * cols)] = (90, 160, 30)
    Image.fromarray(image).save(path)
    return True


def broken_object_run(root: str, name: str, run_key: str):
    """Dataset ``name``: scene_pair's 24 real and 24 synthetic scenes (no cats on the synthetic
    side), N_BROKEN synthetic ones with their largest object painted flat (their paths in
    ``dataset.info["broken"]``), analyzed as a run on objects ``run_key``."""
    import fiftyone as fo

    from fiftyone_plugin.core.config import AnalysisConfig
    from fiftyone_plugin.label_options import LabelOptions
    from fiftyone_plugin.object_options import ObjectOptions
    from fiftyone_plugin.options import EmbeddingOptions
    from fiftyone_plugin.workflow import analyze_folders

    scenes = scene_pair(os.path.join(root, "scenes"), n=24)
    broken = []
    for k, boxes in enumerate(scenes["synthetic_boxes"]):
        path = os.path.join(scenes["synthetic"], "data", f"synthetic{k:03d}.png")
        if len(broken) < N_BROKEN and break_largest_object(path, boxes):
            broken.append(path)
    if fo.dataset_exists(name):
        fo.delete_dataset(name)
    analyze_folders(
        scenes["real"], scenes["synthetic"], dataset=name, out=os.path.join(root, "out"),
        options=EmbeddingOptions(num_workers=0), config=AnalysisConfig(kid_subsets=5, seed=0),
        run_key=run_key, labels=LabelOptions(), objects=ObjectOptions(),
    )  # fmt: skip
    dataset = fo.load_dataset(name)
    dataset.info["broken"] = broken
    dataset.save()
    return dataset
