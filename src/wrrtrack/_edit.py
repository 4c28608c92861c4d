"""Every change to a registry's text is made here: places, splices, read-back and shifts.

Reading a registry (`_schema`) yields a `Parsed`: the values, and the places in the text
that changes need. Each operation below takes the text, its parse and a change, and
returns the new text and the new parse (`Edited`). It

1. splices the change in, touching no character outside the part it changes;
2. reads that part back on its own and checks it equals the intended value (else it
   raises `WrrtrackError` and the caller writes nothing);
3. moves the places of everything after it, so that no full parse is needed.

The operations are built from three kinds of splice: replace a scalar value, append an
entry to a block list, add a key to a block mapping (creating the mapping if absent).
Writing the bytes (atomically, under the lock) is `_registry`'s and `storage`'s business.

The places themselves (`Parsed`, `RecordLayout`, …) live in `_places`. This module is
imported by every writer, so it imports PyYAML and the schema only inside the operations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from wrrtrack._errors import InvalidChange, Location, RegistryInvalid, WrrtrackError
from wrrtrack._model import Ledger, Recommendation, Source, StatusChange
from wrrtrack._places import (
    BlockPlace,
    Document,
    Parsed,
    RecordLayout,
    block_path,
    line_start,
    moved_down,
)
from wrrtrack._vocabulary import DEFAULTS, Term, Vocabulary

if TYPE_CHECKING:
    from wrrtrack._schema import Reading


_STEP = 2  # the indentation of a mapping created by an edit, as the shipped registry has it

# --- splices --------------------------------------------------------------------------------


class _Splice(NamedTuple):
    start: int
    end: int
    text: str


# Every line break YAML (1.1, as PyYAML reads it) knows; a file's new lines get its own.
_BREAKS = ("\n", "\r", "\x85", "\u2028", "\u2029")


def _newline(text: str, start: int, end: int) -> str:
    """The line break the text uses (its first one in text[start:end]; LF if none)."""
    from wrrtrack._yamlfile import first_line_break

    return first_line_break(text, start, end) or "\n"


def _lines_at(text: str, at: int, lines: list[str], newline: str) -> _Splice:
    """Whole lines inserted at a line start (or at the end of a file without a final break)."""
    piece = newline.join(lines) + newline
    if at == len(text) and text and not text.endswith(_BREAKS):
        piece = newline + piece
    return _Splice(at, at, piece)


def _apply(text: str, splices: list[_Splice]) -> str:
    for splice in sorted(splices, reverse=True):
        text = text[: splice.start] + splice.text + text[splice.end :]
    return text


def _growable(doc: Document, path: str, what: str) -> BlockPlace:
    """The place of the block collection `path` (`block_path`) of `doc`; one written inline
    (`recommendations: []`) cannot grow, and the message says where it is."""
    place = doc.parsed.blocks[path]
    if place.insert < 0:
        where = _inline_place(doc, path)
        raise WrrtrackError(
            f"{f'{where}: ' if where else f'{doc.path}: '}{what} is written as an inline "
            "list or mapping; write it as a block (one entry per line) to change it"
        )
    return place


def _inline_place(doc: Document, path: str) -> Location | None:
    """Where the collection at `path` starts in `doc`'s text: found again by reading the
    text (only on the way to an error), as `Parsed` keeps no place for it."""
    from yaml import MappingNode

    from wrrtrack._yamlfile import compose_all

    head, colon, keys = path.partition(":")
    number = int(head) if colon else 0
    keys = keys if colon else path
    files = doc.parsed.files
    if files and number < len(files):  # a folder's documents are numbered across its files
        number -= files.index(files[number])
    try:
        nodes = compose_all(doc.path, doc.text)
    except WrrtrackError:
        return None
    node = nodes[number] if number < len(nodes) else None
    for key in filter(None, keys.split(".")):
        found = node.value if isinstance(node, MappingNode) else []
        node = next((value for name, value in found if name.value == key), None)
    if node is None:
        return None
    return Location(doc.path, node.start_mark.line + 1, node.start_mark.column + 1)


# --- shifting the places of what follows a change --------------------------------------------


def _shifted(
    parsed: Parsed,
    *,
    at: int,
    grown: int,
    line: int,
    added_lines: int,
    ancestors: Sequence[str],
    replaced: str | None = None,
) -> tuple[dict[str, RecordLayout], dict[tuple[str, int], Location], dict[str, BlockPlace]]:
    """The places of `parsed` after `grown` characters and `added_lines` lines were inserted.

    `at` is the first changed character and `line` the number of line breaks before it.
    Records starting after `at` move; so do quotes below `line`, and the insert points
    after `at` (or at it, for the collections the change was made in: `ancestors`).
    The record `replaced` is left out: its places come from reading it back.
    """
    layouts = {
        key: (layout.shifted(grown) if layout.start >= at else layout)
        for key, layout in parsed.layouts.items()
        if key != replaced
    }
    quote_places = {
        key: (place._replace(line=place.line + added_lines) if place.line > line else place)
        for key, place in parsed.quote_places.items()
        if key[0] != replaced or not replaced
    }
    blocks = {}
    for path, place in parsed.blocks.items():
        moves = place.insert > at or (place.insert == at and path in ancestors)
        blocks[path] = place._replace(insert=place.insert + grown) if moves else place
    return layouts, quote_places, blocks


def _line_ended(parsed: Parsed, at: int, by: int) -> Parsed:
    """`parsed` after a line break of `by` characters was added at the end of a file (at
    `at`) that had none: what ended there now ends after it."""

    def moved(offset: int) -> int:
        return offset + by if offset == at else offset

    layouts = {
        key: layout._replace(end=moved(layout.end), history_insert=moved(layout.history_insert))
        for key, layout in parsed.layouts.items()
    }
    blocks = {
        path: place._replace(insert=moved(place.insert)) for path, place in parsed.blocks.items()
    }
    return parsed._replace(layouts=layouts, blocks=blocks)


def _after_insert(
    parsed: Parsed, place: BlockPlace, inserted: _Inserted, ancestors: Sequence[str]
) -> tuple[dict[str, RecordLayout], dict[tuple[str, int], Location], dict[str, BlockPlace]]:
    """The places of `parsed` after whole lines were inserted at `place` (`_insert`)."""
    parsed = _line_ended(parsed, place.insert, inserted.span[0] - place.insert)
    return _shifted(
        parsed,
        at=inserted.span[0],
        grown=inserted.span[1] - inserted.span[0],
        line=inserted.start_line,
        added_lines=inserted.added_lines - (inserted.start_line - inserted.line),
        ancestors=ancestors,
    )


# --- reading a changed part back -------------------------------------------------------------


def _record_checked(
    doc: Document,
    new_text: str,
    *,
    layout: RecordLayout,
    before: Recommendation,
    after: Recommendation,
    today: date,
) -> tuple[Parsed, int, tuple[int, int]]:
    """Read the record `before` was, in `new_text`, back on its own: it must be `after`.
    Returns that reading, how much the text grew and the record's span in the new text."""
    from wrrtrack._yamlfile import count_lines

    grown = len(new_text) - len(doc.text)
    span = (layout.start, layout.end + grown)
    line = count_lines(doc.text, 0, layout.start)
    reading = _record_back(doc._replace(text=new_text), span, line, before.report, today)
    if reading.parsed is None:
        raise RegistryInvalid(reading.problems)  # placed where they are in the new text
    if reading.parsed.ledger.recommendations != (after,):
        raise _refuse(doc.path, before.id)
    return reading.parsed, grown, span


