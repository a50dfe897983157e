"""Safeguarding pages (`safeguarding:list`, `safeguarding:new` with ?location=,
`safeguarding:detail`)."""

from django.urls import path

from sustain.safeguarding import views

app_name = "safeguarding"
urlpatterns = [
    path("", views.concern_list_page, name="list"),
    path("new/", views.concern_new, name="new"),
    path("<uuid:uuid>/", views.concern_detail, name="detail"),
]
