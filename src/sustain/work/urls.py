"""My work pages: `work:my-work`, `work:settings`, `work:token-create`, `work:token-revoke`.
The feed itself is `calendar-feed` (/calendar/<token>.ics) in sustain.config.urls."""

from django.urls import path

from sustain.work import views

app_name = "work"
urlpatterns = [
    path("", views.my_work, name="my-work"),
    path("settings/", views.notification_settings, name="settings"),
    path("settings/calendar-links/", views.token_create, name="token-create"),
    path("settings/calendar-links/<uuid:uuid>/revoke/", views.token_revoke,
         name="token-revoke"),
]
