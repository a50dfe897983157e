"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's
live server. A small organisation is built for each test (transactional database)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run inside
# one unless told it is safe (the live server runs in its own thread).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB",
                                  timezone_id="Europe/London")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2, locale="en-GB",
                                  timezone_id="Europe/London")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@dataclass
class Site:
    url: str
    org: Any
    home: Any          # the registered manager's location
    neighbour: Any     # same region, not the manager's
    elsewhere: Any     # same organisation, no region
    foreign: Any       # another organisation
    manager: Any
    admin: Any


def _user(org: Any, username: str, first: str, last: str) -> Any:
    from sustain.accounts.models import User

    user = User(organisation=org, username=username, first_name=first, last_name=last)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def site(transactional_db: Any, live_server: Any) -> Site:
    """Two organisations built through the services (so history exists)."""
    from sustain.people import services as people
    from sustain.tenancy import services as tenancy
    from sustain.tenancy.models import Organisation

    org = tenancy.organisation_create(actor="browser-tests", name="Riverside Care Group",
                                      slug="riverside")
    other = tenancy.organisation_create(actor="browser-tests", name="Hilltop Homes",
                                        slug="hilltop")
    north = tenancy.region_create(actor="browser-tests", organisation=org, name="North")

    def loc(o: Organisation, name: str, cqc: str, region: Any = None,
            kind: str = "care_home") -> Any:
        return tenancy.location_create(
            actor="browser-tests", organisation=o, name=name, cqc_location_id=cqc,
            service_type=kind, capacity=30, region=region, town="Leeds", postcode="LS1 4AB",
            local_authority="Leeds", registration_date=dt.date(2019, 4, 1))

    home = loc(org, "Oak House", "1-100000001", north)
    neighbour = loc(org, "Ash Lodge", "1-100000002", north, "care_home_nursing")
    elsewhere = loc(org, "Riverside Home Care", "1-100000003", None, "home_care")
    foreign = loc(other, "Hilltop House", "1-100000004")
    for i, place in enumerate((home, neighbour, elsewhere)):
        for j in range(3):
            people.person_create(actor="browser-tests", organisation=org, location=place,
                                 reference=f"P{i}{j:02d}", initials="AB",
                                 admission_date=dt.date(2024, 1, 1 + j))
        people.staff_create(actor="browser-tests", organisation=org, locations=[place],
                            full_name=f"Staff Member {i}", job_role="Care assistant",
                            start_date=dt.date(2023, 5, 1))
    manager = _user(org, "rm.oak", "Rhian", "Morgan")
    admin = _user(org, "admin", "Ade", "Okafor")
    tenancy.membership_create(actor="browser-tests", organisation=org, user=manager,
                              role="registered_manager", scope="location", location=home)
    tenancy.membership_create(actor="browser-tests", organisation=org, user=admin,
                              role="administrator", scope="organisation")
    tenancy.location_update(actor=admin, location=home, changes={"capacity": 34},
                            expected_version=home.version)
    return Site(url=live_server.url, org=org, home=home, neighbour=neighbour,
                elsewhere=elsewhere, foreign=foreign, manager=manager, admin=admin)


def sign_in(page: Any, site: Site, username: str) -> None:
    page.goto(f"{site.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site.url}/")
