"""Meeting pages under /meetings/: `meetings:index`, `create`, `detail`, `edit`, `entry-create`,
`entry-archive`, `agenda-create`."""

from django.urls import path

from sustain.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_index, name="index"),
    path("new/", views.meeting_create, name="create"),
    path("<uuid:uuid>/", views.meeting_detail, name="detail"),
    path("<uuid:uuid>/edit/", views.meeting_edit, name="edit"),
    path("<uuid:uuid>/minutes/", views.entry_create, name="entry-create"),
    path("<uuid:uuid>/minutes/<uuid:entry_uuid>/archive/", views.entry_archive,
         name="entry-archive"),
    path("<uuid:uuid>/agenda/", views.agenda_create, name="agenda-create"),
]
