"""Build the demo organisation through the services, so every record has its history.

Deterministic: the same `seed` and `as_of` date give the same organisation, locations, staff,
people and accounts (names, dates, references and passwords); only generated ids and
timestamps of the writes differ. All dates are relative to `as_of`.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction

from sustain.accounts.models import User
from sustain.accounts.services import user_create
from sustain.core.context import clear_request_id, set_request_id
from sustain.demo import data
from sustain.demo.early_warning import build_early_warning
from sustain.demo.escalations import build_escalations
from sustain.demo.governance import build_governance
from sustain.demo.operational import build_operational
from sustain.demo.recovery import build_recovery
from sustain.engine.access import ROLE_LABELS, Scope
from sustain.people.models import StaffMember
from sustain.people.services import person_create, staff_create
from sustain.tenancy.models import Location, Membership, Organisation, Region
from sustain.tenancy.services import (
    location_create,
    location_update,
    membership_create,
    organisation_create,
    region_create,
)


@dataclass(frozen=True)
class DemoAccount:
    """A demo sign-in as printed and written to the accounts JSON file."""

    username: str
    password: str
    role: str
    role_label: str
    scope: str  # organisation | region | location
    scope_name: str  # "Whole organisation", "North region", "Rosewood House"
    locations: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class DemoResult:
    organisation: Organisation
    accounts: list[DemoAccount]
    created: bool


def demo_organisation() -> Organisation | None:
    """The demo organisation if it has been built in this database."""
    return Organisation.objects.filter(slug=data.ORGANISATION_SLUG).first()


def demo_passwords(seed: int) -> dict[str, str]:
    """Deterministic passwords: three words and two digits per account (20+ characters)."""
    rng = random.Random(f"{seed}:passwords")
    passwords = {}
    for spec in data.ACCOUNTS:
        words = rng.sample(data.PASSWORD_WORDS, 3)
        passwords[spec.username] = "-".join([*words, f"{rng.randint(10, 99)}"])
    return passwords


def _years_ago(as_of: dt.date, years: float) -> dt.date:
    return as_of - dt.timedelta(days=round(years * 365.25))


class _Builder:
    """Draws every random choice from one generator, in a fixed order."""

    def __init__(self, seed: int, as_of: dt.date) -> None:
        self.rng = random.Random(seed)
        self.as_of = as_of
        self.used_names: set[str] = {f"{a.first_name} {a.last_name}" for a in data.ACCOUNTS}
        self.staff_seq = 0
        self.locations: dict[str, Location] = {}
        self.regions: dict[str, Region] = {}
        self.staff_by_role: dict[tuple[str, str], list[StaffMember]] = {}

    # -- structure ---------------------------------------------------------------------------
    def organisation(self) -> Organisation:
        return organisation_create(actor=data.ACTOR, name=data.ORGANISATION_NAME,
                                   slug=data.ORGANISATION_SLUG,
                                   cqc_provider_id=data.ORGANISATION_CQC_PROVIDER_ID)

    def build_locations(self, org: Organisation) -> None:
        for name in data.REGIONS:
            self.regions[name] = region_create(actor=data.ACTOR, organisation=org, name=name)
        for spec in data.LOCATIONS:
            self.locations[spec.key] = location_create(
                actor=data.ACTOR, organisation=org, cqc_location_id=spec.cqc_location_id,
                name=spec.name, service_type=spec.service_type, capacity=spec.capacity,
                region=self.regions[spec.region], address_line_1=spec.address_line_1,
                town=spec.town, postcode=spec.postcode, local_authority=spec.local_authority,
                registration_date=_years_ago(self.as_of, spec.registered_years_ago))

    # -- staff -------------------------------------------------------------------------------
    def _name(self) -> str:
        while True:
            name = f"{self.rng.choice(data.FIRST_NAMES)} {self.rng.choice(data.SURNAMES)}"
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def _staff(self, org: Organisation, keys: Iterable[str], full_name: str, job_role: str,
               start: dt.date, leaving: dt.date | None = None,
               user: User | None = None) -> StaffMember:
        self.staff_seq += 1
        member = staff_create(
            actor=data.ACTOR, organisation=org, locations=[self.locations[k] for k in keys],
            full_name=full_name, job_role=job_role, staff_reference=f"NCG-{self.staff_seq:04d}",
            start_date=start, leaving_date=leaving, user=user)
        for key in keys:
            self.staff_by_role.setdefault((key, job_role), []).append(member)
        return member

    def _start_date(self, spec: data.LocationSpec) -> dt.date:
        """Most staff joined in the last few years; none before the service registered."""
        years = min(self.rng.triangular(0.1, spec.registered_years_ago, 1.5),
                    spec.registered_years_ago)
        return _years_ago(self.as_of, years)

    def _leaving_date(self, spec: data.LocationSpec, start: dt.date) -> dt.date:
        # Meadowbank's leavers cluster in the last six months (turnover rising: early drift).
        window = 0.5 if spec.key == "MB" else 2.0
        earliest = max(start + dt.timedelta(days=60), _years_ago(self.as_of, window))
        span = max((self.as_of - earliest).days - 1, 1)
        return earliest + dt.timedelta(days=self.rng.randint(0, span))

    def build_staff(self, org: Organisation, users: dict[str, User]) -> None:
        accounts_at: dict[str, list[data.AccountSpec]] = {}
        for account in data.ACCOUNTS:
            if account.staff_at:
                accounts_at.setdefault(account.staff_at, []).append(account)
        for spec in data.LOCATIONS:
            roles: list[str] = []
            for job_role, count in data.WORKFORCE[spec.service_type]:
                roles += [job_role] * count
            roles += [data.FILL_ROLE[spec.service_type]] * (spec.staff_current - len(roles))
            for account in accounts_at.get(spec.key, []):
                assert account.job_role is not None
                roles.remove(account.job_role)  # the account's staff record fills that post
                start = self._start_date(spec)
                if account.job_role == "Registered manager" and spec.key == "RH":
                    # Appointed after the inspection that rated the home Requires Improvement.
                    start = _years_ago(self.as_of, 1.75)
                self._staff(org, [spec.key], f"{account.first_name} {account.last_name}",
                            account.job_role, start, user=users[account.username])
            for job_role in roles:
                self._staff(org, [spec.key], self._name(), job_role, self._start_date(spec))
            for _ in range(spec.staff_leavers):
                start = _years_ago(self.as_of, self.rng.uniform(1.0, 6.0))
                self._staff(org, [spec.key], self._name(), data.FILL_ROLE[spec.service_type],
                            start, self._leaving_date(spec, start))
        self._staff(org, data.BANK_CARER_LOCATIONS, self._name(), "Bank care assistant",
                    _years_ago(self.as_of, 3.2))
        for key, location in self.locations.items():
            manager = self.staff_by_role[(key, "Registered manager")][0]
            location_update(actor=data.ACTOR, location=location,
                            changes={"registered_manager": manager}, expected_version=None)

    # -- people supported --------------------------------------------------------------------
    def _initials(self) -> str:
        count = 3 if self.rng.random() < 0.15 else 2
        return "".join(self.rng.choice(data.INITIAL_LETTERS) for _ in range(count))

    def build_people(self, org: Organisation) -> None:
        for spec in data.LOCATIONS:
            location = self.locations[spec.key]
            number = 0
            for index in range(spec.people_current + spec.people_discharged):
                number += self.rng.randint(1, 3)  # gaps: references of people who left earlier
                discharged = index >= spec.people_current
                admitted = _years_ago(self.as_of, self.rng.uniform(0.05, 5.0))
                discharge = None
                if discharged:
                    days = max((self.as_of - admitted).days - 1, 1)
                    discharge = admitted + dt.timedelta(days=self.rng.randint(1, days))
                person_create(actor=data.ACTOR, organisation=org, location=location,
                              reference=f"{spec.key}-{number:03d}", initials=self._initials(),
                              admission_date=admitted, discharge_date=discharge)

    # -- accounts ----------------------------------------------------------------------------
    def build_users(self, org: Organisation, passwords: dict[str, str]) -> dict[str, User]:
        users = {}
        for spec in data.ACCOUNTS:
            users[spec.username] = user_create(
                actor=data.ACTOR, organisation=org, username=spec.username,
                password=passwords[spec.username], first_name=spec.first_name,
                last_name=spec.last_name,
                email=f"{spec.username}@northfield.example")
        return users

    def build_memberships(self, org: Organisation, users: dict[str, User]) -> None:
        for spec in data.ACCOUNTS:
            membership_create(
                actor=data.ACTOR, organisation=org, user=users[spec.username],
                role=spec.role.value, scope=spec.scope.value,
                region=self.regions[spec.target] if spec.scope == Scope.REGION and spec.target
                else None,
                location=self.locations[spec.target]
                if spec.scope == Scope.LOCATION and spec.target else None)


def build_demo(*, seed: int = data.DEFAULT_SEED, as_of: dt.date,
               operational: bool = True) -> DemoResult:
    """Create the demo organisation in one transaction. Refuses if it already exists.

    `operational=False` leaves out the two years of day-to-day records (`operational.py`), the
    year of governance history built on them (`governance.py`) and the early warning read from
    both (`early_warning.py`): for tests of the organisation's structure, which do not need
    them."""
    if demo_organisation() is not None:
        msg = "The demo organisation already exists; use --reset to rebuild it."
        raise RuntimeError(msg)
    passwords = demo_passwords(seed)
    builder = _Builder(seed, as_of)
    # One request id groups the whole build in history.
    set_request_id(f"demo-build-{uuid.uuid4().hex[:12]}")
    try:
        with transaction.atomic():
            org = builder.organisation()
            builder.build_locations(org)
            users = builder.build_users(org, passwords)
            builder.build_staff(org, users)
            builder.build_people(org)
            builder.build_memberships(org, users)
            build_recovery(organisation=org, locations=builder.locations, rng=builder.rng,
                           as_of=as_of)
            if operational:
                build_operational(organisation=org, locations=builder.locations, seed=seed,
                                  as_of=as_of)
                build_governance(organisation=org, locations=builder.locations, seed=seed,
                                 as_of=as_of)
                build_escalations(organisation=org, locations=builder.locations, seed=seed,
                                  as_of=as_of)
                build_early_warning(organisation=org, locations=builder.locations, as_of=as_of)
    finally:
        clear_request_id()
    return DemoResult(organisation=org, accounts=demo_accounts(org, passwords), created=True)


def demo_accounts(organisation: Organisation, passwords: dict[str, str]) -> list[DemoAccount]:
    """The demo accounts with the locations each one's membership covers (read from the data,
    not from the permission code, so tests can compare the two)."""
    all_locations = list(Location.objects.filter(organisation=organisation,
                                                 archived_at__isnull=True)
                         .order_by("name").values_list("name", "region__name"))
    memberships = {m.user.username: m for m in Membership.objects.filter(
        organisation=organisation, archived_at__isnull=True,
        user__username__in=[a.username for a in data.ACCOUNTS],
    ).select_related("user", "region", "location")}
    accounts = []
    for spec in data.ACCOUNTS:
        membership = memberships.get(spec.username)
        if membership is None:
            continue
        if membership.scope == Scope.ORGANISATION:
            names = [name for name, _ in all_locations]
            scope_name = "Whole organisation"
        elif membership.scope == Scope.REGION:
            region_name = membership.region.name if membership.region else ""
            names = [name for name, region in all_locations if region == region_name]
            scope_name = f"{region_name} region"
        else:
            names = [membership.location.name] if membership.location else []
            scope_name = names[0] if names else ""
        accounts.append(DemoAccount(
            username=spec.username, password=passwords[spec.username],
            role=spec.role.value, role_label=ROLE_LABELS[spec.role],
            scope=membership.scope, scope_name=scope_name, locations=names))
    return accounts
