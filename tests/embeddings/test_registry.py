"""Model names -> EmbeddingModel: errors that say what to do, checkpoints, devices, precision."""

from __future__ import annotations

import os
from urllib.error import URLError

import pytest
import torch
import torchvision

from fiftyone_plugin.embeddings import available_models, is_zoo_model, load_model
from fiftyone_plugin.embeddings.registry import (
    MODELS,
    _architecture,
    _set_submodule,
    resolve_device,
    resolve_precision,
)

REQUIRED = {
    "efficientnet_lite0",
    "efficientnet_lite0_content",
    "resnet18",
    "resnet50",
    "efficientnet_b0",
    "convnext_tiny",
    "vit_b_16",
}


def test_available_models_lists_the_registry():
    assert REQUIRED <= set(available_models())


def test_zoo_prefix_is_left_to_the_fiftyone_adapter():
    assert is_zoo_model("zoo:clip-vit-base32-torch")
    assert not is_zoo_model("resnet18")
    with pytest.raises(ValueError, match="FiftyOne adapter"):
        load_model("zoo:clip-vit-base32-torch")


def test_unknown_name_lists_the_available_ones():
    with pytest.raises(
        ValueError, match=r"Unknown model 'resnet9000'.*efficientnet_lite0.*vit_b_16"
    ):
        load_model("resnet9000")


def test_unknown_precision():
    with pytest.raises(ValueError, match="Unknown precision 'int4'"):
        load_model(precision="int4")


def test_unknown_device():
    with pytest.raises(ValueError, match="Unknown device 'tpu'"):
        resolve_device("tpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_requested_without_cuda_is_a_clear_error():
    with pytest.raises(RuntimeError, match="CUDA is not available.*device='auto' or 'cpu'"):
        load_model(device="cuda")


def test_auto_device_and_precision():
    device = resolve_device("auto")
    assert device in {"cpu", "mps"} or device.startswith("cuda")
    assert resolve_precision("auto", "cuda") == "fp16"
    assert resolve_precision("auto", "cpu") == "fp32"  # bf16 moves borderline gap results
    assert resolve_precision("fp32", "cuda") == "fp32"


def test_missing_checkpoint(tmp_path):
    with pytest.raises(FileNotFoundError, match="Checkpoint not found: .*nope.pt"):
        load_model("resnet18", checkpoint=tmp_path / "nope.pt")


def test_checkpoint_round_trip_resnet18(tmp_path):
    net = torchvision.models.resnet18(weights=None).eval()
    path = tmp_path / "resnet18.pt"
    torch.save(net.state_dict(), path)

    model = load_model("resnet18", device="cpu", checkpoint=path, precision="fp32", backend="torch")
    assert (model.name, model.dim, model.checkpoint) == ("resnet18", 512, str(path))
    x = torch.randn(2, 3, 64, 64)
    with torch.inference_mode():
        net.fc = torch.nn.Identity()
        torch.testing.assert_close(model.module(x), net(x), rtol=1e-4, atol=1e-4)


def test_a_lite0_checkpoint_fits_the_content_model(tmp_path):
    from fiftyone_plugin.embeddings.efficientnet_lite import efficientnet_lite0

    net = efficientnet_lite0(pretrained=False)
    path = tmp_path / "lite0.pt"
    torch.save(net.state_dict(), path)
    model = load_model(
        "efficientnet_lite0_content", "cpu", checkpoint=path, precision="fp32", backend="torch"
    )
    reference = efficientnet_lite0(pretrained=False, content=True)
    reference.load_state_dict(net.state_dict())
    x = torch.randn(2, 3, 224, 224)
    with torch.inference_mode():
        expected = reference.forward_features(x)
        torch.testing.assert_close(model.module(x), expected, rtol=1e-3, atol=1e-4)


def test_training_checkpoint_wrapped_and_dataparallel_prefixed(tmp_path):
    state = torchvision.models.resnet18(weights=None).state_dict()
    path = tmp_path / "train.pt"
    torch.save({"epoch": 3, "state_dict": {"module." + k: v for k, v in state.items()}}, path)
    assert load_model("resnet18", device="cpu", checkpoint=path).dim == 512


def test_checkpoint_of_another_architecture(tmp_path):
    path = tmp_path / "resnet18.pt"
    torch.save(torchvision.models.resnet18(weights=None).state_dict(), path)
    with pytest.raises(ValueError, match="does not fit 'efficientnet_lite0'"):
        load_model("efficientnet_lite0", checkpoint=path)


def test_checkpoint_that_is_no_state_dict(tmp_path):
    path = tmp_path / "list.pt"
    torch.save([1, 2, 3], path)
    with pytest.raises(ValueError, match="holds no state_dict"):
        load_model("resnet18", checkpoint=path)


def test_offline_torchvision_weights_point_to_the_hub_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))

    def offline(*args, **kwargs):
        raise URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(torch.hub, "download_url_to_file", offline)
    cached = tmp_path / "hub" / "checkpoints" / "resnet18-f37072fd.pth"
    with pytest.raises(RuntimeError, match=f"torch hub cache as {cached}"):
        load_model("resnet18", device="cpu")


def test_torchvision_weights_come_from_a_filled_hub_cache(tmp_path, monkeypatch):
    """The real loading path (get_model(weights="DEFAULT")) reads the hub cache: no network."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    weights = torchvision.models.ResNet18_Weights.DEFAULT
    cache = tmp_path / "hub" / "checkpoints"
    cache.mkdir(parents=True)
    state = torchvision.models.resnet18(weights=None).state_dict()
    torch.save(state, cache / os.path.basename(weights.url))

    model = load_model("resnet18", device="cpu", precision="fp32", backend="torch")
    torch.testing.assert_close(model.module.conv1.weight, state["conv1.weight"])
    assert model.transform.resize_size == 256 and model.transform.crop_size == 224


@pytest.mark.parametrize("name", sorted(MODELS))
def test_dropping_the_classifier_gives_pooled_features_of_the_declared_dim(name):
    net = _architecture(name).eval()
    _set_submodule(net, MODELS[name].head, torch.nn.Identity())
    size = 224 if name.startswith("vit") else 64  # ViT needs its training size
    with torch.inference_mode():
        out = net(torch.randn(1, 3, size, size))
    assert out.shape == (1, MODELS[name].dim)
