"""Template tags for themes on other pages: the location page's "Themes by stage" and the home
page's "Your overdue actions". Each runs a fixed number of queries, whatever the data size,
and shows nothing to a reader without theme.view where it applies."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html

from sustain.engine.access import Perm
from sustain.engine.lifecycle import STAGE_LABELS, Stage
from sustain.tenancy.permissions import has_perm_anywhere, has_perm_at
from sustain.themes import selectors

register = template.Library()

SHOWN = 20  # overdue actions listed before "and n more"


@register.simple_tag
def stage_badge(stage: str) -> str:
    """The stage as a coloured badge with its label (the colour is never the only cue)."""
    try:
        label = STAGE_LABELS[Stage(stage)]
    except ValueError:
        label = stage
    return format_html('<span class="stage stage-{}">{}</span>', stage, label)


@register.inclusion_tag("themes/_location_themes.html", takes_context=True)
def location_themes(context: template.Context, location: Any) -> dict[str, Any]:
    """Themes at one location grouped by stage, with its overdue actions."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not has_perm_at(user, Perm.THEME_VIEW, location.pk):
        return {"shown": False}
    themes = list(selectors.themes_at(actor=user, location=location))
    counts = dict.fromkeys(Stage, 0)
    for theme in themes:
        counts[Stage(theme.stage)] += 1
    overdue = list(selectors.overdue_actions(actor=user).filter(location=location)
                   [:SHOWN + 1])
    return {"shown": True, "location": location, "themes": themes,
            "by_stage": [(s.value, STAGE_LABELS[s], counts[s]) for s in selectors.STAGE_ORDER
                         if counts[s]],
            "overdue": overdue[:SHOWN], "more_overdue": len(overdue) > SHOWN,
            "can_create": has_perm_at(user, Perm.THEME_CHANGE, location.pk),
            "today": timezone.localdate()}


@register.inclusion_tag("themes/_home_overdue.html", takes_context=True)
def my_overdue_actions(context: template.Context) -> dict[str, Any]:
    """The reader's overdue actions (theirs, or on themes they own)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or \
            not has_perm_anywhere(user, Perm.THEME_VIEW):
        return {"shown": False}
    actions = list(selectors.my_overdue_actions(actor=user)[:SHOWN + 1])
    return {"shown": True, "actions": actions[:SHOWN], "more": len(actions) > SHOWN,
            "today": timezone.localdate()}
