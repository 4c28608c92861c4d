"""What `changes` shows people, whatever the output: one row per change, in Dutch or English.

The terminal table, the tab-separated lines and the Markdown table are all made from these
rows (`rows`), so they cannot disagree; JSON (`machine.changes_json`) keeps the keys.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from wrrtrack._changes import RegistryChanges
from wrrtrack._errors import UnknownTerm
from wrrtrack._vocabulary import Language, Vocabulary

WORDS: dict[Language, dict[str, str]] = {
    "nl": {
        "recommendation-added": "aanbeveling toegevoegd",
        "recommendation-removed": "aanbeveling verwijderd",
        "recommendation-edited": "aanbeveling gewijzigd",
        "history-added": "geschiedenis aangevuld",
        "source-added": "bron toegevoegd",
        "source-removed": "bron verwijderd",
        "source-edited": "bron gewijzigd",
        "source-refingerprinted": "bron: vingerafdruk gewijzigd",
        "report-added": "rapport toegevoegd",
        "report-removed": "rapport verwijderd",
        "report-edited": "rapport gewijzigd",
        "change": "wijziging",
        "id": "id",
        "date": "datum",
        "status": "status",
        "detail": "toelichting",
        "fields": "velden",
        "none": "Geen wijzigingen.",
        "title_dates": "Wijzigingen na {since}",
        "title_dates_until": "Wijzigingen na {since} tot en met {until}",
        "title_revisions": "Wijzigingen van {since} tot {until}",
        "working_tree": "de werkmap",
        "source": "bron",
        "marker_response": "(reactie)",
        "marker_related": "(verwant)",
        "new": "Het register is nieuw sinds {since}: alles erin is toegevoegd.",
    },
    "en": {
        "recommendation-added": "recommendation added",
        "recommendation-removed": "recommendation removed",
        "recommendation-edited": "recommendation edited",
        "history-added": "history entry added",
        "source-added": "source added",
        "source-removed": "source removed",
        "source-edited": "source edited",
        "source-refingerprinted": "source re-fingerprinted",
        "report-added": "report added",
        "report-removed": "report removed",
        "report-edited": "report edited",
        "change": "change",
        "id": "id",
        "date": "date",
        "status": "status",
        "detail": "detail",
        "fields": "fields",
        "none": "No changes.",
        "title_dates": "Changes after {since}",
        "title_dates_until": "Changes after {since} up to and including {until}",
        "title_revisions": "Changes from {since} to {until}",
        "working_tree": "the working tree",
        "source": "source",
        "marker_response": "(response)",
        "marker_related": "(related)",
        "new": "The registry is new since {since}: everything in it is added.",
    },
}
ARROW = " → "


class Row(NamedTuple):
    """One change as people read it; `change` is a key of WORDS (the kind of change),
    `before` and `status` are status keys ('' where none), `detail` free text, `relation`
    the history entry's relation to the advice ('' where none is stated)."""

    change: str
    id: str
    date: date | None
    before: str
    status: str
    detail: str
    relation: str = ""


def rows(changes: RegistryChanges) -> list[Row]:
    """Every change, in the order: reports, recommendations, history entries, sources."""
    found = [
        Row(f"report-{c.kind}", c.report.key, None, "", "", _fielded(c.report.title, c.fields))
        for c in changes.reports
    ]
    for c in changes.recommendations:
        rec = c.record
        before = c.before.status if c.kind == "edited" and c.before else ""
        found.append(
            Row(
                f"recommendation-{c.kind}",
                rec.id,
                None,
                before,
                rec.status,
                _fielded(rec.title, c.fields),
            )
        )
    for added in changes.history:
        entry = added.entry
        detail = " · ".join(text for text in (entry.note, entry.by, entry.source) if text)
        found.append(
            Row(
                "history-added",
                added.record.id,
                entry.date,
                added.status_before or "",
                entry.status,
                detail,
                entry.relation or "",
            )
        )
    for s in changes.sources:
        source = s.source
        detail = source.title or source.file
        if s.kind == "refingerprinted" and s.before and s.after:
            detail += (
                f" (sha256 {(s.before.sha256 or '-')[:12]}{ARROW}{(s.after.sha256 or '-')[:12]})"
            )
        found.append(Row(f"source-{s.kind}", source.id, None, "", "", _fielded(detail, s.fields)))
    return found


def _fielded(text: str, fields: tuple[str, ...]) -> str:
    return f"{text} [{', '.join(fields)}]" if fields else text


def marker(row: Row, lang: Language) -> str:
    """What marks a history entry's relation to the advice, as `show` and the report mark
    it ("(verwant)", "(related)"…); '' when it states none."""
    return WORDS[lang][f"marker_{row.relation}"] if row.relation else ""


def note(changes: RegistryChanges, lang: Language) -> str | None:
    """A line that says the registry is new since `since` (None when it is not)."""
    return WORDS[lang]["new"].format(since=changes.since or "HEAD") if changes.new else None


def label(statuses: Vocabulary, key: str, lang: Language) -> str:
    """A status's label, or its key when the vocabulary of now does not know it."""
    if not key:
        return ""
    try:
        return statuses.label(key, lang)
    except UnknownTerm:
        return key


def status_text(row: Row, statuses: Vocabulary, lang: Language) -> str:
    """`before → after` in labels; the one status when there is no before."""
    after = label(statuses, row.status, lang)
    if row.before and row.before != row.status:
        return f"{label(statuses, row.before, lang)}{ARROW}{after}"
    return after


def title(changes: RegistryChanges, lang: Language) -> str:
    """What the changes are between, for a heading."""
    words = WORDS[lang]
    since = changes.since or "HEAD"
    if changes.by_date:
        if changes.until:
            return words["title_dates_until"].format(since=since, until=changes.until)
        return words["title_dates"].format(since=since)
    ends = []
    for point, commit in zip((since, changes.until), changes.commits, strict=True):
        if point is None:
            ends.append(words["working_tree"])
        elif commit is None:
            ends.append(point)
        elif commit.startswith(point.lower()):  # a hash: its first ten digits
            ends.append(commit[:10])
        else:
            ends.append(f"{point} ({commit[:10]})")
    return words["title_revisions"].format(since=ends[0], until=ends[1])
