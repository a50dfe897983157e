"""Wire the escalation engine to record writes (`core.events`).

Every model whose rows are records an escalation rule reads (`records.model_labels()`: the
trigger records — discrepancies and their checks, safeguarding concerns, care-plan reviews,
incidents, complaints, audits, governance occurrences, theme actions — and the fulfilment
records — supervisions, competency assessments, training, visits, meetings) is subscribed.
A write re-evaluates only the rules that read that record type, at that record's location
only, over the rules' look-back windows; then a fulfilment record is counted towards the open
tasks it fulfils there. Handlers run in the writer's transaction (a refusal refuses the
write), and are idempotent.
"""

from __future__ import annotations

from django.apps import apps

from sustain.core import events


def _model_exists(label: str) -> bool:
    try:
        apps.get_model(label)
    except (LookupError, ValueError):
        return False
    return True


def on_record_written(event: events.WriteEvent) -> None:
    from sustain.escalations.services import records_written

    records_written(actor=event.actor, label=event.label, objs=event.objs, action=event.action,
                    fields=event.fields if event.action == "update" else None)


def connected_labels() -> list[str]:
    from sustain.escalations.records import model_labels

    return [label for label in model_labels() if _model_exists(label)]


def connect() -> None:
    """Subscribe the handler (idempotent)."""
    for label in connected_labels():
        events.subscribe(label, on_record_written)
