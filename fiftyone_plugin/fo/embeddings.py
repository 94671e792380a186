"""Compute embeddings for the samples of a collection and store them in a vector field.

Work is written back in chunks, so an interrupted run keeps what it finished and the next run only
embeds what is missing. The field records which model filled it; mixing models needs ``recompute``.

Several workers (processes, machines sharing one MongoDB) split the work with ``shard=(i, n)``:
worker ``i`` of ``n`` embeds only the samples of shard ``i`` (see :func:`in_shard`), so ``n``
workers started on the same collection and field embed disjoint parts that together cover it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import fiftyone as fo
from fiftyone import ViewField as F

from .. import defaults
from ..options import EmbeddingOptions
from ..progress import Progress, report, span
from .bulk import retry_on_reconnect
from .fields import check_writable, claim_field, field_meta

if TYPE_CHECKING:
    from ..embeddings import EmbeddingModel

#: Samples embedded and written back per chunk (what a killed run can lose at most).
CHUNK = 1024


def auto_model(samples: fo.core.collections.SampleCollection) -> tuple[str, float | None]:
    """The default model choice (embeddings/layout.choose_model) for the real samples of
    ``samples`` (all of them when none is marked real), and their layout share."""
    from ..embeddings.layout import choose_model

    real = samples
    if samples.has_sample_field(defaults.DOMAIN_FIELD):
        real = samples.match(F(defaults.DOMAIN_FIELD) == defaults.REAL)
    return choose_model(real.values("filepath") or samples.values("filepath"))


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
    model: str | EmbeddingModel | None = None,
    field: str | None = None,
    options: EmbeddingOptions | None = None,
    recompute: bool = False,
    overwrite: bool = False,
    chunk_size: int = CHUNK,
    shard: tuple[int, int] | None = None,
    progress: Progress | None = None,
) -> EmbeddingSummary:
    """Embed the images of ``samples`` into ``field`` (default ``emb_<model>``).

    ``options``: how images are embedded (default EmbeddingOptions()). ``model``: None (the
    model of ``options``; "auto" takes :func:`auto_model`'s), a model name (the same as
    ``options.replace(model=name)``) or an
    :class:`~fiftyone_plugin.embeddings.EmbeddingModel` already loaded with
    :func:`~fiftyone_plugin.embeddings.load_model`, to embed several collections without loading
    (or compiling) it again; the options that build a network are then ignored (batch_size,
    num_workers and max_pixels still apply).

    Samples that already hold embeddings from the same model, or that failed to load before, are
    skipped unless ``recompute``. Unreadable images get their reason in the ``load_error`` field;
    images of more than ``options.max_pixels`` pixels are refused as decompression bombs.
    ``overwrite`` allows writing into a user's field of the same name.

    ``shard=(i, n)`` (``0 <= i < n``) makes this call worker ``i`` of ``n``: it only looks at the
    samples of shard ``i`` (:func:`in_shard`), and its counts (computed, skipped, failed) are of
    that shard. Run ``n`` calls, one per shard, on the same collection and field, in any order or
    at once, on any machines sharing the database; each is resumable on its own.
    """
    from ..embeddings import is_zoo_model

    shard = check_shard(shard)
    dataset = samples._dataset
    options = options or EmbeddingOptions()
    if isinstance(model, str):
        options = options.replace(model=model)
    options.validate()
    if model is None and options.model == defaults.AUTO_MODEL:
        options = options.replace(model=auto_model(samples)[0])
    loaded, model = (
        (None, options.model) if model is None or isinstance(model, str) else (model, model.name)
    )
    field = defaults.validate_name(field or defaults.embeddings_field(model), "embeddings field")
    check_writable(dataset, [field, defaults.ERROR_FIELD], overwrite)
    stored = (field_meta(dataset, field) or {}).get("model")
    if stored and stored != model and not recompute:
        raise ValueError(
            f"Field '{field}' holds embeddings of model '{stored}', not '{model}'; pass another "
            "field name or recompute to replace them"
        )
    todo = samples if recompute or stored != model else _missing(samples, field)
    # listed now: `todo` is a lazy view that empties as results are written
    ids, paths = todo.values(["id", "filepath"])
    n_mine = len(samples)
    if shard is not None:
        mine = [in_shard(i, shard) for i in ids]
        ids = [i for i, m in zip(ids, mine, strict=True) if m]
        paths = [p for p, m in zip(paths, mine, strict=True) if m]
        n_mine = sum(in_shard(i, shard) for i in samples.values("id"))
    n_todo = len(ids)
    skipped = n_mine - n_todo
    if not n_todo:
        report(progress, 1.0, "embeddings up to date")
        return EmbeddingSummary(field, model, 0, skipped, 0)

    claim_field(dataset, defaults.ERROR_FIELD, fo.StringField)
    if is_zoo_model(model):
        failed = _embed_with_zoo(dataset, ids, model, field, options, chunk_size, progress)
    else:
        if loaded is None:
            from ..embeddings import load_model

            report(progress, 0.0, f"loading {model}")
            loaded = load_model(options)
        failed = _embed_with_registry(
            dataset, ids, paths, loaded, field, options, chunk_size, progress
        )
    return EmbeddingSummary(field, model, n_todo - failed, skipped, failed)


def check_shard(shard: tuple[int, int] | None) -> tuple[int, int] | None:
    """``shard`` as a validated ``(index, count)`` pair of ints, or None (no sharding)."""
    if shard is None:
        return None
    try:
        index, count = (int(x) for x in shard)
    except (TypeError, ValueError):
        raise ValueError(f"shard must be a pair (index, count) of ints, not {shard!r}") from None
    if count < 1 or not 0 <= index < count:
        raise ValueError(f"shard {index}/{count}: need 0 <= index < count (worker index of count)")
    return index, count


def in_shard(sample_id: str, shard: tuple[int, int]) -> bool:
    """Whether the sample of id ``sample_id`` belongs to shard ``(index, count)``.

    A stable hash of the id (BLAKE2b, 8 bytes) modulo ``count``: a sample's shard depends on
    nothing but its id and ``count``, not on which samples exist, are in the view or are already
    done, so workers started at different times never overlap and never miss one. Shards are
    balanced in expectation (for 1M samples and 8 workers, within about 0.3% of each other).
    """
    index, count = shard
    digest = hashlib.blake2b(sample_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % count == index


def _missing(samples, field: str):
    view = samples.match(F(defaults.ERROR_FIELD) == None)  # noqa: E711 (a database expression)
    if samples._dataset.has_sample_field(field):
        view = view.exists(field, False)
    return view


def _embed_with_registry(dataset, ids, paths, model, field, options, chunk_size, progress) -> int:
    from ..embeddings import embed_images

    claim_field(dataset, field, fo.VectorField, model=model.name, dim=model.dim)
    failed = 0
    for start in range(0, len(ids), chunk_size):
        stop = min(start + chunk_size, len(ids))
        result = embed_images(
            paths[start:stop],
            model,
            batch_size=options.batch_size,
            num_workers=options.num_workers,
            progress=span(progress, start / len(ids), stop / len(ids)),
            max_pixels=options.max_pixels,
            decoder=options.decoder,
        )
        good = {
            i: v
            for i, v, e in zip(ids[start:stop], result.vectors, result.errors, strict=True)
            if e is None
        }
        bad = {i: e for i, e in zip(ids[start:stop], result.errors, strict=True) if e is not None}
        errors = {**{i: None for i in good}, **bad}
        # idempotent writes by id: retried while the database reconnects
        retry_on_reconnect(dataset.set_values, defaults.ERROR_FIELD, errors, key_field="id")
        if good:
            retry_on_reconnect(dataset.set_values, field, good, key_field="id")
        failed += len(bad)
    report(progress, 1.0, f"embedded {len(ids) - failed} images")
    return failed


def _embed_with_zoo(dataset, ids, model_name, field, options, chunk_size, progress) -> int:
    import fiftyone.zoo as foz

    report(progress, 0.0, f"loading {model_name}")
    model = foz.load_zoo_model(model_name.removeprefix("zoo:"))
    failed = 0
    for start in range(0, len(ids), chunk_size):
        report(progress, start / len(ids), f"embedding with the zoo model ({start}/{len(ids)})")
        chunk = dataset.select(ids[start : start + chunk_size])
        chunk.compute_embeddings(
            model,
            embeddings_field=field,
            batch_size=options.batch_size,
            num_workers=options.num_workers,
            skip_failures=True,
            progress=False,
        )
        dim = len(next(iter(chunk.exists(field).values(field)), []))
        claim_field(
            dataset, field, fo.VectorField, model=model_name, **({"dim": dim} if dim else {})
        )
        missing = chunk.exists(field, False)
        failed += len(missing)
        missing.set_field(defaults.ERROR_FIELD, "the zoo model could not embed this image").save()
    report(progress, 1.0, "embedded with the zoo model")
    return failed
