"""Links from a stored assessment to the records behind it: a record is linked only when the
reader may see it (its app's visibility filter, `core.visibility`); otherwise its label is
shown without a link. One query per record type on the page, not per record."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from sustain.core.visibility import visibility_filters


@dataclass(frozen=True)
class Kind:
    model: str
    label: str
    columns: tuple[str, ...]  # read with the uuid to build the address
    url: Callable[[tuple[Any, ...]], str]


def _detail(name: str) -> Callable[[tuple[Any, ...]], str]:
    return lambda row: reverse(name, kwargs={"uuid": row[0]})


KINDS: Mapping[str, Kind] = {
    "audit": Kind("audits.audit", "Audit", (), _detail("audits:detail")),
    "supervision": Kind("workforce.supervision", "Supervision", ("supervisee__uuid",),
                        lambda row: reverse("workforce:staff", kwargs={"uuid": row[1]})),
    "care_plan_review": Kind("careplans.careplanreview", "Care-plan review", (),
                             _detail("careplans:review-detail")),
    "feedback": Kind("feedback.feedback", "Feedback", (), _detail("feedback:feedback-detail")),
    "visit": Kind("feedback.visit", "Senior visit", (), _detail("feedback:visit-detail")),
    "action": Kind("themes.action", "Theme action", ("theme__uuid",),
                   lambda row: reverse("themes:detail", kwargs={"uuid": row[1]})
                   + f"#action-{row[0]}"),
    "meeting": Kind("meetings.meeting", "Meeting", (), _detail("meetings:detail")),
    "briefing": Kind("workforce.briefing", "Briefing", (), _detail("workforce:briefing")),
    "theme": Kind("themes.theme", "Theme", (), _detail("themes:detail")),
}


def urls_for(user: Any, refs: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], str]:
    """(type, uuid) → address, for the records the user may see."""
    wanted: dict[str, set[str]] = {}
    for r in refs:
        if r.get("type") in KINDS:
            wanted.setdefault(str(r["type"]), set()).add(str(r.get("uuid", "")))
    filters = visibility_filters()
    out: dict[tuple[str, str], str] = {}
    for kind_name, ids in wanted.items():
        kind = KINDS[kind_name]
        visible = filters.get(kind.model)
        if visible is None:
            continue
        qs = visible(apps.get_model(kind.model)._default_manager.filter(uuid__in=ids), user)
        for row in qs.values_list("uuid", *kind.columns):
            try:
                out[(kind_name, str(row[0]))] = kind.url(row)
            except NoReverseMatch:
                continue
    return out


def linked(refs: Iterable[Mapping[str, Any]], urls: Mapping[tuple[str, str], str]
           ) -> list[dict[str, Any]]:
    """The refs with `url` (None when not visible) and `kind` (what the record is)."""
    return [{**r, "kind": KINDS[r["type"]].label if r.get("type") in KINDS else "Record",
             "url": urls.get((str(r.get("type")), str(r.get("uuid"))))} for r in refs]


def all_refs(assessment: Any) -> list[Mapping[str, Any]]:
    """Every record reference an assessment stores."""
    refs: list[Mapping[str, Any]] = []
    for s in assessment.signs or []:
        refs += s.get("records", [])
    for f in assessment.relapse or []:
        refs += f.get("records", [])
        refs.append({"type": "theme", "uuid": f.get("theme")})
    for g in assessment.assurance or []:
        refs += g.get("own", []) + g.get("independent", [])
    for k in assessment.key_person or []:
        refs += k.get("records", [])
        refs.append({"type": "theme", "uuid": k.get("theme")})
    return refs
