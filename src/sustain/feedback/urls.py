"""Feedback pages under /records/feedback/: `feedback:feedback-*` and `feedback:visit-*`
(list, create, detail, edit, archive, restore)."""

from sustain.feedback import views
from sustain.incidents.views import record_urls

app_name = "feedback"
urlpatterns = record_urls(views, (("feedback", "received"), ("visit", "visits")))
