import datetime as dt

import factory

from sustain.audits.models import Audit, AuditTemplate
from sustain.tenancy.tests.factories import LocationFactory
from sustain.themes.models import Action, Theme


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    location = factory.SubFactory(LocationFactory)
    organisation = factory.SelfAttribute("location.organisation")
    title = factory.Sequence(lambda n: f"Theme {n}")
    origin = "inspection"
    stage = "identified"
    stage_since = dt.date(2026, 1, 1)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    theme = factory.SubFactory(ThemeFactory)
    organisation = factory.SelfAttribute("theme.organisation")
    location = factory.SelfAttribute("theme.location")
    description = factory.Sequence(lambda n: f"Action {n}")
    due_date = dt.date(2026, 2, 1)


class AuditTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditTemplate

    code = factory.Sequence(lambda n: f"template-{n}")
    title = factory.Sequence(lambda n: f"Template {n}")
    pass_mark = 90
    sections = factory.LazyFunction(lambda: [{"title": "Main", "questions": [
        {"code": "Q1", "text": "Is it right?", "answer_type": "yes_no"}]}])


class AuditFactory(factory.django.DjangoModelFactory):
    """A completed audit row (scored elsewhere); for lifecycle tests."""

    class Meta:
        model = Audit

    theme = factory.SubFactory(ThemeFactory)
    location = factory.SelfAttribute("theme.location")
    organisation = factory.SelfAttribute("theme.organisation")
    template = factory.SubFactory(AuditTemplateFactory)
    is_reaudit = True
    audit_date = dt.date(2026, 3, 1)
    status = "completed"
    score = 95
    passed = True
