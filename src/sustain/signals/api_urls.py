"""API routes of the signals app that are not router resources (none yet).

`signals/` and `signals/{id}/interpret/` are registered on the main router
(`sustain.config.api_urls`), so the access matrix and the API meta tests cover them."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
