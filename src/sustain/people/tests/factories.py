import datetime as dt

import factory

from sustain.people.models import PersonSupported, StaffMember
from sustain.tenancy.tests.factories import LocationFactory


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonSupported

    location = factory.SubFactory(LocationFactory)
    organisation = factory.SelfAttribute("location.organisation")
    reference = factory.Sequence(lambda n: f"P-{n:05d}")
    initials = "AB"
    admission_date = dt.date(2024, 1, 1)


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember
        skip_postgeneration_save = True

    organisation = factory.SubFactory("sustain.tenancy.tests.factories.OrganisationFactory")
    full_name = factory.Faker("name", locale="en_GB")
    job_role = "Care assistant"
    start_date = dt.date(2023, 6, 1)

    @factory.post_generation
    def locations(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.locations.set(extracted)
