"""The benchmarks in bench/ run end to end at tiny size and print what their readers expect: a JSON
object on the last line with every figure under its key, each a number of the right kind (smoke
runs: their values mean nothing here; the figures are measured with the commands in
docs/BENCHMARKS.md). Slow: several minutes on 2 cores."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow

#: Figures of `bench/run.py` by section: key -> type (float keys are positive ratios, rates or
#: times; int keys are sizes).
SPEED_KEYS = {
    "embed": {
        "embed_images_per_s": float, "forward_images_per_s": float,
        "fiftyone_images_per_s": float, "forward_torch_images_per_s": float,
        "embed_vs_forward": float, "embed_vs_fiftyone": float,
        "embed_cosine_to_fiftyone_fp32_mean": float, "embed_cosine_to_fiftyone_fp32_min": float,
        "compile_s": float, "forward_compiled_images_per_s": float,
        "embed_compiled_images_per_s": float, "precision": str, "backend": str,
    },
    "writeback": {
        "writeback_bulk_s": float, "writeback_loop_s_per_sample": float,
        "writeback_vs_save": float,
    },
    "analysis": {
        "analysis_n_per_side": int, "analysis_100k_s": float, "analysis_100k_peak_gb": float,
    },
    "prdc": {"prdc_n": int, "prdc_s": float, "gap_s": float, "analysis_vs_prdc": float},
    "e2e": {
        "e2e_images": int, "e2e_ours_s": float, "e2e_fiftyone_s": float,
        "e2e_vs_fiftyone": float,
    },
}  # fmt: skip


def run_bench(script: str, *args: str) -> dict:
    """Run ``bench/<script>``; the JSON object its last line prints."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    last = done.stdout.strip().splitlines()[-1]
    out = json.loads(last)
    assert isinstance(out, dict), last
    return out


def _check_types(out: dict, keys: dict) -> None:
    for key, kind in keys.items():
        assert key in out, key
        value = out[key]
        if kind is float:
            assert isinstance(value, int | float) and not isinstance(value, bool), (key, value)
            assert math.isfinite(value) and value > 0, (key, value)
        else:
            assert isinstance(value, kind) and not isinstance(value, bool), (key, value)


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

    assert out["mode"] == "tiny"
    for keys in SPEED_KEYS.values():
        _check_types(out, keys)
    for key in ("load_before", "load_after"):  # the machine's 1-minute load: others' work
        assert isinstance(out[key], int | float) and out[key] >= 0, key
    for row in out["scaling"]:
        _check_types(row, {"n_real": int, "n_synthetic": int, "seconds": float, "peak_gb": float})
    assert out["scaling_plot"] == str(plot)
    _check_types(out, {"analysis_2k_synthetic_s": float, "analysis_2k_synthetic_peak_gb": float})


def test_gap_quality_benchmark_runs_and_reports_every_figure():
    out = run_bench("gap_quality.py", "--tiny", "--datasets", "crops", "--model", "auto")
    assert out["mode"] == "tiny" and out["model"] == "auto"  # photo crops: efficientnet_lite0
    for key in ("min_gap_auroc", "max_control_flagged", "min_junk_auroc"):
        assert 0.0 <= out[key] <= 1.0, key
    # precision is undefined (null) only when no real sample was called uncovered in any row
    if out["min_uncovered_precision"] is None:
        assert out["mean_uncovered_recall"] == 0.0
        assert "crops/none" in out["below_target"]["uncovered_precision"]
    else:
        assert 0.0 <= out["min_uncovered_precision"] <= 1.0
    assert set(out["below_target"]) == {"gap_auroc", "uncovered_precision", "recall",
                                        "control_flagged", "junk_auroc"}  # fmt: skip

    for key in ("min_base_gap_auroc", "mean_gap_auroc", "mean_base_gap_auroc",
                "mean_uncovered_recall", "mean_either_recall", "mean_recall_at_5fp",
                "max_control_flagged_either", "max_base_control_flagged",
                "min_base_junk_auroc"):  # fmt: skip
        assert isinstance(out[key], float) and 0.0 <= out[key] <= 1.0, key
    # the likely tier only adds calls: recall with it is never below the confident tier's
    assert out["mean_either_recall"] >= out["mean_uncovered_recall"]
    assert out["max_control_flagged_either"] >= out["max_control_flagged"]
    # the same calls, counted only in the classes the style shift left recognizable
    assert 0.0 <= out["max_control_flagged_recognizable"] <= 1.0
    assert all(
        isinstance(failed, list) and all(isinstance(where, str) for where in failed)
        for failed in out["below_target"].values()
    )
    assert (out["seed"], out["precision"]) == (0, "fp32") and out["seconds"] > 0


#: Figures of `bench/gpu.py` by section (on a CPU at tiny size: every code path, CPU twins).
GPU_KEYS = {
    "embedding": {
        "forward": float, "pipeline": float, "pipeline_pillow_workers": float,
        "pipeline_fp32": float, "forward_fp32": float, "stock": float, "embed_vs_forward": float,
        "embed_vs_stock": float, "cosine_device_vs_pillow_mean": float,
        "cosine_device_vs_pillow_min": float, "images": int, "device": str, "precision": str,
    },
    "agreement": {
        "n_per_side": int, "cpu_s": float, "device_s": float, "gap_score_correlation": float,
        "uncovered_agreement": float, "realism_correlation": float,
    },
    "umap_placement": {
        "preserved_ours": float, "preserved_umap_transform": float, "seconds_ours": float,
        "seconds_umap_transform": float,
    },
    "analysis_1k_1k": {"seconds": float, "n_real": int, "n_synthetic": int, "steps": dict},
    "analysis_1k_2k": {"seconds": float, "n_real": int, "n_synthetic": int, "steps": dict},
}  # fmt: skip


