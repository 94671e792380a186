"""Samples and their domain: import folders, mark views, read embeddings out as arrays."""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass

import fiftyone as fo
import numpy as np
from fiftyone import ViewField as F

from .. import defaults
from ..progress import Progress, report
from .app_config import domain_colors, show_on_tiles
from .counts import check_counts
from .fields import FieldClashError, claim_field, field_meta


@dataclass
class ImportSummary:
    """What an import did: ``added`` new samples, ``existing`` files already in the dataset
    (left as they were), ``other_domain`` of those that are marked with the other domain."""

    added: int
    existing: int
    other_domain: int


def load_or_create_dataset(name: str) -> fo.Dataset:
    """The persistent dataset ``name``, created if it does not exist (an existing one with its
    stale count repaired: fo/counts.py)."""
    if fo.dataset_exists(name):
        return check_counts(fo.load_dataset(name))
    try:
        return fo.Dataset(name, persistent=True)
    except Exception:
        if fo.dataset_exists(name):  # another process created it meanwhile
            return check_counts(fo.load_dataset(name))
        raise


def load_dataset(name: str, missing: str | None = None) -> fo.Dataset:
    """The existing dataset ``name`` (its stale count repaired: fo/counts.py); otherwise
    ValueError ``missing``, by default naming the datasets there are."""
    if not fo.dataset_exists(name):
        raise ValueError(
            missing
            or f"No dataset named {name!r}; available: {fo.list_datasets()} "
            "(create one with `synthgap analyze` or `synthgap demo`)"
        )
    return check_counts(fo.load_dataset(name))


def list_images(source: str, recursive: bool = True) -> list[str]:
    """Absolute paths of the image files in folder ``source`` (or matching glob ``source``).

    Folder symlinks are followed once each (symlink loops are skipped); the result is sorted.
    """
    if glob.has_magic(source):
        paths = [p for p in glob.glob(source, recursive=recursive) if os.path.isfile(p)]
    elif os.path.isdir(source):
        paths, seen = [], set()
        for root, dirs, files in os.walk(source, followlinks=True):
            real = os.path.realpath(root)
            if real in seen:
                dirs[:] = []
                continue
            seen.add(real)
            dirs[:] = sorted(d for d in dirs if not d.startswith(".")) if recursive else []
            paths.extend(os.path.join(root, f) for f in files)
    else:
        raise ValueError(f"Folder not found: {source!r}; pass an existing folder or a glob pattern")
    images = [p for p in paths if p.lower().endswith(defaults.IMAGE_EXTENSIONS)]
    return sorted(os.path.abspath(p) for p in images)


def domain_field_problem(dataset: fo.Dataset) -> str | None:
    """Why synthgap cannot write the ``domain`` field of ``dataset``, or None if it can."""
    name = defaults.DOMAIN_FIELD
    if dataset.has_sample_field(name) and field_meta(dataset, name) is None:
        values = set(dataset.distinct(name)) - set(defaults.DOMAINS)
        if values:
            return (
                f"Field '{name}' on dataset '{dataset.name}' holds values {sorted(values)!r}, "
                f"not only {defaults.DOMAINS}; rename that field before using synthgap"
            )
    return None


def ensure_domain_field(dataset: fo.Dataset) -> None:
    """Make sure ``domain`` can be written: ours, or a user field holding only real/synthetic."""
    problem = domain_field_problem(dataset)
    if problem:
        raise FieldClashError(problem)
    claim_field(dataset, defaults.DOMAIN_FIELD, fo.StringField)
    domain_colors(dataset)
    show_on_tiles(dataset, [defaults.DOMAIN_FIELD])


def import_images(
    dataset: fo.Dataset,
    paths: list[str],
    domain: str,
    progress: Progress | None = None,
    labels: list | None = None,
    label_field: str | None = None,
) -> ImportSummary:
    """Add the files in ``paths`` as samples of ``domain``; files already present are skipped
    (also when another process imports the same files at the same time). ``labels``: one
    FiftyOne label (or None) per path, stored in ``label_field`` of the new samples and of
    present samples whose ``label_field`` is empty (labels already there are kept)."""
    from .locks import dataset_lock

    _check_domain(domain)
    ensure_domain_field(dataset)
    by_path = dict(zip(paths, labels, strict=True)) if labels is not None else {}
    with dataset_lock(dataset.name, "import", progress):
        present = dict(zip(*dataset.values(["filepath", defaults.DOMAIN_FIELD]), strict=True))
        new = [p for p in dict.fromkeys(paths) if p not in present]
        report(progress, 0.0, f"adding {len(new)} {domain} images")
        if new:
            samples = [
                fo.Sample(filepath=p, tags=[domain], **{defaults.DOMAIN_FIELD: domain}) for p in new
            ]
            for sample in samples:
                if by_path.get(sample.filepath) is not None:
                    sample[label_field] = by_path[sample.filepath]
            dataset.add_samples(samples, progress=False)
        if by_path and dataset.has_sample_field(label_field):
            _fill_missing_labels(dataset, by_path, label_field, set(present))
            show_on_tiles(dataset, [label_field])
    other = sum(1 for p in paths if p in present and present[p] != domain)
    report(progress, 1.0, f"added {len(new)} {domain} images")
    return ImportSummary(added=len(new), existing=len(paths) - len(new), other_domain=other)


