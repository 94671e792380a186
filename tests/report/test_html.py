"""The HTML report: self-contained, every image decodable, numbers as shown, data text escaped."""

from __future__ import annotations

import base64
import dataclasses
import html
import io
import re
import time
from html.parser import HTMLParser

import numpy as np
import pytest
from PIL import Image

from fiftyone_plugin.report.counts import COUNTS
from fiftyone_plugin.report.data import ReportData
from fiftyone_plugin.report.grades import (
    FAIR,
    GOOD,
    NEUTRAL,
    POOR,
    format_value,
    grade,
    metric_keys,
    verdict,
)
from fiftyone_plugin.report.html import render_report, write_report
from fiftyone_plugin.report.thumbnails import THUMB_SIZE, placeholder, thumbnail
from fiftyone_plugin.report.verdict import advice

REGION_NAMES = ["cats <on> sofas & chairs", "coffee \"cups\" 'mugs'"]
FAILURE_REASON = "cannot identify image file <broken.png> & friends"


class Page(HTMLParser):
    """What a test needs from the page: image sources, section ids, data-metric texts, links."""

    def __init__(self, text: str):
        super().__init__()
        self.images, self.sections, self.links = [], [], []
        self.metrics: dict[str, str] = {}
        self._metric: str | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        if tag == "section":
            self.sections.append(attrs.get("id"))
        for key in ("src", "href"):
            if key in attrs:
                self.links.append(attrs[key])
        if "data-metric" in attrs:
            self._metric = attrs["data-metric"]
            self.metrics[self._metric] = ""

    def handle_data(self, data):
        if self._metric is not None:
            self.metrics[self._metric] += data

    def handle_endtag(self, tag):
        self._metric = None


def _image(path: str, color: tuple[int, int, int], size=(160, 120)) -> str:
    pixels = np.zeros((size[1], size[0], 3), dtype=np.uint8)
    pixels[:] = color
    pixels[::8] = 255  # stripes, so the thumbnail is not a flat colour
    Image.fromarray(pixels).save(path)
    return path


def _document(real_paths: list[str], synthetic_paths: list[str], missing: str) -> dict:
    return {
        "dataset": "demo <set>",
        "run": "synthgap",
        "model": "efficientnet_lite0",
        "embedding_dim": 1280,
        "n_real": 120,
        "n_synthetic": 80,
        "n_failed": 1,
        "n_uncovered": 30,
        "n_underrepresented": 12,
        "n_gap_regions": 2,
        "fid": 41.2345,
        "kid_mean": 0.01234,
        "kid_std": 0.00041,
        "precision": 0.81,
        "recall": 0.42,
        "density": 0.93,
        "coverage": 0.55,
        "c2st_auc": 0.97,
        "uncovered_fraction": 0.25,
        "mystery_score": 3.5,
        "readings": {
            "coverage": "55% of real neighbourhoods hold a synthetic image.",
            "c2st_auc": "A classifier tells the sides apart almost always: a style shift.",
            "recall": "The synthetic set reproduces less than half of the real variety.",
            "mystery_score": "An extra metric with a <reading> & an ampersand.",
        },
        "diagnosis": {
            "kind": "content_gap",
            "text": "Synthetic images lack two kinds of real content: cats & coffee.",
            "evidence": {"c2st_auc": 0.97, "uncovered_fraction": 0.25},
        },
        "gap_regions": [
            {
                "name": REGION_NAMES[1],
                "size": 10,
                "distance_to_synthetic": 0.4321,
                "representative_filepaths": real_paths[2:4] + [missing],
                "nearest_synthetic_filepaths": synthetic_paths[:3],
            },
            {
                "name": REGION_NAMES[0],
                "size": 20,
                "distance_to_synthetic": 0.8765,
                "representative_filepaths": real_paths[:2],
                "nearest_synthetic_filepaths": synthetic_paths[1:3],
            },
        ],
        "config": {"seed": 0, "n_neighbors": 5, "alignment": "center", "layers": [1, 2]},
    }


