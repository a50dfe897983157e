"""Indicator pages: `indicators:list`, `indicators:detail` (?location=), `indicators:value`
(the records behind a value), `indicators:funnel`, and `indicators:new`, `indicators:edit`,
`indicators:archive` (POST) for definitions, `indicators:upload` (an imported series)."""

from django.urls import path

from sustain.indicators import views, views_manage

app_name = "indicators"
urlpatterns = [
    path("", views.indicator_list, name="list"),
    path("new/", views_manage.indicator_new, name="new"),
    path("values/<uuid:uuid>/", views.value_detail, name="value"),
    path("<uuid:uuid>/", views.indicator_detail, name="detail"),
    path("<uuid:uuid>/funnel/", views.funnel_page, name="funnel"),
    path("<uuid:uuid>/edit/", views_manage.indicator_edit, name="edit"),
    path("<uuid:uuid>/archive/", views_manage.indicator_archive, name="archive"),
    path("<uuid:uuid>/upload/", views_manage.values_upload_page, name="upload"),
]
