"""Labeled sources read with FiftyOne's own importers: the images of a source and their labels.

A source is a folder (or a COCO JSON file, or a glob of images) in one of these formats:

* ``images``: plain images, no labels (any folder; a glob pattern is always this);
* ``tree``: a class per folder, ``root/<class>/<image>`` (fo.types.ImageClassificationDirectoryTree);
* ``coco``: COCO detection JSON: ``root/labels.json`` + ``root/data/``, ``root/annotations/<one
  file>.json`` + ``root/images/``, or the JSON file itself with its images next to it, in
  ``data/`` or ``images/`` (fo.types.COCODetectionDataset);
* ``yolov5``: ``root/dataset.yaml`` (or ``data.yaml``) with ``images/<split>/`` and
  ``labels/<split>/``, every split it names (fo.types.YOLOv5Dataset);
* ``yolov4``: ``root/obj.names`` with images and their ``.txt`` labels in ``root/data/``
  (fo.types.YOLOv4Dataset);
* ``voc``: Pascal VOC XML, ``root/labels/`` + ``root/data/`` or ``root/Annotations/`` +
  ``root/JPEGImages/`` (fo.types.VOCDetectionDataset).

``detect_format`` picks one from these marks. A folder holding no images itself but two or more
subfolders of images is read as a ``tree`` (the folder names are the classes); pass the format
``images`` to ignore such folder names.

Bad labels lose nothing: an image a label file names but that is not on disk is skipped and
counted, images without labels are imported unlabeled, and each such case becomes a one-line
warning in ``LabeledSource.warnings``; an unreadable label file is a one-line error.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field

from .. import defaults
from ..label_options import FORMATS
from .samples import list_images


class LabelSourceError(ValueError):
    """A labeled source that cannot be used as it is; the message says what to do."""


@dataclass
class LabeledSource:
    """What a source holds. paths: absolute image paths; labels: one fo.Classification /
    fo.Detections / None per path, or None for unlabeled formats; warnings: one line each."""

    path: str
    format: str
    paths: list[str]
    labels: list | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def n_labeled(self) -> int:
        return 0 if self.labels is None else sum(label is not None for label in self.labels)


def _has_images(folder: str) -> bool:
    try:
        return any(
            f.lower().endswith(defaults.IMAGE_EXTENSIONS)
            for f in os.listdir(folder)
            if os.path.isfile(os.path.join(folder, f))
        )
    except OSError:
        return False


def _subfolders(folder: str) -> list[str]:
    return sorted(
        os.path.join(folder, d)
        for d in os.listdir(folder)
        if not d.startswith(".") and os.path.isdir(os.path.join(folder, d))
    )


def _coco_json(folder: str) -> str | None:
    """The COCO labels file of ``folder``, if it has exactly one in the usual places."""
    if os.path.isfile(os.path.join(folder, "labels.json")):
        return os.path.join(folder, "labels.json")
    found = glob.glob(os.path.join(folder, "annotations", "*.json"))
    if len(found) > 1:
        raise LabelSourceError(
            f"{folder!r} holds {len(found)} COCO files in annotations/ "
            f"({', '.join(sorted(os.path.basename(f) for f in found)[:3])}, ...): pass the one "
            "to use as the path instead of the folder"
        )
    return found[0] if found else None


def detect_format(path: str) -> str:
    """The format of source ``path`` (see the module docstring); ValueError if it does not
    exist."""
    if glob.has_magic(path):
        return "images"
    if os.path.isfile(path):
        if path.lower().endswith(".json"):
            return "coco"
        raise ValueError(
            f"{path!r} is a file; pass a folder of images, a labeled dataset folder or a COCO "
            "JSON file"
        )
    if not os.path.isdir(path):
        raise ValueError(f"Folder not found: {path!r}; pass an existing folder or a glob pattern")
    has = lambda *names: any(os.path.exists(os.path.join(path, n)) for n in names)  # noqa: E731
    if has("dataset.yaml", "data.yaml"):
        return "yolov5"
    if has("obj.names"):
        return "yolov4"
    if _coco_json(path):
        return "coco"
    if glob.glob(os.path.join(path, "labels", "*.xml")) or glob.glob(
        os.path.join(path, "Annotations", "*.xml")
    ):
        return "voc"
    if not _has_images(path) and sum(map(_has_images, _subfolders(path))) >= 2:
        return "tree"
    return "images"


def read_source(path: str, format: str = "auto", recursive: bool = True) -> LabeledSource:
    """The images of ``path`` and, for a labeled format, their labels (``format``: one of
    FORMATS; "auto" detects it; ``recursive``: plain image folders include their subfolders).
    Raises ValueError with a one-line reason."""
    if format not in FORMATS:
        raise ValueError(f"Unknown label format {format!r}; use one of {', '.join(FORMATS)}")
    fmt = detect_format(path) if format == "auto" else format
    if fmt == "images":
        return LabeledSource(path, fmt, list_images(path, recursive=recursive))
    if not os.path.exists(path):
        raise ValueError(f"Folder not found: {path!r}; pass an existing folder or file")
    try:
        rows, extra = _READERS[fmt](path)
    except LabelSourceError:
        raise
    except Exception as exc:  # a malformed label file: the importers raise many kinds
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise ValueError(
            f"Could not read {path!r} as {fmt} ({type(exc).__name__}: {reason}); fix the label "
            "files, or pass another format (--real-format / --synthetic-format)"
        ) from None
    return _source(path, fmt, rows, extra)


def _source(path: str, fmt: str, rows: list[tuple], unlisted: list[str]) -> LabeledSource:
    """A LabeledSource from importer rows (image path, label), dropping missing images and
    adding the ``unlisted`` images (found on disk, named in no label file) unlabeled."""
    labels_by_path: dict[str, object] = {}
    missing = []
    for image, label in rows:
        image = os.path.abspath(image)
        if not os.path.isfile(image):
            missing.append(image)
            continue
        if labels_by_path.get(image) is None:
            labels_by_path[image] = label
    warnings = []
    if missing:
        warnings.append(
            f"{len(missing)} image(s) named in the {fmt} labels of {path!r} are not on disk "
            f"(e.g. {missing[0]!r}); they were skipped"
        )
    unlisted = [os.path.abspath(p) for p in unlisted]
    unlisted = [p for p in unlisted if p not in labels_by_path]
    for p in unlisted:
        labels_by_path[p] = None
    if not labels_by_path:
        raise LabelSourceError(
            f"No images found for the {fmt} dataset {path!r}: check that its images are where "
            "its labels say"
        )
    paths = sorted(labels_by_path)
    labels = [labels_by_path[p] for p in paths]
    n_unlabeled = sum(label is None for label in labels)
    if n_unlabeled == len(labels):
        warnings.append(f"No labels found in {path!r} ({fmt}): its images are used unlabeled")
    elif n_unlabeled:
        warnings.append(
            f"{n_unlabeled} of {len(labels)} images in {path!r} have no label; they are imported "
            "unlabeled and left out of the per-class figures"
        )
    return LabeledSource(path, fmt, paths, labels, warnings)


def _iterate(importer) -> list[tuple]:
    with importer:
        return [(row[0], row[-1]) for row in importer]


def _read_tree(path: str) -> tuple[list, list]:
    import fiftyone.types as fot

    importer = fot.ImageClassificationDirectoryTree().get_dataset_importer_cls()(dataset_dir=path)
    rows = [(p, label) for p, label in _iterate(importer)]
    rows = [(p, label) for p, label in rows if p.lower().endswith(defaults.IMAGE_EXTENSIONS)]
    return rows, []


def _read_coco(path: str) -> tuple[list, list]:
    import json

    import fiftyone.types as fot

    labels_path = path if os.path.isfile(path) else _coco_json(path)
    if labels_path is None:
        raise LabelSourceError(
            f"No COCO labels file (labels.json or annotations/*.json) in {path!r}"
        )
    with open(labels_path, encoding="utf-8") as f:
        doc = json.load(f)
    names = (
        [im.get("file_name", "") for im in doc.get("images", [])] if isinstance(doc, dict) else []
    )
    if not names:
        raise LabelSourceError(f'COCO file {labels_path!r} lists no images under "images"')
    here = os.path.dirname(os.path.abspath(labels_path))
    root = os.path.dirname(here) if os.path.basename(here) == "annotations" else here
    candidates = [os.path.join(root, d) for d in ("data", "images")] + [root, here]
    data_path = next(
        (d for d in candidates if any(os.path.isfile(os.path.join(d, n)) for n in names[:50])),
        None,
    )
    if data_path is None:
        raise LabelSourceError(
            f"The images of COCO file {labels_path!r} (e.g. {names[0]!r}) are in none of "
            f"{', '.join(repr(c) for c in dict.fromkeys(candidates))}: put them in data/ or "
            "images/ next to the labels"
        )
    # file name -> path for every listed image, present or not (the importer raises KeyError for
    # a missing one otherwise; _source counts and skips them)
    image_paths = {os.path.normpath(n): os.path.join(data_path, n) for n in names}
    importer = fot.COCODetectionDataset().get_dataset_importer_cls()(
        data_path=image_paths, labels_path=labels_path, label_types="detections"
    )
    return _iterate(importer), _unlisted(data_path)


def _read_yolov5(path: str) -> tuple[list, list]:
    import fiftyone.types as fot
    import yaml

    yaml_path = next(
        os.path.join(path, n) for n in ("dataset.yaml", "data.yaml")
        if os.path.isfile(os.path.join(path, n))
    )  # fmt: skip
    with open(yaml_path, encoding="utf-8") as f:
        spec = yaml.safe_load(f) or {}
    splits = [s for s in ("train", "val", "test") if spec.get(s)]
    if not splits:
        raise LabelSourceError(f"{yaml_path!r} names no split (train / val / test) of images")
    rows = []
    for split in splits:
        importer = fot.YOLOv5Dataset().get_dataset_importer_cls()(
            dataset_dir=path, yaml_path=yaml_path, split=split, include_all_data=True
        )
        rows += _iterate(importer)
    return rows, []


def _read_yolov4(path: str) -> tuple[list, list]:
    import fiftyone.types as fot

    importer = fot.YOLOv4Dataset().get_dataset_importer_cls()(
        dataset_dir=path, include_all_data=True
    )
    return _iterate(importer), []


def _read_voc(path: str) -> tuple[list, list]:
    import fiftyone.types as fot

    if os.path.isdir(os.path.join(path, "Annotations")):
        data_path, labels_path = os.path.join(path, "JPEGImages"), os.path.join(path, "Annotations")
    else:
        data_path, labels_path = os.path.join(path, "data"), os.path.join(path, "labels")
    importer = fot.VOCDetectionDataset().get_dataset_importer_cls()(
        data_path=data_path, labels_path=labels_path, include_all_data=True
    )
    return _iterate(importer), []


def _unlisted(folder: str) -> list[str]:
    return list_images(folder, recursive=False) if os.path.isdir(folder) else []


_READERS = {
    "tree": _read_tree,
    "coco": _read_coco,
    "yolov5": _read_yolov5,
    "yolov4": _read_yolov4,
    "voc": _read_voc,
}