def test_gpu_benchmark_runs_every_section_on_a_cpu():
    out = run_bench("gpu.py", "--tiny", "--workers", "1")
    for section, keys in GPU_KEYS.items():
        _check_types(out[section], keys)
    assert out["machine"]["cuda"] is None or isinstance(out["machine"]["cuda"], str)
    # on a CPU the "device" run of the agreement check is the CPU run itself
    assert out["agreement"]["gap_score_correlation"] == pytest.approx(1.0)
    assert out["embedding"]["cosine_device_vs_pillow_min"] > 0.97
    assert all(v >= 0 for v in out["analysis_1k_2k"]["steps"].values())


@pytest.mark.parametrize("mode", ["pose", "size"])
def test_object_scenarios_draw_the_known_answer(mode, monkeypatch):
    """bench/object_scenarios.py: on the real side about 40% of every class's objects are in the
    mode; on the synthetic side the target class never is, the other classes still are."""
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    import numpy as np
    import object_scenarios as OS

    classes = ["cat", "cup", "rocket"]
    real = OS.draw(mode, classes, None, 120, 0.4, seed=1)
    synthetic = OS.draw(mode, classes, "cup", 120, 0.4, seed=2)
    for side, target_share in ((real, 0.4), (synthetic, 0.0)):
        label = np.array([c for bs in side[1] for c, *_ in bs])
        in_mode = np.array([m for ms in side[2] for m in ms])
        assert set(label) == set(classes) and len(side[0]) == 120
        assert abs(in_mode[label == "cup"].mean() - target_share) < 0.12
        assert abs(in_mode[label == "cat"].mean() - 0.4) < 0.12
    if mode == "size":  # objects in the mode are drawn at OS.SMALL times the side
        boxes = np.array([b for bs in real[1] for _, *b in bs])
        in_mode = np.array([m for ms in real[2] for m in ms])
        ratio = np.median(boxes[in_mode, 2:].max(1)) / np.median(boxes[~in_mode, 2:].max(1))
        assert abs(ratio - OS.SMALL) < 0.15


def test_content_variants_prints_a_row_per_scenario_and_variant_then_the_table():
    """bench/content_variants.py: one JSON line per scenario and block weighting (gap and control
    rows), then a table line per row; with --junk, the realism rows instead."""
    args = (str(ROOT / "bench" / "content_variants.py"), "--tiny", "--datasets", "digits")
    printed = {}
    for extra in ((), ("--junk",)):
        done = subprocess.run(
            [sys.executable, *args, "--seed", "0", *extra],
            capture_output=True, text=True, timeout=900, cwd=ROOT,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        printed[extra] = done.stdout.strip().split("\n\n")
    lines, table = printed[()]
    rows = [json.loads(line) for line in lines.splitlines()]
    variants = ["pooled", "content", "equalvar", "equalvar4"]
    kinds = [("none", "gap"), ("mild", "gap"), ("mild", "control"), ("strong", "gap"),
             ("strong", "control")]  # fmt: skip
    assert [tuple(r["row"]) for r in rows] == [
        ("digits", shift, kind, v) for shift, kind in kinds for v in variants
    ]
    for r in rows:
        value = r["value"]
        assert r["seed"] == 0 and 0.0 <= value["flagged"] <= 1.0
        if r["row"][2] == "gap":  # precision is NaN where nothing was flagged
            assert 0.0 <= value["auroc"] <= 1.0 and 0.0 <= value["recall"] <= 1.0
            assert math.isnan(value["precision"]) or 0.0 <= value["precision"] <= 1.0
        else:
            assert set(value) == {"flagged"}
    assert [line.split(" | ")[0] for line in table.splitlines()] == [
        " ".join(r["row"]) for r in rows
    ]
    lines, table = printed[("--junk",)]
    junk = [json.loads(line) for line in lines.splitlines()]
    assert [r["row"][3] for r in junk] == ["head_dims=None", "head_dims=1280"]
    assert all(0.0 <= r["value"] <= 1.0 for r in junk)
    assert all(line.split(" | ")[1].startswith("junk_auroc ") for line in table.splitlines())


def test_font_digits_prints_a_row_per_renderer_and_scenario_and_draws_what_it_calls(tmp_path):
    """bench/font_digits.py: the table, then one JSON line per row (a gap and a nothing-withheld
    scenario per renderer), each with the share called uncovered per digit; --figure writes the
    three classes called most, two rows each."""
    figure = tmp_path / "called.png"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "font_digits.py"), "--tiny", "--seed", "0",
         "--models", "efficientnet_lite0", "--figure", str(figure)],
        capture_output=True, text=True, timeout=900, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    rows = [json.loads(line) for line in lines if line.startswith("{")]
    assert [(r["shift"], r["kind"]) for r in rows] == [
        (renderer, kind) for renderer in ("scanned", "crisp") for kind in ("gap", "control")
    ]
    for r in rows:
        assert sorted(r["flagged_by_class"], key=int) == [str(c) for c in range(10)]
        assert all(0.0 <= v <= 1.0 for v in r["flagged_by_class"].values())
        assert (r["n_missing"] > 0) == (r["kind"] == "gap") and 0.0 <= r["recognizable"] <= 1.0
    table = [line for line in lines if line.startswith("| efficientnet_lite0 ")]
    assert len(table) == 4 and "nothing withheld" in table[1]
    from PIL import Image

    with Image.open(figure) as image:
        assert image.height == 3 * 2 * (64 + 4)
