"""Dataset-level metrics: arrays -> result dict keyed by the named constants below (their
plain-language readings and grades: readings.py).

* FID (Fréchet distance between Gaussian fits; 0 = same mean and covariance; feature units^2).
* KID (unbiased MMD^2 with the cubic polynomial kernel k(x, y) = (x.y / d + 1)^3, mean and std
  over random subsets, as torch-fidelity computes it; 0 = same distribution).
* Precision / recall / density / coverage (Naeem et al. 2020, k nearest neighbours): fidelity,
  diversity, crowding, and the share of real samples with a synthetic sample nearby; in [0, 1]
  except density (1 = as dense as real data around real data).
* C2ST AUC: cross-validated logistic regression telling synthetic from real (0.5 =
  indistinguishable, 1 = perfectly separable).

FID and KID depend on the embedding model: compare values only across runs with the same model.
"""

from __future__ import annotations

import numpy as np
import torch

from . import device as dev
from ._validation import check_pair, check_positive_int
from .neighbors import count_within, knn

FID = "fid"
KID_MEAN = "kid_mean"
KID_STD = "kid_std"
PRECISION = "precision"
RECALL = "recall"
DENSITY = "density"
COVERAGE = "coverage"
C2ST_AUC = "c2st_auc"
#: Neighbourhood two-sample AUC after alignment, real samples judged covered only (by the
#: calibrated rule, before a separable result narrows ``uncovered``): 0.5 = the sides mix in
#: every neighbourhood, 1 = they never meet. See knn_two_sample_auc. (No linear C2ST after
#: alignment: the alignment matches the sides' means, which is all a linear classifier sees, so
#: its cross-validated AUC falls below 0.5 on sides that do not differ.)
MIXING_AUC_ALIGNED = "mixing_auc_aligned"
#: Coverage recomputed on aligned features.
COVERAGE_ALIGNED = "coverage_aligned"
UNCOVERED_FRACTION = "uncovered_fraction"
#: Share of real samples called underrepresented (the likely tier; coverage.GapDetector).
UNDERREPRESENTED_FRACTION = "underrepresented_fraction"
#: Share of the real side each tier flags with the sides' labels shuffled (nothing missing):
#: the tier's expected false-positive rate.
UNCOVERED_EXPECTED_FP = "uncovered_expected_fp"
UNDERREPRESENTED_EXPECTED_FP = "underrepresented_expected_fp"
N_GAP_REGIONS = "n_gap_regions"
MEAN_REALISM = "mean_realism"
N_REAL = "n_real"
N_SYNTHETIC = "n_synthetic"

#: Precision / recall / density / coverage and the mixing AUC use at most this many random
#: samples per side (their k-NN cost grows with n_real x n_synthetic).
MAX_KNN_SAMPLES = 10000

#: KID defaults (torch-fidelity's).
KID_SUBSETS = 100
KID_SUBSET_SIZE = 1000


def frechet_distance(real: np.ndarray, synthetic: np.ndarray) -> float:
    """FID between two feature sets: |mu_r - mu_s|^2 + Tr(C_r + C_s - 2 (C_r C_s)^(1/2)).

    With at least as many samples as dimensions, the matrix square root's trace is the sum of
    square roots of the eigenvalues of C_r^(1/2) C_s C_r^(1/2) (symmetric, so stable even when
    the covariances are singular). With fewer samples than dimensions (say 500 images per side,
    1280-d features) the same value comes cheaper from the samples: that trace is the nuclear
    norm of A_s A_r^T / sqrt((n_r - 1)(n_s - 1)), A being the centred rows of each side.
    Computed in float64 on the core's device.
    """
    real, synthetic = check_pair(real, synthetic, min_samples=2)
    device = dev.current()
    if max(len(real), len(synthetic)) < real.shape[1]:
        a = dev.to_device(real, device, torch.float64)
        b = dev.to_device(synthetic, device, torch.float64)
        mu_r, mu_s = a.mean(dim=0), b.mean(dim=0)
        a, b = a - mu_r, b - mu_s
        scale = np.sqrt((len(real) - 1) * (len(synthetic) - 1))
        trace_sqrt = float(torch.linalg.svdvals(b @ a.T).sum()) / scale
        trace_r = float((a * a).sum()) / (len(real) - 1)
        trace_s = float((b * b).sum()) / (len(synthetic) - 1)
    else:
        (mu_r, c_r), (mu_s, c_s) = mean_covariance(real), mean_covariance(synthetic)
        w, v = torch.linalg.eigh(c_r)
        root_r = (v * w.clamp(min=0.0).sqrt()) @ v.T
        cross = torch.linalg.eigvalsh(root_r @ c_s @ root_r)
        trace_sqrt = float(cross.clamp(min=0.0).sqrt().sum())
        trace_r, trace_s = float(torch.trace(c_r)), float(torch.trace(c_s))
    value = float(((mu_r - mu_s) ** 2).sum()) + trace_r + trace_s - 2.0 * trace_sqrt
    return max(value, 0.0)


