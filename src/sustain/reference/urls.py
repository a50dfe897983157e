"""The framework browser: key questions, quality statements, regulations, ratings."""

from django.urls import path

from sustain.reference import views

app_name = "reference"
urlpatterns = [
    path("", views.index, name="index"),
    path("key-questions/<str:code>/", views.key_question, name="key-question"),
    path("statements/<str:code>/", views.statement, name="statement"),
    path("regulations/", views.regulations, name="regulations"),
    path("regulations/<str:code>/", views.regulation, name="regulation"),
    path("ratings-and-enforcement/", views.ratings_enforcement, name="ratings-enforcement"),
]
