"""Workforce pages: per-location lists (supervision status with overdue first, competencies,
training), the per-staff workforce page, quick-entry forms, briefings (create, detail with the
signed-in member of staff's attest button) and theme coverage per location."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import BooleanField, ExpressionWrapper, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from sustain.engine.access import Perm
from sustain.people.models import StaffMember
from sustain.tenancy.models import Location
from sustain.tenancy.permissions import filter_by_location
from sustain.themes.models import Theme
from sustain.themes.permissions import filter_themes_visible
from sustain.web.views.archive import ArchiveTarget, archive_actions, archive_page
from sustain.web.views.base import (
    get_visible_or_404,
    is_visible,
    preselected,
    require,
    require_perm_anywhere,
    run_service,
)
from sustain.workforce import selectors, services
from sustain.workforce.forms import (
    AttestForm,
    BriefingForm,
    CompetencyForm,
    RecordAttestationForm,
    SupervisionForm,
    TrainingForm,
)
from sustain.workforce.models import (
    Attestation,
    Briefing,
    CompetencyAssessment,
    Supervision,
    TrainingRecord,
)
from sustain.workforce.permissions import (
    can_attest,
    can_change_workforce,
    filter_briefings_visible,
    filter_workforce_visible,
)
from sustain.workforce.templatetags.workforce_web import current_competency_q, current_training_q


def _locations(user: Any, perm: str = Perm.WORKFORCE_VIEW) -> QuerySet:
    return filter_by_location(Location.objects.filter(archived_at__isnull=True), user, perm,
                              field="pk").order_by("name")


def _location(request: HttpRequest, perm: str = Perm.WORKFORCE_VIEW) -> tuple[Any, QuerySet]:
    locations = _locations(request.user, perm)
    chosen = preselected(locations, request.GET.get("location")) or locations.first()
    require(chosen is not None)
    return chosen, locations


def _staff(location: Any) -> QuerySet:
    return selectors.staff_at(location, timezone.localdate())


def _themes(user: Any, location: Any) -> QuerySet:
    return filter_themes_visible(Theme.objects.filter(location=location,
                                                      archived_at__isnull=True), user)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """One location's workforce: supervision status (overdue first), competencies, training."""
    require_perm_anywhere(request, Perm.WORKFORCE_VIEW)
    location, locations = _location(request)
    today = timezone.localdate()
    statuses = selectors.supervision_statuses(location, today)
    competencies = filter_workforce_visible(CompetencyAssessment.objects.filter(
        location=location, archived_at__isnull=True), request.user) \
        .select_related("staff", "assessor")[:25]
    training = filter_workforce_visible(TrainingRecord.objects.filter(
        location=location, archived_at__isnull=True), request.user) \
        .select_related("staff")[:25]
    return render(request, "workforce/index.html", {
        "location": location, "locations": locations, "statuses": statuses,
        "overdue": sum(1 for s in statuses if s.status.overdue), "today": today,
        "competencies": competencies, "training": training,
        "can_change": can_change_workforce(request.user, location.pk)})


@login_required
def staff_page(request: HttpRequest, uuid: Any) -> HttpResponse:
    """One member of staff: supervision status, supervisions, competencies, training, and the
    active themes they have not attested to. `?archived=1` lists archived records too (each
    with a Restore button for managers); managers can archive a record made in error."""
    require_perm_anywhere(request, Perm.WORKFORCE_VIEW)
    user = request.user
    locations = _locations(user)
    staff = get_visible_or_404(StaffMember.objects.filter(locations__in=locations).distinct(),
                               lambda qs, _: qs, user, uuid)
    today = timezone.localdate()
    show_archived = request.GET.get("archived") == "1"

    def mine(qs: QuerySet) -> QuerySet:
        if not show_archived:
            qs = qs.filter(archived_at__isnull=True)
        return filter_workforce_visible(qs, user)

    managed = set(filter_by_location(Location.objects.all(), user, Perm.WORKFORCE_CHANGE,
                                     field="pk").values_list("pk", flat=True))
    return render(request, "workforce/staff.html", {
        "staff": staff, "status": selectors.staff_supervision_status(staff, today),
        "supervisions": mine(Supervision.objects.filter(supervisee=staff))
        .select_related("supervisor", "supervisee", "location").prefetch_related("themes"),
        "competencies": mine(CompetencyAssessment.objects.filter(staff=staff))
        .select_related("assessor", "staff").annotate(current=ExpressionWrapper(
            current_competency_q(), output_field=BooleanField())),
        "training": mine(TrainingRecord.objects.filter(staff=staff)).select_related("staff")
        .annotate(
            current=ExpressionWrapper(current_training_q(), output_field=BooleanField())),
        "attestations": mine(Attestation.objects.filter(staff=staff))
        .select_related("briefing", "briefing__theme", "staff"),
        "not_briefed": selectors.themes_not_briefed_for(
            staff, filter_themes_visible(Theme.objects.all(), user), today),
        "today": today, "managed": managed, "show_archived": show_archived})


