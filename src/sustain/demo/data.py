"""The fixed facts of the demo organisation: who, where, and the story each service tells.

Everything random (staff names, dates, people's initials, passwords) is drawn by the builder
from `random.Random(seed)`; everything here is constant. Later issues extend the demo with their
own records (inspections, themes, audits…) keyed on the location `key`s below.
"""

from __future__ import annotations

from dataclasses import dataclass

from sustain.engine.access import Role, Scope

DEFAULT_SEED = 20261127
ACTOR = "sustain demo"  # history records the demo build as a system actor

ORGANISATION_NAME = "Northfield Care Group"
ORGANISATION_SLUG = "northfield"
ORGANISATION_CQC_PROVIDER_ID = "1-101736482"

REGIONS = ("North", "South")


@dataclass(frozen=True)
class LocationSpec:
    """One CQC-registered service of the demo group and the size of its workforce and caseload."""

    key: str  # reference prefix for people supported, e.g. "RH" -> RH-014
    name: str
    service_type: str
    region: str
    capacity: int
    cqc_location_id: str
    address_line_1: str
    town: str
    postcode: str
    local_authority: str
    registered_years_ago: int
    staff_current: int
    staff_leavers: int
    people_current: int
    people_discharged: int
    story: str


LOCATIONS: tuple[LocationSpec, ...] = (
    LocationSpec(
        key="RH", name="Rosewood House", service_type="care_home", region="North", capacity=40,
        cqc_location_id="1-108345271", address_line_1="14 Rosewood Lane", town="Harrogate",
        postcode="HG2 7QT", local_authority="North Yorkshire Council", registered_years_ago=11,
        staff_current=30, staff_leavers=4, people_current=32, people_discharged=6,
        story="Rated Requires Improvement with breaches in medicines, care planning and "
              "safeguarding; ran its recovery, verified it, and is now sustaining.",
    ),
    LocationSpec(
        key="MB", name="Meadowbank", service_type="care_home", region="North", capacity=36,
        cqc_location_id="1-109876123", address_line_1="2 Meadowbank Road", town="Skipton",
        postcode="BD23 1QX", local_authority="North Yorkshire Council", registered_years_ago=8,
        staff_current=28, staff_leavers=8, people_current=30, people_discharged=5,
        story="Rated Good, but showing early drift: late audits, generic supervision, rising "
              "falls and more leavers in the last six months.",
    ),
    LocationSpec(
        key="WC", name="Willow Court Nursing Home", service_type="care_home_nursing",
        region="South", capacity=48, cqc_location_id="1-110245876",
        address_line_1="Willow Court, Station Road", town="Matlock", postcode="DE4 3LT",
        local_authority="Derbyshire County Council", registered_years_ago=14,
        staff_current=36, staff_leavers=4, people_current=40, people_discharged=7,
        story="A steady nursing home rated Good; the commissioner's view in the demo.",
    ),
    LocationSpec(
        key="WH", name="Northfield Home Care Wakefield", service_type="home_care",
        region="North", capacity=90, cqc_location_id="1-111398654",
        address_line_1="Unit 4, Calder Business Park", town="Wakefield", postcode="WF1 5RH",
        local_authority="City of Wakefield Metropolitan District Council",
        registered_years_ago=6, staff_current=24, staff_leavers=3, people_current=45,
        people_discharged=8,
        story="A home-care branch: people supported in their own homes across Wakefield.",
    ),
    LocationSpec(
        key="LC", name="Larch Close", service_type="supported_living", region="South",
        capacity=12, cqc_location_id="1-112563901", address_line_1="1 Larch Close",
        town="Chesterfield", postcode="S40 2PX", local_authority="Derbyshire County Council",
        registered_years_ago=4, staff_current=14, staff_leavers=2, people_current=10,
        people_discharged=1,
        story="Supported living for adults with a learning disability, in six flats.",
    ),
)

# Job roles filled first at each kind of service (name, how many); the rest are `FILL_ROLE`.
WORKFORCE: dict[str, tuple[tuple[str, int], ...]] = {
    "care_home": (("Registered manager", 1), ("Deputy manager", 1), ("Senior carer", 4),
                  ("Activities coordinator", 1), ("Cook", 2), ("Housekeeper", 2),
                  ("Maintenance officer", 1)),
    "care_home_nursing": (("Registered manager", 1), ("Clinical lead", 1),
                          ("Registered nurse", 6), ("Senior carer", 4),
                          ("Activities coordinator", 1), ("Cook", 2), ("Housekeeper", 2)),
    "home_care": (("Registered manager", 1), ("Care coordinator", 1),
                  ("Field care supervisor", 2)),
    "supported_living": (("Registered manager", 1), ("Team leader", 1),
                         ("Senior support worker", 2)),
}
FILL_ROLE: dict[str, str] = {
    "care_home": "Care assistant",
    "care_home_nursing": "Care assistant",
    "home_care": "Home care worker",
    "supported_living": "Support worker",
}


@dataclass(frozen=True)
class AccountSpec:
    """A demo sign-in: one per role, each with a clear scope.

    `staff_at` names the location whose staff record this account is linked to (accounts for
    people who work in a service); `job_role` is that record's job title. A registered manager
    or deputy account *is* the location's manager or deputy.
    """

    username: str
    role: Role
    scope: Scope
    target: str | None  # location key (location scope) or region name (region scope)
    first_name: str
    last_name: str
    staff_at: str | None = None
    job_role: str | None = None


