"""How images are embedded, as one option object the CLI, the Python API and the App's forms build
(from the defaults of defaults.py) and every layer passes on, instead of re-declaring each option.

    from fiftyone_plugin.options import EmbeddingOptions
    options = EmbeddingOptions(precision="bf16", num_workers=0)
    analyze_folders(real, synthetic, options=options)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from . import defaults


@dataclass(frozen=True)
class EmbeddingOptions:
    """The choices of how images are embedded (see embeddings.load_model for their meaning).

    model: "auto" (defaults.AUTO_MODEL: chosen from the real images when they are embedded,
    embeddings/layout.choose_model), a registry name (embeddings.available_models()) or
    ``zoo:<FiftyOne zoo model>``.
    device: "auto", "cpu", "cuda", "cuda:N" or "mps". precision: "auto", "fp32", "bf16" or "fp16".
    backend: the runtime, "auto", "torch" or "openvino". checkpoint: a state dict file of your own
    weights for ``model`` (None: the pretrained ones). compile: torch.compile the network.
    batch_size: images per forward pass (>= 1). num_workers: image decoders (threads next to a
    CPU network, processes next to a GPU; 0 decodes in the calling thread). max_pixels: images
    with more pixels are refused as decompression bombs (>= 1). decoder: "auto" (JPEGs decoded on
    a CUDA model's GPU, Pillow elsewhere), "pillow" or "device" (see embeddings.embed_images).
    """

    model: str = defaults.AUTO_MODEL
    device: str = defaults.DEVICE
    precision: str = defaults.PRECISION
    backend: str = defaults.BACKEND
    checkpoint: str | None = None
    compile: bool = False
    batch_size: int = defaults.BATCH_SIZE
    num_workers: int = defaults.NUM_WORKERS
    max_pixels: int = defaults.MAX_PIXELS
    decoder: str = defaults.DECODER

    def validate(self) -> EmbeddingOptions:
        """Raise ValueError naming the first bad option and its allowed values; returns self."""
        if not isinstance(self.model, str) or not self.model:
            raise ValueError(f"model must be a model name, not {self.model!r}")
        for name, choices in (
            ("precision", defaults.PRECISIONS),
            ("backend", defaults.BACKENDS),
            ("decoder", defaults.DECODERS),
        ):
            if getattr(self, name) not in choices:
                raise ValueError(
                    f"Unknown {name} {getattr(self, name)!r}. The available values are {choices}"
                )
        for name, low in (("batch_size", 1), ("num_workers", 0), ("max_pixels", 1)):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < low:
                raise ValueError(f"{name} must be a whole number >= {low}, not {value!r}")
        return self

    def replace(self, **changes) -> EmbeddingOptions:
        """A copy with ``changes`` (option name -> value); an unknown name raises TypeError."""
        return dataclasses.replace(self, **changes)

    @property
    def analysis_device(self) -> str:
        """The device of the analysis (AnalysisConfig.device) that goes with these options: the
        same as the network's, except that the core has no Metal kernels ("mps" -> "cpu")."""
        return "cpu" if self.device.startswith("mps") else self.device

    def model_args(self) -> dict:
        """The options that choose and build the network: keyword arguments of
        embeddings.load_model (a chosen model: "auto" is resolved first)."""
        if self.model == defaults.AUTO_MODEL:
            raise ValueError(
                "model 'auto' is chosen from the real images (embeddings.layout.choose_model): "
                "choose it before loading the model"
            )
        return {
            "name": self.model,
            "device": self.device,
            "checkpoint": self.checkpoint,
            "precision": self.precision,
            "compile": self.compile,
            "backend": self.backend,
        }