FORMS = {
    "supervision": (SupervisionForm, services.supervision_create, "Record a supervision",
                    "The supervision has been recorded."),
    "competency": (CompetencyForm, services.competency_assessment_create,
                   "Record a competency assessment", "The assessment has been recorded."),
    "training": (TrainingForm, services.training_record_create, "Record training",
                 "The training has been recorded."),
}


@login_required
def record_create(request: HttpRequest, kind: str) -> HttpResponse:
    """Quick entry of a supervision, competency assessment or training record."""
    require_perm_anywhere(request, Perm.WORKFORCE_CHANGE)
    form_class, service, title, done = FORMS[kind]
    location, _ = _location(request, Perm.WORKFORCE_CHANGE)
    user = request.user
    form = form_class(request.POST or None, staff=_staff(location),
                      themes=_themes(user, location),
                      initial={"date": timezone.localdate(),
                               "completed_on": timezone.localdate()})
    if kind == "supervision":
        weeks = services.supervision_interval_weeks(location.organisation)
        form.fields["next_due"].help_text = (
            f"Leave blank for the organisation's supervision interval: {weeks} "
            f"week{'s' if weeks != 1 else ''} after the date.")
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        data["themes"] = list(form.cleaned_data.get("themes") or [])
        record = run_service(form, lambda: service(
            actor=user, organisation=location.organisation, location=location, **data),
            is_visible(filter_workforce_visible, user))
        if record is not None:
            messages.success(request, done)
            return redirect(reverse("workforce:index") + f"?location={location.uuid}")
    return render(request, "workforce/form.html", {"form": form, "title": title,
                                                   "location": location})


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    """Each active theme at a location: who has attested to its briefings, who has not."""
    require_perm_anywhere(request, Perm.WORKFORCE_VIEW)
    location, locations = _location(request)
    today = timezone.localdate()
    rows = selectors.location_coverage(location, _themes(request.user, location), today)
    return render(request, "workforce/coverage.html", {
        "location": location, "locations": locations, "rows": rows, "today": today,
        "can_change": can_change_workforce(request.user, location.pk)})


@login_required
def briefing_create(request: HttpRequest) -> HttpResponse:
    require_perm_anywhere(request, Perm.WORKFORCE_CHANGE)
    user = request.user
    theme = get_visible_or_404(Theme.objects.select_related("location", "organisation"),
                               filter_themes_visible, user, request.GET.get("theme"))
    require(can_change_workforce(user, theme.location_id))
    form = BriefingForm(request.POST or None, staff=_staff(theme.location), initial={
        "delivered_at": timezone.localtime().replace(second=0, microsecond=0),
        "title": theme.title})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v is not None}
        briefing = run_service(form, lambda: services.briefing_create(
            actor=user, organisation=theme.organisation, location=theme.location, theme=theme,
            **data), is_visible(filter_briefings_visible, user))
        if briefing is not None:
            messages.success(request, "The briefing has been recorded. Staff can now attest.")
            return redirect("workforce:briefing", uuid=briefing.uuid)
    return render(request, "workforce/form.html", {"form": form, "theme": theme,
                                                   "location": theme.location,
                                                   "title": "Record a briefing"})


