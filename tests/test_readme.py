"""The README's Python example runs as written, on a small demo."""

from __future__ import annotations

import os
import re
from pathlib import Path

import fiftyone as fo

README = Path(__file__).resolve().parents[1] / "README.md"


def python_example() -> str:
    section = README.read_text().split("### In Python", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_python_example_runs_stores_both_runs_and_curates(tmp_path, monkeypatch, capsys):
    from fiftyone_plugin.demo import build_demo

    demo = build_demo(str(tmp_path / "data"), per_photo=8, size=64, n_junk=3)  # ~250 images
    code = python_example()
    for folder in ("real", "synthetic"):
        code = code.replace(f'"data/{folder}"', repr(demo[folder]))
    monkeypatch.chdir(tmp_path)  # the example writes my-gap-out/ where it runs
    if fo.dataset_exists("my-gap"):
        fo.delete_dataset("my-gap")
    try:
        exec(compile(code, str(README), "exec"), {})
        dataset = fo.load_dataset("my-gap")
        assert set(dataset.list_runs()) >= {"synthgap", "bf16_look"}
        assert dataset.count("emb_bf16") == dataset.count("emb_efficientnet_lite0") > 0
        assert (tmp_path / "my-gap-out" / "samples.csv").is_file()
        printed = capsys.readouterr().out.splitlines()
        assert printed[0].startswith(os.path.join("my-gap-out", "samples.csv") + " ")
        assert len(printed) == 4 and "FID" in printed[1]
        kept = dataset.match_tags("curated")  # the curation of the default run
        assert 0 < len(kept) <= 40 and printed[3].startswith(f"{len(kept)} ")
        assert "'degenerate'" in printed[2] and "'low-realism'" in printed[3]  # the junk renders
    finally:
        if fo.dataset_exists("my-gap"):
            fo.delete_dataset("my-gap")
