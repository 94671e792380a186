"""The HTML report's page: its template, its stylesheet, and its sections' headings and frame
(report/html.py fills them)."""

from __future__ import annotations

from .figures import REAL_COLOR, SYNTHETIC_COLOR
from .grades import FAIR, GOOD, GRADE_COLORS, NEUTRAL, POOR

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>synthgap: {title}</title>
<style>{css}</style>
</head>
<body>
<header><div class="brand">synthgap report</div><h1>{title}</h1><nav>{nav}</nav></header>
<main>
{body}
</main>
<footer>Written by synthgap. Self-contained: every image is embedded in this file.</footer>
</body>
</html>
"""

_GRADE_BACKGROUNDS = {GOOD: "#f0fdf4", FAIR: "#fffbeb", POOR: "#fef2f2", NEUTRAL: "#f9fafb"}

CSS = (
    (
        """
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans",
       sans-serif; color: #1f2937; background: #f3f4f6; }
header { background: #111827; color: #f9fafb; padding: 18px 32px 12px; }
header h1 { margin: 2px 0 8px; font-size: 22px; font-weight: 600; overflow-wrap: anywhere; }
.brand { font-size: 12px; letter-spacing: .08em; text-transform: uppercase; color: #9ca3af; }
nav a { color: #d1d5db; margin-right: 16px; font-size: 13px; text-decoration: none; }
nav a:hover { color: #fff; text-decoration: underline; }
main { max-width: 1180px; margin: 0 auto; padding: 16px 24px 40px; }
section { background: #fff; border-radius: 10px; padding: 18px 24px 22px; margin: 18px 0;
          box-shadow: 0 1px 2px rgba(0,0,0,.06); }
h2 { margin: 0 0 8px; font-size: 19px; }
h3 { margin: 0 0 2px; font-size: 16px; overflow-wrap: anywhere; }
.intro { color: #4b5563; margin: 0 0 14px; max-width: 900px; }
.verdict { border-left: 6px solid; border-radius: 8px; padding: 14px 18px; }
.question { font-size: 14px; color: #4b5563; }
.answer { font-size: 30px; font-weight: 700; margin: 2px 0 6px; }
.diagnosis { font-size: 17px; margin: 4px 0; }
.note { color: #4b5563; margin: 4px 0; font-size: 14px; }
.advice { margin: 6px 0; font-size: 14px; }
.flagged { margin: 8px 0 4px; font-size: 13.5px; }
.kind { font-size: 12px; color: #6b7280; background: #fff; border-radius: 4px; padding: 1px 6px;
        margin-left: 6px; border: 1px solid #e5e7eb; }
ul.evidence { margin: 6px 0 0; padding-left: 20px; font-size: 13px; color: #374151; }
.counts { display: flex; flex-wrap: wrap; gap: 10px; margin: 16px 0; }
.count { background: #f9fafb; border: 1px solid #e5e7eb; border-radius: 8px; padding: 8px 14px;
         min-width: 130px; }
.count .n { font-size: 22px; font-weight: 700; }
.count .what { font-size: 12px; color: #6b7280; }
.count.warn .n { color: #b91c1c; }
.metrics { display: grid; grid-template-columns: repeat(auto-fill, minmax(255px, 1fr)); gap: 12px; }
h3.metric-group { font-size: 15px; margin: 16px 0 8px; color: #374151; }
.metric { border: 1px solid #e5e7eb; border-left: 5px solid; border-radius: 8px; padding: 10px 14px; }
.metric-head { display: flex; justify-content: space-between; align-items: center; }
.metric .label { font-weight: 600; }
.metric .value { font-size: 24px; font-weight: 700; margin: 2px 0; }
.metric .value small { font-size: 14px; font-weight: 400; color: #6b7280; }
.metric .asks { font-size: 12px; color: #6b7280; }
.metric .reading { font-size: 13.5px; margin-top: 6px; }
.metric .rule { font-size: 11px; color: #9ca3af; margin-top: 6px; }
.badge, .pill, .chip { font-size: 11px; font-weight: 600; border-radius: 10px; padding: 1px 8px;
                       color: #fff; text-transform: uppercase; letter-spacing: .04em; }
.chip { margin-right: 6px; }
.legend { font-size: 12px; color: #6b7280; margin: 12px 0 0; }
img.figure { max-width: 100%; display: block; margin: 0 auto; }
.bars { display: grid; gap: 4px; }
.bar-row { display: grid; grid-template-columns: 110px 1fr 190px 150px; gap: 10px;
           align-items: center; font-size: 13px; }
.bar-label { text-align: right; color: #374151; overflow: hidden; text-overflow: ellipsis;
             white-space: nowrap; }
.bar { position: relative; display: flex; height: 16px; border-radius: 3px; overflow: hidden; }
.seg.syn { background: __SYNTHETIC__; }
.seg.real { background: __REAL__; flex: 1; }
.expected { position: absolute; top: 0; bottom: 0; width: 2px; margin-left: -1px; background: #111827; }
.bar-counts { color: #4b5563; font-variant-numeric: tabular-nums; }
.pill { text-transform: none; letter-spacing: 0; }
.region { border-top: 1px solid #e5e7eb; padding: 14px 0 6px; }
.region:first-of-type { border-top: 0; }
.facts { margin: 0 0 8px; font-size: 13px; color: #4b5563; }
.gallery-row { display: flex; gap: 8px; align-items: flex-start; margin: 6px 0; overflow-x: auto; }
.gallery-row.wrap { flex-wrap: wrap; margin-top: 12px; }
.row-label { width: 80px; flex: none; font-size: 12px; font-weight: 600; padding-top: 36px; }
.row-label.real { color: __REAL__; }
.row-label.syn { color: __SYNTHETIC__; }
figure.thumb { margin: 0; width: 100px; }
figure.thumb img { width: 96px; height: 96px; object-fit: contain; background: #f3f4f6;
                   border: 1px solid #e5e7eb; border-radius: 4px; display: block; }
figure.thumb figcaption { font-size: 10.5px; color: #6b7280; overflow: hidden;
                          text-overflow: ellipsis; white-space: nowrap; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid #e5e7eb; vertical-align: top; }
table.params th { width: 260px; color: #4b5563; font-weight: 500; }
td.path { overflow-wrap: anywhere; font-family: ui-monospace, "DejaVu Sans Mono", monospace;
          font-size: 12px; }
td.reason { color: #b91c1c; }
.more { font-size: 13px; color: #6b7280; }
footer { text-align: center; font-size: 12px; color: #9ca3af; padding: 0 0 24px; }
"""
        + "".join(
            f".grade-{g} {{ background: {_GRADE_BACKGROUNDS[g]}; }}\n"
            f".verdict.grade-{g}, .metric.grade-{g} {{ border-left-color: {c}; }}\n"
            f".grade-{g} .badge, .pill.grade-{g}, .chip.grade-{g} {{ background: {c}; }}\n"
            f".verdict.grade-{g} .answer {{ color: {c}; }}\n"
            for g, c in GRADE_COLORS.items()
        )
        + ".metric.grade-neutral, .count { background: #fff; }\n"
    )
    .replace("__SYNTHETIC__", SYNTHETIC_COLOR)
    .replace("__REAL__", REAL_COLOR)
)

#: The report's sections in order: id -> heading (the page's navigation).
SECTIONS = {
    "headline": "Verdict",
    "umap": "Map",
    "clusters": "Clusters",
    "gap-regions": "Gap regions",
    "classes": "Classes",
    "labels": "Labels",
    "generate-next": "Generate next",
    "realism": "Realism",
    "failures": "Unreadable images",
    "parameters": "Run parameters",
}


def section(key: str, intro: str, body: str) -> str:
    """Section ``key`` with its heading, an optional intro paragraph (HTML) and ``body`` (HTML)."""
    return (
        f'<section id="{key}"><h2>{SECTIONS[key]}</h2>'
        + (f'<p class="intro">{intro}</p>' if intro else "")
        + body
        + "</section>"
    )