@login_required
def briefing_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    """The briefing, the signed-in member of staff's attest button, and (for managers) who has
    attested and a form to record someone's attestation."""
    require_perm_anywhere(request, Perm.BRIEFING_ATTEST)
    user = request.user
    briefing = get_visible_or_404(
        Briefing.objects.select_related("theme", "location", "delivered_by", "organisation"),
        filter_briefings_visible, user, uuid)
    me = getattr(user, "staff_member", None)
    manager = can_change_workforce(user, briefing.location_id)
    attested = Attestation.objects.filter(briefing=briefing, archived_at__isnull=True)
    mine = attested.filter(staff=me).first() if me is not None else None
    pending = _staff(briefing.location).exclude(pk__in=attested.values("staff_id"))
    attest_form = AttestForm(request.POST if "attest" in request.POST else None)
    record_form = RecordAttestationForm(request.POST if "record" in request.POST else None,
                                        staff=pending, prefix="record")
    form = attest_form if "attest" in request.POST else record_form
    if request.method == "POST" and form.is_valid():
        if form is record_form:
            require(manager)
            staff = form.cleaned_data["staff"]
        else:
            require(me is not None and can_attest(user, briefing.location_id))
            staff = me
        done = run_service(form, lambda: services.attestation_create(
            actor=user, organisation=briefing.organisation, briefing=briefing, staff=staff,
            statement_confirmed=form.cleaned_data["statement_confirmed"],
            short_answer=form.cleaned_data["short_answer"]))
        if done is not None:
            messages.success(request, "Thank you: your attestation has been recorded."
                             if form is attest_form else "The attestation has been recorded.")
            return redirect("workforce:briefing", uuid=briefing.uuid)
    return render(request, "workforce/briefing.html", {
        "briefing": briefing, "mine": mine, "me": me, "manager": manager,
        "can_attest": me is not None and mine is None and can_attest(user, briefing.location_id)
        and me.locations.filter(pk=briefing.location_id).exists(),
        "attest_form": attest_form, "record_form": record_form,
        "attestations": attested.select_related("staff") if manager else None,
        "coverage": selectors.theme_coverage(briefing.theme, timezone.localdate())
        if manager else None,
        "archive": briefing_archive_actions(user, briefing)})


# kind in the URL -> (model, noun, archive service, its keyword, staff field or None)
ARCHIVABLE: dict[str, tuple[Any, str, Any, str, str | None]] = {
    "supervisions": (Supervision, "supervision", services.supervision_archive, "supervision",
                     "supervisee"),
    "competencies": (CompetencyAssessment, "competency assessment",
                     services.competency_assessment_archive, "assessment", "staff"),
    "training": (TrainingRecord, "training record", services.training_record_archive,
                 "record", "staff"),
    "attestations": (Attestation, "attestation", services.attestation_archive, "attestation",
                     "staff"),
    "briefings": (Briefing, "briefing", services.briefing_archive, "briefing", None),
}


@login_required
@require_http_methods(["GET", "POST"])
def archive(request: HttpRequest, kind: str, uuid: Any, restore: bool = False) -> HttpResponse:
    """Confirm and archive (or restore) a workforce record or briefing made in error
    (`workforce.change` at its location, as the services require)."""
    if kind not in ARCHIVABLE:
        raise Http404("No such kind of record.")
    model, noun, service, keyword, staff_field = ARCHIVABLE[kind]
    user = request.user
    if model is Briefing:
        require_perm_anywhere(request, Perm.BRIEFING_ATTEST)
        obj = get_visible_or_404(Briefing.objects.select_related("location"),
                                 filter_briefings_visible, user, uuid)
        back = reverse("workforce:briefing", kwargs={"uuid": obj.uuid})
    else:
        require_perm_anywhere(request, Perm.WORKFORCE_VIEW)
        obj = get_visible_or_404(model.objects.select_related("location", staff_field),
                                 filter_workforce_visible, user, uuid)
        back = reverse("workforce:staff", kwargs={"uuid": getattr(obj, staff_field).uuid})
        if restore:
            back += "?archived=1"
    return archive_page(request, ArchiveTarget(
        obj=obj, noun=noun, title=f"{obj} · {obj.location.name}", back_url=back,
        allowed=can_change_workforce(user, obj.location_id),
        service=lambda reason, back_: service(actor=user, **{keyword: obj}, reason=reason,
                                              restore=back_),
        min_reason=services.MIN_REASON), restore=restore)


def briefing_archive_actions(user: Any, briefing: Briefing) -> dict[str, Any]:
    return archive_actions(
        briefing, allowed=can_change_workforce(user, briefing.location_id), noun="briefing",
        archive_url=reverse("workforce:archive", kwargs={"kind": "briefings",
                                                         "uuid": briefing.uuid}),
        restore_url=reverse("workforce:restore", kwargs={"kind": "briefings",
                                                         "uuid": briefing.uuid}))
