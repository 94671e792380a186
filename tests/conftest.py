"""Test session set-up: a throwaway FiftyOne database and plugins dir, set before fiftyone loads.

Every test runs against the real embedded MongoDB (in a temp dir) and real images; nothing here
touches the user's own FiftyOne database or plugins.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_TMP = tempfile.mkdtemp(prefix="synthgap-tests-")
_PLUGINS_DIR = os.path.join(_TMP, "plugins")
os.makedirs(_PLUGINS_DIR)
os.symlink(REPO_ROOT, os.path.join(_PLUGINS_DIR, "synthgap"), target_is_directory=True)
if not os.environ.get("FIFTYONE_DATABASE_URI"):
    os.environ["FIFTYONE_DATABASE_DIR"] = os.path.join(_TMP, "db")
os.environ["FIFTYONE_PLUGINS_DIR"] = _PLUGINS_DIR
os.environ["FIFTYONE_DATABASE_VALIDATION"] = "false"
os.environ["FIFTYONE_DO_NOT_TRACK"] = "true"
os.environ.setdefault("FIFTYONE_ALLOW_LEGACY_ORCHESTRATORS", "true")




def _remove_tmp() -> None:
    """Delete the session's temp dir once its mongod (stopped by fiftyone at exit) is gone."""
    import psutil

    for proc in psutil.process_iter(["name", "cmdline"]):
        if proc.info["name"] == "mongod" and _TMP in " ".join(proc.info["cmdline"] or []):
            try:
                proc.terminate()
                proc.wait(15)
            except psutil.Error:
                pass
    shutil.rmtree(_TMP, ignore_errors=True)


# Registered before fiftyone is imported, so it runs after fiftyone's own exit handlers.
atexit.register(_remove_tmp)


@pytest.fixture(scope="session")
def plugins_dir() -> str:
    """FIFTYONE_PLUGINS_DIR of this test session (holds a link to this repository)."""
    return _PLUGINS_DIR


@pytest.fixture(scope="session")
def tiny_demo(tmp_path_factory) -> dict:
    """Small demo folders (real photo crops vs styled synthetic crops, two photos missing)."""
    from fiftyone_plugin.demo import build_demo

    return build_demo(str(tmp_path_factory.mktemp("demo")), per_photo=8, size=64, n_junk=6)


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
