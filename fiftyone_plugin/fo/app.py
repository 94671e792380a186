"""Make the synthgap plugin visible to the FiftyOne App and launch it, with a worker that runs
the operations the App schedules (delegated), started and stopped with the App."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys

import fiftyone as fo

from .samples import load_dataset

#: The repository root: holds fiftyone.yml, the plugin's __init__.py and operators/.
PLUGIN_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def install_plugin(plugins_dir: str | None = None) -> str:
    """Link this plugin into FiftyOne's plugins directory (idempotent); returns the link path."""
    if not os.path.isfile(os.path.join(PLUGIN_ROOT, "fiftyone.yml")):
        raise RuntimeError(
            "The synthgap plugin files (fiftyone.yml, operators/) were not found next to the "
            "package; run synthgap from a clone of the repository (pip install -e .)"
        )
    plugins_dir = plugins_dir or fo.config.plugins_dir
    os.makedirs(plugins_dir, exist_ok=True)
    link = os.path.join(plugins_dir, "synthgap")
    if os.path.islink(link) and os.path.realpath(link) != os.path.realpath(PLUGIN_ROOT):
        os.remove(link)
    if not os.path.lexists(link):
        os.symlink(PLUGIN_ROOT, link, target_is_directory=True)
    return link


#: The environment setting that lets the App schedule operations on a local worker (FiftyOne's
#: "legacy orchestrators"); without it the App's Schedule button says "not available".
SCHEDULING = "FIFTYONE_ALLOW_LEGACY_ORCHESTRATORS"


@contextlib.contextmanager
def delegated_worker():
    """A ``fiftyone delegated launch`` process running scheduled operations while the block runs
    (stopped with SIGINT, then its process group terminated after 10 s); yields the process."""
    command = [sys.executable, "-c", "from fiftyone.core.cli import main; main()"]
    worker = subprocess.Popen(
        [*command, "delegated", "launch"], start_new_session=True, stdout=subprocess.DEVNULL
    )
    try:
        yield worker
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGINT)
            try:
                worker.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(10)


def launch(dataset_name: str, port: int = 5151, address: str | None = None) -> None:
    """Open the App on ``dataset_name`` with the plugin loaded and scheduling enabled (a local
    worker runs what the App schedules); blocks until interrupted, then stops the worker."""
    dataset = load_dataset(dataset_name)
    install_plugin()
    os.environ.setdefault(SCHEDULING, "true")  # read by the App's server, started below
    with delegated_worker():
        session = fo.launch_app(dataset, port=port, address=address)
        session.wait(-1)
