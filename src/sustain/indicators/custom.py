"""Writes for indicator definitions made by people: custom indicators (created, edited and
archived by a user with `indicator.manage` over the whole organisation) and the few settings
of a library copy that may change (target, minimum points, frequency — never how it is
computed). Re-exported by `services`.

Every change goes through `core.services` (validated, versioned, one history entry with
before and after). Bad input is refused with a message on each field and changes nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from sustain.core.bulk import RowUpdate, tracked_update_many
from sustain.core.errors import Conflict, InvalidInput, PermissionDenied
from sustain.core.services import tracked_archive, tracked_create, tracked_update
from sustain.engine.access import Perm
from sustain.indicators.compute import COMPUTATIONS
from sustain.indicators.library import load_library
from sustain.indicators.models import Direction, Frequency, Indicator, IndicatorValue, Kind, Source
from sustain.tenancy.models import Organisation
from sustain.tenancy.permissions import actor_organisation_id, has_perm_at

CODE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
FIELDS = ("code", "name", "unit", "description", "source", "numerator", "denominator",
          "multiplier", "direction", "target", "frequency", "minimum_points", "kind")
# What a library copy may change: not how it is computed.
LIBRARY_EDITABLE = frozenset({"target", "minimum_points", "frequency"})
MIN_POINTS, MAX_POINTS = 2, 120


def can_manage(actor: Any) -> bool:
    """Create, edit and archive indicator definitions (organisation-wide permission)."""
    return has_perm_at(actor, Perm.INDICATOR_MANAGE, None)


def computation_choices() -> list[tuple[str, str]]:
    """The named computations a computed indicator's numerator and denominator come from,
    with what each counts, for forms and the API's documentation."""
    return [(c.name, f"{c.name}: {c.label}") for c in COMPUTATIONS.values()]


def _check_actor(actor: Any, organisation_id: int) -> None:
    if not can_manage(actor) or actor_organisation_id(actor) != organisation_id:
        raise PermissionDenied("Your role does not allow managing indicators.")


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _check_text(data: Mapping[str, Any], errors: dict[str, list[str]]) -> None:
    code = str(data.get("code") or "")
    if not code:
        _add(errors, "code", "Give the indicator a code.")
    elif len(code) > 80 or not CODE.match(code):
        _add(errors, "code", "Use up to 80 lower-case letters, digits, hyphens or underscores, "
                             "starting with a letter or digit (e.g. night-falls-rate).")
    for name, label in (("name", "a name"), ("unit", "a unit (e.g. %, per 1,000 bed days)")):
        if not str(data.get(name) or "").strip():
            _add(errors, name, f"Give the indicator {label}.")


def _check_numbers(data: Mapping[str, Any], errors: dict[str, list[str]]) -> None:
    multiplier = data.get("multiplier")
    if not isinstance(multiplier, int | float) or not math.isfinite(multiplier) \
            or multiplier <= 0:
        _add(errors, "multiplier", "The multiplier must be a number above 0 (100 for a "
                                   "percentage, 1,000 for a rate per 1,000).")
    target = data.get("target")
    if target is not None and (not isinstance(target, int | float)
                               or not math.isfinite(target)):
        _add(errors, "target", "The target must be a number, or left empty.")
    points = data.get("minimum_points")
    if not isinstance(points, int) or isinstance(points, bool):
        _add(errors, "minimum_points", "Give a whole number of points.")
    elif points < MIN_POINTS:
        _add(errors, "minimum_points",
             f"At least {MIN_POINTS} points are needed before a chart is drawn (not {points}).")
    elif points > MAX_POINTS:
        _add(errors, "minimum_points", f"At most {MAX_POINTS} points.")


def _check_choices(data: Mapping[str, Any], errors: dict[str, list[str]]) -> None:
    for name, choices in (("source", Source), ("direction", Direction),
                          ("frequency", Frequency), ("kind", Kind)):
        value = data.get(name)
        if value not in choices.values:
            _add(errors, name, f"Choose one of: {', '.join(choices.values)}.")


def _check_computation(data: Mapping[str, Any], errors: dict[str, list[str]]) -> None:
    for name in ("numerator", "denominator"):
        value = str(data.get(name) or "")
        if data.get("source") == Source.COMPUTED:
            if value not in COMPUTATIONS:
                _add(errors, name, f"Unknown computation {value!r}: choose one of the named "
                                   "computations (GET /api/v1/indicators/computations/)."
                     if value else "Choose the computation it is counted by.")
        elif not value:
            _add(errors, name, f"Name what the imported {name} counts (e.g. agency_hours).")
        elif len(value) > 80 or not CODE.match(value):
            _add(errors, name, "Use lower-case letters, digits, hyphens or underscores.")


