from django.db import models
from django.utils.translation import gettext_lazy as _

from sustain.engine.access import ROLE_LABELS, Role, Scope


class ServiceType(models.TextChoices):
    CARE_HOME_NURSING = "care_home_nursing", _("Care home with nursing")
    CARE_HOME = "care_home", _("Care home without nursing")
    HOME_CARE = "home_care", _("Home care")
    SUPPORTED_LIVING = "supported_living", _("Supported living")


RoleChoices = models.TextChoices(  # type: ignore[misc]
    "RoleChoices", [(r.name, (r.value, ROLE_LABELS[r])) for r in Role])


class ScopeChoices(models.TextChoices):
    ORGANISATION = Scope.ORGANISATION.value, _("Whole organisation")
    REGION = Scope.REGION.value, _("Region")
    LOCATION = Scope.LOCATION.value, _("Location")


class GovernanceCycle(models.TextChoices):
    MONTHLY = "monthly", _("Calendar month")
    QUARTERLY = "quarterly", _("Calendar quarter")
