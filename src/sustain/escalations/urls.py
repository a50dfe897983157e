"""Escalation pages: `escalations:board` (the provider's board), `escalations:location-board`
(one location's), `escalations:firing`, `escalations:task-complete`,
`escalations:task-cancel` (POST), `escalations:board-report` (the board report feed),
`escalations:rules` (the rule library), `escalations:rule-new`, `escalations:rule-edit`,
`escalations:rule-archive` (POST)."""

from django.urls import path

from sustain.escalations import views

app_name = "escalations"
urlpatterns = [
    path("", views.board, name="board"),
    path("location/<uuid:uuid>/", views.board, name="location-board"),
    path("board/", views.board_report, name="board-report"),
    path("firings/<uuid:uuid>/", views.firing_detail, name="firing"),
    path("tasks/<uuid:uuid>/complete/", views.task_complete, name="task-complete"),
    path("tasks/<uuid:uuid>/cancel/", views.task_cancel, name="task-cancel"),
    path("rules/", views.rule_library, name="rules"),
    path("rules/new/", views.rule_new, name="rule-new"),
    path("rules/<uuid:uuid>/edit/", views.rule_edit, name="rule-edit"),
    path("rules/<uuid:uuid>/archive/", views.rule_archive, name="rule-archive"),
]
