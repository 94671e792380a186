"""Blocks of an embedding given equal weight in the space the analysis works in.

An embedding made of several blocks (efficientnet_lite0_content: the pooled head, then the
layout grids of three stages) weighs each block by how much variance it holds after the
analysis's row normalisation (projection.normalize_features), not by its length: a block of
many values spread around zero can drown a short one with a large shared mean. ``equal_blocks``
scales each block so that all hold the same variance there, measured on the two sides analysed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .projection import normalize_features


def check_blocks(blocks: Sequence[int], dim: int) -> tuple[int, ...]:
    """``blocks`` as a tuple of positive column counts that add up to ``dim``; ValueError if not."""
    sizes = tuple(int(b) for b in blocks)
    if not sizes or min(sizes) < 1 or sum(sizes) != dim:
        raise ValueError(
            f"blocks={list(sizes)} must be positive column counts adding up to the embedding's "
            f"{dim} dimensions: pass the model's feature_blocks (embeddings.registry) or None"
        )
    return sizes


def equal_blocks(
    real: np.ndarray,
    synthetic: np.ndarray,
    blocks: Sequence[int],
) -> tuple[np.ndarray, np.ndarray]:
    """``real`` and ``synthetic`` with each block of ``blocks`` columns scaled so that every block
    holds the same share of the variance of both sides together after the analysis's power
    normalisation. There (signed square root) scaling a raw block by ``c`` scales its variance
    by ``c``, so one pass gives each block the mean of the blocks' variances, up to the row
    renormalisation. A block with no variance is left as it is."""
    sizes = check_blocks(blocks, real.shape[1])
    v = normalize_features(np.vstack([real, synthetic]), "power").var(axis=0)
    ends = np.cumsum(sizes)
    var = np.array([v[e - n : e].sum() for n, e in zip(sizes, ends, strict=True)])
    factor = np.where(var > 0, var.mean() / np.where(var > 0, var, 1.0), 1.0)
    scale = np.repeat(factor, sizes).astype(real.dtype, copy=False)
    return real * scale, synthetic * scale
