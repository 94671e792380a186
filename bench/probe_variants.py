"""Which probe ranks classes like a network fine-tuned on the synthetic images? Seconds, not hours.

Reads the references cached by bench/probe_reference.py (the fine-tuned network's real
predictions plus the raw and aligned embeddings and labels of each scenario) and, for every
probe variant below, prints the Spearman correlation across classes between the variant's
per-class score and the fine-tuned network's per-class accuracy (trained on synthetic, tested on
real). Each variant is trained on all synthetic samples and tested on all real samples:

* raw / aligned: the product's LinearProbe on the raw embeddings / on the analysis's aligned
  features (PCA, per-domain centring, mutual-neighbour correction);
* centred: raw embeddings with each side's own mean removed (the shared style shift only);
* standardised: each side standardised by its own mean and standard deviation;
* pca centred: the analysis's PCA features with each side's mean removed (aligned without the
  local correction);
* pca / raw CORAL: the synthetic side's covariance matched to the real one (Sun et al. 2016);
  raw CORAL is the product's transfer (core.alignment.coral, core.probe);
* raw+aligned: the two feature sets side by side;
* mean / min(raw, aligned): the two probes' per-class accuracies combined;
* "soft" variants score a class by the mean probability given to its right class (less
  quantised than accuracy); "F1" by the F1 of the class in the confusion.

When a scenario has references from several fine-tune seeds, their mean Spearman between two
seeds is printed (the ceiling a probe can reach against one fine-tune), and every variant is
also scored against their mean. ``--bootstrap N`` adds the spread of the transfer's Spearman
over N resamples of the real test images.

    .venv/bin/python bench/probe_variants.py --quick --bootstrap 500
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from probe_reference import CACHE, GRADED, VERSION, per_class_accuracy  # noqa: E402

from fiftyone_plugin.core.alignment import coral  # noqa: E402
from fiftyone_plugin.core.probe import LinearProbe  # noqa: E402
from fiftyone_plugin.core.projection import FeatureReducer  # noqa: E402


def _fit_predict(x_s, y_s, x_r) -> tuple[np.ndarray, np.ndarray]:
    """The product's probe model trained on (x_s, y_s): predicted class and probabilities of
    every class (columns in class-index order) for x_r."""
    model = LinearProbe()._train(x_s, y_s.astype(object), np.random.default_rng(0))
    proba = np.zeros((len(x_r), int(max(y_s.max(), 0)) + 1))
    proba[:, [int(c) for c in model.classes_]] = model.predict_proba(x_r)
    return proba.argmax(1), proba


def _centre(a: np.ndarray, scale: bool = False) -> np.ndarray:
    a = a - a.mean(axis=0)
    return a / (a.std(axis=0) + 1e-6) if scale else a


def features(ref: dict) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Feature set name -> (synthetic, real) rows."""
    r, s = ref["real"].astype(np.float32), ref["synthetic"].astype(np.float32)
    reducer = FeatureReducer(seed=0).fit(r, s)
    return {
        "raw": (s, r),
        "aligned": (ref["synthetic_aligned"], ref["real_aligned"]),
        "centred": (_centre(s), _centre(r)),
        "standardised": (_centre(s, True), _centre(r, True)),
        "pca centred": (_centre(reducer.transform(s)), _centre(reducer.transform(r))),
        "pca CORAL": coral(reducer.transform(s), reducer.transform(r)),
        "raw CORAL": coral(s, r),
        "raw+aligned": (
            np.hstack([s, ref["synthetic_aligned"]]),
            np.hstack([r, ref["real_aligned"]]),
        ),
    }


def _f1(predicted: np.ndarray, y: np.ndarray, n: int) -> np.ndarray:
    out = []
    for k in range(n):
        tp = np.sum((predicted == k) & (y == k))
        out.append(2 * tp / max(np.sum(predicted == k) + np.sum(y == k), 1))
    return np.array(out)


def scores(ref: dict) -> dict[str, np.ndarray]:
    """Variant name -> per-class score (higher = the class transfers better)."""
    y_r, y_s, n = ref["y_real"], ref["y_synthetic"], len(ref["classes"])
    out: dict[str, np.ndarray] = {}
    for name, (x_s, x_r) in features(ref).items():
        predicted, proba = _fit_predict(x_s, y_s, x_r)
        out[name] = per_class_accuracy(predicted, y_r, n)
        out[f"{name} soft"] = np.array([proba[y_r == k, k].mean() for k in range(n)])
        out[f"{name} F1"] = _f1(predicted, y_r, n)
    out["mean(raw, aligned)"] = (out["raw"] + out["aligned"]) / 2
    out["min(raw, aligned)"] = np.minimum(out["raw"], out["aligned"])
    return out