def mean_covariance(x: np.ndarray, chunk: int = 65536) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean (d,) and unbiased covariance (d, d) of the rows of ``x``, float64 tensors on the
    core's device, computed ``chunk`` rows at a time (two passes), so a million rows need no
    float64 copy of ``x``."""
    device = dev.current()
    n, d = x.shape
    mean = torch.zeros(d, dtype=torch.float64, device=device)
    for start in range(0, n, chunk):
        mean += dev.to_device(x[start : start + chunk], device, torch.float64).sum(dim=0)
    mean /= n
    cov = torch.zeros((d, d), dtype=torch.float64, device=device)
    for start in range(0, n, chunk):
        centred = dev.to_device(x[start : start + chunk], device, torch.float64) - mean
        cov.addmm_(centred.T, centred)
    return mean, cov / (n - 1)


#: KID computes the kernel over all samples at once, then reads the subsets from it, when that
#: is cheaper than a kernel per subset and holds at most this many rows (~0.6 GB of float32).
KID_GRAM_MAX_ROWS = 12_000


def _polynomial_kernel(
    a: torch.Tensor, b: torch.Tensor, degree: int, gamma: float, coef0: float
) -> torch.Tensor:
    return (a @ b.T).mul_(gamma).add_(coef0).pow_(degree)


def _unbiased_mmd2(k_xx: torch.Tensor, k_yy: torch.Tensor, k_xy: torch.Tensor) -> float:
    """Unbiased MMD^2 from the kernel blocks of two equal-size sets."""
    m = len(k_xx)
    f64 = torch.float64
    sum_xx = k_xx.sum(dtype=f64) - k_xx.diagonal().sum(dtype=f64)
    sum_yy = k_yy.sum(dtype=f64) - k_yy.diagonal().sum(dtype=f64)
    return float((sum_xx + sum_yy) / (m * (m - 1)) - 2.0 * k_xy.sum(dtype=f64) / m**2)


def kernel_inception_distance(
    real: np.ndarray,
    synthetic: np.ndarray,
    subsets: int = KID_SUBSETS,
    subset_size: int = KID_SUBSET_SIZE,
    degree: int = 3,
    gamma: float | None = None,
    coef0: float = 1.0,
    seed: int = 0,
) -> tuple[float, float]:
    """KID: (mean, std) of the unbiased polynomial-kernel MMD^2 over ``subsets`` random subsets of
    ``min(subset_size, n_real, n_synthetic)`` samples per side. ``gamma`` defaults to 1 / d.
    Kernels are computed in float32 on the core's device (sums in float64): ~1e-6 absolute
    error, far below the values worth reading."""
    real, synthetic = check_pair(real, synthetic, min_samples=2)
    check_positive_int(subsets, "subsets")
    check_positive_int(subset_size, "subset_size", minimum=2)
    m = min(subset_size, len(real), len(synthetic))
    gamma = 1.0 / real.shape[1] if gamma is None else gamma
    rng = np.random.default_rng(seed)
    draws = [
        (rng.choice(len(real), m, replace=False), rng.choice(len(synthetic), m, replace=False))
        for _ in range(subsets)
    ]
    device = dev.current()
    n = len(real) + len(synthetic)
    if n <= KID_GRAM_MAX_ROWS and n * n <= 3 * subsets * m * m:
        both = dev.to_device(np.vstack([real, synthetic]), device)
        k = _polynomial_kernel(both, both, degree, gamma, coef0)
        values = []
        for i, j in draws:
            i = torch.from_numpy(i).to(device)
            j = torch.from_numpy(j + len(real)).to(device)  # synthetic rows follow the real ones
            values.append(_unbiased_mmd2(k[i][:, i], k[j][:, j], k[i][:, j]))
    else:
        values = []
        for i, j in draws:
            r = dev.to_device(real[i], device)
            s = dev.to_device(synthetic[j], device)
            values.append(
                _unbiased_mmd2(
                    _polynomial_kernel(r, r, degree, gamma, coef0),
                    _polynomial_kernel(s, s, degree, gamma, coef0),
                    _polynomial_kernel(r, s, degree, gamma, coef0),
                )
            )
    return float(np.mean(values)), float(np.std(values))


def _at_most(x: np.ndarray, n: int | None, seed: int) -> np.ndarray:
    if n is None or len(x) <= n:
        return x
    return x[np.sort(np.random.default_rng(seed).choice(len(x), n, replace=False))]


def prdc(
    real: np.ndarray,
    synthetic: np.ndarray,
    k: int = 5,
    max_samples: int | None = MAX_KNN_SAMPLES,
    seed: int = 0,
) -> dict[str, float]:
    """Precision, recall, density, coverage (Naeem et al. 2020) with k nearest neighbours, on at
    most ``max_samples`` random samples per side (None: all).

    A real sample's ball has the radius of its k-th nearest real neighbour (itself excluded).
    precision: share of synthetic samples inside at least one real ball. recall: share of real
    samples inside at least one synthetic ball. density: mean number of real balls holding a
    synthetic sample, divided by k. coverage: share of real samples whose ball holds a synthetic
    sample.
    """
    check_positive_int(k, "k")
    real, synthetic = check_pair(real, synthetic, min_samples=k + 1)
    real, synthetic = _at_most(real, max_samples, seed), _at_most(synthetic, max_samples, seed + 1)
    r_radii = knn(real, None, k)[0][:, -1]
    s_radii = knn(synthetic, None, k)[0][:, -1]
    in_real_balls = count_within(synthetic, real, r_radii)
    nearest_synthetic = knn(real, synthetic, 1)[0][:, 0]
    return {
        PRECISION: float(np.mean(in_real_balls > 0)),
        RECALL: float(np.mean(count_within(real, synthetic, s_radii) > 0)),
        DENSITY: float(in_real_balls.sum() / (k * len(synthetic))),
        COVERAGE: float(np.mean(nearest_synthetic <= r_radii)),
    }


def c2st_auc(
    real: np.ndarray,
    synthetic: np.ndarray,
    n_folds: int = 5,
    max_per_side: int = 5000,
    seed: int = 0,
) -> float:
    """Cross-validated ROC AUC of a logistic regression telling synthetic from real, in [0, 1].

    0.5 = indistinguishable (values a little under 0.5 are chance), 1 = perfectly separable.
    At most ``max_per_side`` random samples per side are used.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    check_positive_int(n_folds, "n_folds", minimum=2)
    real, synthetic = check_pair(real, synthetic, min_samples=n_folds)
    rng = np.random.default_rng(seed)
    r = real[rng.choice(len(real), min(len(real), max_per_side), replace=False)]
    s = synthetic[rng.choice(len(synthetic), min(len(synthetic), max_per_side), replace=False)]
    x = np.vstack([r, s])
    y = np.r_[np.zeros(len(r)), np.ones(len(s))]
    model = make_pipeline(
        StandardScaler(), LogisticRegression(C=0.1, class_weight="balanced", max_iter=1000)
    )
    folds = StratifiedKFold(n_folds, shuffle=True, random_state=seed)
    scores = cross_val_predict(model, x, y, cv=folds, method="decision_function")
    return float(roc_auc_score(y, scores))


