"""Template helpers for inspections: the location page's rating history, rating badges,
accessible widgets and links to themes.

    {% load inspections_tags %}{% rating_history location %}
"""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from sustain.engine.access import Perm
from sustain.inspections import selectors
from sustain.inspections.models import Rating
from sustain.tenancy.permissions import has_perm_at

register = template.Library()

RATING_LABELS = dict(Rating.choices)

# Where a theme's page lives, by the URL names the themes pages may use (first that exists).
THEME_URL_NAMES = ("themes:detail", "themes:theme-detail", "web:theme-detail")


def theme_url(theme: Any) -> str | None:
    """The theme's page, or None while no theme page is installed."""
    for name in THEME_URL_NAMES:
        try:
            return reverse(name, kwargs={"uuid": theme.uuid})
        except NoReverseMatch:
            continue
    return None


@register.filter(name="theme_url")
def theme_url_filter(theme: Any) -> str:
    return theme_url(theme) or ""


@register.simple_tag
def rating(value: str | None) -> SafeString:
    """A rating badge; the words carry the meaning, the colour only repeats it."""
    if not value:
        return format_html('<span class="rating rating-none">{}</span>', "—")
    return format_html('<span class="rating rating-{}">{}</span>', value,
                       RATING_LABELS.get(value, value))


@register.filter
def rating_label(value: str | None) -> str:
    """"requires-improvement" → "Requires improvement"."""
    return str(RATING_LABELS.get(value or "", value or ""))


@register.simple_tag
def widget(field: forms.BoundField) -> SafeString:
    """The field's control, described by its hint and its error message."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    attrs = {"aria-describedby": " ".join(ids)} if ids else {}
    return field.as_widget(attrs=attrs)


@register.inclusion_tag("inspections/_rating_history.html", takes_context=True)
def rating_history(context: template.Context, location: Any) -> dict[str, Any]:
    """The location's inspections, newest first, with their ratings per key question
    (a fixed number of queries; nothing at all for someone without inspection.view)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not has_perm_at(user, Perm.INSPECTION_VIEW, location.pk):
        return {"show": False}
    kqs = selectors.key_questions()
    return {"show": True, "location": location, "key_questions": kqs,
            "rows": selectors.rating_history(location, user, kqs),
            "can_record": has_perm_at(user, Perm.INSPECTION_CHANGE, location.pk)
            and not location.is_archived}