def _record_back(
    doc: Document, span: tuple[int, int], line: int, report: str, today: date
) -> Reading:
    """The one record of `report` at text[span] read on its own (`line` line breaks
    before it)."""
    from wrrtrack._schema import read_record

    return read_record(
        doc.path, doc.text, span, line, doc.parsed.ledger, report=report, today=today
    )


def _refuse(path: Path, what: str) -> WrrtrackError:
    return WrrtrackError(
        f"{path}: {what}: the change could not be written without disturbing other "
        "content (unusual layout); the file is unchanged"
    )


class _Inserted(NamedTuple):
    text: str  # the whole new text
    span: tuple[int, int]  # the inserted lines in it
    line: int  # line breaks before the insertion point
    start_line: int  # line breaks before the first inserted line
    added_lines: int


def _insert(doc: Document, place: BlockPlace, lines: list[str]) -> _Inserted:
    """`lines` inserted at `place`, with the file's own line ending."""
    from wrrtrack._yamlfile import count_lines

    newline = _newline(doc.text, 0, min(len(doc.text), 4096))
    splice = _lines_at(doc.text, place.insert, lines, newline)
    text = _apply(doc.text, [splice])
    ended = place.insert == len(doc.text) and doc.text and not doc.text.endswith(_BREAKS)
    start = place.insert + (len(newline) if ended else 0)  # the line break `_lines_at` added
    end = place.insert + len(splice.text)
    line = count_lines(doc.text, 0, place.insert)
    added = count_lines(splice.text)
    return _Inserted(text, (start, end), line, line + (start > place.insert), added)


# --- the operations -----------------------------------------------------------------------


def set_status(
    doc: Document, identifier: str, change: StatusChange, *, today: date
) -> tuple[Document, Recommendation, Recommendation]:
    """Set a record's status and append `change` to its history (replace a scalar, append
    an entry to a block list). Returns the new document, and the record before and after.

    The rules of a change (`Recommendation.with_change`) are applied first.
    """
    from wrrtrack._yamlfile import block_lines, change_mapping, yaml_scalar

    text, parsed = doc.text, doc.parsed
    before = parsed.ledger.get(identifier)
    after = before.with_change(change)
    layout = parsed.layouts[before.id]
    if layout.history_insert < 0:
        raise WrrtrackError(
            f"{before.id}: its history is written as an inline list; "
            "write it as a block list (one '- date: …' entry per line) to change it"
        )
    newline = _newline(text, layout.start, layout.end)
    entry = block_lines(change_mapping(change), layout.entry_prefix, layout.entry_indent)
    new_text = _apply(
        text,
        [
            _Splice(layout.status_start, layout.status_end, yaml_scalar(change.status)),
            _lines_at(text, layout.history_insert, entry, newline),
        ],
    )
    edited = _record_replaced(doc, new_text, before, after, today=today)
    return edited, before, after


# The scalar fields of a record `set_field` may set, replace or remove, each after the
# field before it in the order a new record writes them (`_schema.RECOMMENDATION`).
_SETTABLE = {"due": ("status",), "review": ("due", "status")}


