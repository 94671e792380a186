"""A run on efficientnet_lite0_content embeddings weighs the model's blocks equally and scores
realism on its pooled head (the registry's feature_blocks and head_dims), through the FiftyOne
adapter: real weights, a real dataset."""

from __future__ import annotations

import fiftyone as fo
import numpy as np
from content_images import crops, junk
from PIL import Image

from fiftyone_plugin import defaults
from fiftyone_plugin.core.config import AnalysisConfig
from fiftyone_plugin.core.pipeline import analyze_embeddings
from fiftyone_plugin.embeddings.registry import feature_blocks
from fiftyone_plugin.fo.analysis import analyze
from fiftyone_plugin.fo.embeddings import compute_embeddings
from fiftyone_plugin.fo.samples import import_images, read_embeddings
from fiftyone_plugin.options import EmbeddingOptions

MODEL = "efficientnet_lite0_content"


def test_a_run_on_content_embeddings_weighs_its_blocks_and_scores_realism_on_the_head(
    dataset_name, tmp_path
):
    rng = np.random.default_rng(1)
    files = {
        defaults.REAL: {"crop": crops(rng, 6)},
        defaults.SYNTHETIC: {"crop": crops(rng, 6), "junk": junk(rng, 12)},
    }
    dataset = fo.Dataset(dataset_name)
    for domain, kinds in files.items():
        paths = []
        for kind, images in kinds.items():
            for i, a in enumerate(images):
                paths.append(str(tmp_path / f"{domain}_{kind}_{i:03d}.png"))
                Image.fromarray(a).save(paths[-1])
        import_images(dataset, paths, domain)
    options = EmbeddingOptions(model=MODEL, device="cpu", precision="fp32", num_workers=0)
    field = compute_embeddings(dataset, options=options).field
    config = AnalysisConfig(project=False, kid_subsets=10)

    outcome = analyze(dataset, field, config=config)

    table = read_embeddings(dataset, field)
    real = table.domains == defaults.REAL
    blocks = feature_blocks(MODEL)
    by_core = analyze_embeddings(
        table.vectors[real], table.vectors[~real], config, head_dims=1280, blocks=blocks
    )
    stored = np.array([outcome.per_sample["realism"][i] for i in np.flatnonzero(~real)])
    np.testing.assert_allclose(stored, by_core.realism, atol=1e-6)
    gaps = np.array([outcome.per_sample["gap_score"][i] for i in np.flatnonzero(real)])
    np.testing.assert_allclose(gaps, by_core.gap_score, atol=1e-6)
    assert outcome.result.details["feature_blocks"] == list(blocks)
    is_junk = np.array(["_junk_" in p for p in np.asarray(table.filepaths)[~real]])
    assert is_junk.sum() == 12
    assert np.median(stored[is_junk]) < np.median(stored[~is_junk])
