"""Record pages under /records/: the index, incidents, complaints and compliments. Names:
`incidents:index`, `incidents:<thing>-list|create|detail|edit|archive|restore`."""

from django.urls import path

from sustain.incidents import views

app_name = "incidents"
urlpatterns = [path("", views.index, name="index")]
urlpatterns += views.record_urls(views, (("incident", "incidents"), ("complaint", "complaints"),
                                         ("compliment", "compliments")))