def set_field(
    doc: Document, after: Recommendation, name: str, *, today: date
) -> tuple[Document, Recommendation, Recommendation]:
    """Set, replace or remove (when `after` holds None) the scalar field `name` (`due`,
    `review`) of the record `after.id`, which must differ from the record as it stands in
    no other field. One line changes: the field's own, or a new one after the field
    before it. Returns the new document, and the record before and after.

    The record is read back on its own (so `due` before the report's date is refused as
    `validate` refuses it) and must equal `after`.
    """
    import re

    from wrrtrack._yamlfile import record_mapping

    if name not in _SETTABLE:
        raise ValueError(f"set_field sets {', '.join(_SETTABLE)}, not {name!r}")
    text, parsed = doc.text, doc.parsed
    before = parsed.ledger.get(after.id)
    if before._replace(**{name: getattr(after, name)}) != after:
        raise ValueError(f"set_field changes {name} only")
    layout = parsed.layouts[before.id]
    status_line = text.rfind("\n", 0, layout.status_start) + 1
    prefix = re.match(r"( *)status *:", text[status_line : layout.status_start])
    if prefix is None:
        raise _refuse(doc.path, before.id)
    indent = prefix[1]

    def line_of(field: str) -> tuple[int, int] | None:
        """The span of the record's line `field: …`, its line break included."""
        found = re.compile(rf"^{indent}{field} *:[^\r\n]*(?:\r?\n|$)", re.MULTILINE).search(
            text, layout.start, layout.end
        )
        return (found.start(), found.end()) if found else None

    value = record_mapping(after).get(name)
    newline = _newline(text, layout.start, layout.end)
    line = f"{indent}{name}: {value}{newline}" if value is not None else ""
    own = line_of(name)
    if own is not None:
        start, end = own
        if line and not text[start:end].endswith(("\n", "\r")):  # the file's last line
            line = line.removesuffix(newline)
    else:
        if not line:
            raise InvalidChange(f"{before.id} has no {{field}} to remove", name)
        start = end = max((span[1] for f in _SETTABLE[name] if (span := line_of(f))), default=-1)
        if start < 0 or not text[start - 1 : start] == "\n":
            raise _refuse(doc.path, before.id)  # a status on the file's last line, unended
    new_text = text[:start] + line + text[end:]
    return _record_replaced(doc, new_text, before, after, today=today), before, after


def _document_of(parsed: Parsed, report: str | None) -> int:
    """The number of the document holding `report` (None: the registry's vocabularies)."""
    if report is None and not parsed.documents:
        return 0
    try:
        return parsed.documents.index(report)
    except ValueError:
        what = f"no report '{report}'" if report else "no document of vocabularies"
        raise WrrtrackError(f"the registry file holds {what}") from None


def _ancestors(parsed: Parsed, report: str | None, *paths: str) -> list[str]:
    """The block paths an insertion at the end of `paths` (in `report`'s document) is
    the end of too: the document's top-level mapping and each path."""
    document = _document_of(parsed, report) if parsed.documents else 0
    return [block_path(document, path) for path in ("", *paths)]


def _separated(text: str, place: BlockPlace) -> bool:
    """Whether the entries of the block list ending at `place` have a blank line between
    them (as the shipped registry's records have), so that a new one gets one too."""
    before = text[: place.insert].rstrip("\r\n").rsplit("\n", 1)[0]
    start = before.rfind("\n" + place.prefix)
    if start < 0:
        return False
    if text[: start + 1].endswith(("\n\n", "\n\r\n")):
        return True
    # The only entry, right under its key: the shipped layout, a blank line between.
    return text[:start].rstrip("\r").endswith(":")


def _blank_before(text: str, place: BlockPlace) -> bool:
    """Whether the line before `place` is blank: then no blank line goes before new lines.

    A collection ends before the blank lines after it, unless it ends in a block scalar
    that keeps them (`|+`, `>+`): they are its text, and a blank line added after them
    would join it, changing another value."""
    from wrrtrack._places import line_start

    at = place.insert
    if at <= 0 or at > len(text) or text[at - 1] not in "\n\r\x85\u2028\u2029":
        return False
    before = line_start(text, at - 1 - (text[at - 2 : at] == "\r\n"))
    return not text[before:at].strip(" \t\r\n\x85\u2028\u2029")


