"""The playbook library's pages."""

from django.urls import path

from sustain.playbooks import views

app_name = "playbooks"
urlpatterns = [
    path("", views.playbook_list, name="list"),
    path("upload/", views.playbook_upload, name="upload"),
    path("<uuid:uuid>/", views.playbook_detail, name="detail"),
    path("<uuid:uuid>/apply/", views.playbook_apply, name="apply"),
    path("<uuid:uuid>/archive/", views.playbook_archive, name="archive"),
    path("<uuid:uuid>/restore/", views.playbook_restore, name="restore"),
]
