"""Test session set-up: a throwaway FiftyOne database and plugins dir, set before fiftyone loads.

Tests that use FiftyOne run against a real embedded MongoDB (a private mongod in a temp dir) and
real images; nothing here touches the user's own FiftyOne database or plugins. The mongod starts
only when the session needs it: when a test module outside NO_DATABASE is collected (before it
is imported), or, whatever the file, the moment anything imports fiftyone. ``pytest tests/core``
starts none (tests/test_boundaries.py checks it).
"""

import atexit
import importlib.abc
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_TMP = tempfile.mkdtemp(prefix="synthgap-tests-")
_PLUGINS_DIR = os.path.join(_TMP, "plugins")
os.makedirs(_PLUGINS_DIR)
os.symlink(REPO_ROOT, os.path.join(_PLUGINS_DIR, "synthgap"), target_is_directory=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_mongod() -> tuple[subprocess.Popen, str]:
    """A private mongod (FiftyOne's bundled binary) in the temp dir, on a free port.

    FiftyOne's own embedded service attaches to any database service already running for this
    user, so a test session could otherwise write into the user's real database.
    """
    package = os.path.dirname(importlib.util.find_spec("fiftyone").origin)
    db_dir = os.path.join(_TMP, "db")
    os.makedirs(db_dir)
    port = _free_port()
    proc = subprocess.Popen(
        [os.path.join(package, "db", "bin", "mongod"), "--dbpath", db_dir, "--port", str(port),
         "--bind_ip", "127.0.0.1", "--nounixsocket", "--logpath", os.path.join(_TMP, "mongod.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.time() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, f"mongodb://127.0.0.1:{port}"
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"mongod did not start; see {_TMP}/mongod.log") from None
            time.sleep(0.2)


#: Test folders (under tests/) and files whose tests need no database: what they import does not
#: import fiftyone (tests/test_boundaries.py checks that the core, embeddings and report do not).
NO_DATABASE = (
    "core", "embeddings", "report", "test_options.py", "test_boundaries.py", "test_paths.py",
    "test_terminal_progress.py",
)  # fmt: skip

_MONGOD: subprocess.Popen | None = None
_DATABASE_READY = bool(os.environ.get("FIFTYONE_DATABASE_URI"))  # else: tests use the one given
os.environ["FIFTYONE_PLUGINS_DIR"] = _PLUGINS_DIR
os.environ["FIFTYONE_DATABASE_VALIDATION"] = "false"
os.environ["FIFTYONE_DO_NOT_TRACK"] = "true"
os.environ.setdefault("FIFTYONE_ALLOW_LEGACY_ORCHESTRATORS", "true")


def ensure_database() -> None:
    """Start this session's private mongod (once) and point FiftyOne at it. Must run before
    fiftyone is imported, by this process or by the subprocesses a test starts."""
    global _MONGOD, _DATABASE_READY
    if _DATABASE_READY:
        return
    _DATABASE_READY = True
    _MONGOD, os.environ["FIFTYONE_DATABASE_URI"] = _start_mongod()


def database_started() -> bool:
    """Whether this session started its private mongod."""
    return _MONGOD is not None


class _DatabaseFirst(importlib.abc.MetaPathFinder):
    """Starts the database when fiftyone is first imported (finds nothing itself)."""

    def find_spec(self, name, path=None, target=None):
        if name == "fiftyone" and not _DATABASE_READY:
            ensure_database()
        return None


sys.meta_path.insert(0, _DatabaseFirst())


def _needs_database(file_path: Path) -> bool:
    """Whether the tests of ``file_path`` (a test file) may use FiftyOne: any outside NO_DATABASE."""
    try:
        first = Path(file_path).resolve().relative_to(Path(REPO_ROOT, "tests")).parts[0]
    except ValueError:
        return True
    return first not in NO_DATABASE


def pytest_collectstart(collector):
    """Start the database before a test module that may use FiftyOne is imported: it, or the
    processes its tests start (the CLI, the App server), need the session's database."""
    if isinstance(collector, pytest.Module) and _needs_database(collector.path):
        ensure_database()


def _cleanup() -> None:
    """Stop the private mongod and delete the session's temp dir."""
    if _MONGOD is not None:
        _MONGOD.terminate()
        try:
            _MONGOD.wait(20)
        except subprocess.TimeoutExpired:
            _MONGOD.kill()
    shutil.rmtree(_TMP, ignore_errors=True)


# Registered before fiftyone is imported, so it runs after fiftyone's own exit handlers.
atexit.register(_cleanup)


@pytest.fixture(scope="session")
def plugins_dir() -> str:
    """FIFTYONE_PLUGINS_DIR of this test session (holds a link to this repository)."""
    return _PLUGINS_DIR


@pytest.fixture(scope="session")
def tiny_demo(tmp_path_factory) -> dict:
    """Small demo folders (real photo crops vs styled synthetic crops, two photos missing).

    32 crops a photo: a missing photo then spans about one cluster of the gap detector's
    confirmation scale (32 samples); with 16, whether its gap is confirmed depends on the seed.
    """
    from fiftyone_plugin.demo import build_demo

    return build_demo(str(tmp_path_factory.mktemp("demo")), per_photo=32, size=64, n_junk=6)


@pytest.fixture
def dataset_name(request) -> str:
    """A unique dataset name for this test; the dataset is deleted afterwards."""
    import fiftyone as fo

    name = "test-" + request.node.name.replace("[", "-").replace("]", "")[:60]
    if fo.dataset_exists(name):
        fo.delete_dataset(name)
    yield name
    if fo.dataset_exists(name):
        fo.delete_dataset(name)


@pytest.fixture(scope="session")
def embedded_base(tiny_demo):
    """The tiny demo imported (real + synthetic) with efficientnet_lite0 embeddings."""
    from demo_data import embedded_demo

    return embedded_demo("ops-embedded-base", tiny_demo)


@pytest.fixture(scope="session")
def analyzed_base(embedded_base):
    """``embedded_base`` with the default analysis run stored."""
    from fiftyone_plugin.core.config import AnalysisConfig
    from fiftyone_plugin.fo.analysis import analyze

    dataset = embedded_base.clone("ops-analyzed-base")
    analyze(dataset, config=AnalysisConfig(seed=0))
    return dataset


@pytest.fixture
def embedded(embedded_base, dataset_name):
    """A fresh copy of ``embedded_base`` for one test."""
    return embedded_base.clone(dataset_name)


@pytest.fixture
def analyzed(analyzed_base, dataset_name):
    """A fresh copy of ``analyzed_base`` (runs, fields, tags and saved views) for one test."""
    return analyzed_base.clone(dataset_name)


@pytest.fixture(scope="session")
def object_run_base(tmp_path_factory):
    """object_data.broken_object_run: tiny detection scenes (three synthetic ones with an object
    that did not render) analyzed as a run on objects named ``objects``."""
    from object_data import broken_object_run

    dataset = broken_object_run(
        str(tmp_path_factory.mktemp("scenes")), "object-run-base", "objects"
    )
    yield dataset
    dataset.delete()


@pytest.fixture
def object_run(object_run_base, dataset_name):
    """A fresh copy of ``object_run_base`` for one test."""
    return object_run_base.clone(dataset_name)
