"""The OpenVINO backend: a torch network converted once to OpenVINO's CPU runtime.

On a CPU, OpenVINO runs EfficientNet-style networks (depthwise convolutions) faster than torch's
fp32 kernels, with the same numbers (fp32 both; outputs differ by ~1e-6), and in bf16 on a CPU
with native bfloat16 faster than torch's bf16 autocast, at the same distance from fp32 (figures:
docs/BENCHMARKS.md). The forward pass and the normalisation move (one compiled graph from uint8 pixels to
features); decoding, cropping and batching stay the pipeline's.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import warnings
from typing import TYPE_CHECKING

import numpy as np
import torch

if TYPE_CHECKING:
    from .transform import ImageTransform


#: OpenVINO's name of each precision it runs here.
_OV_TYPES = {"fp32": "f32", "bf16": "bf16"}


def openvino_available() -> bool:
    """True when the ``openvino`` package is installed (``pip install 'synthgap[openvino]'``)."""
    return importlib.util.find_spec("openvino") is not None


def _import_openvino():
    # Importing openvino sends a usage event to Google Analytics through the openvino-telemetry
    # package, and converting a model sends more. synthgap does not report on its users: with
    # that module blocked, OpenVINO falls back to its built-in no-op telemetry stub.
    sys.modules.setdefault("openvino_telemetry", None)
    import openvino

    return openvino


class OpenVINONetwork(torch.nn.Module):
    """``net`` (eval mode, on the CPU) compiled for OpenVINO's CPU plugin at ``precision``
    ("fp32", or "bf16" on a CPU with native bfloat16), with the ``transform``'s normalisation
    compiled in front of it.

    Takes what :meth:`~.transform.ImageTransform.prepare` makes, stacked: a uint8
    (N, crop, crop, 3) batch, any N; gives an (N, dim) float32 tensor, the torch network's output
    on the normalised batch.
    """

    def __init__(
        self, net: torch.nn.Module, transform: ImageTransform, precision: str = "fp32"
    ) -> None:
        super().__init__()
        ov = _import_openvino()
        from openvino.frontend import FrontEndManager
        from openvino.frontend.pytorch.ts_decoder import TorchScriptPythonDecoder
        from openvino.preprocess import PrePostProcessor

        size = transform.crop_size
        # The frontend directly rather than ov.convert_model, which sends telemetry (see above).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes on Python arithmetic in padding code
            decoder = TorchScriptPythonDecoder(net, example_input=(torch.zeros(1, 3, size, size),))
            frontend = FrontEndManager().load_by_framework("pytorch")
            model = frontend.convert(frontend.load(decoder))
        model.reshape([-1, 3, size, size])  # any batch size, one image size
        steps = PrePostProcessor(model)
        steps.input().tensor().set_element_type(ov.Type.u8).set_layout(ov.Layout("NHWC"))
        steps.input().model().set_layout(ov.Layout("NCHW"))
        steps.input().preprocess().convert_element_type(ov.Type.f32).mean(
            [255 * m for m in transform.mean]
        ).scale([255 * s for s in transform.std])
        config = {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_PRECISION_HINT": _OV_TYPES[precision]}
        self._compiled = ov.Core().compile_model(steps.build(), "CPU", config)
        self._request = self._compiled.create_infer_request()
        self._lock = threading.Lock()  # one request: calls from several threads take turns

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        batch = images.contiguous().numpy()
        with self._lock:
            out = self._request.infer({0: batch})[0]
            # the request reuses its output buffer at the next call: copy it out
            return torch.from_numpy(np.array(out, dtype=np.float32, copy=True))
