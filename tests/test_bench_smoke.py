"""The benchmarks in bench/ run end to end at tiny size (smoke runs: their times mean nothing here;
the figures are measured with the commands in the README)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_bench(script: str, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_speed_benchmark_runs_every_section(tmp_path):
    plot = tmp_path / "scaling.png"
    sections = ("embed", "writeback", "analysis", "prdc", "e2e", "scaling")
    out = run_bench(
        "run.py", "--tiny", "--num-workers", "1", "--only", *sections, "--plot", str(plot)
    )
    for key in ("embed_vs_forward", "embed_vs_fiftyone", "writeback_vs_save", "analysis_100k_s",
                "analysis_100k_peak_gb", "analysis_vs_prdc", "e2e_vs_fiftyone"):  # fmt: skip
        assert out[key] > 0, key
    assert out["embed_cosine_to_fiftyone_fp32_mean"] > 0.95
    assert [(r["n_real"], r["n_synthetic"]) for r in out["scaling"]] == [(500, 500), (1000, 2000)]
    assert plot.read_bytes().startswith(b"\x89PNG")


def test_gap_quality_benchmark_runs_and_reports_every_figure():
    out = run_bench("gap_quality.py", "--tiny", "--datasets", "crops")
    assert out["mode"] == "tiny"
    for key in ("min_gap_auroc", "min_uncovered_precision", "max_control_flagged",
                "min_junk_auroc"):  # fmt: skip
        assert 0.0 <= out[key] <= 1.0, key
    assert set(out["below_target"]) == {"gap_auroc", "uncovered_precision", "control_flagged",
                                        "junk_auroc"}  # fmt: skip
