"""How labeled data is read, as one option object the CLI, the Python API and the App's forms
build and pass on (no FiftyOne needed to make one).

    from fiftyone_plugin.label_options import LabelOptions
    analyze_folders(real, synthetic, labels=LabelOptions(class_map="classes.csv"))
"""

from __future__ import annotations

from dataclasses import dataclass

from . import defaults

#: Formats of a source folder: "auto" detects one (see fo/label_sources.py for each layout).
FORMATS = ("auto", "images", "tree", "coco", "yolov5", "yolov4", "voc")
#: Default sample field for imported labels (FiftyOne's own default name).
LABEL_FIELD = "ground_truth"


@dataclass(frozen=True)
class LabelOptions:
    """real_format / synthetic_format: the format of each source (FORMATS). label_field: the
    sample field labels are imported into and analyzed from. class_map: renames classes before
    the sides are compared, {name: new name, or None to leave the class out}, or the path of a
    JSON / CSV class map file (core/labels.py describes both)."""

    real_format: str = "auto"
    synthetic_format: str = "auto"
    label_field: str = LABEL_FIELD
    class_map: dict | str | None = None

    def validate(self) -> LabelOptions:
        """Raise ValueError naming the first bad option; returns self."""
        for name in ("real_format", "synthetic_format"):
            if getattr(self, name) not in FORMATS:
                raise ValueError(
                    f"Unknown {name.replace('_', ' ')} {getattr(self, name)!r}; use one of "
                    f"{', '.join(FORMATS)}"
                )
        defaults.validate_name(self.label_field, "label field")
        self.class_map_dict()
        return self

    def class_map_dict(self) -> dict[str, str | None] | None:
        """The class map as a dict (read from its file when a path was given)."""
        from .core.labels import check_class_map, read_class_map

        if self.class_map is None or self.class_map == {}:
            return None
        if isinstance(self.class_map, str):
            return read_class_map(self.class_map)
        if not isinstance(self.class_map, dict):
            raise ValueError("class_map must be a dict or the path of a JSON / CSV file")
        return check_class_map(self.class_map)
