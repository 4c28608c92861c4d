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

This module is imported on every command (the cache stores `Parsed`), so it imports
PyYAML and the schema only inside the operations.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from wrrtrack._errors import InvalidChange, Location, RegistryInvalid, WrrtrackError
from wrrtrack._model import Ledger, Recommendation, StatusChange
from wrrtrack._vocabulary import Term

if TYPE_CHECKING:
    from wrrtrack._schema import Reading

# A PyYAML node, used by duck typing (`id`, `value`, `flow_style`, marks): this module is
# imported by the cache, which must not load PyYAML.
Node = Any


class RecordLayout(NamedTuple):
    """Where one recommendation lies in the file's text (character offsets)."""

    start: int  # first character of the record's first line
    end: int  # first character after the record
    status_start: int  # the current status value, quotes included
    status_end: int
    history_insert: int  # where a new history entry is inserted; -1: an inline list
    entry_prefix: str  # what precedes the first key of an entry line, e.g. "      - "
    entry_indent: int  # the column of an entry's keys

    def shifted(self, by: int) -> RecordLayout:
        """The same layout, `by` characters further into the text."""
        return RecordLayout(
            self.start + by,
            self.end + by,
            self.status_start + by,
            self.status_end + by,
            self.history_insert + by if self.history_insert >= 0 else -1,
            self.entry_prefix,
            self.entry_indent,
        )


class BlockPlace(NamedTuple):
    """Where a new entry of a block list or block mapping goes, and how its first line starts."""

    insert: int  # the start of the line after the collection's last line; -1: written inline
    prefix: str  # what precedes an entry's first key: "  - " in a list, "  " in a mapping
    indent: int  # the column of an entry's keys (of a mapping's keys)


class Parsed(NamedTuple):
    """A registry file read into values, with the places needed for messages and edits."""

    ledger: Ledger
    layouts: dict[str, RecordLayout]  # by recommendation id
    quote_places: dict[tuple[str, int], Location]  # (recommendation id or "", index)
    # Block collections by path: "" (the top-level mapping), "recommendations",
    # "vocabularies", "vocabularies.actors", …
    blocks: dict[str, BlockPlace]


class SourcePlace(NamedTuple):
    """Where a source record's stored file and fingerprint are in the file's text."""

    file: Location  # the `file` value, for messages
    sha256: Location  # the `sha256` value, for messages
    sha256_start: int  # the `sha256` value's characters, quotes included
    sha256_end: int


class Placed(NamedTuple):
    """One recommendation as read from the file, with its places."""

    record: Recommendation
    layout: RecordLayout
    quote_places: dict[tuple[str, int], Location]


class Document(NamedTuple):
    """A registry file's text and its parse: what an edit starts from and what it returns.

    After an edit, `parsed` is worked out from the change alone, without reading the whole
    text again; it equals what a full read of `text` gives (a property test holds it to that).
    """

    path: Path
    text: str
    parsed: Parsed


# --- places, from the nodes of a file being read --------------------------------------------


def line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _after_line(text: str, index: int) -> int:
    """The start of the line after the one `index` is on (or `index` itself at a line start)."""
    if index > 0 and text[index - 1] == "\n":
        return index
    newline = text.find("\n", index)
    return len(text) if newline < 0 else newline + 1


def _last_leaf(node: Node) -> Node:
    while node.id in ("mapping", "sequence") and node.value and not node.flow_style:
        last = node.value[-1]
        node = last[1] if node.id == "mapping" else last
    return node


def block_place(text: str, node: Node, offset: int = 0) -> BlockPlace:
    """Where an entry appended to the block collection `node` goes."""
    if node.id not in ("mapping", "sequence") or node.flow_style or not node.value:
        return BlockPlace(-1, "", 0)
    last = node.value[-1]
    first_of_entry = last[0] if node.id == "mapping" else last
    entry_start = first_of_entry.start_mark.index
    prefix = text[line_start(text, entry_start) : entry_start]
    if node.id == "mapping":
        prefix = " " * len(prefix)
    insert = _after_line(text, _last_leaf(node).end_mark.index)
    return BlockPlace(insert + offset, prefix, first_of_entry.start_mark.column)