@pytest.fixture
def report_data(tmp_path) -> ReportData:
    """A small run with real image files: one with a space, unicode and markup in its name, one
    unreadable file and one missing path."""
    real = [
        _image(str(tmp_path / "real_0.png"), (200, 40, 40)),
        _image(str(tmp_path / "chat <été> & 1.png"), (40, 200, 40)),
        _image(str(tmp_path / "real_2.jpg"), (40, 40, 200)),
        _image(str(tmp_path / "real_3.png"), (120, 120, 0)),
    ]
    synthetic = [_image(str(tmp_path / f"synth_{i}.png"), (30 * i, 90, 150)) for i in range(5)]
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image at all")
    synthetic.append(str(broken))
    missing = str(tmp_path / "gone" / "missing.png")
    filepaths = real + synthetic
    n_real, n = len(real), len(filepaths)
    domains = np.array(["real"] * n_real + ["synthetic"] * (n - n_real), dtype=object)
    rng = np.random.default_rng(0)
    return ReportData(
        title="demo <set> / synthgap",
        document=_document(real, synthetic, missing),
        clusters=[
            {
                "cluster": 0,
                "n_real": 50,
                "n_synthetic": 45,
                "expected_share": 0.4,
                "status": "balanced",
            },
            {
                "cluster": 1,
                "n_real": 40,
                "n_synthetic": 0,
                "expected_share": 0.4,
                "status": "real-only",
            },
            {"cluster": 2, "n_real": 30, "n_synthetic": 5, "status": "under-represented"},
            {"cluster": 3, "n_real": 0, "n_synthetic": 30, "status": "synthetic-only <x>"},
        ],
        filepaths=filepaths,
        domains=domains,
        umap=rng.normal(size=(n, 2)),
        gap_score=np.where(domains == "real", rng.random(n), np.nan),
        realism=np.where(domains == "real", np.nan, rng.random(n)),
        uncovered=np.array([True, True, False, False] + [False] * (n - n_real)),
        gap_region=[REGION_NAMES[0], REGION_NAMES[0], None, None] + [None] * (n - n_real),
        failures=[
            {"filepath": str(tmp_path / "bad <1>.png"), "domain": "real", "reason": FAILURE_REASON}
        ],
    )


@pytest.fixture
def page_text(tmp_path, report_data) -> str:
    path = tmp_path / "out" / "report.html"
    path.parent.mkdir()
    write_report(str(path), report_data)
    assert path.is_file()
    return path.read_text(encoding="utf-8")


def _decode(uri: str) -> Image.Image:
    match = re.fullmatch(r"data:image/(png|jpeg);base64,([A-Za-z0-9+/=]+)", uri)
    assert match, f"not a base64 PNG/JPEG data URI: {uri[:60]!r}"
    image = Image.open(io.BytesIO(base64.b64decode(match.group(2))))
    image.load()
    assert image.format == match.group(1).upper()
    return image


def test_page_is_self_contained(page_text):
    page = Page(page_text)
    assert not [link for link in page.links if re.match(r"\s*(https?:)?//", link)]
    assert not re.search(r"<(script|link|iframe)\b", page_text)
    assert "url(" not in page_text and "@import" not in page_text


def test_every_image_is_an_embedded_picture(page_text):
    page = Page(page_text)
    # 2 figures, 3 + 2 real and 3 + 2 synthetic gallery images, 6 least realistic synthetic
    assert len(page.images) == 2 + 10 + 6
    for uri in page.images:
        _decode(uri)


def test_sections_come_in_story_order(page_text):
    assert Page(page_text).sections == [
        "headline", "umap", "clusters", "gap-regions", "realism", "failures", "parameters",
    ]  # fmt: skip


def test_metric_values_are_shown_as_formatted(report_data, page_text):
    document = report_data.document
    shown = Page(page_text).metrics
    keys = metric_keys(document) + ["kid_std"] + list(COUNTS)
    assert "mystery_score" in keys
    for key in keys:
        assert shown[key] == format_value(document[key]), key


