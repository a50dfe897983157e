"""Audit templates for tests: a care-plan audit with per-sample, critical, scale, number and
text questions (the shape the playbook library writes)."""

from __future__ import annotations

from typing import Any

import factory

from sustain.audits.models import AuditTemplate


def care_plan_sections() -> list[dict[str, Any]]:
    return [
        {"title": "Records", "questions": [
            {"code": "CP1", "text": "Is the care plan person-centred?", "answer_type": "yes_no",
             "weight": 2, "help": "Compare with daily notes and observed practice."},
            {"code": "CP2", "text": "Risk assessments reviewed within the month?",
             "answer_type": "yes_no", "critical": True},
            {"code": "CP3", "text": "Quality of handover notes", "answer_type": "scale",
             "scale_max": 4},
            {"code": "CP4", "text": "Reviews overdue", "answer_type": "number", "at_most": 0,
             "required": False},
            {"code": "CP5", "text": "Anything else noticed", "answer_type": "text",
             "required": False},
        ]},
        {"title": "Each sampled care plan", "questions": [
            {"code": "S1", "text": "Plan matches daily notes and observed practice?",
             "answer_type": "yes_no", "per_sample": True},
        ]},
    ]


class CarePlanTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditTemplate

    code = factory.Sequence(lambda n: f"care-plan-audit-{n}")
    title = factory.Sequence(lambda n: f"Care plan audit {n}")
    pass_mark = 90
    sample_size = 2
    sample_label = "care plan"
    min_analysis_length = 60
    sections = factory.LazyFunction(care_plan_sections)


ANALYSIS = ("Plans are person-centred in most cases; risk reviews are now monthly. The "
            "handover notes still vary between shifts and need work.")
