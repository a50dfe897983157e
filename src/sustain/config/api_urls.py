"""The REST API: one router under /api/v1/, the schema and its interactive docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from sustain.accounts import api as accounts_api
from sustain.audits import api as audits_api
from sustain.careplans import api as careplans_api
from sustain.core import api_history
from sustain.escalations import api as escalations_api
from sustain.feedback import api as feedback_api
from sustain.governance import api as governance_api
from sustain.imports import api as imports_api
from sustain.incidents import api as incidents_api
from sustain.indicators import api as indicators_api
from sustain.inspections import api as inspections_api
from sustain.lessons import api as lessons_api
from sustain.medicines import api as medicines_api
from sustain.meetings import api as meetings_api
from sustain.people import api as people_api
from sustain.playbooks import api as playbooks_api
from sustain.reference import api as reference_api
from sustain.safeguarding import api as safeguarding_api
from sustain.signals import api as signals_api
from sustain.tenancy import api as tenancy_api
from sustain.themes import api as themes_api
from sustain.work import api as work_api
from sustain.workforce import api as workforce_api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("locations", tenancy_api.LocationViewSet, basename="location")
router.register("memberships", tenancy_api.MembershipViewSet, basename="membership")
router.register("people", people_api.PersonViewSet, basename="person")
router.register("staff", people_api.StaffViewSet, basename="staff")
router.register("users", accounts_api.UserViewSet, basename="user")
router.register("history", api_history.HistoryViewSet, basename="history")
router.register("key-questions", reference_api.KeyQuestionViewSet, basename="key-question")
router.register("quality-statements", reference_api.QualityStatementViewSet,
                basename="quality-statement")
router.register("regulations", reference_api.RegulationViewSet, basename="regulation")
router.register("evidence-categories", reference_api.EvidenceCategoryViewSet,
                basename="evidence-category")
router.register("rating-levels", reference_api.RatingLevelViewSet, basename="rating-level")
router.register("enforcement-types", reference_api.EnforcementTypeViewSet,
                basename="enforcement-type")
router.register("inspections", inspections_api.InspectionViewSet, basename="inspection")
router.register("audit-templates", audits_api.AuditTemplateViewSet, basename="audit-template")
router.register("audits", audits_api.AuditViewSet, basename="audit")
router.register("themes", themes_api.ThemeViewSet, basename="theme")
router.register("actions", themes_api.ActionViewSet, basename="action")
router.register("playbooks", playbooks_api.PlaybookViewSet, basename="playbook")
router.register("imports", imports_api.ImportJobViewSet, basename="import-job")
router.register("incidents", incidents_api.IncidentViewSet, basename="incident")
router.register("complaints", incidents_api.ComplaintViewSet, basename="complaint")
router.register("compliments", incidents_api.ComplimentViewSet, basename="compliment")
router.register("care-plan-reviews", careplans_api.CarePlanReviewViewSet,
                basename="care-plan-review")
router.register("care-plan-actions", careplans_api.CarePlanActionViewSet,
                basename="care-plan-action")
router.register("feedback", feedback_api.FeedbackViewSet, basename="feedback")
router.register("visits", feedback_api.VisitViewSet, basename="visit")
router.register("medicines-checks", medicines_api.MedicinesCheckViewSet,
                basename="medicines-check")
router.register("medicines-reviews", medicines_api.WeeklyReviewViewSet,
                basename="medicines-review")
router.register("safeguarding-concerns", safeguarding_api.SafeguardingConcernViewSet,
                basename="safeguarding-concern")
router.register("supervisions", workforce_api.SupervisionViewSet, basename="supervision")
router.register("competency-assessments", workforce_api.CompetencyAssessmentViewSet,
                basename="competency-assessment")
router.register("training-records", workforce_api.TrainingRecordViewSet,
                basename="training-record")
router.register("briefings", workforce_api.BriefingViewSet, basename="briefing")
router.register("attestations", workforce_api.AttestationViewSet, basename="attestation")
router.register("cadences", governance_api.CadenceViewSet, basename="cadence")
router.register("occurrences", governance_api.OccurrenceViewSet, basename="occurrence")
router.register("lessons", lessons_api.LessonViewSet, basename="lesson")
router.register("lesson-adoptions", lessons_api.LessonAdoptionViewSet,
                basename="lesson-adoption")
router.register("handover-notes", lessons_api.HandoverNoteViewSet, basename="handover-note")

router.register("escalation-rules", escalations_api.EscalationRuleViewSet,
                basename="escalation-rule")
router.register("escalations", escalations_api.FiringViewSet, basename="escalation")
router.register("tasks", escalations_api.EscalationTaskViewSet, basename="escalation-task")

router.register("meetings", meetings_api.MeetingViewSet, basename="meeting")
router.register("agenda-items", meetings_api.AgendaItemViewSet, basename="agenda-item")
router.register("minute-entries", meetings_api.MinuteEntryViewSet, basename="minute-entry")
router.register("governance-cycles", meetings_api.GovernanceCycleViewSet,
                basename="governance-cycle")
router.register("indicators", indicators_api.IndicatorViewSet, basename="indicator")
router.register("indicator-values", indicators_api.IndicatorValueViewSet,
                basename="indicator-value")
router.register("signals", signals_api.SignalViewSet, basename="signal")

urlpatterns = [
    # Early warning (issue 7): these apps mount their own routes (e.g. locations/{id}/drift/)
    # before the router, so the router's locations/{id}/ does not take them.
    path("v1/", include("sustain.signals.api_urls")),
    path("v1/", include("sustain.drift.api_urls")),
    path("v1/", include("sustain.dashboards.api_urls")),
    path("v1/", include(router.urls)),
    path("v1/auth/token", accounts_api.AuthTokenView.as_view(), name="api-auth-token"),
    path("v1/me/", accounts_api.MeView.as_view(), name="api-me"),
    path("v1/organisation/", tenancy_api.OrganisationView.as_view(), name="api-organisation"),
    path("v1/my-work/", work_api.MyWorkView.as_view(), name="api-my-work"),
    path("v1/funnels/<slug:code>/", indicators_api.FunnelApi.as_view(), name="api-funnel"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]
