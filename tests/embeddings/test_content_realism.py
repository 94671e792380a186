"""Realism with efficientnet_lite0_content reads its pooled head only (the registry's
realism_dims): real weights, small crops of real photos, junk renders among the synthetic ones."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from skimage import data
from sklearn.metrics import roc_auc_score

from fiftyone_plugin.core.pipeline import AnalysisConfig, analyze_embeddings
from fiftyone_plugin.embeddings import embed_images, load_model
from fiftyone_plugin.embeddings.efficientnet_lite import FEATURE_DIM
from fiftyone_plugin.embeddings.registry import MODELS, realism_dims

FAST = AnalysisConfig(project=False, kid_subsets=10)
PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "brick", "grass")


def _crops(rng: np.random.Generator, per_photo: int, size: int = 48) -> list[np.ndarray]:
    out = []
    for name in PHOTOS:
        photo = getattr(data, name)()
        photo = np.repeat(photo[..., None], 3, axis=2) if photo.ndim == 2 else photo[..., :3]
        h, w = photo.shape[:2]
        for _ in range(per_photo):
            s = int(rng.uniform(0.3, 0.6) * min(h, w))
            y, x = rng.integers(0, h - s + 1), rng.integers(0, w - s + 1)
            crop = Image.fromarray(photo[y : y + s, x : x + s]).resize((size, size))
            out.append(np.asarray(crop))
    return out


def _junk(rng: np.random.Generator, n: int, size: int = 48) -> list[np.ndarray]:
    """Pure noise, blank frames of one colour, magenta / black stripes."""
    out = []
    for i in range(n):
        if i % 3 == 0:
            a = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
        elif i % 3 == 1:
            a = np.full((size, size, 3), rng.integers(0, 256, 3), np.uint8)
        else:
            a = np.zeros((size, size, 3), np.uint8)
            a[..., 0] = a[..., 2] = 255
            a[np.arange(size) // 6 % 2 == 0] = 0
        out.append(a)
    return out


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    """(pooled, content) embeddings of 36 real crops, then 36 other crops and 12 junk renders
    as the synthetic side; and which synthetic rows are junk."""
    rng = np.random.default_rng(0)
    images = _crops(rng, 6) + _crops(rng, 6) + _junk(rng, 12)
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
    assert realism_dims("efficientnet_lite0_content") == FEATURE_DIM
    assert realism_dims("efficientnet_lite0") is None and realism_dims("zoo:clip") is None
    assert all(s.realism_dims is None or s.realism_dims < s.dim for s in MODELS.values())


def test_content_realism_is_the_pooled_models_realism_and_ranks_junk_last(embedded):
    pooled, content, is_junk = embedded
    dims = realism_dims("efficientnet_lite0_content")
    by_pooled = analyze_embeddings(pooled[:36], pooled[36:], FAST)
    by_content = analyze_embeddings(content[:36], content[36:], FAST, realism_dims=dims)
    # the power normalisation makes the unit-length head and the raw pooled vector the same input
    np.testing.assert_allclose(by_content.realism, by_pooled.realism, atol=1e-3)
    assert roc_auc_score(is_junk, -by_content.realism) >= 0.95
