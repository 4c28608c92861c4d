"""Reading YAML nodes with their places: shapes, types, fields, and every problem placed.

Knows nothing of registries: `_schema` says which fields a registry has and what they
mean, and asks this reader for each value. Every problem is collected (with its
`line:column`, the record it concerns and the field's path) rather than raised, so that
one pass finds them all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import TypeVar

from yaml import MappingNode, Node, ScalarNode, SequenceNode

from wrrtrack import clock
from wrrtrack._errors import Location, Problem
from wrrtrack._vocabulary import Vocabulary

STD = "tag:yaml.org,2002:"
# The tags a node of each kind may carry: what plain YAML resolves to, nothing that
# would construct an object.
_TAGS_FOR: dict[type[Node], frozenset[str]] = {
    ScalarNode: frozenset(
        STD + name for name in ("str", "int", "float", "bool", "null", "timestamp")
    ),
    MappingNode: frozenset({STD + "map"}),
    SequenceNode: frozenset({STD + "seq"}),
}
_KINDS = {
    "str": "text",
    "int": "a number",
    "float": "a number",
    "bool": "true/false",
    "null": "nothing",
    "timestamp": "a date",
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

T = TypeVar("T")
Fields = dict[str, tuple[Node, Node]]


def _shown_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(STD) if tag.startswith(STD) else tag


def kind(node: Node) -> str:
    """What a node holds, in words for a message."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return _KINDS.get(node.tag.removeprefix(STD), f"a value tagged {node.tag}")


def is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == STD + "null"