def validate(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """Every problem of a definition, by field (empty: valid)."""
    errors: dict[str, list[str]] = {}
    _check_text(data, errors)
    _check_numbers(data, errors)
    _check_choices(data, errors)
    _check_computation(data, errors)
    return errors


def _defaults(fields: Mapping[str, Any]) -> dict[str, Any]:
    data = {"description": "", "source": Source.COMPUTED, "multiplier": 1.0, "target": None,
            "frequency": Frequency.MONTHLY, "minimum_points": 12}
    data.update({k: v for k, v in fields.items() if k in FIELDS})
    if isinstance(data.get("multiplier"), int) and not isinstance(data["multiplier"], bool):
        data["multiplier"] = float(data["multiplier"])
    return data


def indicator_create(*, actor: Any, organisation: Organisation,
                     **fields: Any) -> Indicator:
    """A custom indicator: computed (numerator and denominator from the named computations in
    `compute.py`) or imported (values come by import). Its code must be new in the
    organisation and not a library indicator's."""
    _check_actor(actor, organisation.pk)
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise InvalidInput("Unknown fields.", {name: ["Not a field of an indicator."]
                                               for name in unknown})
    data = _defaults(fields)
    errors = validate(data)
    code = str(data.get("code") or "")
    if "code" not in errors:
        if Indicator.objects.filter(organisation=organisation, code=code).exists():
            _add(errors, "code", f"The organisation already has an indicator with the code "
                                 f"{code!r} (perhaps archived): choose another.")
        elif code in {d.code for d in load_library().indicators}:
            _add(errors, "code", f"{code!r} is a library indicator's code: choose another.")
    if errors:
        raise InvalidInput("The indicator cannot be saved.", errors)
    return tracked_create(actor=actor, obj=Indicator(organisation=organisation,
                                                     from_library=False, **data),
                          message="Custom indicator created.")


def indicator_update(*, actor: Any, indicator: Indicator, expected_version: int | None,
                     changes: Mapping[str, Any]) -> Indicator:
    """Change a definition. A library copy takes only a new target, minimum points or
    frequency; the code never changes; a custom indicator with values keeps its source.
    Changing the frequency archives the values of the old frequency (the nightly job
    computes the new periods; an imported series must be imported again)."""
    _check_actor(actor, indicator.organisation_id)
    errors: dict[str, list[str]] = {}
    changed = {k: v for k, v in changes.items() if getattr(indicator, k, object()) != v}
    for name in sorted(set(changes) - set(FIELDS)):
        _add(errors, name, "Not a field of an indicator.")
    if "code" in changed:
        _add(errors, "code", "The code cannot be changed (other records refer to it).")
    if indicator.from_library:
        for name in sorted(set(changed) & set(FIELDS) - LIBRARY_EDITABLE - {"code"}):
            _add(errors, name, "A library indicator's computation and wording cannot be "
                               "changed; only its target, minimum points and frequency. "
                               "Create a custom indicator instead.")
    values = IndicatorValue.objects.filter(indicator=indicator, archived_at__isnull=True)
    if "source" in changed and values.exists():
        _add(errors, "source", "This indicator already has values, so its source stays "
                               f"{indicator.source}.")
    data = {name: getattr(indicator, name) for name in FIELDS}
    data.update({k: v for k, v in changes.items() if k in FIELDS})
    data = _defaults(data)
    for name, messages in validate(data).items():
        if name in changes:
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise InvalidInput("The indicator cannot be saved.", errors)
    with transaction.atomic():
        message = ""
        if "frequency" in changed:
            stale = [RowUpdate(v, {"archived_at": timezone.now()}) for v in values]
            if stale:
                tracked_update_many(actor=actor, updates=stale, record=False)
                message = (f"Frequency changed to {data['frequency']}: {len(stale)} values "
                           f"of the old frequency archived.")
        return tracked_update(actor=actor, obj=indicator, expected_version=expected_version,
                              changes={k: data[k] for k in changes if k in FIELDS},
                              message=message)


def indicator_archive(*, actor: Any, indicator: Indicator, expected_version: int | None = None,
                      reason: str = "", restore: bool = False) -> Indicator:
    """Archive an indicator (never deleted): the nightly job stops computing it and it leaves
    the lists; its values and history stay. An archived library copy is not reinstalled."""
    _check_actor(actor, indicator.organisation_id)
    if expected_version is not None and expected_version != indicator.version:
        raise Conflict("This indicator was changed by someone else. Reload it.",
                       {"version": [f"expected {expected_version}, current "
                                    f"{indicator.version}"]})
    return tracked_archive(actor=actor, obj=indicator, reason=reason, restore=restore)
