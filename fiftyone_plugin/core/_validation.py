"""Input checks shared by the core estimators; each error says what to do next."""

from __future__ import annotations

import numpy as np


def check_embeddings(x: np.ndarray, name: str, min_samples: int = 1) -> np.ndarray:
    """``x`` as a finite float32 (n, d) array with at least ``min_samples`` rows, else ValueError."""
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array (n_samples, n_features), got shape {x.shape}: "
            "stack one embedding per row"
        )
    if not np.issubdtype(x.dtype, np.number) or np.issubdtype(x.dtype, np.complexfloating):
        raise ValueError(f"{name} must hold real numbers, got dtype {x.dtype}")
    if len(x) == 0:
        raise ValueError(f"{name} is empty: both sides need embedded samples")
    if len(x) < min_samples:
        raise ValueError(
            f"{name} has {len(x)} samples but at least {min_samples} are needed: add samples "
            "or lower the neighbour / fold counts"
        )
    if x.shape[1] == 0:
        raise ValueError(f"{name} has 0 features per sample")
    x = x.astype(np.float32, copy=False)
    bad = ~np.isfinite(x).all(axis=1)
    if bad.any():
        first = np.flatnonzero(bad)[:5].tolist()
        raise ValueError(
            f"{name} has {int(bad.sum())} rows with NaN or infinite values (first rows: {first}): "
            "drop the samples whose images failed to embed"
        )
    return x


def check_pair(
    real: np.ndarray, synthetic: np.ndarray, min_samples: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Both sides checked, with the same number of features."""
    real = check_embeddings(real, "real", min_samples)
    synthetic = check_embeddings(synthetic, "synthetic", min_samples)
    if real.shape[1] != synthetic.shape[1]:
        raise ValueError(
            f"real has {real.shape[1]} features per sample but synthetic has "
            f"{synthetic.shape[1]}: embed both sides with the same model"
        )
    return real, synthetic


def check_positive_int(value: object, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_fraction(value: object, name: str, low: float = 0.0, high: float = 1.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating):
        raise ValueError(f"{name} must be a number in ({low}, {high}), got {value!r}")
    if not low < float(value) < high:
        raise ValueError(f"{name} must be in ({low}, {high}), got {value!r}")
    return float(value)


def check_choice(value: object, name: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"Unsupported {name} {value!r}. The available values are {choices}")
    return value  # type: ignore[return-value]


def check_labels(labels: object, n: int, name: str) -> np.ndarray | None:
    """Optional per-sample labels: None, or an array of length ``n`` (any hashable values)."""
    if labels is None:
        return None
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != n:
        raise ValueError(f"{name} must hold one label per sample ({n}), got shape {labels.shape}")
    return labels
