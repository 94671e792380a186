"""The fine-tuned reference the probe is judged against, computed once and cached.

For a classification scenario of bench/labels_quality.py, EfficientNet-Lite0 fine-tuned on the
synthetic images and tested on the real ones (bench/finetune.py) gives the per-class accuracies
the probe should rank like. That fine-tune is the slow part of the bench, so its real
predictions are cached together with everything a probe needs (raw and aligned embeddings, the
labels): probe variants are then compared against it in seconds (bench/probe_variants.py).

    .venv/bin/python bench/probe_reference.py --quick               # the graded scenarios
    .venv/bin/python bench/probe_reference.py --quick --finetune-seed 1 --datasets digits \\
        --kinds "graded mode"                                        # the reference's own noise
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from finetune import finetune_predict  # noqa: E402

from fiftyone_plugin.core import AnalysisConfig  # noqa: E402
from fiftyone_plugin.core.steps import find_gaps  # noqa: E402

CACHE = ROOT / "bench" / ".cache"
#: Bump when the scenario images or the fine-tune change, so stale references are not reused.
VERSION = 1
GRADED = ("graded mode", "graded style")


def reference_path(cache: Path, data: str, kind: str, mode: str, seed: int, ft_seed: int) -> Path:
    return (
        cache
        / f"probe-ref-v{VERSION}-{data}-{kind.replace(' ', '_')}-{mode}-{seed}-ft{ft_seed}.npz"
    )


def reference(sc, config: AnalysisConfig, path: Path, ft_seed: int = 0) -> dict:
    """The cached reference of scenario ``sc`` (a labels_quality.Scenario), fine-tuning and
    aligning when ``path`` does not exist yet. Keys: classes (str), y_real / y_synthetic (class
    index per sample), real / synthetic (raw embeddings), real_aligned / synthetic_aligned (as the
    analysis aligns them), finetuned (class the fine-tuned network gives each real image),
    seconds_finetune."""
    if path.exists():
        z = np.load(path, allow_pickle=False)
        return {k: z[k] for k in z.files}
    classes = sorted({str(c) for c in sc.labels_real.classes.tolist()})
    index = {c: k for k, c in enumerate(classes)}
    y_real = np.array([index[str(c)] for c in sc.labels_real.classes])
    keep = np.array([str(c) in index for c in sc.labels_synthetic.classes])
    y_synth = np.array([index[str(c)] for c in sc.labels_synthetic.classes[keep]])
    train = [im for im, k in zip(sc.synthetic_images, keep, strict=True) if k]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        aligner = find_gaps(sc.real, sc.synthetic[keep], config.validate()).aligner
    t = time.time()
    finetuned = finetune_predict(train, y_synth, sc.real_images, len(classes), seed=ft_seed)
    seconds = time.time() - t
    ref = dict(
        classes=np.array(classes), y_real=y_real, y_synthetic=y_synth, real=sc.real,
        synthetic=sc.synthetic[keep], real_aligned=aligner.real_aligned_,
        synthetic_aligned=aligner.synthetic_aligned_, finetuned=finetuned,
        seconds_finetune=np.float64(seconds),
    )  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **ref)
    return ref


def per_class_accuracy(predicted: np.ndarray, y: np.ndarray, n_classes: int) -> np.ndarray:
    """Share of each class's samples predicted as that class (its recall)."""
    return np.array([np.mean(predicted[y == k] == k) for k in range(n_classes)])


def main(argv: list[str] | None = None) -> int:
    import labels_quality as LQ

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="labels_quality's quick sizes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--finetune-seed", type=int, default=0)
    parser.add_argument("--datasets", default="digits,crops")
    parser.add_argument("--kinds", default=",".join(GRADED))
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--precision", default="auto")
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "full"
    config = AnalysisConfig(seed=args.seed, project=False)
    embed = LQ.Embedder(args.precision)
    kinds = args.kinds.split(",")
    for name in args.datasets.split(","):
        data = LQ.build(name, mode, args.seed, embed)
        for sc in LQ.classification_scenarios(data, args.seed):
            if sc.kind not in kinds:
                continue
            path = reference_path(args.cache, name, sc.kind, mode, args.seed, args.finetune_seed)
            ref = reference(sc, config, path, args.finetune_seed)
            acc = per_class_accuracy(ref["finetuned"], ref["y_real"], len(ref["classes"]))
            print(f"{name} {sc.kind}: fine-tuned per class "
                  f"{' '.join(f'{c}={a:.2f}' for c, a in zip(ref['classes'], acc, strict=True))} "
                  f"[{float(ref['seconds_finetune']):.0f} s] -> {path.name}", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
