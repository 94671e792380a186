"""Image embeddings: a model registry, robust image loading and batched inference.

    from fiftyone_plugin.embeddings import load_model, embed_images
    model = load_model("efficientnet_lite0")          # device="auto", precision="auto"
    result = embed_images(paths, model, batch_size=32, num_workers=2)
    result.vectors   # (n, dim) float32, NaN rows where result.errors[i] gives the reason
    objects = embed_objects(paths, boxes, model)     # one row per box; each image decoded once

torch is imported on first use of `embed_images` / `load_model`, not when this package is
imported, so listing models stays instant.
"""

from __future__ import annotations

from .images import LoadedImage, load_image
from .registry import (
    DEFAULT_MODEL,
    EmbeddingModel,
    available_models,
    is_zoo_model,
    load_model,
)

__all__ = [
    "DEFAULT_MODEL",
    "EmbeddingModel",
    "EmbeddingResult",
    "ImageTransform",
    "LoadedImage",
    "available_models",
    "embed_images",
    "embed_objects",
    "is_zoo_model",
    "load_image",
    "load_model",
]

#: Names that live in modules importing torch, loaded on first use.
_LAZY = {
    "embed_images": ".inference",
    "embed_objects": ".objects",
    "EmbeddingResult": ".inference",
    "ImageTransform": ".transform",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
