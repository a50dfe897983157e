from django.contrib import admin
from django.urls import include, path, re_path

from sustain.core.api_errors import api_not_found
from sustain.work import views as work_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("sustain.config.api_urls")),
    re_path(r"^api/", api_not_found),  # unknown API paths: 404 in the JSON error envelope
    path("framework/", include("sustain.reference.urls")),
    path("playbooks/", include("sustain.playbooks.urls")),
    path("themes/", include("sustain.themes.urls")),
    path("audits/", include("sustain.audits.urls")),
    path("imports/", include("sustain.imports.urls")),
    path("workforce/", include("sustain.workforce.urls")),
    path("meetings/", include("sustain.meetings.urls")),
    path("governance/", include("sustain.governance.urls")),
    path("escalations/", include("sustain.escalations.urls")),
    path("lessons/", include("sustain.lessons.urls")),
    path("signals/", include("sustain.signals.urls")),
    path("drift/", include("sustain.drift.urls")),
    path("dashboard/", include("sustain.dashboards.urls")),
    path("indicators/", include("sustain.indicators.urls")),
    path("my-work/", include("sustain.work.urls")),
    path("calendar/<str:token>.ics", work_views.calendar_feed, name="calendar-feed"),
    path("medicines/", include("sustain.medicines.urls")),
    path("safeguarding/", include("sustain.safeguarding.urls")),
    path("records/care-plans/", include("sustain.careplans.urls")),
    path("records/feedback/", include("sustain.feedback.urls")),
    path("records/", include("sustain.incidents.urls")),
    path("", include("sustain.inspections.urls")),
    path("", include("sustain.web.urls")),
]
