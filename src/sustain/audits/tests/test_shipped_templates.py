"""Every audit template shipped in the playbook library can be run end to end: started with
its sample, answered in full, analysed and completed at 100 %; and a blank sheet is refused
naming every required question."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from sustain.audits import services
from sustain.audits.models import AuditTemplate
from sustain.audits.questions import template_questions
from sustain.core.errors import InvalidInput
from sustain.playbooks.services import playbooks_load

pytestmark = pytest.mark.django_db


def _best(q: Any) -> Any:
    if q.answer_type == "yes_no":
        return "yes"
    if q.answer_type == "scale":
        return q.scale_max
    if q.answer_type == "number":
        if q.question.at_least is not None:
            return q.question.at_least
        return q.question.at_most if q.question.at_most is not None else 0
    return "Seen on the floor."


def test_every_shipped_template_runs_end_to_end(make_user, org, location):
    playbooks_load()
    templates = list(AuditTemplate.objects.filter(organisation__isnull=True))
    assert len(templates) >= 6  # at least one per shipped playbook
    manager = make_user(org, "registered_manager", location=location)
    for template in templates:
        questions = template_questions(template)
        count = max(template.sample_size, 1 if any(q.per_sample for q in questions) else 0)
        samples = [f"{template.code[:20]}-{i}" for i in range(count)]
        audit = services.audit_start(actor=manager, organisation=org, location=location,
                                     template=template, audit_date=timezone.localdate(),
                                     samples=samples)
        required = {q.code for q in questions if q.required}
        with pytest.raises(InvalidInput) as err:
            services.audit_complete(actor=manager, audit=audit, expected_version=1)
        named = {k.split(".", 1)[1].split("@")[0] for k in err.value.errors if "." in k}
        assert required <= named, template.code
        audit = services.audit_save(
            actor=manager, audit=audit, expected_version=1,
            answers={q.code: _best(q) for q in questions if not q.per_sample},
            sample_answers={q.code: {s: _best(q) for s in samples}
                            for q in questions if q.per_sample},
            analysis="All checks held on this sample. " * (template.min_analysis_length // 30
                                                           + 1))
        audit = services.audit_complete(actor=manager, audit=audit,
                                        expected_version=audit.version)
        assert audit.passed is True and float(audit.score) == 100.0, template.code