def load(cache: Path, mode: str, seed: int) -> dict[tuple[str, str], dict[int, dict]]:
    """(data, kind) -> {fine-tune seed: cached reference}."""
    refs: dict[tuple[str, str], dict[int, dict]] = {}
    for path in sorted(cache.glob(f"probe-ref-v{VERSION}-*-{mode}-{seed}-ft*.npz")):
        data, kind = path.name.split("-")[3:5]
        ft_seed = int(path.stem.rsplit("-ft", 1)[1])
        z = np.load(path, allow_pickle=False)
        refs.setdefault((data, kind.replace("_", " ")), {})[ft_seed] = {k: z[k] for k in z.files}
    return refs


def tuned_accuracy(runs: dict[int, dict]) -> dict[str, np.ndarray]:
    """The fine-tuned per-class accuracy of seed 0 (the bench's reference) and, with several
    fine-tune seeds, their mean (a less noisy reference; seed 0's again with one seed)."""
    acc = {
        s: per_class_accuracy(r["finetuned"], r["y_real"], len(r["classes"]))
        for s, r in runs.items()
    }
    return {"seed 0": acc[0], "mean over the fine-tune seeds": np.mean(list(acc.values()), 0)}


def seed_agreement(runs: dict[int, dict]) -> float | None:
    """Mean Spearman between the per-class accuracies of two fine-tune seeds (None: one seed)."""
    from scipy.stats import spearmanr

    acc = [
        per_class_accuracy(r["finetuned"], r["y_real"], len(r["classes"])) for r in runs.values()
    ]
    pairs = [spearmanr(a, b)[0] for i, a in enumerate(acc) for b in acc[i + 1 :]]
    return float(np.mean(pairs)) if pairs else None


def bootstrap(runs: dict[int, dict], n: int = 500, seed: int = 0) -> tuple[float, float, float]:
    """Median and 90% interval of the transfer's (raw CORAL) Spearman against the mean of the fine-tunes
    when the real test images are resampled within each class (probes and fine-tunes fixed):
    the noise of a ranking over this many test images."""
    from scipy.stats import spearmanr

    ref = runs[0]
    y, n_classes = ref["y_real"], len(ref["classes"])
    x_s, x_r = features(ref)["raw CORAL"]
    right = _fit_predict(x_s, ref["y_synthetic"], x_r)[0] == y
    tuned = np.mean([r["finetuned"] == y for r in runs.values()], axis=0)
    rng = np.random.default_rng(seed)
    members = [np.flatnonzero(y == k) for k in range(n_classes)]
    rhos = []
    for _ in range(n):
        picked = [rng.choice(m, len(m)) for m in members]
        transfer = [right[i].mean() for i in picked]
        rhos.append(spearmanr(transfer, [tuned[i].mean() for i in picked])[0])
    rhos = np.array(rhos)[np.isfinite(rhos)]
    return float(np.median(rhos)), *np.percentile(rhos, [5, 95]).tolist()


def main(argv: list[str] | None = None) -> int:
    from scipy.stats import spearmanr

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="labels_quality's quick sizes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument(
        "--bootstrap",
        type=int,
        default=0,
        help="resamples of the real test images for the transfer's interval",
    )
    args = parser.parse_args(argv)
    refs = load(args.cache, "quick" if args.quick else "full", args.seed)
    columns = [(d, k) for d in ("digits", "crops") for k in GRADED if 0 in refs.get((d, k), {})]
    if not columns:
        print("No cached reference: run bench/probe_reference.py first", file=sys.stderr)
        return 1
    tables: dict[str, dict[str, list[float]]] = {}
    for data, kind in columns:
        runs = refs[(data, kind)]
        for name, score in scores(runs[0]).items():
            for against, tuned in tuned_accuracy(runs).items():
                rho = float(spearmanr(score, tuned)[0])
                tables.setdefault(against, {}).setdefault(name, []).append(rho)
        agreement = seed_agreement(runs)
        print(f"{data} {kind}: fine-tuned per class (seed 0) "
              f"{np.round(tuned_accuracy(runs)['seed 0'], 2).tolist()}; {len(runs)} seeds"
              + (f", seed-to-seed Spearman {agreement:.2f}" if agreement is not None else ""))  # fmt: skip
    header = " | ".join(f"{d} {k}" for d, k in columns)
    if all(len(refs[c]) == 1 for c in columns):
        tables.pop("mean over the fine-tune seeds")
    for against, table in tables.items():
        print(f"\nSpearman vs the fine-tuned network ({against})\n")  # fmt: skip
        print(f"| probe variant | {header} | >= 0.8 | mean |\n|" + "---|" * (len(columns) + 3))
        for name, rhos in table.items():
            cells = " | ".join(f"{x:.2f}" for x in rhos)
            print(f"| {name} | {cells} | {sum(x >= 0.8 for x in rhos)} | {np.mean(rhos):.2f} |")
    if args.bootstrap:
        print(
            f"\nraw CORAL = the product's transfer, against the mean of the fine-tunes, "
            f"{args.bootstrap} resamples of the real test images within each class:"
        )
        for data, kind in columns:
            median, low, high = bootstrap(refs[(data, kind)], args.bootstrap)
            print(f"  {data} {kind}: median {median:.2f}, 90% interval {low:.2f} to {high:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
