"""How long analyze_embeddings takes, and how much memory, as the sets grow.

Embeddings are synthetic (a Gaussian mixture in ``--dim`` dimensions, non-negative like CNN
features; the synthetic side misses two components and is shifted), so no model is needed.

    .venv/bin/python bench/scale.py --n 20000            # 20k real x 20k synthetic, 1280-d
    .venv/bin/python bench/scale.py --n 100000 --map     # the target size, with the UMAP map

Prints one JSON line: seconds per step, total seconds and peak resident memory (GiB).
Target: 100k x 100k x 1280 in < 180 s and < 8 GB on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fiftyone_plugin.core import AnalysisConfig, analyze_embeddings  # noqa: E402


def mixture(n_real: int, n_synthetic: int, dim: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = rng.gamma(2.0, 0.5, (20, dim)).astype(np.float32)
    real = centres[rng.integers(0, 20, n_real)]
    real += rng.normal(0, 0.3, real.shape).astype(np.float32)
    synth = centres[rng.integers(2, 20, n_synthetic)]  # components 0 and 1 are missing
    synth += rng.normal(0, 0.3, synth.shape).astype(np.float32)
    synth *= 1.1
    synth += 0.2
    return np.maximum(real, 0, out=real), np.maximum(synth, 0, out=synth)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20000, help="samples per side")
    parser.add_argument("--dim", type=int, default=1280)
    parser.add_argument("--map", action="store_true", help="also compute the UMAP map")
    args = parser.parse_args(argv)
    real, synth = mixture(args.n, args.n, args.dim)
    steps: list[tuple[float, str, float]] = []
    t0 = time.time()

    def progress(fraction: float, label: str) -> None:
        steps.append((fraction, label.split(":")[0], time.time() - t0))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = analyze_embeddings(real, synth, AnalysisConfig(project=args.map), progress)
    total = time.time() - t0
    per_step: dict[str, float] = {}
    for (_, label, t), (_, _, t_next) in zip(steps, steps[1:] + [(1.0, "", total)], strict=True):
        per_step[label] = round(per_step.get(label, 0.0) + t_next - t, 1)
    print(
        json.dumps(
            {
                "n_real": args.n,
                "n_synthetic": args.n,
                "dim": args.dim,
                "map": args.map,
                "seconds": round(total, 1),
                "peak_rss_gib": round(
                    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2
                ),
                "uncovered_fraction": round(float(result.uncovered.mean()), 3),
                "diagnosis": result.diagnosis["kind"],
                "steps": per_step,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
