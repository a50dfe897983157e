"""Import kind `indicator_values`: an imported indicator's series at a location (agency hours
%, staff turnover %, occupancy, or a custom imported indicator), through the ordinary import
screens and API (upload, check with problems by row and column, commit all or nothing).

Columns: `indicator_code`, `period` (any day in the period: the month, or the Monday-start
week, of a weekly indicator), `numerator`, `denominator` (whole numbers, not negative). Each
row is written through `services.values_import` (the indicator's period, an idempotent
upsert: importing a corrected file updates the values), so an import can be repeated; a
period repeated within one file, a period not yet over, an unknown or computed indicator and a
numerator above the denominator of a proportion are refused with the row and column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sustain.engine.access import Perm
from sustain.engine.import_rows import DATE, INT, Column, ParsedRow, RowProblem
from sustain.imports.registry import ImportKind, RowContext


def _indicators(ctx: RowContext) -> dict[str, Any]:
    """The organisation's live indicators by code (loaded once per run)."""
    if "indicators" not in ctx.cache:
        from sustain.indicators.models import Indicator

        ctx.cache["indicators"] = {i.code: i for i in Indicator.objects.filter(
            organisation=ctx.organisation, archived_at__isnull=True)}
    return ctx.cache["indicators"]


def _period_start(indicator: Any, day: dt.date) -> dt.date:
    if indicator.frequency == "weekly":
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1)


def _period_end(indicator: Any, start: dt.date) -> dt.date:
    if indicator.frequency == "weekly":
        return start + dt.timedelta(weeks=1)
    return (start + dt.timedelta(days=32)).replace(day=1)


def _check(row: ParsedRow, ctx: RowContext) -> list[RowProblem]:
    problems: list[RowProblem] = []
    values = row.values
    code = values.get("indicator_code")
    indicator = _indicators(ctx).get(code) if code else None
    if code and indicator is None:
        problems.append(RowProblem(row.row, "indicator_code",
                                   f"No indicator with the code {code!r} in the organisation."))
    elif indicator is not None and indicator.source != "imported":
        problems.append(RowProblem(row.row, "indicator_code",
                                   f"{indicator.name} is computed from records, not imported."))
    for name in ("numerator", "denominator"):
        if values.get(name) is not None and values[name] < 0:
            problems.append(RowProblem(row.row, name, "Must not be negative."))
    num, den = values.get("numerator"), values.get("denominator")
    if indicator is not None and indicator.kind == "proportion" and num is not None \
            and den is not None and num > den:
        problems.append(RowProblem(row.row, "numerator",
                                   f"A proportion's numerator ({num}) cannot exceed its "
                                   f"denominator ({den})."))
    day = values.get("period")
    if indicator is not None and indicator.source == "imported" and day is not None:
        start = _period_start(indicator, day)
        if _period_end(indicator, start) > ctx.now.date():
            problems.append(RowProblem(row.row, "period",
                                       "This period is not over yet: import complete periods."))
        seen = ctx.cache.setdefault("seen", {})
        first = seen.setdefault((code, start), row.row)
        if first != row.row:
            problems.append(RowProblem(row.row, "period",
                                       f"Repeats row {first}'s period for {code!r}."))
    return problems


def _fields(values: Mapping[str, Any], ctx: RowContext) -> dict[str, Any]:
    return {"indicator": _indicators(ctx)[values["indicator_code"]],
            "period_start": values["period"], "numerator": values["numerator"],
            "denominator": values["denominator"]}


def _create(*, actor: Any, organisation: Any, location: Any, indicator: Any,
            period_start: dt.date, numerator: int, denominator: int) -> Any:
    from sustain.indicators.services import ImportedValue, values_import

    values_import(actor=actor, indicator=indicator, values=[
        ImportedValue(location, period_start, numerator, denominator)])
    return indicator


def _row(obj: Any) -> Sequence[Any]:
    return [obj.indicator.code, obj.period_start, obj.numerator, obj.denominator]


INDICATOR_VALUES = ImportKind(
    name="indicator_values", label="indicator values", model="indicators.indicatorvalue",
    columns=(
        Column("indicator_code", required=True, max_length=80, example="agency-hours",
               help="The code of an imported indicator (e.g. agency-hours, staff-turnover, "
                    "occupancy)."),
        Column("period", DATE, required=True, example="2026-10-01",
               help="Any day in the period (its month, or its week for a weekly indicator); "
                    "the period must be over."),
        Column("numerator", INT, required=True, example="312",
               help="A whole number, e.g. agency hours worked in the period."),
        Column("denominator", INT, required=True, example="4160",
               help="A whole number, e.g. all hours worked in the period."),
    ),
    # No key column: a row updates its indicator's value for the period (an upsert).
    key_column="", key_field="", to_fields=_fields, permission=Perm.IMPORT_RUN,
    create=_create, check=_check,
    field_columns={"indicator": "indicator_code", "period_start": "period"},
    export_columns=("indicator_code", "period", "numerator", "denominator"),
    export_row=_row,
    export_queryset=lambda qs, location: qs.filter(source="imported").select_related(
        "indicator").order_by("indicator__code", "period_start"),
)

KINDS = [INDICATOR_VALUES]