def knn_two_sample_auc(
    real: np.ndarray,
    synthetic: np.ndarray,
    k: int = 10,
    max_samples: int | None = MAX_KNN_SAMPLES,
    seed: int = 0,
) -> float:
    """Neighbourhood two-sample test: ROC AUC of "share of synthetic samples among my k nearest
    neighbours" (each side weighted by its size, the sample itself excluded) for telling synthetic
    from real samples. 0.5 = the sides mix everywhere; 1 = no neighbourhood holds both. Unlike the
    linear C2ST, it sees any local difference (other shapes, other clusters)."""
    from sklearn.metrics import roc_auc_score

    check_positive_int(k, "k")
    real, synthetic = check_pair(real, synthetic, min_samples=2)
    real, synthetic = _at_most(real, max_samples, seed), _at_most(synthetic, max_samples, seed + 1)
    x = np.vstack([real, synthetic])
    is_synthetic = np.r_[np.zeros(len(real)), np.ones(len(synthetic))]
    _, idx = knn(x, None, min(k, len(x) - 1))
    weight = np.where(is_synthetic[idx] == 1, 1.0 / len(synthetic), 1.0 / len(real))
    score = (weight * is_synthetic[idx]).sum(axis=1) / weight.sum(axis=1)
    return float(roc_auc_score(is_synthetic, score))


