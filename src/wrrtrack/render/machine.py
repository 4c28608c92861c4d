"""Output for scripts: JSON, CSV and id lists, always with canonical keys, never labels."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from wrrtrack._model import (
    AdviceReport,
    Ledger,
    Reaction,
    Recommendation,
    Source,
    StatusChange,
    count_by,
)
from wrrtrack._vocabulary import Vocabularies, is_builtin
from wrrtrack.render import JSON_ESCAPES
from wrrtrack.render.plain import ACTOR_SEPARATOR, LIST_FIELDS

if TYPE_CHECKING:
    from wrrtrack._changes import RegistryChanges

# Spreadsheets run a cell that starts with one of these as a formula (CSV injection); a
# line break inside a cell can start such a line too.
_FORMULA = re.compile(r"(?:^|(?<=[\r\n]))(?=[=+\-@\t\r])")


def summary(rec: Recommendation) -> dict[str, Any]:
    return {
        "id": rec.id,
        "title": rec.title,
        "theme": rec.theme,
        "stance": rec.stance,
        "actors": list(rec.actors),
        "status": rec.status,
        "updated": rec.updated.isoformat(),
        "report": rec.report,
        "due": rec.due.isoformat() if rec.due else None,
        "review": rec.review.isoformat() if rec.review else None,
    }


def change_dict(change: StatusChange, ledger: Ledger) -> dict[str, Any]:
    """A history entry: the contract's keys, then its quotes and the stored source they
    (or the entry) cite, whose facts `cites` gives (null for free text or none)."""
    stored = ledger.source(change.source)
    return {
        "date": change.date.isoformat(),
        "status": change.status,
        "note": change.note,
        "by": change.by,
        "source": change.source,
        "quotes": list(change.quotes),
        "cites": source_dict(stored) if stored is not None else None,
        "relation": change.relation,
    }


def source_dict(source: Source) -> dict[str, Any]:
    """A source's facts (not its storage: `sources --format json` adds file and state);
    `"excerpt": true` when its stored text holds passages of the document, not all of it
    (absent: the whole document, as in the registry file)."""
    facts = {
        "id": source.id,
        "kind": source.kind,
        "publisher": source.publisher,
        "date": source.date.isoformat() if source.date else None,
        "title": source.title,
        "url": source.url,
    }
    return {**facts, "excerpt": True} if source.excerpt else facts


def sources_json(rows: Iterable[tuple[Source, str]]) -> str:
    """`sources --format json`: every source's facts, its stored file and fingerprint, and
    the file's state (ok, changed, missing, refused)."""
    return to_json(
        [
            {
                **{k: v for k, v in source_dict(source).items() if k != "excerpt"},
                "file": source.file,
                "sha256": source.sha256,
                # What the fingerprint proves: the passages stored, not the whole document.
                **({"excerpt": True} if source.excerpt else {}),
                "state": state,
            }
            for source, state in rows
        ]
    )


def detail(rec: Recommendation, ledger: Ledger) -> dict[str, Any]:
    """`show --format json`: the list keys, the quotes and where they are from
    (`quotes_from`, the facts of their source; `reaction`, what they summarise or are),
    and the history."""
    report = ledger.report_of(rec.report) if rec.report else ledger.report
    reaction = report.reaction
    return {
        **summary(rec),
        "quotes": list(rec.quotes),
        "quotes_from": source_dict(ledger.quote_source_of(report)),
        "reaction": {
            "reference": reaction.reference,
            "date": reaction.date.isoformat(),
            "url": reaction.url,
            **label_dict(reaction),
        },
        "history": [change_dict(c, ledger) for c in rec.history],
    }


def vocabularies(vocabs: Vocabularies, sections: Iterable[str]) -> dict[str, Any]:
    """`vocab --format json`: per vocabulary, its keys with labels, aliases and origin."""
    return {
        section: [
            {
                "key": term.key,
                "nl": term.nl,
                "en": term.en,
                "aliases": list(term.aliases),
                "origin": "built-in" if is_builtin(section, term) else "registry",
                **({"final": term.final} if section == "statuses" else {}),
            }
            for term in vocabs.by_section(section)
        ]
        for section in sections
    }


def to_json(value: Any) -> str:
    """Indented JSON, letters as they are; C1 controls, DEL and direction marks escaped."""
    return json.dumps(value, ensure_ascii=False, indent=2).translate(JSON_ESCAPES) + "\n"


def list_json(recs: Iterable[Recommendation]) -> str:
    return to_json([summary(rec) for rec in recs])


def ids(recs: Iterable[Recommendation]) -> str:
    return "".join(f"{rec.id}\n" for rec in recs)


def spreadsheet_safe(cell: str) -> str:
    """A cell a spreadsheet shows as text rather than evaluates: `'` before a formula start
    at the beginning of the cell and after every line break in it."""
    return _FORMULA.sub("'", cell)


