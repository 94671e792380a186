"""Embedding the objects of images vs embedding the images (bench/run.py's "objects" section).

Detection scenes of the demo's kind (fiftyone_plugin.demo_objects: objects cut from scikit-image
photos pasted on textures, 1-3 a scene) written as 640 x 480 JPEGs with COCO boxes, imported
into a FiftyOne dataset. Timed side by side in one run, with the same loaded model, batch size
and decoders:

* images: fo.embeddings.compute_embeddings (one embedding per image);
* objects: fo.objects.compute_object_embeddings (one per box, each image decoded once, written
  onto the Detection objects);
* one decode per object: embeddings.embed_objects given each box as its own image entry (the
  image decoded again for every object), the cost the one-decode path avoids.

Ratios: objects_vs_images_per_image = object-level time / image-level time for the same images
(the target is <= 2); objects_vs_images_per_unit = time per object / time per image; and
decode_once_speedup = one-decode-per-object time / our time (embedding only, no writes).
"""

from __future__ import annotations

import os
import time

import numpy as np


def write_scenes(folder: str, n: int, size=(640, 480), seed: int = 0) -> str:
    """``n`` scenes as JPEGs with COCO labels in ``folder`` (demo_objects.write_coco layout)."""
    import json

    from PIL import Image

    from fiftyone_plugin.demo_objects import OBJECTS, SceneMaker, write_coco

    maker = SceneMaker(size)
    rng = np.random.default_rng(seed)
    scenes = [maker.scene(rng, list(OBJECTS)) for _ in range(n)]
    root = write_coco(folder, [s[0] for s in scenes], [s[1] for s in scenes],
                      [f"scene{i:05d}" for i in range(n)])  # fmt: skip
    labels = os.path.join(root, "labels.json")
    with open(labels, encoding="utf-8") as f:  # the same scenes as JPEGs, as cameras write them
        doc = json.load(f)
    for image in doc["images"]:
        png = os.path.join(root, "data", image["file_name"])
        jpg = png[:-4] + ".jpg"
        Image.open(png).save(jpg, quality=90)
        os.remove(png)
        image["file_name"] = os.path.basename(jpg)
    with open(labels, "w", encoding="utf-8") as f:
        json.dump(doc, f)
    return root


def bench_objects(folder: str, n_images: int, batch_size: int, num_workers: int) -> dict:
    import fiftyone as fo

    from fiftyone_plugin.embeddings import load_model
    from fiftyone_plugin.embeddings.objects import embed_objects
    from fiftyone_plugin.fo.embeddings import compute_embeddings
    from fiftyone_plugin.fo.label_import import import_source
    from fiftyone_plugin.fo.label_sources import read_source
    from fiftyone_plugin.fo.objects import compute_object_embeddings
    from fiftyone_plugin.options import EmbeddingOptions

    root = write_scenes(folder, n_images)
    name = "bench-objects"
    if fo.dataset_exists(name):
        fo.delete_dataset(name)
    dataset = fo.Dataset(name)
    import_source(dataset, read_source(root), "real")
    model = load_model("efficientnet_lite0")
    options = EmbeddingOptions(batch_size=batch_size, num_workers=num_workers)
    paths = dataset.values("filepath")
    compute_embeddings(dataset.limit(batch_size), model, field="emb_warm", options=options)

    start = time.perf_counter()
    compute_embeddings(dataset, model, field="emb_images", options=options)
    t_images = time.perf_counter() - start
    start = time.perf_counter()
    done = compute_object_embeddings(dataset, "ground_truth", model, options=options)
    t_objects = time.perf_counter() - start
    n_objects = done.computed

    boxes = [np.array(b or [], dtype=float).reshape(-1, 4)
             for b in dataset.values("ground_truth.detections.bounding_box")]  # fmt: skip
    once = dict(batch_size=batch_size, num_workers=num_workers)
    start = time.perf_counter()
    embed_objects(paths, boxes, model, **once)
    t_once = time.perf_counter() - start
    each = [(p, b[None]) for p, bs in zip(paths, boxes, strict=True) for b in bs]
    start = time.perf_counter()
    embed_objects([p for p, _ in each], [b for _, b in each], model, **once)
    t_each = time.perf_counter() - start
    fo.delete_dataset(name)
    return {
        "objects_images": n_images,
        "objects_per_image": round(n_objects / n_images, 2),
        "objects_skipped_small": done.small,
        "images_embedded_per_s": round(n_images / t_images, 1),
        "objects_embedded_per_s": round(n_objects / t_objects, 1),
        "objects_vs_images_per_image": round(t_objects / t_images, 2),
        "objects_vs_images_per_unit": round((t_objects / n_objects) / (t_images / n_images), 2),
        "objects_decode_once_s": round(t_once, 2),
        "objects_decode_each_s": round(t_each, 2),
        "decode_once_speedup": round(t_each / t_once, 2),
    }
