"""One FilterSet per model, used by the API and the web lists. Related records are named by
their public ids (UUIDs)."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_filters.widgets import BooleanWidget

from sustain.escalations.models import EscalationRule, EscalationTask, Firing

DUE_SOON = dt.timedelta(hours=24)

TASK_STATE_CHOICES = [("open", "Open (not yet due soon)"), ("due_soon", "Due within 24 hours"),
                      ("overdue", "Past due, not done"), ("escalated", "Escalated"),
                      ("outstanding", "Not done (open, due or overdue)"), ("done", "Done"),
                      ("cancelled", "Cancelled"), ("withdrawn", "Withdrawn")]


class EscalationRuleFilter(django_filters.FilterSet):
    code = django_filters.CharFilter(field_name="code")
    active = django_filters.BooleanFilter(field_name="active")
    is_current = django_filters.BooleanFilter(field_name="is_current")

    class Meta:
        model = EscalationRule
        fields = ["code", "active", "is_current"]


class FiringFilter(django_filters.FilterSet):
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    status = django_filters.ChoiceFilter(choices=Firing.Status.choices)
    rule_code = django_filters.CharFilter(field_name="rule_code")
    source = django_filters.ChoiceFilter(choices=Firing.Source.choices)
    theme_id = django_filters.UUIDFilter(field_name="theme__uuid")
    staff_member_id = django_filters.UUIDFilter(field_name="staff_member__uuid")
    person_id = django_filters.UUIDFilter(field_name="person__uuid")
    triggered_from = django_filters.IsoDateTimeFilter(field_name="triggered_at",
                                                      lookup_expr="gte")
    triggered_to = django_filters.IsoDateTimeFilter(field_name="triggered_at", lookup_expr="lt")
    board = django_filters.BooleanFilter(method="filter_board", widget=BooleanWidget())

    class Meta:
        model = Firing
        fields = ["location_id", "status", "rule_code", "source", "theme_id",
                  "staff_member_id", "person_id", "triggered_from", "triggered_to", "board"]

    def filter_board(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        """Firings with a task in the board report feed (`?board=1`)."""
        if value is None:
            return qs
        board = Q(tasks__at_board=True, tasks__status=EscalationTask.Status.OPEN)
        return qs.filter(board).distinct() if value else qs.exclude(board)


class EscalationTaskFilter(django_filters.FilterSet):
    location_id = django_filters.UUIDFilter(field_name="location__uuid")
    status = django_filters.ChoiceFilter(choices=EscalationTask.Status.choices)
    state = django_filters.ChoiceFilter(choices=TASK_STATE_CHOICES, method="filter_state")
    owner_id = django_filters.UUIDFilter(field_name="owner__uuid")
    owner_role = django_filters.CharFilter(field_name="owner_role")
    task_type = django_filters.CharFilter(field_name="task_type")
    firing_id = django_filters.UUIDFilter(field_name="firing__uuid")
    rule_code = django_filters.CharFilter(field_name="firing__rule_code")
    theme_id = django_filters.UUIDFilter(field_name="firing__theme__uuid")
    staff_member_id = django_filters.UUIDFilter(field_name="staff_member__uuid")
    person_id = django_filters.UUIDFilter(field_name="person__uuid")
    at_board = django_filters.BooleanFilter(field_name="at_board")
    due_from = django_filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="gte")
    due_to = django_filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="lt")

    class Meta:
        model = EscalationTask
        fields = ["location_id", "status", "state", "owner_id", "owner_role", "task_type",
                  "firing_id", "rule_code", "theme_id", "staff_member_id", "person_id",
                  "at_board", "due_from", "due_to"]

    def filter_state(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        """The states `selectors.task_state` gives, as a query (as of now)."""
        now = timezone.now()
        open_ = Q(status=EscalationTask.Status.OPEN)
        if value == "outstanding":
            return qs.filter(open_)
        if value == "escalated":
            return qs.filter(open_ & (Q(at_board=True) | Q(step__gt=0, due_at__gte=now)))
        live = open_ & Q(at_board=False)
        if value == "overdue":
            return qs.filter(live, due_at__lt=now)
        if value == "due_soon":
            return qs.filter(live, step=0, due_at__gte=now, due_at__lte=now + DUE_SOON)
        if value == "open":
            return qs.filter(live, step=0, due_at__gt=now + DUE_SOON)
        return qs.filter(status=value) if value else qs