def append_record(doc: Document, record: Recommendation, *, today: date) -> Document:
    """Append a whole new recommendation to its report's `recommendations` block list,
    creating the list (at the end of the report's document) when the report has none.

    The record must read back as itself: its keys must be in the vocabularies its report
    may use, its dates real and not after `today`, and so on (`RegistryInvalid` otherwise).
    """
    from wrrtrack._yamlfile import block_lines, record_mapping

    parsed = doc.parsed
    taken = [r.id for r in parsed.ledger.recommendations if r.id.casefold() == record.id.casefold()]
    if taken:
        # Ids match in any case: name the one that is there ('Z-1' when 'z-1' was given).
        raise InvalidChange(f"a recommendation with id '{taken[0]}' exists already", "id")
    document = _document_of(parsed, record.report) if parsed.documents else 0
    path = block_path(document, "recommendations")
    if path in parsed.blocks:
        place = _growable(doc, path, "recommendations")
        lines = block_lines(record_mapping(record), place.prefix, place.indent)
        lead = 1 if _separated(doc.text, place) and not _blank_before(doc.text, place) else 0
        lines = [""] * lead + lines
    else:  # the report's first record: the list is created, in the shipped layout
        place = _growable(doc, block_path(document, ""), "the report's document")
        lines = ["", "recommendations:", *block_lines(record_mapping(record), "  - ", 4)]
        lead = 2
        if _blank_before(doc.text, place):
            lines, lead = lines[1:], 1
    inserted = _insert(doc, place, lines)
    newline = _newline(doc.text, 0, min(len(doc.text), 4096))
    skip = sum(len(line) + len(newline) for line in lines[:lead])
    span = (inserted.span[0] + skip, inserted.span[1])
    reading = _record_back(
        doc._replace(text=inserted.text), span, inserted.start_line + lead, record.report, today
    )
    if reading.parsed is None:
        raise RegistryInvalid(reading.problems)  # the record itself is not valid
    piece = reading.parsed
    if piece.ledger.recommendations != (record,):
        raise _refuse(doc.path, record.id)
    ancestors = _ancestors(parsed, record.report, "recommendations")
    layouts, places, blocks = _after_insert(parsed, place, inserted, ancestors)
    previous = [rec.id for rec in parsed.ledger.recommendations if rec.report == record.report]
    if previous:  # the record before it now ends where the new one starts
        layouts[previous[-1]] = layouts[previous[-1]]._replace(end=span[0])
    if path not in parsed.blocks:
        blocks[path] = BlockPlace(inserted.span[1], "  - ", 4)
    layouts[record.id] = piece.layouts[record.id]
    places.update(piece.quote_places)
    # In file order: after the records of its own document and of those before it.
    recs = parsed.ledger.recommendations
    order = {key: n for n, key in enumerate(parsed.documents)}
    at = len(recs)
    while at and order.get(recs[at - 1].report, 0) > document:
        at -= 1
    ledger = parsed.ledger._replace(recommendations=(*recs[:at], record, *recs[at:]))
    return Document(
        doc.path,
        inserted.text,
        parsed._replace(ledger=ledger, layouts=layouts, quote_places=places, blocks=blocks),
    )


def add_term(
    doc: Document, section: str, term: Term, *, today: date, report: str | None = None
) -> Document:
    """Add a key to the vocabulary `section` (`actors`, `themes`, …) of `report`'s
    document, or (None) of the document of vocabularies for the whole registry; a file
    without one gets one appended, unless it holds a single report, whose vocabulary
    it then is.

    The key goes at the end of the block mapping `vocabularies.<section>`; the section,
    and `vocabularies` itself, are created (at the end of their parent) when absent.
    """
    from wrrtrack._schema import read_terms

    parsed = doc.parsed
    owners = check_term(parsed.ledger, section, term, report)
    if report is None and None not in parsed.documents and len(parsed.documents) > 1:
        return append_document(doc, {"vocabularies": {section: {term.key: term}}}, today=today)
    if report is None and len(parsed.documents) == 1 and parsed.documents[0] is not None:
        # A file of one report and no document of vocabularies: the report's vocabulary
        # is the registry's.
        report = parsed.documents[0]
    document = _document_of(parsed, report)
    parts = ["vocabularies", section]
    have = 0  # how many of `parts` the file has already
    while have < len(parts) and block_path(document, ".".join(parts[: have + 1])) in parsed.blocks:
        have += 1
    parent_path = ".".join(parts[:have])
    parent = _growable(doc, block_path(document, parent_path), parent_path or "the registry")
    from wrrtrack._yamlfile import block_lines, term_mapping

    value: dict[str, Any] = {term.key: term_mapping(term)}
    for name in reversed(parts[have:]):
        value = {name: value}  # wrapped in the mappings that do not exist yet
    lines = block_lines(value, parent.prefix, parent.indent)
    # A new top-level key: a blank line first, as in the file.
    lead = 1 if have == 0 and not _blank_before(doc.text, parent) else 0
    inserted = _insert(doc, parent, [""] * lead + lines)
    terms = read_terms(doc.path, inserted.text, inserted.span, inserted.start_line, today)
    if terms is None or terms.get((*parts[have:], term.key)) != term:
        raise _refuse(doc.path, f"vocabularies.{section}.{term.key}")
    ancestors = [
        block_path(document, path)
        for path in ["", *(".".join(parts[: n + 1]) for n in range(len(parts)))]
    ]
    layouts, places, blocks = _after_insert(parsed, parent, inserted, ancestors)
    for depth in range(have, len(parts)):
        # A mapping just created: its next entry goes after the new lines, one level deeper.
        indent = parent.indent + _STEP * (depth - have + 1)
        blocks[block_path(document, ".".join(parts[: depth + 1]))] = BlockPlace(
            inserted.span[1], " " * indent, indent
        )
    vocabularies = parsed.ledger.vocabularies._replace(
        **{section: _placed_term(parsed, section, term, document)}
    )
    local = parsed.ledger.local
    if report is not None and term.key not in DEFAULTS[section]:
        owned = frozenset((report, *(owners or ())))
        local = {**local, section: {**local.get(section, {}), term.key: owned}}
    ledger = parsed.ledger._replace(vocabularies=vocabularies, local=local)
    return Document(
        doc.path,
        inserted.text,
        parsed._replace(ledger=ledger, layouts=layouts, quote_places=places, blocks=blocks),
    )


