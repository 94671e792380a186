"""The demo's folders (fiftyone_plugin.demo) as a dataset with embeddings, for the fixtures of the
tests that start from embedded samples."""

from __future__ import annotations


def embedded_demo(name: str, demo: dict):
    """Dataset ``name`` (replacing one of that name) holding the real and synthetic images of
    ``demo`` (build_demo's folders) with efficientnet_lite0 embeddings."""
    import fiftyone as fo

    from fiftyone_plugin.fo.embeddings import compute_embeddings
    from fiftyone_plugin.fo.samples import import_images, list_images
    from fiftyone_plugin.options import EmbeddingOptions

    if fo.dataset_exists(name):
        fo.delete_dataset(name)
    dataset = fo.Dataset(name)
    import_images(dataset, list_images(demo["real"]), "real")
    import_images(dataset, list_images(demo["synthetic"]), "synthetic")
    compute_embeddings(dataset, options=EmbeddingOptions(num_workers=0))
    return dataset
