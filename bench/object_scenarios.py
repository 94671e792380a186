"""Detection scenarios of bench/labels_quality.py: one object class whose synthetic instances
lack a mode of its real variety, analyzed per object and per image, side by side.

Scenes of fiftyone_plugin.demo_objects (objects cut from scikit-image photos pasted on texture
photos, 1-3 a scene, 320 x 240 px). On both sides every class has 40% of its objects in a mode:

* pose: the object lies on its side (turned a quarter turn);
* size: the object is drawn at 0.4 times its usual side.

The synthetic scenes are drawn the same way with the bench's mild style shift, except that the
target class A is never in the mode (its plain form takes the mode's share, so class frequencies
stay equal). The real objects of A in the mode are what a working analysis should find.

* objects: every box's crop embedded (embeddings.objects.embed_objects, one decode per image),
  analyzed by core.objects.analyze_objects: AUROC of the within-class gap score of the real
  objects for "A in the mode", precision / recall of their class_uncovered, and the same from
  the label-blind gap score of the objects;
* images: the whole scenes embedded, analyzed with the image labels (each image's dominant
  class): AUROC of the per-class and of the label-blind image gap score for "holds A in the mode",
  and the blind analysis's precision / recall.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from fiftyone_plugin.core import AnalysisConfig, analyze_embeddings
from fiftyone_plugin.core.labels import LabelSet, ObjectTable
from fiftyone_plugin.core.objects import ObjectSides, analyze_objects

#: Scene size (pixels) and the size mode's scale of an object's side.
SCENE = (320, 240)
SMALL = 0.4
MODES = ("pose", "size")
#: The figures of a row that labels_quality.py's JSON line reports.
KEY_FIGURES = ("auroc", "precision", "recall", "image_auroc", "image_base_auroc")


def _keys(mode: str, classes: list[str]) -> list[str]:
    return [*classes, *(f"{c}|{mode}" for c in classes)]


def _maker(mode: str, classes: list[str]):
    """A SceneMaker that also draws every class in ``mode`` under the key ``<class>|<mode>``."""
    from fiftyone_plugin.demo_objects import SceneMaker

    maker = SceneMaker(SCENE)
    for c in classes:
        im = maker.objects[c]
        maker.objects[f"{c}|{mode}"] = im.transpose(Image.ROTATE_90) if mode == "pose" else im
    return maker


def draw(mode: str, classes: list[str], target: str | None, n: int, share: float, seed: int):
    """``n`` scenes: (images, boxes [(class, x, y, w, h)], in_mode per box); ``target`` never in
    the mode (None: every class as on the real side)."""
    keys = _keys(mode, classes)
    k = len(classes)
    weights = np.array([(1 - share) / k] * k + [share / k] * k)
    if target is not None:
        t = classes.index(target)
        weights[t], weights[k + t] = 1 / k, 0.0
    scale = {f"{c}|size": SMALL for c in classes} if mode == "size" else None
    maker = _maker(mode, classes)
    rng = np.random.default_rng(seed)
    images, boxes, in_mode = [], [], []
    for _ in range(n):
        im, bs = maker.scene(rng, keys, weights, scale)
        images.append(np.asarray(im))
        boxes.append([(c.split("|")[0], *b) for c, *b in bs])
        in_mode.append([("|" in c) for c, *_ in bs])
    return images, boxes, in_mode


def object_embedder(embed):
    """(images, boxes) -> (n_objects, d) embeddings of every box's crop, NaN rows for boxes
    not embedded (under the minimum size), with the model and precision of ``embed``."""
    model = None

    def embed_boxes(pair, what: str) -> np.ndarray:
        nonlocal model
        from fiftyone_plugin.embeddings import load_model
        from fiftyone_plugin.embeddings.objects import embed_objects

        images, boxes = pair
        model = model or load_model("efficientnet_lite0", "cpu", precision=embed.precision)
        t = time.time()
        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for i, a in enumerate(images):
                paths.append(Path(tmp) / f"{i:05d}.png")
                Image.fromarray(a).save(paths[-1])
            rel = [np.array([b for _, *b in bs], dtype=float).reshape(-1, 4) for bs in boxes]
            result = embed_objects(paths, rel, model, batch_size=64, num_workers=2)
        print(f"  embedded {what}: {len(result.errors)} objects in {time.time() - t:.0f} s",
              file=sys.stderr)  # fmt: skip
        return result.vectors

    embed_boxes.precision = embed.precision
    return embed_boxes


def _labels(boxes: list[list[tuple]]) -> LabelSet:
    rows = [(i, c, b) for i, bs in enumerate(boxes) for c, *b in bs]
    image, label, box = zip(*rows, strict=True)
    size = np.tile(np.array(SCENE, dtype=float), (len(boxes), 1))
    return LabelSet.from_objects(ObjectTable(np.array(image), np.array(label, dtype=object),
                                             np.array(box), len(boxes), size))  # fmt: skip


def scenario(mode: str, target: str, n: int, share: float, seed: int, cache, embed, stylize):
    """Draw, embed (``cache(tag, variants, embedder)`` as labels_quality's) and return the
    scenario's images, labels and embeddings."""
    from fiftyone_plugin.demo_objects import OBJECTS

    classes = list(OBJECTS)
    real = draw(mode, classes, None, n, share, seed * 1000 + 11)
    synthetic = draw(mode, classes, target, n, share, seed * 1000 + 12)
    style_rng = np.random.default_rng(seed * 1000 + 13)
    synthetic = ([stylize(a, style_rng) for a in synthetic[0]], *synthetic[1:])
    tag = f"objects-{mode}-{n}-{seed}"
    images = cache(tag, {"real": real[0], "synthetic": synthetic[0]}, embed)
    objects = cache(f"{tag}-boxes", {"real": real[:2], "synthetic": synthetic[:2]},
                    object_embedder(embed))  # fmt: skip
    return real, synthetic, images, objects


def evaluate(mode: str, target: str, drawn, config: AnalysisConfig, auroc, precision_recall):
    """The object-level and the image-level figures of one scenario, side by side."""
    import warnings

    real, synthetic, images, objects = drawn
    t = time.time()
    labels_r, labels_s = _labels(real[1]), _labels(synthetic[1])
    ok_r = np.flatnonzero(np.isfinite(objects["real"]).all(axis=1))
    ok_s = np.flatnonzero(np.isfinite(objects["synthetic"]).all(axis=1))
    positive_objects = np.array([m for ms in real[2] for m in ms]) & (
        labels_r.objects.label == target
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        per_object = analyze_objects(
            objects["real"][ok_r], objects["synthetic"][ok_s], ObjectSides(labels_r, ok_r),
            ObjectSides(labels_s, ok_s), config,
        )  # fmt: skip
        per_image = analyze_embeddings(
            images["real"], images["synthetic"], config, labels_real=labels_r,
            labels_synthetic=labels_s,
        )  # fmt: skip
    lab = per_object.labeled
    pos = positive_objects[ok_r]
    row = dict(
        data="scenes", kind=f"lacks {mode}", target=target, n_real=len(ok_r),
        n_synthetic=len(ok_s), n_positive=int(pos.sum()),
        skipped=int(len(positive_objects) - len(ok_r)),
        status=next(r["status"] for r in lab.table if r["class"] == target),
        auroc=auroc(np.nan_to_num(lab.gap_score, nan=0.0), pos),
        base_auroc=auroc(per_object.gap_score, pos),
    )  # fmt: skip
    row["precision"], row["recall"] = precision_recall(lab.uncovered, pos)
    holds = np.zeros(len(real[1]), bool)
    holds[labels_r.objects.image[positive_objects]] = True
    image_lab = per_image.labeled
    row.update(
        image_auroc=auroc(np.nan_to_num(image_lab.gap_score, nan=0.0), holds),
        image_base_auroc=auroc(per_image.gap_score, holds), n_positive_images=int(holds.sum()),
    )  # fmt: skip
    row["image_precision"], row["image_recall"] = precision_recall(image_lab.uncovered, holds)
    row["image_base_precision"], row["image_base_recall"] = precision_recall(
        per_image.uncovered, holds
    )
    row["seconds_analysis"] = time.time() - t
    return row


def markdown(rows: list[dict], f) -> str:
    """The object-level vs image-level table; ``f`` formats a number."""
    lines = [
        "| scenario (class A) | real objects (A in the mode; skipped) | objects: A's status | "
        "objects: gap AUROC per-class (blind) | objects: uncovered precision / recall "
        "per-class | images holding A in the mode | images: gap AUROC per-class (blind) | "
        "images: uncovered precision / recall per-class (blind) |",
        "|" + "---|" * 8,
    ]
    for r in rows:
        lines.append(
            f"| {r['kind']} (`{r['target']}`) | {r['n_real']} ({r['n_positive']}; "
            f"{r['skipped']}) | {r['status']} | {f(r['auroc'])} ({f(r['base_auroc'])}) | "
            f"{f(r['precision'])} / {f(r['recall'])} | {r['n_positive_images']} | "
            f"{f(r['image_auroc'])} ({f(r['image_base_auroc'])}) | "
            f"{f(r['image_precision'])} / {f(r['image_recall'])} "
            f"({f(r['image_base_precision'])} / {f(r['image_base_recall'])}) |"
        )
    return "\n".join(lines)
