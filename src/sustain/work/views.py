"""My work pages: the queue (`work:my-work`), notification settings (`work:settings`: the
daily digest on/off, calendar links created and revoked) and the calendar feed itself
(`calendar-feed`, `/calendar/<token>.ics`, no sign-in: the secret in the address is the key)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from sustain.engine.work_rules import (
    STATUS_LABELS,
    Status,
    feed_horizon,
    group_by_status,
    page_horizon,
    week_end,
)
from sustain.web.views.base import get_visible_or_404, run_service
from sustain.work import services
from sustain.work.feed import build_calendar
from sustain.work.models import CalendarToken
from sustain.work.permissions import filter_calendar_tokens_visible
from sustain.work.providers import collect

PAGE_GROUPS = (Status.OVERDUE, Status.TODAY, Status.THIS_WEEK, Status.THIS_QUARTER)
EMPTY_TEXT = {
    Status.OVERDUE: "Nothing overdue.",
    Status.TODAY: "Nothing due today.",
    Status.THIS_WEEK: "Nothing else due this week.",
    Status.THIS_QUARTER: "Nothing else due this quarter.",
}


@login_required
@require_GET
def my_work(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    until = page_horizon(today)
    items = collect(request.user, today, until)
    groups = [{"status": status, "label": STATUS_LABELS[status], "items": group,
               "empty": EMPTY_TEXT[status], "id": f"group-{status.value.replace('_', '-')}"}
              for status, group in group_by_status(((i.status, i) for i in items),
                                                   PAGE_GROUPS)]
    return render(request, "work/my_work.html", {
        "groups": groups, "total": len(items), "today": today, "week_end": week_end(today),
        "until": until})


class DigestForm(forms.Form):
    digest_enabled = forms.TypedChoiceField(
        label="Daily email digest", coerce=lambda v: v == "yes",
        choices=[("yes", "Yes, email me each morning what is overdue or due this week"),
                 ("no", "No, do not email me")],
        widget=forms.RadioSelect)
    version = forms.IntegerField(widget=forms.HiddenInput)


class TokenForm(forms.Form):
    name = forms.CharField(label="Name (optional)", max_length=80, required=False,
                           help_text="Where you will use it, e.g. \u201cOutlook\u201d or "
                                     "\u201cphone\u201d.")


def _settings_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    tokens = filter_calendar_tokens_visible(
        CalendarToken.objects.filter(archived_at__isnull=True), user).order_by("-created_at")
    context = {
        "digest_form": DigestForm(initial={
            "digest_enabled": "yes" if user.digest_enabled else "no",  # type: ignore[union-attr]
            "version": user.version}),  # type: ignore[union-attr]
        "token_form": TokenForm(), "tokens": tokens,
        "has_email": bool(user.email),  # type: ignore[union-attr]
    }
    context.update(extra)
    return context


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = DigestForm(request.POST)
        if form.is_valid():
            done = run_service(form, lambda: services.digest_setting_update(
                actor=request.user, enabled=form.cleaned_data["digest_enabled"],
                expected_version=form.cleaned_data["version"]))
            if done is not None:
                messages.success(request, "Daily digest turned on." if done.digest_enabled
                                 else "Daily digest turned off.")
                return redirect("work:settings")
        return render(request, "work/settings.html",
                      _settings_context(request, digest_form=form), status=400)
    return render(request, "work/settings.html", _settings_context(request))


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    new = None
    if form.is_valid():
        new = run_service(form, lambda: services.calendar_token_create(
            actor=request.user, name=form.cleaned_data["name"]))
    if new is None:
        return render(request, "work/settings.html",
                      _settings_context(request, token_form=form), status=400)
    # The secret is shown on this response only: it is not stored and cannot be shown again.
    url = request.build_absolute_uri(reverse("calendar-feed", kwargs={"token": new.secret}))
    response = render(request, "work/settings.html",
                      _settings_context(request, new_url=url, new_token=new.record))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, uuid: Any) -> HttpResponse:
    token = get_visible_or_404(CalendarToken.objects.filter(archived_at__isnull=True),
                               filter_calendar_tokens_visible, request.user, uuid)
    services.calendar_token_revoke(actor=request.user, token=token)
    messages.success(request, "Calendar link revoked: calendars using it stop updating.")
    return redirect("work:settings")


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    user = services.user_for_token(token)
    if user is None:
        raise Http404("No such calendar.")
    today = timezone.localdate()
    items = collect(user, today, feed_horizon(today))
    body = build_calendar(user=user, items=items,
                          base_url=request.build_absolute_uri("/").rstrip("/"),
                          now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sustain-my-work.ics"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response
