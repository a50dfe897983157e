"""The rules in force at a location (ADR 0014 §4).

Two sources:

- **playbook rules**: the `escalation_rules` of every playbook applied to a theme at the
  location (a theme that is not archived and has a playbook); version "<playbook code>
  v<playbook version>"; the firing's theme is that theme;
- **organisation rules**: the organisation's current, active, not archived `EscalationRule`
  rows whose `locations` is empty (everywhere) or names the location; version
  "v<rule_version>".

An organisation rule with the same id as a playbook rule replaces it at that location (how a
provider adapts a shipped rule); two themes with the same playbook give the rule once (the
newest playbook version, then the oldest theme). Parsed rules are cached by checksum for the
life of the process (the text is immutable per checksum); the rows are read again per
`RuleSet` (one per request, sweep or write).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sustain.engine.escalation_rules import (
    Rule,
    parse_rule,
    records_needed,
    rule_checksum,
    rule_from_content,
)
from sustain.escalations.models import EscalationRule, Firing


@dataclass(frozen=True)
class ActiveRule:
    """One rule as it runs at one location."""

    rule: Rule
    source: str                     # Firing.Source value
    version: str                    # "medicines-safety v2" / "v3"
    checksum: str
    playbook_code: str = ""
    row: EscalationRule | None = None
    theme: Any = None               # the theme whose playbook brought the rule

    @property
    def code(self) -> str:
        return self.rule.id

    @property
    def reads(self) -> set[str]:
        return records_needed(self.rule)


@functools.lru_cache(maxsize=2048)
def _parse_text(checksum: str, text: str, filename: str) -> Rule:
    return parse_rule(text, filename)


def rule_of_row(row: EscalationRule) -> Rule:
    """The parsed rule of an organisation rule row (validated when it was saved)."""
    return _parse_text(row.checksum, row.yaml, f"rule {row.code} v{row.rule_version}")


@functools.lru_cache(maxsize=512)
def _playbook_rules(playbook_pk: int, checksum: str) -> tuple[Rule, ...]:
    from sustain.playbooks.models import Playbook
    from sustain.playbooks.services import playbook_spec

    playbook = Playbook.objects.get(pk=playbook_pk)
    try:
        spec = playbook_spec(playbook)
    except Exception:  # noqa: BLE001 - content stored in an older shape: no rules from it
        return ()
    out = []
    for item in getattr(spec, "escalation_rules", ()) or ():
        if isinstance(item, Rule):
            out.append(item)
            continue
        try:  # a playbook stored in an earlier rule shape: use it if it reads as a rule
            dump = item.model_dump(mode="json") if hasattr(item, "model_dump") else item
            out.append(rule_from_content(dump))
        except Exception:  # noqa: BLE001,S112 - an unreadable old rule is not in force
            continue
    return tuple(out)


def playbook_rules(playbook: Any) -> tuple[Rule, ...]:
    return _playbook_rules(playbook.pk, playbook.checksum)


def _playbook_themes(qs: Any) -> Any:
    """Themes with a playbook, reading only what choosing rules needs (a playbook's text
    and content are read once per process, by `playbook_rules`)."""
    return qs.filter(archived_at__isnull=True, playbook__isnull=False).select_related(
        "playbook").only("id", "uuid", "organisation_id", "location_id", "title", "playbook__id",
                         "playbook__code", "playbook__version", "playbook__checksum",
                         "playbook__archived_at").order_by("pk")


@dataclass
class RuleSet:
    """The rules in force per location of one organisation, read once (per request/sweep)."""

    organisation_id: int
    _org_rules: list[tuple[EscalationRule, frozenset[int]]] | None = None
    _by_location: dict[int, list[ActiveRule]] = field(default_factory=dict)
    _themes: dict[int, list[Any]] | None = None
    # Owner candidates by role (`services._Owners`), read once per rule set.
    owner_candidates: dict[str, list[Any]] = field(default_factory=dict)

    def _organisation_rules(self) -> list[tuple[EscalationRule, frozenset[int]]]:
        if self._org_rules is None:
            rows = list(EscalationRule.objects.filter(
                organisation_id=self.organisation_id, is_current=True, active=True,
                archived_at__isnull=True).order_by("code"))
            scope: dict[int, set[int]] = defaultdict(set)
            if rows:
                through = EscalationRule.locations.through
                for rule_id, location_id in through.objects.filter(
                        escalationrule_id__in=[r.pk for r in rows]).values_list(
                        "escalationrule_id", "location_id"):
                    scope[rule_id].add(location_id)
            self._org_rules = [(r, frozenset(scope.get(r.pk, ()))) for r in rows]
        return self._org_rules

    def prime_themes(self, location_ids: Iterable[int]) -> None:
        """Read the playbook themes of many locations at once (the sweep)."""
        from sustain.themes.models import Theme

        ids = list(location_ids)
        self._themes = {pk: [] for pk in ids}
        for theme in _playbook_themes(Theme.objects.filter(
                organisation_id=self.organisation_id, location_id__in=ids)):
            self._themes.setdefault(theme.location_id, []).append(theme)

    def _location_themes(self, location: Any) -> list[Any]:
        from sustain.themes.models import Theme

        if self._themes is not None and location.pk in self._themes:
            return self._themes[location.pk]
        return list(_playbook_themes(Theme.objects.filter(
            organisation_id=self.organisation_id, location_id=location.pk)))

    def at(self, location: Any) -> list[ActiveRule]:
        """The rules in force at `location`, by rule id."""
        if location.pk in self._by_location:
            return self._by_location[location.pk]
        chosen: dict[str, ActiveRule] = {}
        themes = sorted(self._location_themes(location),
                        key=lambda t: (-t.playbook.version, t.pk))
        for theme in themes:
            playbook = theme.playbook
            if playbook.archived_at is not None:
                continue
            for rule in playbook_rules(playbook):
                if rule.id in chosen:
                    continue
                chosen[rule.id] = ActiveRule(
                    rule=rule, source=Firing.Source.PLAYBOOK,
                    version=f"{playbook.code} v{playbook.version}",
                    checksum=rule_checksum(rule), playbook_code=playbook.code, theme=theme)
        for row, locations in self._organisation_rules():
            if locations and location.pk not in locations:
                continue
            chosen[row.code] = ActiveRule(rule=rule_of_row(row),
                                          source=Firing.Source.ORGANISATION,
                                          version=f"v{row.rule_version}",
                                          checksum=row.checksum, row=row)
        found = [chosen[c] for c in sorted(chosen)]
        self._by_location[location.pk] = found
        return found

    def reading(self, location: Any, record_types: Iterable[str] | None) -> list[ActiveRule]:
        """The rules in force at `location` whose trigger reads one of `record_types`
        (all when None)."""
        rules = self.at(location)
        if record_types is None:
            return rules
        wanted = set(record_types)
        return [r for r in rules if r.reads & wanted]


def rules_at(location: Any) -> list[ActiveRule]:
    """The rules in force at one location (a fresh read)."""
    return RuleSet(location.organisation_id).at(location)
