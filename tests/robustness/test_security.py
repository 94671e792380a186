"""Inputs are data, never code: names are validated, checkpoints load without running pickled code,
and no value from a form or the command line reaches eval, a shell or an unpickler."""

from __future__ import annotations

import ast
import os
import pathlib

import pytest
import torch
from processes import REPO_ROOT, analyze_args, cli, one_line_error

from fiftyone_plugin import defaults

#: Real processes and databases: minutes on 2 cores (outside the fast lane).
pytestmark = pytest.mark.slow

HOSTILE = [
    "__import__('os').system('touch PWNED')",
    "$(touch PWNED)",
    "gap_score; rm -rf /",
    "../../etc/passwd",
    "a.b",
    "$where",
    "",
    "x" * 65,
    "ünïcødé",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_field_and_run_names_are_refused(name):
    with pytest.raises(ValueError, match="Invalid run name .* letters, digits and underscores"):
        defaults.validate_name(name, "run name")


class RunsCode:
    """Unpickling this runs a shell command (the classic malicious checkpoint)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_a_checkpoint_with_pickled_code_is_refused_without_running_it(tmp_path):
    from fiftyone_plugin.embeddings import load_model

    marker = tmp_path / "PWNED"
    path = tmp_path / "evil.pth"
    torch.save({"state_dict": RunsCode(str(marker))}, path)
    with pytest.raises(ValueError, match="Cannot read checkpoint .* torch.save\\(model.state_dict"):
        load_model("efficientnet_lite0", device="cpu", checkpoint=path)
    assert not marker.exists()


def test_cli_refuses_a_hostile_run_name_before_touching_the_database(folders, tmp_path):
    import fiftyone as fo

    line = one_line_error(cli(*analyze_args(folders, "robust-hostile", str(tmp_path / "out"),
                                            "--run", HOSTILE[1])))  # fmt: skip
    assert "Invalid run name" in line
    assert not fo.dataset_exists("robust-hostile") and not (tmp_path / "out").exists()
    assert not (pathlib.Path(REPO_ROOT) / "PWNED").exists()


def test_an_operator_form_never_evaluates_what_it_is_given(dataset_name, tmp_path):
    import fiftyone.operators as foo
    from fiftyone.operators.executor import ExecutionError
    from stored import blobs, embedded

    dataset = embedded(dataset_name, blobs(30, 0), blobs(10, 1))
    marker = tmp_path / "PWNED"
    code = f"__import__('os').system('touch {marker}')"
    for operator, params in (
        ("analyze_gap", {"run": code}),
        # the field is asked with a named model ("auto" stores in its model's field)
        ("compute_embeddings", {"model": "efficientnet_lite0", "field": code}),
        ("add_images", {"source": f"$(touch {marker})", "domain": "real"}),
    ):
        ctx = {"dataset": dataset.name, "params": params, "request_delegation": False}
        with pytest.raises(ExecutionError, match="Validation error"):
            foo.execute_operator(f"@synthgap/synthgap/{operator}", ctx=ctx)
    assert not marker.exists()


#: Calls that would run code or a shell given the wrong input.
DANGEROUS = {"eval", "exec", "compile", "system", "popen", "loads", "load", "__import__"}


def test_no_input_can_reach_eval_a_shell_or_an_unpickler():
    """Scan the library and the operators: no eval/exec/os.system/pickle.load(s)/yaml.load, no
    subprocess with shell=True, and torch.load only with weights_only=True."""
    found = []
    for folder in ("fiftyone_plugin", "operators"):
        for path in pathlib.Path(REPO_ROOT, folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
                keywords = {k.arg: k.value for k in node.keywords}
                where = f"{path.relative_to(REPO_ROOT)}:{node.lineno}"
                if name == "load" and owner == "torch":
                    weights_only = keywords.get("weights_only")
                    if not (isinstance(weights_only, ast.Constant) and weights_only.value is True):
                        found.append(f"{where} torch.load without weights_only=True")
                elif name in DANGEROUS and owner in (
                    "",
                    "os",
                    "pickle",
                    "yaml",
                    "marshal",
                    "builtins",
                ):
                    found.append(f"{where} {owner + '.' if owner else ''}{name}")
                shell = keywords.get("shell")
                if isinstance(shell, ast.Constant) and shell.value is True:
                    found.append(f"{where} shell=True")
    assert not found, found


def test_cli_checks_the_output_folder_before_touching_the_database(folders, tmp_path):
    import fiftyone as fo

    (tmp_path / "taken").write_text("a file the user keeps")
    done = cli(*analyze_args(folders, "robust-out", str(tmp_path / "taken")))
    assert "is a file: choose another output folder" in one_line_error(done)
    assert not fo.dataset_exists("robust-out")
    assert (tmp_path / "taken").read_text() == "a file the user keeps"