def record_layout(
    text: str, node: Node, following: Node | None, sequence: Node, offset: int = 0
) -> RecordLayout:
    """The layout of a recommendation record (`node`, an entry of the block list `sequence`)."""
    start = line_start(text, node.start_mark.index)
    end = line_start(text, following.start_mark.index) if following else sequence.end_mark.index
    fields = {key.value: value for key, value in node.value}
    status, history = fields["status"], fields["history"]
    place = block_place(text, history)
    status_end = status.end_mark.index
    if status.id == "scalar" and status.style in ("|", ">"):
        # A block scalar (`status: >-` and the key on the next line) ends after its
        # line break: the new key replaces the text only, the line break stays.
        while status_end > status.start_mark.index and text[status_end - 1] in " \t\r\n":
            status_end -= 1
    return RecordLayout(
        start,
        max(end, place.insert),
        status.start_mark.index,
        status_end,
        place.insert,
        place.prefix,
        place.indent,
    ).shifted(offset)


def layout_values(layout: RecordLayout) -> list[Any]:
    """A layout as plain values (for the cache); `layout_from_values` rebuilds it."""
    return list(layout)


def layout_from_values(values: Sequence[Any]) -> RecordLayout:
    return RecordLayout(*values)


_STEP = 2  # the indentation of a mapping created by an edit, as the shipped registry has it

# --- splices --------------------------------------------------------------------------------


class _Splice(NamedTuple):
    start: int
    end: int
    text: str


def _newline(text: str, start: int, end: int) -> str:
    return "\r\n" if "\r\n" in text[start:end] else "\n"


def _lines_at(text: str, at: int, lines: list[str], newline: str) -> _Splice:
    """Whole lines inserted at a line start (or at the end of a file without a final break)."""
    piece = newline.join(lines) + newline
    if at == len(text) and text and not text.endswith("\n"):
        piece = newline + piece
    return _Splice(at, at, piece)


def _apply(text: str, splices: list[_Splice]) -> str:
    for splice in sorted(splices, reverse=True):
        text = text[: splice.start] + splice.text + text[splice.end :]
    return text


def _growable(place: BlockPlace, what: str) -> BlockPlace:
    if place.insert < 0:
        raise WrrtrackError(
            f"{what} is written as an inline list or mapping; write it as a block "
            "(one entry per line) to change it"
        )
    return place


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


def _record_back(doc: Document, span: tuple[int, int], line: int, today: date) -> Reading:
    """The one record at text[span] read on its own (`line` line breaks before it)."""
    from wrrtrack._schema import read_record

    return read_record(doc.path, doc.text, span, line, doc.parsed.ledger, today=today)


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
    start = place.insert + (len(newline) if splice.text.startswith(newline) else 0)
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
    from wrrtrack._yamlfile import block_lines, change_mapping, count_lines, yaml_scalar

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
    grown = len(new_text) - len(text)
    span = (layout.start, layout.end + grown)
    line = count_lines(text, 0, layout.start)
    reading = _record_back(doc._replace(text=new_text), span, line, today)
    if reading.parsed is None:
        raise RegistryInvalid(reading.problems)  # placed where they are in the new text
    piece = reading.parsed
    if piece.ledger.recommendations != (after,):
        raise _refuse(doc.path, before.id)
    layouts, places, blocks = _shifted(
        parsed,
        at=layout.history_insert,
        grown=grown,
        line=line + count_lines(text, layout.start, layout.history_insert),
        added_lines=count_lines(new_text, *span) - count_lines(text, layout.start, layout.end),
        ancestors=("", "recommendations"),
        replaced=before.id,
    )
    layouts[before.id] = piece.layouts[after.id]
    layouts = {key: layouts[key] for key in parsed.layouts}  # in the file's order
    places.update(piece.quote_places)
    edited = Parsed(parsed.ledger.replace(after), layouts, places, blocks)
    return Document(doc.path, new_text, edited), before, after


