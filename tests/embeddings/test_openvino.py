"""The OpenVINO backend: the same fp32 embeddings as the torch network, chosen by "auto" only
where it fits, clear errors otherwise, and no telemetry sent or written. (Its bf16 embeddings are
checked against fp32 beside torch's in test_inference and test_efficientnet_lite.)"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
import torch
import torchvision

from fiftyone_plugin.embeddings import embed_images, load_model, openvino_backend, registry
from fiftyone_plugin.embeddings.registry import resolve_backend


def test_openvino_embeds_like_torch_in_any_batch_size(lite0, lite0_openvino, photo_paths):
    assert lite0_openvino.backend == "openvino" and "backend='openvino'" in repr(lite0_openvino)
    torch_vectors = embed_images(photo_paths, lite0, batch_size=len(photo_paths), num_workers=0)
    # 3 + 3 + 1: batches of other sizes than the one the network was converted with
    ov_vectors = embed_images(photo_paths, lite0_openvino, batch_size=3, num_workers=2)
    assert ov_vectors.errors == [None] * len(photo_paths)
    np.testing.assert_allclose(ov_vectors.vectors, torch_vectors.vectors, rtol=1e-4, atol=1e-5)


@pytest.mark.slow
def test_openvino_converts_torchvision_architectures(tmp_path):
    net = torchvision.models.resnet18(weights=None).eval()
    path = tmp_path / "resnet18.pt"
    torch.save(net.state_dict(), path)
    on_torch = load_model(
        "resnet18", device="cpu", checkpoint=path, precision="fp32", backend="torch"
    )
    on_openvino = load_model(
        "resnet18", device="cpu", checkpoint=path, precision="fp32", backend="openvino"
    )
    pixels = torch.randint(0, 256, (2, 224, 224, 3), dtype=torch.uint8)
    from fiftyone_plugin.embeddings.inference import forward_batch

    expected = forward_batch(on_torch, pixels)
    assert expected.shape == (2, 512)
    np.testing.assert_allclose(forward_batch(on_openvino, pixels), expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("native_bf16", [True, False])
def test_auto_picks_openvino_only_where_it_fits(monkeypatch, native_bf16):
    """fp32 on a CPU, and bf16 on a CPU with native bfloat16; never compiled, never on a GPU."""
    monkeypatch.setattr(registry, "cpu_has_native_bf16", lambda: native_bf16)
    assert resolve_backend("auto", "cpu", "fp32") == "openvino"
    assert resolve_backend("auto", "cpu", "bf16") == ("openvino" if native_bf16 else "torch")
    assert resolve_backend("auto", "cpu", "fp16") == "torch"
    assert resolve_backend("auto", "cuda", "fp16") == "torch"
    assert resolve_backend("auto", "cpu", "fp32", compile=True) == "torch"
    assert resolve_backend("auto", "cpu", "bf16", compile=True) == "torch"
    assert resolve_backend("torch", "cpu", "fp32") == "torch"
    assert load_model(device="cpu", precision="auto").backend == "openvino"


def test_backend_errors_name_the_problem(monkeypatch):
    with pytest.raises(ValueError, match="Unknown backend 'onnx'"):
        load_model(backend="onnx")
    with pytest.raises(ValueError, match="precision='fp16'"):
        load_model(device="cpu", precision="fp16", backend="openvino")
    with monkeypatch.context() as m:
        m.setattr(registry, "cpu_has_native_bf16", lambda: False)
        with pytest.raises(ValueError, match="native bfloat16"):
            load_model(device="cpu", precision="bf16", backend="openvino")
    with pytest.raises(ValueError, match="compile=True"):
        resolve_backend("openvino", "cpu", "fp32", compile=True)
    monkeypatch.setattr(openvino_backend, "openvino_available", lambda: False)
    with pytest.raises(RuntimeError, match=r"pip install 'synthgap\[openvino\]'"):
        load_model(device="cpu", precision="fp32", backend="openvino")
    assert resolve_backend("auto", "cpu", "fp32") == "torch"  # auto falls back quietly


@pytest.mark.slow
def test_no_telemetry_is_imported_or_written(tmp_path, photo_paths):
    """openvino-telemetry is installed (a dependency of openvino); loading and running a model
    must neither import it (it sends usage events) nor write its client id under HOME."""
    code = (
        "import sys\n"
        "from fiftyone_plugin.embeddings import embed_images, load_model\n"
        "m = load_model(device='cpu', precision='fp32', backend='openvino')\n"
        f"assert embed_images([{photo_paths[0]!r}], m, num_workers=0).errors == [None]\n"
        "import openvino_telemetry\n"  # blocked: raises ImportError
    )
    env = {**os.environ, "HOME": str(tmp_path), "CI": ""}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert "ModuleNotFoundError: import of openvino_telemetry halted" in done.stderr, done.stderr
    assert list(tmp_path.iterdir()) == []
