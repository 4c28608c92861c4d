"""`wrrtrack export`: the whole registry as JSON, TOML, CSV or an SQLite database.

JSON and TOML write the export document (`_export`) as it is, and read back to the same
model. CSV is one row per recommendation for spreadsheets; SQLite one table per kind of
record, with keys, for Datasette, sqlite-utils and SQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from wrrtrack._export import selected, to_document
from wrrtrack._model import Ledger, StatusChange
from wrrtrack.render.machine import csv_rows, list_csv_row, to_json
from wrrtrack.render.plain import LIST_FIELDS

BOM = "\ufeff"

# CSV columns after the list's own (LIST_FIELDS), in order; docs/publishing.md ("Exports")
# explains each.
CSV_EXTRA = (
    "report",
    "quotes",
    "first_date",
    "first_status",
    "changes",
    "latest_note",
    "latest_by",
    "latest_source",
    "history",
    "due",
    "review",
    "latest_relation",
)


def json_text(ledger: Ledger, reports: Iterable[str] = ()) -> str:
    return to_json(to_document(ledger, reports=reports))


def toml_text(ledger: Ledger, reports: Iterable[str] = ()) -> str:
    """TOML has no null: an absent value is left out, and reads back as absent."""
    import tomli_w

    document = to_document(ledger, reports=reports, dates=True, nulls=False)
    return str(tomli_w.dumps(document, multiline_strings=False))


def csv_text(ledger: Ledger, reports: Iterable[str] = (), *, bom: bool = False) -> str:
    """One row per recommendation: the columns of `list --format csv`, then `CSV_EXTRA`.

    Lists in a cell: actors joined with `;`, quotes one per line, the history one entry per
    line as `date status: note (by; source)`. Cells that a spreadsheet would run as a
    formula are neutralised (`machine.spreadsheet_safe`).
    """
    rows: list[list[str]] = [[*LIST_FIELDS, *CSV_EXTRA]]
    for rec in selected(ledger, reports):
        first, latest = rec.history[0], rec.history[-1]
        rows.append(
            [
                *list_csv_row(rec),
                rec.report,
                "\n".join(rec.quotes),
                first.date.isoformat(),
                first.status,
                str(len(rec.history)),
                latest.note or "",
                latest.by or "",
                latest.source or "",
                "\n".join(_history_line(change) for change in rec.history),
                rec.due.isoformat() if rec.due else "",
                rec.review.isoformat() if rec.review else "",
                latest.relation or "",
            ]
        )
    return (BOM if bom else "") + csv_rows(rows)


def _history_line(change: StatusChange) -> str:
    line = f"{change.date.isoformat()} {change.status}"
    if change.relation:
        line += f" [{change.relation}]"
    if change.note:
        line += f": {change.note}"
    who = "; ".join(part for part in (change.by, change.source) if part)
    return f"{line} ({who})" if who else line


# --- SQLite ------------------------------------------------------------------------------


class Table(NamedTuple):
    """One table: its declared columns (name, SQL type and constraints), its keys and rows.

    A field a row holds that is not declared becomes a text column of its own (a list or
    mapping written as JSON), so that a field added to the model is never dropped.
    """

    name: str
    columns: Sequence[tuple[str, str]]
    rows: list[dict[str, Any]]
    primary_key: Sequence[str]
    foreign_keys: Sequence[tuple[str, str, str]] = ()  # column, table, column
    # Keys of several columns: (columns, table, columns).
    compound_keys: Sequence[tuple[Sequence[str], str, Sequence[str]]] = ()


def _flat(record: dict[str, Any], skip: Iterable[str] = (), prefix: str = "") -> dict[str, Any]:
    """A record's scalar fields; a nested mapping's fields as `outer_inner` columns."""
    flat: dict[str, Any] = {}
    for name, value in record.items():
        if name in skip:
            continue
        if isinstance(value, dict):
            flat.update(_flat(value, prefix=f"{prefix}{name}_"))
        else:
            flat[prefix + name] = value
    return flat


def tables(ledger: Ledger, reports: Iterable[str] = ()) -> list[Table]:
    """The tables of the SQLite export, parents before children."""
    document = to_document(ledger, reports=reports)
    recs = document["recommendations"]
    vocabularies = [
        Table(
            f"vocabulary_{section}",
            [
                ("key", "TEXT NOT NULL"),
                ("position", "INTEGER NOT NULL"),
                ("nl", "TEXT NOT NULL"),
                ("en", "TEXT NOT NULL"),
                ("final", "INTEGER NOT NULL"),  # 1: a status that closes an item
            ],
            [
                {**term, "position": i + 1, "final": int(term.get("final", False))}
                for i, term in enumerate(vocabulary["terms"])
            ],
            ["key"],
        )
        for section, vocabulary in document["vocabularies"].items()
    ]
    stored = {source["id"] for source in document["sources"]}

    def source_id(name: str | None) -> str | None:
        return name if name in stored else None

    return [
        *vocabularies,
        Table(
            "sources",
            [
                ("id", "TEXT NOT NULL"),
                ("position", "INTEGER NOT NULL"),
                ("file", "TEXT NOT NULL"),
                ("sha256", "TEXT"),
                ("excerpt", "INTEGER NOT NULL"),  # 1: the file holds passages, not the whole
            ],
            [
                {**source, "position": i + 1, "excerpt": int(source.get("excerpt", False))}
                for i, source in enumerate(document["sources"])
            ],
            ["id"],
        ),
        Table(
            "reports",
            [
                ("key", "TEXT NOT NULL"),
                ("date", "TEXT NOT NULL"),
                ("reaction_source_id", "TEXT"),
                # Always there, for queries; NULL: the cabinet's reaction (the default).
                ("reaction_label_nl", "TEXT"),
                ("reaction_label_en", "TEXT"),
            ],
            [
                {
                    **_flat(r, skip=("context",)),
                    "reaction_source_id": source_id(r["reaction"]["source"]),
                }
                for r in document["reports"]
            ],
            ["key"],
            [("reaction_source_id", "sources", "id")],
        ),
        Table(
            "report_context",
            [("report", "TEXT NOT NULL"), ("position", "INTEGER NOT NULL"), ("text", "TEXT")],
            [
                {"report": r["key"], "position": i + 1, "text": text}
                for r in document["reports"]
                for i, text in enumerate(r["context"])
            ],
            ["report", "position"],
            [("report", "reports", "key")],
        ),
        Table(
            "recommendations",
            [
                ("id", "TEXT NOT NULL"),
                ("report", "TEXT NOT NULL"),
                ("position", "INTEGER NOT NULL"),
                ("title", "TEXT NOT NULL"),
                ("theme", "TEXT NOT NULL"),
                ("stance", "TEXT NOT NULL"),
                ("status", "TEXT NOT NULL"),
                ("updated", "TEXT NOT NULL"),
                # Always there, for queries; NULL: no deadline, no review date.
                ("due", "TEXT"),
                ("review", "TEXT"),
            ],
            [
                {
                    **_flat(rec, skip=("actors", "quotes", "history")),
                    "position": i + 1,
                    "updated": rec["history"][-1]["date"],
                }
                for i, rec in enumerate(recs)
            ],
            ["id"],
            [
                ("report", "reports", "key"),
                ("theme", "vocabulary_themes", "key"),
                ("stance", "vocabulary_stances", "key"),
                ("status", "vocabulary_statuses", "key"),
            ],
        ),
        Table(
            "actors",
            [
                ("recommendation", "TEXT NOT NULL"),
                ("actor", "TEXT NOT NULL"),
                ("position", "INTEGER NOT NULL"),
            ],
            [
                {"recommendation": rec["id"], "actor": actor, "position": i + 1}
                for rec in recs
                for i, actor in enumerate(rec["actors"])
            ],
            ["recommendation", "actor"],
            [
                ("recommendation", "recommendations", "id"),
                ("actor", "vocabulary_actors", "key"),
            ],
        ),
        Table(
            "quotes",
            [
                ("recommendation", "TEXT NOT NULL"),
                ("position", "INTEGER NOT NULL"),
                ("text", "TEXT NOT NULL"),
            ],
            [
                {"recommendation": rec["id"], "position": i + 1, "text": text}
                for rec in recs
                for i, text in enumerate(rec["quotes"])
            ],
            ["recommendation", "position"],
            [("recommendation", "recommendations", "id")],
        ),
        Table(
            "history",
            [
                ("recommendation", "TEXT NOT NULL"),
                ("position", "INTEGER NOT NULL"),
                ("date", "TEXT NOT NULL"),
                ("status", "TEXT NOT NULL"),
                ("note", "TEXT"),
                ("by", "TEXT"),
                ("source", "TEXT"),
                ("source_id", "TEXT"),
                ("relation", "TEXT"),  # always there; NULL: not stated
            ],
            [
                {
                    "recommendation": rec["id"],
                    "position": i + 1,
                    **_flat(change, skip=("quotes",)),
                    "source_id": source_id(change["source"]),
                }
                for rec in recs
                for i, change in enumerate(rec["history"])
            ],
            ["recommendation", "position"],
            [
                ("recommendation", "recommendations", "id"),
                ("status", "vocabulary_statuses", "key"),
                ("source_id", "sources", "id"),
            ],
        ),
        Table(
            "history_quotes",
            [
                ("recommendation", "TEXT NOT NULL"),
                ("entry", "INTEGER NOT NULL"),
                ("position", "INTEGER NOT NULL"),
                ("text", "TEXT NOT NULL"),
                ("source_id", "TEXT"),
            ],
            [
                {
                    "recommendation": rec["id"],
                    "entry": i + 1,
                    "position": j + 1,
                    "text": text,
                    "source_id": source_id(change["source"]),
                }
                for rec in recs
                for i, change in enumerate(rec["history"])
                for j, text in enumerate(change["quotes"])
            ],
            ["recommendation", "entry", "position"],
            [("source_id", "sources", "id")],
            [(("recommendation", "entry"), "history", ("recommendation", "position"))],
        ),
    ]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def sqlite_bytes(ledger: Ledger, reports: Iterable[str] = ()) -> bytes:
    """The SQLite database file, built in memory (written by the caller, atomically)."""
    import sqlite3

    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        for table in tables(ledger, reports):
            declared = dict(table.columns)
            names = list(declared)
            for row in table.rows:
                names += [name for name in row if name not in declared and name not in names]
            definitions = [f"{_quoted(n)} {declared.get(n, 'TEXT')}" for n in names]
            definitions.append(f"PRIMARY KEY ({', '.join(map(_quoted, table.primary_key))})")
            links = [((column,), other, (key,)) for column, other, key in table.foreign_keys]
            definitions += [
                f"FOREIGN KEY ({', '.join(map(_quoted, columns))}) "
                f"REFERENCES {_quoted(other)} ({', '.join(map(_quoted, keys))})"
                for columns, other, keys in [*links, *table.compound_keys]
            ]
            connection.execute(f"CREATE TABLE {_quoted(table.name)} ({', '.join(definitions)})")
            placeholders = ", ".join("?" for _ in names)
            columns = ", ".join(map(_quoted, names))
            insert = f"INSERT INTO {_quoted(table.name)} ({columns}) VALUES ({placeholders})"  # noqa: S608 (our own names, quoted; values are bound)
            connection.executemany(
                insert, [[_cell(row.get(name)) for name in names] for row in table.rows]
            )
        connection.commit()
        return connection.serialize()
    finally:
        connection.close()