def test_data_text_is_escaped(report_data, page_text):
    for text in REGION_NAMES + [FAILURE_REASON, "synthetic-only <x>", "chat <été> & 1.png"]:
        assert text not in page_text
        assert html.escape(text) in page_text
    assert "An extra metric with a &lt;reading&gt; &amp; an ampersand." in page_text
    assert "<set>" not in page_text


def test_regions_are_shown_largest_first(page_text):
    first, second = (page_text.index(html.escape(name)) for name in REGION_NAMES)
    assert first < second


def test_verdict_follows_the_metrics(page_text):
    assert "Is the synthetic data standing in for the real data?" in page_text
    assert 'class="answer">No<' in page_text  # coverage and recall are poor


def test_the_verdict_says_what_to_try_next_after_a_style_shift(report_data):
    """The headline's advice (report/verdict.advice), escaped, under the verdict."""
    data = dataclasses.replace(
        report_data,
        document={**report_data.document, "diagnosis": {"kind": "style-shift", "text": "."}},
    )
    advised = advice("style-shift", report_data.document["model"])
    assert (
        advised
        and f'<p class="advice"><b>Next:</b> {html.escape(advised)}</p>' in render_report(data)
    )
    assert 'class="advice"' not in render_report(report_data)  # content gap: nothing to advise


def test_missing_keys_still_render(tmp_path):
    data = ReportData(
        title="empty",
        document={},
        clusters=[],
        filepaths=[],
        domains=np.array([], dtype=object),
        umap=np.empty((0, 2)),
        gap_score=np.array([]),
        realism=np.array([]),
        uncovered=np.array([], dtype=bool),
        gap_region=[],
    )
    page = Page(render_report(data))
    assert page.sections == ["headline", "gap-regions"]
    assert page.images == []


def test_large_umap_renders(tmp_path):
    n = 100_000
    rng = np.random.default_rng(1)
    domains = np.where(rng.random(n) < 0.5, "real", "synthetic").astype(object)
    is_real = domains == "real"
    umap = rng.normal(size=(n, 2)) + np.where(is_real, 0.0, 1.5)[:, None]
    uncovered = is_real & (umap[:, 0] < -2)
    data = ReportData(
        title="large",
        document={"n_real": int(is_real.sum()), "n_synthetic": int((~is_real).sum())},
        clusters=[],
        filepaths=[f"/nonexistent/{i}.png" for i in range(n)],
        domains=domains,
        umap=umap,
        gap_score=np.where(is_real, 0.5, np.nan),
        realism=np.where(is_real, np.nan, rng.random(n)),
        uncovered=uncovered,
        gap_region=["left tail" if u else None for u in uncovered],
    )
    start = time.perf_counter()
    write_report(str(tmp_path / "large.html"), data)
    elapsed = time.perf_counter() - start
    page = Page((tmp_path / "large.html").read_text(encoding="utf-8"))
    assert "umap" in page.sections
    assert _decode(page.images[0]).size[0] > 500
    assert elapsed < 60  # smoke check: about 3 s here


