"""Care-plan pages under /records/care-plans/: `careplans:review-*` and `careplans:action-*`
(list, create, detail, edit, archive, restore)."""

from sustain.careplans import views
from sustain.incidents.views import record_urls

app_name = "careplans"
urlpatterns = record_urls(views, (("review", "reviews"), ("action", "actions")))
