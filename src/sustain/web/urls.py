"""The web interface's URL map (names are relied on by other apps and tests)."""

from django.urls import path

from sustain.web.views import auth, history, home, locations, organisation, people, staff

app_name = "web"
urlpatterns = [
    path("accounts/login/", auth.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth.SignOutView.as_view(), name="logout"),
    path("", home.home, name="home"),
    # Locations
    path("locations/", locations.location_list, name="location-list"),
    path("locations/new/", locations.location_create, name="location-create"),
    path("locations/<uuid:uuid>/", locations.location_detail, name="location-detail"),
    path("locations/<uuid:uuid>/edit/", locations.location_edit, name="location-edit"),
    path("locations/<uuid:uuid>/archive/", locations.location_archive, name="location-archive"),
    path("locations/<uuid:uuid>/restore/", locations.location_restore, name="location-restore"),
    # People supported
    path("people/", people.person_list, name="person-list"),
    path("people/new/", people.person_create, name="person-create"),
    path("people/<uuid:uuid>/", people.person_detail, name="person-detail"),
    path("people/<uuid:uuid>/edit/", people.person_edit, name="person-edit"),
    path("people/<uuid:uuid>/archive/", people.person_archive, name="person-archive"),
    path("people/<uuid:uuid>/restore/", people.person_restore, name="person-restore"),
    # Staff
    path("staff/", staff.staff_list, name="staff-list"),
    path("staff/new/", staff.staff_create, name="staff-create"),
    path("staff/<uuid:uuid>/", staff.staff_detail, name="staff-detail"),
    path("staff/<uuid:uuid>/edit/", staff.staff_edit, name="staff-edit"),
    path("staff/<uuid:uuid>/archive/", staff.staff_archive, name="staff-archive"),
    path("staff/<uuid:uuid>/restore/", staff.staff_restore, name="staff-restore"),
    # Organisation administration
    path("organisation/", organisation.org_admin, name="org-admin"),
    path("organisation/settings/", organisation.org_settings, name="org-settings"),
    path("organisation/users/new/", organisation.user_create, name="org-user-create"),
    path("organisation/users/<uuid:uuid>/", organisation.user_detail, name="org-user-detail"),
    path("organisation/users/<uuid:uuid>/deactivate/", organisation.user_deactivate,
         name="org-user-deactivate"),
    path("organisation/users/<uuid:uuid>/reactivate/", organisation.user_reactivate,
         name="org-user-reactivate"),
    path("organisation/roles/<uuid:uuid>/withdraw/", organisation.membership_withdraw,
         name="org-membership-withdraw"),
    path("organisation/regions/new/", organisation.region_create, name="org-region-create"),
    # History of one record
    path("history/<str:label>/<uuid:uuid>/", history.history, name="history"),
]
