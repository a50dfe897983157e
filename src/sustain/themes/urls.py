"""Theme pages (names relied on by other apps: `themes:list` with ?location=, ?stage=,
?overdue=on; `themes:detail`; `themes:create` with ?location=)."""

from django.urls import path

from sustain.themes import views, views_actions, views_embedding

app_name = "themes"
urlpatterns = [
    path("", views.theme_list, name="list"),
    path("new/", views.theme_create, name="create"),
    path("<uuid:uuid>/", views.theme_detail, name="detail"),
    path("<uuid:uuid>/edit/", views.theme_edit, name="edit"),
    path("<uuid:uuid>/embedding/", views_embedding.theme_embedding_page, name="embedding"),
    path("<uuid:uuid>/move/", views.theme_move, name="move"),
    path("<uuid:uuid>/archive/", views.theme_archive, name="archive"),
    path("<uuid:uuid>/restore/", views.theme_restore, name="restore"),
    path("<uuid:uuid>/actions/new/", views_actions.action_create, name="action-create"),
    path("actions/<uuid:uuid>/edit/", views_actions.action_edit, name="action-edit"),
    path("actions/<uuid:uuid>/<slug:step>/", views_actions.action_step, name="action-step"),
]
