"""Make the synthgap plugin visible to the FiftyOne App and launch it."""

from __future__ import annotations

import os

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


def launch(dataset_name: str, port: int = 5151, address: str | None = None) -> None:
    """Open the App on ``dataset_name`` with the plugin loaded; blocks until interrupted."""
    dataset = load_dataset(dataset_name)
    install_plugin()
    session = fo.launch_app(dataset, port=port, address=address)
    session.wait(-1)