def check_term(
    ledger: Ledger, section: str, term: Term, report: str | None
) -> frozenset[str] | None:
    """Refuse a new key that exists already (unless another report's own key, declared
    by `report` with the same labels) or whose key or alias another key has; returns the
    reports that already declare it as their own."""
    vocabulary = ledger.vocabularies.by_section(section)
    owners = ledger.local.get(section, {}).get(term.key)
    if term.key in vocabulary:
        # Another report's own key may be declared by this report too, meaning the same.
        shared = owners is not None and report is not None and report not in owners
        if not shared or vocabulary.term(term.key) != term:
            raise InvalidChange(_exists(vocabulary, term, report, owners), "key")
    _check_spellings(vocabulary, term)
    return owners


def _placed_term(parsed: Parsed, section: str, term: Term, document: int) -> Vocabulary:
    """The vocabulary `section` with `term` (declared in `document`) where a full read puts
    it: after the built-in keys and every key declared in that document or before it."""
    vocabulary = parsed.ledger.vocabularies.by_section(section)
    if term.key in vocabulary:
        return vocabulary  # declared by another report already, with the same labels
    owners = parsed.ledger.local.get(section, {})
    order = {key: n for n, key in enumerate(parsed.documents)}
    registry_document = order.get(None, 0)

    def declared_in(key: str) -> int:
        if key in owners:
            return min(order.get(owner, 0) for owner in owners[key])
        return registry_document

    terms = vocabulary.terms
    at = len(terms)
    defaults = DEFAULTS[section]
    while at and terms[at - 1].key not in defaults and declared_in(terms[at - 1].key) > document:
        at -= 1
    return Vocabulary(vocabulary.name, (*terms[:at], term, *terms[at:]))


def _exists(vocabulary: Vocabulary, term: Term, report: str | None, owners: Any) -> str:
    if owners and report is not None and report not in owners:
        return (
            f"the {vocabulary.name} '{term.key}' of report(s) {', '.join(sorted(owners))} has "
            "other labels; a key means the same in every report: give the same labels, "
            "or choose another key"
        )
    return f"the {vocabulary.name} '{term.key}' exists already"


def _check_spellings(vocabulary: Vocabulary, term: Term) -> None:
    """Refuse a key or alias that is another term's key or alias: input could then reach
    only one of them, or that this term has already (an alias repeated, or its own key)."""
    given: set[str] = set()
    for spelling in (term.key, *term.aliases):
        folded = spelling.casefold()
        if folded in given:
            raise InvalidChange(
                f"'{spelling}' is given twice; each alias must differ from the key and "
                "from the other aliases",
                "aliases",
            )
        given.add(folded)
        for other in vocabulary.terms:
            if other.key == term.key:
                continue
            if folded in {s.casefold() for s in (other.key, *other.aliases)}:
                role = "the key" if folded == other.key.casefold() else "an alias"
                raise InvalidChange(
                    f"'{spelling}' is already {role} of {vocabulary.name} '{other.key}'; "
                    f"each key and alias must name one {vocabulary.name}",
                    "key" if spelling == term.key else "aliases",
                )


def append_document(doc: Document, value: dict[str, Any], *, today: date) -> Document:
    """Append a new YAML document (`---` and `value`'s lines) at the end of the file: a
    new report (`key`, `report`, …) or vocabularies for the whole registry.

    `value` holds plain values (texts, dates, `AdviceReport`, `Term`s by key); the new
    document is read back on its own and must give exactly them.
    """
    from wrrtrack._schema import read_registry
    from wrrtrack._yamlfile import document_lines

    parsed = doc.parsed
    place = BlockPlace(len(doc.text), "", 0)
    lead = [] if _blank_before(doc.text, place) else [""]
    inserted = _insert(doc, place, [*lead, "---", *document_lines(value)])
    piece = inserted.text[inserted.span[0] : inserted.span[1]]
    reading = read_registry(doc.path, piece, today)
    if reading.parsed is None:
        raise RegistryInvalid(moved_down(reading.problems, inserted.start_line))
    got = reading.parsed
    report = value.get("report")
    if got.ledger.reports != ((report._replace(key=value["key"]),) if report else ()):
        raise _refuse(doc.path, "the new document")
    if got.ledger.sources != tuple(value.get("sources", ())):
        raise _refuse(doc.path, "the new document's sources")
    taken = {source.id for source in parsed.ledger.sources} & {s.id for s in got.ledger.sources}
    if taken:
        raise InvalidChange(f"a stored source with id '{sorted(taken)[0]}' exists already", "id")
    number = len(parsed.documents)
    layouts, places, blocks = _after_insert(parsed, place, inserted, ())
    for path, block in got.blocks.items():
        blocks[block_path(number, path)] = block._replace(insert=block.insert + inserted.span[0])
    vocabularies = parsed.ledger.vocabularies
    declared = value.get("vocabularies", {})
    for section, terms in declared.items():
        vocabularies = vocabularies._replace(
            **{section: vocabularies.by_section(section).extended(terms.values())}
        )
        for term in terms.values():
            if got.ledger.vocabularies.by_section(section).term(term.key) != term:
                raise _refuse(doc.path, f"vocabularies.{section}.{term.key}")
    ledger = parsed.ledger._replace(
        reports=(*parsed.ledger.reports, *got.ledger.reports),
        vocabularies=vocabularies,
        sources=(*parsed.ledger.sources, *got.ledger.sources),
    )
    documents = (*parsed.documents, got.documents[0])
    edited = parsed._replace(
        ledger=ledger, layouts=layouts, quote_places=places, blocks=blocks, documents=documents
    )
    return Document(doc.path, inserted.text, edited)


