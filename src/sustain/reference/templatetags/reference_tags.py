"""Template helpers that show where a reference fact comes from and whether it is confirmed."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from django import template

from sustain.engine.reference_schema import STATUS_MARKS, is_verified

register = template.Library()


@register.inclusion_tag("reference/_status.html")
def fact_status(status: str, note: str = "", what: str = "") -> dict[str, Any]:
    """A "Confirmed" or "Unconfirmed" badge with what the status mark means."""
    return {"verified": is_verified(status), "status": status,
            "meaning": STATUS_MARKS.get(status, ""), "note": note, "what": what}


@register.inclusion_tag("reference/_sources.html")
def fact_sources(sources: list[dict[str, str]], label: str = "Source") -> dict[str, Any]:
    """The sources of a fact: links where there is an address, notes otherwise."""
    return {"sources": sources or [], "label": label}


@register.filter
def source_label(url: str) -> str:
    """Link text for a source: the address without scheme or "www." (it stays unique)."""
    parts = urlparse(url)
    if not parts.netloc:
        return url
    return (parts.netloc.removeprefix("www.") + parts.path.rstrip("/")
            + (f"?{parts.query}" if parts.query else ""))


@register.filter
def unconfirmed(status: str) -> bool:
    return not is_verified(status)
