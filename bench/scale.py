"""How long analyze_embeddings takes, and how much memory, as the sets grow.

Embeddings are synthetic (a Gaussian mixture in ``--dim`` dimensions, non-negative like CNN
features; the synthetic side misses two components and is shifted), so no model is needed.

    .venv/bin/python bench/scale.py --n 20000            # 20k real x 20k synthetic, 1280-d
    .venv/bin/python bench/scale.py --n 100000 --map     # the target size, with the UMAP map
    .venv/bin/python bench/scale.py --n 100000 --device cpu   # the CPU path on a GPU machine

Prints one JSON line: seconds per step, total seconds and peak resident memory (GiB).
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


def mixture(
    n_real: int, n_synthetic: int, dim: int, seed: int = 0, chunk: int = 65536
) -> tuple[np.ndarray, np.ndarray]:
    """(real, synthetic) float32 draws of a 20-component mixture; the synthetic side lacks
    components 0 and 1 and is scaled and shifted (a style change). Built ``chunk`` rows at a
    time, in float32, so a million rows take seconds."""
    rng = np.random.default_rng(seed)
    centres = rng.gamma(2.0, 0.5, (20, dim)).astype(np.float32)

    def draw(n: int, first: int, scale: float, shift: float) -> np.ndarray:
        x = np.empty((n, dim), dtype=np.float32)
        for start in range(0, n, chunk):
            part = x[start : start + chunk]
            part[:] = centres[rng.integers(first, 20, len(part))]
            part += rng.standard_normal(part.shape, dtype=np.float32) * 0.3
            part *= scale
            part += shift
            np.maximum(part, 0, out=part)
        return x

    return draw(n_real, 0, 1.0, 0.0), draw(n_synthetic, 2, 1.1, 0.2)


def timed_analysis(real: np.ndarray, synthetic: np.ndarray, config: AnalysisConfig) -> dict:
    """Run the analysis once: total seconds, seconds per step (by progress label) and a few
    results to check it worked."""
    steps: list[tuple[str, float]] = []
    t0 = time.perf_counter()

    def progress(fraction: float, label: str) -> None:
        steps.append((label.split(":")[0], time.perf_counter() - t0))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = analyze_embeddings(real, synthetic, config, progress)
    total = time.perf_counter() - t0
    per_step: dict[str, float] = {}
    for (label, t), (_, t_next) in zip(steps, steps[1:] + [("", total)], strict=True):
        per_step[label] = round(per_step.get(label, 0.0) + t_next - t, 2)
    return {
        "seconds": round(total, 2),
        "uncovered_fraction": round(float(result.uncovered.mean()), 3),
        "diagnosis": result.diagnosis["kind"],
        "steps": per_step,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20000, help="samples per side")
    parser.add_argument("--dim", type=int, default=1280)
    parser.add_argument("--map", action="store_true", help="also compute the UMAP map")
    parser.add_argument("--device", default="auto", help="the analysis' device (auto, cpu, cuda)")
    args = parser.parse_args(argv)
    real, synth = mixture(args.n, args.n, args.dim)
    out = timed_analysis(real, synth, AnalysisConfig(project=args.map, device=args.device))
    peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)
    print(
        json.dumps(
            {
                "n_real": args.n,
                "n_synthetic": args.n,
                "dim": args.dim,
                "map": args.map,
                "device": args.device,
                **out,
                "peak_rss_gib": peak,
            }
        )  # fmt: skip
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