def compute_metrics(
    real: np.ndarray,
    synthetic: np.ndarray,
    real_reduced: np.ndarray | None = None,
    synthetic_reduced: np.ndarray | None = None,
    k: int = 5,
    kid_subsets: int = KID_SUBSETS,
    kid_subset_size: int = KID_SUBSET_SIZE,
    n_folds: int = 5,
    seed: int = 0,
    c2st: float | None = None,
) -> dict[str, float]:
    """All dataset metrics. FID / KID on ``real`` / ``synthetic`` (the embeddings as given);
    precision / recall / density / coverage and C2ST on the reduced features when given (the
    k-NN and the classifier behave better in a few dozen PCA dimensions), else on the embeddings.
    ``c2st``: an already computed C2ST AUC on the same features (saves refitting).
    """
    real, synthetic = check_pair(real, synthetic, min_samples=max(k + 1, n_folds))
    rr = real if real_reduced is None else real_reduced
    sr = synthetic if synthetic_reduced is None else synthetic_reduced
    kid_mean, kid_std = kernel_inception_distance(
        real, synthetic, kid_subsets, kid_subset_size, seed=seed
    )
    out = {
        N_REAL: len(real),
        N_SYNTHETIC: len(synthetic),
        FID: frechet_distance(real, synthetic),
        KID_MEAN: kid_mean,
        KID_STD: kid_std,
    }
    out.update(prdc(rr, sr, k, seed=seed))
    out[C2ST_AUC] = c2st_auc(rr, sr, n_folds, seed=seed) if c2st is None else float(c2st)
    return out


def group_breakdown(
    groups_real: np.ndarray,
    groups_synthetic: np.ndarray,
    real: np.ndarray,
    synthetic: np.ndarray,
    gap_score: np.ndarray | None = None,
    uncovered: np.ndarray | None = None,
    realism: np.ndarray | None = None,
    k: int = 5,
) -> list[dict]:
    """Metrics per group (a class label, or a cluster): n_real, n_synthetic, synthetic_share,
    fid and coverage (on the features given, when both sides have enough samples, else None),
    mean_gap_score and uncovered_fraction (real side), mean_realism (synthetic side)."""
    groups_real = np.asarray(groups_real)
    groups_synthetic = np.asarray(groups_synthetic)
    keys = sorted(set(groups_real.tolist()) | set(groups_synthetic.tolist()), key=str)
    rows = []
    for g in keys:
        in_r, in_s = groups_real == g, groups_synthetic == g
        nr, ns = int(in_r.sum()), int(in_s.sum())
        row: dict = {
            "group": g.item() if hasattr(g, "item") else g,
            "n_real": nr,
            "n_synthetic": ns,
            "synthetic_share": ns / max(nr + ns, 1),
            FID: frechet_distance(real[in_r], synthetic[in_s]) if min(nr, ns) >= 2 else None,
            COVERAGE: prdc(real[in_r], synthetic[in_s], k)[COVERAGE] if min(nr, ns) > k else None,
        }
        if gap_score is not None:
            row["mean_gap_score"] = float(gap_score[in_r].mean()) if nr else None
        if uncovered is not None:
            row[UNCOVERED_FRACTION] = float(uncovered[in_r].mean()) if nr else None
        if realism is not None:
            row[MEAN_REALISM] = float(realism[in_s].mean()) if ns else None
        rows.append(row)
    return rows
