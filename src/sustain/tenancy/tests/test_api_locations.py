import pytest

pytestmark = pytest.mark.django_db


def test_registered_manager_lists_only_their_location(make_user, token_client, location,
                                                      sibling_location, foreign_location, org):
    user = make_user(org, "registered_manager", location=location)
    resp = token_client(user).get("/api/v1/locations/")
    assert resp.status_code == 200
    names = [row["name"] for row in resp.json()["results"]]
    assert names == ["Oak House"]


def test_create_location_rejects_bad_cqc_id_and_changes_nothing(make_user, token_client, org):
    admin = make_user(org, "administrator", scope="organisation")
    from sustain.tenancy.models import Location

    before = Location.objects.count()
    resp = token_client(admin).post("/api/v1/locations/", {
        "cqc_location_id": "12345", "name": "New", "service_type": "care_home", "capacity": 10,
    }, format="json")
    assert resp.status_code == 400
    assert "cqc_location_id" in resp.json()["errors"]
    assert Location.objects.count() == before


def test_duplicate_location_is_refused_naming_the_field(make_user, token_client, org, location):
    admin = make_user(org, "administrator", scope="organisation")
    resp = token_client(admin).post("/api/v1/locations/", {
        "cqc_location_id": location.cqc_location_id, "name": "Dup", "service_type": "care_home",
        "capacity": 10,
    }, format="json")
    assert resp.status_code == 400, resp.json()
    assert "cqc_location_id" in resp.json()["errors"]


def test_concurrent_edit_gets_409(make_user, token_client, org, location):
    admin = make_user(org, "administrator", scope="organisation")
    client = token_client(admin)
    url = f"/api/v1/locations/{location.uuid}/"
    first = client.patch(url, {"name": "Oak House North", "version": 1}, format="json")
    assert first.status_code == 200, first.json()
    second = client.patch(url, {"name": "Oak Lodge", "version": 1}, format="json")
    assert second.status_code == 409
    assert "version" in second.json()["errors"]
    location.refresh_from_db()
    assert location.name == "Oak House North"
