"""Labels as arrays: objects, dominant classes, class maps."""

import json

import numpy as np
import pytest

from fiftyone_plugin.core.labels import (
    LabelSet,
    ObjectTable,
    check_class_map,
    map_classes,
    read_class_map,
)


def test_dominant_class_is_the_largest_total_area():
    objects = ObjectTable(
        image=[0, 0, 0, 2],
        label=["car", "bus", "car", "dog"],
        box=[[0, 0, 0.2, 0.2], [0, 0, 0.5, 0.5], [0.5, 0.5, 0.2, 0.2], [0, 0, 1, 1]],
        n_images=3,
    )
    assert LabelSet.from_objects(objects).classes.tolist() == ["bus", None, "dog"]
    assert objects.per_image().tolist() == [3, 0, 1]


def test_aspect_ratio_uses_pixels_when_image_sizes_are_known():
    objects = ObjectTable([0, 1], ["a", "a"], [[0, 0, 0.5, 0.5]] * 2, 2, [[200, 100], [np.nan, 1]])
    assert objects.aspect_ratio.tolist() == [2.0, 1.0]
    assert np.allclose(objects.area, 0.25) and np.allclose(objects.centre, 0.25)


def test_object_arrays_must_agree():
    with pytest.raises(ValueError, match="one image index, label and box"):
        ObjectTable([0, 1], ["a"], [[0, 0, 1, 1]] * 2, 2)
    with pytest.raises(ValueError, match=r"lie in \[0, 2\)"):
        ObjectTable([2], ["a"], [[0, 0, 1, 1]], 2)


def test_class_map_renames_both_kinds_and_drops_classes_mapped_to_none():
    assert map_classes(np.array(["car", "auto", None], object), {"auto": "car"}).tolist() == [
        "car", "car", None,
    ]  # fmt: skip
    objects = ObjectTable([0, 0, 1], ["auto", "junk", "junk"], [[0, 0, 0.1, 0.1]] * 3, 2)
    renamed = LabelSet.from_objects(objects).renamed({"auto": "car", "junk": None})
    assert renamed.objects.label.tolist() == ["car"] and renamed.classes.tolist() == ["car", None]
    objects.ids = np.array(["o1", "o2", "o3"], object)
    assert LabelSet.from_objects(objects).renamed({"junk": None}).objects.ids.tolist() == ["o1"]
    assert objects.label.tolist() == ["auto", "junk", "junk"]  # the original is left as it was


def test_read_class_map_json_and_csv(tmp_path):
    j = tmp_path / "map.json"
    j.write_text(json.dumps({"automobile": "car", "clutter": None}))
    assert read_class_map(str(j)) == {"automobile": "car", "clutter": None}
    c = tmp_path / "map.csv"
    c.write_text("from,to\nautomobile, car\nclutter,\n")
    assert read_class_map(str(c)) == {"automobile": "car", "clutter": None}


@pytest.mark.parametrize(
    "content, match",
    [
        ("[1, 2]", "must be a JSON object"),
        ('{"a": 3}', "maps to 3"),
        ("{not json", "not valid JSON"),
        ("a,b,c\n", "row 1 has 3 columns"),
    ],
)
def test_bad_class_maps_get_one_line_errors(tmp_path, content, match):
    path = tmp_path / ("map.json" if content.startswith(("[", "{")) else "map.csv")
    path.write_text(content)
    with pytest.raises(ValueError, match=match):
        read_class_map(str(path))


def test_missing_class_map_file(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        read_class_map(str(tmp_path / "nope.json"))
    with pytest.raises(ValueError, match="non-empty strings"):
        check_class_map({"": "x"})
