"""From YAML nodes to the domain model, checking every field and placing every problem.

The walk collects all problems it can find in one pass (so `validate` lists them all) and
records, per recommendation, where its text lies, so that a write can touch only its lines.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import NamedTuple, TypeVar

from yaml import MappingNode, Node, ScalarNode, SequenceNode

from wrrtrack.errors import Location, Problem, RegistryInvalid
from wrrtrack.model import AdviceReport, Ledger, Reaction, Recommendation, StatusChange
from wrrtrack.parsed import Parsed, RecordLayout
from wrrtrack.quotes import Quoted
from wrrtrack.vocabulary import DEFAULTS, Term, Vocabularies, Vocabulary

FORMAT_VERSION = 1

# Field name -> required. The order is the order in which a new file writes them.
TOP_FIELDS = {"format": False, "report": True, "vocabularies": False, "recommendations": True}
REPORT_FIELDS = {
    "publisher": True,
    "number": True,
    "title": True,
    "date": True,
    "reaction": True,
    "context": False,
}
REACTION_FIELDS = {"reference": True, "date": True, "source": True}
TERM_FIELDS = {"nl": True, "en": True, "aliases": False}
RECOMMENDATION_FIELDS = {
    "id": True,
    "title": True,
    "theme": True,
    "stance": True,
    "actors": True,
    "status": True,
    "quotes": True,
    "history": True,
}
CHANGE_FIELDS = {"date": True, "status": True, "note": False, "by": False, "source": False}

_STD = "tag:yaml.org,2002:"
# The tags a node of each kind may carry: what plain YAML resolves to, nothing that
# would construct an object.
_TAGS_FOR: dict[type[Node], frozenset[str]] = {
    ScalarNode: frozenset(
        _STD + name for name in ("str", "int", "float", "bool", "null", "timestamp")
    ),
    MappingNode: frozenset({_STD + "map"}),
    SequenceNode: frozenset({_STD + "seq"}),
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
_KEY = re.compile(r"[a-z0-9][a-z0-9-]*")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

T = TypeVar("T")


def _shown_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_STD) if tag.startswith(_STD) else tag


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return _KINDS.get(node.tag.removeprefix(_STD), f"a value tagged {node.tag}")


class _Walk:
    def __init__(
        self, path: Path, text: str, today: date, line_offset: int = 0, index_offset: int = 0
    ) -> None:
        self.path = path
        self.source = text
        # A piece cut from a file reports places in the whole file.
        self.line_offset = line_offset
        self.index_offset = index_offset
        self.today = today
        self.problems: list[Problem] = []
        self.seen: set[int] = set()
        # Every well-formed quote with its place, kept even when other fields are wrong,
        # so that `validate` can check them in the same run.
        self.quoted: list[Quoted] = []
        self.quote_source: str | None = None

    # --- reporting -----------------------------------------------------------------

    def at(self, node: Node) -> Location:
        line = node.start_mark.line + 1 + self.line_offset
        return Location(self.path, line, node.start_mark.column + 1)

    def problem(self, node: Node, message: str) -> None:
        self.problems.append(Problem(self.at(node), message))

    # --- shapes --------------------------------------------------------------------

    def visit(self, node: Node, what: str) -> bool:
        """Refuse aliases and foreign tags before a node's content is looked at."""
        if id(node) in self.seen:
            self.problem(node, f"{what}: YAML anchors and aliases are not allowed; write it out")
            return False
        self.seen.add(id(node))
        if node.tag not in _TAGS_FOR[type(node)]:
            self.problem(node, f"{what}: YAML tag '{_shown_tag(node.tag)}' is not allowed")
            return False
        return True

    def mapping(
        self, node: Node, what: str, fields: dict[str, bool] | None
    ) -> dict[str, tuple[Node, Node]] | None:
        """The fields of a mapping by name; unknown, duplicate and missing ones reported.

        With `fields` None, any key is accepted (a vocabulary section: keys are data).
        """
        if not self.visit(node, what):
            return None
        if not isinstance(node, MappingNode):
            self.problem(node, f"{what}: expected a mapping, got {_kind(node)}")
            return None
        found: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag != _STD + "str":
                self.problem(key_node, f"{what}: keys must be plain text, got {_kind(key_node)}")
                continue
            name = key_node.value
            if name in found:
                first = found[name][0].start_mark.line + 1
                self.problem(key_node, f"{what}: duplicate key '{name}' (first on line {first})")
                continue
            if fields is not None and name not in fields:
                import difflib  # only on the way to an error message

                close = difflib.get_close_matches(name, list(fields), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else f"; known: {', '.join(fields)}"
                self.problem(key_node, f"{what}: unknown field '{name}'{hint}")
                continue
            found[name] = (key_node, value_node)
        for name, required in (fields or {}).items():
            if required and name not in found:
                self.problem(node, f"{what}: missing field '{name}'")
        return found

    def sequence(self, node: Node, what: str) -> list[Node] | None:
        if not self.visit(node, what):
            return None
        if not isinstance(node, SequenceNode):
            self.problem(node, f"{what}: expected a list, got {_kind(node)}")
            return None
        return list(node.value)

    def text(self, node: Node, what: str) -> str | None:
        if not self.visit(node, what):
            return None
        if not isinstance(node, ScalarNode) or node.tag != _STD + "str":
            self.problem(node, f"{what}: expected text, got {_kind(node)}")
            return None
        if not node.value.strip():
            self.problem(node, f"{what}: must not be empty")
            return None
        return str(node.value)

    def optional_text(
        self, fields: dict[str, tuple[Node, Node]], name: str, what: str
    ) -> str | None:
        if name not in fields:
            return None
        node = fields[name][1]
        if isinstance(node, ScalarNode) and node.tag == _STD + "null":
            return None
        return self.text(node, what)

    def day(self, node: Node, what: str) -> date | None:
        if not self.visit(node, what):
            return None
        raw = node.value if isinstance(node, ScalarNode) else None
        if not isinstance(raw, str) or node.tag not in (_STD + "timestamp", _STD + "str"):
            self.problem(node, f"{what}: expected a date (YYYY-MM-DD), got {_kind(node)}")
            return None
        if not _DATE.fullmatch(raw):
            self.problem(node, f"{what}: '{raw}' is not a date in the form YYYY-MM-DD")
            return None
        try:
            value = date.fromisoformat(raw)
        except ValueError:
            self.problem(node, f"{what}: {raw} is not a real calendar date")
            return None
        if value > self.today:
            self.problem(node, f"{what}: {raw} is in the future (today is {self.today})")
            return None
        return value

    def term(self, node: Node, what: str, vocabulary: Vocabulary) -> str | None:
        given = self.text(node, what)
        if given is None:
            return None
        if given in vocabulary:
            return given
        suggestion = vocabulary.suggest(given)
        hint = f"did you mean '{suggestion}'? " if suggestion else ""
        self.problem(
            node,
            f"{what}: unknown {vocabulary.name} '{given}'; {hint}valid: "
            f"{', '.join(vocabulary.keys) or '(none declared)'}",
        )
        return None

    def listed(
        self, node: Node, what: str, item: Callable[[Node, str], T | None]
    ) -> list[T] | None:
        nodes = self.sequence(node, what)
        if nodes is None:
            return None
        if not nodes:
            self.problem(node, f"{what}: must not be empty")
            return None
        values = [item(child, f"{what}[{i + 1}]") for i, child in enumerate(nodes)]
        return None if any(v is None for v in values) else [v for v in values if v is not None]

    # --- the registry --------------------------------------------------------------

    def registry(self, root: Node) -> Parsed | None:
        fields = self.mapping(root, "registry", TOP_FIELDS)
        if fields is None:
            return None
        if "format" in fields:
            node = fields["format"][1]
            if not (isinstance(node, ScalarNode) and node.value == str(FORMAT_VERSION)):
                self.problem(node, f"format: this wrrtrack reads format {FORMAT_VERSION}")
        vocabularies = self.vocabularies(
            fields["vocabularies"][1] if "vocabularies" in fields else None
        )
        report = self.report(fields["report"][1]) if "report" in fields else None
        quote_places: dict[tuple[str, int], Location] = {
            (q.owner, q.position): q.place for q in self.quoted if not q.owner and q.place
        }
        recommendations: list[Recommendation] = []
        layouts: dict[str, RecordLayout] = {}
        if "recommendations" in fields:
            seq_node = fields["recommendations"][1]
            nodes = self.sequence(seq_node, "recommendations")
            first_line: dict[str, int] = {}
            for i, node in enumerate(nodes or []):
                following = nodes[i + 1] if nodes and i + 1 < len(nodes) else None
                entry = self.record(node, following, seq_node, i, vocabularies)
                if entry is None:
                    continue
                rec, layout, places = entry
                folded = rec.id.casefold()
                if folded in first_line:
                    self.problem(
                        node, f"duplicate id '{rec.id}' (first on line {first_line[folded]})"
                    )
                    continue
                first_line[folded] = self.at(node).line
                recommendations.append(rec)
                layouts[rec.id] = layout
                quote_places.update(places)
        if self.problems or report is None:
            return None
        return Parsed(Ledger(report, vocabularies, tuple(recommendations)), layouts, quote_places)

    def record(
        self, node: Node, following: Node | None, sequence: Node, i: int, vocab: Vocabularies
    ) -> tuple[Recommendation, RecordLayout, dict[tuple[str, int], Location]] | None:
        """One recommendation with its layout and the places of its quotes."""
        first_quote = len(self.quoted)
        rec = self.recommendation(node, f"recommendations[{i + 1}]", vocab)
        if rec is None:
            return None
        layout = self.layout(node, following, sequence).shifted(self.index_offset)
        places = {(q.owner, q.position): q.place for q in self.quoted[first_quote:] if q.place}
        return rec, layout, places

    def keep_quotes(self, owner: str, node: Node, texts: list[str] | None) -> None:
        if texts is not None:
            self.quoted += [
                Quoted(owner, i, text, self.at(child))
                for i, (text, child) in enumerate(zip(texts, node.value, strict=True))
            ]

    @staticmethod
    def field(node: Node, name: str) -> Node:
        for key_node, value_node in node.value:
            if key_node.value == name:
                return value_node  # type: ignore[no-any-return]
        raise KeyError(name)

    def vocabularies(self, node: Node | None) -> Vocabularies:
        if node is None:
            return Vocabularies()
        fields = self.mapping(node, "vocabularies", dict.fromkeys(DEFAULTS, False))
        merged = dict(DEFAULTS)
        for section, (_, section_node) in (fields or {}).items():
            entries = self.mapping(section_node, f"vocabularies.{section}", None)
            declared = [
                (key_node, term)
                for key_node, value_node in (entries or {}).values()
                if (term := self.vocabulary_term(key_node, value_node, f"vocabularies.{section}"))
            ]
            merged[section] = DEFAULTS[section].extended(term for _, term in declared)
            self.collisions(f"vocabularies.{section}", declared, merged[section])
        return Vocabularies(**merged)

    def collisions(
        self, what: str, declared: list[tuple[Node, Term]], vocabulary: Vocabulary
    ) -> None:
        """A declared key or alias that is another term's key or alias: input could reach
        only one of them, so which one would be a silent guess."""
        reported: set[frozenset[str]] = set()
        for key_node, term in declared:
            spellings = {s.casefold() for s in (term.key, *term.aliases)}
            for other in vocabulary.terms:
                pair = frozenset((term.key, other.key))
                if other.key == term.key or pair in reported:
                    continue
                clash = sorted(spellings & {s.casefold() for s in (other.key, *other.aliases)})
                if clash:
                    reported.add(pair)
                    role = "the key" if clash[0] == other.key.casefold() else "an alias"
                    self.problem(
                        key_node,
                        f"{what}.{term.key}: '{clash[0]}' is already {role} of "
                        f"{vocabulary.name} '{other.key}'; each key and alias must name one "
                        f"{vocabulary.name}, so rename one of them",
                    )

    def vocabulary_term(self, key_node: Node, value_node: Node, what: str) -> Term | None:
        key = key_node.value
        if not _KEY.fullmatch(key):
            self.problem(key_node, f"{what}: key '{key}' must be lower-case letters, digits, '-'")
            return None
        fields = self.mapping(value_node, f"{what}.{key}", TERM_FIELDS)
        if fields is None or any(name not in fields for name in ("nl", "en")):
            return None
        nl = self.text(fields["nl"][1], f"{what}.{key}.nl")
        en = self.text(fields["en"][1], f"{what}.{key}.en")
        aliases: list[str] | None = []
        if "aliases" in fields:
            aliases = self.listed(fields["aliases"][1], f"{what}.{key}.aliases", self.text)
        if nl is None or en is None or aliases is None:
            return None
        return Term(key, nl, en, tuple(aliases))

    def report(self, node: Node) -> AdviceReport | None:
        fields = self.mapping(node, "report", REPORT_FIELDS)
        if fields is None or any(n not in fields for n, req in REPORT_FIELDS.items() if req):
            return None
        publisher = self.text(fields["publisher"][1], "report.publisher")
        number_node = fields["number"][1]
        number = None
        if self.visit(number_node, "report.number"):
            if isinstance(number_node, ScalarNode) and number_node.tag in (
                _STD + "int",
                _STD + "str",
            ):
                number = str(number_node.value)
            else:
                self.problem(
                    number_node, f"report.number: expected a number, got {_kind(number_node)}"
                )
        title = self.text(fields["title"][1], "report.title")
        day = self.day(fields["date"][1], "report.date")
        reaction = self.reaction(fields["reaction"][1])
        context: list[str] | None = []
        if "context" in fields:
            context = self.listed(fields["context"][1], "report.context", self.text)
            self.keep_quotes("", fields["context"][1], context)
        if (
            publisher is None
            or number is None
            or title is None
            or day is None
            or reaction is None
            or context is None
        ):
            return None
        return AdviceReport(publisher, number, title, day, reaction, tuple(context))

    def reaction(self, node: Node) -> Reaction | None:
        fields = self.mapping(node, "report.reaction", REACTION_FIELDS)
        if fields is None or len(fields) < len(REACTION_FIELDS):
            return None
        reference = self.text(fields["reference"][1], "report.reaction.reference")
        day = self.day(fields["date"][1], "report.reaction.date")
        source = self.text(fields["source"][1], "report.reaction.source")
        self.quote_source = source
        if reference is None or day is None or source is None:
            return None
        return Reaction(reference, day, source)

    def recommendation(self, node: Node, what: str, vocab: Vocabularies) -> Recommendation | None:
        what = _peek_id(node) or what  # name the record by its id in every message we can
        fields = self.mapping(node, what, RECOMMENDATION_FIELDS)
        if fields is None or len(fields) < len(RECOMMENDATION_FIELDS):
            return None
        identifier = self.text(fields["id"][1], f"{what}.id")
        if identifier is not None and not _ID.fullmatch(identifier):
            self.problem(
                fields["id"][1],
                f"{what}.id: '{identifier}' may hold only letters, digits, '.', '_' and '-'",
            )
            identifier = None
        if identifier is not None:
            what = identifier
        title = self.text(fields["title"][1], f"{what}.title")
        theme = self.term(fields["theme"][1], f"{what}.theme", vocab.themes)
        stance = self.term(fields["stance"][1], f"{what}.stance", vocab.stances)

        def actor(child: Node, label: str) -> str | None:
            return self.term(child, label, vocab.actors)

        actors = self.listed(fields["actors"][1], f"{what}.actors", actor)
        if actors is not None and len(set(actors)) != len(actors):
            self.problem(fields["actors"][1], f"{what}.actors: an actor is listed twice")
            actors = None
        status_node = fields["status"][1]
        status = self.term(status_node, f"{what}.status", vocab.statuses)
        quotes = self.listed(fields["quotes"][1], f"{what}.quotes", self.text)
        self.keep_quotes(identifier or what, fields["quotes"][1], quotes)

        def change(child: Node, label: str) -> StatusChange | None:
            return self.change(child, label, vocab.statuses)

        history = self.listed(fields["history"][1], f"{what}.history", change)
        if history:
            for i in range(1, len(history)):
                if history[i].date < history[i - 1].date:
                    entry = fields["history"][1].value[i]
                    self.problem(
                        entry,
                        f"{what}.history[{i + 1}]: dated {history[i].date}, before the "
                        f"entry above it ({history[i - 1].date}); keep history oldest first",
                    )
            if status is not None and history[-1].status != status:
                self.problem(
                    status_node,
                    f"{what}.status: '{status}' differs from the newest history "
                    f"entry ({history[-1].date}: '{history[-1].status}')",
                )
        if (
            identifier is None
            or title is None
            or theme is None
            or stance is None
            or actors is None
            or status is None
            or quotes is None
            or not history
        ):
            return None
        return Recommendation(
            identifier, title, theme, stance, tuple(actors), status, tuple(quotes), tuple(history)
        )

    def change(self, node: Node, what: str, statuses: Vocabulary) -> StatusChange | None:
        fields = self.mapping(node, what, CHANGE_FIELDS)
        if fields is None or "date" not in fields or "status" not in fields:
            return None
        day = self.day(fields["date"][1], f"{what}.date")
        status = self.term(fields["status"][1], f"{what}.status", statuses)
        note = self.optional_text(fields, "note", f"{what}.note")
        by = self.optional_text(fields, "by", f"{what}.by")
        source = self.optional_text(fields, "source", f"{what}.source")
        if day is None or status is None:
            return None
        return StatusChange(day, status, note, by, source)

    # --- layout for edits ------------------------------------------------------------

    def layout(self, node: Node, following: Node | None, sequence: Node) -> RecordLayout:
        text = self.source
        start = text.rfind("\n", 0, node.start_mark.index) + 1
        end = (
            _line_start(text, following.start_mark.index) if following else sequence.end_mark.index
        )
        status = self.field(node, "status")
        history = self.field(node, "history")
        if isinstance(history, SequenceNode) and history.flow_style:
            # An inline list cannot take a new block entry; marked so the writer refuses.
            return RecordLayout(
                start, end, status.start_mark.index, status.end_mark.index, -1, "", 0
            )
        status_end = status.end_mark.index
        if isinstance(status, ScalarNode) and status.style in ("|", ">"):
            # A block scalar (`status: >-` and the key on the next line) ends after its
            # line break: the new key replaces the text only, the line break stays.
            while status_end > status.start_mark.index and text[status_end - 1] in " \t\r\n":
                status_end -= 1
        last_entry = history.value[-1]
        last = _last_leaf(last_entry)
        insert = last.end_mark.index
        if insert == 0 or text[insert - 1] != "\n":
            newline = text.find("\n", insert)
            insert = len(text) if newline < 0 else newline + 1
        entry_start = last_entry.start_mark.index
        prefix = text[_line_start(text, entry_start) : entry_start]
        return RecordLayout(
            start,
            max(end, insert),
            status.start_mark.index,
            status_end,
            insert,
            prefix,
            last_entry.start_mark.column,
        )


def _peek_id(node: Node) -> str | None:
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if (
                key_node.value == "id"
                and isinstance(value_node, ScalarNode)
                and value_node.tag == _STD + "str"
                and _ID.fullmatch(value_node.value)
            ):
                return str(value_node.value)
    return None


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _last_leaf(node: Node) -> Node:
    while isinstance(node, (MappingNode, SequenceNode)) and node.value and not node.flow_style:
        last = node.value[-1]
        node = last[1] if isinstance(node, MappingNode) else last
    return node


class Rejected(NamedTuple):
    """A registry that cannot be used: every problem, and the quotes that could be read."""

    problems: list[Problem]
    quoted: list[Quoted]
    source: str | None  # the source text named by the registry, if it could be read


def parse(path: Path, text: str, root: Node, today: date) -> Parsed | Rejected:
    """The registry in `root`, or every problem found in it."""
    walk = _Walk(path, text, today)
    parsed = walk.registry(root)
    if parsed is None:
        problems = walk.problems or [Problem(Location(path, 1, 1), "the registry is incomplete")]
        return Rejected(problems, walk.quoted, walk.quote_source)
    return parsed


def parse_record(
    path: Path, text: str, span: tuple[int, int], ledger: Ledger, today: date
) -> Parsed | list[Problem]:
    """The record at text[start:end] read on its own, placed in the whole file.

    Lets a write check its edit by reading one record instead of the whole file: the piece
    is a one-item block list, as it stands under `recommendations:`.
    """
    from wrrtrack.yamlfile import compose, count_lines

    start, end = span
    piece = text[start:end]
    walk = _Walk(path, piece, today, count_lines(text, 0, start), start)
    try:
        root = compose(path, piece)
    except RegistryInvalid as exc:  # placed in the piece: place it in the whole file
        raise RegistryInvalid(
            [
                p._replace(location=p.location._replace(line=p.location.line + walk.line_offset))
                if p.location
                else p
                for p in exc.problems
            ]
        ) from None
    if not isinstance(root, SequenceNode) or len(root.value) != 1:
        return [Problem(walk.at(root), "the edited record does not read back as one record")]
    entry = walk.record(root.value[0], None, root, 0, ledger.vocabularies)
    if entry is None:
        return walk.problems
    rec, layout, places = entry
    layout = layout._replace(end=end)
    return Parsed(dataclasses.replace(ledger, recommendations=(rec,)), {rec.id: layout}, places)
