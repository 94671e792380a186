"""Which sample fields synthgap owns, so it never overwrites a user's field by accident.

A field synthgap creates carries ``field.info["synthgap"]`` (a dict of facts about it, e.g. the
embedding model). Any other field of the same name is the user's: writing to it needs
``overwrite=True``.
"""

from __future__ import annotations

from typing import Any

import fiftyone as fo

OWNER_KEY = "synthgap"


class FieldClashError(ValueError):
    """Something synthgap wants to write exists and belongs to the user: a field, or (see
    fo/runs.py) a saved view, a brain run or a tag of the names an analysis run writes."""


def field_meta(dataset: fo.Dataset, name: str) -> dict[str, Any] | None:
    """synthgap's facts about field ``name``, or None if synthgap did not create it."""
    field = dataset.get_field(name)
    if field is None:
        return None
    return (field.info or {}).get(OWNER_KEY)


def check_writable(dataset: fo.Dataset, names: list[str], overwrite: bool) -> None:
    """Raise FieldClashError if any of ``names`` is a user field and ``overwrite`` is False."""
    clashes = [n for n in names if dataset.has_sample_field(n) and field_meta(dataset, n) is None]
    if clashes and not overwrite:
        raise FieldClashError(
            f"Field(s) {', '.join(clashes)} already exist on dataset '{dataset.name}' and were not "
            "created by synthgap; choose other names (e.g. another run name) or pass overwrite"
        )


def claim_field(dataset: fo.Dataset, name: str, ftype: type, **meta: Any) -> None:
    """Create field ``name`` of type ``ftype`` if missing and record synthgap's facts on it."""
    from .locks import dataset_lock

    # FiftyOne saves a dataset's field list whole: one process at a time, from a fresh read, so
    # fields another process just added are kept
    with dataset_lock(dataset.name, "schema"):
        dataset.reload()
        if not dataset.has_sample_field(name):
            # created with its mark in one write: a worker sharing the database never sees it unowned
            dataset.add_sample_field(name, ftype, info={OWNER_KEY: dict(meta)})
            return
        field = dataset.get_field(name)
        info = {**(field.info or {}), OWNER_KEY: {**(field_meta(dataset, name) or {}), **meta}}
        field.info = info
        field.save()