class NodeReader:
    """Reads values out of nodes; each method returns None where it found a problem."""

    def __init__(self, path: Path, today: date, line_offset: int = 0) -> None:
        self.path = path
        self.today = today
        # A piece cut from a file reports places in the whole file.
        self.line_offset = line_offset
        self.problems: list[Problem] = []
        self.seen: set[int] = set()
        self.item: str | None = None  # the record being read, named in its problems
        # The files of a folder registry by the name their nodes' marks carry (`compose_all`).
        self.paths: dict[str, Path] = {}

    # --- reporting -----------------------------------------------------------------

    def at(self, node: Node) -> Location:
        mark = node.start_mark
        path = self.paths.get(mark.name, self.path) if self.paths else self.path
        return Location(path, mark.line + 1 + self.line_offset, mark.column + 1)

    def problem(self, node: Node, what: str, detail: str) -> None:
        """A problem with the value `what` names (`wrr103-7.history[2].date`, `report.date`)."""
        self.problems.append(self.placed(node, f"{what}: {detail}", what))

    def placed(self, node: Node, message: str, what: str | None = None) -> Problem:
        item, field = self.item, what
        if item is not None and what is not None:
            field = what[len(item) + 1 :] if what.startswith(item + ".") else None
        if field == "registry":
            field = None
        return Problem(self.at(node), message, item, field)

    # --- shapes --------------------------------------------------------------------

    def visit(self, node: Node, what: str) -> bool:
        """Refuse aliases and foreign tags before a node's content is looked at."""
        if id(node) in self.seen:
            self.problem(node, what, "YAML anchors and aliases are not allowed; write it out")
            return False
        self.seen.add(id(node))
        if node.tag not in _TAGS_FOR[type(node)]:
            self.problem(node, what, f"YAML tag '{_shown_tag(node.tag)}' is not allowed")
            return False
        return True

    def mapping(self, node: Node, what: str, fields: Mapping[str, bool] | None) -> Fields | None:
        """The fields of a mapping by name; unknown, duplicate and missing ones reported.

        `fields` maps each field name to whether it is required; with None, any key is
        accepted (keys that are data, such as a vocabulary's).
        """
        if not self.visit(node, what):
            return None
        if not isinstance(node, MappingNode):
            self.problem(node, what, f"expected a mapping, got {kind(node)}")
            return None
        found: Fields = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag != STD + "str":
                self.problem(key_node, what, f"keys must be plain text, got {kind(key_node)}")
                continue
            name = key_node.value
            if name in found:
                first = found[name][0].start_mark.line + 1
                self.problem(key_node, what, f"duplicate key '{name}' (first on line {first})")
                continue
            if fields is not None and name not in fields:
                import difflib  # only on the way to an error message

                close = difflib.get_close_matches(name, list(fields), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else f"; known: {', '.join(fields)}"
                self.problem(key_node, what, f"unknown field '{name}'{hint}")
                continue
            found[name] = (key_node, value_node)
        for name, required in (fields or {}).items():
            if required and name not in found:
                self.problem(node, what, f"missing field '{name}'")
        return found

    def sequence(self, node: Node, what: str) -> list[Node] | None:
        if not self.visit(node, what):
            return None
        if not isinstance(node, SequenceNode):
            self.problem(node, what, f"expected a list, got {kind(node)}")
            return None
        return list(node.value)

    def listed(
        self, node: Node, what: str, item: Callable[[Node, str], T | None]
    ) -> list[T] | None:
        """A non-empty list, each entry read by `item`; None if any entry is wrong."""
        nodes = self.sequence(node, what)
        if nodes is None:
            return None
        if not nodes:
            self.problem(node, what, "must not be empty")
            return None
        values = [item(child, f"{what}[{i + 1}]") for i, child in enumerate(nodes)]
        return None if any(v is None for v in values) else [v for v in values if v is not None]

    # --- values --------------------------------------------------------------------

    def text(self, node: Node, what: str) -> str | None:
        if not self.visit(node, what):
            return None
        if not isinstance(node, ScalarNode) or node.tag != STD + "str":
            self.problem(node, what, f"expected text, got {kind(node)}")
            return None
        if not node.value.strip():
            self.problem(node, what, "must not be empty")
            return None
        return str(node.value)

    def number(self, node: Node, what: str) -> str | None:
        """A number, or text, kept as written (report numbers such as `103` or `7a`)."""
        if not self.visit(node, what):
            return None
        if isinstance(node, ScalarNode) and node.tag in (STD + "int", STD + "str"):
            return str(node.value)
        self.problem(node, what, f"expected a number, got {kind(node)}")
        return None

    def flag(self, node: Node, what: str) -> bool | None:
        """`true` or `false`, as written in lower case (not YAML 1.1's `yes`, `on`, …)."""
        if not self.visit(node, what):
            return None
        plain = isinstance(node, ScalarNode) and node.tag == STD + "bool"
        if plain and node.value in ("true", "false"):
            return bool(node.value == "true")
        got = f"'{node.value[:40]}'" if isinstance(node, ScalarNode) else kind(node)
        self.problem(node, what, f"expected true or false (in lower case), got {got}")
        return None

    def day(self, node: Node, what: str) -> date | None:
        """A real calendar date written YYYY-MM-DD, not after today."""
        if not self.visit(node, what):
            return None
        raw = node.value if isinstance(node, ScalarNode) else None
        if not isinstance(raw, str) or node.tag not in (STD + "timestamp", STD + "str"):
            self.problem(node, what, f"expected a date (YYYY-MM-DD), got {kind(node)}")
            return None
        if not _DATE.fullmatch(raw):
            self.problem(node, what, f"'{raw}' is not a date in the form YYYY-MM-DD")
            return None
        try:
            value = date.fromisoformat(raw)
        except ValueError:
            self.problem(node, what, f"{raw} is not a real calendar date")
            return None
        future = clock.in_future(value, self.today)
        if future is not None:
            self.problem(node, what, future)
            return None
        return value

    def term(self, node: Node, what: str, vocabulary: Vocabulary) -> str | None:
        """A key of `vocabulary`, exactly as declared (aliases are for input, not files)."""
        given = self.text(node, what)
        if given is None:
            return None
        if given in vocabulary:
            return given
        suggestion = vocabulary.suggest(given)
        hint = f"did you mean '{suggestion}'? " if suggestion else ""
        self.problem(
            node,
            what,
            f"unknown {vocabulary.name} '{given}'; {hint}valid: "
            f"{', '.join(vocabulary.keys) or '(none declared)'}",
        )
        return None
