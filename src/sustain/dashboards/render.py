"""HTML fragments of the provider dashboard that repeat per row or per cell (the risk
explanation of each location, the heat-map cells), built with `format_html` (every text
escaped) rather than template loops: a provider with 300 locations has 1,800 explanation lines
and 2,000 cells, and Django's template engine spends most of the page's time on them."""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from sustain.dashboards.selectors import HeatCell, LocationRow
from sustain.engine.risk_rank import RiskScore

_PLACEHOLDER = uuid_module.UUID(int=0)
EMPTY_CELL = SafeString('<td class="heat-cell heat-none"><span aria-hidden="true">—</span>'
                        '<span class="visually-hidden">No theme</span></td>')


def url_maker(name: str) -> Callable[[Any], str]:
    """`reverse(name, args=[uuid])` for many uuids: reversed once, then filled in."""
    template = reverse(name, args=[_PLACEHOLDER])
    return lambda value: template.replace(str(_PLACEHOLDER), str(value))


def risk_explanation(score: RiskScore) -> SafeString:
    """The total, and a disclosure listing every component's points and sentence."""
    items = format_html_join("", "<li><strong>{}: {}.</strong> {}</li>",
                             ((c.label, c.points, c.sentence) for c in score.components))
    return format_html(
        '<details class="risk-why"><summary><span class="risk-total">{}</span> '
        '<span class="risk-summary-text">Why<span class="visually-hidden">: risk score of {}'
        '</span></span></summary><ul class="risk-components">{}</ul></details>',
        score.total, score.name, items)


def heat_cells(row: LocationRow, cells: list[HeatCell], theme_url: Callable[[Any], str],
               themes_list: str) -> SafeString:
    """One heat-map row's cells: the stage written out (colour repeats it), linked to the
    theme, or to the location's theme list when the cell holds several."""
    parts: list[str] = []
    name = row.location.name
    for cell in cells:
        if not cell.themes:
            parts.append(EMPTY_CELL)
            continue
        badge = format_html('<span class="stage stage-{}">{}</span>', cell.stage, cell.label)
        if len(cell.themes) == 1:
            theme = cell.themes[0]
            link = format_html('<a href="{}" title="{}">{}<span class="visually-hidden">: {}, '
                               '{}</span></a>', theme_url(theme.uuid), theme.title, badge,
                               theme.title, name)
        else:
            link = format_html('<a href="{}?location={}">{} <span class="heat-count">{} themes'
                               '</span><span class="visually-hidden">, {}</span></a>',
                               themes_list, row.location.uuid, badge, len(cell.themes), name)
        parts.append(format_html('<td class="heat-cell heat-{}">{}</td>', cell.stage, link))
    return SafeString("".join(parts))


def provider_fragments(board: Any) -> None:
    """Attach `risk_html`, `url` and `heat_html` to each row of the board."""
    location_url = url_maker("dashboards:location")
    theme_url = url_maker("themes:detail")
    themes_list = reverse("themes:list")
    for row in board.rows:
        row.url = location_url(row.location.uuid)
        row.risk_html = risk_explanation(row.score)
    board.heat_rows = [(row, heat_cells(row, cells, theme_url, themes_list))
                       for row, cells in board.heat_map.rows]
