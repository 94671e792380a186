"""MongoDB's fast count of a dataset, checked against its documents and repaired when stale.

``len(dataset)`` and the App's sample count read MongoDB's count metadata, which an unclean
shutdown of the database (a killed mongod) can leave behind its documents: a dataset holding 480
samples then reads 0. The ``validate`` command recounts a collection and corrects it.
"""

from __future__ import annotations

import logging

import fiftyone as fo
from pymongo.errors import OperationFailure

logger = logging.getLogger(__name__)


def stale_counts(dataset: fo.Dataset) -> dict[str, tuple[int, int]]:
    """The collections of ``dataset`` whose fast count disagrees with their documents:
    {collection name: (fast count, documents)}; empty when every count is right."""
    stale = {}
    for collection in _collections(dataset):
        estimated = collection.estimated_document_count()
        exact = collection.count_documents({}, hint="_id_")
        if estimated != exact:
            stale[collection.name] = (estimated, exact)
    return stale


def repair_counts(dataset: fo.Dataset) -> str | None:
    """Correct stale fast counts of ``dataset`` (the ``validate`` command); returns one line
    saying what was found and done, or None when the counts were right."""
    stale = stale_counts(dataset)
    if not stale:
        return None
    estimated, exact = next(iter(stale.values()))
    found = (
        f"Dataset '{dataset.name}' holds {exact} documents but the database's count read "
        f"{estimated} (left stale by an unclean database shutdown)"
    )
    try:
        for name in stale:
            dataset._sample_collection.database.command("validate", name)
    except OperationFailure as exc:
        return (
            f"{found}; recounting needs the database's validate command, which was refused "
            f"({str(exc)[:120]}): run `db.runCommand({{validate: '{next(iter(stale))}'}})` as a "
            "database admin. Nothing is lost"
        )
    left = stale_counts(dataset)
    if left:
        return f"{found}; recounting left {left}: nothing is lost, the samples are all there"
    return f"{found}; recounted: it now reads {len(dataset)}"


def check_counts(dataset: fo.Dataset) -> fo.Dataset:
    """``dataset``, its stale fast counts repaired and reported as a warning (see repair_counts)."""
    line = repair_counts(dataset)
    if line:
        logger.warning(line)
    return dataset


def _collections(dataset: fo.Dataset) -> list:
    """The pymongo collections of the dataset's samples (and frames, for videos)."""
    collections = [dataset._sample_collection]
    if dataset._frame_collection is not None:
        collections.append(dataset._frame_collection)
    return collections