def append_record(doc: Document, record: Recommendation, *, today: date) -> Document:
    """Append a whole new recommendation to the `recommendations` block list.

    The record must read back as itself: its keys must be in the registry's vocabularies,
    its dates real and not after `today`, and so on (`RegistryInvalid` otherwise).
    """
    from wrrtrack._yamlfile import block_lines, record_mapping

    parsed = doc.parsed
    if record.id.casefold() in {rec.id.casefold() for rec in parsed.ledger.recommendations}:
        raise InvalidChange(f"a recommendation with id '{record.id}' exists already", "id")
    place = _growable(parsed.blocks["recommendations"], "recommendations")
    inserted = _insert(doc, place, block_lines(record_mapping(record), place.prefix, place.indent))
    reading = _record_back(
        doc._replace(text=inserted.text), inserted.span, inserted.start_line, today
    )
    if reading.parsed is None:
        raise RegistryInvalid(reading.problems)  # the record itself is not valid
    piece = reading.parsed
    if piece.ledger.recommendations != (record,):
        raise _refuse(doc.path, record.id)
    ancestors = ("", "recommendations")
    layouts, places, blocks = _after_insert(parsed, place, inserted, ancestors)
    layouts[record.id] = piece.layouts[record.id]
    places.update(piece.quote_places)
    ledger = dataclasses.replace(
        parsed.ledger, recommendations=(*parsed.ledger.recommendations, record)
    )
    return Document(doc.path, inserted.text, Parsed(ledger, layouts, places, blocks))


def add_term(doc: Document, section: str, term: Term, *, today: date) -> Document:
    """Add a key to the vocabulary `section` (`actors`, `themes`, …) of the registry.

    The key goes at the end of the block mapping `vocabularies.<section>`; the section,
    and `vocabularies` itself, are created (at the end of their parent) when absent.
    """
    from wrrtrack._schema import read_terms

    parsed = doc.parsed
    vocabulary = parsed.ledger.vocabularies.by_section(section)
    if term.key in vocabulary:
        raise InvalidChange(f"the {vocabulary.name} '{term.key}' exists already", "key")
    parts = ["vocabularies", section]
    have = 0  # how many of `parts` the file has already
    while have < len(parts) and ".".join(parts[: have + 1]) in parsed.blocks:
        have += 1
    parent_path = ".".join(parts[:have])
    parent = _growable(parsed.blocks[parent_path], parent_path or "the registry")
    from wrrtrack._yamlfile import block_lines, term_mapping

    value: dict[str, Any] = {term.key: term_mapping(term)}
    for name in reversed(parts[have:]):
        value = {name: value}  # wrapped in the mappings that do not exist yet
    inserted = _insert(doc, parent, block_lines(value, parent.prefix, parent.indent))
    terms = read_terms(doc.path, inserted.text, inserted.span, inserted.start_line, today)
    if terms is None or terms.get((*parts[have:], term.key)) != term:
        raise _refuse(doc.path, f"vocabularies.{section}.{term.key}")
    ancestors = ["", *(".".join(parts[: n + 1]) for n in range(len(parts)))]
    layouts, places, blocks = _after_insert(parsed, parent, inserted, ancestors)
    for depth in range(have, len(parts)):
        # A mapping just created: its next entry goes after the new lines, one level deeper.
        indent = parent.indent + _STEP * (depth - have + 1)
        blocks[".".join(parts[: depth + 1])] = BlockPlace(inserted.span[1], " " * indent, indent)
    vocabularies = parsed.ledger.vocabularies._replace(**{section: vocabulary.extended([term])})
    ledger = dataclasses.replace(parsed.ledger, vocabularies=vocabularies)
    return Document(doc.path, inserted.text, Parsed(ledger, layouts, places, blocks))


def record_fingerprint(doc: Document, identifier: str, sha256: str, *, today: date) -> Document:
    """Set the recorded SHA-256 of the stored source `identifier` (replace one scalar).

    A rare change, so it is checked the slow, sure way: the whole new text is read again
    and must hold the same registry with only that fingerprint changed.
    """
    from wrrtrack._schema import read_registry
    from wrrtrack._yamlfile import yaml_scalar

    ledger = doc.parsed.ledger
    source = ledger.source(identifier)
    if source is None:
        raise InvalidChange(f"no stored source with id '{identifier}'", "source")
    place = read_registry(doc.path, doc.text, today).source_places.get(identifier)
    if place is None or place.sha256_start < 0:
        raise _refuse(doc.path, f"sources.{identifier}.sha256")
    new_text = _apply(
        doc.text, [_Splice(place.sha256_start, place.sha256_end, yaml_scalar(sha256))]
    )
    reading = read_registry(doc.path, new_text, today)
    if reading.parsed is None:
        raise RegistryInvalid(reading.problems)
    sources = tuple(s._replace(sha256=sha256) if s.id == identifier else s for s in ledger.sources)
    if reading.parsed.ledger != dataclasses.replace(ledger, sources=sources):
        raise _refuse(doc.path, f"sources.{identifier}.sha256")
    return Document(doc.path, new_text, reading.parsed)
