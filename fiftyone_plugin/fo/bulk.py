"""Write many fields of many samples at once.

FiftyOne's ``set_values`` writes one field per pass over the samples; an analysis writes five.
Here all of them go to a scratch collection in one insert and are merged into the samples
collection server-side (MongoDB ``$merge``): about 8x faster than a per-sample ``save()`` loop at
100k samples and 7x faster than ``set_values`` per field (``bench/run.py``).
"""

from __future__ import annotations

import uuid
from datetime import datetime

import fiftyone as fo
import fiftyone.core.odm as foo
from bson import ObjectId

#: Documents per insert into the scratch collection.
BATCH = 10_000


def write_columns(dataset: fo.Dataset, ids: list[str], columns: dict[str, list]) -> None:
    """Set field ``name`` of sample ``ids[i]`` to ``columns[name][i]``, for every name.

    Fields must exist on the dataset; values must be plain BSON values (numbers, str, bool, None).
    """
    if not ids:
        return
    now = datetime.utcnow()  # FiftyOne stores naive UTC times
    db = foo.get_db_conn()
    scratch = db[f"synthgap_tmp_{uuid.uuid4().hex}"]
    names = list(columns)
    try:
        for start in range(0, len(ids), BATCH):
            stop = min(start + BATCH, len(ids))
            scratch.insert_many(
                [
                    {"_id": ObjectId(ids[i]), "last_modified_at": now,
                     **{name: columns[name][i] for name in names}}
                    for i in range(start, stop)
                ],
                ordered=False,
            )  # fmt: skip
        merge = {"into": dataset._sample_collection_name, "on": "_id"}
        merge.update(whenMatched="merge", whenNotMatched="discard")
        scratch.aggregate([{"$merge": merge}])
    finally:
        scratch.drop()
    dataset._reload_docs(hard=True)  # in-memory samples must see the new values