def _fill_missing_labels(
    dataset: fo.Dataset, by_path: dict, label_field: str, present: set[str]
) -> None:
    """Store ``by_path`` labels on the ``present`` samples whose ``label_field`` is empty."""
    empty = dataset.select_by("filepath", [p for p in by_path if p in present]).exists(
        label_field, False
    )
    paths = [p for p in empty.values("filepath") if by_path.get(p) is not None]
    if paths:
        values = {p: by_path[p] for p in paths}
        dataset.select_by("filepath", paths).set_values(
            label_field, values, key_field="filepath", validate=True
        )


def import_folder(
    dataset: fo.Dataset,
    source: str,
    domain: str,
    recursive: bool = True,
    progress: Progress | None = None,
) -> ImportSummary:
    """Add the images in folder (or glob) ``source`` as samples of ``domain``; see import_images."""
    paths = list_images(source, recursive=recursive)
    if not paths:
        raise ValueError(
            f"No image files ({', '.join(defaults.IMAGE_EXTENSIONS)}) found in {source!r}"
        )
    return import_images(dataset, paths, domain, progress)


def mark_domain(samples: fo.core.collections.SampleCollection, domain: str) -> int:
    """Set every sample of ``samples`` to ``domain`` (field and tag); returns how many."""
    _check_domain(domain)
    ensure_domain_field(samples._dataset)
    other = defaults.REAL if domain == defaults.SYNTHETIC else defaults.SYNTHETIC
    samples.set_field(defaults.DOMAIN_FIELD, domain).save()
    samples.untag_samples(other)
    samples.tag_samples(domain)
    return len(samples)


def domain_counts(samples: fo.core.collections.SampleCollection) -> dict[str, int]:
    """Number of real and synthetic samples in ``samples``."""
    if not samples._dataset.has_sample_field(defaults.DOMAIN_FIELD):
        return {d: 0 for d in defaults.DOMAINS}
    counts = samples.count_values(defaults.DOMAIN_FIELD)
    return {d: counts.get(d, 0) for d in defaults.DOMAINS}


def domain_view(samples: fo.core.collections.SampleCollection) -> fo.DatasetView:
    """The samples marked real or synthetic."""
    return samples.match(F(defaults.DOMAIN_FIELD).is_in(list(defaults.DOMAINS)))


@dataclass
class EmbeddingTable:
    """Embeddings read out of a collection: row i belongs to sample ``ids[i]``."""

    ids: list[str]
    filepaths: list[str]
    domains: np.ndarray
    vectors: np.ndarray
    n_non_finite: int


def read_embeddings(samples: fo.core.collections.SampleCollection, field: str) -> EmbeddingTable:
    """The finite embeddings in ``field`` of the real and synthetic samples of ``samples``."""
    if not samples._dataset.has_sample_field(field):
        raise ValueError(
            f"Dataset '{samples._dataset.name}' has no embeddings field '{field}'; "
            "compute embeddings first (synthgap analyze does it for you)"
        )
    view = domain_view(samples).exists(field)
    ids, paths, domains, vectors = view.values(["id", "filepath", defaults.DOMAIN_FIELD, field])
    if not ids:
        return EmbeddingTable([], [], np.array([], dtype=object), np.zeros((0, 0), "f4"), 0)
    dims = {len(v) for v in vectors}
    if len(dims) > 1:
        raise ValueError(
            f"Embeddings in '{field}' have mixed dimensions {sorted(dims)}; recompute them with one "
            "model (recompute option) or use another embeddings field"
        )
    matrix = np.asarray(np.stack(vectors), dtype=np.float32)
    finite = np.isfinite(matrix).all(axis=1)
    keep = np.flatnonzero(finite)
    return EmbeddingTable(
        ids=[ids[i] for i in keep],
        filepaths=[paths[i] for i in keep],
        domains=np.asarray(domains, dtype=object)[keep],
        vectors=matrix[keep],
        n_non_finite=int((~finite).sum()),
    )


def _check_domain(domain: str) -> None:
    if domain not in defaults.DOMAINS:
        raise ValueError(f"Unknown domain {domain!r}; use one of {defaults.DOMAINS}")
