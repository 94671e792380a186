"""Realism with efficientnet_lite0_content reads its pooled head only (the registry's
head_dims): real weights, small crops of real photos, junk renders among the synthetic ones."""

from __future__ import annotations

import numpy as np
import pytest
from content_images import crops, junk
from PIL import Image
from sklearn.metrics import roc_auc_score

from fiftyone_plugin.core.config import AnalysisConfig
from fiftyone_plugin.core.pipeline import analyze_embeddings
from fiftyone_plugin.embeddings import embed_images, load_model
from fiftyone_plugin.embeddings.efficientnet_lite import (
    CONTENT_DIM,
    CONTENT_GRID,
    CONTENT_STAGES,
    FEATURE_DIM,
    STAGES,
)
from fiftyone_plugin.embeddings.registry import MODELS, feature_blocks, head_dims

FAST = AnalysisConfig(project=False, kid_subsets=10)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    """(pooled, content) embeddings of 36 real crops, then 36 other crops and 12 junk renders
    as the synthetic side; and which synthetic rows are junk."""
    rng = np.random.default_rng(0)
    images = crops(rng, 6) + crops(rng, 6) + junk(rng, 12)
    folder = tmp_path_factory.mktemp("content_realism")
    paths = []
    for i, a in enumerate(images):
        paths.append(folder / f"{i:03d}.png")
        Image.fromarray(a).save(paths[-1])
    out = []
    for name in ("efficientnet_lite0", "efficientnet_lite0_content"):
        model = load_model(name, device="cpu", precision="fp32", backend="torch")
        out.append(embed_images(paths, model, batch_size=32, num_workers=0).vectors)
    return out[0], out[1], np.r_[np.zeros(36, bool), np.ones(12, bool)]


def test_the_content_models_realism_columns_are_its_pooled_head():
    assert head_dims("efficientnet_lite0_content") == FEATURE_DIM
    assert head_dims("efficientnet_lite0") is None and head_dims("zoo:clip") is None
    assert all(s.head_dims is None or s.head_dims < s.dim for s in MODELS.values())


def test_the_content_models_blocks_are_its_head_and_stage_grids():
    blocks = feature_blocks("efficientnet_lite0_content")
    grids = tuple(CONTENT_GRID**2 * STAGES[s - 1][3] for s in CONTENT_STAGES)
    assert blocks == (FEATURE_DIM, *grids)
    assert sum(blocks) == CONTENT_DIM == MODELS["efficientnet_lite0_content"].dim
    assert feature_blocks("efficientnet_lite0") is None and feature_blocks("zoo:clip") is None


def test_content_realism_is_the_pooled_models_realism_and_ranks_junk_last(embedded):
    pooled, content, is_junk = embedded
    dims = head_dims("efficientnet_lite0_content")
    by_pooled = analyze_embeddings(pooled[:36], pooled[36:], FAST)
    by_content = analyze_embeddings(
        content[:36], content[36:], FAST, head_dims=dims,
        blocks=feature_blocks("efficientnet_lite0_content"),
    )  # fmt: skip
    # the power normalisation makes the unit-length head and the raw pooled vector the same input
    # (and cancels the head's weight among the blocks)
    np.testing.assert_allclose(by_content.realism, by_pooled.realism, atol=1e-3)
    assert roc_auc_score(is_junk, -by_content.realism) >= 0.95
