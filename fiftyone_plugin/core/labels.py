"""Labels of one side as plain arrays (a class per image, labeled boxes), and class renaming.

A :class:`LabelSet` holds what the label statistics, the per-class analysis and the probe need
from one side: the class of every image (``None`` = unlabeled) and, for detection data, an
:class:`ObjectTable` with one row per labeled box. For detection data an image's class is its
dominant class: the class covering the largest total box area in it.

A class map renames classes before the sides are compared, so that ``automobile`` on one side
and ``car`` on the other count as one class. It is a dict ``{name: new_name}`` applied alike to
both sides; a name mapped to ``None`` is left out on purpose (its images count as unlabeled,
its boxes are dropped, and how many is reported). Files: a JSON object, or a CSV file with two
columns (``from,to``; the header row is optional; an empty ``to`` leaves the class out).
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass

import numpy as np

#: Boxes are [x, y, width, height] relative to the image size, FiftyOne's convention.
BOX_COLUMNS = ("x", "y", "width", "height")


@dataclass
class ObjectTable:
    """Labeled objects (boxes) of ``n_images`` images; row i is one object.

    image (n_objects,) int: index of the object's image, in [0, n_images). label (n_objects,)
    object: its class. box (n_objects, 4) float: [x, y, width, height] of the box relative to its
    image, each in [0, 1]. image_size (n_images, 2) float or None: [width, height] of every image
    in pixels (NaN where unknown); without it, aspect ratios are those of the relative boxes.
    ids (n_objects,) object or None: an identifier of each object (e.g. its label id).
    """

    image: np.ndarray
    label: np.ndarray
    box: np.ndarray
    n_images: int
    image_size: np.ndarray | None = None
    ids: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.image = np.asarray(self.image, dtype=np.int64).reshape(-1)
        self.label = np.asarray(self.label, dtype=object).reshape(-1)
        self.box = np.asarray(self.box, dtype=np.float64).reshape(-1, 4)
        n = len(self.image)
        if len(self.label) != n or len(self.box) != n:
            raise ValueError(
                f"objects need one image index, label and box each: got {n} images, "
                f"{len(self.label)} labels and {len(self.box)} boxes"
            )
        if n and (self.image.min() < 0 or self.image.max() >= self.n_images):
            raise ValueError(f"object image indices must lie in [0, {self.n_images})")
        if self.image_size is not None:
            self.image_size = np.asarray(self.image_size, dtype=np.float64).reshape(-1, 2)
            if len(self.image_size) != self.n_images:
                raise ValueError("image_size needs one [width, height] row per image")
        if self.ids is not None:
            self.ids = np.asarray(self.ids, dtype=object).reshape(-1)
            if len(self.ids) != n:
                raise ValueError(f"ids needs one identifier per object: got {len(self.ids)}")

    def __len__(self) -> int:
        return len(self.image)

    def subset(self, keep: np.ndarray) -> ObjectTable:
        """The objects where boolean ``keep`` is True (same images)."""
        ids = None if self.ids is None else self.ids[keep]
        return ObjectTable(
            self.image[keep], self.label[keep], self.box[keep], self.n_images, self.image_size, ids
        )

    @property
    def area(self) -> np.ndarray:
        """(n_objects,) box area as a share of its image's area, in [0, 1]."""
        return np.clip(self.box[:, 2], 0, 1) * np.clip(self.box[:, 3], 0, 1)

    @property
    def aspect_ratio(self) -> np.ndarray:
        """(n_objects,) box width / height in pixels (relative units where the image size is
        unknown); NaN for boxes of zero height."""
        w, h = self.box[:, 2].copy(), self.box[:, 3].copy()
        if self.image_size is not None:
            size = self.image_size[self.image]
            known = np.isfinite(size).all(axis=1)
            w[known] *= size[known, 0]
            h[known] *= size[known, 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(h > 0, w / h, np.nan)

    @property
    def centre(self) -> np.ndarray:
        """(n_objects, 2) box centre [x, y] relative to its image, in [0, 1]."""
        return np.clip(self.box[:, :2] + self.box[:, 2:] / 2, 0, 1)

    def per_image(self) -> np.ndarray:
        """(n_images,) number of objects in each image."""
        return np.bincount(self.image, minlength=self.n_images)

    def dominant_class(self) -> np.ndarray:
        """(n_images,) object: the class covering the largest total box area in each image,
        None for images without objects (ties: the class named first alphabetically)."""
        out = np.full(self.n_images, None, dtype=object)
        if not len(self):
            return out
        names = np.array(sorted(set(self.label.tolist()), key=str), dtype=object)
        code = np.searchsorted(names.astype(str), self.label.astype(str))
        totals = np.zeros((self.n_images, len(names)))
        np.add.at(totals, (self.image, code), self.area + 1e-12)
        has = totals.sum(axis=1) > 0
        out[has] = names[totals[has].argmax(axis=1)]
        return out


@dataclass
class LabelSet:
    """The labels of one side. classes (n_images,) object: the class of every image, None where
    unlabeled. objects: the labeled boxes, for detection data (else None)."""

    classes: np.ndarray
    objects: ObjectTable | None = None

    def __post_init__(self) -> None:
        self.classes = np.asarray(self.classes, dtype=object).reshape(-1)
        if self.objects is not None and self.objects.n_images != len(self.classes):
            raise ValueError(
                f"objects belong to {self.objects.n_images} images but there are "
                f"{len(self.classes)} image classes"
            )

    @classmethod
    def from_objects(cls, objects: ObjectTable) -> LabelSet:
        """Detection labels; each image's class is its dominant class."""
        return cls(objects.dominant_class(), objects)

    @property
    def kind(self) -> str:
        """ "detection" when the labels are boxes, else "classification"."""
        return "classification" if self.objects is None else "detection"

    @property
    def n_unlabeled(self) -> int:
        """Images without a class."""
        return int(sum(c is None for c in self.classes))

    def renamed(self, class_map: dict[str, str | None] | None) -> LabelSet:
        """The same labels with ``class_map`` applied (see the module docstring)."""
        if not class_map:
            return self
        if self.objects is None:
            return LabelSet(map_classes(self.classes, class_map))
        mapped = map_classes(self.objects.label, class_map)
        keep = np.array([m is not None for m in mapped], dtype=bool)
        objects = self.objects.subset(keep)
        objects.label = mapped[keep]
        return LabelSet.from_objects(objects)


def map_classes(labels: np.ndarray, class_map: dict[str, str | None] | None) -> np.ndarray:
    """``labels`` (object array) with every name found in ``class_map`` replaced by its new
    name (None = left out); other names and None stay as they are."""
    labels = np.asarray(labels, dtype=object)
    if not class_map:
        return labels
    return np.array(
        [class_map.get(str(v), v) if v is not None else None for v in labels], dtype=object
    )


def read_class_map(path: str) -> dict[str, str | None]:
    """A class map from a JSON object or a two-column CSV file (see the module docstring).

    Raises ValueError with a one-line reason for a missing or malformed file."""
    if not os.path.isfile(path):
        raise ValueError(f"Class map file not found: {path!r}; pass a JSON or CSV file")
    with open(path, encoding="utf-8-sig") as f:
        text = f.read()
    if path.lower().endswith(".json") or text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"Class map {path!r} is not valid JSON ({exc.msg}, line {exc.lineno})"
            ) from None
        if not isinstance(data, dict):
            raise ValueError(
                f'Class map {path!r} must be a JSON object {{"from": "to", ...}}, '
                f"not a {type(data).__name__}"
            )
        pairs = list(data.items())
    else:
        rows = [r for r in csv.reader(text.splitlines()) if any(c.strip() for c in r)]
        if rows and [c.strip().lower() for c in rows[0]] == ["from", "to"]:
            rows = rows[1:]
        bad = next((i for i, r in enumerate(rows) if len(r) != 2), None)
        if bad is not None:
            raise ValueError(
                f"Class map {path!r}: row {bad + 1} has {len(rows[bad])} columns; each row "
                "must be 'from,to' (an empty 'to' leaves the class out)"
            )
        pairs = [(a, b) for a, b in rows]
    return check_class_map(dict(pairs), path)


def check_class_map(class_map: dict, where: str = "class map") -> dict[str, str | None]:
    """``class_map`` with names stripped and empty targets as None; ValueError if a name or a
    target is not a string (or None)."""
    out: dict[str, str | None] = {}
    for key, value in class_map.items():
        if not isinstance(key, str) or not key.strip():
            raise ValueError(f"{where}: class names must be non-empty strings, got {key!r}")
        if value is not None and not isinstance(value, str):
            raise ValueError(
                f"{where}: class {key!r} maps to {value!r}; map it to a class name, or to "
                "null / an empty value to leave it out"
            )
        out[key.strip()] = (value.strip() or None) if isinstance(value, str) else None
    return out
