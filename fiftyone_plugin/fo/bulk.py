"""Write many fields of many samples at once.

FiftyOne's ``set_values`` writes one field per pass over the samples; an analysis writes five.
Here all of them go to scratch collections (one per part, parts written at once) and are merged
into the samples collection server-side (MongoDB ``$merge``); ``bench/run.py`` compares this with
a per-sample ``save()`` loop.

Both writes are idempotent, so they are retried for a few seconds when the connection to the
database drops (``retry_on_reconnect``): a database restart or a replica-set failover in the middle
of a run costs a pause, not the run.
"""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import fiftyone as fo
import fiftyone.core.odm as foo
from bson import ObjectId
from pymongo.errors import PyMongoError

#: Documents per insert into a scratch collection.
BATCH = 10_000
#: Parts of a large write merged at once, each through its own scratch collection: MongoDB then
#: updates documents on several cores (faster with 2 parts than 1: docs/BENCHMARKS.md).
PARTS = 2
#: How long an idempotent write is tried again while the database is unreachable (seconds).
RETRY_SECONDS = 5.0


def retry_on_reconnect(write, *args, seconds: float = RETRY_SECONDS, **kwargs):
    """``write(*args, **kwargs)``, called again on pymongo's AutoReconnect (a dropped connection,
    no server to select) until ``seconds`` have passed since the first call; then the error is
    raised. Only for writes that give the same result when repeated whole."""
    from pymongo.errors import AutoReconnect

    start, pause = time.monotonic(), 0.25
    while True:
        try:
            return write(*args, **kwargs)
        except AutoReconnect:
            if time.monotonic() - start + pause > seconds:
                raise
            time.sleep(pause)
            pause = min(2 * pause, 2.0)


def write_columns(dataset: fo.Dataset, ids: list[str], columns: dict[str, list]) -> None:
    """Set field ``name`` of sample ``ids[i]`` to ``columns[name][i]``, for every name.

    Fields must exist on the dataset; values must be plain BSON values (numbers, str, bool, None).
    Retried whole (a new scratch collection each time) while the database reconnects.
    """
    if ids:
        retry_on_reconnect(_write_columns, dataset, ids, columns)


def _write_columns(dataset: fo.Dataset, ids: list[str], columns: dict[str, list]) -> None:
    now = datetime.utcnow()  # FiftyOne stores naive UTC times
    parts = PARTS if len(ids) >= 2 * BATCH else 1
    bounds = [len(ids) * p // parts for p in range(parts + 1)]
    with ThreadPoolExecutor(parts) as pool:
        done = [
            pool.submit(_merge_part, dataset, ids, columns, start, stop, now)
            for start, stop in zip(bounds, bounds[1:], strict=False)
        ]
        for part in done:
            part.result()  # raises the first failure
    dataset._reload_docs(hard=True)  # in-memory samples must see the new values


def _merge_part(dataset, ids, columns, start: int, stop: int, now: datetime) -> None:
    """Rows ``start:stop`` through a scratch collection of their own, merged server-side."""
    scratch = foo.get_db_conn()[f"synthgap_tmp_{uuid.uuid4().hex}"]
    names = list(columns)
    try:
        for lo in range(start, stop, BATCH):
            hi = min(lo + BATCH, stop)
            scratch.insert_many(
                [
                    {"_id": ObjectId(ids[i]), "last_modified_at": now,
                     **{name: columns[name][i] for name in names}}
                    for i in range(lo, hi)
                ],
                ordered=False,
            )  # fmt: skip
        merge = {"into": dataset._sample_collection_name, "on": "_id"}
        merge.update(whenMatched="merge", whenNotMatched="discard")
        scratch.aggregate([{"$merge": merge}])
    finally:
        try:
            scratch.drop()
        except PyMongoError:  # the database went away: the error that matters is the write's
            pass