def csv_rows(rows: Iterable[Iterable[str]]) -> str:
    """CSV with `\n` line ends, in which every cell holding a line break (CR or LF) is quoted.

    Python's writer quotes only the characters of its line terminator, so an unquoted CR
    would end the row for a spreadsheet; each row is written with `\r\n` (so both are
    quoted) and given the `\n` line end afterwards.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    lines = []
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
        lines.append(out.getvalue()[:-2] + "\n")
        out.seek(0)
        out.truncate()
    return "".join(lines)


def list_csv_row(rec: Recommendation) -> list[str]:
    """The `list` columns of one recommendation as CSV cells (before neutralising)."""
    values = summary(rec)
    values["actors"] = ACTOR_SEPARATOR.join(rec.actors)
    return [str(values[field]) for field in LIST_FIELDS]


def list_csv(recs: Iterable[Recommendation]) -> str:
    return csv_rows([list(LIST_FIELDS), *map(list_csv_row, recs)])


def label_dict(reaction: Reaction) -> dict[str, dict[str, str]]:
    """`label` (`nl`, `en`) when the registry names the reaction; none: the cabinet's."""
    return {"label": reaction.label._asdict()} if reaction.label else {}


def report_counts(ledger: Ledger) -> list[tuple[AdviceReport, dict[str, int]]]:
    """Each report with how many of its recommendations have each status (every status
    of the vocabulary, in its order)."""
    keys = ledger.vocabularies.statuses.keys
    by_report: dict[str, list[str]] = {report.key: [] for report in ledger.reports}
    for rec in ledger.recommendations:
        by_report[rec.report].append(rec.status)
    return [(report, count_by(keys, by_report[report.key])) for report in ledger.reports]


def reports_json(ledger: Ledger) -> str:
    """`reports --format json`: one object per report, in registry order."""
    return to_json(
        [
            {
                "key": report.key,
                "publisher": report.publisher,
                "number": report.number,
                "title": report.title,
                "date": report.date.isoformat(),
                "reaction": {
                    "reference": report.reaction.reference,
                    "date": report.reaction.date.isoformat(),
                    "source": report.reaction.source,
                    **label_dict(report.reaction),
                },
                "recommendations": sum(counts.values()),
                "statuses": counts,
            }
            for report, counts in report_counts(ledger)
        ]
    )


def changes_json(changes: RegistryChanges) -> str:
    """`changes --format json`: where the changes are between, then each kind of change.

    `since`, `until`: the points as given (`until` null: the working tree); `commits`: the
    commit each names (null for a date or the working tree); `by_date`: true when the
    points are dates (then only `history` is filled). `recommendations`: `change` (added,
    removed, edited), `id`, `report`, `title`, `status`, `status_before` (edited only),
    `fields` (what an edit changed). `history`: `id`, `report`, `status_before` (null: the
    first entry), and the entry as `status history --json` gives it (`date`, `status`,
    `note`, `by`, `source`, `quotes`, `cites`, `relation`). `new`: true when the registry
    was not in the commit `since` names (then everything in it is added). `sources`:
    `change` (added, removed, edited, refingerprinted), `id`, `file`, `sha256_before`,
    `sha256`, `fields`. `reports`: `change` (added, removed, edited), `key`, `title`,
    `fields`.
    """
    cited = changes.ledger or Ledger((), Vocabularies(), ())  # by hand: nothing to cite
    return to_json(
        {
            "since": changes.since,
            "until": changes.until,
            "commits": {"since": changes.commits[0], "until": changes.commits[1]},
            "by_date": changes.by_date,
            "new": changes.new,
            "recommendations": [
                {
                    "change": c.kind,
                    "id": c.record.id,
                    "report": c.record.report,
                    "title": c.record.title,
                    "status": c.record.status,
                    "status_before": c.before.status if c.kind == "edited" and c.before else None,
                    "fields": list(c.fields),
                }
                for c in changes.recommendations
            ],
            "history": [
                {
                    "id": added.record.id,
                    "report": added.record.report,
                    "status_before": added.status_before,
                    **change_dict(added.entry, cited),
                }
                for added in changes.history
            ],
            "sources": [
                {
                    "change": c.kind,
                    "id": c.source.id,
                    "file": c.source.file,
                    "sha256_before": c.before.sha256 if c.before else None,
                    "sha256": c.after.sha256 if c.after else None,
                    # What the fingerprint proves: the passages stored, not the document.
                    **({"excerpt": True} if c.source.excerpt else {}),
                    "fields": list(c.fields),
                }
                for c in changes.sources
            ],
            "reports": [
                {
                    "change": c.kind,
                    "key": c.report.key,
                    "title": c.report.title,
                    "fields": list(c.fields),
                }
                for c in changes.reports
            ],
        }
    )
