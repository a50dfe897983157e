"""Care-plan reviews (does the plan match what actually happens?) and the care-plan action
tracker (what, who, by when, done)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sustain.core.models import TenantScopedModel


def _external_ref_unique(name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=("organisation", "external_ref"), condition=~Q(external_ref=""), name=name,
        violation_error_message="Another record already has this external reference.")


def _not_future(value: dt.date | None, field: str, errors: dict[str, str]) -> None:
    if value is not None and value > timezone.localdate():
        errors[field] = "This date cannot be in the future."


class CarePlanReview(TenantScopedModel):
    """A review of one person's care plan against the daily notes, incidents, family feedback
    and observed practice; a mismatch must say what did not match."""

    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("location"))
    person = models.ForeignKey("people.PersonSupported", on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("person supported"))
    key_worker = models.ForeignKey("people.StaffMember", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("key worker"))
    due_date = models.DateField(_("due date"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    checked_daily_notes = models.BooleanField(_("checked plan against daily notes"),
                                              default=False)
    checked_incidents = models.BooleanField(_("checked incidents"), default=False)
    checked_family_feedback = models.BooleanField(_("checked family feedback"), default=False)
    checked_observed_practice = models.BooleanField(_("checked observed practice"),
                                                    default=False)
    mismatch_found = models.BooleanField(_("mismatch found"), default=False)
    mismatch_detail = models.TextField(_("what did not match"), blank=True)
    changes_made = models.TextField(_("changes made to the plan"), blank=True)
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True)
    themes = models.ManyToManyField("themes.Theme", blank=True, related_name="+",
                                    verbose_name=_("themes"))

    class Meta:
        ordering = ("due_date", "pk")
        constraints = [_external_ref_unique("careplans_review_unique_external_ref")]
        indexes = [models.Index(fields=("organisation", "location", "due_date"),
                                name="careplans_review_loc_due")]

    def __str__(self) -> str:
        ref = self.person.reference if self.person_id else ""
        return f"Care-plan review {ref}".strip()

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _not_future(self.completed_on, "completed_on", errors)
        if self.mismatch_found and not self.mismatch_detail.strip():
            errors["mismatch_detail"] = "Say what did not match."
        checks = (self.checked_daily_notes, self.checked_incidents,
                  self.checked_family_feedback, self.checked_observed_practice)
        if self.completed_on and not any(checks):
            errors["completed_on"] = "A completed review records at least one check made."
        if errors:
            raise ValidationError(errors)

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.completed_on is None and self.due_date < today


class CarePlanAction(TenantScopedModel):
    """An item on the care-plan action tracker: what will be done, by whom, by when."""

    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("location"))
    person = models.ForeignKey("people.PersonSupported", on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("person supported"))
    review = models.ForeignKey(CarePlanReview, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="actions", verbose_name=_("from review"))
    what = models.TextField(_("what"))
    who = models.ForeignKey("people.StaffMember", null=True, blank=True,
                            on_delete=models.PROTECT, related_name="+", verbose_name=_("who"))
    due_date = models.DateField(_("due date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True)
    themes = models.ManyToManyField("themes.Theme", blank=True, related_name="+",
                                    verbose_name=_("themes"))

    class Meta:
        ordering = ("due_date", "pk")
        constraints = [_external_ref_unique("careplans_action_unique_external_ref")]

    def __str__(self) -> str:
        return self.what[:80]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _not_future(self.done_on, "done_on", errors)
        if self.review_id and self.person_id and self.review.person_id != self.person_id:
            errors["review"] = "The review is about another person."
        if errors:
            raise ValidationError(errors)

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.done_on is None and self.due_date < today
