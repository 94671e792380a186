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
