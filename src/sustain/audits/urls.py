"""Audit pages (names are relied on by other apps: `audits:list`, `audits:start` with
?location=, ?template=, ?theme= and ?reaudit=1, `audits:detail`)."""

from django.urls import path

from sustain.audits import views, views_sheet

app_name = "audits"
urlpatterns = [
    path("", views.audit_list_page, name="list"),
    path("new/", views.audit_start_page, name="start"),
    path("<uuid:uuid>/", views_sheet.audit_detail, name="detail"),
    path("<uuid:uuid>/raise-action/", views_sheet.raise_action, name="raise-action"),
    path("<uuid:uuid>/attachments/", views_sheet.attachment_add, name="attachment-add"),
    path("<uuid:uuid>/attachments/<uuid:attachment>/", views.attachment_file,
         name="attachment-file"),
    path("<uuid:uuid>/archive/", views.audit_archive, name="archive"),
    path("<uuid:uuid>/restore/", views.audit_restore, name="restore"),
]
