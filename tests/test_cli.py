"""The `synthgap` command line end to end, as a user runs it (a real process, a real database)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import pytest

#: Real processes and databases: minutes on 2 cores (outside the fast lane).
pytestmark = pytest.mark.slow

SYNTHGAP = [sys.executable, "-m", "fiftyone_plugin.cli"]
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_cli(*args: str, cwd: str | None = None) -> subprocess.CompletedProcess:
    path = os.pathsep.join(filter(None, [REPO_ROOT, os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}  # this checkout, whatever folder it runs in
    return subprocess.run(
        [*SYNTHGAP, *args], capture_output=True, text=True, timeout=600, cwd=cwd, env=env
    )


def error_line(done: subprocess.CompletedProcess) -> str:
    """The one ``synthgap: error:`` line of a failed command (after its progress line, if any)."""
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-3000:]
    lines = done.stderr.replace("\r", "\n").strip().splitlines()
    errors = [line for line in lines if line.startswith("synthgap: error: ")]
    assert len(errors) == 1 and lines[-1] == errors[0], done.stderr[-3000:]
    return errors[0]


def read_csv(path: str) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def analyzed(tiny_demo, tmp_path_factory):
    """`synthgap analyze` run twice on the tiny demo folders."""
    out = str(tmp_path_factory.mktemp("out"))
    args = ("analyze", "--real", tiny_demo["real"], "--synthetic", tiny_demo["synthetic"],
            "--dataset", "cli-e2e", "--out", out, "--num-workers", "1")  # fmt: skip
    first = run_cli(*args)
    second = run_cli(*args)
    return {"first": first, "second": second, "out": out, "demo": tiny_demo}


def test_analyze_succeeds_and_writes_every_output(analyzed):
    assert analyzed["first"].returncode == 0, analyzed["first"].stderr[-3000:]
    for name in ("samples.csv", "clusters.csv", "metrics.json", "report.html"):
        assert os.path.getsize(os.path.join(analyzed["out"], name)) > 0, name


def test_samples_csv_has_one_row_per_image_with_results(analyzed):
    demo = analyzed["demo"]
    rows = read_csv(os.path.join(analyzed["out"], "samples.csv"))
    n_real, n_synth = len(os.listdir(demo["real"])), len(os.listdir(demo["synthetic"]))
    assert len(rows) == n_real + n_synth
    for column in ("filepath", "domain", "cluster", "gap_score", "uncovered", "underrepresented",
                   "gap_region", "realism", "umap_x", "umap_y"):  # fmt: skip
        assert column in rows[0]
    real = [r for r in rows if r["domain"] == "real"]
    synthetic = [r for r in rows if r["domain"] == "synthetic"]
    assert len(real) == n_real and len(synthetic) == n_synth
    assert all(r["gap_score"] != "" and r["uncovered"] in ("true", "false") for r in real)
    assert all(0.0 <= float(r["realism"]) <= 1.0 for r in synthetic)
    # the two tiers of calls are real samples' and disjoint
    assert all(r["underrepresented"] in ("true", "false") for r in real)
    assert not any(r["uncovered"] == r["underrepresented"] == "true" for r in real)
    assert all(r["uncovered"] == r["underrepresented"] == "" for r in synthetic)
    assert all(r["gap_region"] for r in real if r["uncovered"] == "true")
    assert all(not r["gap_region"] for r in real if r["uncovered"] == "false")


def test_missing_content_scores_higher_than_present_content(analyzed):
    rows = read_csv(os.path.join(analyzed["out"], "samples.csv"))
    missing = tuple(analyzed["demo"]["missing_content"])
    real = [r for r in rows if r["domain"] == "real"]
    gap = [
        float(r["gap_score"]) for r in real if os.path.basename(r["filepath"]).startswith(missing)
    ]
    rest = [
        float(r["gap_score"])
        for r in real
        if not os.path.basename(r["filepath"]).startswith(missing)
    ]
    assert sum(gap) / len(gap) > sum(rest) / len(rest)


def test_clusters_and_metrics_files(analyzed):
    clusters = read_csv(os.path.join(analyzed["out"], "clusters.csv"))
    assert {"cluster", "n_real", "n_synthetic", "synthetic_share", "status"} <= set(clusters[0])
    assert {c["status"] for c in clusters} <= {"mixed", "real-only", "synthetic-only"}
    with open(os.path.join(analyzed["out"], "metrics.json")) as f:
        metrics = json.load(f)
    demo = analyzed["demo"]
    assert metrics["n_real"] == len(os.listdir(demo["real"]))
    assert metrics["n_synthetic"] == len(os.listdir(demo["synthetic"]))
    assert metrics["model"] == "efficientnet_lite0" and metrics["embedding_dim"] == 1280
    for key in ("fid", "kid_mean", "precision", "recall", "density", "coverage", "c2st_auc"):
        assert isinstance(metrics[key], float), key
        assert metrics["readings"][key], key


def test_rerun_adds_no_samples_and_gives_the_same_results(analyzed):
    import fiftyone as fo

    assert analyzed["second"].returncode == 0, analyzed["second"].stderr[-3000:]
    dataset = fo.load_dataset("cli-e2e")
    demo = analyzed["demo"]
    assert len(dataset) == len(os.listdir(demo["real"])) + len(os.listdir(demo["synthetic"]))
    assert len(set(dataset.values("filepath"))) == len(dataset)


def test_results_live_on_the_fiftyone_samples(analyzed):
    import fiftyone as fo

    dataset = fo.load_dataset("cli-e2e")
    for field in ("domain", "emb_efficientnet_lite0", "cluster", "gap_score", "uncovered",
                  "gap_region", "realism"):  # fmt: skip
        assert dataset.has_sample_field(field), field
    assert dataset.count_values("domain") == {
        "real": len(os.listdir(analyzed["demo"]["real"])),
        "synthetic": len(os.listdir(analyzed["demo"]["synthetic"])),
    }
    n_uncovered = dataset.count_values("uncovered").get(True, 0)
    assert len(dataset.match_tags("uncovered")) == n_uncovered
    assert "synthgap_umap" in dataset.list_brain_runs()
    assert "synthgap" in dataset.list_runs()
    assert "synthgap-uncovered" in dataset.list_saved_views()


def test_missing_folder_is_a_one_line_error(tmp_path):
    done = run_cli("analyze", "--real", str(tmp_path / "nope"), "--synthetic", str(tmp_path))
    assert error_line(done).startswith("synthgap: error: Folder not found")


def test_an_out_folder_that_cannot_be_made_fails_before_any_work(tiny_demo, tmp_path):
    import fiftyone as fo

    afile = tmp_path / "afile"
    afile.write_text("mine")
    for out in ("/proc/synthgap-no", str(afile / "sub")):
        done = run_cli("analyze", "--real", tiny_demo["real"], "--synthetic",
                       tiny_demo["synthetic"], "--dataset", "cli-bad-out", "--out", out)  # fmt: skip
        assert error_line(done).startswith(f"synthgap: error: Output folder '{out}' cannot be")
        assert not fo.dataset_exists("cli-bad-out")  # stopped before importing anything
    assert afile.read_text() == "mine"


def test_the_demo_checks_its_folders_before_building_anything(tmp_path):
    root = tmp_path / "data"
    done = run_cli("demo", "--root", str(root), "--out", "/proc/synthgap-no")
    assert error_line(done).startswith("synthgap: error: Output folder '/proc/synthgap-no' cannot")
    assert "demo:" not in done.stderr and not root.exists()  # nothing was written


def test_a_hostile_dataset_name_writes_only_inside_the_output_folder(analyzed, tmp_path):
    """`--dataset 'x/../../../esc'` once wrote its files three levels above ./synthgap-out."""
    import fiftyone as fo

    from fiftyone_plugin.paths import safe_name

    name = "x/../../../esc"
    if fo.dataset_exists(name):
        fo.delete_dataset(name)
    fo.load_dataset("cli-e2e").clone(name, persistent=True)
    cwd = tmp_path / "a" / "b" / "c" / "d"
    cwd.mkdir(parents=True)
    try:
        done = run_cli("analyze", "--dataset", name, "--num-workers", "1", cwd=str(cwd))
    finally:
        fo.delete_dataset(name)
    assert done.returncode == 0, done.stderr[-3000:]
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    folder = os.path.join("a", "b", "c", "d", "synthgap-out", safe_name(name))
    assert written and all(os.path.dirname(p) == folder for p in written), written
    assert {"samples.csv", "metrics.json", "report.html"} <= {os.path.basename(p) for p in written}


def test_empty_folder_is_a_one_line_error(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "synthetic").mkdir()
    done = run_cli(
        "analyze", "--real", str(tmp_path / "real"), "--synthetic", str(tmp_path / "synthetic")
    )
    assert done.returncode == 1
    assert "No images found in the real folder" in done.stderr


def test_embed_with_a_local_checkpoint(tiny_demo, tmp_path, dataset_name):
    import fiftyone as fo
    import torch
    import torchvision

    from fiftyone_plugin.fo.samples import import_images, list_images, load_or_create_dataset

    checkpoint = tmp_path / "resnet18 weights.pth"
    torch.save(torchvision.models.resnet18(weights=None).state_dict(), checkpoint)
    import_images(load_or_create_dataset(dataset_name), list_images(tiny_demo["real"])[:6], "real")
    done = run_cli("embed", "--dataset", dataset_name, "--model", "resnet18",
                   "--checkpoint", str(checkpoint), "--num-workers", "0")  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    dataset = fo.load_dataset(dataset_name)
    dataset.reload()  # the field was added by the CLI process
    assert dataset.get_field("emb_resnet18").info["synthgap"] == {"model": "resnet18", "dim": 512}
    assert len(dataset.exists("emb_resnet18")) == 6


def test_app_serves_the_dataset_with_the_plugin_linked(dataset_name, tiny_demo, plugins_dir):
    import socket
    import time
    import urllib.request

    from fiftyone_plugin.fo.samples import import_images, list_images, load_or_create_dataset

    import_images(load_or_create_dataset(dataset_name), list_images(tiny_demo["real"])[:2], "real")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = subprocess.Popen([*SYNTHGAP, "app", "--dataset", dataset_name, "--port", str(port)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline, status = time.time() + 120, None
        while status != 200 and time.time() < deadline and app.poll() is None:
            try:
                status = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).status
            except OSError:
                time.sleep(0.5)
        assert status == 200, "the App did not answer"
        assert os.path.realpath(os.path.join(plugins_dir, "synthgap")) == os.path.realpath(
            os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        )
    finally:
        app.terminate()
        app.wait(30)


def test_app_with_an_unknown_dataset_is_a_one_line_error():
    done = run_cli("app", "--dataset", "no-such-dataset")
    assert done.returncode == 1
    assert done.stderr.strip().startswith("synthgap: error: No dataset named 'no-such-dataset'")


def test_report_shows_the_numbers_of_metrics_json_and_only_embedded_images(analyzed):
    import base64
    import io
    import re

    from PIL import Image

    from fiftyone_plugin.report.grades import format_value, metric_keys

    with open(os.path.join(analyzed["out"], "metrics.json")) as f:
        metrics = json.load(f)
    with open(os.path.join(analyzed["out"], "report.html"), encoding="utf-8") as f:
        page = f.read()
    shown = dict(re.findall(r'data-metric="([a-z_0-9]+)"[^>]*>([^<]+)<', page))
    keys = metric_keys(metrics) + ["n_real", "n_synthetic", "n_uncovered", "n_gap_regions"]
    for key in keys:
        assert shown[key].strip() == format_value(metrics[key]), key
    images = re.findall(r'<img[^>]+src="([^"]+)"', page)
    assert images and all(src.startswith("data:image/") for src in images)
    for src in images:
        Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))).verify()


def test_embed_runtimes_match_the_eager_torch_model(tiny_demo, dataset_name):
    """--compile (torch.compile) and --backend openvino give the eager torch network's vectors."""
    import fiftyone as fo
    import numpy as np

    from fiftyone_plugin.fo.samples import import_images, list_images, load_or_create_dataset

    import_images(load_or_create_dataset(dataset_name), list_images(tiny_demo["real"])[:5], "real")
    common = ("embed", "--dataset", dataset_name, "--num-workers", "0", "--batch-size", "4",
              "--precision", "fp32")  # fmt: skip
    runs = {
        "emb_eager": run_cli(*common, "--field", "emb_eager", "--backend", "torch"),
        "emb_compiled": run_cli(*common, "--field", "emb_compiled", "--compile"),
        "emb_openvino": run_cli(*common, "--field", "emb_openvino", "--backend", "openvino"),
    }
    for field, done in runs.items():
        assert done.returncode == 0, (field, done.stderr[-2000:])
    dataset = fo.load_dataset(dataset_name)
    dataset.reload()
    eager, compiled, openvino = (np.stack(dataset.values(f)) for f in runs)
    cosine = (eager * compiled).sum(1) / np.linalg.norm(eager, axis=1)
    cosine /= np.linalg.norm(compiled, axis=1)
    assert eager.shape == (5, 1280) and cosine.min() > 0.99
    np.testing.assert_allclose(openvino, eager, rtol=1e-4, atol=1e-5)


