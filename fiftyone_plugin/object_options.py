"""How labeled objects become units of analysis (``--objects``), as one option object the CLI, the
Python API and the App's forms build and pass on (no FiftyOne needed to make one).

    from fiftyone_plugin.object_options import ObjectOptions
    analyze_folders(real, synthetic, labels=LabelOptions(), objects=ObjectOptions(margin=0.2))
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from . import defaults


@dataclass(frozen=True)
class ObjectOptions:
    """margin: context kept around each box, as a share of its longer side on each side, in
    [0, 10]. min_size: boxes whose size sqrt(width x height) has fewer pixels are not
    analyzed (counted as skipped), >= 1. The label field holding the boxes is the labels' (LabelOptions.label_field)."""

    margin: float = defaults.OBJECT_MARGIN
    min_size: int = defaults.OBJECT_MIN_SIZE

    def validate(self) -> ObjectOptions:
        """Raise ValueError naming the first bad option; returns self."""
        margin = self.margin
        if isinstance(margin, bool) or not isinstance(margin, int | float) or not 0 <= margin <= 10:
            raise ValueError(
                f"object margin must be a number in [0, 10] (a share of the box), not {margin!r}"
            )
        size = self.min_size
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(
                f"minimum object size must be a whole number of pixels >= 1, not {size!r}"
            )
        return self

    def replace(self, **changes) -> ObjectOptions:
        """A copy with ``changes`` (option name -> value)."""
        return dataclasses.replace(self, **changes)

    def crop_args(self) -> dict:
        """Keyword arguments of embeddings.embed_objects."""
        return {"margin": float(self.margin), "min_size": int(self.min_size)}