def test_thumbnail_of_missing_or_unreadable_file_is_a_placeholder(tmp_path):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8 truncated")
    big = _image(str(tmp_path / "big.png"), (10, 20, 30), size=(640, 320))
    for path in (str(tmp_path / "nope.png"), str(broken), "", big):
        image = _decode(thumbnail(path))
        assert max(image.size) == THUMB_SIZE
    assert _decode(thumbnail(big)).size == (THUMB_SIZE, THUMB_SIZE // 2)


def test_an_object_thumbnail_shows_its_box_with_a_little_context(tmp_path):
    image = Image.new("RGB", (400, 200), (0, 0, 255))
    image.paste((255, 0, 0), (100, 50, 200, 150))  # a red 100 x 100 object
    path = str(tmp_path / "scene.png")
    image.save(path)
    crop = np.asarray(_decode(thumbnail(path, box=[0.25, 0.25, 0.25, 0.5])), dtype=float)
    assert crop.shape[:2] == (THUMB_SIZE, THUMB_SIZE)  # the square box, 10% around it
    centre = crop[THUMB_SIZE // 4 : -THUMB_SIZE // 4, THUMB_SIZE // 4 : -THUMB_SIZE // 4]
    assert centre[..., 0].mean() > 200 and centre[..., 2].mean() < 50  # the red object
    assert crop[:3, :3, 2].mean() > 150  # its blue surroundings at the corners


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("c2st_auc", 0.5, GOOD),
        ("c2st_auc", 0.75, FAIR),
        ("c2st_auc", 0.97, POOR),
        ("c2st_auc", 0.03, POOR),  # mirrored: as separable as 0.97
        ("coverage", 0.95, GOOD),
        ("coverage", 0.3, POOR),
        ("uncovered_fraction", 0.01, GOOD),
        ("uncovered_fraction", 0.5, POOR),
        ("fid", 3.0, NEUTRAL),
        ("recall", None, NEUTRAL),
    ],
)
def test_grades(key, value, expected):
    assert grade(key, value) == expected


def test_kid_is_good_only_within_two_std_of_zero():
    assert grade("kid_mean", 0.0005, {"kid_std": 0.0004}) == GOOD
    assert grade("kid_mean", 0.01, {"kid_std": 0.0004}) == NEUTRAL


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"coverage": 0.95, "recall": 0.9, "precision": 0.85, "c2st_auc": 0.55}, "yes"),
        ({"coverage": 0.95, "recall": 0.9, "precision": 0.85, "c2st_auc": 1.0}, "partly"),
        ({"coverage": 0.3, "recall": 0.9, "c2st_auc": 0.55}, "no"),
        ({"fid": 12.0}, "unclear"),
    ],
)
def test_verdict(document, expected):
    assert verdict(document) == expected


@pytest.mark.parametrize(
    ("value", "text"),
    [(1234, "1,234"), (0.5, "0.500"), (0.00412, "0.0041"), (0.00001, "1.00e-05"),
     (41.2345, "41.23"), (1234.5, "1,234"), (0.0, "0"), (None, "n/a"), (float("nan"), "n/a")],
)  # fmt: skip
def test_format_value(value, text):
    assert format_value(value) == text


def test_placeholders_only_for_missing_and_unreadable_files(page_text):
    assert page_text.count(placeholder("missing")) == 1  # the missing region example
    assert page_text.count(placeholder("unreadable")) == 1  # broken.png among the least realistic


def test_numpy_scalars_render_like_python_numbers(report_data):
    document = report_data.document
    report_data.document = {
        **document,
        "n_real": np.int64(document["n_real"]),
        "coverage": np.float32(document["coverage"]),
        "c2st_auc": np.float64(document["c2st_auc"]),
    }
    shown = Page(render_report(report_data)).metrics
    assert shown["n_real"] == "120"
    assert shown["coverage"] == format_value(float(np.float32(0.55))) == "0.550"
    assert shown["c2st_auc"] == "0.970"


def test_run_parameters_are_shown_as_given(page_text):
    assert "<th>seed</th><td>0</td>" in page_text
    assert "<th>layers</th><td>[1, 2]</td>" in page_text
    assert "<th>embedding dimension</th><td>1280</td>" in page_text


def test_generation_targets_get_their_section_when_the_run_stored_them(report_data):
    real = report_data.filepaths[:2]
    report_data.document = {
        **report_data.document,
        "generate_next": [
            {"kind": "region", "name": "cats <&> sofas", "n_real": 20, "needed": 7,
             "example_filepaths": real},
        ],
    }  # fmt: skip
    text = render_report(report_data)
    page = Page(text)
    assert page.sections.index("generate-next") == page.sections.index("gap-regions") + 1
    assert html.escape("cats <&> sofas") in text and "<td>7</td>" in text
    assert len(page.images) == 2 + 10 + 6 + len(real)