def test_demo_under_its_own_name_says_what_it_does_at_every_step(tmp_path):
    """`synthgap demo --dataset NAME` as a new user runs it: a label before each slow step (the
    demo images, FiftyOne starting, the model loading, each analysis step), labels whole, "done"
    once; `synthgap runs` then prints rounded numbers."""
    import re

    import fiftyone as fo

    name = "cli-demo-named"
    done = run_cli("demo", "--dataset", name, "--root", str(tmp_path / "data"),
                   "--out", str(tmp_path / "out"), "--num-workers", "1")  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    try:
        assert len(fo.load_dataset(name)) == 912
        lines = [line.strip() for line in done.stderr.replace("\r", "\n").splitlines()]
        labels = [re.split(r"\s+\d+%\|", line)[0].strip() for line in lines if "%|" in line]
        for label in ("demo: cropping astronaut (1/16)", "starting FiftyOne and its database",
                      "loading efficientnet_lite0", "computing metrics",
                      "coverage: calibrating on shuffled sides"):  # fmt: skip
            assert label in labels, (label, labels)
        assert labels.count("done") == 1, labels
        # a style shift and missing content found: no advice to try another model
        assert "\ndiagnosis Two separate problems." in done.stdout
        assert "\nnext " not in done.stdout, done.stdout
        runs = run_cli("runs", "--dataset", name)
        assert runs.returncode == 0 and "run=synthgap" in runs.stdout, runs.stderr[-3000:]
        assert not re.search(r"\d\.\d{5,}", runs.stdout), runs.stdout
        assert re.search(r"fid=\d+(\.\d{1,3})?\s", runs.stdout), runs.stdout
    finally:
        fo.delete_dataset(name)


