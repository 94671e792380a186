"""The layers' boundaries hold: the numeric core, the embeddings and the report load no FiftyOne;
only fiftyone_plugin/fo/ and operators/ import fiftyone; the core's tests run without a
database."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGE = REPO_ROOT / "fiftyone_plugin"
#: The only places whose code may import fiftyone (the FiftyOne adapter and the App's operators).
MAY_IMPORT_FIFTYONE = (PACKAGE / "fo", REPO_ROOT / "operators")
#: Top-level modules of FiftyOne and its database.
FIFTYONE_MODULES = ("fiftyone", "fiftyone_brain", "fiftyone_db", "mongoengine", "motor")


#: Modules that must not load FiftyOne, imported in turn by one fresh interpreter (what the first
#: ones load is loaded for the later ones too: none may load FiftyOne, so the check holds for each).
NO_FIFTYONE = (
    "fiftyone_plugin",
    "fiftyone_plugin.options",
    "fiftyone_plugin.core",
    "fiftyone_plugin.embeddings",
    "fiftyone_plugin.report.html",
    "fiftyone_plugin.cli",
)

LOADED = """
import importlib, json, sys
loaded = {}
for module in sys.argv[1:]:
    importlib.import_module(module)
    loaded[module] = sorted(m for m in sys.modules if m.split(".")[0] in %r)
print(json.dumps(loaded))
"""


def test_importing_the_core_embeddings_report_and_cli_loads_no_fiftyone():
    done = subprocess.run(
        [sys.executable, "-c", LOADED % (FIFTYONE_MODULES,), *NO_FIFTYONE],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == {module: [] for module in NO_FIFTYONE}


def _fiftyone_imports(path: Path) -> list[int]:
    """Line numbers of the statements of ``path`` that import fiftyone (at any depth: module
    level, inside functions, under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        else:
            continue
        if any(name.split(".")[0] in FIFTYONE_MODULES for name in names):
            lines.append(node.lineno)
    return lines


def test_only_the_adapter_and_the_operators_import_fiftyone():
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if any(path.is_relative_to(allowed) for allowed in MAY_IMPORT_FIFTYONE):
            continue
        lines = _fiftyone_imports(path)
        if lines:
            offenders[str(path.relative_to(REPO_ROOT))] = lines
    assert offenders == {}, f"fiftyone imported outside fo/ and operators/: {offenders}"
    # the scan sees what it must: the adapter does import fiftyone
    assert _fiftyone_imports(PACKAGE / "fo" / "samples.py")


#: A pytest plugin reporting, at the end of a session, whether the session started its database
#: and whether anything imported fiftyone.
PROBE = """
import json, os, sys

def pytest_sessionfinish(session):
    plugins = session.config.pluginmanager.get_plugins()
    conftest = next(p for p in plugins if hasattr(p, "database_started"))
    with open(os.environ["SYNTHGAP_PROBE_OUT"], "w") as f:
        json.dump({"mongod": conftest.database_started(),
                   "fiftyone": sorted(m for m in sys.modules if m.split(".")[0] == "fiftyone")}, f)
"""


def _probe(tmp_path: Path, *tests: str) -> dict:
    (tmp_path / "db_probe.py").write_text(textwrap.dedent(PROBE))
    out = tmp_path / "probe.json"
    env = {k: v for k, v in os.environ.items() if k != "FIFTYONE_DATABASE_URI"}
    env.update(SYNTHGAP_PROBE_OUT=str(out), PYTHONPATH=os.pathsep.join(
        [str(tmp_path), str(REPO_ROOT), env.get("PYTHONPATH", "")]))  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "db_probe", "-p", "no:cacheprovider", *tests],
        capture_output=True, text=True, cwd=REPO_ROOT, env=env, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(out.read_text())


def test_core_tests_start_no_database(tmp_path):
    found = _probe(tmp_path, "tests/core/test_readings.py", "tests/core/test_realism.py")
    assert found == {"mongod": False, "fiftyone": []}


def test_a_test_file_using_fiftyone_gets_the_sessions_database(tmp_path):
    found = _probe(tmp_path, "--collect-only", "tests/fo/test_bulk.py")
    assert found["mongod"] and "fiftyone" in found["fiftyone"]


def test_importing_fiftyone_starts_the_database_first():
    """Whatever imports fiftyone in a test session (a test file in NO_DATABASE included) finds
    the session's private database, never the user's."""
    code = (
        "import sys; sys.path.insert(0, 'tests'); import conftest; "
        "assert not conftest.database_started(); import fiftyone as fo; "
        "print(conftest.database_started(), fo.config.database_uri)"
    )
    env = {k: v for k, v in os.environ.items() if k != "FIFTYONE_DATABASE_URI"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, env=env,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    started, uri = done.stdout.split()[-2:]
    assert started == "True" and uri.startswith("mongodb://127.0.0.1:")


def _package_imports(path: Path) -> set[str]:
    """Modules of fiftyone_plugin that ``path`` imports (any depth, relative or absolute)."""
    module = ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    package = package.removesuffix(".__init__")
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            names = [f"{target}.{alias.name}" for alias in node.names] + [target]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found.update(n for n in names if n.startswith("fiftyone_plugin."))
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (module -> modules it imports), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(m: str, trail: list[str]) -> list[str] | None:
        state[m] = 1
        for nxt in sorted(graph[m]):
            if state.get(nxt) == 1:
                return [*trail, m, nxt]
            if nxt not in state and (found := visit(nxt, [*trail, m])):
                return found
        state[m] = 2
        return None

    return next((c for m in sorted(graph) if m not in state and (c := visit(m, []))), None)


def test_imports_within_each_subpackage_run_one_way():
    """No module of core/, embeddings/, report/ or fo/ imports, even lazily, a module of the same
    subpackage that imports it back (directly or through others)."""
    files = {".".join(p.relative_to(REPO_ROOT).with_suffix("").parts): p
             for p in PACKAGE.rglob("*.py") if p.name != "__init__.py"}  # fmt: skip
    for sub in ("core", "embeddings", "report", "fo"):
        prefix = f"fiftyone_plugin.{sub}."
        graph = {m: {i for i in _package_imports(p) if i in files and i.startswith(prefix)}
                 for m, p in files.items() if m.startswith(prefix)}  # fmt: skip
        assert graph, sub  # the scan sees the subpackage's modules
        assert _cycle(graph) is None, f"import cycle in {sub}/: {' -> '.join(_cycle(graph))}"
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
