"""Test session set-up: a throwaway FiftyOne database and plugins dir, set before fiftyone loads.

Every test runs against the real embedded MongoDB (in a temp dir) and real images; nothing here
touches the user's own FiftyOne database or plugins.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import socket
import subprocess
import tempfile
import time

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


_MONGOD = None
if not os.environ.get("FIFTYONE_DATABASE_URI"):  # else: tests run against the given database
    _MONGOD, os.environ["FIFTYONE_DATABASE_URI"] = _start_mongod()
os.environ["FIFTYONE_PLUGINS_DIR"] = _PLUGINS_DIR
os.environ["FIFTYONE_DATABASE_VALIDATION"] = "false"
os.environ["FIFTYONE_DO_NOT_TRACK"] = "true"
os.environ.setdefault("FIFTYONE_ALLOW_LEGACY_ORCHESTRATORS", "true")


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