@pytest.mark.parametrize("kind", ["labeled", "objects"])
def test_labeled_demos_end_with_the_class_findings(kind, tmp_path):
    """`synthgap demo --labeled` (class folders) and `--objects` (COCO boxes, analyzed per
    object): the per-class table, the label statistics and the probe's verdict in the terminal,
    and the report's Classes and Labels sections."""
    import fiftyone as fo

    out = tmp_path / "out"
    done = run_cli("demo", f"--{kind}", "--root", str(tmp_path / "data"), "--out", str(out),
                   "--num-workers", "1")  # fmt: skip
    try:
        assert done.returncode == 0, done.stderr[-3000:]
        missing, unit = ("chelsea", "images") if kind == "labeled" else ("cup", "objects")
        lines = done.stdout.splitlines()
        heading = next(i for i, line in enumerate(lines) if line.split()[:2] == ["Class", "Status"])
        worst = lines[heading + 1].split()  # class, status, real, synthetic, ...
        assert (worst[0], worst[1], worst[3]) == (missing, "missing", "0")
        assert f"labels  Class `{missing}` has 0 synthetic {unit}" in done.stdout
        assert f"probe   Trained on your synthetic {unit}" in done.stdout
        assert f"Classes least likely to work: `{missing}` 0%" in done.stdout
        if kind == "labeled":
            assert "labels  Class `coffee` is" in done.stdout and "rarer" in done.stdout
        else:
            assert "labels  Synthetic `person` boxes have a median area" in done.stdout
            rows = [r for r in read_csv(str(out / "objects.csv")) if r["domain"] == "real"]
            cups = [r["class_uncovered"] == "true" for r in rows if r["class"] == "cup"]
            assert cups and all(cups)
        classes = {r["class"]: r for r in read_csv(str(out / "classes.csv"))}
        assert classes[missing]["status"] == "missing"
        page = (out / "report.html").read_text(encoding="utf-8")
        assert '<section id="classes">' in page and '<section id="labels">' in page
    finally:
        if fo.dataset_exists(f"synthgap-demo-{kind}"):
            fo.delete_dataset(f"synthgap-demo-{kind}")
