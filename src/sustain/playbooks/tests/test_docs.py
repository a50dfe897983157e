"""The guide's annotated example is a valid playbook (so the documentation cannot drift)."""

from __future__ import annotations

import re
from pathlib import Path

from sustain.engine.playbook_schedule import playbook_schedule
from sustain.engine.playbook_schema import parse_playbook, references_from_libraries
from sustain.engine.reference_schema import parse_library
from sustain.reference.services import default_library_paths

GUIDE = Path(__file__).resolve().parents[4] / "docs" / "guide" / "playbooks.md"


def test_the_guides_example_parses() -> None:
    [example] = re.findall(r"```yaml\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    known = references_from_libraries(parse_library(p.read_text(encoding="utf-8"), p.name)
                                      for p in default_library_paths())
    pb = parse_playbook(example, "example.yaml", known)
    assert pb.code == "night-rounds"
    assert len(playbook_schedule(pb)) == 3
