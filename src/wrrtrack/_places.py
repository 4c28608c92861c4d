"""Where the parts of a registry lie in its text: the places a read finds and a write needs.

Reading (`_schema`) yields a `Parsed`: the values, and the places of records, quotes,
block collections and source records. Changing the text (`_edit`) takes and returns them
(`Document`), and the cache (`_cache`) stores them. This module imports neither PyYAML
nor the schema, so that every command may import it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from wrrtrack._errors import Location, Problem
from wrrtrack._model import Ledger, Recommendation

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
    # Block collections by path (`block_path`): "" (the first document's top-level
    # mapping), "recommendations", "vocabularies.actors", "1:recommendations", …
    blocks: dict[str, BlockPlace]
    # The report key of each YAML document of the file (None: a document of vocabularies
    # for the whole registry).
    documents: tuple[str | None, ...] = ()
    # In a folder registry: the name of the file each document is in (else empty).
    files: tuple[str, ...] = ()


def block_path(document: int, path: str) -> str:
    """The key of a block collection in `Parsed.blocks`: its path of keys in the document,
    after the document's number when that is not the first (`2:vocabularies.themes`)."""
    return path if document == 0 else f"{document}:{path}"


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


# The line breaks of YAML as PyYAML reads it (1.1): LF, CR, CR LF, NEL, LS and PS. The
# search for the others is kept to the stretch of the nearest LF: nearly every file has
# only LFs, and a search through the whole text for each record would be quadratic.
_OTHER_BREAKS = "\r\x85\u2028\u2029"
_SPACE = " \t\n" + _OTHER_BREAKS


def line_start(text: str, index: int) -> int:
    """The start of the line `index` is on."""
    start = text.rfind("\n", 0, index) + 1
    for char in _OTHER_BREAKS:
        start = max(start, text.rfind(char, start, index) + 1)
    return start


def _after_line(text: str, index: int) -> int:
    """The start of the line after the one `index` is on (or `index` itself at a line start)."""
    if index > 0 and text[index - 1] in "\n\x85\u2028\u2029":
        return index
    if index > 0 and text[index - 1] == "\r" and text[index : index + 1] != "\n":
        return index
    newline = text.find("\n", index)
    end = len(text) if newline < 0 else newline
    for char in _OTHER_BREAKS:
        found = text.find(char, index, end)
        if found >= 0:
            end = found
    if end == len(text):
        return end
    return end + (2 if text.startswith("\r\n", end) else 1)


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
    column = first_of_entry.start_mark.column
    if node.id == "mapping":
        if prefix.rstrip().endswith("?"):  # an explicit key (`? key`): new keys go at the `?`
            prefix = prefix[: len(prefix.rstrip()) - 1]
            column -= len(text[line_start(text, entry_start) : entry_start]) - len(prefix)
        prefix = " " * len(prefix)
    insert = _after_line(text, _last_leaf(node).end_mark.index)
    return BlockPlace(insert + offset, prefix, column)


def record_layout(
    text: str, node: Node, following: Node | None, sequence: Node, offset: int = 0
) -> RecordLayout:
    """The layout of a recommendation record (`node`, an entry of the block list `sequence`)."""
    start = line_start(text, node.start_mark.index)
    # The last record ends after its own last line: blank lines, comments and the rest
    # of the file after it are no part of it.
    end = (
        line_start(text, following.start_mark.index)
        if following
        else _after_line(text, _last_leaf(node).end_mark.index)
    )
    fields = {key.value: value for key, value in node.value}
    status, history = fields["status"], fields["history"]
    place = block_place(text, history)
    status_end = status.end_mark.index
    if status.id == "scalar" and status.style in ("|", ">"):
        # A block scalar (`status: >-` and the key on the next line) ends after its
        # line break: the new key replaces the text only, the line break stays.
        while status_end > status.start_mark.index and text[status_end - 1] in _SPACE:
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


def moved_down(problems: list[Problem], lines: int) -> list[Problem]:
    """`problems` found in a piece of a file, placed in the whole file: `lines` further down."""
    return [
        p._replace(location=p.location._replace(line=p.location.line + lines)) if p.location else p
        for p in problems
    ]
