import factory

from sustain.tenancy.models import Location, Membership, Organisation, Region


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Provider {n}")
    slug = factory.Sequence(lambda n: f"provider-{n}")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Region {n}")


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    organisation = factory.SubFactory(OrganisationFactory)
    cqc_location_id = factory.Sequence(lambda n: f"1-{100000000 + n}")
    name = factory.Sequence(lambda n: f"Home {n}")
    service_type = "care_home"
    capacity = 40
    postcode = "LS1 4AB"
    local_authority = "Leeds"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory("sustain.accounts.tests.factories.UserFactory")
    organisation = factory.SelfAttribute("user.organisation")
    role = "registered_manager"
    scope = "location"
    location = factory.SubFactory(LocationFactory,
                                  organisation=factory.SelfAttribute("..organisation"))
    region = None
