"""Feedback pages under /records/feedback/: `feedback:feedback-*` and `feedback:visit-*`
(list, create, detail, edit)."""

from django.urls import path

from sustain.feedback import views

app_name = "feedback"
urlpatterns = []
for _prefix, _plural in (("feedback", "received"), ("visit", "visits")):
    urlpatterns += [
        path(f"{_plural}/", getattr(views, f"{_prefix}_list"), name=f"{_prefix}-list"),
        path(f"{_plural}/new/", getattr(views, f"{_prefix}_create"), name=f"{_prefix}-create"),
        path(f"{_plural}/<uuid:uuid>/", getattr(views, f"{_prefix}_detail"),
             name=f"{_prefix}-detail"),
        path(f"{_plural}/<uuid:uuid>/edit/", getattr(views, f"{_prefix}_edit"),
             name=f"{_prefix}-edit"),
    ]
