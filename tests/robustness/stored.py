"""Datasets with hand-made embeddings stored the way synthgap stores them, for tests of the
analysis step that need no images (each takes well under a second)."""

from __future__ import annotations

import fiftyone as fo
import numpy as np

from fiftyone_plugin.core.config import AnalysisConfig
from fiftyone_plugin.fo.fields import claim_field
from fiftyone_plugin.fo.runs import RESULT_FIELDS
from fiftyone_plugin.fo.samples import import_images, load_or_create_dataset

FIELD = "emb_test"
DIM = 8
FAST = AnalysisConfig(project=False, seed=0)  # no UMAP map: these tests are about the checks


def embedded(name: str, real: np.ndarray, synthetic: np.ndarray, dim: int = DIM) -> fo.Dataset:
    """A dataset whose samples hold the given vectors (rows) in a synthgap embeddings field."""
    dataset = load_or_create_dataset(name)
    for side, vectors in (("real", real), ("synthetic", synthetic)):
        paths = [f"/data/{side}/{i:03d}.png" for i in range(len(vectors))]
        import_images(dataset, paths, side)
        if len(vectors):
            claim_field(dataset, FIELD, fo.VectorField, model="test-model", dim=dim)
            ids = dataset.select_by("filepath", paths, ordered=True).values("id")
            dataset.set_values(FIELD, dict(zip(ids, list(vectors), strict=True)), key_field="id")
    return dataset


def assert_nothing_written(dataset: fo.Dataset) -> None:
    dataset.reload()
    assert not set(RESULT_FIELDS) & set(dataset.get_field_schema())
    assert dataset.list_runs() == [] and dataset.list_brain_runs() == []
    assert dataset.list_saved_views() == [] and "uncovered" not in dataset.distinct("tags")


def blobs(n: int, seed: int, dim: int = DIM) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, dim))
