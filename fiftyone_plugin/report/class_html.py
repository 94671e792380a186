"""The HTML report's sections of a run with labels: "Classes" (the probe's verdict, the sortable
per-class table, the gap regions within classes) and "Labels" (the label statistics compared).
Rendered from the presentation's ``classes`` part (classes.py); html.py places them."""

from __future__ import annotations

from .label_figures import comparison_figure, probe_figure
from .markup import escape as _e
from .markup import reading_html, reading_plain

#: Examples shown per gap region within a class.
REGION_EXAMPLES = 6

#: Clicking a heading of a table with class "sortable" sorts it by that column (numbers as numbers).
SORT_SCRIPT = """<script>
document.querySelectorAll("table.sortable th").forEach(function (th, col) {
  th.addEventListener("click", function () {
    var body = th.closest("table").tBodies[0], rows = Array.from(body.rows);
    var up = th.dataset.dir !== "asc"; th.dataset.dir = up ? "asc" : "desc";
    var key = function (r) { var c = r.cells[col]; return c.dataset.v !== undefined ? c.dataset.v : c.textContent; };
    rows.sort(function (a, b) {
      var x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
      var d = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : String(x).localeCompare(String(y));
      return up ? d : -d;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
</script>"""


def _cell(row: dict, key: str) -> str:
    """A table cell; numeric columns carry their value for sorting (missing sorts last)."""
    sort_by = {"uncovered_text": "uncovered", "probe_text": "probe_synthetic",
               "c2st_text": "c2st_auc", "status": "severity"}.get(key, key)  # fmt: skip
    value = row.get(sort_by)
    data = f' data-v="{_e(value if value is not None else 9e9)}"' if sort_by != key else ""
    return f"<td{data}>{_e(row.get(key, ''))}</td>"


def _examples(region: dict) -> list[tuple]:
    """(path, box or None) of a class region's first real examples."""
    paths = (region.get("representative_filepaths") or [])[:REGION_EXAMPLES]
    boxes = list(region.get("representative_boxes") or [])[: len(paths)]
    return list(zip(paths, boxes + [None] * (len(paths) - len(boxes)), strict=True))


def _classes_section(classes: dict, section, thumb) -> str:
    probe = classes.get("probe")
    if probe:
        verdict = (
            f'<p class="verdict-line"><span class="chip" style="background:{probe["color"]}">'
            f"training on synthetic: {_e(probe['verdict'] or 'unknown')}</span> "
            f"{reading_html(probe['reading'])}</p>"
        )
    else:
        verdict = (
            f"<p>The probe could not run: {_e(classes.get('probe_skipped') or 'no labels')}</p>"
        )
    head = "".join(f"<th title='click to sort'>{_e(label)}</th>" for _, label in classes["columns"])
    body = "".join(
        f'<tr style="border-left:4px solid {row["color"]}" '
        f'title="{_e(reading_plain(row.get("reading", "")))}">'
        + "".join(_cell(row, key) for key, _ in classes["columns"])
        + "</tr>"
        for row in classes["rows"]
    )
    readings = "".join(f"<li>{reading_html(r['reading'])}</li>" for r in classes["rows"][:12])
    table = (
        f'<table class="sortable"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        f"<ul class='readings'>{readings}</ul>"
    )
    unit = classes["run_unit"]
    figure = probe_figure(classes["rows"], unit)
    image = f'<img class="figure" alt="probe accuracy per class" src="{figure}">' if figure else ""
    regions = "".join(
        f"<div class='region'><h3>{_e(r['name'])} · {r['size']} real {unit}</h3>"
        f"<div class='gallery-row'>"
        + "".join(thumb(p, b) for p, b in _examples(r))
        + "</div></div>"
        for r in classes["regions"]
    )
    intro = (
        f"Labels from field '{_e(classes.get('label_field') or '?')}'. Per class: its status "
        f"(missing; lacks variety = part of its real {unit} have no synthetic counterpart within "
        f"the class; covered), the share of its real {unit} uncovered within the class, and a "
        f"linear probe's accuracy on the real {unit} when trained on the synthetic {unit} once "
        f"what all of them share is corrected (in brackets: a probe trained on other real "
        f"{unit}). "
        "Click a heading to sort; hover a row for its reading."
    )
    return section("classes", intro, verdict + table + image + regions + SORT_SCRIPT)


def _labels_section(classes: dict, section) -> str:
    if not classes.get("comparisons"):
        return ""
    findings = "".join(f"<li>{reading_html(r)}</li>" for r in classes.get("readings") or [])
    parts = [f"<ul class='readings'>{findings}</ul>"]
    for c in classes["comparisons"]:
        figure = comparison_figure(c)
        divergence = c.get("divergence")
        figure_html = (
            f'<img class="figure" alt="{_e(c["title"])}" src="{figure}">' if figure else ""
        )
        parts.append(
            f"<h3>{_e(c['title'])}</h3><p>{reading_html(c.get('reading', ''))}"
            + (
                f" <span class='muted'>({_e(c.get('divergence_name'))}: {divergence:.3f})</span>"
                if isinstance(divergence, int | float)
                else ""
            )
            + f"</p>{figure_html}"
        )
    intro = (
        f"The two sides' labels compared ({_e(classes.get('kind') or '')} labels; class counts "
        f"count {_e(classes.get('unit') or 'images')}). Only differences that are both "
        "significant and large are listed as findings."
    )
    return section("labels", intro, "".join(parts))


def class_sections(classes: dict | None, section, thumb) -> tuple[str, str]:
    """(classes section, labels section) HTML; empty strings for a run without labels.
    ``section(key, intro, body)`` (page.section) and ``thumb(path, box)`` (gallery_html.thumb
    with html.py's thumbnail cache) are passed in by html.py (``box``: an object's box in the
    image, or None)."""
    if not classes:
        return "", ""
    return _classes_section(classes, section, thumb), _labels_section(classes, section)
