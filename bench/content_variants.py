"""How should efficientnet_lite0_content's blocks be weighed, and what does realism on its pooled
head give? Minutes per draw where bench/gap_quality.py takes minutes per row at 7,424-d.

Runs the quick scenarios of bench/gap_quality.py (--tiny: its smoke-test ones; same images,
splits and cached embeddings of the content model) through the analysis steps that decide each
figure, not the whole analysis (the rest of it changes none of these figures):

* gap rows and no-gap controls: ``core.steps.find_gaps`` and the separability check of
  ``pipeline._analyze`` (which keeps only near-total shortfalls); gap AUROC, precision / recall
  of either tier, share flagged (either tier). One row per block weighting:
  - pooled: the pooled head alone (what efficientnet_lite0 gives, up to float rounding: the
    analysis power-normalises each row, which undoes the head's unit length);
  - content: the embedding as the model gives it (how the analysis took it before the blocks
    were weighed);
  - equalvar: the raw pooled block scaled so that, after the analysis's power normalisation, it
    holds as much variance as the layout block, measured on the two sides analysed (the
    model's "equal weight" of the two parts holds for their lengths, not in the analysis's
    space, where the pooled block holds 8-13% of the variance);
  - equalvar4: the same with four blocks of equal variance: the pooled head, stages 4, 5, 6
    (``core.feature_blocks.equal_blocks`` with the registry's blocks: what the analysis does
    with this model since it was measured here).
* junk rows: ``find_gaps`` then ``core.steps.fit_realism`` (the calls ``analyze_embeddings``
  makes for realism), on all columns and on the registry's head_dims; junk AUROC.

    .venv/bin/python bench/content_variants.py --seed 2,3            # choose on these draws
    .venv/bin/python bench/content_variants.py --seed 0,1 --junk     # realism, printed draws
    .venv/bin/python bench/content_variants.py --tiny --datasets digits --seed 0   # smoke test

Prints one JSON line per scenario and variant, then the mean [min, max] per row.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import gap_quality as g  # noqa: E402

from fiftyone_plugin.core import AnalysisConfig  # noqa: E402
from fiftyone_plugin.core.diagnosis import is_separable  # noqa: E402
from fiftyone_plugin.core.feature_blocks import equal_blocks  # noqa: E402
from fiftyone_plugin.core.steps import aligned_mixing, find_gaps, fit_realism  # noqa: E402
from fiftyone_plugin.embeddings.registry import feature_blocks, head_dims  # noqa: E402

MODEL = "efficientnet_lite0_content"
POOLED = head_dims(MODEL)


#: Column sizes of the embedding's blocks: the pooled head, then the grids of stages 4, 5, 6.
BLOCKS = list(feature_blocks(MODEL))


VARIANTS = {
    "pooled": lambda r, s: (r[:, :POOLED], s[:, :POOLED]),
    "content": lambda r, s: (r, s),
    "equalvar": lambda r, s: equal_blocks(r, s, [POOLED, sum(BLOCKS) - POOLED]),
    "equalvar4": lambda r, s: equal_blocks(r, s, BLOCKS),
}


def gap_row(sc: g.Scenario, cfg: AnalysisConfig, variant: str) -> dict:
    real, synthetic = VARIANTS[variant](sc.real, sc.synthetic)
    gp = find_gaps(real, synthetic, cfg)
    gaps, ra, sa = gp.gaps, gp.aligner.real_aligned_, gp.aligner.synthetic_aligned_
    mixing = aligned_mixing(gp, cfg)
    if is_separable(mixing):
        gaps.keep_certain(ra, sa)
    either = gaps.uncovered_ | gaps.underrepresented_
    row = dict(flagged=float(either.mean()))
    if sc.kind == "gap":
        row["auroc"] = g.auroc(gaps.gap_score_, sc.missing)
        row["precision"], row["recall"] = g.precision_recall(either, sc.missing)
    return row


def junk_rows(sc: g.Scenario, cfg: AnalysisConfig) -> dict:
    gp = find_gaps(sc.real, sc.synthetic, cfg)
    return {
        f"head_dims={dims}": g.auroc(
            -fit_realism(cfg, gp, dims and (sc.real[:, :dims], sc.synthetic[:, :dims])).realism_,
            sc.junk,
        )
        for dims in (None, POOLED)
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", default="2,3", help="comma-separated seeds")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--junk", action="store_true", help="the junk rows' realism instead")
    parser.add_argument(
        "--datasets", default="digits,crops,faces", help="comma-separated subset to run"
    )
    parser.add_argument("--tiny", action="store_true", help="smoke-test size (CI)")
    args = parser.parse_args(argv)
    mode = "tiny" if args.tiny else "quick"
    embed = g.Embedder("auto", MODEL)
    table = defaultdict(list)
    for seed in (int(s) for s in args.seed.split(",")):
        cfg = AnalysisConfig(seed=seed, project=False)
        for name in args.datasets.split(","):
            ds = g.build_dataset(name, mode, seed, embed)
            for sc in g.scenarios(ds, seed):
                if (sc.kind == "junk") != args.junk:
                    continue
                t = time.time()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    if args.junk:
                        rows = junk_rows(sc, cfg)
                    else:
                        rows = {v: gap_row(sc, cfg, v) for v in args.variants.split(",")}
                for variant, value in rows.items():
                    key = (name, sc.shift, sc.kind, variant)
                    table[key].append(value)
                    print(json.dumps(dict(seed=seed, row=key, value=value)), flush=True)
                print(f"  [{time.time() - t:.0f} s]", file=sys.stderr, flush=True)
    print()
    for key, values in table.items():
        metrics = values[0] if isinstance(values[0], dict) else {"junk_auroc": None}
        cells = []
        for m in metrics:
            xs = np.array([v[m] if isinstance(v, dict) else v for v in values], float)
            cells.append(f"{m} {np.nanmean(xs):.2f} [{np.nanmin(xs):.2f}, {np.nanmax(xs):.2f}]")
        print(" ".join(key), "|", "; ".join(cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
