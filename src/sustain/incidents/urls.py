"""Record pages under /records/: the index, incidents, complaints and compliments. Names:
`incidents:index`, `incidents:<thing>-list|create|detail|edit`."""

from django.urls import path

from sustain.incidents import views

app_name = "incidents"
urlpatterns = [path("", views.index, name="index")]
for _prefix, _plural in (("incident", "incidents"), ("complaint", "complaints"),
                         ("compliment", "compliments")):
    urlpatterns += [
        path(f"{_plural}/", getattr(views, f"{_prefix}_list"), name=f"{_prefix}-list"),
        path(f"{_plural}/new/", getattr(views, f"{_prefix}_create"), name=f"{_prefix}-create"),
        path(f"{_plural}/<uuid:uuid>/", getattr(views, f"{_prefix}_detail"),
             name=f"{_prefix}-detail"),
        path(f"{_plural}/<uuid:uuid>/edit/", getattr(views, f"{_prefix}_edit"),
             name=f"{_prefix}-edit"),
    ]