def record_fingerprint(
    doc: Document,
    identifier: str,
    sha256: str,
    *,
    today: date,
    reread: Callable[[str], Reading] | None = None,
) -> Document:
    """Set the recorded SHA-256 of the stored source `identifier` (replace one scalar).

    A rare change, so it is checked the slow, sure way: the whole new text is read again
    (with `reread`, the whole registry of which the text is one file) and must hold the
    same registry with only that fingerprint changed.
    """
    from wrrtrack._schema import read_registry
    from wrrtrack._yamlfile import yaml_scalar

    def read(text: str) -> Reading:
        return reread(text) if reread else read_registry(doc.path, text, today)

    ledger = doc.parsed.ledger
    source = ledger.source(identifier)
    if source is None:
        raise InvalidChange("no stored source with id '{source}'", "source", source=identifier)
    place = read(doc.text).source_places.get(identifier)
    if place is None or place.sha256_start < 0:
        raise _refuse(doc.path, f"sources.{identifier}.sha256")
    new_text = _apply(
        doc.text, [_Splice(place.sha256_start, place.sha256_end, yaml_scalar(sha256))]
    )
    reading = read(new_text)
    if reading.parsed is None:
        raise RegistryInvalid(reading.problems)
    sources = tuple(s._replace(sha256=sha256) if s.id == identifier else s for s in ledger.sources)
    if reading.parsed.ledger != ledger._replace(sources=sources):
        raise _refuse(doc.path, f"sources.{identifier}.sha256")
    return Document(doc.path, new_text, reading.parsed)


def append_source(
    doc: Document,
    source: Source,
    *,
    report: str,
    today: date,
    reread: Callable[[str], Reading] | None = None,
) -> Document:
    """Append a source record to the `sources` list of `report`'s document, creating the
    list (at the end of the document) when the document has none.

    A rare change, so it is checked the slow, sure way, as `record_fingerprint` is: the
    whole new text is read again (with `reread`, the whole registry of which the text is
    one file) and must hold the same registry with only that source added.
    """
    from wrrtrack._schema import read_registry
    from wrrtrack._yamlfile import block_lines, source_mapping

    parsed = doc.parsed
    ledger = parsed.ledger
    check_new_source(ledger, source)
    advice = ledger.report_of(report)
    if ledger.source(advice.reaction.source) is None:
        # The form before sources were records: its `reaction.source` is a file, which a
        # `sources` list in its document would have to name by a record's id.
        raise InvalidChange(
            f"report '{advice.key}' names its reaction's text by its file "
            f"({advice.reaction.source}), as registries did before sources were records; "
            "give that file a record in a 'sources' list first (see the registry file's "
            "guide), then add more",
            "report",
        )
    document = _document_of(parsed, advice.key) if parsed.documents else 0
    path = block_path(document, "sources")
    mapping = source_mapping(source)
    if path in parsed.blocks:
        place = _growable(doc, path, "sources")
        lines = block_lines(mapping, place.prefix, place.indent)
        lines = [""] * (1 if _separated(doc.text, place) else 0) + lines
    else:  # the document's first: the list is created, in the shipped layout
        place = _growable(doc, block_path(document, ""), "the report's document")
        lines = ["", "sources:", *block_lines(mapping, "  - ", 4)]
    new_text = _insert(doc, place, lines).text
    reading = reread(new_text) if reread else read_registry(doc.path, new_text, today)
    if reading.parsed is None:
        raise RegistryInvalid(reading.problems)
    got = reading.parsed.ledger
    others = tuple(s for s in got.sources if s.id != source.id)
    if got.source(source.id) != source or got._replace(sources=others) != ledger:
        raise _refuse(doc.path, f"sources.{source.id}")
    return Document(doc.path, new_text, reading.parsed)


def check_new_source(ledger: Ledger, source: Source) -> None:
    """Refuse a source whose id, in any case, is a stored source's or a report's key (a
    report's text is stored under its key), or whose file another source names."""
    folded = source.id.casefold()
    for other in ledger.sources:
        if other.id.casefold() == folded:
            raise InvalidChange(f"a stored source with id '{other.id}' exists already", "id")
    for advice in ledger.reports:
        if advice.key.casefold() == folded:
            raise InvalidChange(
                f"'{source.id}' is the key of report '{advice.key}', whose text is stored "
                "under its key; choose another id",
                "id",
            )
    files = [*ledger.sources, *(ledger.quote_source_of(advice) for advice in ledger.reports)]
    for other in files:
        if other.file.casefold() == source.file.casefold():
            raise InvalidChange(
                f"{source.file} is the stored file of source '{other.id}' already; "
                "choose another id",
                "id",
            )


# --- correcting and removing a record ---------------------------------------------------------

# The key line of a list of records: what a report's only record is removed with.
_LIST_KEY = re.compile(r"recommendations[ \t]*:[ \t]*(#.*)?")


