from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "sustain.inspections"
    label = "inspections"
    verbose_name = "CQC inspections"

    def ready(self) -> None:
        # Let the history page open an inspection and its rows (scoped like the API).
        from sustain.inspections.models import (
            EnforcementAction,
            Finding,
            Inspection,
            KeyQuestionRating,
            RegulationBreach,
        )
        from sustain.inspections.permissions import filter_inspections_visible
        from sustain.web.views.history import HISTORY_MODELS

        for model in (Inspection, KeyQuestionRating, RegulationBreach, EnforcementAction,
                      Finding):
            HISTORY_MODELS.setdefault(model._meta.label_lower,
                                      (model, filter_inspections_visible))