ACCOUNTS: tuple[AccountSpec, ...] = (
    AccountSpec("carer.rosewood", Role.CARE_STAFF, Scope.LOCATION, "RH", "Jodie", "Barker",
                staff_at="RH", job_role="Care assistant"),
    AccountSpec("senior.meadowbank", Role.SENIOR_CARER, Scope.LOCATION, "MB", "Tomasz",
                "Nowak", staff_at="MB", job_role="Senior carer"),
    AccountSpec("keyworker.rosewood", Role.KEY_WORKER, Scope.LOCATION, "RH", "Priya", "Nair",
                staff_at="RH", job_role="Senior carer"),
    AccountSpec("deputy.meadowbank", Role.DEPUTY_MANAGER, Scope.LOCATION, "MB", "Gareth",
                "Pryce", staff_at="MB", job_role="Deputy manager"),
    AccountSpec("manager.rosewood", Role.REGISTERED_MANAGER, Scope.LOCATION, "RH", "Claire",
                "Whitfield", staff_at="RH", job_role="Registered manager"),
    AccountSpec("quality.north", Role.QUALITY_LEAD, Scope.REGION, "North", "Helen",
                "Okafor"),
    AccountSpec("ni.northfield", Role.NOMINATED_INDIVIDUAL, Scope.ORGANISATION, None, "David",
                "Ashworth"),
    AccountSpec("board.northfield", Role.BOARD_MEMBER, Scope.ORGANISATION, None, "Margaret",
                "Lindley"),
    AccountSpec("commissioner.willow", Role.COMMISSIONER, Scope.LOCATION, "WC", "Simon",
                "Grant"),
    AccountSpec("admin.northfield", Role.ADMINISTRATOR, Scope.ORGANISATION, None, "Rachel",
                "Holmes"),
)

# The bank carer who covers shifts at both North care homes (a staff member at two locations).
BANK_CARER_LOCATIONS = ("RH", "MB")

FIRST_NAMES = (
    "Aaliyah", "Abigail", "Adam", "Aisha", "Alan", "Alice", "Amanda", "Amir", "Amy", "Andrew",
    "Angela", "Anna", "Barbara", "Bartosz", "Bethany", "Bola", "Carl", "Caroline", "Catherine",
    "Charlotte", "Chloe", "Christine", "Craig", "Daniel", "Danielle", "Dawn", "Deborah",
    "Dionne", "Donna", "Elaine", "Eleanor", "Ellie", "Emma", "Faisal", "Fiona", "Funmi",
    "Gemma", "Georgia", "Grace", "Hannah", "Hayley", "Imran", "Jack", "Jade", "James", "Jane",
    "Jasmine", "Jennifer", "Joanne", "Jordan", "Joseph", "Julie", "Karen", "Kate", "Kayleigh",
    "Kelly", "Kirsty", "Laura", "Lauren", "Leanne", "Lisa", "Lucy", "Lynne", "Marcin",
    "Maria", "Mark", "Michelle", "Mohammed", "Natalie", "Nicola", "Olivia", "Paula", "Rachel",
    "Rebecca", "Rhys", "Rosa", "Ruth", "Ryan", "Samantha", "Sandra", "Sarah", "Shabana",
    "Sharon", "Sophie", "Stacey", "Stephen", "Susan", "Tanya", "Tracey", "Victoria", "Wendy",
    "Yasmin", "Zoe",
)
SURNAMES = (
    "Ahmed", "Allen", "Armstrong", "Atkinson", "Bailey", "Baker", "Bennett", "Booth", "Bradley",
    "Brennan", "Brown", "Butler", "Campbell", "Carter", "Chapman", "Clarke", "Collins", "Cooper",
    "Davies", "Dixon", "Edwards", "Ellis", "Evans", "Fletcher", "Foster", "Gibson", "Green",
    "Hall", "Harris", "Hartley", "Hill", "Hughes", "Hussain", "Jackson", "James", "Johnson",
    "Jones", "Kaur", "Kelly", "Khan", "Kowalski", "Lee", "Lewis", "Marshall", "Martin",
    "Mason", "Mensah", "Mitchell", "Moore", "Morgan", "Murphy", "Noble", "Obi", "O'Brien",
    "Owen", "Palmer", "Parker", "Patel", "Pearson", "Phillips", "Price", "Richardson",
    "Roberts", "Robinson", "Rogers", "Scott", "Shaw", "Singh", "Smith", "Stewart", "Sutcliffe",
    "Taylor", "Thomas", "Thompson", "Turner", "Walker", "Ward", "Watson", "White", "Wilkinson",
    "Williams", "Wilson", "Wood", "Wright", "Young",
)
# Initial letters for people supported, weighted roughly like English names.
INITIAL_LETTERS = "AABBCCDDEEFGGHHIJJKLLMMMNOPPRRSSSTTVW"

# Words for memorable demo passwords (three words and two digits: 20+ characters).
PASSWORD_WORDS = (
    "amber", "anchor", "autumn", "beacon", "bramble", "breeze", "canal", "cedar", "copper",
    "dale", "ember", "fern", "fjord", "garnet", "harbour", "hazel", "heather", "juniper",
    "kestrel", "lantern", "linden", "marble", "meadow", "moorland", "nutmeg", "orchard",
    "pebble", "pennine", "quarry", "quill", "rowan", "saffron", "skylark", "spruce", "tarn",
    "thistle", "timber", "valley", "violet", "willow", "wren", "yarrow",
)
