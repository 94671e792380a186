"""Labeled objects as units: their embeddings stored on the Detection objects, read back as arrays.

Each object of a Detections field gets its embedding as an attribute of the Detection itself,
``<label_field>.detections.emb_<model>`` (as FiftyOne's own ``compute_embeddings(patches_field=)``
stores patch embeddings), so that a patches view (``to_patches(label_field)``) holds them. That
attribute is synthgap's (its field carries the mark, with the model and the crop settings: see
fields.py); a user's attribute of the same name is never written without ``overwrite``. Objects
under the minimum size get no embedding; an unreadable image gets its reason in ``load_error``,
as with whole images. Work is written back in chunks of images, so a rerun only embeds the objects
still missing one.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import fiftyone as fo
import numpy as np
from fiftyone import ViewField as F

from .. import defaults
from ..core.labels import LabelSet
from ..core.objects import ObjectSides
from ..object_options import ObjectOptions
from ..options import EmbeddingOptions
from ..progress import Progress, report, span
from .bulk import retry_on_reconnect
from .fields import FieldClashError, check_writable, claim_field, field_meta
from .labels import check_label_field, read_labels
from .samples import EmbeddingTable

#: Images whose objects are embedded and written back per chunk.
CHUNK = 256


@dataclass
class ObjectEmbeddingSummary:
    """What a compute_object_embeddings call did, counted in objects: ``computed`` embedded now,
    ``skipped`` holding an embedding already, ``small`` under the minimum size, ``failed`` in
    images that could not be read."""

    field: str
    model: str
    computed: int
    skipped: int
    small: int
    failed: int


def embeddings_path(label_field: str, field: str) -> str:
    """The embedded field holding the object embeddings ``field`` of ``label_field``."""
    return f"{label_field}.detections.{field}"


def check_detections_field(samples, label_field: str) -> None:
    """ValueError unless ``label_field`` holds Detections (what objects are read from)."""
    if check_label_field(samples, label_field) is not fo.Detections:
        raise ValueError(
            f"Field '{label_field}' of dataset '{samples._dataset.name}' holds classifications, "
            "not boxes: objects need a Detections label field (import COCO, YOLO or VOC labels), "
            "or analyze whole images"
        )


def compute_object_embeddings(
    samples: fo.core.collections.SampleCollection,
    label_field: str,
    model=None,
    field: str | None = None,
    options: EmbeddingOptions | None = None,
    objects: ObjectOptions | None = None,
    recompute: bool = False,
    overwrite: bool = False,
    chunk_size: int = CHUNK,
    progress: Progress | None = None,
) -> ObjectEmbeddingSummary:
    """Embed every object of Detections field ``label_field`` of ``samples`` into the attribute
    ``field`` (default ``emb_<model>``) of its Detection: a crop of each image, decoded once for
    all of its objects (embeddings.embed_objects).

    ``model``: None (the model of ``options``), a name, or an EmbeddingModel already loaded.
    ``objects``: the crop settings (default ObjectOptions()); embeddings made with other
    settings or another model are replaced only with ``recompute``, which also retries images
    that failed before. ``overwrite`` allows writing into a user's attribute of that name.
    """
    from ..embeddings import is_zoo_model

    dataset = samples._dataset
    options = (options or EmbeddingOptions()).validate()
    objects = (objects or ObjectOptions()).validate()
    if isinstance(model, str):
        options = options.replace(model=model)
    if options.model == defaults.AUTO_MODEL:  # a whole image's layout says nothing of its boxes
        options = options.replace(model=defaults.MODEL)
    loaded, name = (None, options.model) if model is None or isinstance(model, str) else (
        model, model.name)  # fmt: skip
    if is_zoo_model(name):
        raise ValueError(
            f"Objects are embedded with synthgap's own models, not FiftyOne zoo models ({name!r}): "
            "pass a model of `synthgap analyze --help` (e.g. efficientnet_lite0)"
        )
    check_detections_field(samples, label_field)
    field = defaults.validate_name(field or defaults.embeddings_field(name), "embeddings field")
    path = embeddings_path(label_field, field)
    check_writable(dataset, [path, defaults.ERROR_FIELD], overwrite)
    _check_undeclared(dataset, label_field, field, overwrite)
    settings = {"model": name, **objects.crop_args()}
    stored = field_meta(dataset, path) or {}
    if stored and not recompute:
        differ = {k: (stored.get(k), v) for k, v in settings.items() if stored.get(k) != v}
        if differ:
            said = ", ".join(f"{k} {a!r} (now {b!r})" for k, (a, b) in differ.items())
            raise ValueError(
                f"The object embeddings in '{path}' were made with {said}; pass recompute to "
                "replace them, or another embeddings field"
            )
    with_objects = samples.match(F(f"{label_field}.detections").length() > 0)
    todo = with_objects if recompute else _missing(with_objects, label_field, field)
    n_total = with_objects.count(f"{label_field}.detections")
    sample_ids, paths, label_ids, boxes = todo.values(
        ["id", "filepath", f"{label_field}.detections.id", f"{label_field}.detections.bounding_box"]
    )
    have = set() if recompute else set(_embedded_ids(todo, label_field, field))
    wanted = [
        [(i, b) for i, b in zip(ids or [], bs or [], strict=True)
         if b is not None and len(b) == 4 and i not in have]
        for ids, bs in zip(label_ids, boxes, strict=True)
    ]  # fmt: skip
    n_todo = sum(len(w) for w in wanted)
    skipped = n_total - n_todo
    if not n_todo:
        report(progress, 1.0, "object embeddings up to date")
        return ObjectEmbeddingSummary(path, name, 0, skipped, 0, 0)
    if loaded is None:
        from ..embeddings import load_model

        report(progress, 0.0, f"loading {name}")
        loaded = load_model(options)
    claim_field(dataset, defaults.ERROR_FIELD, fo.StringField)
    claim_field(dataset, path, fo.VectorField, dim=loaded.dim, **settings)
    counts = np.zeros(3, dtype=int)  # computed, small, failed
    for start in range(0, len(sample_ids), chunk_size):
        stop = min(start + chunk_size, len(sample_ids))
        counts += _embed_chunk(
            dataset, path, loaded, options, objects, sample_ids[start:stop], paths[start:stop],
            wanted[start:stop], span(progress, start / len(sample_ids), stop / len(sample_ids)),
        )  # fmt: skip
    computed, small, failed = (int(c) for c in counts)
    report(progress, 1.0, f"embedded {computed} objects")
    return ObjectEmbeddingSummary(path, name, computed, skipped, small, failed)


def _embed_chunk(dataset, path, model, options, objects, sample_ids, paths, wanted, progress):
    """Embed the ``wanted`` (label id, box) of each image of the chunk and write the results."""
    from ..embeddings.objects import embed_objects, too_small

    result = embed_objects(
        paths, [np.array([b for _, b in w], dtype=np.float64).reshape(-1, 4) for w in wanted],
        model, batch_size=options.batch_size, num_workers=options.num_workers,
        progress=progress, max_pixels=options.max_pixels, **objects.crop_args(),
    )  # fmt: skip
    values, image_errors, row = [], {}, 0
    for sample_id, objs in zip(sample_ids, wanted, strict=True):
        image_errors[sample_id] = None
        for label_id, _ in objs:
            error = result.errors[row]
            if error is None:
                values.append(
                    {"sample_id": sample_id, "label_id": label_id, "value": result.vectors[row]}
                )
            elif not too_small(error):
                image_errors[sample_id] = error.removeprefix("image: ")
            row += 1
    retry_on_reconnect(dataset.set_values, defaults.ERROR_FIELD, image_errors, key_field="id")
    if values:
        retry_on_reconnect(dataset.set_label_values, path, values)
    n_small = result.n_small
    return np.array([len(values), n_small, row - len(values) - n_small])


def _embedded_ids(samples, label_field: str, field: str) -> list[str]:
    """Label ids of the objects of ``samples`` holding an embedding in ``field``."""
    holding = samples.filter_labels(label_field, F(field).exists(), only_matches=True)
    return holding.values(f"{label_field}.detections.id", unwind=True)


def _missing(samples, label_field: str, field: str):
    """Samples with an object lacking an embedding in ``field``, whose image did not fail."""
    view = samples.match(F(defaults.ERROR_FIELD) == None)  # noqa: E711 (a database expression)
    lacking = F(f"{label_field}.detections").filter(~F(field).exists()).length() > 0
    return view.match(lacking)


def _check_undeclared(dataset: fo.Dataset, label_field: str, field: str, overwrite: bool) -> None:
    """FieldClashError if objects of ``label_field`` hold an attribute ``field`` that is not in
    the dataset's schema (a user's value synthgap would overwrite)."""
    if overwrite or dataset.has_sample_field(embeddings_path(label_field, field)):
        return
    holding = F(f"{label_field}.detections").filter(F(field).exists()).length() > 0
    n = dataset.match(holding).count()
    if n:
        raise FieldClashError(
            f"Objects of '{label_field}' in {n} sample(s) of dataset '{dataset.name}' already "
            f"have an attribute '{field}' that synthgap did not write; pass another embeddings "
            "field name, or overwrite"
        )


# ---------------------------------------------------------------------------------------------
# Reading the objects of both sides back


@dataclass
class ObjectSide:
    """One side's objects as read back: ``sides`` (the core's ObjectSides: every box of the
    side's images, and which of them are analyzed), ``vectors`` (one row per analyzed object),
    ``sample_ids`` / ``filepaths`` (per image of the side, in the order of
    ``sides.labels.objects.image``)."""

    sides: ObjectSides
    vectors: np.ndarray
    sample_ids: list[str]
    filepaths: list[str]


def read_objects(
    samples: fo.core.collections.SampleCollection,
    label_field: str,
    field: str,
    sample_ids: list[str],
    class_map: dict | None = None,
) -> ObjectSide:
    """The objects of samples ``sample_ids`` (Detections field ``label_field``, classes renamed
    by ``class_map``) with their embeddings in attribute ``field``; objects without a finite
    embedding of the common length are left out of the analyzed rows."""
    labels: LabelSet = read_labels(samples, label_field, sample_ids, class_map)
    view = samples.select(sample_ids, ordered=True)
    by_id = object_vectors(view, label_field, field)
    object_ids = labels.objects.ids
    rows, found = [], []
    for row, object_id in enumerate(object_ids):
        v = by_id.get(object_id)
        if v is not None:
            rows.append(row)
            found.append(np.asarray(v, dtype=np.float32))
    dims = {len(v) for v in found}
    if len(dims) > 1:
        raise ValueError(
            f"Object embeddings in '{embeddings_path(label_field, field)}' have mixed dimensions "
            f"{sorted(dims)}; recompute them with one model"
        )
    matrix = np.stack(found) if found else np.zeros((0, 0), np.float32)
    finite = np.isfinite(matrix).all(axis=1) if len(found) else np.zeros(0, bool)
    paths = view.values("filepath")
    return ObjectSide(
        ObjectSides(labels, np.asarray(rows, dtype=np.int64)[finite]), matrix[finite],
        list(sample_ids), paths,
    )  # fmt: skip


def object_vectors(samples, label_field: str, field: str) -> dict:
    """Label id -> embedding (attribute ``field``) of the objects of ``label_field`` holding one."""
    ids, vectors = samples.values(
        [f"{label_field}.detections.id", f"{label_field}.detections.{field}"], unwind=True
    )
    return {i: v for i, v in zip(ids, vectors, strict=True) if v is not None}


@dataclass
class ObjectRows(EmbeddingTable):
    """The analyzed objects of both sides as one table, real first: row i is object ``ids[i]``
    (its label id) of image ``sample_ids[i]`` (at ``filepaths[i]``), of class ``labels[i]``
    with box ``boxes[i]`` ([x, y, w, h] relative), embedding ``vectors[i]``."""

    sample_ids: list[str] = dataclasses.field(default_factory=list)
    labels: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, dtype=object))
    boxes: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros((0, 4)))


def object_rows(real: ObjectSide, synthetic: ObjectSide) -> ObjectRows:
    """The analyzed objects of ``real`` then ``synthetic`` as one ObjectRows table."""
    parts = []
    for side, domain in ((real, defaults.REAL), (synthetic, defaults.SYNTHETIC)):
        o = side.sides.objects
        parts.append((o, domain, side))
    return ObjectRows(
        ids=[str(i) for o, _, _ in parts for i in o.ids],
        filepaths=[s.filepaths[k] for o, _, s in parts for k in o.image],
        domains=np.array([d for o, d, _ in parts for _ in range(len(o))], dtype=object),
        vectors=np.vstack([real.vectors, synthetic.vectors]).astype(np.float32),
        n_non_finite=0,
        sample_ids=[s.sample_ids[k] for o, _, s in parts for k in o.image],
        labels=np.concatenate([o.label for o, _, _ in parts]).astype(object),
        boxes=np.vstack([o.box for o, _, _ in parts]).reshape(-1, 4),
    )
