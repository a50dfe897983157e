"""The markup of one XmR chart (`spc_charts.SpcView`) as an `<svg>` element, written directly.

The same elements and attributes as the template it replaced (`charts/_spc_svg.html`, which
now only prints `chart.svg`): a location dashboard draws 18 charts of 60 points, and the
Django template engine spent most of the page's time resolving the ~20 variables of each
point. Every text is escaped with `django.utils.html.escape`; coordinates are preformatted
strings from `spc_view`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.html import escape
from django.utils.safestring import SafeString

if TYPE_CHECKING:
    from sustain.web.spc_charts import Marker, Segment, SpcView


def _marker(m: Marker) -> str:
    label = escape(m.label)
    if m.path:
        shape = (f'<path class="{m.css}" d="{m.path}" fill="{m.fill}" stroke="{m.stroke}" '
                 f'stroke-width="1.5"><title>{label}</title></path>')
    else:
        shape = (f'<circle class="{m.css}" cx="{m.x}" cy="{m.y}" r="{m.r}" fill="{m.fill}" '
                 f'stroke="{m.stroke}" stroke-width="1"><title>{label}</title></circle>')
    if m.href:
        return f'<a href="{escape(m.href)}" aria-label="{label}">{shape}</a>'
    return shape


def _segment(s: Segment, c: dict[str, str]) -> str:
    out = []
    if s.mean_y:
        out.append(f'<line class="mean" x1="{s.x1}" x2="{s.x2}" y1="{s.mean_y}" '
                   f'y2="{s.mean_y}" stroke="{c["text"]}" stroke-width="1.5"></line>')
    for css, y in (("upl", s.upl_y), ("lpl", s.lpl_y)):
        if y:
            out.append(f'<line class="{css}" x1="{s.x1}" x2="{s.x2}" y1="{y}" y2="{y}" '
                       f'stroke="{c["limit"]}" stroke-width="1.5" '
                       f'stroke-dasharray="6 4"></line>')
    if s.trial:
        out.append(f'<text class="trial-label" x="{s.label_x}" y="{s.label_y}" '
                   f'fill="{c["muted"]}" font-size="12" font-style="italic">Trial limits</text>')
    elif not s.first:
        out.append(f'<text class="rebase-label" x="{s.label_x}" y="{s.label_y}" '
                   f'fill="{c["muted"]}" font-size="12">Limits recalculated</text>')
    return "\n    ".join(out)


def svg(v: SpcView) -> SafeString:
    c = v.colours
    role = "group" if v.linked else "img"
    parts = [
        f'<svg class="spc-chart" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {v.width} {v.height}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet" role="{role}" '
        f'aria-labelledby="{escape(v.ident)}-title {escape(v.ident)}-desc" focusable="false" '
        f'font-family="inherit" font-size="13">',
        f'<title id="{escape(v.ident)}-title">{escape(v.title)}</title>',
        f'<desc id="{escape(v.ident)}-desc">{escape(v.desc)}</desc>',
        f'<rect x="0" y="0" width="{v.width}" height="{v.height}" fill="#ffffff"></rect>',
        '<g class="y-axis">',
    ]
    for y, label in v.y_ticks:
        parts.append(f'<line x1="{v.plot_left}" x2="{v.plot_right}" y1="{y}" y2="{y}" '
                     f'stroke="#e3e5e7" stroke-width="1"></line>')
        parts.append(f'<text x="{v.plot_left}" dx="-6" y="{y}" dy="4" text-anchor="end" '
                     f'fill="{c["muted"]}">{escape(label)}</text>')
    parts.append("</g>")
    parts.append(f'<line x1="{v.plot_left}" x2="{v.plot_right}" y1="{v.plot_bottom}" '
                 f'y2="{v.plot_bottom}" stroke="{c["limit"]}" stroke-width="1"></line>')
    parts.append('<g class="limits">')
    parts.extend(_segment(s, c) for s in v.segments)
    parts.append("</g>")
    if v.target_y:
        parts.append(
            f'<g class="target"><line x1="{v.plot_left}" x2="{v.plot_right}" '
            f'y1="{v.target_y}" y2="{v.target_y}" stroke="{c["target"]}" stroke-width="2" '
            f'stroke-dasharray="2 3"></line><text x="{v.plot_right}" y="{v.target_label_y}" '
            f'text-anchor="end" fill="{c["target_text"]}" font-weight="700" font-size="12">'
            f'{escape(v.target_label)}</text></g>')
    if len(v.markers) > 1:
        parts.append(f'<polyline class="series" points="{v.line}" fill="none" '
                     f'stroke="{c["line"]}" stroke-width="1.5"></polyline>')
    parts.append('<g class="points">')
    parts.extend(_marker(m) for m in v.markers)
    parts.append('</g>\n<g class="x-axis">')
    for x, label, anchor in v.x_labels:
        parts.append(f'<text x="{x}" y="{v.x_label_y}" text-anchor="{anchor}" '
                     f'fill="{c["muted"]}">{escape(label)}</text>')
    parts.append("</g>\n</svg>")
    return SafeString("\n  ".join(parts))
