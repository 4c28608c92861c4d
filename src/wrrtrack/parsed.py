"""What reading a registry file yields: the values, and where each record lies in the text.

Shared by the schema (which builds it from YAML), the cache (which stores it) and the
writer (which edits one record's text by it and shifts the rest).
"""

from __future__ import annotations

from typing import NamedTuple

from wrrtrack.errors import Location
from wrrtrack.model import Ledger


class RecordLayout(NamedTuple):
    """Where one recommendation lies in the file's text (character offsets)."""

    start: int  # first character of the record's first line
    end: int  # first character after the record
    status_start: int  # the current status value, quotes included
    status_end: int
    history_insert: int  # where a new history entry is inserted
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


class Parsed(NamedTuple):
    """A registry file read into values, with the places needed for messages and edits."""

    ledger: Ledger
    layouts: dict[str, RecordLayout]
    quote_places: dict[tuple[str, int], Location]  # (recommendation id or "", index)

    def after_growth(
        self, record: str, replacement: Parsed, grown: int, added_lines: int
    ) -> Parsed:
        """This parse after `record` was rewritten and the text grew by `grown` characters.

        `replacement` is the parse of the record's new text alone (offsets and lines already
        placed in the whole file). Records after it move by `grown` characters and
        `added_lines` lines; records before it do not move at all.
        """
        changed = replacement.ledger.recommendations[0]
        start = self.layouts[record].start
        layouts = {}
        for key, layout in self.layouts.items():
            if key == record:
                layouts[key] = replacement.layouts[changed.id]
            elif layout.start > start:
                layouts[key] = layout.shifted(grown)
            else:
                layouts[key] = layout
        places = {}
        for (owner, index), place in self.quote_places.items():
            if owner == record:
                continue
            moved = bool(owner) and self.layouts[owner].start > start
            places[(owner, index)] = (
                place._replace(line=place.line + added_lines) if moved else place
            )
        places.update(replacement.quote_places)
        return Parsed(self.ledger.replace(changed), layouts, places)