def _record_node(doc: Document, identifier: str) -> Any:
    """The mapping node of the record `identifier`, read on its own as a one-item block
    list (as `read_record` reads it); its marks are offsets from the record's start."""
    from yaml import MappingNode, SequenceNode

    from wrrtrack._yamlfile import compose

    layout = doc.parsed.layouts[identifier]
    try:
        root = compose(doc.path, doc.text[layout.start : layout.end])
    except WrrtrackError:
        raise _refuse(doc.path, identifier) from None
    if (
        not isinstance(root, SequenceNode)
        or len(root.value) != 1
        or not isinstance(root.value[0], MappingNode)
    ):
        raise _refuse(doc.path, identifier)
    return root.value[0]


def _scalar_like(value: str, like: Any, *, flow: bool = False) -> str:
    """`value` as a YAML scalar, double-quoted when `like` (the node it replaces, or one
    of its list's) is, as the shipped registry writes every text."""
    from wrrtrack._yamlfile import yaml_scalar

    written = yaml_scalar(value, flow=flow)
    quoted = getattr(like, "style", None) == '"'
    # A plain scalar holds no `"` or `\\`: quoted as it is, it reads back the same.
    return f'"{written}"' if quoted and not written.startswith('"') else written


def _field_splice(
    doc: Document, identifier: str, node: Any, value: str | tuple[str, ...]
) -> _Splice:
    """The splice that writes `value` in place of the value `node` of a field of the
    record `identifier`: a scalar, a flow list (`[a, b]`) or a block list (one `- ` line
    per entry, with the first entry's indentation). Texts are quoted as those replaced."""
    from wrrtrack._places import _after_line, _last_leaf

    text = doc.text
    offset = doc.parsed.layouts[identifier].start
    start, end = node.start_mark.index + offset, node.end_mark.index + offset
    if isinstance(value, str):
        if node.id != "scalar":
            raise _refuse(doc.path, identifier)
        if node.style in ("|", ">"):  # a block scalar: its line break stays (`record_layout`)
            while end > start and text[end - 1] in " \t\r\n":
                end -= 1
        return _Splice(start, end, _scalar_like(value, node))
    if node.id != "sequence":
        raise _refuse(doc.path, identifier)
    like = node.value[0] if node.value else None
    if node.flow_style or not node.value:
        entries = ", ".join(_scalar_like(v, like, flow=True) for v in value)
        return _Splice(start, end, f"[{entries}]")
    first = node.value[0].start_mark.index + offset
    line = line_start(text, first)
    prefix = text[line:first]
    end = _after_line(text, _last_leaf(node).end_mark.index + offset)
    newline = _newline(text, line, end)
    lines = newline.join(prefix + _scalar_like(v, like) for v in value)
    return _Splice(line, end, lines + (newline if text[line:end].endswith("\n") else ""))


def _read_back(
    doc: Document,
    new_text: str,
    ledger: Ledger,
    what: str,
    *,
    today: date,
    reread: Callable[[str], Reading] | None,
) -> Document:
    """The document of `new_text`, read whole (with `reread`, the whole registry of which
    it is one file); it must hold exactly `ledger`, else nothing is written."""
    from wrrtrack._schema import read_registry

    reading = reread(new_text) if reread else read_registry(doc.path, new_text, today)
    if reading.parsed is None:
        raise RegistryInvalid(reading.problems)
    if reading.parsed.ledger != ledger:
        raise _refuse(doc.path, what)
    return Document(doc.path, new_text, reading.parsed)


def edit_record(
    doc: Document,
    after: Recommendation,
    *,
    today: date,
    reread: Callable[[str], Reading] | None = None,
    alone: bool = False,
) -> Document:
    """Write the title, theme, stance, actors and quotes of `after` in place of those of
    the record with its id, replacing only the lines (or the values) of the fields that
    differ; its id, status, history and report are those it has.

    A rare change, so it is checked the slow, sure way: the whole new text is read again
    (with `reread`, the whole registry of which the text is one file) and must hold the
    same registry with only that record changed. With `alone` (a write through the index,
    which checks the whole file or a window of it itself), the record is read back on its
    own, as `set_status` reads its record.
    """
    ledger = doc.parsed.ledger
    before = ledger.get(after.id)
    if (after.id, after.status, after.history, after.report) != (
        before.id,
        before.status,
        before.history,
        before.report,
    ):
        raise InvalidChange(f"{before.id}: only its title, theme, stance, actors and quotes change")
    fields = {key.value: value for key, value in _record_node(doc, before.id).value}
    changed = [
        name
        for name in ("title", "theme", "stance", "actors", "quotes")
        if getattr(after, name) != getattr(before, name)
    ]
    if any(name not in fields for name in changed):
        raise _refuse(doc.path, before.id)  # a field it has but not under its own key
    splices = [_field_splice(doc, before.id, fields[n], getattr(after, n)) for n in changed]
    new_text = _apply(doc.text, splices)
    if alone:
        return _record_replaced(doc, new_text, before, after, today=today)
    return _read_back(doc, new_text, ledger.replace(after), before.id, today=today, reread=reread)


