"""The embedding options shared by the commands that embed images (analyze, demo, embed)."""

from __future__ import annotations

import argparse

from .. import defaults
from ..options import EmbeddingOptions

RECOMPUTE_HELP = (
    "embed every image again, retrying files that failed before (by default reruns reuse stored "
    "embeddings and skip files with a load_error)"
)


def add_model_options(parser: argparse.ArgumentParser) -> None:
    """The embedding options (defaults: EmbeddingOptions()) and the analysis seed."""
    d = EmbeddingOptions()
    parser.add_argument("--model", default=d.model,
                        help="embedding model: auto (efficientnet_lite0_content when the "
                             "real images share a fixed layout, as characters, signs and icons "
                             "do, else efficientnet_lite0; objects: efficientnet_lite0), "
                             "efficientnet_lite0 (offline), efficientnet_lite0_content (offline; "
                             "keeps shapes over style), a torchvision name (resnet50, vit_b_16, "
                             "...) or zoo:<fiftyone zoo model>")  # fmt: skip
    parser.add_argument("--checkpoint", default=d.checkpoint,
                        help="your own weights for --model: a state dict file (loaded with "
                             "weights_only=True)")  # fmt: skip
    parser.add_argument("--device", default=d.device, choices=defaults.DEVICES)
    parser.add_argument("--batch-size", type=int, default=d.batch_size)
    parser.add_argument("--num-workers", type=int, default=d.num_workers,
                        help="image decoders: threads taking turns with the network on a CPU, "
                             "worker processes next to a GPU")  # fmt: skip
    parser.add_argument("--precision", default=d.precision, choices=defaults.PRECISIONS,
                        help="auto: fp16 on CUDA, else fp32 (bf16: faster on CPUs with native "
                             "bf16, but moves borderline gap results; docs/BENCHMARKS.md)")  # fmt: skip
    parser.add_argument("--backend", default=d.backend, choices=defaults.BACKENDS,
                        help="runtime of the network; auto: OpenVINO on a CPU when installed "
                             "(fp32: the same embeddings, faster; bf16 too), else torch")  # fmt: skip
    parser.add_argument("--compile", action="store_true", default=d.compile,
                        help="compile the network with torch.compile (torch runtime, a one-off "
                             "compilation at the first batch): for GPUs; on a CPU the OpenVINO "
                             "runtime is faster (docs/BENCHMARKS.md)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=defaults.SEED)
    parser.add_argument("--decoder", default=d.decoder, choices=defaults.DECODERS,
                        help="image decoder; auto: JPEGs on the GPU (nvJPEG) for a CUDA model, "
                             "Pillow elsewhere")  # fmt: skip
    parser.add_argument("--max-pixels", type=int, default=d.max_pixels,
                        help="refuse images with more pixels than this (decompression bombs)")  # fmt: skip


def embedding_options(args: argparse.Namespace) -> EmbeddingOptions:
    """The embedding options given on the command line."""
    return EmbeddingOptions(
        model=args.model, device=args.device, precision=args.precision, backend=args.backend,
        checkpoint=args.checkpoint, compile=args.compile, batch_size=args.batch_size,
        num_workers=args.num_workers, max_pixels=args.max_pixels, decoder=args.decoder,
    )  # fmt: skip
