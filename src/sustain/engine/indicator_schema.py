"""Schema of the indicator definitions library (`sustain/indicators/data/indicators.yaml`).

An indicator is a value per location and period computed from integer numerators and
denominators: ``value = numerator / denominator × multiplier``. Computed indicators name their
numerator and denominator from a fixed set of computations (the app's `compute.py`); imported
series (agency hours %, turnover %, occupancy) are written by an import with both integers.

`parse_indicators` validates the file strictly (unknown or missing fields, wrong types,
duplicate YAML keys, duplicate codes, unknown computations) and raises `LibraryError` naming the
file, line and field of every problem. Pure: no Django, no I/O.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sustain.engine.yaml_source import (
    FRIENDLY,
    LibraryError,
    LibraryIssue,
    compose,
    duplicate_keys,
    field_name,
    line_of,
)

SCHEMA_VERSION = "indicator-schema-1"

Code = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Text = Annotated[str, Field(min_length=1)]
Direction = Literal["higher_is_better", "higher_is_worse", "neutral"]
Frequency = Literal["weekly", "monthly"]
Kind = Literal["rare_count", "rate", "proportion", "continuous"]
Source = Literal["computed", "imported"]

# The SPC engine's improvement words for each direction.
IMPROVEMENT: dict[str, str] = {"higher_is_better": "increase", "higher_is_worse": "decrease",
                               "neutral": "neutral"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class IndicatorDefinition(_Strict):
    code: Code
    name: Text
    unit: Text
    description: str = ""
    source: Source = "computed"
    numerator: Code
    denominator: Code
    multiplier: Annotated[float, Field(gt=0)] = 1.0
    direction: Direction
    target: float | None = None
    frequency: Frequency = "monthly"
    minimum_points: Annotated[int, Field(ge=2, le=120)] = 12
    kind: Kind

    @model_validator(mode="before")
    @classmethod
    def _int_to_float(cls, data: Any) -> Any:
        # strict mode refuses an int for a float field; YAML writes 1000, not 1000.0.
        if isinstance(data, dict):
            for name in ("multiplier", "target"):
                value = data.get(name)
                if isinstance(value, int) and not isinstance(value, bool):
                    data = {**data, name: float(value)}
        return data

    @property
    def improvement(self) -> str:
        return IMPROVEMENT[self.direction]


class IndicatorLibrary(_Strict):
    schema_version: Literal["indicator-schema-1"]
    indicators: Annotated[list[IndicatorDefinition], Field(min_length=1)]

    def get(self, code: str) -> IndicatorDefinition | None:
        return next((d for d in self.indicators if d.code == code), None)


def parse_indicators(text: str, filename: str,
                     computations: Collection[str] | None = None) -> IndicatorLibrary:
    """Parse and validate the library. `computations` are the known computation names (None:
    not checked); a computed indicator's numerator and denominator must be among them."""
    node, data = compose(text, filename)
    issues = duplicate_keys(node, filename)
    if not isinstance(data, dict):
        issues.append(LibraryIssue(filename, line_of(node, []), "",
                                   "the library must be a mapping (schema_version, indicators)"))
        raise LibraryError(issues)
    try:
        library = IndicatorLibrary.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = [p for p in err["loc"] if isinstance(p, str | int)]
            on_key = err["type"] == "extra_forbidden"
            message = FRIENDLY.get(err["type"], err["msg"])
            issues.append(LibraryIssue(filename, line_of(node, loc, key=on_key),
                                       field_name(data, loc),
                                       message.removeprefix("Value error, ")))
        raise LibraryError(sorted(issues, key=lambda i: i.line)) from exc
    seen: set[str] = set()
    path: list[str | int]
    for i, ind in enumerate(library.indicators):
        if ind.code in seen:
            path = ["indicators", i, "code"]
            issues.append(LibraryIssue(filename, line_of(node, path), field_name(data, path),
                                       f"duplicate indicator code {ind.code!r}"))
        seen.add(ind.code)
        if computations is not None and ind.source == "computed":
            for part in ("numerator", "denominator"):
                name = getattr(ind, part)
                if name not in computations:
                    path = ["indicators", i, part]
                    issues.append(LibraryIssue(
                        filename, line_of(node, path), field_name(data, path),
                        f"unknown computation {name!r} (known: "
                        f"{', '.join(sorted(computations))})"))
    if issues:
        raise LibraryError(sorted(issues, key=lambda i: i.line))
    return library


__all__ = ["IMPROVEMENT", "SCHEMA_VERSION", "IndicatorDefinition", "IndicatorLibrary",
           "LibraryError", "LibraryIssue", "parse_indicators"]
