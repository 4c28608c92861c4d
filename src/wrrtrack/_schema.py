"""The registry's schema: its fields as data, and reading a file (or one record) by them.

The shapes below say which fields each part of a registry file has, the type of each and
whether it is required; the order is the order in which a new file writes them. Reading
walks the YAML nodes once with `_nodes.NodeReader`, by these shapes, and then applies the
rules that span fields (history oldest first, the status equal to the newest entry's,
unique ids). Every problem is collected, so that `validate` lists them all; a record read
also yields its places in the text (`_places`), so that a write touches only its lines.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from yaml import MappingNode, Node, ScalarNode, SequenceNode

from wrrtrack import _places
from wrrtrack._errors import Location, Problem, RegistryInvalid
from wrrtrack._model import (
    ID_PATTERN,
    KEY_PATTERN,
    RELATIONS,
    AdviceReport,
    Label,
    Ledger,
    Reaction,
    Recommendation,
    Source,
    StatusChange,
    derived_key,
    repeated,
    url_problem,
)
from wrrtrack._nodes import STD, NodeReader, is_null
from wrrtrack._places import Parsed, moved_down
from wrrtrack._quotes import Quoted
from wrrtrack._vocabulary import DEFAULTS, Term, Vocabularies, Vocabulary

FORMAT_VERSION = 1


class Field(NamedTuple):
    """One field of a mapping in a registry file."""

    name: str
    type: str  # a type name below, or "list of" one
    required: bool = True


# Types: text, date, number (or text), id, the key of a vocabulary (theme, actor, stance,
# status), and the nested shapes (report, reaction, vocabularies, recommendation, change).
# One YAML document of a registry file: one report, or (without `report`) vocabularies
# for every report of the registry. A file holds one or more documents, `---` between them.
REGISTRY = (
    Field("format", "format", required=False),
    Field("key", "key", required=False),
    Field("sources", "list of source", required=False),
    Field("report", "report", required=False),
    Field("vocabularies", "vocabularies", required=False),
    Field("recommendations", "list of recommendation", required=False),
)
REPORT = (
    Field("publisher", "text"),
    Field("number", "number", required=False),
    Field("title", "text"),
    Field("date", "date"),
    Field("reaction", "reaction"),
    Field("context", "list of text", required=False),
)
REACTION = (
    Field("reference", "text"),
    Field("date", "date"),
    Field("url", "url", required=False),
    Field("source", "text"),  # a stored source's id; in a registry without sources, a file
    # What the reaction is called in the reports ("Collegereactie"); absent: the cabinet's.
    Field("label", "label", required=False),
)
LABEL = (Field("nl", "text"), Field("en", "text"))
# A document quotes are checked against. `file` is relative to the registry's folder and
# `sha256` the fingerprint of its bytes; publisher, date, kind and url may be unknown.
# `excerpt: true` says the file holds passages of the document, not the whole of it.
SOURCE = (
    Field("id", "id"),
    Field("title", "text"),
    Field("publisher", "text", required=False),
    Field("date", "date", required=False),
    Field("kind", "text", required=False),
    Field("url", "url", required=False),
    Field("file", "text"),
    Field("sha256", "sha256"),
    Field("excerpt", "flag", required=False),
)
TERM = (
    Field("nl", "text"),
    Field("en", "text"),
    Field("aliases", "list of text", required=False),
    Field("final", "boolean", required=False),  # a status that closes an item
)
RECOMMENDATION = (
    Field("id", "id"),
    Field("title", "text"),
    Field("theme", "theme"),
    Field("stance", "stance"),
    Field("actors", "list of actor"),
    Field("status", "status"),
    Field("due", "deadline", required=False),  # the deadline the government set itself
    Field("review", "deadline", required=False),  # when the keeper means to look again
    Field("quotes", "list of text"),
    Field("history", "list of change"),
)
CHANGE = (
    Field("date", "date"),
    Field("status", "status"),
    Field("relation", "relation", required=False),  # response or related; absent: not stated
    Field("note", "text", required=False),
    Field("by", "text", required=False),
    Field("source", "text", required=False),
    Field("quotes", "list of text", required=False),  # verbatim from the stored `source`
)

# The nested shapes by type name; with the scalar types above and "vocabularies" (a
# mapping of the sections of `_vocabulary.DEFAULTS` to terms), every type a field names.
# The JSON Schema (`render.jsonschema`) is generated from these, so it follows every field.
SHAPES = {
    "report": REPORT,
    "reaction": REACTION,
    "label": LABEL,
    "term": TERM,
    "recommendation": RECOMMENDATION,
    "change": CHANGE,
    "source": SOURCE,
}

_KEY = re.compile(KEY_PATTERN)
_SHA256 = re.compile(r"[0-9a-f]{64}")
_ID = re.compile(ID_PATTERN)


def _required(shape: tuple[Field, ...]) -> dict[str, bool]:
    return {field.name: field.required for field in shape}


class Reading(NamedTuple):
    """What reading a registry file, or one record of it, found.

    `parsed` is None when there are `problems` (in file order). `quoted` holds every quote
    that could be read, with its place, even when other parts are wrong: `validate` checks
    them in the same run.
    """

    parsed: Parsed | None
    problems: list[Problem]
    quoted: list[Quoted]
    # The source records that could be read, and where each one's fields are, even when
    # other parts are wrong: `validate` checks their fingerprints in the same run, and
    # `sources update` rewrites a fingerprint in place.
    sources: tuple[Source, ...] = ()
    source_places: dict[str, _places.SourcePlace] = {}  # noqa: RUF012 (never mutated)
    # Every report's `reaction.source`: a stored source's id, or (a report written before
    # sources were records) the file its quotes are checked against.
    reactions: tuple[str, ...] = ()
    # A folder registry's vocabulary declarations in file order: (file name, section,
    # term, report or None), so that each file's share can be cached on its own (`_parts`).
    declared: tuple[tuple[str, str, Term, str | None], ...] = ()


class _Declared(NamedTuple):
    """A vocabulary key as one document declares it."""

    section: str
    node: Node
    term: Term
    report: str | None  # the report whose document declares it; None: the whole registry


class _Document(NamedTuple):
    """One document of the file after the first pass: its fields, report and key."""

    number: int
    root: Node
    found: dict[str, tuple[Node, Node]]
    report: AdviceReport | None


class _RegistryReader(NodeReader):
    """A NodeReader that knows the registry's shapes and rules."""

    def __init__(
        self, path: Path, text: str, today: date, line_offset: int = 0, index_offset: int = 0
    ) -> None:
        super().__init__(path, today, line_offset)
        self.text_read = text
        self.index_offset = index_offset
        self.vocab = Vocabularies()
        self.quoted: list[Quoted] = []
        self.quote_source: str | None = None
        self.sources: dict[str, Source] = {}
        self.source_places: dict[str, _places.SourcePlace] = {}
        self.has_sources = False  # whether this document has a `sources` list (else: old form)
        self.report_key = ""  # the report whose document is being read
        self.report_of_document: AdviceReport | None = None  # that report (a deadline follows it)
        self.reactions: list[str] = []
        self.texts: dict[str, str] = {}  # a folder registry's texts by file (`NodeReader.paths`)
        self.declarations: list[_Declared] = []  # every document's, in file order

    def text_of(self, node: Node) -> str:
        """The text of the file `node` is in."""
        return (
            self.texts.get(node.start_mark.name, self.text_read) if self.texts else self.text_read
        )

    def elsewhere(self, node: Node, near: Node) -> str:
        """Where `node` is, for a message about `near`: its line, with its file if another."""
        place, here = self.at(node), self.at(near)
        return f"line {place.line}" if place.path == here.path else f"{place.path}:{place.line}"

    def reading(self, parsed: Parsed | None) -> Reading:
        problems = sorted(self.problems, key=lambda problem: problem.file_order)
        return Reading(
            None if problems else parsed,
            problems,
            self.quoted,
            tuple(self.sources.values()),
            self.source_places,
            tuple(self.reactions),
        )

    # --- fields by shape -------------------------------------------------------------

    def fields(self, node: Node, what: str, shape: tuple[Field, ...]) -> dict[str, Any] | None:
        """The values of a mapping's fields, read by their types; None if any is wrong.

        An optional field that is absent (or, for text, null) is left out.
        """
        found = self.mapping(node, what, _required(shape))
        if found is None or any(f.required and f.name not in found for f in shape):
            return None
        values: dict[str, Any] = {}
        for field in shape:
            if field.name not in found:
                continue
            value_node = found[field.name][1]
            if field.type == "text" and not field.required and is_null(value_node):
                continue
            values[field.name] = self.value(value_node, f"{what}.{field.name}", field.type)
        return None if any(v is None for v in values.values()) else values

    def value(self, node: Node, what: str, type_name: str) -> Any:
        if type_name.startswith("list of "):
            item = type_name.removeprefix("list of ")
            return self.listed(node, what, lambda child, label: self.value(child, label, item))
        reader: Callable[[Node, str], Any] = {
            "text": self.text,
            "date": self.day,
            "deadline": self.deadline,
            "boolean": self.boolean,
            "relation": self.relation,
            "number": self.number,
            "id": self.identifier,
            "key": self.report_key_value,
            "theme": lambda n, w: self.term(n, w, self.vocab.themes),
            "actor": lambda n, w: self.term(n, w, self.vocab.actors),
            "stance": lambda n, w: self.term(n, w, self.vocab.stances),
            "status": lambda n, w: self.term(n, w, self.vocab.statuses),
            "reaction": self.reaction,
            "label": self.label,
            "change": self.change,
            "source": self.source_record,
            "url": self.url,
            "sha256": self.sha256,
            "flag": self.flag,
        }[type_name]
        return reader(node, what)

    def deadline(self, node: Node, what: str) -> date | None:
        """A real calendar date written YYYY-MM-DD, which may lie ahead (a deadline)."""
        today, self.today = self.today, date.max
        try:
            return self.day(node, what)
        finally:
            self.today = today

    def boolean(self, node: Node, what: str) -> bool | None:
        if isinstance(node, ScalarNode) and node.tag == STD + "bool":
            return node.value in ("true", "True", "TRUE")
        if self.visit(node, what):
            self.problem(node, what, "expected true or false")
        return None

    def relation(self, node: Node, what: str) -> str | None:
        value = self.text(node, what)
        if value is not None and value not in RELATIONS:
            self.problem(node, what, f"'{value}' is not a relation; valid: response, related")
            return None
        return value

    def identifier(self, node: Node, what: str) -> str | None:
        identifier = self.text(node, what)
        if identifier is not None and not _ID.fullmatch(identifier):
            self.problem(
                node, what, f"'{identifier}' may hold only letters, digits, '.', '_' and '-'"
            )
            return None
        return identifier

    def report_key_value(self, node: Node, what: str) -> str | None:
        key = self.text(node, what)
        if key is not None and not _KEY.fullmatch(key):
            self.problem(node, what, f"'{key}' must be lower-case letters, digits and '-'")
            return None
        return key

    def url(self, node: Node, what: str) -> str | None:
        value = self.text(node, what)
        wrong = None if value is None else url_problem(value)
        if wrong is not None:
            self.problem(node, what, f"{value!r} {wrong}")
            return None
        return value

    def sha256(self, node: Node, what: str) -> str | None:
        value = self.text(node, what)
        if value is not None and not _SHA256.fullmatch(value):
            self.problem(
                node,
                what,
                "must be the SHA-256 of the file, 64 hex digits (lower case); "
                "'wrrtrack sources update ID' records it",
            )
            return None
        return value

    def keep_quotes(
        self,
        owner: str,
        node: Node,
        texts: list[str] | None,
        source: str | None,
        entry: int = -1,
    ) -> None:
        if texts is not None:
            self.quoted += [
                Quoted(owner, i, text, self.at(child), source, entry, self.report_key)
                for i, (text, child) in enumerate(zip(texts, node.value, strict=True))
            ]

    # --- sources ---------------------------------------------------------------------

    def read_sources(
        self, node: Node, blocks: dict[str, _places.BlockPlace], document: int = 0
    ) -> None:
        """A document's `sources` list; ids are unique across every document."""
        self.has_sources = True
        nodes = self.sequence(node, "sources")
        if nodes is None:
            return
        blocks[_places.block_path(document, "sources")] = _places.block_place(
            self.text_of(node), node
        )
        for i, child in enumerate(nodes):
            source = self.value(child, f"sources[{i + 1}]", "source")
            if source is None:
                continue
            if source.id in self.sources:
                self.problem(
                    self.field_node(child, "id"),
                    f"sources[{i + 1}].id",
                    f"duplicate source id '{source.id}'",
                )
                continue
            self.sources[source.id] = source
            file_node = self.field_node(child, "file")
            sha_node = self.field_node(child, "sha256")
            self.source_places[source.id] = _places.SourcePlace(
                self.at(file_node),
                self.at(sha_node),
                sha_node.start_mark.index + self.index_offset,
                sha_node.end_mark.index + self.index_offset,
            )

    def source_record(self, node: Node, what: str) -> Source | None:
        values = self.fields(node, what, SOURCE)
        if values is None:
            return None
        return Source(
            values["id"],
            values["file"],
            values["title"],
            values.get("publisher"),
            values.get("date"),
            values.get("kind"),
            values.get("url"),
            values["sha256"],
            values.get("excerpt", False),
        )

    def stored_source(self, node: Node, what: str, identifier: str, why: str) -> bool:
        """Whether `identifier` names a stored source; a placed problem if not."""
        if identifier in self.sources:
            return True
        import difflib  # only on the way to an error message

        close = difflib.get_close_matches(identifier, list(self.sources), n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        known = ", ".join(self.sources) or "none (add a 'sources' list)"
        self.problem(
            node, what, f"'{identifier}' is not a stored source; {why}; {hint}ids: {known}"
        )
        return False

    # --- the registry ----------------------------------------------------------------

    def registry(self, roots: list[Node]) -> Parsed | None:
        """Every document of a file: first their reports and vocabularies, then, with the
        vocabularies of the whole registry known, every document's recommendations."""
        blocks: dict[str, _places.BlockPlace] = {}
        founds = [self.mapping(root, "registry", _required(REGISTRY)) for root in roots]
        for n, found in enumerate(founds):  # first every stored source, which any report names
            if found is not None and "sources" in found:
                self.read_sources(found["sources"][1], blocks, n)
        documents = [
            self.document_head(n, root, found, blocks)
            for n, (root, found) in enumerate(zip(roots, founds, strict=True))
        ]
        read = [document for document in documents if document is not None]
        self.unique_keys(read)
        declared = [entry for document in read for entry in self.declared(document, blocks)]
        self.declarations = declared
        self.vocab, local = self.merged(declared)
        placed: list[_places.Placed] = []
        first: dict[str, Node] = {}
        keys: list[str | None] = [None] * len(roots)
        reports: list[AdviceReport] = []
        registry_vocab = self.vocab
        for document in read:
            report = document.report
            keys[document.number] = report.key if report else None
            if report is None:
                continue
            reports.append(report)
            self.report_key = report.key
            self.report_of_document = report
            self.quote_source = report.reaction.source
            self.vocab = Ledger((), registry_vocab, (), local=local).vocabularies_of(report.key)
            placed += self.recommendations(document, blocks, first)
        self.vocab = registry_vocab
        quote_places = {q.key: q.place for q in self.quoted if q.place}
        if self.problems or len(read) < len(roots):
            return None
        ledger = Ledger(
            tuple(reports),
            registry_vocab,
            tuple(entry.record for entry in placed),
            tuple(self.sources.values()),
            local,
        )
        layouts = {entry.record.id: entry.layout for entry in placed}
        return Parsed(ledger, layouts, quote_places, blocks, tuple(keys))

    def unique_keys(self, documents: list[_Document]) -> None:
        """A report's key names one report: a second document with it is a problem (in a
        folder registry, typically a file copied to start a new report)."""
        first: dict[str, Node] = {}
        for document in documents:
            if document.report is None:
                continue
            node = (document.found.get("key") or document.found["report"])[0]
            folded = document.report.key.casefold()
            if folded in first:
                self.problem(
                    node,
                    "key",
                    f"duplicate report key '{document.report.key}' (first on "
                    f"{self.elsewhere(first[folded], node)}); give each report its own key",
                )
            else:
                first[folded] = node

    def document_head(
        self,
        n: int,
        root: Node,
        found: dict[str, tuple[Node, Node]] | None,
        blocks: dict[str, _places.BlockPlace],
    ) -> _Document | None:
        """A document's fields and its report (with its key), or None."""
        if found is None:
            return None
        self.has_sources = "sources" in found
        blocks[_places.block_path(n, "")] = _places.block_place(self.text_of(root), root)
        if "format" in found:
            node = found["format"][1]
            if not (isinstance(node, ScalarNode) and node.value == str(FORMAT_VERSION)):
                self.problem(node, "format", f"this wrrtrack reads format {FORMAT_VERSION}")
        if "report" not in found:
            for name in ("key", "recommendations"):
                if name in found:
                    self.problem(
                        found[name][0],
                        name,
                        "belongs to a report: add the 'report' it belongs to, or move it "
                        "into that report's document",
                    )
            return _Document(n, root, found, None)
        key = self.value(found["key"][1], "key", "key") if "key" in found else None
        self.report_key = key or ""
        report = self.report(found["report"][1])
        self.report_key = ""
        if report is None:
            return None
        if key is None and "key" not in found:
            key = derived_key(report.publisher, report.number)
            if key is None:
                self.problem(
                    found["report"][0],
                    "report",
                    "a report without a number needs a key: add 'key: …' (lower-case "
                    "letters, digits and '-') to its document",
                )
        if key is None:
            return None
        if "key" not in found:  # the context's quotes were read before the key was known
            self.quoted = [
                q._replace(report=key) if not q.owner and not q.report else q for q in self.quoted
            ]
        return _Document(n, root, found, report._replace(key=key))

    def declared(
        self, document: _Document, blocks: dict[str, _places.BlockPlace]
    ) -> list[_Declared]:
        if "vocabularies" not in document.found:
            return []
        owner = document.report.key if document.report else None
        node = document.found["vocabularies"][1]
        found = self.mapping(node, "vocabularies", dict.fromkeys(DEFAULTS, False))
        if found is None:
            return []
        path = functools.partial(_places.block_path, document.number)
        blocks[path("vocabularies")] = _places.block_place(self.text_of(node), node)
        declared = []
        for section, (_, section_node) in found.items():
            what = f"vocabularies.{section}"
            entries = self.mapping(section_node, what, None)
            if entries is not None:
                blocks[path(what)] = _places.block_place(self.text_of(section_node), section_node)
            declared += [
                _Declared(section, key_node, term, owner)
                for key_node, value_node in (entries or {}).values()
                if (term := self.vocabulary_term(key_node, value_node, what))
            ]
        return declared

    def merged(
        self, declared: list[_Declared]
    ) -> tuple[Vocabularies, dict[str, dict[str, frozenset[str]]]]:
        """The registry's vocabularies from every declaration, and the keys only some
        reports declare; a key declared twice must mean the same both times."""
        first: dict[tuple[str, str], _Declared] = {}
        owners: dict[tuple[str, str], set[str | None]] = {}
        for entry in declared:  # in file order, which is the order of display
            place = (entry.section, entry.term.key)
            earlier = first.get(place)
            if earlier is not None and earlier.term != entry.term:
                where = f"report '{earlier.report}'" if earlier.report else "the registry"
                where += f" ({self.elsewhere(earlier.node, entry.node)})"
                self.problem(
                    entry.node,
                    f"vocabularies.{entry.section}.{entry.term.key}",
                    f"declared differently by {where}; "
                    "a key means the same in every report: give it the same labels, or "
                    "use another key",
                )
                continue
            first.setdefault(place, entry)
            owners.setdefault(place, set()).add(entry.report)
        merged = {
            section: DEFAULTS[section].extended(
                entry.term for entry in first.values() if entry.section == section
            )
            for section in DEFAULTS
        }
        for section in DEFAULTS:
            self.collisions(
                f"vocabularies.{section}",
                [(e.node, e.term) for e in first.values() if e.section == section],
                merged[section],
            )
        local: dict[str, dict[str, frozenset[str]]] = {}
        for (section, key), reports in owners.items():
            if None not in reports and key not in DEFAULTS[section]:
                local.setdefault(section, {})[key] = frozenset(r for r in reports if r)
        return Vocabularies(**merged), local

    def recommendations(
        self, document: _Document, blocks: dict[str, _places.BlockPlace], first: dict[str, Node]
    ) -> list[_places.Placed]:
        if "recommendations" not in document.found:
            return []
        seq_node = document.found["recommendations"][1]
        nodes = self.sequence(seq_node, "recommendations")
        if nodes is None:
            return []
        blocks[_places.block_path(document.number, "recommendations")] = _places.block_place(
            self.text_of(seq_node), seq_node
        )
        placed = []
        for i, node in enumerate(nodes):
            following = nodes[i + 1] if i + 1 < len(nodes) else None
            entry = self.record(node, following, seq_node, i)
            if entry is None:
                continue
            rec = entry.record
            folded = rec.id.casefold()
            if folded in first:
                self.problems.append(
                    Problem(
                        self.at(node),
                        f"duplicate id '{rec.id}' (first on {self.elsewhere(first[folded], node)})",
                        rec.id,
                        "id",
                    )
                )
                continue
            first[folded] = node
            placed.append(entry)
        return placed

    def record(
        self, node: Node, following: Node | None, sequence: Node, i: int
    ) -> _places.Placed | None:
        """One recommendation with its layout and the places of its quotes."""
        first_quote = len(self.quoted)
        rec = self.recommendation(node, f"recommendations[{i + 1}]")
        if rec is None:
            return None
        layout = _places.record_layout(
            self.text_of(node), node, following, sequence, self.index_offset
        )
        places = {q.key: q.place for q in self.quoted[first_quote:] if q.place}
        return _places.Placed(rec, layout, places)

    def collisions(
        self, what: str, declared: list[tuple[Node, Term]], vocabulary: Vocabulary
    ) -> None:
        """A declared key or alias that is another term's key or alias: input could reach
        only one of them, so which one would be a silent guess."""
        # Each spelling's terms, once: a declared term meets only the terms it shares a
        # spelling with (linear in the vocabulary, where comparing every pair was not).
        position = {other.key: i for i, other in enumerate(vocabulary.terms)}
        by_spelling: dict[str, list[Term]] = {}
        for other in vocabulary.terms:
            for spelling in {s.casefold() for s in (other.key, *other.aliases)}:
                by_spelling.setdefault(spelling, []).append(other)
        reported: set[frozenset[str]] = set()
        for key_node, term in declared:
            spellings = {s.casefold() for s in (term.key, *term.aliases)}
            sharing = {
                other.key: other
                for spelling in spellings
                for other in by_spelling.get(spelling, ())
                if other.key != term.key
            }
            for other in sorted(sharing.values(), key=lambda o: position[o.key]):
                pair = frozenset((term.key, other.key))
                if pair in reported:
                    continue
                clash = sorted(spellings & {s.casefold() for s in (other.key, *other.aliases)})
                reported.add(pair)
                role = "the key" if clash[0] == other.key.casefold() else "an alias"
                self.problem(
                    key_node,
                    f"{what}.{term.key}",
                    f"'{clash[0]}' is already {role} of {vocabulary.name} '{other.key}'; "
                    f"each key and alias must name one {vocabulary.name}, so rename one "
                    "of them",
                )

    def vocabulary_term(self, key_node: Node, value_node: Node, what: str) -> Term | None:
        key = key_node.value
        if not _KEY.fullmatch(key):
            self.problem(key_node, what, f"key '{key}' must be lower-case letters, digits, '-'")
            return None
        values = self.fields(value_node, f"{what}.{key}", TERM)
        if values is None:
            return None
        final = values.get("final")
        if (
            final
            and what.removeprefix("vocabularies.") in DEFAULTS
            and what != "vocabularies.statuses"
        ):
            self.problem(
                self.field_node(value_node, "final"),
                f"{what}.{key}.final",
                "only a status can be final (it closes an item)",
            )
            return None
        if final is None:  # a built-in status declared again stays final unless told
            builtin = DEFAULTS.get(what.removeprefix("vocabularies."))
            final = builtin is not None and key in builtin and builtin.term(key).final
        return Term(key, values["nl"], values["en"], tuple(values.get("aliases", ())), final)

    def report(self, node: Node) -> AdviceReport | None:
        values = self.fields(node, "report", REPORT)
        if values is None:
            return None
        if "context" in values:
            context_node = self.field_node(node, "context")
            self.keep_quotes("", context_node, values["context"], self.quote_source)
        return AdviceReport(
            values["publisher"],
            values.get("number"),
            values["title"],
            values["date"],
            values["reaction"],
            tuple(values.get("context", ())),
        )

    def reaction(self, node: Node, what: str) -> Reaction | None:
        values = self.fields(node, what, REACTION)
        if values is None:
            return None
        self.quote_source = values["source"]
        self.reactions.append(values["source"])
        source_node = self.field_node(node, "source")
        reaction = Reaction(
            values["reference"],
            values["date"],
            values["source"],
            values.get("url"),
            values.get("label"),
        )
        if values["source"] in self.sources:  # a stored source, of this document or another
            return reaction
        if not self.has_sources:  # the old form: the file itself, placed for messages
            place = self.at(source_node)
            self.source_places[values["source"]] = _places.SourcePlace(place, place, -1, -1)
        if self.has_sources and not self.stored_source(
            source_node,
            f"{what}.source",
            values["source"],
            "the report's quotes are checked against it",
        ):
            return None
        return reaction

    def label(self, node: Node, what: str) -> Label | None:
        values = self.fields(node, what, LABEL)
        return None if values is None else Label(values["nl"], values["en"])

    def recommendation(self, node: Node, what: str) -> Recommendation | None:
        self.item = _peek_id(node)
        try:
            return self.checked_recommendation(node, self.item or what)
        finally:
            self.item = None

    def checked_recommendation(self, node: Node, what: str) -> Recommendation | None:
        found = self.mapping(node, what, _required(RECOMMENDATION))
        if found is None or any(f.required and f.name not in found for f in RECOMMENDATION):
            return None
        values: dict[str, Any] = {}
        for field in RECOMMENDATION:
            if field.name not in found:
                continue
            value_node = found[field.name][1]
            values[field.name] = self.value(value_node, f"{what}.{field.name}", field.type)
            if field.name == "id" and values["id"] is not None:
                what = values["id"]
            if field.name == "quotes":
                owner = values["id"] or what
                self.keep_quotes(owner, value_node, values["quotes"], self.quote_source)
            if field.name == "history" and values["history"]:
                for entry, (change, entry_node) in enumerate(
                    zip(values["history"], value_node.value, strict=True)
                ):
                    if change.quotes:
                        quotes_node = self.field_node(entry_node, "quotes")
                        owner = values["id"] or what
                        self.keep_quotes(
                            owner, quotes_node, list(change.quotes), change.source, entry
                        )
        actors, history, status = values["actors"], values["history"], values["status"]
        if actors is not None and repeated(actors) is not None:
            self.problem(found["actors"][1], f"{what}.actors", "an actor is listed twice")
            values["actors"] = None
        if history:
            for i in range(1, len(history)):
                if history[i].date < history[i - 1].date:
                    self.problem(
                        found["history"][1].value[i],
                        f"{what}.history[{i + 1}]",
                        f"dated {history[i].date}, before the entry above it "
                        f"({history[i - 1].date}); keep history oldest first",
                    )
            if status is not None and history[-1].status != status:
                self.problem(
                    found["status"][1],
                    f"{what}.status",
                    f"'{status}' differs from the newest history entry "
                    f"({history[-1].date}: '{history[-1].status}')",
                )
        due = values.get("due")
        report = self.report_of_document
        if due is not None and report is not None and due < report.date:
            self.problem(
                found["due"][1],
                f"{what}.due",
                f"{due} is before the report's date ({report.date}); a deadline follows the advice",
            )
            return None
        if any(value is None for value in values.values()) or not history:
            return None
        return Recommendation(
            values["id"],
            values["title"],
            values["theme"],
            values["stance"],
            tuple(values["actors"]),
            status,
            tuple(values["quotes"]),
            tuple(history),
            self.report_key,
            due,
            values.get("review"),
        )

    def change(self, node: Node, what: str) -> StatusChange | None:
        values = self.fields(node, what, CHANGE)
        if values is None:
            return None
        quotes = tuple(values.get("quotes", ()))
        if quotes:
            if "source" not in values:
                self.problem(
                    self.field_node(node, "quotes"),
                    f"{what}.quotes",
                    "quotes need a 'source': the id of the stored source they are found in",
                )
                return None
            if not self.stored_source(
                self.field_node(node, "source"),
                f"{what}.source",
                values["source"],
                "quotes must come from a stored source",
            ):
                return None
        return StatusChange(
            values["date"],
            values["status"],
            values.get("note"),
            values.get("by"),
            values.get("source"),
            quotes,
            values.get("relation"),
        )

    @staticmethod
    def field_node(node: Node, name: str) -> Node:
        for key_node, value_node in node.value:
            if key_node.value == name:
                return value_node  # type: ignore[no-any-return]
        raise KeyError(name)


def _peek_id(node: Node) -> str | None:
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if (
                key_node.value == "id"
                and isinstance(value_node, ScalarNode)
                and value_node.tag == STD + "str"
                and _ID.fullmatch(value_node.value)
            ):
                return str(value_node.value)
    return None


# --- reading -----------------------------------------------------------------------------


def read_registry(path: Path, text: str, today: date) -> Reading:
    """The registry in `text`, or every problem found in it (never raises for the file)."""
    from wrrtrack._yamlfile import compose_all

    try:
        roots = compose_all(path, text)
    except RegistryInvalid as exc:
        return Reading(None, exc.problems, [])
    reader = _RegistryReader(path, text, today)
    parsed = reader.registry(roots)
    if parsed is None and not reader.problems:
        reader.problems.append(Problem(Location(path, 1, 1), "the registry is incomplete"))
    return reader.reading(parsed)


def read_files(folder: Path, files: list[tuple[Path, str]], today: date) -> Reading:
    """A folder registry: the documents of all `files` (path and text, in the folder's
    order) read as the documents of one file are, every place in its own file."""
    from wrrtrack._yamlfile import compose_all

    roots: list[Node] = []
    names: list[str] = []
    problems: list[Problem] = []
    for path, text in files:
        try:
            found = compose_all(path, text, named=True)
        except RegistryInvalid as exc:
            problems += exc.problems
            continue
        roots += found
        names += [path.name] * len(found)
    if problems:
        return Reading(None, problems, [])
    reader = _RegistryReader(folder, "", today)
    reader.paths = {str(path): path for path, _ in files}
    reader.texts = {str(path): text for path, text in files}
    parsed = reader.registry(roots)
    reading = reader.reading(parsed._replace(files=tuple(names)) if parsed else None)
    return reading._replace(
        declared=tuple(
            (Path(entry.node.start_mark.name).name, entry.section, entry.term, entry.report)
            for entry in reader.declarations
        )
    )


def merged_vocabularies(
    declared: list[tuple[str, Term, str | None]], today: date
) -> tuple[Vocabularies, dict[str, dict[str, frozenset[str]]]] | None:
    """The registry's vocabularies from declarations (section, term, report or None) as a
    full read merges them; None when the read would find a problem in them (which a full
    read then places)."""
    reader = _RegistryReader(Path(), "", today)
    nowhere: Any = None  # never read: a problem with them means a full read
    entries = [_Declared(section, nowhere, term, report) for section, term, report in declared]
    try:
        found = reader.merged(entries)
    except Exception:  # noqa: BLE001 (a problem to place: the caller reads in full)
        return None
    return None if reader.problems else found


def read_record(
    path: Path,
    text: str,
    span: tuple[int, int],
    line: int,
    ledger: Ledger,
    *,
    report: str,
    today: date,
) -> Reading:
    """The record at text[start:end] read on its own, placed in the whole file.

    `line` is the number of line breaks before it. Lets a write check its edit by reading
    one record instead of the whole file: the piece is a one-item block list, as it stands
    under `recommendations:`.
    """
    from wrrtrack._yamlfile import compose

    start, end = span
    piece = text[start:end]
    reader = _RegistryReader(path, piece, today, line, start)
    reader.vocab = ledger.vocabularies_of(report)
    reader.report_key = report
    reader.report_of_document = ledger.report_of(report)
    reader.sources = {source.id: source for source in ledger.sources}
    reader.quote_source = ledger.quote_source_of(ledger.report_of(report)).id
    try:
        root = compose(path, piece)
    except RegistryInvalid as exc:  # placed in the piece: place it in the whole file
        return Reading(None, moved_down(exc.problems, line), [])
    if not isinstance(root, SequenceNode) or len(root.value) != 1:
        problem = reader.placed(root, "the edited record does not read back as one record")
        return Reading(None, [problem], [])
    entry = reader.record(root.value[0], None, root, 0)
    if entry is None:
        return reader.reading(None)
    rec, layout, places = entry
    layout = layout._replace(end=end)  # a piece's list ends at its end
    alone = ledger._replace(recommendations=(rec,))
    return reader.reading(Parsed(alone, {rec.id: layout}, places, {}, ()))


def read_terms(
    path: Path, text: str, span: tuple[int, int], line: int, today: date
) -> dict[tuple[str, ...], Term] | None:
    """The vocabulary terms in text[start:end] by their path of keys; None on a problem.

    `line` is the number of line breaks before it. The piece is a block mapping as it
    stands in the file: a term (`key: {nl: …, en: …}`),
    or a section or `vocabularies` holding one.
    """
    from wrrtrack._yamlfile import compose

    start, end = span
    piece = text[start:end]
    reader = _RegistryReader(path, piece, today, line, start)
    try:
        root = compose(path, piece)
    except RegistryInvalid:
        return None
    found: dict[tuple[str, ...], Term] = {}

    def walk(node: Node, keys: tuple[str, ...]) -> None:
        if not isinstance(node, MappingNode):
            return
        for key_node, value_node in node.value:
            is_term = isinstance(value_node, MappingNode) and any(
                k.value == "nl" for k, _ in value_node.value
            )
            if is_term:
                term = reader.vocabulary_term(key_node, value_node, "vocabularies")
                if term is not None:
                    found[(*keys, term.key)] = term
            else:
                walk(value_node, (*keys, key_node.value))

    walk(root, ())
    return None if reader.problems else found
