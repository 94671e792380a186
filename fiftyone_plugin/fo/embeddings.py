"""Compute embeddings for the samples of a collection and store them in a vector field.

Work is written back in chunks, so an interrupted run keeps what it finished and the next run only
embeds what is missing. The field records which model filled it; mixing models needs ``recompute``.
"""

from __future__ import annotations

from dataclasses import dataclass

import fiftyone as fo
from fiftyone import ViewField as F

from .. import defaults
from ..progress import Progress, report, span
from .fields import check_writable, claim_field, field_meta

#: Samples embedded and written back per chunk (what a killed run can lose at most).
CHUNK = 1024


@dataclass
class EmbeddingSummary:
    """What a compute_embeddings call did."""

    field: str
    model: str
    computed: int
    skipped: int
    failed: int


def compute_embeddings(
    samples: fo.core.collections.SampleCollection,
    model: str = defaults.MODEL,
    field: str | None = None,
    device: str = defaults.DEVICE,
    batch_size: int = defaults.BATCH_SIZE,
    num_workers: int = defaults.NUM_WORKERS,
    precision: str = "auto",
    checkpoint: str | None = None,
    recompute: bool = False,
    overwrite: bool = False,
    chunk_size: int = CHUNK,
    progress: Progress | None = None,
) -> EmbeddingSummary:
    """Embed the images of ``samples`` with ``model`` into ``field`` (default ``emb_<model>``).

    Samples that already hold embeddings from the same model, or that failed to load before, are
    skipped unless ``recompute``. Unreadable images get their reason in the ``load_error`` field.
    """
    from ..embeddings import is_zoo_model

    dataset = samples._dataset
    field = defaults.validate_name(field or defaults.embeddings_field(model), "embeddings field")
    check_writable(dataset, [field, defaults.ERROR_FIELD], overwrite)
    stored = (field_meta(dataset, field) or {}).get("model")
    if stored and stored != model and not recompute:
        raise ValueError(
            f"Field '{field}' holds embeddings of model '{stored}', not '{model}'; pass another "
            "field name or recompute to replace them"
        )
    todo = samples if recompute or stored != model else _missing(samples, field)
    n_todo = len(todo)  # counted now: `todo` is a lazy view that empties as results are written
    skipped = len(samples) - n_todo
    if not n_todo:
        report(progress, 1.0, "embeddings up to date")
        return EmbeddingSummary(field, model, 0, skipped, 0)

    claim_field(dataset, defaults.ERROR_FIELD, fo.StringField)
    if is_zoo_model(model):
        failed = _embed_with_zoo(todo, model, field, batch_size, num_workers, progress)
    else:
        failed = _embed_with_registry(
            todo, model, field, device, batch_size, num_workers, precision, checkpoint,
            chunk_size, progress,
        )  # fmt: skip
    return EmbeddingSummary(field, model, n_todo - failed, skipped, failed)


def _missing(samples, field: str):
    view = samples.match(F(defaults.ERROR_FIELD) == None)  # noqa: E711 (a database expression)
    if samples._dataset.has_sample_field(field):
        view = view.exists(field, False)
    return view


def _embed_with_registry(
    todo, model_name, field, device, batch_size, num_workers, precision, checkpoint, chunk_size,
    progress,
) -> int:  # fmt: skip
    from ..embeddings import embed_images, load_model

    report(progress, 0.0, f"loading {model_name}")
    model = load_model(model_name, device=device, checkpoint=checkpoint, precision=precision)
    dataset = todo._dataset
    claim_field(dataset, field, fo.VectorField, model=model_name, dim=model.dim)
    ids, paths = todo.values(["id", "filepath"])
    failed = 0
    for start in range(0, len(ids), chunk_size):
        stop = min(start + chunk_size, len(ids))
        result = embed_images(
            paths[start:stop],
            model,
            batch_size=batch_size,
            num_workers=num_workers,
            progress=span(progress, start / len(ids), stop / len(ids)),
        )
        good = {
            i: v
            for i, v, e in zip(ids[start:stop], result.vectors, result.errors, strict=True)
            if e is None
        }
        bad = {i: e for i, e in zip(ids[start:stop], result.errors, strict=True) if e is not None}
        errors = {**{i: None for i in good}, **bad}
        dataset.set_values(defaults.ERROR_FIELD, errors, key_field="id")
        if good:
            dataset.set_values(field, good, key_field="id")
        failed += len(bad)
    report(progress, 1.0, f"embedded {len(ids) - failed} images")
    return failed


def _embed_with_zoo(todo, model_name, field, batch_size, num_workers, progress) -> int:
    import fiftyone.zoo as foz

    report(progress, 0.0, f"loading {model_name}")
    model = foz.load_zoo_model(model_name.removeprefix("zoo:"))
    todo.compute_embeddings(
        model,
        embeddings_field=field,
        batch_size=batch_size,
        num_workers=num_workers,
        skip_failures=True,
        progress=False,
    )
    dataset = todo._dataset
    dim = len(next(iter(todo.exists(field).values(field)), []))
    claim_field(dataset, field, fo.VectorField, model=model_name, dim=dim)
    missing = todo.exists(field, False)
    missing.set_field(defaults.ERROR_FIELD, "the zoo model could not embed this image").save()
    report(progress, 1.0, "embedded with the zoo model")
    return len(missing)