def _record_replaced(
    doc: Document, new_text: str, before: Recommendation, after: Recommendation, *, today: date
) -> Document:
    """The document of `new_text`, in which only the record `before` was changed (to
    `after`): that record read back on its own, the places after it moved."""
    from wrrtrack._yamlfile import count_lines

    parsed = doc.parsed
    layout = parsed.layouts[before.id]
    piece, grown, span = _record_checked(
        doc, new_text, layout=layout, before=before, after=after, today=today
    )
    layouts, places, blocks = _shifted(
        parsed,
        at=layout.end,
        grown=grown,
        line=count_lines(doc.text, 0, layout.end),
        added_lines=count_lines(new_text, *span) - count_lines(doc.text, layout.start, layout.end),
        ancestors=_ancestors(parsed, before.report, "recommendations"),
        replaced=before.id,
    )
    layouts[before.id] = piece.layouts[after.id]
    layouts = {key: layouts[key] for key in parsed.layouts}  # in the file's order
    places.update(piece.quote_places)
    edited = parsed._replace(
        ledger=parsed.ledger.replace(after), layouts=layouts, quote_places=places, blocks=blocks
    )
    return Document(doc.path, new_text, edited)


def remove_record(
    doc: Document,
    identifier: str,
    *,
    today: date,
    reread: Callable[[str], Reading] | None = None,
) -> tuple[Document, Recommendation]:
    """Remove the record `identifier`: its lines (comments inside it and right under it,
    as deep as its keys, included), and one blank line that separated it from the record
    before it (or, the first, from the one after it), so that the file reads as if it had
    never been there. A report's only record goes with its `recommendations:` line.

    Checked the slow, sure way, as `edit_record` is. Returns the new document and the
    record removed.
    """
    from wrrtrack._places import _after_line, _last_leaf

    text, ledger = doc.text, doc.parsed.ledger
    record = ledger.get(identifier)
    layout = doc.parsed.layouts[record.id]
    node = _record_node(doc, record.id)
    start = layout.start
    end = _after_line(text, _last_leaf(node).end_mark.index + layout.start)
    column = node.start_mark.column
    while end < len(text):  # comment lines under its keys are its own
        line = text[end : _after_line(text, end + 1)]
        body = line.lstrip(" ")
        if not body.startswith("#") or len(line) - len(body) < column:
            break
        end += len(line)
    before_lines = text[:start].splitlines(keepends=True)
    blank = before_lines and not before_lines[-1].strip()
    if not any(r.report == record.report and r.id != record.id for r in ledger.recommendations):
        # The only record: its list goes too (`append_record` makes it again, if need be).
        while before_lines and (
            not before_lines[-1].strip() or before_lines[-1].lstrip().startswith("#")
        ):
            start -= len(before_lines.pop())
        if not before_lines or not _LIST_KEY.fullmatch(before_lines[-1].rstrip("\r\n")):
            raise _refuse(doc.path, record.id)
        start -= len(before_lines.pop())
        blank = before_lines and not before_lines[-1].strip()
    if blank:
        start -= len(before_lines[-1])
    elif before_lines and _LIST_KEY.fullmatch(before_lines[-1].rstrip("\r\n")):
        # The first record, right under its key: the blank line after it goes.
        following = text[end : _after_line(text, end + 1)]
        if not following.strip():  # (nothing, at the end of the file)
            end += len(following)
    rest = tuple(r for r in ledger.recommendations if r.id != record.id)
    new_text = _apply(text, [_Splice(start, end, "")])
    edited = _read_back(
        doc, new_text, ledger._replace(recommendations=rest), record.id, today=today, reread=reread
    )
    return edited, record


# --- a window of a large file: one record's change without decoding the rest ------------------


class Window(NamedTuple):
    """A stretch of a large registry file decoded on its own: its text, and where it
    starts in the file in characters (`start`) and in bytes (`byte`), and where it ends in
    bytes (`end`)."""

    text: str
    start: int
    byte: int
    end: int


def window(data: bytes, byte: int, start: int, end: int) -> Window:
    """The stretch of the file `data` from character `start` (at byte `byte`, the first
    character of a record's line) to character `end`, decoded from its first byte."""
    length = end - start
    text = data[byte : byte + 4 * length].decode("utf-8", "ignore")[:length]
    return Window(text, start, byte, byte + len(text.encode("utf-8")))


def _moved(block: BlockPlace, by: int) -> BlockPlace:
    return block._replace(insert=block.insert + by) if block.insert >= 0 else block


def window_document(
    path: Path, stretch: Window, head: Parsed, record: Recommendation, layout: RecordLayout
) -> Document:
    """The document an edit of `record` (placed at `layout` in the whole file) works on:
    the window's text, with every place counted from its start."""
    return Document(
        path,
        stretch.text,
        head._replace(
            ledger=head.ledger._replace(recommendations=(record,)),
            layouts={record.id: layout.shifted(-stretch.start)},
            quote_places={},
            blocks={name: _moved(block, -stretch.start) for name, block in head.blocks.items()},
        ),
    )


def window_spliced(
    data: bytes, stretch: Window, edited: Document
) -> tuple[bytes, Parsed, tuple[int, int]]:
    """The file's new bytes (the window's edited text in place of its old one, every
    other byte as it was), the edit's parse with its places in the whole file, and how
    much the file grew (characters, bytes)."""
    piece = edited.text.encode("utf-8")
    new = b"".join((memoryview(data)[: stretch.byte], piece, memoryview(data)[stretch.end :]))
    grown = (len(edited.text) - len(stretch.text), len(piece) - (stretch.end - stretch.byte))
    parsed = edited.parsed._replace(
        layouts={key: place.shifted(stretch.start) for key, place in edited.parsed.layouts.items()},
        blocks={name: _moved(block, stretch.start) for name, block in edited.parsed.blocks.items()},
    )
    return new, parsed, grown
