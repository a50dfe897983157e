"""Archive and restore pages shared by the operational records (incidents, complaints,
compliments, care-plan reviews and actions, feedback, visits, medicines checks, safeguarding
concerns, supervisions, competency assessments, training records, briefings, attestations).

A record's page shows an "Archive" button (or "Restore" on an archived record) only to roles
its service would allow. The button opens a confirmation page (GET) with an optional or
required reason, depending on the service's rule; confirming POSTs (CSRF) and calls the
record's archive service, which checks permission again and records history. A user who may
see the record but not archive it gets 403; a record they may not see is 404."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.validators import MinLengthValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from sustain.web.forms import SustainForm
from sustain.web.views.base import require, run_service


@dataclass(frozen=True)
class ArchiveTarget:
    """One record to archive or restore, and how."""

    obj: Any
    noun: str  # "incident", "medicines check"
    title: str  # shown on the confirmation page
    back_url: str  # the record's page (or the list it is shown on)
    allowed: bool  # the same check the service makes
    service: Callable[[str, bool], Any]  # (reason, restore) -> the record
    min_reason: int = 0  # the service's minimum reason length when archiving (0: optional)


class ArchiveForm(SustainForm):
    reason = forms.CharField(label="Reason", max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, min_reason: int = 0, restore: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        if restore:
            field.label = "Reason (optional)"
            field.help_text = "Why the record is coming back; kept in its history."
        elif min_reason:
            field.required = True
            field.validators.append(MinLengthValidator(
                min_reason, f"Give at least {min_reason} characters."))
            field.help_text = (f"Why the record is archived (at least {min_reason} "
                               "characters); kept in its history.")
            field.error_messages["required"] = "Say why the record is archived."
        else:
            field.label = "Reason (optional)"
            field.help_text = "Why the record is archived; kept in its history."


def archive_page(request: HttpRequest, target: ArchiveTarget, *, restore: bool) -> HttpResponse:
    """GET: the confirmation page. POST: archive (or restore) through the service, then back
    to the record with a message; a refusal shows the form again with the field named."""
    require(target.allowed)
    archived = target.obj.archived_at is not None
    form = ArchiveForm(request.POST if request.method == "POST" else None,
                       min_reason=target.min_reason, restore=restore)
    if restore != archived:
        messages.info(request, f"This {target.noun} is "
                               f"{'already archived' if archived else 'not archived'}.")
        return redirect(target.back_url)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        done = run_service(form, lambda: target.service(reason, restore))
        if done is not None:
            messages.success(request, f"The {target.noun} has been "
                                      f"{'restored' if restore else 'archived'}."
                             + ("" if restore else " It is kept with its history and can be "
                                                   "restored."))
            return redirect(target.back_url)
    status = 400 if request.method == "POST" else 200
    return render(request, "web/archive_confirm.html", {
        "target": target, "form": form, "restore": restore}, status=status)


def archive_actions(obj: Any, *, allowed: bool, noun: str, archive_url: str,
                    restore_url: str, label: str = "") -> dict[str, Any]:
    """Context for `web/partials/archive_actions.html` on a record's page."""
    return {"allowed": allowed, "archived": obj.archived_at is not None, "noun": noun,
            "archive_url": archive_url, "restore_url": restore_url, "label": label or str(obj)}
