"""fo.bulk.write_columns: every value lands on its own sample, in one part or in several at once,
and no scratch collection is left behind."""

from __future__ import annotations

import fiftyone as fo
import fiftyone.core.odm as foo
import numpy as np
import pytest

from fiftyone_plugin.fo import bulk


@pytest.mark.parametrize("n", [50, 2 * bulk.BATCH + 3], ids=["one-part", "parts-at-once"])
def test_every_value_lands_on_its_sample(dataset_name, n):
    dataset = fo.Dataset(dataset_name)
    dataset.add_samples([fo.Sample(filepath=f"/images/{i}.jpg") for i in range(n)], progress=False)
    dataset.add_sample_field("score", fo.FloatField)
    dataset.add_sample_field("flag", fo.BooleanField)
    ids = dataset.values("id")
    rng = np.random.default_rng(0)
    order = rng.permutation(n)  # ids in any order
    scores = rng.random(n).tolist()
    flags = (rng.random(n) < 0.3).tolist()
    before = dict(zip(ids, dataset.values("last_modified_at"), strict=True))

    bulk.write_columns(dataset, [ids[i] for i in order], {"score": scores, "flag": flags})

    got = dict(
        zip(dataset.values("id"), zip(*dataset.values(["score", "flag"]), strict=True), strict=True)
    )
    assert all(got[ids[i]] == (scores[k], flags[k]) for k, i in enumerate(order))
    after = dict(zip(dataset.values("id"), dataset.values("last_modified_at"), strict=True))
    assert all(after[i] > before[i] for i in ids)
    assert not [
        c for c in foo.get_db_conn().list_collection_names() if c.startswith("synthgap_tmp_")
    ]
