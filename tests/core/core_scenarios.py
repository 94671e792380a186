"""Synthetic embedding sets whose answer is known, shared by the core tests."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class GapScenario:
    real: np.ndarray  # (n_real, dim) float32
    synthetic: np.ndarray  # (n_synthetic, dim) float32
    missing: np.ndarray  # (n_real,) bool: real samples whose cluster the synthetic side lacks
    labels_real: np.ndarray  # cluster of each real sample
    labels_synthetic: np.ndarray


def gaussian_gap_scenario(
    n_clusters: int = 8,
    withheld: tuple[int, ...] = (0, 1),
    n_per_cluster: int = 40,
    dim: int = 24,
    separation: float = 6.0,
    shift: float = 4.0,
    distortion: float = 0.15,
    extra_noise: float = 0.3,
    seed: int = 0,
) -> GapScenario:
    """Gaussian clusters (unit spread, centres ``separation`` apart on average); the synthetic side
    draws fresh samples of every cluster but ``withheld`` and gets a global style shift: a
    translation of norm ``shift``, a random linear distortion (identity + ``distortion`` x noise)
    and extra isotropic noise."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, separation / np.sqrt(2 * dim), (n_clusters, dim)) * np.sqrt(dim)
    centres *= separation / np.mean(
        np.linalg.norm(centres[:, None] - centres[None], axis=2)[np.triu_indices(n_clusters, 1)]
    )

    def draw(clusters):
        labels = np.repeat(np.asarray(clusters), n_per_cluster)
        return centres[labels] + rng.normal(0, 1, (len(labels), dim)), labels

    real, labels_real = draw(range(n_clusters))
    kept = [c for c in range(n_clusters) if c not in withheld]
    synthetic, labels_synthetic = draw(kept)
    direction = rng.normal(size=dim)
    linear = np.eye(dim) + distortion * rng.normal(0, 1 / np.sqrt(dim), (dim, dim))
    synthetic = synthetic @ linear + shift * direction / np.linalg.norm(direction)
    synthetic += rng.normal(0, extra_noise, synthetic.shape)
    return GapScenario(
        real.astype(np.float32),
        synthetic.astype(np.float32),
        np.isin(labels_real, withheld),
        labels_real,
        labels_synthetic,
    )
