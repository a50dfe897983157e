"""Reading YAML data files so that every problem names its file, line and field.

Shared by the reference library and playbook schemas (and any later data library).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

# --- errors -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LibraryIssue:
    """One problem in one file: where it is and what is wrong."""

    filename: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.filename}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else \
            f"{where}: {self.message}"


class LibraryError(Exception):
    """A reference library file (or set of files) is invalid. Holds every issue found.

    `filename`, `line` and `field` describe the first issue; `issues` lists them all.
    """

    def __init__(self, issues: Sequence[LibraryIssue]) -> None:
        if not issues:
            raise ValueError("LibraryError needs at least one issue")
        self.issues: tuple[LibraryIssue, ...] = tuple(issues)
        first = self.issues[0]
        self.filename = first.filename
        self.line = first.line
        self.field = first.field
        super().__init__("\n".join(str(i) for i in self.issues))


# --- locating nodes -----------------------------------------------------------------------

PathPart = str | int


def _child(node: yaml.Node, part: PathPart) -> tuple[yaml.Node | None, yaml.Node | None]:
    """(key node, value node) for `part` under `node`, or (None, None) when absent."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return key, value
    elif (isinstance(node, yaml.SequenceNode) and isinstance(part, int)
          and 0 <= part < len(node.value)):
        item: yaml.Node = node.value[part]
        return item, item
    return None, None


def line_of(root: yaml.Node | None, path: Sequence[PathPart], *, key: bool = False) -> int:
    """1-based line of the node at `path` (its key's line when `key`), or of the deepest
    existing ancestor when the path does not exist (e.g. a missing field)."""
    if root is None:
        return 1
    node = root
    for i, part in enumerate(path):
        key_node, value = _child(node, part)
        if value is None or key_node is None:
            break
        node = key_node if (key and i == len(path) - 1) else value
    return int(node.start_mark.line) + 1


def field_name(data: Any, path: Sequence[PathPart]) -> str:
    """`quality_statements[3] (S4).title`: a readable path that names list items by code."""
    out = ""
    cur: Any = data
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            cur = cur[part] if isinstance(cur, list) and 0 <= part < len(cur) else None
            if isinstance(cur, dict):
                ident = cur.get("code", cur.get("value"))
                if isinstance(ident, str | int):
                    out += f" ({ident})"
        else:
            out += ("." if out else "") + str(part)
            cur = cur.get(part) if isinstance(cur, dict) else None
    return out


def duplicate_keys(node: yaml.Node | None, filename: str) -> list[LibraryIssue]:
    """YAML lets a later key silently replace an earlier one; we refuse it instead."""
    issues: list[LibraryIssue] = []
    stack = [node] if node is not None else []
    while stack:
        cur = stack.pop()
        if isinstance(cur, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in cur.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        issues.append(LibraryIssue(filename, key.start_mark.line + 1,
                                                   str(key.value), "duplicate key"))
                    seen.add(key.value)
                stack.append(value)
        elif isinstance(cur, yaml.SequenceNode):
            stack.extend(cur.value)
    return sorted(issues, key=lambda i: i.line)


FRIENDLY = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field (not part of the schema)",
}



# libyaml's loader when PyYAML was built with it (15x faster); same nodes, marks and errors.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def compose(text: str, filename: str) -> tuple[yaml.Node | None, Any]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise LibraryError([LibraryIssue(filename, line, "", f"YAML syntax error: {problem}")]) \
            from exc
    except yaml.YAMLError as exc:
        raise LibraryError([LibraryIssue(filename, 1, "", f"YAML error: {exc}")]) from exc
    finally:
        loader.dispose()
    return node, data


